"""MkDocs hook: every lesson in tutorials/ becomes a page under tutorials/.

The lessons are jupytext "percent" scripts: a ``# %% [markdown]`` cell becomes
Markdown, a ``# %%`` cell a fenced Python block. Nothing is executed here (the test
suite runs every lesson); the pages show the code, the prose and the exercises, and
say how to run or step through the lesson. The index page is tutorials/README.md.
"""

from __future__ import annotations

from _pages import ROOT, add_pages, fill_nav

from minigrad.course.lessons import list_lessons, parse_cells

FOLDER = ROOT / "tutorials"


def _uri(lesson) -> str:
    return f"tutorials/{lesson.path.stem}.md"


def _fence(code: str) -> str:
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}python\n{code}\n{fence}"


def lesson_page(lesson) -> str:
    """A lesson as Markdown: its prose cells as they are, its code cells fenced."""
    n, source = lesson.number, f"tutorials/{lesson.path.name}"
    how = (
        f'!!! tip "Run this lesson"\n'
        f"    The page shows `{source}`. Run it with `minigrad tutorial run {n}`, step through it\n"
        f"    cell by cell with `minigrad tutorial step {n}`, or write it as a Jupyter notebook with\n"
        f"    `minigrad tutorial notebook {n}`."
    )
    blocks = []
    for cell in parse_cells(lesson.path):
        if cell.kind == "markdown":
            blocks.append(cell.source)
        else:
            blocks.append(_fence(cell.source))
    # The tip goes right after the title line of the first prose cell.
    title, _, rest = blocks[0].partition("\n") if blocks and blocks[0].startswith("# ") else ("", "", "")
    if title:
        blocks[0:1] = [title, how, rest.strip("\n")]
    else:
        blocks.insert(0, how)
    return "\n\n".join(block for block in blocks if block) + "\n"


def index_page(lessons) -> str:
    readme = (FOLDER / "README.md").read_text(encoding="utf-8").strip()
    listing = "\n".join(f"{lesson.number}. [{lesson.title}]({lesson.path.stem}.md)" for lesson in lessons)
    return f"{readme}\n\n## The lessons\n\n{listing}\n"


def on_config(config):
    lessons = list_lessons(FOLDER)
    fill_nav(config, "tutorials/", ["tutorials/index.md"]
             + [{f"{lesson.number}. {lesson.title}": _uri(lesson)} for lesson in lessons])
    return config


def on_files(files, config):
    lessons = list_lessons(FOLDER)
    pages = {"tutorials/index.md": index_page(lessons)}
    pages.update({_uri(lesson): lesson_page(lesson) for lesson in lessons})
    return add_pages(files, config, pages)

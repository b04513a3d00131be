"""The course's lessons (``tutorials/NN_title.py``): list, run, step through, convert.

Lessons are jupytext "percent" scripts: ``# %%`` starts a code cell and
``# %% [markdown]`` a prose cell whose lines are comments (``# text``). They run
top to bottom as plain Python; this module adds what ``minigrad tutorial`` needs:

* :func:`list_lessons` -- number, title and file of every lesson;
* :func:`run_lesson` -- execute one (``quick=True`` asks the lesson for small sizes
  through the ``MINIGRAD_QUICK`` environment variable, as the test suite does);
* :func:`step_lesson` -- show each cell, run it on Enter, stop on ``q``;
* :func:`to_notebook` -- write a Jupyter notebook (nbformat 4) of a lesson;
* :func:`quick`, :func:`save_figure`, :func:`figure_path`, :func:`show` and :func:`show_file` -- helpers
  lessons call themselves.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Cell", "Lesson", "LessonError", "TUTORIALS", "REPOSITORY", "list_lessons", "find_lesson", "parse_cells",
    "run_lesson", "step_lesson", "to_notebook", "quick", "save_figure", "figure_path", "show", "show_file",
]

_FILE = re.compile(r"^(\d\d)_(\w+)\.py$")


def _has_lessons(folder):
    return folder.is_dir() and any(_FILE.match(p.name) for p in folder.iterdir())


def _find_tutorials():
    """Where the lessons are: the repository's ``tutorials/``, or the copy a wheel ships.

    In a clone (or an editable install) ``minigrad/course/lessons.py`` sits two
    folders below the repository root, which has ``pyproject.toml`` and
    ``tutorials/``. An installed wheel has no repository: its build (setup.py)
    copied the lessons into ``minigrad/course/tutorials/``.
    """
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and _has_lessons(root / "tutorials"):
        return root / "tutorials", root
    return Path(__file__).resolve().parent / "tutorials", None


#: The folder of the lessons, and the repository root (None in an installed copy).
TUTORIALS, REPOSITORY = _find_tutorials()


class LessonError(ValueError):
    """A lesson that does not exist, cannot be read, or failed while running."""


@dataclass
class Cell:
    kind: str  # "code" or "markdown"
    source: str


@dataclass
class Lesson:
    number: int
    title: str
    path: Path


def quick() -> bool:
    """True when lessons should use small sizes (``MINIGRAD_QUICK=1``, set by the tests)."""
    return os.environ.get("MINIGRAD_QUICK", "") not in ("", "0")


def save_figure(fig, name):
    """Save a matplotlib figure as ``$MINIGRAD_FIGURES/name`` (default ``./figures/``); returns None.

    Lessons save their pictures instead of opening windows, so they run the same
    on a laptop, in CI and in a terminal without a display. In a notebook the
    saved picture also shows, once, as the cell's output (see
    :func:`_show_in_notebook`). Nothing is returned, so a cell ending in
    ``save_figure(...)`` prints no stray value.
    """
    path = figure_path(name)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    _show_in_notebook(fig, path)


def figure_path(name):
    """``$MINIGRAD_FIGURES/name`` (default ``./figures/name``), its folder made: where a lesson
    writes a file of its own, e.g. an animation with :func:`viz.save_animation`."""
    folder = Path(os.environ.get("MINIGRAD_FIGURES", "figures"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def show_file(path):
    """In a notebook, show a saved GIF, PNG or HTML page once under the cell; returns None.

    A lesson's animation is written with :func:`viz.save_animation` (which returns its
    path) and shown with ``show_file(...)``, so the frames are not rendered a second
    time and a cell ending in it prints no path. Outside a notebook nothing happens.
    """
    if not _in_kernel():
        return
    from IPython.display import HTML, Image, display

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".html":
        display(HTML(path.read_text(encoding="utf-8")))
    elif suffix in (".gif", ".png", ".jpg", ".jpeg"):
        display(Image(filename=str(path)))
    else:
        print("saved:", path)  # e.g. an .mp4 plays in a media player, not inline


def _show_in_notebook(fig, path):
    """Inside a Jupyter kernel, show the saved picture once as the cell's output.

    The PNG just written is displayed, for pyplot figures and ``viz`` figures alike
    (pyplot does not know the latter); a pyplot figure is then closed so that the
    inline backend does not show it a second time -- and a lesson that closes its
    figure after saving it still gets the picture in the notebook.
    """
    if not _in_kernel():
        return
    from IPython.display import Image, display

    display(Image(filename=str(path)))
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)


def _in_kernel():
    """True inside a Jupyter kernel (not in a plain ``python`` or a terminal IPython)."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel depends on IPython
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def show(obj):
    """In a notebook, show a graph (a ``graphviz`` drawing) or a step-through as the cell's output.

    Lessons write their graphs and step-through pages to files so that they run
    anywhere; in a notebook the learner should also see them under the cell, as
    :func:`save_figure` does for plots. A graph is rendered to SVG (with a one-line
    note instead when Graphviz's ``dot`` program is missing); anything else is shown
    through its ``_repr_html_``. Outside a notebook nothing happens. Returns None.
    """
    if not _in_kernel():
        return
    from IPython.display import SVG, display

    if hasattr(obj, "pipe") and hasattr(obj, "source"):  # a graphviz.Digraph / Graph
        try:
            display(SVG(obj.pipe(format="svg")))
        except Exception as err:  # noqa: BLE001 - no `dot` program, or it failed: say so, keep going
            print("graph not shown:", str(err).splitlines()[0] if str(err) else type(err).__name__)
        return
    display(obj)


def parse_cells(path) -> list[Cell]:
    """Split a percent-format script into cells (prose cells lose their ``# `` prefixes)."""
    text = Path(path).read_text(encoding="utf-8")
    cells, kind, lines = [], None, []

    def flush():
        source = "\n".join(lines).strip("\n")
        if kind and source.strip():
            if kind == "markdown":
                source = "\n".join(re.sub(r"^# ?", "", line) for line in source.splitlines())
            cells.append(Cell(kind, source))

    for line in text.splitlines():
        marker = re.match(r"^# %%(.*)$", line)
        if marker:
            flush()
            kind = "markdown" if "[markdown]" in marker.group(1) else "code"
            lines = []
        elif kind is None:
            continue  # the file header (jupytext metadata) before the first cell
        else:
            lines.append(line)
    flush()
    return cells


def _title(path):
    for cell in parse_cells(path):
        if cell.kind == "markdown":
            heading = cell.source.strip().splitlines()[0].lstrip("#").strip()
            return re.sub(r"^\d+\.\s*", "", heading)  # "3. Activations" → "Activations"
    return _FILE.match(path.name).group(2).replace("_", " ").capitalize()


def list_lessons(folder=None) -> list[Lesson]:
    """Every lesson in ``folder`` (by default :data:`TUTORIALS`: the repository's or the installed copy), in order."""
    folder = Path(folder) if folder else TUTORIALS
    if not folder.is_dir():
        raise LessonError(f"no tutorials folder at {folder}: reinstall minigrad from a wheel, or use a clone")
    lessons = []
    for path in sorted(folder.iterdir()):
        match = _FILE.match(path.name)
        if match:
            lessons.append(Lesson(int(match.group(1)), _title(path), path))
    return lessons


def find_lesson(number, folder=None) -> Lesson:
    """The lesson with ``number`` (an int or a string like "3"), or a LessonError listing them."""
    lessons = list_lessons(folder)
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = None
    for lesson in lessons:
        if lesson.number == wanted:
            return lesson
    valid = ", ".join(str(lesson.number) for lesson in lessons) or "none"
    raise LessonError(f"there is no lesson {number!r}; lessons: {valid} (see: minigrad tutorial list)")


@contextlib.contextmanager
def _lesson_environment(lesson, quick_run, figures):
    """Non-interactive plotting, quick sizes if asked, figures in ``figures``."""
    saved = {k: os.environ.get(k) for k in ("MINIGRAD_QUICK", "MINIGRAD_FIGURES", "MPLBACKEND")}
    os.environ["MPLBACKEND"] = "Agg"
    if quick_run:
        os.environ["MINIGRAD_QUICK"] = "1"
    if figures is not None:
        os.environ["MINIGRAD_FIGURES"] = str(figures)
    sys.path.insert(0, str(lesson.path.parent))
    try:
        yield
    finally:
        sys.path.remove(str(lesson.path.parent))
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _namespace(lesson):
    return {"__name__": "__main__", "__file__": str(lesson.path)}


def _run_cell(cell, namespace, lesson, index):
    try:
        exec(compile(cell.source, f"{lesson.path.name} [cell {index}]", "exec"), namespace)
    except Exception as exc:
        raise LessonError(
            f"lesson {lesson.number} failed in cell {index}: {type(exc).__name__}: {exc}\n"
            + "".join(traceback.format_exception(exc)[-3:])
        ) from exc


def run_lesson(number, quick=False, figures=None, folder=None):
    """Run every code cell of a lesson; returns its namespace (a LessonError on failure)."""
    lesson = find_lesson(number, folder)
    namespace = _namespace(lesson)
    with _lesson_environment(lesson, quick, figures):
        for index, cell in enumerate(parse_cells(lesson.path), start=1):
            if cell.kind == "code":
                _run_cell(cell, namespace, lesson, index)
    return namespace


def step_lesson(number, read=input, write=print, quick=False, figures=None, folder=None):
    """Show a lesson cell by cell: Enter runs a code cell and shows its output, ``q`` quits.

    ``read``/``write`` default to the terminal (tests pass their own). Returns the
    number of code cells run.
    """
    lesson = find_lesson(number, folder)
    cells = parse_cells(lesson.path)
    namespace = _namespace(lesson)
    ran = 0
    write(f"Lesson {lesson.number}: {lesson.title}  ({len(cells)} cells; Enter runs a cell, q quits)")
    with _lesson_environment(lesson, quick, figures):
        for index, cell in enumerate(cells, start=1):
            rule = "─" * 70
            if cell.kind == "markdown":
                write(f"\n{rule}\n{cell.source}")
                continue
            write(f"\n{rule}\n[{index}/{len(cells)}] code:\n" + "\n".join("    " + l for l in cell.source.splitlines()))
            try:
                answer = read("Enter to run, q to quit > ")
            except EOFError:
                answer = "q"
            if answer.strip().lower() in ("q", "quit", "exit"):
                write("stopped.")
                return ran
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                _run_cell(cell, namespace, lesson, index)
            output = buffer.getvalue().rstrip()
            write(output if output else "(no output)")
            ran += 1
    write("\nEnd of the lesson.")
    return ran


def to_notebook(number, path=None, folder=None):
    """Write a lesson as a Jupyter notebook; returns the path.

    By default the notebook is ``NN_title.ipynb`` beside the lesson, except for the
    lessons of an installed copy, which sit inside the installed package (no place
    to write): their notebook goes to the current folder.
    """
    lesson = find_lesson(number, folder)
    if path:
        target = Path(path)
    elif REPOSITORY is None and lesson.path.parent.resolve() == TUTORIALS.resolve():
        target = Path.cwd() / (lesson.path.stem + ".ipynb")
    else:
        target = lesson.path.with_suffix(".ipynb")
    cells = []
    for cell in parse_cells(lesson.path):
        source = cell.source.splitlines(keepends=True)
        entry = {"cell_type": cell.kind, "metadata": {}, "source": source}
        if cell.kind == "code":
            entry.update(execution_count=None, outputs=[])
        cells.append(entry)
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target

"""The documentation site (mkdocs.yml) builds with --strict, and a broken reference fails it.

``./run test`` installs the ``docs`` extra, so in CI these tests run; elsewhere (an
environment without MkDocs) they are skipped with a reason.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

if os.environ.get("CI"):
    import mkdocs  # noqa: F401  (CI installs the docs extra: missing MkDocs is a failure there, not a skip)
else:
    pytest.importorskip("mkdocs", reason="the docs extra is not installed: pip install -e '.[docs]'")

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def _mkdocs(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = _mkdocs("build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _text(path):
    return path.read_text(encoding="utf-8")


def test_every_lesson_is_a_page_with_its_prose_and_code(site):
    lessons = sorted(ROOT.glob("tutorials/[0-9][0-9]_*.py"))
    assert len(lessons) >= 11
    for lesson in lessons:
        page = _text(site / "tutorials" / lesson.stem / "index.html")
        title = re.search(r"^# # (.+)$", _text(lesson), flags=re.M).group(1)
        assert "<h1" in page and title.split(". ", 1)[-1] in page, lesson.name
        assert '<span class="kn">import</span>' in page, f"{lesson.name}: no highlighted Python code"
        assert "# %%" not in page, f"{lesson.name}: a cell marker leaked into the page"
    index = _text(site / "tutorials" / "index.html")
    assert all(f'href="{lesson.stem}/"' in index for lesson in lessons)


def test_the_api_reference_renders_the_docstrings(site):
    pages = {p.parent.name: _text(p) for p in (site / "api").glob("*/index.html")}
    for module in ("minigrad", "minigrad.autograd", "minigrad.tensor", "minigrad.nn", "minigrad.optim",
                   "minigrad.train", "minigrad.data", "minigrad.quant", "viz"):
        assert module in pages, f"no API page for {module}"
    assert 'id="minigrad.tensor.Tensor"' in pages["minigrad.tensor"]
    assert 'id="minigrad.nn.Module"' in pages["minigrad.nn"] or "minigrad.nn.module.Module" in pages["minigrad.nn"]
    api = "\n".join(pages.values())
    # The reST habits of the docstrings do not leak into the rendered prose (source listings aside).
    prose = re.sub(r"<details.*?</details>", "", api, flags=re.S)
    assert ":class:`" not in prose and ":func:`" not in prose
    assert "::</p>" not in prose
    # Formulas written in the docstrings come through (unicode math in code blocks and prose).
    assert "←" in api and "∂" in api


def test_the_cli_reference_is_every_commands_help(site):
    from click.testing import CliRunner

    from cli import group

    page = _text(site / "cli" / "index.html")
    for name in group.commands:
        usage = CliRunner().invoke(group, [name, "--help"], prog_name="minigrad").output.splitlines()[0]
        assert usage.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in page, usage


def test_the_gallery_shows_the_readme_images(site):
    readme_images = set(re.findall(r"\(docs/gallery/([\w.]+\.png)\)", _text(ROOT / "README.md")))
    assert readme_images
    page = _text(site / "gallery" / "index.html")
    for image in readme_images:
        assert (site / "gallery" / image).is_file() and f'src="{image}"' in page, image


BUILD = """
import logging, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
config = load_config("mkdocs.yml", docs_dir=sys.argv[1], site_dir=sys.argv[2], hooks=[],
                     nav=["index.md", "other.md"], strict=True)
try:
    build(config)
except Abort as exc:
    sys.exit(str(exc))
"""


BROKEN = {  # a broken reference in a page -> what the strict build reports
    "[no such object][minigrad.rng.no_such_function]":
        "Could not find cross-reference target 'minigrad.rng.no_such_function'",
    "[a page that is not there](missing.md)": "missing.md",
    "[an anchor that is not there](other.md#nowhere)": "#nowhere",
}


def test_a_broken_reference_fails_the_strict_build(tmp_path):
    # The project's configuration (plugins, Markdown extensions, link validation) on two small
    # pages: they build; add broken references and the build fails, naming each one.
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "other.md").write_text("# Other\n\nFine: [manual_seed][minigrad.rng.manual_seed].\n")
    ok = "# Home\n\n::: minigrad.rng\n\nSee [the other page](other.md).\n"
    (docs / "index.md").write_text(ok)
    args = [sys.executable, "-c", BUILD, str(docs), str(tmp_path / "site")]
    good = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stdout + good.stderr
    (docs / "index.md").write_text(ok + "".join(f"\nBroken: {link}.\n" for link in BROKEN))
    bad = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "Aborted with 3 warnings in strict mode" in bad.stderr, bad.stderr
    for message in BROKEN.values():
        assert message in bad.stderr, bad.stderr

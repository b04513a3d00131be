"""The lessons as Jupyter notebooks: they execute top to bottom in a real kernel, figures inline.

``minigrad tutorial notebook N`` writes the notebook; nbclient runs it in the
``python3`` kernel (ipykernel) with the lessons' quick sizes (``MINIGRAD_QUICK=1``).
A cell must not end in a bare expression whose value is a file path: the notebook
would print ``PosixPath('figures/...')`` under it.
"""

import ast
import os
import re
from pathlib import Path

import pytest

from minigrad.course.lessons import list_lessons, parse_cells, to_notebook

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[2]
LESSONS = list_lessons()
# Calls that return the path they wrote: as a cell's last expression they print it.
PATH_RETURNING = {"save", "save_frames", "save_animation", "to_notebook", "write_text", "report", "build_demo"}


def _execute(number, tmp_path, monkeypatch):
    monkeypatch.setenv("MINIGRAD_QUICK", "1")
    monkeypatch.setenv("MINIGRAD_FIGURES", str(tmp_path / "figures"))
    # The kernel imports this checkout's minigrad and viz, whatever is installed.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    path = to_notebook(number, tmp_path / f"lesson{number}.ipynb")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=600,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    return notebook


def _outputs(notebook):
    return [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]


@pytest.mark.slow
@pytest.mark.parametrize("number", [1, 2])
def test_a_lesson_notebook_executes_with_inline_figures(number, tmp_path, monkeypatch):
    notebook = _execute(number, tmp_path, monkeypatch)
    outputs = _outputs(notebook)
    assert not [out for out in outputs if out.output_type == "error"]
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    figures = sum(cell.source.count("save_figure(") for cell in notebook.cells if cell.cell_type == "code")
    assert figures and len(images) >= figures  # every figure the lesson saves also shows in the notebook
    films = sum(cell.source.count("show_file(viz.save_animation(") for cell in notebook.cells if cell.cell_type == "code")
    gifs = [out for out in outputs if "image/gif" in out.get("data", {})]
    assert films and len(gifs) == films  # and every animation plays under its cell, once
    assert any(p.suffix == ".png" for p in (tmp_path / "figures").iterdir())
    texts = [out.get("data", {}).get("text/plain", "") for out in outputs]
    assert not [t for t in texts if "PosixPath(" in t or "WindowsPath(" in t]
    # The graphs (and lesson 1's step-through) show under their cells too, not only on disk.
    graphs = [out for out in outputs if "<svg" in out.get("data", {}).get("image/svg+xml", "")]
    assert graphs and "<svg" in graphs[0]["data"]["image/svg+xml"]
    if number == 1:
        assert ">x1*w1 + x2*w2<" in graphs[0]["data"]["image/svg+xml"]  # every box named, no n6
        pages = [out["data"]["text/html"] for out in outputs if "text/html" in out.get("data", {})]
        assert any('class="mg-step"' in page and "Step 1 of 6" in page for page in pages)


def _call_name(node):
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


@pytest.mark.parametrize("lesson", LESSONS, ids=[f"{l.number:02d}" for l in LESSONS])
def test_no_cell_ends_by_showing_a_path(lesson):
    for index, cell in enumerate(parse_cells(lesson.path), start=1):
        if cell.kind != "code":
            continue
        body = ast.parse(cell.source).body
        last = body[-1] if body else None
        if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
            assert _call_name(last.value) not in PATH_RETURNING, (
                f"lesson {lesson.number}, cell {index} ends with {ast.unparse(last)!r}: end it with ';' or assign it")


def test_show_does_nothing_outside_a_notebook(capsys):
    from minigrad import Value
    from minigrad.course.lessons import show
    from viz.graph import draw_graph

    assert show(draw_graph(Value(1.0, label="a") * 2)) is None
    assert capsys.readouterr() == ("", "")


def test_save_figure_returns_nothing_outside_a_notebook(tmp_path, monkeypatch):
    from minigrad.course.lessons import save_figure
    from viz._mpl import new_figure

    monkeypatch.setenv("MINIGRAD_FIGURES", str(tmp_path))
    fig = new_figure(figsize=(2, 2))
    fig.add_subplot().plot([0, 1])
    assert save_figure(fig, "line.png") is None and (tmp_path / "line.png").stat().st_size > 0


def test_a_lesson_animation_is_written_to_the_figures_folder_and_shown_once(tmp_path, monkeypatch, capsys):
    from PIL import Image

    import viz
    from minigrad.course import lessons

    monkeypatch.setenv("MINIGRAD_FIGURES", str(tmp_path / "figs"))
    anim = viz.animate_perceptron(*viz.animation.two_blobs(6), resolution=20, figsize=(5, 4))
    path = viz.save_animation(anim, lessons.figure_path("perceptron.gif"), dpi=40)
    assert path == tmp_path / "figs" / "perceptron.gif"
    with Image.open(path) as gif:
        assert gif.n_frames == anim.n_frames and gif.size == (5 * 40, 4 * 40)
    assert lessons.show_file(path) is None and capsys.readouterr().out == ""  # outside a notebook: silent
    shown = []
    monkeypatch.setattr(lessons, "_in_kernel", lambda: True)
    monkeypatch.setattr("IPython.display.display", shown.append)
    lessons.show_file(path)
    assert len(shown) == 1 and shown[0].format == "gif"


def test_minigrad_never_imports_viz():
    package = ROOT / "minigrad"  # the lessons' helpers show pictures without importing the visualizer
    offenders = [str(p.relative_to(ROOT)) for p in package.rglob("*.py")
                 if re.search(r"^\s*(import viz|from viz[. ])", p.read_text(encoding="utf-8"), re.M)]
    assert not offenders, f"minigrad must not import viz (viz imports minigrad): {offenders}"

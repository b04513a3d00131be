import os
import re
import shutil

import graphviz
import numpy as np
import pytest
from matplotlib.figure import Figure

import minigrad as mg
from minigrad import nn
from minigrad.train import History
from viz import html_report as report_module
from viz.diagnosis import diagnose
from viz.flow import GradientFlow
from viz.plots import plot_confusion_matrix
from viz.html_report import report

URL = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", re.IGNORECASE)


@pytest.fixture(scope="module")
def run():
    """A tiny model with a dead layer, its gradient flow, diagnosis and history."""
    mg.manual_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)), rng.integers(0, 2, 32)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    model[0].bias.data[...] = -50.0
    flow = GradientFlow(model)
    for _ in range(2):
        model.zero_grad()
        nn.losses.cross_entropy(model(x), y).backward()
        flow.record()
    history = History()
    for epoch, (loss, val) in enumerate([(1.0, 1.1), (0.6, 0.8), (0.4, 0.9)]):
        history.append(epoch, {"loss": loss, "val_loss": val})
    graph = graphviz.Digraph()
    graph.node("w", "weight")
    graph.edge("w", "loss")
    return {"graph": graph, "flow": flow, "diagnosis": diagnose(model, x, y, "cross_entropy"),
            "history": history, "y": y}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_report_writes_one_self_contained_page(tmp_path, run):
    target = tmp_path / "run.html"
    returned = report(target, title="Moons <run> & co", graph=run["graph"], flow=run["flow"],
                      diagnosis=run["diagnosis"], history=run["history"],
                      figures={"confusion": plot_confusion_matrix(run["y"], run["y"])},
                      text="First paragraph.\n\nSecond one.")
    assert returned == target
    page = read(target)
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Moons &lt;run&gt; &amp; co</title>" in page and "<h1>Moons &lt;run&gt; &amp; co</h1>" in page
    for section in ("Notes", "Computation graph", "Diagnosis", "Gradient flow", "Learning curves", "Figures"):
        assert f"<h2>{section}</h2>" in page
    # diagnosis plot, grad flow, heatmap, learning curves, confusion matrix
    assert page.count('<img alt="') == 5 and page.count("data:image/png;base64,") == 5
    assert '<table class="diagnosis">' in page
    assert "[dead_relu]" in page and "dying ReLUs" in page  # the findings with their advice
    assert "<p>First paragraph.</p>" in page and "<p>Second one.</p>" in page
    assert "<figcaption>confusion</figcaption>" in page
    if shutil.which("dot"):
        assert "<svg" in page and "weight" in page
    assert not URL.search(page), URL.search(page)
    assert not re.search(r'(src|href)="(?!data:|#)', page)  # nothing loaded from elsewhere


def test_a_table_in_the_notes_keeps_its_columns(tmp_path):
    # `minigrad search -o search.html` passes its ranked table as notes: as a <p> the
    # browser would collapse the spaces and the columns with them.
    table = ("rank  mean_score  std_score  lr     hidden\n"
             "   1      0.9687   0.007782  0.003  32\n"
             "   2      0.9611   0.009337  0.001  64")
    page = read(report(tmp_path / "t.html", text=[table, "best: lr=0.003, hidden=32"]))
    assert f'<pre class="table">{table}</pre>' in page
    assert "<p>best: lr=0.003, hidden=32</p>" in page


def test_report_inline_svg_figures(tmp_path, run):
    page = read(report(tmp_path / "svg.html", flow=run["flow"], image_format="svg"))
    assert page.count("<svg") >= 2 and "<img" not in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert not URL.search(page)
    with pytest.raises(ValueError, match="image_format"):
        report(tmp_path / "x.html", image_format="gif")


def test_report_without_graphviz_shows_the_dot_source(tmp_path, run, monkeypatch):
    monkeypatch.setattr(report_module.shutil, "which", lambda name: None)
    page = read(report(tmp_path / "nodot.html", graph=run["graph"]))
    assert "<svg" not in page
    assert "<pre>" in page and "w -&gt; loss" in page
    assert "apt install graphviz" in page


def test_report_replaces_atomically_and_cleans_up(tmp_path, run):
    target = tmp_path / "r.html"
    target.write_text("old report")
    report(target, history=run["history"])
    assert "Learning curves" in read(target)
    assert os.listdir(tmp_path) == ["r.html"]  # no temporary file left behind

    class BrokenFigure(Figure):
        def savefig(self, *args, **kwargs):
            raise RuntimeError("renderer crashed")

    before = read(target)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        report(target, figures=[BrokenFigure()])
    assert read(target) == before and os.listdir(tmp_path) == ["r.html"]


def test_report_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        report(tmp_path / "missing" / "r.html")
    with pytest.raises(TypeError, match="cannot embed"):
        report(tmp_path / "r.html", figures=[42])
    page = read(report(tmp_path / "empty.html"))
    assert "Nothing to report" in page


def test_report_shows_the_source_of_a_graph_too_big_to_render(tmp_path, run, monkeypatch):
    import sys

    monkeypatch.setattr(sys.modules["viz.graph.save"], "MAX_RENDER_NODES", 0)
    page = read(report(tmp_path / "big.html", graph=run["graph"]))
    assert "<svg" not in page and "<pre>" in page
    assert "more than the 0 Graphviz renders here" in page

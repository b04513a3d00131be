"""viz.step_through: one layout for every frame, inline in Jupyter and as one self-contained page."""

import re
import shutil

import pytest

import minigrad as mg
from minigrad import nn
from minigrad.autograd import topological_order
from viz import StepThrough, backprop_frames, step_through
from viz.graph import HIGHLIGHT_COLOR
from tests.viz.neuron import neuron

pytestmark = pytest.mark.skipif(shutil.which("dot") is None or shutil.which("neato") is None,
                                reason="the Graphviz programs 'dot' and 'neato' are not installed")



def centre(points):
    xs = [float(p.split(",")[0]) for p in points.split()]
    ys = [float(p.split(",")[1]) for p in points.split()]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, max(xs) - min(xs), max(ys) - min(ys)


def node_boxes(svg):
    """Node name -> (centre x, centre y, width, height) of its box or oval (the first shape drawn for it)."""
    boxes = {}
    for name, body in re.findall(r'<g id="[^"]*" class="node">\s*<title>([^<]+)</title>(.*?)</g>\s*(?=<!--|</g>)',
                                 svg, re.S):
        polygon = re.search(r'<polygon fill="[^"]*" stroke="[^"]*" points="([^"]+)"', body)
        ellipse = re.search(r'<ellipse[^>]* cx="([^"]+)" cy="([^"]+)" rx="([^"]+)" ry="([^"]+)"', body)
        if ellipse and (not polygon or ellipse.start() < polygon.start()):
            x, y, rx, ry = map(float, ellipse.groups())
            boxes[name] = (x, y, 2 * rx, 2 * ry)
        else:
            boxes[name] = centre(polygon.group(1))
    return boxes


def same_place(a, b):
    """Same centres; sizes equal but for the thicker border (drawn inside) of the box being processed."""
    return a.keys() == b.keys() and all(
        a[k][:2] == b[k][:2] and abs(a[k][2] - b[k][2]) <= 4 and abs(a[k][3] - b[k][3]) <= 4 for k in a)


def clusters(svg):
    return re.findall(r'class="cluster">\s*<title>[^<]+</title>.*?<path[^>]* d="([^"]+)"', svg, re.S)


def highlighted(svg):
    return sorted(name for name, body in re.findall(r'class="node">\s*<title>([^<]+)</title>(.*?)</g>', svg, re.S)
                  if f'fill="{HIGHLIGHT_COLOR}"' in body)


def test_every_frame_keeps_every_node_where_and_as_big_as_it_was():
    st = step_through(neuron()[0])
    order = topological_order(neuron()[0])
    assert isinstance(st, StepThrough) and len(st) == 6 == len(backprop_frames(neuron()[0]))
    first = node_boxes(st.svgs[0])
    assert len(first) == len(order) + 5  # every box and op oval
    for svg in st.svgs[1:]:
        assert same_place(node_boxes(svg), first)
    # ... on one canvas with one origin, so no picture shifts on the page either.
    assert len({re.search(r'<svg[^>]*>', svg).group(0) for svg in st.svgs}) == 1
    assert len({re.search(r'translate\([^)]*\)', svg).group(0) for svg in st.svgs}) == 1
    # ... while what they show changes: the processed node moves backwards through the graph.
    assert highlighted(st.svgs[0]) == []
    assert highlighted(st.svgs[1]) == [f"n{len(order) - 1}", f"o{len(order) - 1}"]
    assert highlighted(st.svgs[-1]) == ["n2", "o2"]
    assert "grad ?" in st.svgs[0] and "grad ?" not in st.svgs[-1]
    assert set(st.positions) == set(first)


def test_a_tensor_graph_with_clusters_keeps_its_layout():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    st = step_through(model(mg.randn(4, 2)).mean())
    first, boxes = node_boxes(st.svgs[0]), clusters(st.svgs[0])
    assert len(boxes) == 3 and "Linear(2→3)" in st.svgs[0]
    for svg in st.svgs[1:]:
        assert same_place(node_boxes(svg), first) and clusters(svg) == boxes


def test_counter_and_captions_agree_and_the_page_is_self_contained(tmp_path):
    st = step_through(neuron()[0])
    path = st.save(tmp_path / "sub" / "steps.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 6 and "<?xml" not in page
    assert re.search(r'<input class="mg-slider" type="range" min="1" max="6" value="1"', page)
    assert 'class="mg-prev"' in page and 'class="mg-next"' in page and "ArrowLeft" in page and "ArrowRight" in page
    # One counter ("Step 1 of 6"); the captions and the pictures carry no step number.
    assert page.count("Step 1 of 6") == 1 and not any(re.search(r"Step \d", svg) for svg in st.svgs)
    assert st.captions[0].startswith("forward pass done") and st.captions[1].startswith("node 'o' (op 'tanh')")
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    # Projector size: 20 px for the controls and the caption, 14 pt (18.7 px) in the drawing.
    assert "font-size: 20px" in page and 'font-size="14.00"' in page and "font-size=\"8.00\"" not in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # frames' SVG ids made unique


def test_inline_html_for_jupyter_is_scoped_to_its_own_element():
    st = step_through(neuron()[0])
    one, two = st._repr_html_(), st._repr_html_()
    uid = re.search(r'<div class="mg-step" id="([^"]+)"', one).group(1)
    assert uid != re.search(r'<div class="mg-step" id="([^"]+)"', two).group(1)
    assert f'document.getElementById("{uid}"), false)' in one  # keys listened to on the widget, not the page
    assert "<style>" in one and "<html" not in one


def test_the_graph_must_not_have_been_freed():
    mg.manual_seed(0)
    x = mg.randn(3, requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"step_through: the graph was freed"):
        step_through(loss)

"""backprop_frames and save_frames: one frame per backward step, written as SVGs or one HTML page."""

import html
import re
import shutil

import numpy as np
import pytest

import minigrad as mg
from minigrad import Value, nn
from minigrad.autograd import topological_order
from viz.frames import backprop_frames, save_frames
from viz.graph import HIGHLIGHT_COLOR
from viz.graph.labels import format_number
from tests.viz.neuron import LEAVES, neuron

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program 'dot' is not installed")



def box(frame, name):
    (line,) = re.findall(rf"^\t+{name} \[.*$", frame.source, re.M)
    return line


def caption(frame):
    assert html.escape(frame.caption, quote=False) in frame.graph_attr["label"]  # drawn in the picture too
    return frame.caption


def mlp(seed=0):
    mg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    x = mg.randn(6, 3)
    return model, (model(x) ** 2).mean()


# --------------------------------------------------------------------------- Value frames

def test_one_frame_per_non_leaf_node_in_reverse_topological_order():
    o, _ = neuron()
    frames = backprop_frames(o)
    order = topological_order(o)
    steps = [i for i in reversed(range(len(order))) if order[i].parents]
    assert len(frames) == len(steps) + 1 == 6
    assert caption(frames[0]).startswith("Step 1 of 6: forward pass done")
    for k, i in enumerate(steps, 1):
        name = order[i].label or f"n{i}"
        assert caption(frames[k]).startswith(f"Step {k + 1} of 6: node '{name}' (op '{order[i].op}')")
    assert caption(frames[1]).startswith("Step 2 of 6: node 'o' (op 'tanh'): dL/do = 1; sends 0.5 × 1 = 0.5")
    assert "sends 1 × 0.5 = 0.5 to 'n6'; 1 × 0.5 = 0.5 to 'b'" in caption(frames[2])


def test_first_frame_knows_only_the_root_gradient():
    o, _ = neuron()
    first = backprop_frames(o)[0]
    n = len(topological_order(o))
    assert "grad 1<" in box(first, f"n{n - 1}")
    assert first.source.count("grad ?") == n - 1
    assert HIGHLIGHT_COLOR not in first.source


def test_the_current_node_is_highlighted_and_its_edges_carry_local_derivatives():
    o, _ = neuron()
    frames = backprop_frames(o)
    last = frames[-1]  # the step of x1*w1 (node n2): sends w1 * 0.5 to x1 and x1 * 0.5 to w1
    assert caption(last).startswith("Step 6 of 6: node 'n2' (op '*')")
    assert HIGHLIGHT_COLOR in box(last, "n2") and HIGHLIGHT_COLOR in box(last, "o2")
    assert last.source.count(f'BGCOLOR="{HIGHLIGHT_COLOR}"') == 2  # the box and the legend swatch
    assert re.search(r'n0 -> o2 \[label="local -3\\nsends -1\.5"', last.source)
    assert re.search(r'n1 -> o2 \[label="local 2\\nsends 1"', last.source)
    assert "label=" not in re.search(r"^\tn6 -> o8.*$", last.source, re.M).group(0)  # an earlier step's edge


def test_gradients_at_the_end_equal_backward_and_user_grads_are_untouched():
    o, nodes = neuron()
    leaves = [nodes[name] for name in LEAVES]
    frames = backprop_frames(o)
    assert all(v.grad == 0.0 for v in topological_order(o))  # frames compute their own gradients
    ref, ref_nodes = neuron(backward=True)
    ref_leaves = [ref_nodes[name] for name in LEAVES]
    at = {id(node): f"n{i}" for i, node in enumerate(topological_order(o))}
    for leaf, done in zip(leaves, ref_leaves):
        assert f"grad {format_number(done.grad)}</TD>" in box(frames[-1], at[id(leaf)])
    # After a real backward, drawing frames leaves the stored gradients alone.
    o.backward()
    before = [v.grad for v in topological_order(o)]
    backprop_frames(o)
    assert [v.grad for v in topological_order(o)] == before


def test_a_node_used_twice_accumulates_its_gradient_over_two_steps():
    a = Value(3.0, label="a")
    sq = a * a
    sq.label = "sq"
    out = sq + a
    out.label = "out"
    frames = backprop_frames(out)
    assert len(frames) == 3
    assert "grad 1 (so far)" in box(frames[1], "n0")  # from out = sq + a only
    assert "grad 7</TD>" in box(frames[2], "n0")  # + 2a from sq = a*a: 1 + 6
    assert re.search(r'n0 -> o1 \[label="local 3\\nsends 3"', frames[2].source)


def test_bad_root_is_a_type_error():
    with pytest.raises(TypeError, match="backprop_frames"):
        backprop_frames(np.float64(1.0))


# --------------------------------------------------------------------------- Tensor frames

def test_tensor_frames_end_with_the_gradients_of_backward():
    model, loss = mlp()
    frames = backprop_frames(loss)
    order = topological_order(loss)
    assert len(frames) == 1 + sum(1 for t in order if t.parents)
    assert all(p.grad is None for p in model.parameters())
    ref_model, ref_loss = mlp()
    ref_loss.backward()
    at = {id(t): f"n{i}" for i, t in enumerate(order)}
    for p, q in zip(model.parameters(), ref_model.parameters()):
        g = q.grad.data.astype(np.float64)
        text = f"grad {format_number(g.item())}" if g.size == 1 else f"grad norm {np.linalg.norm(g):.4g}"
        assert text in box(frames[-1], at[id(p)])
    # Captions follow reverse topological order and describe tensors by shape and norm.
    assert caption(frames[1]).startswith(f"Step 2 of {len(frames)}: node 'n{len(order) - 1}' (op 'mean')")
    assert "sends a (6, 1) tensor of norm" in caption(frames[1])
    assert re.search(r'label="sends norm [\d.e+-]+\\n\(6, 1\)"', frames[1].source)


def test_tensor_frames_leave_stored_gradients_alone():
    model, loss = mlp()
    loss.backward(retain_graph=True)
    stored = [p.grad for p in model.parameters()]
    values = [g.numpy().copy() for g in stored]
    backprop_frames(loss)
    for p, g, v in zip(model.parameters(), stored, values):
        assert p.grad is g and np.array_equal(g.numpy(), v)
    assert all(t.grad is None for t in topological_order(loss) if t.parents)


def test_a_freed_graph_is_a_clear_error():
    _, loss = mlp()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"freed.*retain_graph=True"):
        backprop_frames(loss)


# --------------------------------------------------------------------------- save_frames

def test_save_frames_needs_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        save_frames(backprop_frames(neuron()[0]), tmp_path / "frames")
    assert not (tmp_path / "frames").exists()
    with pytest.raises(ValueError, match="no frames"):
        save_frames([], tmp_path / "x.html")


@needs_dot
def test_save_frames_writes_numbered_svgs(tmp_path):
    frames = backprop_frames(neuron()[0])
    paths = save_frames(frames, tmp_path / "steps")
    assert [p.name for p in paths] == [f"frame_{k:03d}.svg" for k in range(1, 7)]
    assert sorted(p.name for p in (tmp_path / "steps").iterdir()) == [p.name for p in paths]
    for path, frame in zip(paths, frames):
        svg = path.read_text(encoding="utf-8")
        assert "<svg" in svg and svg.rstrip().endswith("</svg>")
        assert caption(frame).split(":")[0] in svg  # "Step k of N" is drawn in the picture


@needs_dot
def test_save_frames_writes_one_self_contained_html_page(tmp_path):
    frames = backprop_frames(neuron()[0])
    path = save_frames(frames, tmp_path / "backprop.html")
    assert path == tmp_path / "backprop.html" and [p.name for p in tmp_path.iterdir()] == ["backprop.html"]
    page = path.read_text(encoding="utf-8")
    assert page.count("<svg") == len(frames) and "<?xml" not in page
    assert re.search(r'<input class="mg-slider" type="range" min="1" max="6"', page)
    assert 'class="mg-prev"' in page and 'class="mg-next"' in page and "ArrowRight" in page
    # "Step k of N" once, in the counter; the captions carry no number of their own.
    assert "Step 1 of 6" in page and "Step " not in page.replace("Step 1 of 6", "").replace('"Step "', "")
    assert "node 'n2' (op '*')" in page and "forward pass done" in page
    assert "<script src" not in page and "<link" not in page and "http" not in page.split("<svg")[0]


def test_the_course_neuron_names_every_box():
    # The demo's and the walkthrough's neuron: every drawn box and caption uses a name
    # from the formula, never an id such as n6.
    from minigrad.course.walkthrough import neuron as course_neuron
    from viz.graph import draw_graph

    o = course_neuron()
    frames = backprop_frames(o)
    text = draw_graph(o).source + " ".join(caption(f) for f in frames)
    assert not re.search(r"\bn\d+<|'n\d+'", text)
    assert "sends 1 × 0.5 = 0.5 to 'x1*w1 + x2*w2'; 1 × 0.5 = 0.5 to 'b'" in caption(frames[2])

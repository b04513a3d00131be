"""draw_graph and save, checked from the DOT source they produce."""

import math
import re
import shutil

import graphviz
import numpy as np
import pytest

import minigrad as mg
from minigrad import Value, nn
from minigrad.autograd import topological_order
from viz.graph import NAN_COLOR, ROLE_COLORS, UNKNOWN_GRAD_COLOR, ZERO_GRAD_COLOR, draw_graph, save
from viz.graph.labels import format_number
from tests.viz.neuron import neuron

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program 'dot' is not installed")


# --------------------------------------------------------------------------- helpers


def ids(root):
    """Node object -> its documented DOT id (n<i> in topological order)."""
    return {id(node): f"n{i}" for i, node in enumerate(topological_order(root))}


def declared(src):
    """Ids of the boxes (n), op ovals (o) and folded boxes (f) declared in ``src``."""
    return re.findall(r"^\t+([nof]\d+) \[", src, re.M)


def edges(src):
    return re.findall(r"^\t+(\w+) -> (\w+)", src, re.M)


def line_of(src, name):
    """The statement declaring node ``name``."""
    (line,) = re.findall(rf"^\t+{name} \[.*$", src, re.M)
    return line


def edge_line(src, a, b):
    (line,) = re.findall(rf"^\t+{a} -> {b}\b.*$", src, re.M)
    return line


def cluster_block(src, scope):
    """The text of one cluster subgraph, up to its closing brace."""
    name = f"cluster_{scope}"
    header = re.search(rf'^(\t+)subgraph ("{re.escape(name)}"|{re.escape(name)}) {{$', src, re.M)
    assert header, f"no cluster for scope {scope!r}"
    end = src.index(f"\n{header.group(1)}}}", header.end())
    return src[header.start():end]


def mlp_graph():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = mg.randn(5, 3)
    x.label = "x"
    half = mg.tensor(0.5)  # an unlabelled number: a constant
    loss = (model(x) ** 2).mean() * half
    loss.backward()
    return model, x, half, loss


# --------------------------------------------------------------------------- Value graphs

def test_value_boxes_show_data_and_grad_with_four_significant_digits():
    o, v = neuron(backward=True)
    src = draw_graph(o).source
    at = ids(o)
    x1 = line_of(src, at[id(v["x1"])])
    assert "<B>x1</B>" in x1 and "data 2<" in x1 and "grad -1.5<" in x1
    assert "data -3<" in line_of(src, at[id(v["w1"])]) and "grad 1<" in line_of(src, at[id(v["w1"])])
    assert "data 0.8814" in line_of(src, at[id(v["n"])]) and "grad 0.5<" in line_of(src, at[id(v["n"])])
    root = line_of(src, at[id(o)])
    assert "data 0.7071" in root and "grad 1<" in root


@pytest.mark.parametrize("x, text", [(3.5e-05, "3.5e-05"), (-0.00012345678, "-0.0001235"), (0.0, "0"),
                                     (123456.0, "1.235e+05"), (0.70710678, "0.7071"), (-2.0, "-2"),
                                     (math.inf, "inf"), (math.nan, "nan")])
def test_numbers_keep_significant_digits(x, text):
    from viz.graph.labels import format_number

    assert format_number(x) == text
    a = Value(1.0, label="a")
    out = a * x if math.isfinite(x) else a + 0.0
    out.backward()
    if math.isfinite(x):
        assert f"grad {text}<" in line_of(draw_graph(out).source, "n0")  # never a rounded 0.0000


def test_value_graph_has_an_op_oval_per_result_and_every_edge():
    o, _ = neuron(backward=True)
    src = draw_graph(o).source
    nodes = topological_order(o)
    ovals = [n for n in declared(src) if n.startswith("o")]
    assert len(declared(src)) == len(nodes) + 5 and len(ovals) == 5
    assert sorted(re.findall(r"^\to\d+ \[label=\"?([^\" ]+)\"? ", src, re.M)) == ["*", "*", "+", "+", "tanh"]
    expected = []
    for i, node in enumerate(nodes):
        if node.parents:
            expected.append((f"o{i}", f"n{i}"))
            expected += [(f"n{nodes.index(p)}", f"o{i}") for p in node.parents]
    assert sorted(edges(src)) == sorted(expected) and len(expected) == 14


def test_dot_source_is_deterministic():
    # Two separate graphs built the same way: ids come from topological order, not id().
    assert draw_graph(neuron(backward=True)[0]).source == draw_graph(neuron(backward=True)[0]).source
    *_, loss = mlp_graph()
    assert draw_graph(loss).source == draw_graph(mlp_graph()[-1]).source


def test_show_data_and_show_grad_can_be_turned_off():
    o, _ = neuron(backward=True)
    src = draw_graph(o, show_data=False, show_grad=False).source
    assert "data " not in src and "grad " not in src and "<B>x1</B>" in src
    assert ZERO_GRAD_COLOR not in src  # no gradient colouring without gradients shown


def test_rankdir_passes_through_and_is_checked():
    o, _ = neuron(backward=True)
    assert "rankdir=TB" in draw_graph(o, rankdir="TB").source
    assert "rankdir=LR" in draw_graph(o).source
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(o, rankdir="sideways")


@pytest.mark.parametrize("root", [3.0, np.ones(3), [Value(1.0)]])
def test_root_must_be_a_value_or_a_tensor(root):
    with pytest.raises(TypeError, match="Value or Tensor"):
        draw_graph(root)


def test_zero_gradient_edges_are_grey_and_others_coloured():
    o, v = neuron(backward=True)  # x2 = 0, so dL/dw2 = x2 * dL/d(x2*w2) = 0
    src = draw_graph(o).source
    at = ids(o)
    into = [b for a, b in edges(src) if a == at[id(v["w2"])]]
    assert len(into) == 1
    assert f'color="{ZERO_GRAD_COLOR}"' in edge_line(src, at[id(v["w2"])], into[0])
    assert src.count(ZERO_GRAD_COLOR) == 2  # that edge and the legend entry
    assert UNKNOWN_GRAD_COLOR not in src  # every Value gradient is known after backward
    # Before backward there are no gradients: nothing is grey, nothing coloured.
    fresh, _ = neuron(backward=False)
    plain = draw_graph(fresh).source
    assert ZERO_GRAD_COLOR not in plain and "penwidth" not in plain


def test_the_legend_calls_an_edge_grey_only_when_its_gradient_is_exactly_zero():
    a = Value(1.0, label="a")
    tiny = a * 1e-300  # a gradient of 1e-300 is small, not zero
    tiny.backward()
    src = draw_graph(tiny).source
    assert ZERO_GRAD_COLOR not in src and "exactly 0" not in src
    assert "grad 1e-300<" in line_of(src, "n0")
    o, _ = neuron(backward=True)  # dL/dw2 = x2 * ... = 0 exactly
    legend = draw_graph(o).source.split("\n")[1]
    assert "gradient exactly 0" in legend and ZERO_GRAD_COLOR in legend


def test_legend_can_be_turned_off_and_is_two_lines_at_most():
    *_, loss = mlp_graph()
    on, off = draw_graph(loss).source, draw_graph(loss, legend=False).source
    assert "loss / output" in on and "loss / output" not in off and "label=<" not in off.split("\n")[1]
    assert on.split("\n")[1].count("<TR>") == 2
    assert on.split("\n", 2)[2] == off.split("\n", 2)[2]  # the drawing itself is the same


def test_operands_of_non_commutative_ops_are_told_apart():
    x, y = Value(5.0, label="x"), Value(2.0, label="y")
    for op, sides in ((lambda p, q: p - q, ("lhs", "rhs")), (lambda p, q: p / q, ("lhs", "rhs")),
                      (lambda p, q: p ** q, ("base", "exp"))):
        src = draw_graph(op(x, y)).source
        assert f"headlabel={sides[0]}" in edge_line(src, "n0", "o2")
        assert f"headlabel={sides[1]}" in edge_line(src, "n1", "o2")
    assert "headlabel" not in draw_graph(x * y + x).source  # + and * need no sides
    a, b = mg.randn(2, 3, requires_grad=True), mg.randn(3, 2, requires_grad=True)
    src = draw_graph(a @ b).source
    assert "headlabel=lhs" in edge_line(src, "n0", "o2") and "headlabel=rhs" in edge_line(src, "n1", "o2")


def test_edges_thicken_and_redden_with_the_gradient():
    a, b = Value(1.0, label="a"), Value(1.0, label="b")
    out = a * 1e-4 + b * 10.0
    out.backward()
    src = draw_graph(out).source
    at = ids(out)

    def style(node):
        (dst,) = [d for s, d in edges(src) if s == at[id(node)]]
        line = edge_line(src, at[id(node)], dst)
        return float(re.search(r"penwidth=([\d.]+)", line).group(1)), re.search(r'color="(#\w+)"', line).group(1)

    (thin, pale), (thick, strong) = style(a), style(b)
    assert thin < thick
    assert int(pale[1:3], 16) < int(strong[1:3], 16)  # more red for the large gradient


# --------------------------------------------------------------------------- Tensor graphs

def test_tensor_graph_clusters_are_named_after_layer_type_and_shape():
    model, x, _, loss = mlp_graph()
    src = draw_graph(loss).source
    first, act, second = cluster_block(src, "0"), cluster_block(src, "1"), cluster_block(src, "2")
    assert 'label="Linear(3→4)"' in first and 'tooltip="0: Linear(3→4), 16 parameters"' in first
    assert 'label="Linear(4→2)"' in second and "10 parameters" in second
    assert "label=Tanh " in act and "parameters" not in act
    at = ids(loss)
    for name, param in model.named_parameters():
        block = first if name.startswith("0.") else second
        assert f"\t{at[id(param)]} [" in block
    assert f"\t{at[id(x)]} [" not in first  # the input lives outside the modules
    plain = draw_graph(loss, cluster_by_scope=False).source
    assert "cluster" not in plain and "loss / output" in plain


def test_nested_scopes_give_nested_clusters():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))

        def forward(self, x):
            return self.layers(x).sum()

    mg.manual_seed(1)
    loss = Net()(mg.randn(4, 2))
    src = draw_graph(loss).source
    outer = cluster_block(src, "layers")
    assert 'label=Sequential ' in outer and "13 parameters" in outer
    inner = cluster_block(src, "layers.0")
    assert inner in outer and 'label="Linear(2→3)"' in inner and "9 parameters" in inner
    assert cluster_block(src, "layers.2") in outer


def test_roles_are_coloured_and_explained_in_a_legend():
    model, x, half, loss = mlp_graph()
    src = draw_graph(loss).source
    at = ids(loss)

    def fill(node):
        return re.search(r'BGCOLOR="(#\w+)"', line_of(src, at[id(node)])).group(1)

    assert fill(model[0].weight) == fill(model[2].bias) == ROLE_COLORS["parameter"]
    assert fill(x) == ROLE_COLORS["input"]
    assert fill(half) == ROLE_COLORS["constant"]
    assert fill(loss) == ROLE_COLORS["loss"]
    assert fill(loss.parents[0]) == ROLE_COLORS["intermediate"]
    assert len(set(ROLE_COLORS.values())) == 5
    legend = src.split("\n")[1]  # the graph's label: a table, not a subgraph laid out with the nodes
    assert legend.startswith("\tgraph [") and "legend" not in re.sub(r"label=<.*?>>", "", legend)
    assert src.count("subgraph") == 3  # the three layers' clusters, nothing else
    for role in ("input", "parameter", "constant", "intermediate", "loss / output"):
        assert f">{role}  " in legend
    # Only what is drawn is explained: no gradient here is exactly zero, so no grey entry.
    assert "exactly 0" not in legend and "not known" in legend and "folded" not in legend


def test_tensor_boxes_show_shape_dtype_and_statistics():
    model, *_, loss = mlp_graph()
    src = draw_graph(loss).source
    at = ids(loss)
    w = model[0].weight
    box = line_of(src, at[id(w)])
    d = w.data.astype(np.float64)
    g = w.grad.data.astype(np.float64)
    assert "(4, 3)  float32" in box
    assert f"mean {d.mean():.4g}  std {d.std():.4g}  norm {np.linalg.norm(d):.4g}" in box
    assert f"grad norm {np.linalg.norm(g):.4g}" in box
    assert f"data {format_number(loss.item())}<" in line_of(src, at[id(loss)]) and "scalar  float32" in src
    # Intermediate tensors keep no gradient: no grad row, their edges drawn as unknown.
    assert "grad" not in line_of(src, at[id(loss.parents[0])])
    assert f'color="{UNKNOWN_GRAD_COLOR}"' in src


def test_nan_and_inf_get_a_red_badge_and_border():
    x = mg.tensor([1.0, float("nan"), 2.0], requires_grad=True)
    x.label = "x"
    y = mg.tensor([1.0, float("inf"), 0.0])
    y.label = "y"
    loss = (x * 2.0 + y).sum()
    loss.backward()
    src = draw_graph(loss).source
    at = ids(loss)
    bad = line_of(src, at[id(x)])
    assert f'<FONT COLOR="{NAN_COLOR}"><B>NaN in data</B></FONT>' in bad
    assert f'COLOR="{NAN_COLOR}"' in bad.split("<TR>")[0]  # the box's border
    assert "Inf in data" in line_of(src, at[id(y)])
    assert "NaN in data" in line_of(src, at[id(loss)])  # NaN propagates to the sum
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    w.label = "w"
    fine = (w * 3.0).sum()
    fine.backward()
    assert "NaN" not in line_of(draw_graph(fine).source, ids(fine)[id(w)])


def test_nan_gradients_give_red_dashed_edges():
    a = Value(1.0, label="a")
    out = a * 2.0
    out.backward()
    a.grad = math.nan
    src = draw_graph(out).source
    line = edge_line(src, ids(out)[id(a)], f"o{len(topological_order(out)) - 1}")
    assert f'color="{NAN_COLOR}"' in line and "dashed" in line
    assert "NaN in grad" in src


# --------------------------------------------------------------------------- folding

def deep_mlp(depth=50, width=16):
    mg.manual_seed(0)
    layers = [nn.Linear(4, width), nn.Tanh()]
    for _ in range(depth - 2):
        layers += [nn.Linear(width, width), nn.Tanh()]
    layers.append(nn.Linear(width, 1))
    loss = nn.Sequential(*layers)(mg.randn(8, 4)).mean()
    loss.backward()
    return loss


def test_max_nodes_folds_repeated_layers_of_a_50_layer_mlp():
    loss = deep_mlp()
    full = draw_graph(loss).source
    assert len(declared(full)) > 250
    src = draw_graph(loss, max_nodes=60).source
    nodes = declared(src)
    assert len(nodes) < 60
    order = topological_order(loss)
    linear_ops = " · ".join(t.op for t in order if t.scope == "2" and t.parents)
    fold = line_of(src, "f0")
    assert "×48" in fold and f"{linear_ops} → tanh" in fold and "layers 2 … 97" in fold and "scopes" not in fold
    assert "272 params each" in fold
    # Edges are kept at the run's boundaries and never point at a folded-away node.
    assert {a for a, b in edges(src)} | {b for a, b in edges(src)} <= set(nodes)
    (tanh1,) = [f"n{i}" for i, t in enumerate(order) if t.scope == "1"]
    assert [a for a, b in edges(src) if b == "f0"] == [tanh1]  # the Tanh of scope 1 feeds the run
    (out,) = [b for a, b in edges(src) if a == "f0"]
    assert out.startswith("o") and 'label="Linear(16→1)"' in src and "17 parameters" in src
    assert "repeated structure folded" in src and "×N folded repeats" in src.split("\n")[1]


def test_folding_happens_only_when_needed():
    loss = deep_mlp(depth=3)
    assert draw_graph(loss, max_nodes=1000).source == draw_graph(loss).source
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(loss, max_nodes=0)


def test_a_long_value_chain_folds_into_one_box():
    x = Value(0.5, label="x")
    y = x
    for _ in range(100):
        y = y * 0.99
    src = draw_graph(y, max_nodes=20).source
    nodes = declared(src)
    assert len(nodes) < 20
    fold = line_of(src, "f0")
    assert "×99" in fold and "(+1 constant each)" in fold
    assert f"data {format_number(0.5 * 0.99)} → {format_number(0.5 * 0.99 ** 99)}" in fold
    assert ("n0", "f0") in edges(src)
    assert ("f0", "o200") in edges(src) and ("o200", "n200") in edges(src)  # the root stays visible


def test_chain_of_a_repeating_pair_of_ops_folds():
    x = Value(0.3, label="x")
    y = x
    for _ in range(30):
        y = (y * 1.5).tanh()
    src = draw_graph(y, max_nodes=15).source
    assert len(declared(src)) < 15
    assert "* → tanh" in src or "tanh → *" in src


# --------------------------------------------------------------------------- save

def no_graphviz(monkeypatch):
    """Pretend the Graphviz program is not installed."""
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)

    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)


def test_save_dot_needs_no_graphviz_and_other_formats_explain_how_to_install(tmp_path, monkeypatch):
    no_graphviz(monkeypatch)
    dot = draw_graph(neuron(backward=True)[0])
    path = save(dot, tmp_path / "neuron.dot")
    assert path == tmp_path / "neuron.dot"
    assert path.read_text(encoding="utf-8") == dot.source
    assert save(dot, str(tmp_path / "sub" / "n.gv")).read_text(encoding="utf-8") == dot.source
    with pytest.raises(RuntimeError) as err:
        save(dot, tmp_path / "neuron.svg")
    message = str(err.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message and ".dot" in message
    assert not (tmp_path / "neuron.svg").exists()


def test_save_reports_a_missing_binary_found_only_when_running_it(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: str(tmp_path / "gone" / "dot"))
    with pytest.raises(RuntimeError, match="install"):
        save(draw_graph(neuron(backward=True)[0]), tmp_path / "g.png")


def test_save_rejects_unknown_suffixes_and_non_graphs(tmp_path):
    dot = draw_graph(neuron(backward=True)[0])
    with pytest.raises(ValueError, match=r"\.svg.*\.pdf"):
        save(dot, tmp_path / "graph.jpg")
    with pytest.raises(ValueError, match="suffix"):
        save(dot, tmp_path / "graph")
    with pytest.raises(TypeError, match="Digraph"):
        save("digraph {}", tmp_path / "graph.dot")


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_save_renders_to_exactly_the_given_path(tmp_path, suffix, magic):
    path = save(draw_graph(mlp_graph()[-1]), tmp_path / f"mlp{suffix}")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"mlp{suffix}"]
    content = path.read_bytes()
    assert magic in content[:400]
    if suffix == ".svg":
        assert content.rstrip().endswith(b"</svg>") and "Linear(3→4)".encode() in content


# --------------------------------------------------------------------------- untrusted text and budgets

EVIL = '<<TABLE><TR><TD><IMG SRC="/etc/hostname.png"/></TD></TR></TABLE>>'


def evil_graph():
    """A tensor graph whose module scope, label and op text all look like HTML-like labels."""
    x = mg.randn(3, 2, requires_grad=True)
    x.label = EVIL
    y = (x * 2.0).sum()
    for t in (x, y):
        t.scope = EVIL + '"quote\\'
    y.label = "n" * 100_000
    return y


def test_every_string_reaching_graphviz_is_escaped_and_shortened():
    from viz.graph.labels import MAX_LABEL_CHARS

    src = draw_graph(evil_graph()).source
    # Markup survives only inside double-quoted (plain text) attributes, never in an HTML-like <...> value.
    outside_quotes = re.sub(r'"(?:[^"\\]|\\.)*"', '""', src)
    assert "<IMG" in src and "<IMG" not in outside_quotes
    assert "&lt;IMG" in src  # the box label shows the text, escaped
    assert "n" * (MAX_LABEL_CHARS + 1) not in src and "…" in src
    assert "cluster__0" in src and "subgraph cluster_<" not in src  # the scope never becomes an identifier
    title = re.search(r'label="(<<TABLE[^"]*)"', src)
    assert title, "the cluster title is a quoted plain string"


@needs_dot
def test_a_malicious_scope_cannot_pull_an_image_into_the_svg(tmp_path):
    svg = save(draw_graph(evil_graph()), tmp_path / "evil.svg").read_text(encoding="utf-8")
    assert "<image" not in svg and "hostname.png" not in svg.replace("&lt;IMG SRC=&quot;/etc/hostname.png", "")
    assert "xlink:href=\"/" not in svg
    assert "&lt;&lt;TABLE&gt;" in svg  # the title is shown as text


def reused_sum(n):
    from minigrad.course.expression import parse_expression

    root, _ = parse_expression("+".join(["a"] * n), {"a": 1.0})
    root.backward()
    return root


def test_a_leaf_used_by_many_ops_is_drawn_once_per_use():
    src = draw_graph(reused_sum(100)).source
    copies = re.findall(r"^\t(n0(?:_\d+)?) \[", src, re.M)
    assert sorted(copies) == sorted(["n0"] + [f"n0_{k}" for k in range(1, 99)])  # a feeds 99 ops
    sources = [a for a, b in edges(src) if a.startswith("n0")]
    assert len(sources) == 100 and set(sources) == set(copies)  # 100 uses, every copy drawn with an edge
    assert "pack" not in src
    small = draw_graph(reused_sum(5)).source  # a few uses stay one shared node: accumulation is the lesson
    assert "n0_1" not in small and sum(a == "n0" for a, b in edges(small)) == 5


_RENDER_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from minigrad.course.expression import parse_expression
from viz.graph import draw_graph, save
root, _ = parse_expression("+".join(["a"] * {n}), {{"a": 1.0}})
root.backward()
save(draw_graph(root, max_nodes={max_nodes}), {path!r})
"""


@needs_dot
@pytest.mark.parametrize("n, max_nodes", [(100, None), (1000, 300)])
def test_one_variable_used_many_times_renders_within_seconds(tmp_path, n, max_nodes):
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "sum.svg"
    script = _RENDER_SCRIPT.format(root=str(Path(__file__).resolve().parents[2]), n=n, max_nodes=max_nodes,
                                   path=str(path))
    # dot ran for minutes (100 uses) or crashed (1,000) on one node with every use as an edge.
    subprocess.run([sys.executable, "-c", script], check=True, timeout=20)
    svg = path.read_text(encoding="utf-8")
    assert svg.rstrip().endswith("</svg>")
    if max_nodes is None:
        assert svg.count('class="node"') == 100 + 99 + 98  # a once per use, 99 sums, 99 ovals
    else:
        assert "×997" in svg and "with a each time" in svg  # all but the first sum and the root


def test_small_graphs_are_not_packed():
    assert "pack" not in draw_graph(neuron(backward=True)[0]).source


def test_rendering_refuses_too_many_nodes_and_stops_a_slow_dot(tmp_path, monkeypatch):
    import subprocess
    import sys

    from viz.graph.save import count_nodes, render_bytes

    save_module = sys.modules["viz.graph.save"]  # the package re-exports the function under the same name

    dot = draw_graph(neuron(backward=True)[0])
    n = count_nodes(dot)
    assert n == len(declared(dot.source))  # every box and oval (the legend is the graph's label)
    with pytest.raises(RuntimeError, match=rf"has {n} nodes, more than the 3 Graphviz renders here"):
        render_bytes(dot, "svg", max_nodes=3)
    monkeypatch.setattr(save_module.shutil, "which", lambda name, *a, **k: "/usr/bin/dot")

    def slow(*args, timeout=None, **kwargs):
        raise subprocess.TimeoutExpired(args[0], timeout)

    monkeypatch.setattr(save_module.subprocess, "run", slow)
    with pytest.raises(RuntimeError, match=r"did not finish rendering .* within 0.5 s"):
        render_bytes(dot, "svg", timeout=0.5)
    assert not (tmp_path / "g.svg").exists()


def test_unlabelled_layer_outputs_are_named_by_their_layer_not_by_an_id():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 1))
    loss = (model(mg.randn(3, 2)) ** 2).mean()
    loss.backward(retain_graph=True)
    src = draw_graph(loss).source
    order = topological_order(loss)
    box = {t.scope: line_of(src, f"n{i}") for i, t in enumerate(order) if t.parents and t.scope}
    assert ">Linear(2→4) output<" in box["0"] and ">Linear(4→1) output<" in box["4"]
    # Two Tanh layers: told apart by their path.
    assert ">Tanh output, layer 1<" in box["1"] and ">Tanh output, layer 3<" in box["3"]
    # Parameters: their layer and attribute; two layers of one kind told apart by path.
    params = {(t.scope, t.attr_name): line_of(src, f"n{i}") for i, t in enumerate(order)
              if isinstance(t, nn.Parameter)}
    assert ">Linear(2→4).weight<" in params[("0", "weight")] and ">Linear(4→1).bias<" in params[("4", "bias")]
    twin = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    twin_src = draw_graph(twin(mg.randn(2, 3)).sum()).source
    assert ">Linear(3→3).weight, layer 0<" in twin_src and ">Linear(3→3).bias, layer 1<" in twin_src
    # Values computed outside any module keep their id (muted), as before.
    (square,) = [i for i, t in enumerate(order) if t.op == "pow"]
    assert f">n{square}</FONT>" in line_of(src, f"n{square}")
    # The backprop captions use the same names.
    from viz.frames import backprop_frames
    captions = " ".join(f.graph_attr.get("label", "") for f in backprop_frames(loss))
    assert "node 'Tanh output, layer 3' (op 'tanh')" in captions

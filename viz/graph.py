"""Computation graphs as Graphviz diagrams: :func:`draw_graph` and :func:`save`.

A graph is drawn the way micrograd's ``draw_dot`` draws it -- one box per value
and one small oval per operation -- so that backpropagation (Rumelhart,
Hinton & Williams 1986) can be followed by eye: every box shows its value
and dC/d(value), every arrow runs from an operand into the op that used it.

What ``draw_graph`` adds for real networks:

* **roles** -- each value box is coloured by what it is (legend included):

  ============  ==============================================================
  loss          the root of the graph (the output the gradient starts from)
  parameter     an ``nn.Parameter`` (learned by the optimizer)
  input         any other leaf that requires a gradient, a labelled leaf, or a
                leaf with more than one element (the data fed to the network)
  constant      an unlabelled single number that entered an expression
                (the ``2.0`` of ``x * 2.0``); label a leaf to call it an input
  intermediate  everything an op computed on the way to the root
  ============  ==============================================================

* **tensors** show label, shape, dtype and summary statistics (mean, std and
  norm of the data; norm and mean |g| of the gradient when there is one);
* **gradient flow on the edges** -- an edge is coloured and thickened by
  log10 of the mean |gradient| of the value it carries, from pale and thin
  (1e-6, vanishing) to red and thick (1e2, exploding); zero gradients are grey,
  NaN/Inf ones red and dashed, and a box holding NaN or Inf gets a red border
  and a red badge;
* **clusters per module** -- tensors computed inside a module carry its path in
  ``.scope`` ("layers.2"); each scope becomes a box titled with the path and the
  number of parameters under it, nested as the modules are;
* **folding** -- with ``max_nodes``, repeated structure is collapsed into
  "×N" boxes until the drawing fits (see :func:`draw_graph`).

Node ids are ``n0, n1, ...`` in topological order (``o<i>`` for op ovals, ``f<k>``
for folded boxes), never ``id()``, so drawing the same graph twice gives the same
DOT source.
"""

from __future__ import annotations

import html
import math
import shutil
from pathlib import Path

import graphviz
import numpy as np

from minigrad.autograd import topological_order
from minigrad.backend import to_device
from minigrad.nn.module import Parameter
from minigrad.scalar import Value
from minigrad.tensor import Tensor

__all__ = [
    "draw_graph", "save", "render_bytes", "SUPPORTED_SUFFIXES",
    "ROLE_COLORS", "FOLD_COLOR", "HIGHLIGHT_COLOR", "NAN_COLOR", "ZERO_GRAD_COLOR", "UNKNOWN_GRAD_COLOR",
]

# Box fill per role (see the module docstring); the legend lists them in this order.
ROLE_COLORS = {
    "input": "#d0ebff",
    "parameter": "#d3f9d8",
    "constant": "#e9ecef",
    "intermediate": "#ffffff",
    "loss": "#ffd8a8",
}
ROLE_NAMES = {"loss": "loss / output"}
FOLD_COLOR = "#e5dbff"
HIGHLIGHT_COLOR = "#ffe066"      # the node being processed in a backprop frame
HIGHLIGHT_BORDER = "#f08c00"
NAN_COLOR = "#e03131"            # NaN/Inf badges, borders and edges
ZERO_GRAD_COLOR = "#adb5bd"      # edges whose gradient is exactly zero
UNKNOWN_GRAD_COLOR = "#495057"   # edges whose gradient is not known (not computed, not retained)
BORDER_COLOR = "#343a40"
MUTED = "#868e96"

# Edge colour ramp over log10(mean |grad|): (log10, colour) stops.
_GRAD_STOPS = ((-6.0, "#c5dcef"), (-1.0, "#1c4e9c"), (2.0, "#c92a2a"))
_PEN_MIN, _PEN_MAX = 0.6, 4.0

SUPPORTED_SUFFIXES = (".dot", ".gv", ".svg", ".png", ".pdf")
_RANKDIRS = ("LR", "RL", "TB", "BT")


# --------------------------------------------------------------------------- public API

def draw_graph(root, rankdir="LR", show_data=True, show_grad=True, cluster_by_scope=True, max_nodes=None):
    """Draw the computation graph that produced ``root`` (a ``Value`` or a ``Tensor``).

    Parameters
    ----------
    root : Value or Tensor
        The output; every node it was computed from is drawn.
    rankdir : {"LR", "RL", "TB", "BT"}
        Graphviz layout direction (left to right by default).
    show_data, show_grad : bool
        Show values (scalars: ``data 2.0000``; tensors: mean, std, norm) and
        gradients (``grad -3.0000``; tensors: norm and mean |g|). Edges are
        coloured by gradient only when gradients are shown and exist: for a
        ``Value`` graph, when some gradient is non-zero; for a ``Tensor`` graph,
        wherever ``.grad`` is set (leaves, and non-leaves after ``retain_grad()``).
    cluster_by_scope : bool
        Group tensors computed inside a module into a box per module path.
    max_nodes : int or None
        When the drawing would have more boxes and ovals than this, fold
        repeated structure, biggest savings first, until it fits:

        1. *repeated blocks* -- the module scopes, ordered by when the forward
           pass finished them, are compared by signature (ops, shapes and
           internal wiring); a run of N consecutive identical blocks (one scope
           or a group of up to 8 scopes, e.g. Linear then Tanh) becomes one
           "×N" box, with the edges entering and leaving the run kept;
        2. *long chains* -- then (or when there are no scopes, e.g. a long
           ``Value`` chain) a chain of ops where each result feeds only the next
           op, repeating the same op (or a short cycle of ops), becomes a "×N" box
           that also swallows the unlabelled constants used only inside it.

        The root is never folded. A graph note says how many nodes were folded.

    Returns
    -------
    graphviz.Digraph
        Nothing is rendered or displayed; pass it to :func:`save` or show it in a
        notebook.
    """
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"draw_graph: max_nodes must be a positive integer or None, got {max_nodes!r}")
    graph = _Graph(root)
    grads = graph.user_grads() if show_grad else [None] * len(graph.nodes)
    folds = _plan_folds(graph, max_nodes)
    note = None
    if folds:
        before = graph.visible_count()
        after = before - sum(f.saved for f in folds)
        note = f"repeated structure folded: {before} → {after} nodes (max_nodes={max_nodes})"
    return _draw(
        graph, grads, rankdir=rankdir, show_data=show_data, show_grad=show_grad,
        cluster_by_scope=cluster_by_scope, folds=folds, caption=note,
        color_edges=show_grad and graph.has_grads(),
    )


def save(dot, path):
    """Write ``dot`` to exactly ``path``, in the format its suffix names; return the path.

    ``.dot`` / ``.gv`` write the DOT source (no Graphviz program needed);
    ``.svg``, ``.png`` and ``.pdf`` are rendered with the Graphviz ``dot`` program
    and raise a RuntimeError that explains how to install it when it is missing.
    Missing parent folders are created.
    """
    if not isinstance(dot, (graphviz.Digraph, graphviz.Graph)):
        raise TypeError(f"save: expected a graphviz.Digraph (from draw_graph), got {type(dot).__name__}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(
            f"save: cannot tell the format of {str(path)!r} from its suffix {suffix or '(none)'!r}; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if suffix in (".dot", ".gv"):
        content = dot.source.encode("utf-8")
    else:
        # pipe() instead of render(): render() appends its own suffixes to the file name.
        content = render_bytes(dot, suffix[1:])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def render_bytes(dot, fmt):
    """Render ``dot`` to ``fmt`` ("svg", "png", "pdf") with the Graphviz program; return the bytes."""
    if shutil.which("dot") is None:
        raise RuntimeError(_missing_graphviz(fmt))
    try:
        return dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(_missing_graphviz(fmt)) from None


def _missing_graphviz(fmt):
    return (
        f"rendering to .{fmt} needs the Graphviz program 'dot', which is not on PATH. "
        "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
        "(macOS), `conda install graphviz`, or see https://graphviz.org/download/. "
        "Saving to a .dot file works without it (render it later with `dot -Tsvg graph.dot -o graph.svg`)."
    )


# --------------------------------------------------------------------------- the graph

class _Graph:
    """The nodes reachable from ``root``, numbered in topological order, with roles and wiring."""

    def __init__(self, root, who="draw_graph"):
        if not isinstance(root, (Value, Tensor)):
            raise TypeError(
                f"{who} needs a minigrad Value or Tensor (the output of a computation), "
                f"got {type(root).__name__}"
            )
        self.root = root
        self.is_tensor = isinstance(root, Tensor)
        self.nodes = topological_order(root)  # iterative: deep graphs are fine
        self.root_index = len(self.nodes) - 1
        index = {id(n): i for i, n in enumerate(self.nodes)}
        self.parents = [tuple(index[id(p)] for p in n.parents) for n in self.nodes]
        # Distinct consumers of each node, in topological order.
        self.consumers = [[] for _ in self.nodes]
        for i, ps in enumerate(self.parents):
            for p in dict.fromkeys(ps):
                self.consumers[p].append(i)
        self.roles = [_role(n, i == self.root_index) for i, n in enumerate(self.nodes)]
        self.scopes = [getattr(n, "scope", "") or "" for n in self.nodes]

    def name(self, i):
        """What captions call node ``i``: its label, else its id."""
        return self.nodes[i].label or f"n{i}"

    def visible_count(self):
        """Boxes plus op ovals of the unfolded drawing."""
        return len(self.nodes) + sum(1 for ps in self.parents if ps)

    def user_grads(self):
        """The gradients stored on the nodes (floats for Values, arrays or None for Tensors)."""
        if not self.is_tensor:
            return [float(n.grad) for n in self.nodes]
        return [None if n.grad is None else _host(n.grad) for n in self.nodes]

    def has_grads(self):
        if self.is_tensor:
            return any(n.grad is not None for n in self.nodes)
        return any(n.grad != 0 for n in self.nodes)

    def gets_grad(self, i):
        """Whether node ``i`` can have a gradient (every Value; tensors that require grad)."""
        return not self.is_tensor or self.nodes[i].requires_grad


def _role(node, is_root):
    if is_root:
        return "loss"
    if node.parents:
        return "intermediate"
    if isinstance(node, Parameter):
        return "parameter"
    if isinstance(node, Tensor):
        if node.requires_grad or node.label or node.data.size > 1:
            return "input"
        return "constant"
    return "input" if node.label else "constant"


def _host(x):
    """A Tensor's (or array's) data as a NumPy array on the CPU."""
    data = x.data if isinstance(x, Tensor) else x
    return np.asarray(to_device(data, "cpu"))


# --------------------------------------------------------------------------- drawing

class _Fold:
    """Several nodes drawn as one "×N" box."""

    def __init__(self, members, saved, scope, position, lines):
        self.members = members      # node indices
        self.saved = saved          # boxes and ovals removed from the drawing
        self.scope = scope          # the cluster it is drawn in
        self.position = position    # where it sits in the DOT source (its last member)
        self.lines = lines          # label text, first line is "×N"
        self.id = ""


def _draw(graph, grads, *, rankdir="LR", show_data=True, show_grad=True, cluster_by_scope=True, folds=(),
          caption=None, color_edges=True, partial=frozenset(), highlight=None, edge_labels=None,
          show_unknown=False):
    """Build the Digraph. ``grads[i]`` is node i's gradient to show (None: unknown,
    drawn as "grad ?" when ``show_unknown``, else left out).

    ``partial``: nodes whose gradient is still being accumulated (shown "so far");
    ``highlight``: the node being processed (backprop frames); ``edge_labels``:
    ``{(child, k): text}`` for the edge from the k-th parent of ``child``.
    """
    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "12", "nodesep": "0.25",
                  "ranksep": "0.35"}
    if caption:
        graph_attr.update(label=caption, labelloc="t", labeljust="l")
    dot = graphviz.Digraph(
        graph_attr=graph_attr,
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"arrowsize": "0.7", "fontname": "Helvetica", "fontsize": "9"},
    )
    edge_labels = edge_labels or {}
    owner = {}
    for k, fold in enumerate(folds):
        fold.id = f"f{k}"
        for m in fold.members:
            owner[m] = fold

    # Nodes, each with the scope of the cluster it goes in.
    items = []  # (position, scope, name, attrs)
    for i, node in enumerate(graph.nodes):
        if i in owner:
            continue
        scope = graph.scopes[i] if cluster_by_scope else ""
        label = _value_label(graph, i, grads[i], show_data, show_grad, i in partial, i == highlight,
                             show_unknown)
        items.append((i, scope, f"n{i}", {"label": label, "shape": "plain", "tooltip": _tooltip(graph, i)}))
        if graph.parents[i]:
            items.append((i, scope, f"o{i}", _op_attrs(node.op, i == highlight)))
    for fold in folds:
        scope = fold.scope if cluster_by_scope else ""
        items.append((fold.position, scope, fold.id, {"label": _fold_label(fold), "shape": "plain"}))
    items.sort(key=lambda it: (it[0], it[2]))
    _add_clustered(dot, graph, items)

    # Edges: operand -> op oval -> result box; folded nodes are represented by their box.
    def box(i):
        return owner[i].id if i in owner else f"n{i}"

    def oval(i):
        return owner[i].id if i in owner else f"o{i}"

    seen = set()
    for v, ps in enumerate(graph.parents):
        if not ps:
            continue
        if v not in owner:
            dot.edge(f"o{v}", f"n{v}", **_edge_attrs(grads[v] if color_edges else None, color_edges))
        for k, p in enumerate(ps):
            src, dst = box(p), oval(v)
            if src == dst:
                continue  # inside one folded box
            if p in owner or v in owner:
                if (src, dst) in seen:
                    continue
                seen.add((src, dst))
            attrs = _edge_attrs(grads[p] if color_edges else None, color_edges)
            if (v, k) in edge_labels:
                attrs["label"] = edge_labels[(v, k)]
                attrs["fontcolor"] = "#5c3c00"
            dot.edge(src, dst, **attrs)
    _add_legend(dot, color_edges, bool(folds), highlight is not None)
    return dot


def _add_clustered(dot, graph, items):
    """Add nodes to ``dot``, inside nested clusters per module scope ("layers" ⊃ "layers.2")."""
    by_scope = {}
    for _, scope, name, attrs in items:
        by_scope.setdefault(scope, []).append((name, attrs))
    clusters = set()
    for scope in by_scope:
        parts = scope.split(".") if scope else []
        clusters.update(".".join(parts[:k]) for k in range(1, len(parts) + 1))
    counts = _parameter_counts(graph, clusters)
    subgraphs = {}
    for scope in clusters:
        title = scope if not counts[scope] else f"{scope}  ({counts[scope]:,} params)"
        subgraphs[scope] = graphviz.Digraph(
            name=f"cluster_{scope}",
            graph_attr={"label": title, "style": "rounded,dashed", "color": MUTED, "fontcolor": "#495057",
                        "fontsize": "10", "labeljust": "l"},
        )
    for scope, nodes in by_scope.items():
        target = subgraphs[scope] if scope else dot
        for name, attrs in nodes:
            target.node(name, **attrs)
    # A cluster's source is copied into its parent when attached, so attach the
    # deepest ones first; siblings go in natural order ("2" before "10").
    for scope in sorted(clusters, key=lambda s: (-s.count("."), _natural(s))):
        parent = scope.rpartition(".")[0]
        (subgraphs[parent] if parent else dot).subgraph(subgraphs[scope])


def _parameter_counts(graph, scopes):
    """Number of parameter elements in the graph under each scope (nested scopes included)."""
    counts = dict.fromkeys(scopes, 0)
    for node, role, scope in zip(graph.nodes, graph.roles, graph.scopes):
        if role != "parameter" or not scope:
            continue
        parts = scope.split(".")
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            if prefix in counts:
                counts[prefix] += int(node.data.size)
    return counts


def _natural(scope):
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in scope.split("."))


# --------------------------------------------------------------------------- labels

def _esc(text):
    return html.escape(str(text), quote=False)


def _value_label(graph, i, grad, show_data, show_grad, partial, highlighted, show_unknown):
    """The HTML-like label of a value box."""
    node = graph.nodes[i]
    title = f"<B>{_esc(node.label)}</B>" if node.label else f'<FONT COLOR="{MUTED}">n{i}</FONT>'
    badges = []
    if graph.is_tensor:
        data = _host(node)
        cells = [title, _esc(_shape_text(node))]
        if show_data:
            cells.append(_esc(_data_text(data)))
        badges += _badges(data, "data")
    else:
        data = node.data
        cells = [title]
        if show_data:
            cells.append(f"data {data:.4f}")
        badges += _badges(data, "data")
    if show_grad and graph.gets_grad(i):
        if grad is not None:
            cells.append(_esc(_grad_text(grad) + (" (so far)" if partial else "")))
            badges += _badges(grad, "grad")
        elif show_unknown:
            cells.append("grad ?")
    cells += [f'<FONT COLOR="{NAN_COLOR}"><B>{b}</B></FONT>' for b in badges]

    fill, border, width = ROLE_COLORS[graph.roles[i]], BORDER_COLOR, 1
    if badges:
        border, width = NAN_COLOR, 2
    if highlighted:
        fill, border, width = HIGHLIGHT_COLOR, HIGHLIGHT_BORDER, 3
    table = (f'<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
             f'BGCOLOR="{fill}" COLOR="{border}">')
    if graph.is_tensor:  # a tall box: one fact per row
        rows = "<HR/>".join(f"<TR><TD>{c}</TD></TR>" for c in cells)
    else:  # micrograd's record: label | data | grad in one row
        rows = "<TR>" + "<VR/>".join(f"<TD>{c}</TD>" for c in cells) + "</TR>"
    return f"<{table}{rows}</TABLE>>"


def _grad_text(grad):
    """``grad -3.0000`` for scalars; norm and mean |g| for tensors."""
    g = np.asarray(grad, dtype=np.float64)
    if g.size == 1:
        return f"grad {float(g.reshape(())):.4f}"
    with np.errstate(all="ignore"):
        return f"grad norm {np.sqrt(np.sum(g * g)):.4g}  mean|g| {np.mean(np.abs(g)):.3g}"


def _shape_text(node):
    shape = "scalar" if node.ndim == 0 else str(tuple(node.shape))
    return f"{shape}  {node.dtype}"


def _data_text(data):
    if data.size == 0:
        return "empty"
    if data.size == 1:
        return f"data {float(data.reshape(-1)[0]):.4f}"
    x = data.astype(np.float64, copy=False)
    with np.errstate(all="ignore"):
        return f"mean {x.mean():.4g}  std {x.std():.4g}  norm {np.sqrt(np.sum(x * x)):.4g}"


def _badges(x, where):
    """Red "NaN in data" / "Inf in grad" warnings for non-finite values."""
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        return []
    out = []
    if np.isnan(a).any():
        out.append(f"NaN in {where}")
    if np.isinf(a).any():
        out.append(f"Inf in {where}")
    return out


def _tooltip(graph, i):
    node = graph.nodes[i]
    what = graph.roles[i] if not node.op else f"{graph.roles[i]} = {node.op}(...)"
    scope = f" in {graph.scopes[i]}" if graph.scopes[i] else ""
    return f"{graph.name(i)}: {what}{scope}"


def _op_attrs(op, highlighted):
    attrs = {"label": op, "shape": "ellipse", "style": "filled", "fillcolor": "#f8f9fa", "color": MUTED,
             "fontsize": "10", "height": "0.3", "margin": "0.04,0.02"}
    if highlighted:
        attrs.update(fillcolor=HIGHLIGHT_COLOR, color=HIGHLIGHT_BORDER, penwidth="3")
    return attrs


def _fold_label(fold):
    head, *rest = fold.lines
    rows = [f'<TR><TD><FONT POINT-SIZE="16"><B>{_esc(head)}</B></FONT></TD></TR>']
    rows += [f"<TR><TD>{_esc(line)}</TD></TR>" for line in rest]
    table = (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{FOLD_COLOR}" '
             f'COLOR="{BORDER_COLOR}">')
    return f"<{table}{''.join(rows)}</TABLE>>"


def _edge_attrs(grad, color_edges):
    """Colour and width of an edge from the mean |grad| of the value it carries."""
    if not color_edges or grad is None:
        return {"color": UNKNOWN_GRAD_COLOR}
    g = np.abs(np.asarray(grad, dtype=np.float64))
    if not np.isfinite(g).all():
        return {"color": NAN_COLOR, "penwidth": "2.5", "style": "dashed", "tooltip": "gradient is NaN/Inf"}
    m = float(g.mean()) if g.size else 0.0
    if m == 0.0:
        return {"color": ZERO_GRAD_COLOR, "tooltip": "gradient is zero"}
    log = math.log10(m)
    lo, hi = _GRAD_STOPS[0][0], _GRAD_STOPS[-1][0]
    t = min(max((log - lo) / (hi - lo), 0.0), 1.0)
    return {"color": _ramp(log), "penwidth": f"{_PEN_MIN + t * (_PEN_MAX - _PEN_MIN):.2f}",
            "tooltip": f"mean |grad| {m:.3g}"}


def _ramp(log):
    """Interpolate the edge colour stops at ``log`` (clamped to the ends)."""
    stops = _GRAD_STOPS
    if log <= stops[0][0]:
        return stops[0][1]
    for (x0, c0), (x1, c1) in zip(stops, stops[1:]):
        if log <= x1:
            t = (log - x0) / (x1 - x0)
            rgb0 = [int(c0[k:k + 2], 16) for k in (1, 3, 5)]
            rgb1 = [int(c1[k:k + 2], 16) for k in (1, 3, 5)]
            return "#" + "".join(f"{round(a + t * (b - a)):02x}" for a, b in zip(rgb0, rgb1))
    return stops[-1][1]


def _add_legend(dot, color_edges, folded, highlighted):
    swatch = '<TR><TD BGCOLOR="{}" WIDTH="18"> </TD><TD ALIGN="LEFT">{}</TD></TR>'
    line = '<TR><TD><FONT COLOR="{}" POINT-SIZE="14"><B>━━</B></FONT></TD><TD ALIGN="LEFT">{}</TD></TR>'
    rows = ['<TR><TD COLSPAN="2"><B>legend</B></TD></TR>']
    rows += [swatch.format(color, ROLE_NAMES.get(role, role)) for role, color in ROLE_COLORS.items()]
    if folded:
        rows.append(swatch.format(FOLD_COLOR, "×N repeated structure, folded"))
    if highlighted:
        rows.append(swatch.format(HIGHLIGHT_COLOR, "being processed"))
    if color_edges:
        rows.append(line.format(_GRAD_STOPS[0][1], "mean |grad| 1e-6 (pale, thin)"))
        rows.append(line.format(_GRAD_STOPS[1][1], "mean |grad| 0.1"))
        rows.append(line.format(_GRAD_STOPS[2][1], "mean |grad| 1e2 (red, thick)"))
        rows.append(line.format(ZERO_GRAD_COLOR, "zero gradient"))
        rows.append(line.format(NAN_COLOR, "NaN / Inf gradient (dashed)"))
    table = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">' + "".join(rows) + "</TABLE>"
    legend = graphviz.Digraph(name="cluster_legend", graph_attr={"label": "", "style": "invis"})
    legend.node("legend", label=f"<{table}>", shape="plain", fontsize="9")
    dot.subgraph(legend)


# --------------------------------------------------------------------------- folding

def _plan_folds(graph, max_nodes):
    """Choose the folds that bring the drawing under ``max_nodes`` boxes and ovals."""
    count = graph.visible_count()
    if max_nodes is None or count <= max_nodes:
        return []
    folds, folded = [], set()
    for finder in (_block_folds, _chain_folds):
        candidates = finder(graph, folded)
        for fold in sorted(candidates, key=lambda f: (-f.saved, f.position)):
            if count <= max_nodes:
                return folds
            folds.append(fold)
            folded.update(fold.members)
            count -= fold.saved
    return folds


def _saved(graph, members):
    return sum(2 if graph.parents[m] else 1 for m in members) - 1


def _find_repeats(keys, max_period, min_repeats=2, preferred_starts=()):
    """Greedy runs ``(start, period, repeats)`` of a block of ``keys`` repeated back to back.

    At each position the block length covering the most items wins (the shorter
    one on ties); ``None`` keys never repeat. A run may start one item later when
    that covers as much and starts on a key in ``preferred_starts`` (a block of
    layers reads best when it starts with the layer that has weights:
    "linear → tanh", not "tanh → linear").
    """
    runs, i, n = [], 0, len(keys)
    while i < n:
        best = _best_repeat(keys, i, max_period, min_repeats)
        if best and keys[i] not in preferred_starts and i + 1 < n and keys[i + 1] in preferred_starts:
            later = _best_repeat(keys, i + 1, max_period, min_repeats)
            if later and later[1] * later[2] >= best[1] * best[2]:
                best = None
        if best:
            runs.append(best)
            i += best[1] * best[2]
        else:
            i += 1
    return runs


def _best_repeat(keys, i, max_period, min_repeats):
    best = None
    for p in range(1, max_period + 1):
        if i + p * min_repeats > len(keys):
            break
        block = keys[i:i + p]
        if None in block:
            continue
        r = 1
        while keys[i + r * p:i + (r + 1) * p] == block:
            r += 1
        if r >= min_repeats and (best is None or r * p > best[1] * best[2]):
            best = (i, p, r)
    return best


def _shape(node):
    return tuple(node.shape) if isinstance(node, Tensor) else None


def _block_folds(graph, folded):
    """Runs of identical consecutive module blocks (scopes) -- see ``draw_graph``."""
    units = {}
    for i, scope in enumerate(graph.scopes):
        if scope and i not in folded:
            units.setdefault(scope, []).append(i)
    if len(units) < 2:
        return []
    # The forward pass finishes a module when its last node is computed.
    order = sorted(units, key=lambda s: units[s][-1])
    ids, keys, with_params = {}, [], set()
    for scope in order:
        sig = _block_signature(graph, units[scope])
        keys.append(None if sig is None else ids.setdefault(sig, len(ids)))
        if any(graph.roles[m] == "parameter" for m in units[scope]):
            with_params.add(keys[-1])
    folds = []
    for start, period, repeats in _find_repeats(keys, max_period=8, preferred_starts=with_params):
        scopes = order[start:start + period * repeats]
        block = scopes[:period]
        members = [m for s in scopes for m in units[s]]
        ops = " → ".join(" · ".join(graph.nodes[m].op for m in units[s] if graph.parents[m]) or "leaves"
                         for s in block)
        last = graph.nodes[units[block[-1]][-1]]
        params = sum(int(graph.nodes[m].data.size) for s in block for m in units[s]
                     if graph.roles[m] == "parameter")
        lines = [f"×{repeats}", ops, f"scopes {scopes[0]} … {scopes[-1]}"]
        each = f"out {_shape_text(last)}" if isinstance(last, Tensor) else ""
        if params:
            each += f" · {params:,} params each, {params * repeats:,} in all"
        if each:
            lines.append(each.strip(" ·"))
        folds.append(_Fold(members, _saved(graph, members), _common_scope(scopes), max(members), lines))
    return folds


def _block_signature(graph, members):
    """Ops, roles, shapes and internal wiring of a block; None if it holds the root."""
    local = {m: k for k, m in enumerate(members)}
    sig = []
    for m in members:
        if m == graph.root_index:
            return None
        node = graph.nodes[m]
        wiring = tuple(local.get(p, -1) for p in graph.parents[m])
        sig.append((node.op, graph.roles[m], _shape(node), str(getattr(node, "dtype", "")), wiring))
    return tuple(sig)


def _common_scope(scopes):
    parts = [s.split(".") for s in scopes]
    common = []
    for level in zip(*parts):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return ".".join(common)


def _chain_folds(graph, folded):
    """Runs of a repeated op (or short cycle of ops) along chains -- see ``draw_graph``."""
    parents, consumers, root = graph.parents, graph.consumers, graph.root_index

    def absorbable(p, w):  # an unlabelled constant used only by w disappears into the fold
        return graph.roles[p] == "constant" and consumers[p] == [w] and p not in folded

    def successor(v):
        if v == root or not parents[v] or v in folded or len(consumers[v]) != 1:
            return None
        w = consumers[v][0]
        if w == root or w in folded or parents[w].count(v) != 1:
            return None
        return w if all(p == v or absorbable(p, w) for p in parents[w]) else None

    nxt = {v: successor(v) for v in range(len(graph.nodes))}
    has_prev = {w for w in nxt.values() if w is not None}
    folds = []
    for start in range(len(graph.nodes)):
        if nxt[start] is None or start in has_prev:
            continue
        chain = [start]
        while nxt[chain[-1]] is not None:
            chain.append(nxt[chain[-1]])
        absorbed = [[p for p in parents[v] if absorbable(p, v)] for v in chain]
        keys = [(graph.nodes[v].op, _shape(graph.nodes[v]), len(a)) for v, a in zip(chain, absorbed)]
        for s, period, repeats in _find_repeats(keys, max_period=4):
            run = range(s, s + period * repeats)
            members = [m for k in run for m in (*absorbed[k], chain[k])]
            saved = _saved(graph, members)
            if saved < 3:
                continue
            first, last = graph.nodes[chain[run[0]]], graph.nodes[chain[run[-1]]]
            ops = " → ".join(graph.nodes[chain[k]].op for k in run[:period])
            consts = sum(len(absorbed[k]) for k in run[:period])
            lines = [f"×{repeats}", ops + (f"  (+{consts} constant{'s' * (consts > 1)} each)" if consts else "")]
            if graph.is_tensor:
                lines.append(f"out {_shape_text(last)}")
            else:
                lines.append(f"data {first.data:.4f} → {last.data:.4f}")
            scope = _common_scope([graph.scopes[chain[k]] for k in run])
            folds.append(_Fold(members, saved, scope, max(members), lines))
    return folds

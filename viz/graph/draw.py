"""Computation graphs as Graphviz diagrams: :func:`draw_graph` and :func:`save`.

A graph is drawn the way micrograd's ``draw_dot`` draws it -- one box per value
and one small oval per operation -- so that backpropagation (Rumelhart,
Hinton & Williams 1986) can be followed by eye: every box shows its value
and dC/d(value), every arrow runs from an operand into the op that used it.

What ``draw_graph`` adds for real networks:

* **numbers with significant digits** -- 4 of them (``0.7071``, ``3.5e-05``),
  never fixed decimals that would print a small gradient as ``0.0000``;
* **roles** -- each value box is coloured by what it is (a compact legend, in
  the graph's label, explains the colours that are drawn; ``legend=False`` drops it):

  ============  ==============================================================
  loss          the root of the graph (the output the gradient starts from)
  parameter     an ``nn.Parameter`` (learned by the optimizer)
  input         any other leaf that requires a gradient, a labelled leaf, or a
                leaf with more than one element (the data fed to the network)
  constant      an unlabelled single number that entered an expression
                (the ``2.0`` of ``x * 2.0``); label a leaf to call it an input
  intermediate  everything an op computed on the way to the root
  ============  ==============================================================

* **names** -- a box is titled by its label; an unlabelled result computed
  inside a module by what it is there ("Linear(2→16) output", "Tanh output,
  layer 3" when two layers share a title); anything else by its id, greyed;
* **tensors** show label, shape, dtype and summary statistics (mean, std and
  norm of the data; norm and mean |g| of the gradient when there is one);
* **gradient flow on the edges** -- an edge is coloured and thickened by
  log10 of the mean |gradient| of the value it carries, from pale and thin
  (1e-6, vanishing) to red and thick (1e2, exploding); light grey only when the
  gradient is exactly zero, dark grey when it is not known (not computed, or not
  kept on an intermediate tensor), NaN/Inf red and dashed; a box holding NaN or
  Inf gets a red border and a red badge;
* **operand order** -- the operands of an op that cannot swap them (``-``,
  ``/``, ``matmul``: "lhs"/"rhs"; ``**``: "base"/"exp") are named where the
  edges meet the op;
* **clusters per module** -- tensors computed inside a module carry its path in
  ``.scope`` ("layers.2"); each scope becomes a box titled by the layer's type
  and shape ("Linear(2→16)", "Tanh"; the path and the number of parameters in
  its tooltip), nested as the modules are;
* **reused leaves** -- a leaf used by more than 8 ops (``a+a+...+a``) is drawn
  once per use (``n0``, ``n0_1``, ...): one node with a hundred edges makes
  Graphviz's layout blow up;
* **folding** -- with ``max_nodes``, repeated structure is collapsed into
  "×N" boxes until the drawing fits (see :func:`draw_graph`).

Node ids are ``n0, n1, ...`` in topological order (``o<i>`` for op ovals, ``f<k>``
for folded boxes), never ``id()``, so drawing the same graph twice gives the same
DOT source.
"""

from __future__ import annotations

import re
from collections import Counter

import graphviz

from viz.graph.folding import _plan_folds
from viz.graph.labels import (
    MUTED, _edge_attrs, _edge_kind, _fold_label, _graph_label, _legend_rows, _op_attrs, _plain, _tooltip,
    _value_label,
)
from viz.graph.records import _Graph

__all__ = ["draw_graph"]

_RANKDIRS = ("LR", "RL", "TB", "BT")


def draw_graph(root, rankdir="LR", show_data=True, show_grad=True, cluster_by_scope=True, max_nodes=None,
               legend=True):
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
    legend : bool
        Explain the colours in a compact legend (two lines, part of the graph's
        label, listing only what the drawing shows).

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
        color_edges=show_grad and graph.has_grads(), legend=legend,
    )


def _draw(graph, grads, *, rankdir="LR", show_data=True, show_grad=True, cluster_by_scope=True, folds=(),
          caption=None, color_edges=True, partial=frozenset(), highlight=None, edge_labels=None,
          show_unknown=False, legend=True, fontsize=11, legend_for=None, layout=None):
    """Build the Digraph. ``grads[i]`` is node i's gradient to show (None: unknown,
    drawn as "grad ?" when ``show_unknown``, else left out).

    ``partial``: nodes whose gradient is still being accumulated (shown "so far");
    ``highlight``: the node being processed (backprop frames); ``edge_labels``:
    ``{(child, k): text}`` for the edge from the k-th parent of ``child``.
    The caption and the legend make up the graph's label; the caption is also
    kept as ``dot.caption``, the kinds of edges drawn as ``dot.edge_kinds``.

    ``legend_for``: ``(edge kinds, highlighted)`` to list in the legend instead of
    this drawing's own (frames that share one layout share one legend);
    ``layout``: positions from :func:`viz.step_through`'s single ``dot`` run --
    ``{"graph": attrs, "nodes": {name: attrs}, "edges": {(tail, head, k): attrs},
    "clusters": {name: attrs}, "sizes": {name: (width, height)}}`` in points --
    pinned on the drawing, which is then rendered with ``neato -n2``.
    """
    layout = layout or {}
    sizes = layout.get("sizes", {})
    edge_seen = Counter()

    def pinned(src, dst):  # the k-th edge from src to dst, as the layout placed it
        edge_seen[src, dst] += 1
        return layout.get("edges", {}).get((src, dst, edge_seen[src, dst] - 1), {})
    graph_attr = {"rankdir": rankdir, "fontname": "Helvetica", "fontsize": str(fontsize - 1), "nodesep": "0.25",
                  "ranksep": "0.35"}
    if len(graph.nodes) > _PACK_NODES:
        # Laying out the connected components separately and packing them keeps
        # dot's crossing minimisation to seconds on big drawings.
        graph_attr["pack"] = "true"
    dot = graphviz.Digraph(
        graph_attr=graph_attr,
        node_attr={"fontname": "Helvetica", "fontsize": str(fontsize)},
        edge_attr={"arrowsize": "0.7", "fontname": "Helvetica", "fontsize": str(fontsize - 2)},
    )
    dot.caption = caption or ""
    dot.graph_attr.update(layout.get("graph", {}))
    edge_labels = edge_labels or {}
    owner = {}
    for k, fold in enumerate(folds):
        fold.id = f"f{k}"
        for m in fold.members:
            owner[m] = fold

    # A leaf feeding many ops is drawn once per use: one node with a hundred edges
    # fanning out makes dot's crossing minimisation blow up, and the copies read as
    # "the same a, again".
    uses = {i: len({owner[c].id if c in owner else c for c in graph.consumers[i]})
            for i, ps in enumerate(graph.parents) if not ps and i not in owner}
    copies = {i: n for i, n in uses.items() if n > COPY_FAN_OUT}
    used_copies = dict.fromkeys(copies, 0)

    # Nodes, each with the scope of the cluster it goes in.
    items = []  # (position, scope, name, attrs)
    for i, node in enumerate(graph.nodes):
        if i in owner:
            continue
        scope = graph.scopes[i] if cluster_by_scope else ""
        label = _value_label(graph, i, grads[i], show_data, show_grad, i in partial, i == highlight,
                             show_unknown, sizes.get(f"n{i}"))
        attrs = {"label": label, "shape": "plain", "tooltip": _tooltip(graph, i)}
        items.append((i, scope, f"n{i}", attrs))
        for k in range(1, copies.get(i, 0)):
            tip = _plain(f"{graph.name(i)}: used by {copies[i]} ops, drawn once per use")
            items.append((i, scope, f"n{i}_{k}", {**attrs, "tooltip": tip}))
        if graph.parents[i]:
            items.append((i, scope, f"o{i}", _op_attrs(node.op, i == highlight, fontsize - 1)))
    if layout:
        items = [(pos, scope, name, {**attrs, **layout["nodes"].get(name, {})})
                 for pos, scope, name, attrs in items]
    for fold in folds:
        scope = fold.scope if cluster_by_scope else ""
        items.append((fold.position, scope, fold.id, {"label": _fold_label(fold), "shape": "plain"}))
    items.sort(key=lambda it: (it[0], it[2]))
    _add_clustered(dot, graph, items, layout.get("clusters", {}))

    # Edges: operand -> op oval -> result box; folded nodes are represented by their box.
    def box(i):
        return owner[i].id if i in owner else f"n{i}"

    def oval(i):
        return owner[i].id if i in owner else f"o{i}"

    seen, kinds = set(), set()
    for v, ps in enumerate(graph.parents):
        if not ps:
            continue
        if v not in owner:
            attrs = _edge_attrs(grads[v] if color_edges else None, color_edges)
            kinds.add(_edge_kind(attrs))
            dot.edge(f"o{v}", f"n{v}", **attrs, **pinned(f"o{v}", f"n{v}"))
        sides = _operand_names(graph.nodes[v].op, ps)
        for k, p in enumerate(ps):
            src, dst = box(p), oval(v)
            if src == dst:
                continue  # inside one folded box
            if p in owner or v in owner:
                if (src, dst) in seen:
                    continue
                seen.add((src, dst))
            if p in copies:
                src = src if used_copies[p] == 0 else f"{src}_{used_copies[p]}"
                used_copies[p] = min(used_copies[p] + 1, copies[p] - 1)
            attrs = _edge_attrs(grads[p] if color_edges else None, color_edges)
            kinds.add(_edge_kind(attrs))
            if sides and v not in owner:
                attrs.update(headlabel=sides[k], labelfontsize=str(fontsize - 3), labelfontcolor=MUTED,
                             labeldistance="1.6", labelangle="-35")
            if (v, k) in edge_labels:
                attrs["label"] = _plain(edge_labels[(v, k)], keep_escapes=True)
                attrs["fontcolor"] = "#5c3c00"
            dot.edge(src, dst, **attrs, **pinned(src, dst))
    roles = {graph.roles[i] for i in range(len(graph.nodes)) if i not in owner}
    dot.edge_kinds = kinds
    shown_kinds, highlighted = legend_for or (kinds, highlight is not None)
    rows = _legend_rows(roles, shown_kinds, bool(folds), highlighted) if legend else []
    label = _graph_label(caption, rows)
    dot.legend_label = _graph_label(None, rows)  # the label without the caption (pages show the caption)
    if label:
        dot.graph_attr.update(label=label, labelloc="t" if caption else "b", labeljust="l")
    return dot


#: Ops whose operands cannot be swapped keep their operands told apart on the edges.
_COMMUTATIVE = frozenset({"+", "*", "add", "mul", "maximum", "minimum", "hypot"})
_SIDES = {"**": ("base", "exp"), "pow": ("base", "exp"), "linear": ("input", "weight", "bias")}


def _operand_names(op, parents):
    """``("lhs", "rhs")`` (``("base", "exp")`` for a power, ...) for a non-commutative op, else None."""
    if len(parents) < 2 or op in _COMMUTATIVE:
        return None
    if len(parents) == len(_SIDES.get(op, ())):
        return _SIDES[op]
    if len(parents) == 2:
        return ("lhs", "rhs")
    return tuple(f"#{k}" for k in range(1, len(parents) + 1))


def _add_clustered(dot, graph, items, pinned=None):
    """Add nodes to ``dot``, inside nested clusters per module scope ("layers" ⊃ "layers.2")."""
    by_scope = {}
    for _, scope, name, attrs in items:
        by_scope.setdefault(scope, []).append((name, attrs))
    clusters = set()
    for scope in by_scope:
        parts = scope.split(".") if scope else []
        clusters.update(".".join(parts[:k]) for k in range(1, len(parts) + 1))
    counts = _parameter_counts(graph, clusters)
    titles = _scope_titles(graph)
    subgraphs = {}
    for k, scope in enumerate(sorted(clusters, key=_natural)):
        title = titles.get(scope, scope)
        tip = f"{scope}: {title}" + (f", {counts[scope]:,} parameters" if counts[scope] else "")
        subgraphs[scope] = graphviz.Digraph(
            name=_cluster_name(scope, k),
            graph_attr={"label": _plain(title), "tooltip": _plain(tip), "style": "rounded,dashed", "color": MUTED,
                        "fontcolor": "#495057", "fontsize": "10", "labeljust": "l",
                        **(pinned or {}).get(_cluster_name(scope, k), {})},
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


def _scope_titles(graph):
    """``{path: "Linear(2→16)"}`` for the module scopes of the graph and the modules around them.

    A tensor computed inside a module carries the module's path as a
    :class:`~minigrad.nn.module.ScopePath`, which holds the module's title and
    its parent's path; a plain-string scope (``autograd.scope("name")``) has none.
    """
    titles = {}
    for scope in set(graph.scopes):
        while scope is not None and str(scope) not in titles and getattr(scope, "title", None):
            titles[str(scope)] = scope.title
            scope = getattr(scope, "parent", None)
    return titles


def _cluster_name(scope, k):
    """``cluster_<scope>`` for ordinary module paths, ``cluster__<k>`` for any other text.

    The name is an identifier in the DOT source, so a scope with quotes,
    backslashes or markup -- or one called "legend" -- never becomes part of it.
    """
    if scope != "legend" and len(scope) <= 80 and re.fullmatch(r"[A-Za-z0-9_.]+", scope):
        return f"cluster_{scope}"
    return f"cluster__{k}"


#: A drawing with more value nodes than this is laid out with ``pack``.
_PACK_NODES = 300
#: A leaf used by more ops than this is drawn once per use.
COPY_FAN_OUT = 8


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

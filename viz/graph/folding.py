"""Folding repeated structure: runs of identical blocks or ops drawn as one "×N" box.

Used by :func:`~viz.graph.draw_graph` when ``max_nodes`` is set: first runs of
identical consecutive module blocks, then long chains of a repeated op, biggest
savings first, until the drawing fits (see ``draw_graph``).
"""

from __future__ import annotations

from minigrad.tensor import Tensor
from viz.graph.labels import format_number
from viz.graph.records import _shape, _shape_text


class _Fold:
    """Several nodes drawn as one "×N" box."""

    def __init__(self, members, saved, scope, position, lines):
        self.members = members      # node indices
        self.saved = saved          # boxes and ovals removed from the drawing
        self.scope = scope          # the cluster it is drawn in
        self.position = position    # where it sits in the DOT source (its last member)
        self.lines = lines          # label text, first line is "×N"
        self.id = ""


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
        lines = [f"×{repeats}", ops, f"layers {scopes[0]} … {scopes[-1]}"]
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
        return w if all(p == v or absorbable(p, w) or shared(p) for p in parents[w]) else None

    def shared(p):  # a leaf used by many ops (a+a+...+a) stays outside, one edge into the fold
        return not parents[p] and len(consumers[p]) > 2 and p not in folded

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
        outside = [tuple(p for p in parents[v] if shared(p)) for v in chain]
        keys = [(graph.nodes[v].op, _shape(graph.nodes[v]), len(a), o) for v, a, o in zip(chain, absorbed, outside)]
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
            uses = dict.fromkeys(graph.name(p) for k in run[:period] for p in outside[k])
            if uses:
                lines[-1] += f"  with {', '.join(uses)} each time"
            if graph.is_tensor:
                lines.append(f"out {_shape_text(last)}")
            else:
                lines.append(f"data {format_number(first.data)} → {format_number(last.data)}")
            scope = _common_scope([graph.scopes[chain[k]] for k in run])
            folds.append(_Fold(members, saved, scope, max(members), lines))
    return folds

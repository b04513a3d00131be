"""Backpropagation step by step: :func:`backprop_frames` and :func:`save_frames`.

Reverse-mode differentiation (backpropagation, Rumelhart, Hinton & Williams 1986) visits the
nodes of a graph in reverse topological order. At each node it knows dL/d(node)
-- every consumer has already sent its share -- and sends to each parent

    local derivative × dL/d(node)  =  d(node)/d(parent) · dL/d(node)

which the parent adds to what it has received so far. ``backprop_frames`` draws
one picture per such step so a learner can watch gradients flow back from the
loss; ``save_frames`` writes them as numbered SVGs or as one HTML page with a
slider.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from minigrad.autograd import backward_steps, no_grad, tensor_parents, tensor_vjp
from minigrad.scalar import value_parents, value_vjp
from minigrad.backend import array_module
from minigrad.tensor import Tensor
from viz.graph.draw import _draw
from viz.graph.labels import format_number as _num
from viz.graph.records import _Graph, _host
from viz.graph.save import render_bytes

__all__ = ["backprop_frames", "save_frames"]


def backprop_frames(root, rankdir="LR"):
    """One ``graphviz.Digraph`` per step of backpropagation from ``root``.

    Frame 1 is the forward graph: every gradient unknown ("grad ?") except the
    root's, set to 1 (dL/dL). Then one frame per non-leaf node, in reverse
    topological order -- the order ``backward()`` uses -- so there are
    ``N = 1 + (number of non-leaf nodes)`` frames. In frame k:

    * the node being processed (and its op) is highlighted in yellow;
    * the edges into its op are labelled with what it sends each parent: for a
      ``Value``, the local derivative and the contribution ``local × grad``; for
      a ``Tensor``, the norm and shape of the contribution (the local derivative
      of a tensor op is a Jacobian, too big to print);
    * every node shows the gradient it has received so far -- marked "(so far)"
      while some consumer has yet to send its share -- or "grad ?" before any;
    * the caption (drawn in the graph's label, and kept as ``frame.caption``)
      reads "Step k of N: node 'c' (op '*'): dL/dc = …; sends …".

    The steps come from :func:`minigrad.autograd.backward_steps`, the very driver
    that ``backward()`` runs, so after the last frame every gradient equals what
    ``backward()`` computes. No ``.grad`` is read or changed.

    A non-scalar ``Tensor`` root starts from a gradient of ones (the gradient of
    ``root.sum()``). Tensor contributions come from each op's own backward, so
    **the graph must not have been freed**: pass the root of a forward pass that
    has not been backpropagated, or one backpropagated with
    ``backward(retain_graph=True)``; otherwise a RuntimeError says so. Meant for
    small graphs: the frames grow with the square of the number of nodes.
    """
    graph, states = backprop_states(root, who="backprop_frames")
    total = len(states)
    return [_draw(graph, state.grads, rankdir=rankdir, caption=f"Step {k} of {total}: {state.caption}",
                  color_edges=True, partial=state.partial, highlight=state.highlight,
                  edge_labels=state.labels, show_unknown=True)
            for k, state in enumerate(states, 1)]


class _State:
    """What one frame shows: gradients known so far, which are partial, the node processed, edge labels."""

    def __init__(self, grads, partial, highlight, labels, caption):
        self.grads, self.partial, self.highlight, self.labels, self.caption = grads, partial, highlight, labels, caption


def backprop_states(root, who="backprop_frames"):
    """``(graph, states)``: the records of ``root``'s graph and one :class:`_State` per frame.

    Shared by :func:`backprop_frames` and :func:`viz.step_through`; the captions
    carry no step number (each caller numbers them its own way).
    """
    graph = _Graph(root, who=who)
    n = len(graph.nodes)
    index = {id(node): i for i, node in enumerate(graph.nodes)}
    if graph.is_tensor:
        _check_not_released(graph, who)
    # The backward driver itself, as backward() runs it (without freeing the graph
    # and without writing any .grad): every frame shows a step it really takes.
    with no_grad():
        steps = [(index[id(node)], g, contributions)
                 for node, g, _, contributions in _steps(root, graph.is_tensor)]
    steps = [(v, g, contributions) for v, g, contributions in steps if graph.parents[v]]
    rootname = graph.name(graph.root_index)

    grads = {graph.root_index: _value(steps[0][1] if steps else _seed(root, graph.is_tensor), graph.is_tensor)}
    received = [0] * n  # consumers that have sent their share
    states = [_state(graph, grads, received, None, {},
                     f"forward pass done; backpropagation starts at the output "
                     f"'{rootname}' with {_d(rootname)} = 1 (L is '{rootname}')")]
    for v, g, contributions in steps:
        node = graph.nodes[v]
        name = graph.name(v)
        g = _value(g, graph.is_tensor)
        labels, sends = {}, []
        for j, (p, c) in enumerate(zip(graph.parents[v], contributions)):
            if c is None or (graph.is_tensor and not graph.nodes[p].requires_grad):
                continue
            if graph.is_tensor:
                c = c.data  # kept on the graph's device; copied to the host only to print
                labels[(v, j)] = f"sends norm {_num(_norm(_host(c)))}\\n{tuple(c.shape)}"
                sends.append(f"{_tensor_text(_host(c))} to '{graph.name(p)}'")
            else:
                local = node.local_grads[j]
                labels[(v, j)] = f"local {_num(local)}\\nsends {_num(c)}"
                sends.append(f"{_num(local)} × {_num(g)} = {_num(c)} to '{graph.name(p)}'")
            grads[p] = c if p not in grads else grads[p] + c
        for p in dict.fromkeys(graph.parents[v]):
            received[p] += 1
        grad_text = _tensor_text(_host(g)) if graph.is_tensor else _num(g)
        caption = (f"node '{name}' (op '{node.op}'): {_d(name)} = {grad_text}; "
                   f"sends {'; '.join(sends) or 'nothing'}")
        states.append(_state(graph, grads, received, v, labels, caption))
    return graph, states


def _d(name):
    """``dL/dc``, or ``dL/d(a*b + c)`` for a name that is an expression."""
    return f"dL/d{name}" if name.isidentifier() else f"dL/d({name})"


def _steps(root, is_tensor):
    """The backward steps from ``root``: the shared driver with each engine's local rule."""
    if is_tensor:
        seed = Tensor._from_op(_seed(root, True), None)
        return backward_steps([root], [seed], tensor_parents, tensor_vjp)
    return backward_steps([root], [1.0], value_parents, value_vjp)


def _value(g, is_tensor):
    """A gradient as the frames keep it: an array for tensors, a float for Values."""
    return g.data if is_tensor and isinstance(g, Tensor) else g


def _check_not_released(graph, who):
    for v, node in enumerate(graph.nodes):
        ctx = node._ctx
        if ctx is not None and ctx.released:
            raise RuntimeError(
                f"{who}: the graph was freed by an earlier backward() (op '{ctx.name}' of node "
                f"'{graph.name(v)}' no longer holds the values its backward needs). Run the forward pass "
                f"again and call {who} before backward(), or call backward(retain_graph=True)."
            )


def _seed(root, is_tensor):
    if not is_tensor:
        return 1.0
    return array_module(root.device).ones_like(root.data)


def _norm(a):
    a = np.asarray(a, dtype=np.float64)
    return float(np.sqrt(np.sum(a * a)))


def _tensor_text(a):
    a = np.asarray(a)
    if a.size == 1:
        return _num(a.reshape(-1)[0])
    return f"a {tuple(a.shape)} tensor of norm {_num(_norm(a))}"


def _state(graph, grads, received, current, labels, caption):
    """The state after step ``current``: known gradients, partial ones, the step's edges."""
    shown = [None] * len(graph.nodes)
    partial = set()
    for i, g in grads.items():
        shown[i] = _host(g) if graph.is_tensor else g
        if i != graph.root_index and received[i] < len(graph.consumers[i]):
            partial.add(i)
    return _State(shown, frozenset(partial), current, labels, caption)


# --------------------------------------------------------------------------- saving

def save_frames(frames, target):
    """Write frames as ``target/frame_001.svg, ...`` or, for a ``.html`` target, one page.

    The page is the one :class:`viz.StepThrough` writes (inline SVG, no external
    scripts or styles): a slider, Prev/Next buttons and the arrow keys step
    through the frames, "Step k of N" and each frame's caption shown above it.
    Each frame is laid out on its own here; :func:`viz.step_through` lays them
    out once, so nothing moves. Both need the Graphviz ``dot``
    program (a RuntimeError explains how to install it). Returns the list of SVG
    paths, or the HTML path. Missing folders are created.
    """
    frames = list(frames)
    if not frames:
        raise ValueError("save_frames: no frames to save (backprop_frames returns at least one)")
    target = Path(target)
    if target.suffix.lower() == ".html":
        # The page shows "Step k of N" and the caption above the picture: draw them once.
        svgs = [render_bytes(_without_caption(f), "svg").decode("utf-8") for f in frames]
        captions = [re.sub(r"^Step \d+ of \d+: ", "", getattr(f, "caption", "")) for f in frames]
        from viz.stepping import StepThrough  # it builds on this module

        return StepThrough(svgs, captions, {}).save(target)
    svgs = [render_bytes(f, "svg").decode("utf-8") for f in frames]
    target.mkdir(parents=True, exist_ok=True)
    digits = max(3, len(str(len(frames))))
    paths = []
    for k, svg in enumerate(svgs, 1):
        path = target / f"frame_{k:0{digits}d}.svg"
        path.write_text(svg, encoding="utf-8")
        paths.append(path)
    return paths


def _without_caption(frame):
    """A copy of ``frame`` whose label is only the legend."""
    copy = frame.copy()
    copy.graph_attr = dict(frame.graph_attr)
    legend = getattr(frame, "legend_label", None)
    if legend:
        copy.graph_attr["label"] = legend
    else:
        copy.graph_attr.pop("label", None)
    return copy

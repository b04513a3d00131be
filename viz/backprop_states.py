"""The states of backpropagation, one per step: what :func:`viz.backprop_frames` and
:func:`viz.step_through` draw.

Both run the engine's own backward driver (:func:`minigrad.autograd.backward_steps`,
with the Value or Tensor rule for local derivatives) on the recorded graph and keep,
after each step, the gradients known so far, which of them are still partial (a
consumer has not sent its share yet), the node processed, the local derivative on
each edge it sent along, and a caption -- the frames draw a new picture of each
state, the step-through pins them all to one layout.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import backward_steps, no_grad, tensor_parents, tensor_vjp
from minigrad.backend import array_module
from minigrad.scalar import value_parents, value_vjp
from minigrad.tensor import Tensor
from viz.graph.labels import format_number as _num
from viz.graph.records import _Graph, _host

__all__ = ["backprop_states"]


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

"""The autodiff core shared by the scalar (`Value`) and tensor (`Tensor`) engines.

Reverse-mode automatic differentiation is the chain rule applied from the output
back to the inputs (backpropagation; Rumelhart, Hinton & Williams 1986): every node
receives dC/d(node) from the nodes that used it, multiplies by its local derivative
and passes the product on to its parents. For that, nodes must be visited in
*reverse topological order*: a node is processed only after every node that
consumed it has delivered its contribution.

This module holds everything both engines share, and imports neither of them:

* :func:`topological_order` -- an iterative depth-first search (no recursion, so a
  100,000-op chain is fine) that lists each reachable node exactly once, parents
  before children. A node used twice (``b = a + a``) is visited once and simply
  receives two contributions.
* :func:`backward_steps` -- **the** backward driver: a generator of steps
  ``(node, gradient, parents, contributions)`` in reverse topological order. Tensor
  ``backward()``, :func:`grad`, ``Value.backward()`` and the visualizer's
  step-through all consume it, so they cannot disagree.
* :class:`Function` -- the base class of every differentiable tensor op: forward on
  arrays, backward in Tensor ops. It is public: subclass it to write your own op.
* grad mode -- :func:`no_grad`, :func:`enable_grad`, :func:`set_grad_enabled`,
  :func:`is_grad_enabled`: whether tensor ops record a graph; and :func:`scope`, the
  module path ("layers.2") stamped on tensors created inside a module. Both are
  **thread-local**, as in PyTorch: a ``no_grad`` block in one thread does not
  switch recording off in another.

Every node of either engine exposes the graph protocol read by ``viz``:
``parents`` (tuple of nodes), ``op`` (str, "" for a leaf), ``label``, ``data``
and ``grad``.
"""

from minigrad.autograd.engine import (
    backward, backward_steps, grad, tensor_parents, tensor_vjp, topological_order,
)
from minigrad.autograd.function import Function, clock
from minigrad.autograd.grad_mode import (
    _state, current_scope, enable_grad, is_grad_enabled, no_grad, scope, set_grad_enabled,
)

__all__ = [
    "Function",
    "topological_order",
    "backward_steps",
    "tensor_parents",
    "tensor_vjp",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "scope",
    "current_scope",
    "backward",
    "grad",
]

"""The graph core shared by the scalar (`Value`) and tensor (`Tensor`) engines.

Reverse-mode automatic differentiation is the chain rule applied from the output
back to the inputs (seed 003, "Retropropagación del error"): every node receives
dC/d(node) from the nodes that used it, multiplies by its local derivative and
passes the product on to its parents. For that, nodes must be visited in
*reverse topological order*: a node is processed only after every node that
consumed it has delivered its contribution.

This module holds what both engines need:

* :func:`topological_order` -- an iterative depth-first search (no recursion, so a
  100,000-op chain is fine) that lists each reachable node exactly once, parents
  before children. A node used twice (``b = a + a``) is visited once and simply
  receives two contributions.
* grad mode -- :func:`no_grad`, :func:`enable_grad`, :func:`set_grad_enabled`,
  :func:`is_grad_enabled`: whether tensor ops record a graph.
* :func:`scope` -- the module path ("layers.2") stamped on tensors created inside
  a module, so a graph can be clustered by layer.
* :func:`backward` / :func:`grad` -- the backward driver for tensors.

Every node of either engine exposes the graph protocol read by ``viz``:
``parents`` (tuple of nodes), ``op`` (str, "" for a leaf), ``label``, ``data``
and ``grad``.
"""

from __future__ import annotations

import contextlib

__all__ = [
    "topological_order",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "scope",
    "current_scope",
    "backward",
    "grad",
]


def _all_parents(node):
    return node._parents


def topological_order(root, parents=_all_parents):
    """Return the nodes reachable from ``root``, every parent before its children.

    Nodes are found through their ``_parents`` tuple, or through ``parents(node)``
    when given (the backward pass follows only parents that need a gradient).

    The search keeps an explicit stack instead of recursing, so graph depth is
    limited only by memory. Each node is listed once however many times it is
    used; identity (``id``) decides, never ``==`` (tensors overload ``==``).
    """
    order = []
    visited = {id(root)}
    # Each stack entry is a node and an iterator over its parents; a node is
    # emitted once its iterator is exhausted, i.e. after all of its parents.
    stack = [(root, iter(parents(root)))]
    push, pop, mark = stack.append, stack.pop, visited.add
    while stack:
        node, remaining = stack[-1]
        for parent in remaining:
            key = id(parent)
            if key not in visited:
                mark(key)
                push((parent, iter(parents(parent))))
                break
        else:
            pop()
            order.append(node)
    return order


# --------------------------------------------------------------------------- grad mode

class _State:
    """Process-wide switches read by every tensor op (kept in one place)."""

    grad_enabled = True
    scope = ""


_state = _State()


def is_grad_enabled() -> bool:
    """True when tensor ops record the graph needed for ``backward``."""
    return _state.grad_enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off, as a context manager or a decorator.

    Outside a ``with`` block the call takes effect at once (like PyTorch):
    ``set_grad_enabled(False)`` disables recording until re-enabled.
    """

    def __init__(self, mode: bool):
        self.prev = _state.grad_enabled
        _state.grad_enabled = bool(mode)
        self.mode = bool(mode)

    def __enter__(self):
        _state.grad_enabled = self.mode
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


class no_grad(contextlib.ContextDecorator):
    """Record nothing inside the block: results have no graph and ``requires_grad=False``.

    Use it for evaluation and for parameter updates::

        with mg.no_grad():
            prediction = model(x_test)
    """

    def __enter__(self):
        self.prev = _state.grad_enabled
        _state.grad_enabled = False
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


class enable_grad(contextlib.ContextDecorator):
    """Record the graph inside the block even within an enclosing ``no_grad``."""

    def __enter__(self):
        self.prev = _state.grad_enabled
        _state.grad_enabled = True
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


@contextlib.contextmanager
def scope(name: str, absolute: bool = False):
    """Stamp ``name`` (joined to any enclosing scope with ".") on tensors created inside.

    ``nn.Module`` enters the scope of its attribute path, so the tensors of the third
    layer of a ``Sequential`` carry ``scope == "2"`` (or ``"layers.2"`` when the
    Sequential is an attribute called ``layers``). With ``absolute=True`` the name
    replaces the enclosing scope instead of extending it.
    """
    prev = _state.scope
    if absolute:
        _state.scope = name
    else:
        _state.scope = f"{prev}.{name}" if prev and name else (name or prev)
    try:
        yield _state.scope
    finally:
        _state.scope = prev


def current_scope() -> str:
    """The scope string that newly created tensors receive ("" outside any module)."""
    return _state.scope


# --------------------------------------------------------------------------- backward

def _grad_parents(node):
    """The parents of a tensor that take part in backward (those requiring grad)."""
    ctx = node._ctx
    if ctx is None:
        return ()
    return [p for p in ctx.inputs if p.requires_grad]


def _run_backward(roots, root_grads, retain_graph, create_graph, targets=None, retained=None):
    """Propagate ``root_grads`` from ``roots`` back through the recorded graph.

    Returns ``{id(node): (node, gradient)}`` for every leaf reached -- or, when
    ``targets`` is given, for those nodes only. The backward ops themselves are
    recorded only when ``create_graph`` is set.
    """
    if len(roots) == 1:
        order = topological_order(roots[0], parents=_grad_parents)
    else:
        # A virtual root whose parents are all the roots gives one consistent order.
        class _Join:
            _ctx = None

        def _join_parents(node):
            return roots if node.__class__ is _Join else _grad_parents(node)

        order = topological_order(_Join(), parents=_join_parents)[:-1]

    target_ids = None if targets is None else {id(t) for t in targets}
    pending = {}
    for r, g in zip(roots, root_grads):
        pending[id(r)] = pending[id(r)] + g if id(r) in pending else g
    found = {}
    with set_grad_enabled(create_graph):
        for node in reversed(order):
            key = id(node)
            g = pending.pop(key, None)
            if g is None:
                continue
            ctx = node._ctx
            if target_ids is None:
                if ctx is None:
                    found[key] = (node, g)
                elif node._retains_grad:
                    node.grad = g if create_graph else g.detach()
                    if retained is not None:
                        retained.add(id(g.data))
            elif key in target_ids:
                found[key] = (node, g)
            if ctx is None:
                continue
            if ctx.released:
                raise RuntimeError(
                    f"backward through '{ctx.name}' a second time: its saved values were "
                    "freed after the first backward. Pass retain_graph=True to the first "
                    "backward() call if you need to backpropagate through the graph again."
                )
            parent_grads = ctx.backward(g)
            if not retain_graph:
                ctx.release()
            for parent, pg in zip(ctx.inputs, parent_grads):
                if pg is None or not parent.requires_grad:
                    continue
                pkey = id(parent)
                prev = pending.get(pkey)
                pending[pkey] = pg if prev is None else prev + pg
    return found


def _seed_gradient(root, grad):
    """The gradient that starts backward: 1 for a single-element output, else ``grad``."""
    import numpy as np

    from minigrad.tensor import Tensor, as_tensor

    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward() on a tensor of shape {root.shape} needs grad=...: an implicit "
                "gradient of 1 exists only for single-element outputs (reduce first, e.g. "
                "loss.sum() or loss.mean())"
            )
        return Tensor._from_op(np.ones_like(root.data), None)
    grad = as_tensor(grad, like=root)
    if grad.shape != root.shape:
        raise ValueError(f"backward(): grad has shape {grad.shape} but the tensor has shape {root.shape}")
    return grad


def backward(root, grad=None, retain_graph=None, create_graph=False):
    """Accumulate d(root)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

    ``grad`` is dC/d(root) (defaults to 1 for a single-element root). Leaf gradients
    *accumulate* (``+=``) as in PyTorch: reset them with ``p.grad = None`` or
    ``module.zero_grad()``. The graph's saved values are freed afterwards unless
    ``retain_graph`` is true; ``create_graph=True`` records the backward pass itself
    so gradients can be differentiated again (it implies ``retain_graph``).
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward(): this tensor does not require grad and has no graph. Create the "
            "inputs with requires_grad=True (and do not compute under mg.no_grad())."
        )
    if retain_graph is None:
        retain_graph = create_graph
    seed = _seed_gradient(root, grad)
    # Arrays already handed out: the seed (it may be the caller's), retained
    # intermediate gradients, and every leaf gradient assigned below.
    handed = {id(seed.data)}
    found = _run_backward([root], [seed], retain_graph, create_graph, retained=handed)
    for leaf, g in found.values():
        if g.dtype != leaf.dtype:  # e.g. a float32 weight used in a float64 expression
            g = g.astype(leaf.dtype)
        if create_graph:
            leaf.grad = g if leaf.grad is None else leaf.grad + g
        elif leaf.grad is None:
            # Optimizers and clipping modify .grad in place, so a leaf must own its
            # array. A fresh result of a backward op is owned already; a view, or an
            # array also given elsewhere (addition passes its gradient through to
            # both operands), is copied.
            array = g.data
            if array.base is None and id(array) not in handed and array.flags.writeable:
                leaf.grad = g.detach()
            else:
                leaf.grad = g.copy()
            handed.add(id(leaf.grad.data))
        else:
            leaf.grad = leaf.grad.detach() + g.detach()


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=True):
    """Return d(outputs)/d(inputs) without touching any ``.grad`` attribute.

    ``outputs`` and ``inputs`` are a Tensor or a sequence of Tensors; ``grad_outputs``
    the matching seed gradients (default: 1 for single-element outputs). The result
    is a tuple aligned with ``inputs``; an input that ``outputs`` does not depend on
    gets ``None`` (or raises when ``allow_unused=False``). With ``create_graph=True``
    the returned gradients are themselves differentiable -- the way to Hessian-vector
    products and Newton's method.
    """
    from minigrad.tensor import Tensor

    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad(): input {i} does not require grad")
    for o in outputs:
        if not o.requires_grad:
            raise RuntimeError("grad(): an output does not require grad (no graph was recorded)")
    if retain_graph is None:
        retain_graph = create_graph
    seeds = [_seed_gradient(o, g) for o, g in zip(outputs, grad_outputs)]
    found = _run_backward(outputs, seeds, retain_graph, create_graph, targets=inputs)
    result = []
    for i, x in enumerate(inputs):
        g = found.get(id(x), (None, None))[1]
        if g is None and not allow_unused:
            raise RuntimeError(f"grad(): input {i} was not used to compute the outputs")
        if g is not None and not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


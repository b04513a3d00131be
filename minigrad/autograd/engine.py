"""The backward driver: topological order and one generator of backward steps.

Every consumer -- ``Tensor.backward``, :func:`grad`, ``Value.backward`` and the
visualizer's step-through -- runs :func:`backward_steps`, so they cannot disagree.
"""

from __future__ import annotations

import functools

import numpy as np

from minigrad import backend
from minigrad.autograd.function import _check_unchanged, clock
from minigrad.autograd.grad_mode import set_grad_enabled

__all__ = ["topological_order", "backward_steps", "tensor_parents", "tensor_vjp", "backward", "grad",
           "queue_callback"]

# One list per backward() in progress (a hook may itself run a backward): the
# callbacks queued during that pass, run once all leaf gradients are stored.
_pending_callbacks: list[list] = []


def queue_callback(fn):
    """Run ``fn()`` once the current ``backward()`` has stored every leaf gradient.

    Only valid while a backward pass runs -- typically from a hook registered with
    ``Tensor.register_post_accumulate_grad_hook`` -- as PyTorch's
    ``Variable._execution_engine.queue_callback``. Data-parallel training uses it to
    finish the gradient all-reduce when the pass is over, without an extra call.
    """
    if not _pending_callbacks:
        raise RuntimeError("queue_callback: no backward() is running; call it from a gradient hook")
    _pending_callbacks[-1].append(fn)


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


def backward_steps(roots, grads, parents, vjp):
    """The chain rule, one node at a time: yield ``(node, g, node_parents, contributions)``.

    ``roots`` are the outputs and ``grads`` the gradients they start with (dL/dL = 1
    for a loss). Nodes come in reverse topological order of ``parents(node)``; each
    is yielded once, when ``g`` -- the sum of what its consumers sent -- is complete.
    ``vjp(node, g)`` returns the node's parents and what it sends each of them
    (local derivative × g; None for a parent that gets nothing); a leaf returns
    ``((), ())``. Nodes that receive no gradient are skipped.

    The consumer decides what to do with each step: ``Tensor.backward`` stores leaf
    gradients and frees the graph, ``grad`` keeps the requested inputs',
    ``Value.backward`` writes every node's ``.grad``, and the visualizer draws one
    frame per step.
    """
    if len(roots) == 1:
        order = topological_order(roots[0], parents)
    else:
        # A virtual root whose parents are all the roots gives one consistent order.
        join = object()
        order = topological_order(join, lambda node: roots if node is join else parents(node))[:-1]
    pending = {}
    for r, g in zip(roots, grads):
        key = id(r)
        pending[key] = pending[key] + g if key in pending else g
    take, peek = pending.pop, pending.get
    for node in reversed(order):
        g = take(id(node), None)
        if g is None:
            continue
        node_parents, contributions = vjp(node, g)
        yield node, g, node_parents, contributions
        for parent, c in zip(node_parents, contributions):
            if c is not None:
                key = id(parent)
                prev = peek(key)
                pending[key] = c if prev is None else prev + c


# --------------------------------------------------------------------------- tensors

def tensor_parents(node):
    """The inputs of the op that made a tensor (none for a leaf).

    Inputs that do not require grad are constants (data, targets): they are leaves,
    so they come last in the order, and a consumer skips them (they are never
    given a ``.grad``).
    """
    ctx = node._ctx
    return () if ctx is None else ctx.inputs


def tensor_vjp(node, g, free=False):
    """A tensor's step: its Function's backward (after checking the graph is intact).

    With ``free=True`` the node's saved values are released right after (backward
    without ``retain_graph``): a second pass through it is then an error.
    """
    ctx = node._ctx
    if ctx is None:
        return (), ()
    if ctx.released:
        raise RuntimeError(
            f"backward through '{ctx.name}' a second time: its saved values were "
            "freed after the first backward. Pass retain_graph=True to the first "
            "backward() call if you need to backpropagate through the graph again."
        )
    if clock.now > ctx._born:  # something was changed in place since this node ran
        _check_unchanged(ctx)
    # Contributions to inputs that do not require grad are dropped by the consumer
    # (such inputs are never visited: they are not in the traversal order).
    grads = ctx.backward(g)
    if free:
        ctx.release()
    return ctx.inputs, grads


_tensor_vjp_and_free = functools.partial(tensor_vjp, free=True)


def _tensor_steps(roots, seeds, retain_graph):
    """The backward steps of a tensor graph (to be run under the wanted grad mode)."""
    return backward_steps(roots, seeds, tensor_parents, tensor_vjp if retain_graph else _tensor_vjp_and_free)


def _seed_gradient(root, grad):
    """The gradient that starts backward: 1 for a single-element output, else ``grad``."""
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward() on a tensor of shape {root.shape} needs grad=...: an implicit "
                "gradient of 1 exists only for single-element outputs (reduce first, e.g. "
                "loss.sum() or loss.mean())"
            )
        return root._from_op(backend.module_of(root.data).ones_like(root.data), None)
    if not hasattr(grad, "_ctx"):  # a number, list or array
        grad = root._from_op(backend.to_device(np.asarray(grad, dtype=root.dtype), root.device), None)
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
    leaves = []
    with set_grad_enabled(create_graph):
        for node, g, _, _ in _tensor_steps([root], [seed], retain_graph):
            if node._ctx is None:
                if node.requires_grad:
                    leaves.append((node, g))
            elif node._retains_grad:
                node.grad = g if create_graph else g.detach()
                handed.add(id(g.data))
    callbacks = []
    _pending_callbacks.append(callbacks)
    try:
        _store_leaf_gradients(leaves, handed, create_graph)
        while callbacks:  # a callback may queue another
            callbacks.pop(0)()
    finally:
        _pending_callbacks.pop()


def _store_leaf_gradients(leaves, handed, create_graph):
    """Accumulate each leaf's gradient into ``.grad``, then run its post-accumulate hooks."""
    for leaf, g in leaves:
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
        for hook in leaf._grad_hooks:
            hook(leaf)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=True):
    """Return d(outputs)/d(inputs) without touching any ``.grad`` attribute.

    ``outputs`` and ``inputs`` are a Tensor or a sequence of Tensors; ``grad_outputs``
    the matching seed gradients (default: 1 for single-element outputs). The result
    is a tuple aligned with ``inputs``; an input that ``outputs`` does not depend on
    gets ``None`` (or raises when ``allow_unused=False``). With ``create_graph=True``
    the returned gradients are themselves differentiable -- the way to Hessian-vector
    products and Newton's method.
    """
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
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
    wanted = {id(x) for x in inputs}
    found = {}
    with set_grad_enabled(create_graph):
        for node, g, _, _ in _tensor_steps(outputs, seeds, retain_graph):
            if id(node) in wanted:
                found[id(node)] = g
    result = []
    for i, x in enumerate(inputs):
        g = found.get(id(x))
        if g is None and not allow_unused:
            raise RuntimeError(f"grad(): input {i} was not used to compute the outputs")
        if g is not None and not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)

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

from __future__ import annotations

import contextlib
import functools
import operator
import threading
import weakref

import numpy as np

from minigrad import backend
from minigrad.dtypes import SAME, float32 as _FLOAT32, float64 as _FLOAT64, promote

__all__ = [
    "Function",
    "topological_order",
    "backward_steps",
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

class _State(threading.local):
    """The switches every tensor op reads, one set per thread (class values are the defaults)."""

    grad_enabled = True
    scope = ""


_state = _State()


def is_grad_enabled() -> bool:
    """True when tensor ops record the graph needed for ``backward`` (in this thread)."""
    return _state.grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Shared machinery: enter sets the mode, exit restores what was there before.

    Each ``with`` (and each call of a decorated function) works on its own copy, so
    nested, recursive and concurrent uses each restore exactly their own previous
    state -- a shared instance would let one block overwrite another's memory and
    leave grad mode off for good.
    """

    mode = True

    def _recreate_cm(self):
        fresh = object.__new__(type(self))
        fresh.mode = self.mode
        return fresh

    def __enter__(self):
        self.prev = _state.grad_enabled
        _state.grad_enabled = self.mode
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


class no_grad(_GradMode):
    """Record nothing inside the block: results have no graph and ``requires_grad=False``.

    Use it for evaluation and for parameter updates::

        with mg.no_grad():
            prediction = model(x_test)
            p -= lr * p.grad          # an in-place update of a parameter
    """

    mode = False


class enable_grad(_GradMode):
    """Record the graph inside the block even within an enclosing ``no_grad``."""

    mode = True


class set_grad_enabled(_GradMode):
    """Turn graph recording on or off, as a context manager or a decorator.

    Outside a ``with`` block the call takes effect at once (like PyTorch):
    ``set_grad_enabled(False)`` disables recording in this thread until re-enabled.
    """

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._before = _state.grad_enabled
        _state.grad_enabled = self.mode

    def __enter__(self):
        # ``with set_grad_enabled(m):`` switched already in __init__: the block must
        # restore what was there before that (a decorator's fresh copy has no _before).
        self.prev = self.__dict__.pop("_before", _state.grad_enabled)
        _state.grad_enabled = self.mode
        return self

    def __call__(self, function):
        # As a decorator it acts only while the function runs: undo the switch of __init__.
        _state.grad_enabled = self.__dict__.pop("_before", _state.grad_enabled)
        return super().__call__(function)


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


# --------------------------------------------------------------------------- Function

class _Clock:
    """Counts in-place changes of tensors: a node born at time t must not read a tensor
    changed after t (see ``Tensor._version`` and :func:`_check_unchanged`). A module-level
    object rather than a class attribute: changing a class attribute would flush
    Python's attribute caches for every op class at each optimizer step."""

    __slots__ = ("now",)

    def __init__(self):
        self.now = 0

    def tick(self):
        self.now += 1
        return self.now


clock = _Clock()
_ndarray = np.ndarray
_data_of = operator.attrgetter("data")


class Function:
    """One application of a differentiable op: the node that created a Tensor.

    An op is one small class with its two halves side by side:

    * ``forward(self, *arrays, **params)`` computes on raw arrays (NumPy or CuPy) and
      may keep on ``self`` whatever the backward pass needs (masks, shapes, ...);
    * ``backward(self, g)`` receives dC/d(output) as a ``Tensor`` and returns one
      gradient per input (a ``Tensor``, or ``None`` for an input that gets none),
      written with Tensor ops -- so it is itself differentiable: under
      ``backward(create_graph=True)`` those ops record a graph and gradients of
      gradients (Hessian-vector products, ``gradgradcheck``, Newton's method) come
      for free. An op whose backward is a fused kernel makes that backward its own
      Function (see ``TanhBackward``), so there is exactly one formula per derivative.

    ``MyOp.apply(*tensors, **params)`` runs forward and, when grad mode is on and
    some input requires a gradient, links the output to this node. Writing an op::

        class Cube(mg.autograd.Function):
            name = "cube"

            def forward(self, x):          # x: a NumPy array
                return x ** 3

            def backward(self, g):         # g: a Tensor, dC/d(x³)
                (x,) = self.inputs         # the input tensors
                return (g * 3 * x * x,)

        y = Cube.apply(mg.tensor([2.0], requires_grad=True))
        mg.gradcheck(lambda x: Cube.apply(x), mg.randn(3, requires_grad=True))

    Class attributes a subclass may set:

    ``name``
        what graphs, errors and ``Tensor.op`` call the op;
    ``saves_output``
        True when ``backward`` uses the output tensor (``self.output()``), e.g.
        d/dx e^x = e^x. The output is held by a weak reference: the graph owns its
        tensors, and a Function never keeps its own result alive;
    ``needs_inputs``
        False when ``backward`` uses only the inputs' shapes, not their values
        (addition, sums, reshapes): changing such an input in place afterwards is
        then harmless (True, the safe default, makes backward refuse);
    ``dtype_rule``
        how integer inputs are treated: ``dtypes.SAME`` (as they are), ``PROMOTE``
        (joined to a floating operand's dtype) or ``FLOAT`` (always computed as
        floats: e^x of an integer is not an integer).
    """

    name = "function"
    saves_output = False
    needs_inputs = True
    dtype_rule = SAME
    # inputs: the parent tensors; everything an op saves lives in __dict__ and is
    # dropped by release() once backward has used it.
    __slots__ = ("inputs", "released", "_out", "_born", "__dict__")

    @classmethod
    def apply(cls, *inputs, **params):
        fn = cls.__new__(cls)
        arrays = list(map(_data_of, inputs))  # no comprehension frame: this runs for every op
        if cls.dtype_rule is not SAME:
            # Inputs all of one floating dtype are the common case, with nothing to
            # convert (NumPy's dtypes are singletons, so ``is`` compares them).
            first = arrays[0].dtype
            if first is not _FLOAT32 and first is not _FLOAT64:
                arrays = promote(arrays, cls.dtype_rule)
            else:
                for a in arrays:
                    if a.dtype is not first:
                        arrays = promote(arrays, cls.dtype_rule)
                        break
        try:
            out = fn.forward(*arrays, **params)
        except (ValueError, IndexError, TypeError) as exc:
            shapes = ", ".join(str(t.shape) for t in inputs)
            raise type(exc)(f"{cls.name}: {exc} (input shapes: {shapes})") from None
        if out.__class__ is not _ndarray and isinstance(out, np.generic):
            out = np.asarray(out)  # NumPy reductions return scalars; keep arrays
        # Tensors build their own results (so this module needs no import of them).
        if _state.grad_enabled:
            for t in inputs:
                if t.requires_grad:
                    fn.inputs = inputs
                    fn.released = False
                    fn._born = clock.now
                    result = t._from_op(out, fn)
                    if cls.saves_output:
                        fn._out = weakref.ref(result)
                    return result
        return inputs[0]._from_op(out, None)

    def forward(self, *arrays, **params):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, g):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def output(self):
        """The Tensor this Function produced (only for ops with ``saves_output``)."""
        return self._out()

    def release(self):
        """Free what forward saved; a later backward through this node is an error."""
        self.__dict__.clear()
        self.released = True

    def __repr__(self):
        return f"<{self.name}>"


def _check_unchanged(ctx):
    """Refuse to differentiate ``ctx`` if a tensor it reads was changed in place after it ran.

    Tensors record the clock of their last in-place change (``_changed_at``) and of
    their last *re-recording* (``_rebased_at``: an in-place op on a tensor in a graph
    makes it the output of a new node, so gradients sent to it would take a new path).
    """
    born = ctx._born
    for position, t in enumerate(ctx.inputs):
        if t._rebased_at > born or (ctx.needs_inputs and t._changed_at > born):
            _modified_error(ctx, f"input {position} (shape {t.shape})", t)
    if ctx.saves_output:
        out = ctx._out()
        if out is not None and out._changed_at > born:
            _modified_error(ctx, f"its output (shape {out.shape})", out)


def _modified_error(ctx, what, t):
    raise RuntimeError(
        f"backward through '{ctx.name}': {what} was modified by an in-place operation after "
        f"'{ctx.name}' used it (it is now at version {t._version}); its gradient would be wrong. "
        "Use an out-of-place op (y = y + x instead of y += x), or .clone() the tensor before changing it."
    )


# --------------------------------------------------------------------------- the backward driver

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

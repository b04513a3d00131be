"""``Function``: the base class of every differentiable tensor op, and the in-place clock."""

from __future__ import annotations

import operator
import weakref

import numpy as np

from minigrad.autograd.grad_mode import _state
from minigrad.dtypes import SAME, float32 as _FLOAT32, float64 as _FLOAT64, promote

__all__ = ["Function", "clock"]


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

# The clock of the last in-place change of each memory buffer changed in place, keyed by
# the id of the array that owns the memory (the end of the ``.base`` chain). A view
# (a slice, a transpose, a reshape) shares its base's buffer, so changing one changes
# the other: PyTorch's shared version counter of a view and its base. An entry holds
# [weak reference to the owner, clock] and goes when the owner does.
_buffer_changed = {}


def _owner(array):
    """The array that owns ``array``'s memory (``array`` itself unless it is a view)."""
    base = array.base
    while base is not None and hasattr(base, "base") and hasattr(base, "shape"):
        array, base = base, base.base
    return array


def note_buffer_change(array):
    """Record that the memory under ``array`` was changed in place now (see Tensor._mark_changed)."""
    owner = array if array.base is None else _owner(array)  # a parameter owns its memory: no chain to walk
    key = id(owner)
    entry = _buffer_changed.get(key)
    if entry is not None and entry[0]() is owner:
        entry[1] = clock.now
        return
    try:
        ref = weakref.ref(owner, lambda r, key=key: _buffer_changed.pop(key, None)
                          if _buffer_changed.get(key, (None,))[0] is r else None)
    except TypeError:  # an array type without weak references: only the tensor's own version counts
        return
    _buffer_changed[key] = [ref, clock.now]


def _buffer_changed_since(array, born):
    """Whether the memory under ``array`` was changed in place after the clock ``born``."""
    owner = _owner(array)
    entry = _buffer_changed.get(id(owner))
    return entry is not None and entry[1] > born and entry[0]() is owner
_ndarray = np.ndarray
_data_of = operator.attrgetter("data")
_new = object.__new__


def _retold(exc, message):
    """``exc`` told again as ``message`` (the op's name and the input shapes added).

    Its own class when that takes a single message; NumPy's ufunc errors
    (``_UFuncNoLoopError`` ...) need other constructor arguments, so they become
    their built-in base (TypeError, ValueError), which ``except`` clauses still catch.
    """
    try:
        new = type(exc)(message)
        if str(new) == message:
            return new
    except Exception:  # noqa: BLE001 - any constructor that refuses a lone message
        pass
    base = next(c for c in type(exc).__mro__ if c.__module__ == "builtins")
    return base(message)


def _wrap(data, ctx):  # replaced by Tensor._from_op once minigrad.tensor is imported
    raise RuntimeError("minigrad.tensor is not imported")


def register_tensor_type(from_op):
    """Tell ``Function.apply`` how to wrap a result array: ``from_op(array, ctx)`` (the
    Tensor class registers itself; this module is imported before it and never imports it)."""
    global _wrap
    _wrap = from_op


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
        fn = _new(cls)
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
            raise _retold(exc, f"{cls.name}: {exc} (input shapes: {shapes})") from None
        if out.__class__ is not _ndarray and isinstance(out, np.generic):
            out = np.asarray(out)  # NumPy reductions return scalars; keep arrays
        if _state.grad_enabled:
            for t in inputs:
                if t.requires_grad:
                    fn.inputs = inputs
                    fn.released = False
                    fn._born = clock.now
                    result = _wrap(out, fn)
                    if cls.saves_output:
                        fn._out = weakref.ref(result)
                    return result
        return _wrap(out, None)

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
        if ctx.needs_inputs and _buffer_changed and _buffer_changed_since(t.data, born):
            _modified_error(ctx, f"input {position} (shape {t.shape}, which shares its memory with a tensor "
                                 "changed in place: a slice, transpose or reshape of it, or its base)", t)
    if ctx.saves_output:
        out = ctx._out()
        if out is not None and (out._changed_at > born or _buffer_changed and _buffer_changed_since(out.data, born)):
            _modified_error(ctx, f"its output (shape {out.shape})", out)


def _modified_error(ctx, what, t):
    raise RuntimeError(
        f"backward through '{ctx.name}': {what} was modified by an in-place operation after "
        f"'{ctx.name}' used it (it is now at version {t._version}); its gradient would be wrong. "
        "Use an out-of-place op (y = y + x instead of y += x), or .clone() the tensor before changing it."
    )

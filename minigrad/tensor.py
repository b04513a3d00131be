"""``Tensor``: an n-dimensional array that records the ops applied to it.

A Tensor holds ``data`` (a NumPy array, or a CuPy array on ``device="cuda"``),
``grad`` (a Tensor of the same shape, or None) and, when it was produced by an op
while grad mode was on, the :class:`~minigrad.autograd.Function` that created it.
Calling ``backward()`` on a result applies the chain rule through those Functions
in reverse topological order (backpropagation) and accumulates dC/dx into
``x.grad`` for every leaf ``x`` with ``requires_grad=True``.

This module defines what a tensor *is*: its data, gradient and graph links,
conversions, and the rules of in-place changes. What a tensor can *do* -- ``+``,
``@``, ``exp``, ``sum``, ``reshape`` ... -- are the ops of :mod:`minigrad.ops`,
attached as methods by :mod:`minigrad.ops.methods` (one table), so the imports
run one way: autograd → tensor → ops.

Semantics follow PyTorch (accumulation, ``retain_graph``, ``no_grad``, ``detach``,
``create_graph``); names follow NumPy where the two differ (``axis=``,
``keepdims=``, ``var``/``std`` with ``ddof=0``), and PyTorch's ``dim=``/``keepdim=``
are accepted as aliases.

Example::

    >>> import minigrad as mg
    >>> W = mg.tensor([[1.0, -2.0], [0.0, 1.0]], requires_grad=True)
    >>> x = mg.tensor([1.0, 2.0])
    >>> loss = (W @ x).relu().sum()
    >>> loss.backward()
    >>> W.grad.numpy()      # d loss / dW = relu'(Wx) ⊗ x
    array([[0., 0.],
           [1., 2.]], dtype=float32)
"""

from __future__ import annotations

import weakref

import numpy as np

from minigrad import backend
from minigrad.autograd import _state, clock, no_grad
from minigrad.autograd import backward as _backward
from minigrad.autograd.function import note_buffer_change, register_tensor_type
from minigrad.dtypes import DEFAULT_DTYPE, FLOAT_DTYPES, bool_, float32, float64, int64, resolve_dtype

__all__ = ["Tensor", "tensor", "as_tensor", "DEFAULT_DTYPE", "float32", "float64", "int64", "bool_"]

# The dtype rules live in minigrad.dtypes; these names stay importable from here.
_resolve_dtype = resolve_dtype


def _holds_tensor(seq):
    """Whether a (nested) list or tuple has a Tensor in it."""
    return any(isinstance(v, Tensor) or (isinstance(v, (list, tuple)) and _holds_tensor(v)) for v in seq)


def _values_of(seq):
    """``seq`` with every Tensor in it replaced by its values as a NumPy array."""
    return [v.numpy() if isinstance(v, Tensor) else _values_of(v) if isinstance(v, (list, tuple)) else v for v in seq]


def _to_array(data, dtype=None, device="cpu"):
    """Copy ``data`` into an array of a supported dtype on ``device``.

    Floating data becomes float32 unless ``dtype`` says otherwise (the engine's
    default); integer and boolean data keep their type (class labels, masks). A
    Tensor keeps its dtype (``nn.Parameter(t)`` of a float64 ``t`` is float64, as in PyTorch).
    """
    xp = backend.array_module(device)
    if isinstance(data, Tensor):
        data = data.data
        if dtype is None:
            dtype = data.dtype
    if hasattr(data, "shape") and backend.device_of(data) != device:
        data = backend.to_device(data, device)
    if dtype is not None:
        return xp.array(data, dtype=_resolve_dtype(dtype))
    arr = xp.asarray(data)
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(DEFAULT_DTYPE)  # astype always copies
    if kind in "iub":
        return arr.copy() if arr is data else arr
    if kind == "O" and isinstance(data, (list, tuple)) and _holds_tensor(data):
        # mg.tensor([loss1, loss2]): the values of the tensors inside (copied, out of the graph), as PyTorch
        return _to_array(_values_of(data), dtype, device)
    raise TypeError(
        f"cannot make a tensor from {type(data).__name__} with dtype {arr.dtype}: "
        "use real numbers (float32/float64), integers or booleans"
    )


class _ElementCount(int):
    """``Tensor.size``: an int. Calling it -- PyTorch's ``x.size()`` / ``x.size(d)`` -- is a
    TypeError that says what to write instead, rather than "'int' object is not callable"."""

    __slots__ = ()

    def __call__(self, *dim):
        raise TypeError(
            "Tensor.size is the number of elements (NumPy's x.size), not a method: for PyTorch's "
            "x.size() write x.shape, for x.size(d) write x.shape[d], for the count x.numel()"
        )


class Tensor:
    """An array with a gradient and a link to the op that produced it.

    ``Tensor(data, requires_grad=False, dtype=None, device="cpu")`` copies ``data``.
    Floating data defaults to float32; pass ``dtype="float64"`` for double precision
    (gradient checking uses it).
    """

    # The attributes every tensor sets live in slots; the rarely set ones (label,
    # scope inside a module, retain_grad) fall back to class defaults and land in
    # a per-instance dict only when assigned, which keeps creating a tensor cheap.
    __slots__ = ("data", "grad", "requires_grad", "_ctx", "__dict__", "__weakref__")
    label = ""
    scope = ""
    _retains_grad = False
    _grad_hooks = ()  # post-accumulate gradient hooks (a list once one is registered)
    # The Function clock at this tensor's last in-place change and last re-recording
    # (see Tensor._inplace); 0 = never. Kept off the slots: most tensors never change.
    _changed_at = 0
    _rebased_at = 0
    # The number of in-place changes (PyTorch's ``_version``); a class default until the
    # first one, for the same reason.
    _version = 0
    # `==` is elementwise, so hashing falls back to identity (tensors go in sets/dicts).
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad=False, dtype=None, device="cpu"):
        device = backend.check_device(device)
        self.data = _to_array(data, dtype, device)
        self.grad = None
        self._ctx = None
        if _state.scope:
            self.scope = _state.scope
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _from_op(data, ctx):
        """Wrap an op's result array without copying (``ctx`` None: no graph).

        Always a plain Tensor, whatever class it is called on (a Parameter's product
        is not a Parameter): ``Function.apply`` calls it on its first input.
        """
        t = _new_tensor(Tensor)
        t.data = data
        t.grad = None
        t._ctx = ctx
        t.requires_grad = ctx is not None
        if _state.scope:
            t.scope = _state.scope
        return t

    @staticmethod
    def constant(array, dtype=None):
        """``array`` as a tensor outside any graph, without copying: a constant of an op
        (a mask, a target, a fixed weight) or a non-differentiable result. NumPy scalars
        become 0-d arrays; ``dtype`` converts (copying only then)."""
        if isinstance(array, np.generic) or not hasattr(array, "dtype"):
            array = np.asarray(array)
        if dtype is not None and array.dtype != dtype:
            array = array.astype(dtype)
        return Tensor._from_op(array, None)

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        """The number of elements (NumPy's ``size``; PyTorch's ``numel()``)."""
        return _ElementCount(self.data.size)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self):
        return backend.device_of(self.data)

    @property
    def is_leaf(self):
        """True for tensors created by the user (not by an op recorded in a graph)."""
        return self._ctx is None

    @property
    def parents(self):
        """The tensors this one was computed from (empty for a leaf)."""
        return self._ctx.inputs if self._ctx is not None else ()

    @property
    def _parents(self):
        return self._ctx.inputs if self._ctx is not None else ()

    @property
    def op(self):
        """Name of the op that produced this tensor ("" for a leaf)."""
        return self._ctx.name if self._ctx is not None else ""

    @property
    def grad_fn(self):
        """The Function node that produced this tensor (None for a leaf)."""
        return self._ctx

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place on a leaf; returns self."""
        if self._ctx is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor: use .detach() instead")
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients (this one is {self.data.dtype}); "
                "create it with dtype='float32' or 'float64'"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it)."""
        if self._ctx is not None:
            self._retains_grad = True
        return self

    # ------------------------------------------------------------------ conversion
    def numpy(self):
        """The data as a NumPy array (copied back from the GPU for cuda tensors)."""
        return backend.to_device(self.data, "cpu")

    def item(self):
        """The single element as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item(): only a single-element tensor converts to a number, this one has shape {self.shape}")
        return self.data.reshape(()).item() if self.device == "cpu" else self.numpy().item()

    def tolist(self):
        return self.numpy().tolist()

    def detach(self):
        """A new leaf sharing this tensor's data, cut from the graph (``requires_grad=False``)."""
        return Tensor._from_op(self.data, None)

    def copy(self):
        """A detached tensor with its own copy of the data."""
        return Tensor._from_op(self.data.copy(), None)

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    def float(self):
        return self.astype(float32)

    def double(self):
        return self.astype(float64)

    def backward(self, grad=None, retain_graph=None, create_graph=False):
        """Backpropagate from this tensor; see :func:`minigrad.autograd.backward`."""
        _backward(self, grad, retain_graph=retain_graph, create_graph=create_graph)

    def zero_grad(self):
        """Reset the accumulated gradient (``self.grad = None``)."""
        self.grad = None

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` each time ``backward()`` has accumulated into this leaf's ``.grad``.

        As PyTorch's hook of the same name: the hook sees the new ``.grad`` and may
        change it in place (data-parallel training averages it across processes).
        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if self._ctx is not None:
            raise RuntimeError("register_post_accumulate_grad_hook: only a leaf tensor accumulates .grad")
        if not callable(hook):
            raise TypeError(f"register_post_accumulate_grad_hook: hook must be callable, got {hook!r}")
        if not isinstance(self._grad_hooks, list):
            self._grad_hooks = []
        self._grad_hooks.append(hook)
        return _GradHookHandle(self._grad_hooks, hook)

    # ------------------------------------------------------------------ python protocol
    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; use .any() or .all()"
            )
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __repr__(self):
        body = np.array2string(self.numpy(), separator=", ", prefix="tensor(")
        extras = []
        if self.dtype != DEFAULT_DTYPE:
            extras.append(f"dtype={self.dtype}")
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self._ctx is not None:
            extras.append(f"op={self.op!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __pos__(self):
        return self

    # ------------------------------------------------------------------ in place
    # As in PyTorch: ``t += x`` and the methods ending in "_" (``add_``, ``zero_``, ...,
    # attached with the other op methods by minigrad.ops.methods) change ``t.data`` in
    # place and return ``t``. The usual use is a parameter update under ``mg.no_grad()``.
    def _inplace(self, name, op, *args):
        """Change this tensor to ``op(self, *args)`` in place, keeping the graph honest.

        * Not recording (``no_grad``, or nothing requires grad): the values are
          written into ``self.data`` and the version counter goes up.
        * A leaf that requires grad cannot change while gradients are recorded:
          its gradient would describe a value it no longer has.
        * A tensor in a recorded graph is *re-recorded*: the op is applied to a copy
          of its old value, the result written into ``self.data``, and ``self``
          becomes that op's output -- so gradients sent to it from now on also flow
          through the in-place op. Nodes that used the old value and need it (or
          would now route their gradient through the new op) refuse to run backward.
        """
        recording = _state.grad_enabled and (
            self.requires_grad or any(getattr(a, "requires_grad", False) for a in args))
        if not recording:
            with no_grad():
                result = op(self, *args)
            self._write(name, result.data)
            return self
        if self._ctx is None and self.requires_grad:
            raise RuntimeError(
                f"{name}: a leaf tensor that requires grad cannot be changed in place while gradients are "
                "recorded. Update parameters inside `with mg.no_grad():`, e.g. "
                "`with mg.no_grad(): p -= lr * p.grad`."
            )
        if self.data.base is not None:
            raise RuntimeError(
                f"{name}: this tensor shares its data with another tensor (it is a view, e.g. from reshape, "
                "a slice or a transpose); changing it in place while gradients are recorded is not "
                "supported. Write the out-of-place form instead (y = y + x)."
            )
        old = Tensor._from_op(self.data.copy(), self._ctx)
        if old._ctx is not None and old._ctx.saves_output:
            old._ctx._out = weakref.ref(old)
        # ``y *= y`` multiplies by the old y: the operand must not be the re-recorded self.
        result = op(old, *(old if a is self else a for a in args))
        self._write(name, result.data)
        ctx = result._ctx
        self._ctx, self.requires_grad = ctx, True
        if ctx.saves_output:
            ctx._out = weakref.ref(self)
        self._rebased_at = clock.now
        return self

    def _write(self, name, values):
        """Store ``values`` in ``self.data`` in place and record the change."""
        if values.shape != self.shape:
            raise RuntimeError(
                f"{name}: the result has shape {values.shape} but this tensor has shape {self.shape}; "
                "an in-place op cannot change a tensor's shape"
            )
        if values.dtype.kind == "f" and self.dtype.kind != "f":
            raise RuntimeError(
                f"{name}: the result is {values.dtype} but this tensor is {self.dtype}: an in-place op cannot "
                "store floats in an integer tensor (use the out-of-place op, or convert with .float() first)"
            )
        self.data[...] = values
        self._mark_changed()

    def _mark_changed(self):
        """Record that ``self.data`` was changed in place (by an in-place op, an optimizer
        step, an initializer, ``load_state_dict``): bump the version counter, so a graph
        that saved the old values refuses to backpropagate through them."""
        self._changed_at = clock.tick()
        self._version += 1
        note_buffer_change(self.data)  # views of this memory (slices, transposes) changed too


class _GradHookHandle:
    """What ``register_post_accumulate_grad_hook`` returns: ``remove()`` unregisters the hook."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def tensor(data, requires_grad=False, dtype=None, device="cpu"):
    """Create a leaf Tensor from data (copied); see :class:`Tensor`."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def as_tensor(x, like=None):
    """``x`` as a Tensor, without copying a Tensor; used for the operands of ops.

    Numbers take ``like``'s dtype when it is floating (``x_float32 * 2.0`` stays
    float32) and follow NumPy's promotion otherwise; arrays of numbers are cast to
    ``like``'s floating dtype. Everything lands on ``like``'s device.
    """
    if x.__class__ is Tensor or isinstance(x, Tensor):
        return x
    if like is None:
        return Tensor(x)
    device = like.device
    ldt = like.data.dtype
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        dt = ldt if ldt.kind == "f" else np.result_type(ldt, x)
        if dt.kind == "f" and dt not in FLOAT_DTYPES:
            dt = DEFAULT_DTYPE
        xp = backend.array_module(device)
        return Tensor._from_op(xp.asarray(x, dtype=dt), None)
    arr = x if hasattr(x, "dtype") else np.asarray(x)
    if ldt.kind == "f" and arr.dtype.kind in "fiub":
        return Tensor(arr, dtype=ldt, device=device)
    return Tensor(arr, device=device)


_new_tensor = object.__new__
register_tensor_type(Tensor._from_op)  # Function.apply wraps every op's result with it

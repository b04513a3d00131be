"""``Tensor``: an n-dimensional array that records the ops applied to it.

A Tensor holds ``data`` (a NumPy array, or a CuPy array on ``device="cuda"``),
``grad`` (a Tensor of the same shape, or None) and, when it was produced by an op
while grad mode was on, the :class:`~minigrad.ops.function.Function` that created
it. Calling ``backward()`` on a result applies the chain rule through those
Functions in reverse topological order (seed 003, "Retropropagación del error")
and accumulates dC/dx into ``x.grad`` for every leaf ``x`` with
``requires_grad=True``.

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

import numpy as np

from minigrad import backend
from minigrad.autograd import _state

__all__ = ["Tensor", "tensor", "as_tensor", "DEFAULT_DTYPE", "float32", "float64", "int64", "bool_"]

float32 = np.dtype("float32")
float64 = np.dtype("float64")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")
DEFAULT_DTYPE = float32
FLOAT_DTYPES = (float32, float64)


def _resolve_dtype(dtype):
    """Turn a dtype spec ("float64", np.float64, mg.float64) into a supported np.dtype."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unsupported dtype {dtype!r}: use float32, float64, an integer type or bool") from None
    if dt.kind == "f" and dt not in FLOAT_DTYPES:
        raise TypeError(f"unsupported dtype {dt}: minigrad computes in float32 (default) or float64")
    if dt.kind not in "fiub":
        raise TypeError(f"unsupported dtype {dt}: use float32, float64, an integer type or bool")
    return dt


def _to_array(data, dtype=None, device="cpu"):
    """Copy ``data`` into an array of a supported dtype on ``device``.

    Floating data becomes float32 unless ``dtype`` says otherwise (the engine's
    default); integer and boolean data keep their type (class labels, masks).
    """
    xp = backend.array_module(device)
    if isinstance(data, Tensor):
        data = data.data
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
    raise TypeError(
        f"cannot make a tensor from {type(data).__name__} with dtype {arr.dtype}: "
        "use real numbers (float32/float64), integers or booleans"
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
    # NumPy must hand `ndarray + tensor` to Tensor.__radd__ instead of looping itself.
    __array_ufunc__ = None
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

    @classmethod
    def _from_op(cls, data, ctx):
        """Wrap an op's result array without copying (``ctx`` None: no graph)."""
        t = cls.__new__(cls)
        t.data = data
        t.grad = None
        t._ctx = ctx
        t.requires_grad = ctx is not None
        if _state.scope:
            t.scope = _state.scope
        return t

    @classmethod
    def _constant(cls, result):
        """Wrap a non-differentiable result (NumPy scalars become 0-d arrays)."""
        if isinstance(result, np.generic):
            result = np.asarray(result)
        return cls._from_op(result, None)

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

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

    def to(self, device):
        """This tensor on ``device`` ("cpu" or "cuda"); differentiable across devices."""
        device = backend.check_device(device)
        if device == self.device:
            return self
        return _ops.to_device(self, device)

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    def astype(self, dtype):
        """This tensor converted to ``dtype`` (differentiable between float types)."""
        return _ops.astype(self, dtype)

    def float(self):
        return self.astype(float32)

    def double(self):
        return self.astype(float64)

    def backward(self, grad=None, retain_graph=None, create_graph=False):
        """Backpropagate from this tensor; see :func:`minigrad.autograd.backward`."""
        from minigrad.autograd import backward

        backward(self, grad, retain_graph=retain_graph, create_graph=create_graph)

    def zero_grad(self):
        """Reset the accumulated gradient (``self.grad = None``)."""
        self.grad = None

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

    # ------------------------------------------------------------------ operators
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.sub(self, other)

    def __rsub__(self, other):
        return _ops.sub(other, self)

    def __mul__(self, other):
        return _ops.mul(self, other)

    def __rmul__(self, other):
        return _ops.mul(other, self)

    def __truediv__(self, other):
        return _ops.div(self, other)

    def __rtruediv__(self, other):
        return _ops.div(other, self)

    def __pow__(self, other):
        return _ops.pow(self, other)

    def __rpow__(self, other):
        return _ops.pow(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # Comparisons are not differentiable: they return boolean tensors.
    def __lt__(self, other):
        return _ops.less(self, other)

    def __le__(self, other):
        return _ops.less_equal(self, other)

    def __gt__(self, other):
        return _ops.greater(self, other)

    def __ge__(self, other):
        return _ops.greater_equal(self, other)

    def __eq__(self, other):
        return _ops.equal(self, other)

    def __ne__(self, other):
        return _ops.not_equal(self, other)

    # ------------------------------------------------------------------ elementwise methods
    def abs(self):
        return _ops.abs(self)

    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def log1p(self):
        return _ops.log1p(self)

    def expm1(self):
        return _ops.expm1(self)

    def erf(self):
        return _ops.erf(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def sin(self):
        return _ops.sin(self)

    def cos(self):
        return _ops.cos(self)

    def tanh(self):
        return _ops.tanh(self)

    def sigmoid(self):
        return _ops.sigmoid(self)

    def relu(self):
        return _ops.relu(self)

    def clip(self, min=None, max=None):
        return _ops.clip(self, min, max)

    def maximum(self, other):
        return _ops.maximum(self, other)

    def minimum(self, other):
        return _ops.minimum(self, other)

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other`` (PyTorch's ``Tensor.where``)."""
        return _ops.where(condition, self, other)

    # ------------------------------------------------------------------ reductions
    def sum(self, axis=None, keepdims=False):
        return _ops.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        return _ops.mean(self, axis, keepdims)

    def var(self, axis=None, ddof=0, keepdims=False):
        return _ops.var(self, axis, ddof, keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        return _ops.std(self, axis, ddof, keepdims)

    def max(self, axis=None, keepdims=False):
        return _ops.max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        return _ops.min(self, axis, keepdims)

    def argmax(self, axis=None, keepdims=False):
        return _ops.argmax(self, axis, keepdims)

    def argmin(self, axis=None, keepdims=False):
        return _ops.argmin(self, axis, keepdims)

    def any(self, axis=None, keepdims=False):
        return Tensor._constant(self.data.any(axis=axis, keepdims=keepdims))

    def all(self, axis=None, keepdims=False):
        return Tensor._constant(self.data.all(axis=axis, keepdims=keepdims))

    def logsumexp(self, axis=None, keepdims=False):
        return _ops.logsumexp(self, axis, keepdims)

    def softmax(self, axis=-1):
        return _ops.softmax(self, axis)

    def log_softmax(self, axis=-1):
        return _ops.log_softmax(self, axis)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        return _ops.reshape(self, *shape)

    def flatten(self, start_axis=0):
        return _ops.flatten(self, start_axis)

    def transpose(self, *axes):
        return _ops.transpose(self, *axes)

    def permute(self, *axes):
        return _ops.permute(self, *axes)

    def swapaxes(self, axis1, axis2):
        return _ops.swapaxes(self, axis1, axis2)

    @property
    def T(self):
        """The transpose (all axes reversed, as in NumPy)."""
        return _ops.transpose(self)

    def broadcast_to(self, *shape):
        return _ops.broadcast_to(self, *shape)

    def squeeze(self, axis=None):
        return _ops.squeeze(self, axis)

    def unsqueeze(self, axis):
        return _ops.unsqueeze(self, axis)

    def expand_dims(self, axis):
        return _ops.unsqueeze(self, axis)


def tensor(data, requires_grad=False, dtype=None, device="cpu"):
    """Create a leaf Tensor from data (copied); see :class:`Tensor`."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def as_tensor(x, like=None):
    """``x`` as a Tensor, without copying a Tensor; used for the operands of ops.

    Numbers take ``like``'s dtype when it is floating (``x_float32 * 2.0`` stays
    float32) and follow NumPy's promotion otherwise; arrays of numbers are cast to
    ``like``'s floating dtype. Everything lands on ``like``'s device.
    """
    if isinstance(x, Tensor):
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


from minigrad import ops as _ops  # noqa: E402  (the ops need Tensor defined first)
from minigrad.ops import function as _function  # noqa: E402
from minigrad.ops.axes import accepts_dim_aliases as _dim_aliases, takes_axis as _takes_axis  # noqa: E402

_function._from_op = Tensor._from_op

# PyTorch's dim=/keepdim= for every method that takes axis=/keepdims= (sum, softmax, squeeze, ...)
for _name, _method in list(vars(Tensor).items()):
    if not _name.startswith("_") and _takes_axis(_method):
        setattr(Tensor, _name, _dim_aliases(_method))
del _name, _method

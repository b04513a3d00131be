"""The Tensor methods that are ops, in one table: ``t.exp()`` is ``mg.exp(t)``, ``a + b`` is ``mg.add(a, b)``.

:mod:`minigrad.tensor` defines what a tensor is (data, gradient, graph links, the
rules of in-place changes) and imports no op; the ops import it. This module closes
the loop from above: it attaches each op to the class as a method when
``minigrad.ops`` is imported, so every import runs one way (autograd → tensor →
ops). Most methods *are* the op functions, whose first argument is the tensor; the
few that differ (reflected operators, in-place forms, ``where``) are written here.
"""

from __future__ import annotations

import builtins

import numpy as np

from minigrad import backend
from minigrad.ops import arithmetic, conversion, indexing, linalg, reduction, selection, shape, unary
from minigrad.ops.axes import accepts_dim_aliases
from minigrad.ops.softmax import log_softmax, logsumexp, softmax
from minigrad.ops import gather_scatter, padding, rearrange, sorting, splitting, triangular
from minigrad.ops.one_hot import one_hot
from minigrad.tensor import Tensor, _resolve_dtype
from minigrad.ops import (
    bitwise, cumulative, division, exponential, interpolation, nonfinite, pytorch_names, rounding, trigonometric,
)

__all__ = ["METHODS", "attach"]


def _reflected(op):
    """``other <op> self`` for the reflected operators (``2 - t`` calls ``t.__rsub__(2)``)."""
    def method(self, other):
        return op(other, self)

    method.__name__ = f"__r{op.__name__}__"
    return method


def _in_place(name, op):
    """The in-place form of ``op`` (``t += x``, ``t.add_(x)``): see ``Tensor._inplace``."""
    def method(self, *args, **kwargs):
        if kwargs:  # t.clamp_(min=0.0): keyword arguments go to op
            return self._inplace(name, lambda t, *a: op(t, *a, **kwargs), *args)
        return self._inplace(name, op, *args)

    method.__name__ = name
    method.__doc__ = f"self ← {op.__name__}(self, ...), in place; returns self (see Tensor._inplace)."
    return method


def _replace(t, value):
    """``value`` broadcast to ``t``'s shape, as a differentiable op (fill_, zero_ and copy_)."""
    return selection.where(backend.module_of(t.data).zeros(t.shape, dtype=bool), t, value)


def where(self, condition, other):
    """``self`` where ``condition`` holds, else ``other`` (PyTorch's ``Tensor.where``)."""
    return selection.where(condition, self, other)


def to(self, target=None, dtype=None):
    """This tensor on a device ("cpu" or "cuda") or as a dtype, as PyTorch's ``Tensor.to``:
    ``x.to("cuda")``, ``x.to(mg.float64)``, ``x.to("cuda", dtype="float64")``.
    Differentiable across devices and between float dtypes (see ``astype``)."""
    out = self
    if target is not None:
        name = str(target).lower()
        if not isinstance(target, str) or not name.startswith(backend.DEVICES):
            try:
                np.dtype(target)
            except TypeError:
                raise ValueError(f"to: unknown device {target!r}: minigrad supports 'cpu' and 'cuda' "
                                 "(or give a dtype: float32, float64, int64, bool)") from None
            as_dtype = _resolve_dtype(target)  # a dtype minigrad does not compute in says so
            if dtype is not None:
                raise TypeError(f"to: got the dtype {target!r} and dtype={dtype!r}; pass one")
            return conversion.astype(out, as_dtype)
        device = backend.check_device(target)
        out = out if device == out.device else conversion.to_device(out, device)
    return out if dtype is None else conversion.astype(out, dtype)


@accepts_dim_aliases
def any(self, axis=None, keepdims=False):
    """Whether any element (along ``axis``) is nonzero: a boolean tensor, not differentiable."""
    return Tensor.constant(self.data.any(axis=axis, keepdims=keepdims))


@accepts_dim_aliases
def all(self, axis=None, keepdims=False):
    """Whether every element (along ``axis``) is nonzero: a boolean tensor, not differentiable."""
    return Tensor.constant(self.data.all(axis=axis, keepdims=keepdims))


def zero_(self):
    """Set every element to 0; returns self."""
    return self._inplace("zero_", _replace, 0)


# The NumPy ufuncs that have a Tensor op of the same meaning (see __array_ufunc__).
_UFUNC_OPS = {
    np.add: arithmetic.add, np.subtract: arithmetic.sub, np.multiply: arithmetic.mul,
    np.true_divide: arithmetic.div, np.power: arithmetic.pow, np.matmul: linalg.matmul,
    np.negative: arithmetic.neg, np.absolute: unary.abs, np.exp: unary.exp, np.log: unary.log,
    np.sqrt: unary.sqrt, np.sin: unary.sin, np.cos: unary.cos, np.tanh: unary.tanh,
    np.maximum: selection.maximum, np.minimum: selection.minimum, np.less: selection.less,
    np.less_equal: selection.less_equal, np.greater: selection.greater,
    np.greater_equal: selection.greater_equal, np.equal: selection.equal, np.not_equal: selection.not_equal,
    np.remainder: division.remainder, np.floor_divide: division.floor_divide, np.bitwise_and: bitwise.bitwise_and,
    np.bitwise_or: bitwise.bitwise_or, np.bitwise_xor: bitwise.bitwise_xor, np.invert: bitwise.bitwise_not,
    np.log2: exponential.log2, np.log10: exponential.log10, np.exp2: exponential.exp2,
    np.logaddexp: exponential.logaddexp, np.sign: rounding.sign, np.floor: rounding.floor,
    np.ceil: rounding.ceil, np.trunc: rounding.trunc, np.tan: trigonometric.tan, np.arcsin: trigonometric.asin,
    np.arccos: trigonometric.acos, np.arctan: trigonometric.atan, np.sinh: trigonometric.sinh,
    np.cosh: trigonometric.cosh, np.arcsinh: trigonometric.asinh, np.arccosh: trigonometric.acosh,
    np.arctanh: trigonometric.atanh, np.isnan: nonfinite.isnan, np.isinf: nonfinite.isinf,
    np.isfinite: nonfinite.isfinite,
}


def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
    """NumPy meeting a Tensor: ``array -= tensor`` updates the array in place (so
    ``p.data -= lr * p.grad`` works), and ``array + tensor``, ``np.exp(tensor)`` ...
    give the Tensor op's result."""
    if method != "__call__" or kwargs:
        return NotImplemented
    if out is not None:
        if builtins.any(isinstance(o, Tensor) for o in out):
            return NotImplemented
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        return ufunc(*arrays, out=out[0] if len(out) == 1 else out)
    op = _UFUNC_OPS.get(ufunc)
    return NotImplemented if op is None else op(*inputs)


METHODS = {
    # operators (numbers and arrays on either side)
    "__add__": arithmetic.add, "__radd__": _reflected(arithmetic.add),
    "__sub__": arithmetic.sub, "__rsub__": _reflected(arithmetic.sub),
    "__mul__": arithmetic.mul, "__rmul__": _reflected(arithmetic.mul),
    "__truediv__": arithmetic.div, "__rtruediv__": _reflected(arithmetic.div),
    "__pow__": arithmetic.pow, "__rpow__": _reflected(arithmetic.pow),
    "__matmul__": linalg.matmul, "__rmatmul__": _reflected(linalg.matmul),
    "__neg__": arithmetic.neg, "__abs__": unary.abs, "__getitem__": indexing.getitem,
    "__array_ufunc__": __array_ufunc__,
    # comparisons: not differentiable, boolean results
    "__lt__": selection.less, "__le__": selection.less_equal, "__gt__": selection.greater,
    "__ge__": selection.greater_equal, "__eq__": selection.equal, "__ne__": selection.not_equal,
    # in place
    "__iadd__": _in_place("add_", arithmetic.add), "__isub__": _in_place("sub_", arithmetic.sub),
    "__imul__": _in_place("mul_", arithmetic.mul), "__itruediv__": _in_place("div_", arithmetic.div),
    "add_": _in_place("add_", arithmetic.add), "sub_": _in_place("sub_", arithmetic.sub),
    "mul_": _in_place("mul_", arithmetic.mul), "div_": _in_place("div_", arithmetic.div),
    "clamp_": _in_place("clamp_", unary.clip), "fill_": _in_place("fill_", _replace),
    "copy_": _in_place("copy_", _replace), "zero_": zero_,
    # elementwise
    "abs": unary.abs, "exp": unary.exp, "log": unary.log, "log1p": unary.log1p, "expm1": unary.expm1,
    "erf": unary.erf, "sqrt": unary.sqrt, "sin": unary.sin, "cos": unary.cos, "tanh": unary.tanh,
    "sigmoid": unary.sigmoid, "relu": unary.relu, "clip": unary.clip,
    "maximum": selection.maximum, "minimum": selection.minimum, "where": where,
    # reductions (axis=/keepdims=, or dim=/keepdim=)
    "sum": reduction.sum, "mean": reduction.mean, "var": reduction.var, "std": reduction.std,
    "max": reduction.max, "min": reduction.min, "any": any, "all": all, "argmax": reduction.argmax, "argmin": reduction.argmin,
    "logsumexp": logsumexp, "softmax": softmax, "log_softmax": log_softmax,
    # shape
    "reshape": shape.reshape, "flatten": shape.flatten, "transpose": shape.transpose,
    "permute": shape.permute, "swapaxes": shape.swapaxes,
    "T": property(shape.transpose, doc="The transpose (all axes reversed, as in NumPy)."),
    "broadcast_to": shape.broadcast_to, "squeeze": shape.squeeze, "unsqueeze": shape.unsqueeze,
    "expand_dims": shape.unsqueeze,
    # dtype and device
    "astype": conversion.astype, "to": to,
    # padding, rearranging, cutting (repeat is PyTorch's: a tile; np.repeat is repeat_interleave)
    "pad": padding.pad, "flip": rearrange.flip, "roll": rearrange.roll, "tile": rearrange.tile,
    "repeat": rearrange.repeat, "repeat_interleave": rearrange.repeat_interleave,
    "split": splitting.split, "chunk": splitting.chunk, "unflatten": splitting.unflatten,
    "tril": triangular.tril, "triu": triangular.triu, "diagonal": triangular.diagonal, "diag": triangular.diag,
    # gather/scatter, masks, sorting
    "gather": gather_scatter.gather, "scatter": gather_scatter.scatter, "scatter_add": gather_scatter.scatter_add,
    "masked_fill": gather_scatter.masked_fill, "masked_select": gather_scatter.masked_select,
    "nonzero": gather_scatter.nonzero, "sort": sorting.sort, "argsort": sorting.argsort, "topk": sorting.topk,
    "one_hot": one_hot,
    # more elementwise ops
    "log2": exponential.log2, "log10": exponential.log10, "exp2": exponential.exp2, "rsqrt": exponential.rsqrt,
    "logaddexp": exponential.logaddexp, "lerp": interpolation.lerp,
    "sign": rounding.sign, "floor": rounding.floor, "ceil": rounding.ceil, "round": rounding.round,
    "trunc": rounding.trunc, "__round__": rounding.round,
    "tan": trigonometric.tan, "asin": trigonometric.asin, "acos": trigonometric.acos, "atan": trigonometric.atan,
    "sinh": trigonometric.sinh, "cosh": trigonometric.cosh, "asinh": trigonometric.asinh,
    "acosh": trigonometric.acosh, "atanh": trigonometric.atanh,
    "isnan": nonfinite.isnan, "isinf": nonfinite.isinf, "isfinite": nonfinite.isfinite,
    "__mod__": division.remainder, "__rmod__": _reflected(division.remainder),
    "__floordiv__": division.floor_divide, "__rfloordiv__": _reflected(division.floor_divide),
    "remainder": division.remainder, "floor_divide": division.floor_divide,
    "__and__": bitwise.bitwise_and, "__rand__": _reflected(bitwise.bitwise_and),
    "__or__": bitwise.bitwise_or, "__ror__": _reflected(bitwise.bitwise_or),
    "__xor__": bitwise.bitwise_xor, "__rxor__": _reflected(bitwise.bitwise_xor), "__invert__": bitwise.bitwise_not,
    # more reductions, running ones included
    "prod": reduction.prod, "cumsum": cumulative.cumsum, "cumprod": cumulative.cumprod,
    "cummax": cumulative.cummax, "cummin": cumulative.cummin, "logcumsumexp": cumulative.logcumsumexp,
    # PyTorch's spellings
    "numel": pytorch_names.numel, "clone": pytorch_names.clone, "t": pytorch_names.t, "view": pytorch_names.view,
    "expand": pytorch_names.expand, "long": pytorch_names.to_long, "int": pytorch_names.to_int,
    "bool": pytorch_names.to_bool, "clamp": pytorch_names.clamp,
}


def attach():
    """Make every entry of :data:`METHODS` a method (or property) of :class:`Tensor`."""
    for name, method in METHODS.items():
        setattr(Tensor, name, method)

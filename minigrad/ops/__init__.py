"""Differentiable tensor ops, one family per module.

Every op is a :class:`~minigrad.autograd.Function` (forward on arrays,
backward in Tensor ops) plus a plain function that is also a ``Tensor`` method
and available as ``mg.<name>``.
"""

from minigrad.autograd import Function
from minigrad.ops.arithmetic import add, div, mul, neg, pow, sub
from minigrad.ops.broadcast import unbroadcast
from minigrad.ops.conversion import astype, to_device
from minigrad.ops.indexing import concat, getitem, stack
from minigrad.ops.linalg import matmul
from minigrad.ops.normalization import batch_norm_train
from minigrad.ops.reduction import argmax, argmin, max, mean, min, std, sum, var
from minigrad.ops.selection import (
    equal, greater, greater_equal, less, less_equal, maximum, minimum, not_equal, where,
)
from minigrad.ops.shape import (
    broadcast_to, flatten, permute, reshape, squeeze, swapaxes, transpose, unsqueeze,
)
from minigrad.ops.softmax import log_softmax, logsumexp, softmax
from minigrad.ops.unary import abs, clip, cos, erf, exp, expm1, log, log1p, relu, sigmoid, sin, sqrt, tanh
from minigrad.ops.einsum import einsum
from minigrad.ops.gather_scatter import gather, masked_fill, masked_select, nonzero, scatter, scatter_add
from minigrad.ops.meshgrid import meshgrid
from minigrad.ops.one_hot import one_hot
from minigrad.ops.padding import pad
from minigrad.ops.rearrange import flip, repeat, repeat_interleave, roll, tile
from minigrad.ops.sorting import argsort, sort, topk
from minigrad.ops.splitting import chunk, split, unflatten
from minigrad.ops.triangular import diag, diagonal, tril, triu
from minigrad.ops.bitwise import bitwise_and, bitwise_not, bitwise_or, bitwise_xor
from minigrad.ops.cumulative import cummax, cummin, cumprod, cumsum, logcumsumexp
from minigrad.ops.division import floor_divide, remainder
from minigrad.ops.exponential import exp2, log2, log10, logaddexp, rsqrt
from minigrad.ops.interpolation import lerp
from minigrad.ops.nonfinite import isfinite, isinf, isnan
from minigrad.ops.pytorch_names import cat, clamp, clone, expand, numel, t, view
from minigrad.ops.reduction import prod
from minigrad.ops.rounding import ceil, floor, round, sign, trunc
from minigrad.ops.trigonometric import acos, acosh, asin, asinh, atan, atanh, cosh, sinh, tan

__all__ = [
    "Function", "unbroadcast",
    "add", "sub", "mul", "div", "neg", "pow", "matmul",
    "abs", "exp", "log", "log1p", "expm1", "erf", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "clip",
    "maximum", "minimum", "where",
    "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
    "sum", "mean", "var", "std", "max", "min", "argmax", "argmin",
    "logsumexp", "softmax", "log_softmax",
    "reshape", "flatten", "transpose", "permute", "swapaxes", "broadcast_to", "squeeze", "unsqueeze",
    "getitem", "concat", "stack",
    "astype", "to_device",
    "batch_norm_train",
    "pad", "flip", "roll", "tile", "repeat", "repeat_interleave", "split", "chunk", "unflatten",
    "tril", "triu", "diagonal", "diag", "meshgrid",
    "gather", "scatter", "scatter_add", "masked_fill", "masked_select", "nonzero",
    "sort", "argsort", "topk", "one_hot", "einsum",
    "log2", "log10", "exp2", "rsqrt", "logaddexp", "lerp", "isnan", "isinf", "isfinite",
    "sign", "floor", "ceil", "round", "trunc",
    "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
    "remainder", "floor_divide", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "prod", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
    "numel", "clone", "t", "view", "expand", "cat", "clamp",
]


def _tables():
    """Two properties of the ops, one table each (read by Function.apply and backward)."""
    from minigrad.dtypes import FLOAT, PROMOTE
    from minigrad.ops import arithmetic, conversion, indexing, linalg, reduction, selection, shape, unary
    from minigrad.ops.mask import MaskedGrad
    from minigrad.ops.softmax import LogSoftmax, LogSumExp, Softmax
    from minigrad.ops import gather_scatter, padding, rearrange, triangular
    from minigrad.ops.einsum import Einsum

    # Integer inputs: FLOAT ops compute on floats (e^3 is not an integer); PROMOTE ops
    # compute an integer operand in its floating partner's dtype (int + float32 → float32).
    float_ops = (
        arithmetic.Div, arithmetic.DivScalar, arithmetic.RDivScalar,
        unary.Exp, unary.Log, unary.Log1p, unary.Expm1, unary.Erf, unary.Sqrt, unary.Sin, unary.Cos,
        unary.Tanh, unary.Sigmoid, unary.Softplus, reduction.Mean, LogSumExp, Softmax, LogSoftmax,
    )
    promoting_ops = (
        arithmetic.Add, arithmetic.Sub, arithmetic.Mul, arithmetic.Pow, linalg.MatMul, linalg.Affine,
        selection.Where, selection.Maximum, selection.Minimum, indexing.Concat, indexing.Stack,
        gather_scatter.Scatter, Einsum,
    )
    from minigrad.ops import cumulative, division, exponential, interpolation, pytorch_names, trigonometric

    float_ops += (
        exponential.Log2, exponential.Log10, exponential.Exp2, exponential.Rsqrt, exponential.LogAddExp,
        interpolation.Lerp, cumulative.LogCumSumExp,
        trigonometric.Tan, trigonometric.Asin, trigonometric.Acos, trigonometric.Atan, trigonometric.Sinh,
        trigonometric.Cosh, trigonometric.Asinh, trigonometric.Acosh, trigonometric.Atanh,
    )
    promoting_ops += (division.Remainder, division.FloorDivide)
    for op in float_ops:
        op.dtype_rule = FLOAT
    for op in promoting_ops:
        op.dtype_rule = PROMOTE

    # Backward passes that read only their inputs' shapes: changing such an input in
    # place after the op ran does not make its gradient wrong.
    shape_only = (
        arithmetic.Add, arithmetic.Sub, arithmetic.Neg, arithmetic.AddScalar, arithmetic.RSubScalar,
        arithmetic.MulScalar, arithmetic.DivScalar, reduction.Sum, reduction.Mean, shape.Reshape,
        shape.Transpose, shape.BroadcastTo, indexing.GetItem, indexing.ScatterAdd, indexing.Concat,
        indexing.Stack, conversion.AsType, conversion.ToDevice, MaskedGrad,
        padding.PadConstant, rearrange.Flip, rearrange.Roll, triangular.Tril, triangular.Triu, gather_scatter.Scatter,
    )
    shape_only += (cumulative.CumSum, pytorch_names.Clone)
    for op in shape_only:
        op.needs_inputs = False


_tables()

from minigrad.ops import methods as _methods  # noqa: E402  (needs every op above)

_methods.attach()

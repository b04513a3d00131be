"""Differentiable tensor ops, one family per module.

Every op is a :class:`~minigrad.ops.function.Function` (forward on arrays,
backward in Tensor ops) plus a plain function that is also a ``Tensor`` method
and available as ``mg.<name>``.
"""

from minigrad.ops.arithmetic import add, div, mul, neg, pow, sub
from minigrad.ops.broadcast import unbroadcast
from minigrad.ops.conversion import astype, to_device
from minigrad.ops.function import Function
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
]

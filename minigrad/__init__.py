"""minigrad: a small, readable reverse-mode autograd engine for learning deep learning.

Two engines share one graph core (:mod:`minigrad.autograd`):

* :class:`Value` -- a scalar, micrograd style, for following backpropagation by hand;
* :class:`Tensor` -- NumPy arrays with broadcasting, for training real networks.

Quick tour::

    import minigrad as mg

    a = mg.Value(2.0); b = mg.Value(-3.0)
    c = (a * b).tanh(); c.backward()           # a.grad, b.grad

    x = mg.randn(4, 3, requires_grad=True)
    y = (x @ x.T).softmax(axis=-1).sum(); y.backward()   # x.grad
    mg.gradcheck(lambda x: (x @ x.T).softmax(axis=-1), x)  # True
"""

from minigrad._version import __version__

from minigrad import autograd, ops  # ops first: it gives Tensor its methods
from minigrad import data, metrics, nn, optim, quant, train
from minigrad.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.creation import arange, eye, full, ones, ones_like, rand, randn, zeros, zeros_like
from minigrad.creation import empty, full_like, linspace, rand_like, randint, randn_like
from minigrad.gradcheck import GradcheckError, gradcheck, gradgradcheck
from minigrad.io import CheckpointError, load, save
from minigrad.ops import (
    abs, add, argmax, argmin, broadcast_to, clip, concat, cos, div, erf, exp, expm1, flatten, log, log1p, log_softmax,
    logsumexp, matmul, max, maximum, mean, min, minimum, mul, neg, permute, pow, relu, reshape,
    sigmoid, sin, softmax, sqrt, squeeze, stack, std, sub, sum, swapaxes, tanh, transpose,
    unbroadcast, unsqueeze, var, where,
)
from minigrad.ops import (
    argsort, chunk, diag, diagonal, einsum, flip, gather, masked_fill, masked_select, meshgrid, nonzero, one_hot,
    pad, repeat, repeat_interleave, roll, scatter, scatter_add, sort, split, tile, topk, tril, triu, unflatten,
    acos, acosh, asin, asinh, atan, atanh, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, cat, ceil, clone,
    cosh, cummax, cummin, cumprod, cumsum, exp2, expand, floor, floor_divide, isfinite, isinf, isnan, lerp, log2,
    log10, logaddexp, logcumsumexp, numel, prod, remainder, round, rsqrt, sign, sinh, t, tan, trunc, view,
)
from minigrad.ops import clamp
from minigrad.rng import manual_seed
from minigrad.scalar import Value
from minigrad.tensor import Tensor, as_tensor, bool_, float32, float64, int64, tensor

__all__ = [
    "__version__", "autograd", "nn", "optim", "train", "data", "metrics", "quant",
    "save", "load", "CheckpointError", "Value", "Tensor", "tensor", "as_tensor",
    "float32", "float64", "int64", "bool_",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "zeros", "ones", "full", "randn", "rand", "arange", "eye", "zeros_like", "ones_like", "manual_seed",
    "gradcheck", "gradgradcheck", "GradcheckError",
    "add", "sub", "mul", "div", "neg", "pow", "matmul",
    "abs", "exp", "log", "log1p", "expm1", "erf", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "clip",
    "maximum", "minimum", "where",
    "sum", "mean", "var", "std", "max", "min", "argmax", "argmin",
    "logsumexp", "softmax", "log_softmax",
    "reshape", "flatten", "transpose", "permute", "swapaxes", "broadcast_to", "squeeze", "unsqueeze",
    "concat", "stack", "unbroadcast",
    "pad", "flip", "roll", "tile", "repeat", "repeat_interleave", "split", "chunk", "unflatten",
    "tril", "triu", "diagonal", "diag", "meshgrid",
    "gather", "scatter", "scatter_add", "masked_fill", "masked_select", "nonzero",
    "sort", "argsort", "topk", "one_hot", "einsum",
    "linspace", "randint", "empty", "full_like", "rand_like", "randn_like",
    "log2", "log10", "exp2", "rsqrt", "logaddexp", "lerp", "isnan", "isinf", "isfinite",
    "sign", "floor", "ceil", "round", "trunc",
    "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
    "remainder", "floor_divide", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "prod", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
    "numel", "clone", "t", "view", "expand", "cat", "clamp",
]

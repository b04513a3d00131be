"""Bitwise and logical operators on integer and boolean tensors: ``& | ^ ~``.

On booleans they are the logical and, or, exclusive or and not (how masks are
combined: ``(x > 0) & (x < 1)``); on integers they act on the two's-complement
bits, as in NumPy and PyTorch. They are not differentiable (the inputs are not
real numbers) and return constant tensors. A floating tensor is a TypeError:
its bits are not a number's value.
"""

from __future__ import annotations

import numpy as np

from minigrad.ops.arithmetic import _operands
from minigrad.tensor import Tensor, as_tensor

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"]


def _check(op, t):
    if t.dtype.kind not in "iub":
        raise TypeError(
            f"{op}: needs integer or boolean tensors, got {t.dtype} (for masks compare first, e.g. (x > 0) & (x < 1))"
        )


def _binary(name, ufunc, symbol):
    def op(a, b):
        a, b = _operands(a, b)
        _check(name, a)
        _check(name, b)
        try:
            return Tensor.constant(ufunc(a.data, b.data))
        except ValueError:
            raise ValueError(f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``a {symbol} b`` elementwise on integer or boolean tensors (not differentiable)."
    return op


bitwise_and = _binary("bitwise_and", np.bitwise_and, "&")
bitwise_or = _binary("bitwise_or", np.bitwise_or, "|")
bitwise_xor = _binary("bitwise_xor", np.bitwise_xor, "^")


def bitwise_not(x):
    """``~x``: logical not of a boolean tensor, bitwise complement of an integer one."""
    x = as_tensor(x)
    _check("bitwise_not", x)
    return Tensor.constant(np.invert(x.data))

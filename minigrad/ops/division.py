"""Floor division and remainder: ``a // b`` and ``a % b``, with Python's (NumPy's) signs.

``a // b = floor(a / b)`` and ``a % b = a − b · floor(a / b)``, so the remainder
takes the sign of the divisor (``-7 % 3 == 2``, ``7 % -3 == -2``), as in Python,
NumPy's ``floor_divide``/``remainder`` and PyTorch's ``floor_divide``/``remainder``.

Derivatives (away from the jumps, where a / b is an integer), as in PyTorch:

=========  ==========  ===================
op         d/da        d/db
=========  ==========  ===================
a % b      1           −floor(a / b)
a // b     0           0
=========  ==========  ===================

``floor(a / b)`` in the remainder's backward is the :func:`~minigrad.ops.rounding.floor`
op, whose own derivative is 0, so second derivatives come out exact.

Integer tensors give integer results. An integer division by zero raises
ZeroDivisionError (NumPy would return 0 with a warning; PyTorch raises too); a
floating one gives inf or NaN, as IEEE 754 says.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.arithmetic import _number_operands
from minigrad.ops.broadcast import unbroadcast
from minigrad.ops.mask import mask_grad
from minigrad.ops.rounding import floor

__all__ = ["remainder", "floor_divide"]


class _Division(Function):
    """Base of ``%`` and ``//``: ``rule`` (a NumPy ufunc) with integer division by 0 refused."""

    rule = None

    def forward(self, a, b):
        if a.dtype.kind in "iub" and b.dtype.kind in "iub" and (b == 0).any():
            raise ZeroDivisionError(f"{self.name}: integer division by zero (a divisor element is 0)")
        with np.errstate(divide="ignore", invalid="ignore"):
            return type(self).rule(a, b)


class Remainder(_Division):
    name = "remainder"
    rule = staticmethod(np.remainder)

    def backward(self, g):
        a, b = self.inputs
        return (
            unbroadcast(g, a.shape) if a.requires_grad else None,
            unbroadcast(-g * floor(a / b), b.shape) if b.requires_grad else None,
        )


class FloorDivide(_Division):
    name = "floor_divide"
    rule = staticmethod(np.floor_divide)

    def backward(self, g):
        a, b = self.inputs
        return (
            mask_grad(unbroadcast(g, a.shape), a, 0.0) if a.requires_grad else None,
            mask_grad(unbroadcast(g, b.shape), b, 0.0) if b.requires_grad else None,
        )


def _binary(cls, a, b):
    # an integer tensor meeting a fractional number computes in the default float dtype (as + - * /)
    return cls.apply(*_number_operands(a, b))


def remainder(a, b):
    """a mod b with the sign of b (Python's ``%``); numbers and arrays on either side."""
    return _binary(Remainder, a, b)


def floor_divide(a, b):
    """floor(a / b) (Python's ``//``); integers stay integers; gradient 0."""
    return _binary(FloorDivide, a, b)

"""Step functions: sign, floor, ceil, round, trunc.

Each is constant between its jumps (the integers for floor, ceil and trunc, the
half-integers for round, 0 for sign), so its derivative is 0 wherever it exists;
at a jump there is none, and 0 is used there too, as PyTorch does. Backward is
``g · 0`` recorded with the input (:func:`~minigrad.ops.mask.mask_grad`), so
every higher derivative is an exact 0 as well rather than an error.

=====  =====================================  ==========
op     forward                                derivative
=====  =====================================  ==========
sign   −1, 0 or 1 (NaN stays NaN)             0
floor  largest integer ≤ x                    0
ceil   smallest integer ≥ x                   0
round  nearest integer, halves to even        0
trunc  integer part, towards 0                0
=====  =====================================  ==========

Integer and boolean tensors keep their dtype (``floor`` of an int64 tensor is the
same int64 values; NumPy would return float64). ``round`` rounds half to even,
as NumPy and PyTorch do (``round(0.5) == 0``, ``round(1.5) == 2``; IEEE 754
"roundTiesToEven"), and takes NumPy's ``decimals``.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.mask import mask_grad
from minigrad.tensor import as_tensor

__all__ = ["sign", "floor", "ceil", "round", "trunc"]


def _integral(a):
    return a.dtype.kind in "iub"


class Step(Function):
    """Base of the step functions: ``rule`` on floats, integers unchanged; gradient 0."""

    name = "step"
    rule = None

    def forward(self, a):
        if _integral(a):
            return a.copy()
        return type(self).rule(a)

    def backward(self, g):
        return (mask_grad(g, self.inputs[0], 0.0),)


class Sign(Step):
    name = "sign"

    def forward(self, a):
        return a.copy() if a.dtype.kind == "b" else np.sign(a)


class Floor(Step):
    name = "floor"
    rule = staticmethod(np.floor)


class Ceil(Step):
    name = "ceil"
    rule = staticmethod(np.ceil)


class Trunc(Step):
    name = "trunc"
    rule = staticmethod(np.trunc)


class Round(Step):
    name = "round"

    def forward(self, a, decimals):
        if _integral(a) and decimals >= 0:
            return a.copy()
        return np.round(a, decimals)


def sign(x):
    """−1, 0 or +1 by the sign of x (NaN stays NaN); gradient 0."""
    return Sign.apply(as_tensor(x))


def floor(x):
    """Largest integer ≤ x elementwise; gradient 0."""
    return Floor.apply(as_tensor(x))


def ceil(x):
    """Smallest integer ≥ x elementwise; gradient 0."""
    return Ceil.apply(as_tensor(x))


def trunc(x):
    """x rounded towards 0 elementwise; gradient 0."""
    return Trunc.apply(as_tensor(x))


def round(x, decimals=0):
    """x rounded to ``decimals`` decimal places, halves to even (NumPy's ``round``); gradient 0."""
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"round: decimals must be an int, got {decimals!r}")
    return Round.apply(as_tensor(x), decimals=int(decimals))

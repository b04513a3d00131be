"""Exponentials and logarithms in other bases, the reciprocal square root, and logaddexp.

=========  =======================  ===========================================
op         forward                  derivative used by backward
=========  =======================  ===========================================
log2       log₂ x = ln x / ln 2     1 / (x ln 2)
log10      log₁₀ x = ln x / ln 10   1 / (x ln 10)
exp2       2^x                      2^x · ln 2        (the saved output)
rsqrt      1/√x                     -½ x^(-3/2) = -½ y³   (y the saved output)
logaddexp  ln(e^a + e^b)            d/da = σ(a − b),  d/db = σ(b − a)
=========  =======================  ===========================================

``logaddexp`` is computed by NumPy's ``np.logaddexp`` (max(a, b) + ln(1 + e^-|a−b|)),
so it never overflows; its derivatives are the sigmoid op, so every order is exact.
Integer inputs compute in the default float dtype (the FLOAT rule of
:mod:`minigrad.dtypes`). Reference: Abramowitz & Stegun, *Handbook of
Mathematical Functions*, §4.1-4.2.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.arithmetic import _number_operands
from minigrad.ops.broadcast import unbroadcast
from minigrad.tensor import as_tensor

__all__ = ["log2", "log10", "exp2", "rsqrt", "logaddexp"]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


class Log2(Function):
    name = "log2"

    def forward(self, a):
        return np.log2(a)

    def backward(self, g):
        return (g / (self.inputs[0] * _LN2),)


class Log10(Function):
    name = "log10"

    def forward(self, a):
        return np.log10(a)

    def backward(self, g):
        return (g / (self.inputs[0] * _LN10),)


class Exp2(Function):
    name = "exp2"
    saves_output = True

    def forward(self, a):
        return np.exp2(a)

    def backward(self, g):
        return (g * self.output() * _LN2,)


class Rsqrt(Function):
    name = "rsqrt"
    saves_output = True

    def forward(self, a):
        with np.errstate(divide="ignore"):  # 1/√0 = inf, as in PyTorch
            return 1.0 / np.sqrt(a)

    def backward(self, g):
        y = self.output()
        return (g * (y * y * y) * -0.5,)


class LogAddExp(Function):
    name = "logaddexp"

    def forward(self, a, b):
        return np.logaddexp(a, b)

    def backward(self, g):
        a, b = self.inputs
        return (
            unbroadcast(g * (a - b).sigmoid(), a.shape) if a.requires_grad else None,
            unbroadcast(g * (b - a).sigmoid(), b.shape) if b.requires_grad else None,
        )


def log2(x):
    """Base-2 logarithm elementwise (−inf at 0, NaN below, as NumPy)."""
    return Log2.apply(as_tensor(x))


def log10(x):
    """Base-10 logarithm elementwise (−inf at 0, NaN below, as NumPy)."""
    return Log10.apply(as_tensor(x))


def exp2(x):
    """2^x elementwise."""
    return Exp2.apply(as_tensor(x))


def rsqrt(x):
    """1/√x elementwise (PyTorch's ``rsqrt``): inf at 0, NaN below."""
    return Rsqrt.apply(as_tensor(x))


def logaddexp(a, b):
    """ln(e^a + e^b) elementwise (broadcasting), without overflow for large a or b."""
    return LogAddExp.apply(*_number_operands(a, b))

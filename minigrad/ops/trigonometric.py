"""Circular and hyperbolic functions and their inverses (sin, cos, tanh live in :mod:`unary`).

=====  ==================  ===================================
op     forward             derivative used by backward
=====  ==================  ===================================
tan    tan x               1 + tan²x = sec²x   (the saved output)
asin   arcsin x, |x| ≤ 1   1 / √(1 − x²)
acos   arccos x, |x| ≤ 1   −1 / √(1 − x²)
atan   arctan x            1 / (1 + x²)
sinh   sinh x              cosh x
cosh   cosh x              sinh x
asinh  arsinh x            1 / √(x² + 1)
acosh  arcosh x, x ≥ 1     1 / √(x² − 1)
atanh  artanh x, |x| < 1   1 / (1 − x²)
=====  ==================  ===================================

Outside their domains the functions give NaN, as NumPy's do; the derivatives
are infinite at the ends of the domains (±1 for asin, acos and atanh, 1 for
acosh). Names follow PyTorch (``asin``; NumPy says ``arcsin``). Integer inputs
compute in the default float dtype. Reference: Abramowitz & Stegun, *Handbook
of Mathematical Functions*, §4.3-4.6.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.tensor import as_tensor

__all__ = ["tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh"]


class Tan(Function):
    name = "tan"
    saves_output = True

    def forward(self, a):
        return np.tan(a)

    def backward(self, g):
        y = self.output()
        return (g * (y * y + 1.0),)


class Asin(Function):
    name = "asin"

    def forward(self, a):
        return np.arcsin(a)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (1.0 - x * x).sqrt(),)


class Acos(Function):
    name = "acos"

    def forward(self, a):
        return np.arccos(a)

    def backward(self, g):
        x = self.inputs[0]
        return (-g / (1.0 - x * x).sqrt(),)


class Atan(Function):
    name = "atan"

    def forward(self, a):
        return np.arctan(a)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (x * x + 1.0),)


class Sinh(Function):
    name = "sinh"

    def forward(self, a):
        return np.sinh(a)

    def backward(self, g):
        return (g * cosh(self.inputs[0]),)


class Cosh(Function):
    name = "cosh"

    def forward(self, a):
        return np.cosh(a)

    def backward(self, g):
        return (g * sinh(self.inputs[0]),)


class Asinh(Function):
    name = "asinh"

    def forward(self, a):
        return np.arcsinh(a)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (x * x + 1.0).sqrt(),)


class Acosh(Function):
    name = "acosh"

    def forward(self, a):
        return np.arccosh(a)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (x * x - 1.0).sqrt(),)


class Atanh(Function):
    name = "atanh"

    def forward(self, a):
        with np.errstate(divide="ignore"):  # artanh(±1) = ±inf, as NumPy without the warning
            return np.arctanh(a)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (1.0 - x * x),)


def tan(x):
    """Tangent elementwise (x in radians)."""
    return Tan.apply(as_tensor(x))


def asin(x):
    """Inverse sine elementwise, in [−π/2, π/2]; NaN outside [−1, 1]."""
    return Asin.apply(as_tensor(x))


def acos(x):
    """Inverse cosine elementwise, in [0, π]; NaN outside [−1, 1]."""
    return Acos.apply(as_tensor(x))


def atan(x):
    """Inverse tangent elementwise, in (−π/2, π/2)."""
    return Atan.apply(as_tensor(x))


def sinh(x):
    """Hyperbolic sine (e^x − e^-x)/2 elementwise."""
    return Sinh.apply(as_tensor(x))


def cosh(x):
    """Hyperbolic cosine (e^x + e^-x)/2 elementwise."""
    return Cosh.apply(as_tensor(x))


def asinh(x):
    """Inverse hyperbolic sine ln(x + √(x² + 1)) elementwise."""
    return Asinh.apply(as_tensor(x))


def acosh(x):
    """Inverse hyperbolic cosine ln(x + √(x² − 1)) elementwise; NaN below 1."""
    return Acosh.apply(as_tensor(x))


def atanh(x):
    """Inverse hyperbolic tangent ½ ln((1 + x)/(1 − x)) elementwise; ±inf at ±1, NaN beyond."""
    return Atanh.apply(as_tensor(x))

"""Elementwise functions and their derivatives.

=========  =====================  =============================================
op         forward                derivative used by backward
=========  =====================  =============================================
abs        |x|                    sign(x)   (0 at 0, as PyTorch)
exp        e^x                    e^x       (the saved output)
log        ln x                   1/x
log1p      ln(1 + x)              1/(1 + x)   (accurate for tiny x)
expm1      e^x - 1                e^x         (accurate for tiny x)
erf        2/√π ∫₀ˣ e^(-t²) dt    2/√π · e^(-x²)
sqrt       √x                     1/(2√x)   (the saved output)
sin        sin x                  cos x
cos        cos x                  -sin x
tanh       tanh x                 1 - tanh²x
sigmoid    σ(x) = 1/(1+e^-x)      σ(x)(1 - σ(x))
relu       max(0, x)              1 if x > 0 else 0       (left derivative at 0)
clip       min(max(x, lo), hi)    1 inside [lo, hi], else 0
softplus   ln(1 + e^x)            σ(x)        (the sigmoid op, so every order is exact)
=========  =====================  =============================================

Masks (relu, clip, abs) are constant on each piece, so gradients of gradients
through them are 0 away from the kinks -- which is the truth. Their backward
ops still record x (:mod:`minigrad.ops.mask`), so a second derivative is an
exact 0, not an error.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad import backend
from minigrad.autograd import Function
from minigrad.backend import kernels
from minigrad.ops.arithmetic import _floating_for
from minigrad.ops.mask import mask_grad, zero_gradient
from minigrad.tensor import as_tensor

__all__ = [
    "abs", "exp", "log", "log1p", "expm1", "erf", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "clip",
    "softplus",
]


class Abs(Function):
    name = "abs"

    def forward(self, a):
        if a.dtype.kind == "b":
            return a.copy()  # |True| = True, as NumPy (np.sign has no boolean loop; no gradient here)
        self.sign = np.sign(a)
        return np.abs(a)

    def backward(self, g):
        return (mask_grad(g, self.inputs[0], self.sign),)


class Exp(Function):
    name = "exp"
    saves_output = True

    def forward(self, a):
        return np.exp(a)

    def backward(self, g):
        return (g * self.output(),)


class Log(Function):
    name = "log"

    def forward(self, a):
        return np.log(a)

    def backward(self, g):
        return (g / self.inputs[0],)


class Log1p(Function):
    name = "log1p"

    def forward(self, a):
        return np.log1p(a)

    def backward(self, g):
        return (g / (self.inputs[0] + 1.0),)


class Expm1(Function):
    name = "expm1"
    saves_output = True

    def forward(self, a):
        return np.expm1(a)

    def backward(self, g):
        return (g * (self.output() + 1.0),)


# NumPy has no erf; Python's math.erf (the C library's) applied elementwise.
_erf = np.frompyfunc(math.erf, 1, 1)


class Erf(Function):
    name = "erf"

    def forward(self, a):
        return np.asarray(_erf(a), dtype=a.dtype)

    def backward(self, g):
        x = self.inputs[0]
        return (g * (-(x * x)).exp() * (2.0 / math.sqrt(math.pi)),)


class Sqrt(Function):
    name = "sqrt"
    saves_output = True

    def forward(self, a):
        return np.sqrt(a)

    def backward(self, g):
        return (g / (self.output() * 2.0),)


class Sin(Function):
    name = "sin"

    def forward(self, a):
        return np.sin(a)

    def backward(self, g):
        return (g * self.inputs[0].cos(),)


class Cos(Function):
    name = "cos"

    def forward(self, a):
        return np.cos(a)

    def backward(self, g):
        return (-g * self.inputs[0].sin(),)


class Tanh(Function):
    name = "tanh"
    saves_output = True

    def forward(self, a):
        return np.tanh(a)

    def backward(self, g):
        return (TanhBackward.apply(g, self.output()),)


class TanhBackward(Function):
    """g · (1 − y²) for y = tanh(x): tanh's backward as one op (itself differentiable)."""

    name = "tanh_backward"

    def forward(self, g, y):
        return kernels.tanh_backward(g, y)  # one fused pass for large arrays

    def backward(self, gg):
        g, y = self.inputs
        return (
            gg * (1.0 - y * y) if g.requires_grad else None,
            gg * g * y * -2.0 if y.requires_grad else None,
        )


class Sigmoid(Function):
    name = "sigmoid"
    saves_output = True

    def forward(self, a):
        # e^-|x| never overflows; pick the algebraically equal form for each sign.
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(a.dtype, copy=False)

    def backward(self, g):
        return (SigmoidBackward.apply(g, self.output()),)


class SigmoidBackward(Function):
    """g · y(1 − y) for y = σ(x): sigmoid's backward as one op (itself differentiable)."""

    name = "sigmoid_backward"

    def forward(self, g, y):
        return kernels.sigmoid_backward(g, y)  # one fused pass for large arrays

    def backward(self, gg):
        g, y = self.inputs
        return (
            gg * y * (1.0 - y) if g.requires_grad else None,
            gg * g * (1.0 - 2.0 * y) if y.requires_grad else None,
        )


class Relu(Function):
    name = "relu"
    saves_output = True  # y > 0 exactly where x > 0: the output is the mask, nothing else is kept

    def forward(self, a):
        return kernels.relu(a)

    def backward(self, g):
        return (ReluBackward.apply(g, self.output()),)


class ReluBackward(Function):
    """g · [y > 0] for y = relu(x): relu's backward as one op (itself differentiable).

    It is linear in g (the same mask again) and piecewise constant in y: its
    derivative there is an explicit 0 (PyTorch's threshold_backward does the same),
    so relu''(x) comes out as 0, connected to x, rather than as no gradient at all.
    """

    name = "relu_backward"

    def forward(self, g, y):
        return kernels.relu_backward(g, y)

    def backward(self, gg):
        g, y = self.inputs
        return (
            ReluBackward.apply(gg, y) if g.requires_grad else None,
            zero_gradient(y) if y.requires_grad else None,
        )


class Clip(Function):
    name = "clip"

    def forward(self, a, lo, hi):
        inside = np.ones(a.shape, dtype=bool) if lo is None else a >= lo
        if hi is not None:
            inside &= a <= hi
        self.inside = inside
        return np.clip(a, lo, hi)

    def backward(self, g):
        return (mask_grad(g, self.inputs[0], self.inside),)


class Softplus(Function):
    """softplus(x) = ln(1 + e^x), computed as ln(1 + e^-|x|) + max(x, 0) (Dugas et al. 2001).

    The rewritten form never exponentiates a positive number, so it is finite at
    x = ±1000 in float32 and float64, and exact where e^x would round ln(1 + e^x)
    to x. Its derivative is σ(x); backward multiplies by the sigmoid *op*, so the
    second derivative is σ'(x) = σ(x)(1 − σ(x)) (¼ at 0), and so on to any order.
    """

    name = "softplus"

    def forward(self, a):
        xp = backend.module_of(a)
        return (xp.log1p(xp.exp(-xp.abs(a))) + xp.maximum(a, 0)).astype(a.dtype, copy=False)

    def backward(self, g):
        return (g * self.inputs[0].sigmoid(),)


def abs(x):
    """|x| elementwise."""
    return Abs.apply(as_tensor(x))


def exp(x):
    """e^x elementwise."""
    return Exp.apply(as_tensor(x))


def log(x):
    """Natural logarithm elementwise (−inf at 0, NaN below, as NumPy)."""
    return Log.apply(as_tensor(x))


def log1p(x):
    """ln(1 + x) elementwise, exact even when x is tiny."""
    return Log1p.apply(as_tensor(x))


def expm1(x):
    """e^x - 1 elementwise, exact even when x is tiny."""
    return Expm1.apply(as_tensor(x))


def erf(x):
    """The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt (used by the exact GELU)."""
    return Erf.apply(as_tensor(x))


def sqrt(x):
    """√x elementwise."""
    return Sqrt.apply(as_tensor(x))


def sin(x):
    """sin x elementwise."""
    return Sin.apply(as_tensor(x))


def cos(x):
    """cos x elementwise."""
    return Cos.apply(as_tensor(x))


def tanh(x):
    """Hyperbolic tangent elementwise."""
    return Tanh.apply(as_tensor(x))


def sigmoid(x):
    """Logistic function σ(x) = 1 / (1 + e^-x), stable for large |x|."""
    return Sigmoid.apply(as_tensor(x))


def relu(x):
    """Rectified linear unit max(0, x)."""
    return Relu.apply(as_tensor(x))


def softplus(x):
    """ln(1 + e^x) elementwise, stable for any x; its derivative is σ(x)."""
    return Softplus.apply(as_tensor(x))


def clip(x, min=None, max=None):
    """Limit values to [min, max] (either bound may be None); gradient 1 inside, 0 outside."""
    if min is None and max is None:
        raise ValueError("clip: give min, max or both")
    if min is not None and max is not None and min > max:
        raise ValueError(f"clip: min ({min}) is greater than max ({max})")
    x = as_tensor(x)
    for bound in (min, max):  # an integer tensor clipped to a fractional bound computes as the default float
        if bound is not None:
            x = _floating_for(x, bound)
    return Clip.apply(x, lo=min, hi=max)

"""Arithmetic: ``+ - * / **`` and negation, with NumPy broadcasting.

Each op's local derivatives (what backward multiplies the incoming gradient by):

=============  ==================  ===========================
op             d/da                d/db
=============  ==================  ===========================
a + b          1                   1
a - b          1                   -1
a * b          b                   a
a / b          1/b                 -a/b²
a ** p         p·a^(p-1)           (p a number)
a ** b         b·a^(b-1)           a^b·ln a   (0 where a ≤ 0)
-a             -1
=============  ==================  ===========================

Broadcast operands get their gradient summed back to their own shape by
:func:`~minigrad.ops.broadcast.unbroadcast`.
"""

from __future__ import annotations

import numpy as np

from minigrad.ops.broadcast import unbroadcast
from minigrad.ops.function import Function
from minigrad.tensor import as_tensor

__all__ = ["add", "sub", "mul", "div", "neg", "pow"]


class Add(Function):
    name = "add"

    def forward(self, a, b):
        return a + b

    def backward(self, g):
        a, b = self.inputs
        return (
            unbroadcast(g, a.shape) if a.requires_grad else None,
            unbroadcast(g, b.shape) if b.requires_grad else None,
        )


class Sub(Function):
    name = "sub"

    def forward(self, a, b):
        return a - b

    def backward(self, g):
        a, b = self.inputs
        return (
            unbroadcast(g, a.shape) if a.requires_grad else None,
            unbroadcast(-g, b.shape) if b.requires_grad else None,
        )


class Mul(Function):
    name = "mul"

    def forward(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        return (
            unbroadcast(g * b, a.shape) if a.requires_grad else None,
            unbroadcast(g * a, b.shape) if b.requires_grad else None,
        )


class Div(Function):
    name = "div"

    def forward(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        return (
            unbroadcast(g / b, a.shape) if a.requires_grad else None,
            unbroadcast(-g * a / (b * b), b.shape) if b.requires_grad else None,
        )


class Neg(Function):
    name = "neg"

    def forward(self, a):
        return -a

    def backward(self, g):
        return (-g,)


class PowScalar(Function):
    """a ** p for a number p."""

    name = "pow"

    def forward(self, a, p):
        self.p = p
        return a**p

    def backward(self, g):
        (a,) = self.inputs
        p = self.p
        if p == 0:
            return (g * 0.0,)
        if p == 1:
            return (g,)
        if p == 2:
            return (g * a * 2.0,)
        return (g * p * a ** (p - 1),)


class Pow(Function):
    """a ** b for two tensors (b may be a broadcast constant)."""

    name = "pow"
    saves_output = True

    def forward(self, a, b):
        return a**b

    def backward(self, g):
        a, b = self.inputs
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(g * b * a ** (b - 1.0), a.shape)
        if b.requires_grad:
            # d(a^b)/db = a^b ln a; over the reals it exists only for a > 0.
            positive = a.data > 0
            log_a = as_tensor(np.where(positive, a.data, 1), like=a).log() if not positive.all() else a.log()
            gb = unbroadcast(g * self.output() * log_a, b.shape)
        return ga, gb


def add(a, b):
    """a + b (broadcasting)."""
    a, b = _operands(a, b)
    return Add.apply(a, b)


def sub(a, b):
    """a - b (broadcasting)."""
    a, b = _operands(a, b)
    return Sub.apply(a, b)


def mul(a, b):
    """a * b elementwise (broadcasting)."""
    a, b = _operands(a, b)
    return Mul.apply(a, b)


def div(a, b):
    """a / b elementwise (broadcasting)."""
    a, b = _operands(a, b)
    return Div.apply(a, b)


def neg(a):
    """-a."""
    return Neg.apply(as_tensor(a))


def pow(a, b):
    """a ** b: a number exponent uses the cheaper rule d/da = p·a^(p-1)."""
    if isinstance(b, (int, float)) and not isinstance(b, bool) and not isinstance(a, (int, float)):
        return PowScalar.apply(as_tensor(a), p=b)
    a, b = _operands(a, b)
    return Pow.apply(a, b)


def _operands(a, b):
    """Both operands as Tensors; a number or array takes the dtype of the Tensor beside it."""
    from minigrad.tensor import Tensor

    if not isinstance(a, Tensor):
        b = as_tensor(b)
        a = as_tensor(a, like=b)
    elif not isinstance(b, Tensor):
        b = as_tensor(b, like=a)
    return a, b

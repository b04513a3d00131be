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

from minigrad.autograd import Function
from minigrad.ops.broadcast import unbroadcast
from minigrad.dtypes import float32 as _FLOAT32, float64 as _FLOAT64
from minigrad.tensor import DEFAULT_DTYPE, Tensor, as_tensor

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


# With a Python number on one side, the number is a constant of the op rather than
# a second input: no tensor is built for it and backward has one gradient to compute.

class AddScalar(Function):
    """a + c for a number c (also a − c as a + (−c))."""

    name = "add"

    def forward(self, a, c):
        return a + c

    def backward(self, g):
        return (g,)


class RSubScalar(Function):
    """c − a for a number c."""

    name = "sub"

    def forward(self, a, c):
        return c - a

    def backward(self, g):
        return (-g,)


class MulScalar(Function):
    """a · c for a number c."""

    name = "mul"

    def forward(self, a, c):
        self.c = c
        return a * c

    def backward(self, g):
        return (g * self.c,)


class DivScalar(Function):
    """a / c for a number c."""

    name = "div"

    def forward(self, a, c):
        self.c = c
        return a / c

    def backward(self, g):
        return (g / self.c,)


class RDivScalar(Function):
    """c / a for a number c;  d/da = −c / a²."""

    name = "div"
    saves_output = True

    def forward(self, a, c):
        return c / a

    def backward(self, g):
        return (-g * self.output() / self.inputs[0],)


class PowScalar(Function):
    """a ** p for a number p.

    d/da = p·a^(p-1), with the two cases where that formula would misbehave at
    a = 0 written out: p = 0 (a⁰ ≡ 1, derivative 0, where 0·0⁻¹ would be NaN) and
    p = 1 (derivative 1, where 0⁰ needs no computing).
    """

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
    """a ** b for two tensors (b may be a broadcast constant).

    d/da = b·a^(b-1) and d/db = a^b·ln a, with the limits taken where the formulas
    are 0·∞ at a = 0, as PyTorch does:

    * b = 0: a^b ≡ 1, so d/da = 0 (the formula gives 0·0⁻¹ = NaN); a = 1 stands in
      for a = 0 there, which makes b·a^(b-1) exactly 0 and keeps it differentiable;
    * b > 0: a^b·ln a → 0 as a → 0⁺, so d/db = 0 (the formula gives 0·(-∞)).

    For a < 0, a^b is real only at integer b, so no derivative in b exists; 0 is
    used (PyTorch gives NaN).
    """

    name = "pow"
    saves_output = True

    def forward(self, a, b):
        return a**b

    def backward(self, g):
        a, b = self.inputs
        ga = gb = None
        if a.requires_grad:
            base = a
            elsewhere = (a.data != 0) | (b.data != 0)  # False at 0⁰, the constant 1
            if not elsewhere.all():
                base = a.where(Tensor.constant(elsewhere), 1.0)
            ga = unbroadcast(g * b * base ** (b - 1.0), a.shape)
        if b.requires_grad:
            positive = a.data > 0
            if positive.all():
                log_a = a.log()
            else:  # ln a only where a > 0 (a Tensor op, so second derivatives still flow to a)
                log_a = a.where(Tensor.constant(positive), 1.0).log()
            gb = unbroadcast(g * self.output() * log_a, b.shape)
        return ga, gb


_NUMBER = (int, float)


def _is_number(x):
    """A plain real number (not a bool): it becomes a constant of a scalar op."""
    return x.__class__ in _NUMBER or (isinstance(x, (int, float, np.number)) and not isinstance(x, (bool, np.bool_)))


def _plain(x):
    """NumPy scalars as Python numbers, so they never promote a float32 tensor."""
    return x if x.__class__ in _NUMBER else x.item()


def _operator(name, doc, both, tensor_number, number_tensor, negate=False, fractional=False):
    """The function behind one of ``+ - * /``: it picks the Function for the operand types.

    ``both`` computes tensor ∘ tensor (numbers and arrays beside a tensor become
    tensors of its dtype); ``tensor_number`` and ``number_tensor`` take a plain number
    as the constant ``c`` of a one-input op, so no tensor is built for it and backward
    has one gradient to compute. ``negate``: a − c is computed as a + (−c).
    ``fractional``: the result is a float even for integers (true division).
    """
    def op(a, b):
        if a.__class__ is Tensor:
            if b.__class__ is Tensor:  # the common case first, with no other test
                return both.apply(a, b)
            if b.__class__ in _NUMBER or _is_number(b):
                c = b if b.__class__ in _NUMBER else b.item()
                if a.data.dtype.kind != "f":  # an integer tensor: see _floating_for
                    a = _floating_for(a, 0.5 if fractional else c)
                return tensor_number.apply(a, c=-c if negate else c)
        elif isinstance(b, Tensor) and _is_number(a):
            c = _plain(a)
            return number_tensor.apply(_floating_for(b, 0.5 if fractional else c), c=c)
        return both.apply(*_operands(a, b))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


add = _operator("add", "a + b (broadcasting; numbers and arrays on either side).", Add, AddScalar, AddScalar)
sub = _operator("sub", "a − b (broadcasting; numbers and arrays on either side).", Sub, AddScalar, RSubScalar,
                negate=True)
mul = _operator("mul", "a · b elementwise (broadcasting; numbers and arrays on either side).", Mul, MulScalar,
                MulScalar)
div = _operator("div", "a / b elementwise (broadcasting): true division, so integers give floats.", Div,
                DivScalar, RDivScalar, fractional=True)


def neg(a):
    """-a."""
    return Neg.apply(as_tensor(a))


def pow(a, b):
    """a ** b: a number exponent uses the cheaper rule d/da = p·a^(p-1)."""
    if a.__class__ is Tensor and b.__class__ in _NUMBER:
        return PowScalar.apply(_floating_for(a, b), p=b)
    if isinstance(a, Tensor) and _is_number(b):
        return PowScalar.apply(_floating_for(a, b), p=_plain(b))
    return Pow.apply(*_operands(a, b))


def _floating_for(t, number):
    """``t`` itself, or -- for an integer tensor meeting a fractional number -- its values
    in the default float dtype (``int_tensor * 0.5`` is float32, as in PyTorch, not
    NumPy's float64). Integer tensors never require grad, so nothing is lost."""
    dtype = t.data.dtype
    if dtype is _FLOAT32 or dtype is _FLOAT64 or dtype.kind == "f" or not isinstance(number, (float, np.floating)):
        return t
    return Tensor.constant(t.data.astype(DEFAULT_DTYPE))


def _number_operands(a, b):
    """:func:`_operands`, except that an integer tensor meeting a fractional number is
    first taken in the default float dtype (``where(c, int_tensor, 0.5)`` is float32, as
    ``int_tensor * 0.5`` is -- not NumPy's float64, and never truncated)."""
    if isinstance(a, Tensor) and _is_number(b):
        a = _floating_for(a, b)
    elif isinstance(b, Tensor) and _is_number(a):
        b = _floating_for(b, a)
    return _operands(a, b)


def _operands(a, b):
    """Both operands as Tensors; a number or array takes the dtype of the Tensor beside it."""
    if a.__class__ is Tensor and b.__class__ is Tensor:
        return a, b
    if not isinstance(a, Tensor):
        b = as_tensor(b)
        a = as_tensor(a, like=b)
    elif not isinstance(b, Tensor):
        b = as_tensor(b, like=a)
    return a, b

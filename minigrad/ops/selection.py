"""Choosing between values: ``where``, elementwise ``maximum``/``minimum``, comparisons.

The gradient follows the choice: in ``where(c, a, b)`` it flows to ``a`` where
``c`` holds and to ``b`` elsewhere. ``maximum``/``minimum`` split it equally
between the two operands where they are equal (as PyTorch does). Comparisons
(``< <= > >= == !=``) are not differentiable and return boolean tensors.

The choice is constant on each piece, so second derivatives through these ops
are 0; their backward (:func:`minigrad.ops.mask.mask_grad`) records each operand,
so that 0 comes out as a gradient and not as a "does not require grad" error.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.arithmetic import _number_operands, _operands
from minigrad.ops.broadcast import unbroadcast
from minigrad.ops.mask import mask_grad
from minigrad.tensor import Tensor

__all__ = [
    "where", "maximum", "minimum",
    "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
]


class Where(Function):
    name = "where"

    def forward(self, a, b, cond):
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g):
        a, b = self.inputs
        return (
            unbroadcast(mask_grad(g, a, self.cond), a.shape) if a.requires_grad else None,
            unbroadcast(mask_grad(g, b, ~self.cond), b.shape) if b.requires_grad else None,
        )


class Maximum(Function):
    name = "maximum"
    pick = staticmethod(np.maximum)
    wins = staticmethod(np.greater)

    def forward(self, a, b):
        # weight of a in the result: 1 where it wins, ½ on ties, 0 where it loses
        self.weight_a = self.wins(a, b) + 0.5 * (a == b)
        return self.pick(a, b)

    def backward(self, g):
        a, b = self.inputs
        wa = self.weight_a
        return (
            unbroadcast(mask_grad(g, a, wa), a.shape) if a.requires_grad else None,
            unbroadcast(mask_grad(g, b, 1.0 - wa), b.shape) if b.requires_grad else None,
        )


class Minimum(Maximum):
    name = "minimum"
    pick = staticmethod(np.minimum)
    wins = staticmethod(np.less)


def where(cond, a, b):
    """Elementwise ``a`` where ``cond`` is true, else ``b`` (all three broadcast)."""
    cond = cond.data if isinstance(cond, Tensor) else np.asarray(cond)
    if cond.dtype != bool:
        raise TypeError(f"where: the condition must be boolean, got {cond.dtype} (compare first, e.g. x > 0)")
    a, b = _number_operands(a, b)
    return Where.apply(a, b, cond=cond)


def maximum(a, b):
    """Elementwise larger of a and b (ties share the gradient)."""
    return Maximum.apply(*_number_operands(a, b))


def minimum(a, b):
    """Elementwise smaller of a and b (ties share the gradient)."""
    return Minimum.apply(*_number_operands(a, b))


def _compare(name, ufunc):
    def compare(a, b):
        a, b = _operands(a, b)
        try:
            return Tensor.constant(ufunc(a.data, b.data))
        except ValueError:
            raise ValueError(f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None

    compare.__name__ = name
    compare.__doc__ = f"Elementwise ``{name}`` → boolean tensor (not differentiable)."
    return compare


less = _compare("less", np.less)
less_equal = _compare("less_equal", np.less_equal)
greater = _compare("greater", np.greater)
greater_equal = _compare("greater_equal", np.greater_equal)
equal = _compare("equal", np.equal)
not_equal = _compare("not_equal", np.not_equal)

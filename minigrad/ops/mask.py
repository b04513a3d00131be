"""The backward pass of a piecewise-linear op: g times a constant mask, kept tied to x.

Ops such as abs, clip, where, maximum and minimum have a derivative that is
constant on each piece: sign(x), [lo ≤ x ≤ hi], the chosen branch. Their
backward is ``g · mask``. Written as a plain product with a constant, the
gradient would no longer depend on x in the graph, and asking for a second
derivative would fail with "does not require grad" although the true answer
is simply 0 (away from the kinks).

``mask_grad(g, x, mask)`` computes the same product as one op whose inputs are
g *and* x, as PyTorch's ``threshold_backward`` and ``where`` backward record
the op's input (PyTorch, ``tools/autograd/derivatives.yaml``):

    ∂/∂g (g · mask) = mask      -> the same masked op applied to the incoming gradient
    ∂/∂x (g · mask) = 0         -> an explicit zero tensor shaped like x

so gradients of gradients stay connected to x and come out exactly 0.
"""

from __future__ import annotations

from minigrad import backend
from minigrad.autograd import Function
from minigrad.tensor import Tensor

__all__ = ["MaskedGrad", "mask_grad", "zero_gradient"]


class MaskedGrad(Function):
    """g · mask, recorded with the op's input x so that d/dx exists (and is 0).

    ``mask`` is an array (boolean, 0/1 or weights such as sign(x) or the ½ of a
    tie) that broadcasts to g's shape; the result has g's shape and dtype.
    """

    name = "masked_grad"

    def forward(self, g, x, mask):
        self.mask = mask
        out = g * mask
        return out if out.dtype == g.dtype else out.astype(g.dtype)

    def backward(self, gg):
        g, x = self.inputs
        return (
            MaskedGrad.apply(gg, x, mask=self.mask) if g.requires_grad else None,
            zero_gradient(x) if x.requires_grad else None,
        )


def zero_gradient(x):
    """A constant zero gradient for x (its shape, dtype and device)."""
    return Tensor.constant(backend.module_of(x.data).zeros_like(x.data))


def mask_grad(g, x, mask):
    """``g · mask`` as the gradient of a piecewise-linear function of ``x`` (see the module docstring)."""
    return MaskedGrad.apply(g, x, mask=mask)

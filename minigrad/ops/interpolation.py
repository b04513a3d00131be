"""Linear interpolation: lerp(start, end, weight) = start + weight · (end − start).

PyTorch's ``torch.lerp`` (NumPy has no such function). All three arguments
broadcast together; ``weight`` may be a number or a tensor. Derivatives:

    ∂/∂start = 1 − weight,   ∂/∂end = weight,   ∂/∂weight = end − start

The result is a float even for integer inputs (the default float dtype).
"""

from __future__ import annotations

from minigrad.autograd import Function
from minigrad.ops.arithmetic import _number_operands
from minigrad.ops.broadcast import unbroadcast
from minigrad.tensor import DEFAULT_DTYPE, as_tensor

__all__ = ["lerp"]


class Lerp(Function):
    name = "lerp"

    def forward(self, start, end, weight):
        return start + weight * (end - start)

    def backward(self, g):
        start, end, weight = self.inputs
        return (
            unbroadcast(g * (1.0 - weight), start.shape) if start.requires_grad else None,
            unbroadcast(g * weight, end.shape) if end.requires_grad else None,
            unbroadcast(g * (end - start), weight.shape) if weight.requires_grad else None,
        )


def lerp(start, end, weight):
    """start + weight · (end − start), elementwise with broadcasting (PyTorch's ``lerp``)."""
    start, end = _number_operands(start, end)
    if start.dtype.kind != "f" and end.dtype.kind != "f":  # integers interpolate as default floats
        start, end = start.astype(DEFAULT_DTYPE), end.astype(DEFAULT_DTYPE)
    weight = as_tensor(weight, like=start if start.dtype.kind == "f" else end)
    return Lerp.apply(start, end, weight)

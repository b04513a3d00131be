"""Moving a tensor between dtypes and devices, differentiably.

The gradient of a conversion is the same conversion backwards: a float64 copy of a
float32 tensor sends float32 gradients back; a tensor copied to the GPU receives
its gradient copied back to the CPU.
"""

from __future__ import annotations

from minigrad import backend
from minigrad.autograd import Function
from minigrad.tensor import Tensor, _resolve_dtype, as_tensor

__all__ = ["astype", "to_device"]


class AsType(Function):
    name = "astype"

    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, g):
        return (g.astype(self.inputs[0].dtype),)


class ToDevice(Function):
    name = "to_device"

    def forward(self, a, device):
        return backend.to_device(a, device)

    def backward(self, g):
        return (g.to(self.inputs[0].device),)


def astype(x, dtype):
    """``x`` converted to ``dtype`` (only float → float conversions carry gradients)."""
    x = as_tensor(x)
    dtype = _resolve_dtype(dtype)
    if dtype == x.dtype:
        return x
    if x.requires_grad and dtype.kind != "f":
        return Tensor.constant(x.data.astype(dtype))
    return AsType.apply(x, dtype=dtype)


def to_device(x, device):
    """``x`` on ``device`` ("cpu" or "cuda")."""
    x = as_tensor(x)
    return ToDevice.apply(x, device=backend.check_device(device))

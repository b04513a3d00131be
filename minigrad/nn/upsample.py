"""Upsample: resize feature maps (PyTorch's ``nn.Upsample``; see :func:`interpolate`)."""

from __future__ import annotations

from minigrad.nn.functional.upsample import interpolate
from minigrad.nn.module import Module

__all__ = ["Upsample"]


class Upsample(Module):
    """Resize (N, C, L) or (N, C, H, W) inputs to ``size`` or by ``scale_factor`` with ``mode``
    "nearest" (default), "linear" or "bilinear"."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None):
        super().__init__()
        if (size is None) == (scale_factor is None):
            raise ValueError("Upsample: give exactly one of size and scale_factor")
        self.size = size
        self.scale_factor = scale_factor
        self.mode = mode
        self.align_corners = align_corners

    def forward(self, x):
        return interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners)

    def extra_repr(self):
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"

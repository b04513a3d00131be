"""Pooling layers: MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d (PyTorch's arguments and defaults).

Layers without parameters that call :mod:`minigrad.nn.functional.pooling`;
``stride`` defaults to ``kernel_size`` (non-overlapping windows).
"""

from __future__ import annotations

from minigrad.nn.functional.pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from minigrad.nn.module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d"]


class _PoolNd(Module):
    """The settings every pooling layer holds; ``stride`` defaults to ``kernel_size``."""

    def __init__(self, kernel_size, stride, padding, ceil_mode):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _MaxPoolNd(_PoolNd):
    _function = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation = dilation
        self.return_indices = return_indices

    def forward(self, x):
        return type(self)._function(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                                    self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """The maximum of each window of an (N, C, H, W) input (see :func:`max_pool2d`)."""

    _function = staticmethod(max_pool2d)


class MaxPool1d(_MaxPoolNd):
    """The maximum of each window of an (N, C, L) input (see :func:`max_pool1d`)."""

    _function = staticmethod(max_pool1d)


class AvgPool2d(_PoolNd):
    """The mean of each window of an (N, C, H, W) input (see :func:`avg_pool2d`)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x):
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                          self.divisor_override)


class AvgPool1d(_PoolNd):
    """The mean of each window of an (N, C, L) input (see :func:`avg_pool1d`)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = count_include_pad

    def forward(self, x):
        return avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

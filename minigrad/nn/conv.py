"""Convolution layers: Conv1d, Conv2d, ConvTranspose2d (PyTorch's parameters, names and defaults).

Each layer holds ``weight`` -- (out, in/groups, k) or (out, in/groups, kH, kW); for the
transposed convolution (in, out/groups, kH, kW) -- and ``bias`` (out,), and calls
:mod:`minigrad.nn.functional.conv`. Initialization as PyTorch's: the weight
uniform in ±1/√fan_in (``kaiming_uniform`` with a = √5, He et al. 2015, whose
bound is √(6/((1 + a²)·fan_in))) and the bias uniform in ±1/√fan_in, where fan_in
is the weight's size divided by its first axis (in/groups·kH·kW; for the
transposed convolution out/groups·kH·kW, as PyTorch computes it). So a PyTorch
state dict's keys and shapes map one to one onto these layers.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.nn import init
from minigrad.nn.functional.conv import _ints, conv1d, conv2d, conv_transpose2d, _transposed_size
from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor, as_tensor

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]


def _positive(value, name, layer):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive integer, got {value!r}")
    return int(value)


class _ConvNd(Module):
    """What the convolution layers share: checked settings, the parameters and their init."""

    _ndim = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                 padding_mode, output_padding=0):
        super().__init__()
        layer, n = type(self).__name__, self._ndim
        self.in_channels = _positive(in_channels, "in_channels", layer)
        self.out_channels = _positive(out_channels, "out_channels", layer)
        self.groups = _positive(groups, "groups", layer)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(f"{layer}: groups={groups} must divide both in_channels ({in_channels}) "
                             f"and out_channels ({out_channels})")
        if padding_mode != "zeros":
            raise ValueError(f"{layer}: padding_mode must be 'zeros' (the only mode supported), got {padding_mode!r}")
        self.padding_mode = padding_mode
        self.kernel_size = _ints(kernel_size, n, "kernel_size", layer, 1)
        self.stride = _ints(stride, n, "stride", layer, 1)
        self.dilation = _ints(dilation, n, "dilation", layer, 1)
        if isinstance(padding, str):
            if padding not in ("valid", "same") or self._transposed:
                raise ValueError(f"{layer}: padding must be an int or a tuple" +
                                 ("" if self._transposed else ", 'valid' or 'same'") + f", got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{layer}: padding='same' needs stride 1, got stride={self.stride}")
            self.padding = padding
        else:
            self.padding = _ints(padding, n, "padding", layer, 0)
        if self._transposed:
            self.output_padding = _ints(output_padding, n, "output_padding", layer, 0)
            shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        # PyTorch's reset_parameters: kaiming_uniform(a=√5) = U(±1/√fan_in), bias U(±1/√fan_in)
        self.weight = Parameter(init.kaiming_uniform(shape, negative_slope=math.sqrt(5)))
        fan_in = init.compute_fans(shape)[0]
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        self.bias = Parameter(init.uniform((self.out_channels,), -bound, bound)) if bias else None

    def _input(self, x):
        return x if x.__class__ is Tensor else as_tensor(x, like=self.weight)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self._ndim:
            text += f", padding={self.padding!r}"
        if self.dilation != (1,) * self._ndim:
            text += f", dilation={self.dilation}"
        if self._transposed and self.output_padding != (0,) * self._ndim:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class _Conv(_ConvNd):
    """Conv1d and Conv2d: PyTorch's arguments and defaults, the forward pass through ``_function``."""

    _function = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros"):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode)

    def forward(self, x):
        return type(self)._function(self._input(x), self.weight, self.bias, self.stride, self.padding,
                                    self.dilation, self.groups)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) inputs: ``weight`` (C_out, C_in/groups, kH, kW),
    ``bias`` (C_out,). Arguments and defaults as PyTorch's ``nn.Conv2d``."""

    _function = staticmethod(conv2d)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) inputs: ``weight`` (C_out, C_in/groups, k),
    ``bias`` (C_out,). Arguments and defaults as PyTorch's ``nn.Conv1d``."""

    _ndim = 1
    _function = staticmethod(conv1d)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution over (N, C_in, H, W) inputs: ``weight`` (C_in, C_out/groups, kH, kW),
    ``bias`` (C_out,). Arguments and defaults as PyTorch's ``nn.ConvTranspose2d``;
    ``forward(x, output_size=None)`` may ask for an output size (H, W) (or the full
    shape), which chooses ``output_padding``."""

    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros"):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding)

    def forward(self, x, output_size=None):
        x = self._input(x)
        extra = self.output_padding
        if output_size is not None:
            want = tuple(int(n) for n in output_size)[-2:]
            if x.ndim != 4:
                raise ValueError(f"{type(self).__name__}: input must be 4-D (N, C, H, W), got shape {x.shape}")
            least = _transposed_size(x.shape[2:], self.kernel_size, self.stride, self.padding, self.dilation, (0, 0))
            extra = tuple(w - m for w, m in zip(want, least))
            if any(not 0 <= e < s for e, s in zip(extra, self.stride)):
                raise ValueError(f"{type(self).__name__}: output_size {want} is not reachable from input shape "
                                 f"{x.shape}: sizes from {least} to "
                                 f"{tuple(m + s - 1 for m, s in zip(least, self.stride))} are")
        return conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, extra, self.groups,
                                self.dilation)

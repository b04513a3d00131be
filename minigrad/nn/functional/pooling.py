"""``max_pool1d/2d``, ``avg_pool1d/2d``: pooling of NCHW batches with PyTorch's arguments.

Pooling summarizes each window of a feature map by one number -- its maximum or
its mean -- which makes the representation roughly invariant to small
translations and shrinks it by the stride (Goodfellow, Bengio & Courville, "Deep
Learning", 2016, §9.3). The output size per axis is

    ⌊(n + 2·pad − d·(k − 1) − 1)/s⌋ + 1        (⌈ ⌉ with ``ceil_mode``; a last window
                                                  must start inside the input or its
                                                  left padding, as in PyTorch)

``stride`` defaults to the kernel size (non-overlapping windows), and ``padding``
may be at most half the kernel. Max pooling is one op whose gradient goes to each
window's argmax (:mod:`minigrad.ops.pooling`). Average pooling is linear: a
convolution of each channel with a kernel of ones, divided by the window's count
-- kH·kW, also where the window covers padding (``count_include_pad=True``,
PyTorch's default), or only the pixels of the input -- so its gradient is that
of the convolution. 1-D pooling is 2-D pooling of an image of height 1.
"""

from __future__ import annotations

import numpy as np

from minigrad.backend import conv as backend
from minigrad.backend.device import module_of
from minigrad.nn.functional.conv import _flat, _ints, check_window
from minigrad.ops.conv import Conv2d
from minigrad.ops.pooling import MaxPool2d
from minigrad.tensor import Tensor, as_tensor

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d"]


def _window(op, x, ndim, kernel_size, stride, padding, dilation, ceil_mode):
    """(kernel, stride, (before, after) pads, dilation, output size) per axis, checked."""
    x = x if isinstance(x, Tensor) else as_tensor(x)
    if x.ndim != ndim + 2:
        layout = "(N, C, L)" if ndim == 1 else "(N, C, H, W)"
        raise ValueError(f"{op}: input must be {ndim + 2}-D {layout}, got shape {x.shape}")
    kernel = _ints(kernel_size, ndim, "kernel_size", op, 1)
    stride = kernel if stride is None or stride == () else _ints(stride, ndim, "stride", op, 1)
    pad = _ints(padding, ndim, "padding", op, 0)
    dilation = _ints(dilation, ndim, "dilation", op, 1)
    for p, k, d in zip(pad, kernel, dilation):
        if 2 * p > d * (k - 1) + 1:
            raise ValueError(f"{op}: padding {pad} must be at most half the kernel size {kernel} "
                             f"(dilation {dilation})")
    size = x.shape[2:]
    check_window(op, size, kernel, [(p, p) for p in pad], dilation)
    pads, out = [], []
    for n, k, s, p, d in zip(size, kernel, stride, pad, dilation):
        span = n + 2 * p - d * (k - 1) - 1
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1  # the last window would start in the right padding
        pads.append((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p)))
        out.append(o)
    return x, kernel, stride, pads, dilation, tuple(out)


def _as_2d(pair_of_1d):
    kernel, stride, pads, dilation = pair_of_1d
    return (1,) + kernel, (1,) + stride, [(0, 0)] + pads, (1,) + dilation


# ---------------------------------------------------------------------- max pooling

def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each kH × kW window of ``input`` (N, C, H, W): PyTorch's ``max_pool2d``.

    ``return_indices=True`` also returns, per output, the flat index h·W + w of the
    chosen pixel within its (n, c) plane (PyTorch's convention; an integer tensor).
    """
    x, kernel, stride, pads, dilation, _ = _window("max_pool2d", input, 2, kernel_size, stride, padding,
                                                   dilation, ceil_mode)
    return _max_pool(x, kernel, stride, pads, dilation, return_indices)


def _max_pool(x, kernel, stride, pads, dilation, return_indices):
    if x.dtype.kind not in "fc":
        x = x.float()
    fn_out = MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=_flat(pads), dilation=dilation)
    if not return_indices:
        return fn_out
    index = fn_out._ctx.index if fn_out._ctx is not None else None
    if index is None:  # no graph was recorded: recompute the argmax
        _, index = backend.max_pool(x.data, kernel, stride, _flat(pads), dilation, fn_out.shape[2:])
    plane = x.shape[2] * x.shape[3]
    return fn_out, Tensor.constant(index % plane)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each window of length k of ``input`` (N, C, L): PyTorch's ``max_pool1d``."""
    x, *geometry, _ = _window("max_pool1d", input, 1, kernel_size, stride, padding, dilation, ceil_mode)
    result = _max_pool(x.unsqueeze(2), *_as_2d(geometry), return_indices)
    if return_indices:
        return result[0].squeeze(2), result[1].squeeze(2)
    return result.squeeze(2)


# ---------------------------------------------------------------------- average pooling

def _counts(n, k, s, p, out, include_pad):
    """Per output position along one axis, the number of cells its window averages."""
    start = np.arange(out) * s - p
    if include_pad:
        return np.minimum(start + k, n + p) - start
    return np.minimum(start + k, n) - np.maximum(start, 0)


def _avg_pool(op, x, kernel, stride, pads, out, count_include_pad, divisor_override):
    if x.dtype.kind != "f":
        x = x.float()
    n, c, h, w = x.shape
    xp = module_of(x.data)
    ones = Tensor.constant(xp.ones((1, 1) + tuple(kernel), dtype=x.dtype))
    sums = Conv2d.apply(x.reshape(n * c, 1, h, w), ones, stride=stride, padding=_flat(pads), dilation=(1, 1),
                        groups=1)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, (int, np.integer)) \
                or divisor_override < 1:
            raise ValueError(f"{op}: divisor_override must be a positive int, got {divisor_override!r}")
        scale = 1.0 / divisor_override
    else:
        counts = [_counts(m, k, s, p[0], o, count_include_pad)
                  for m, k, s, p, o in zip((h, w), kernel, stride, pads, out)]
        scale = Tensor.constant(xp.asarray(1.0 / np.outer(counts[0], counts[1]), dtype=x.dtype))
    return (sums * scale).reshape((n, c) + tuple(out))


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each kH × kW window of ``input`` (N, C, H, W): PyTorch's ``avg_pool2d``.

    ``count_include_pad``: divide by the window's size also where it covers the zero
    padding (True, the default), or by the number of input pixels it covers.
    ``divisor_override``: divide every sum by this number instead.
    """
    x, kernel, stride, pads, _, out = _window("avg_pool2d", input, 2, kernel_size, stride, padding, 1, ceil_mode)
    return _avg_pool("avg_pool2d", x, kernel, stride, pads, out, count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean of each window of length k of ``input`` (N, C, L): PyTorch's ``avg_pool1d``."""
    x, kernel, stride, pads, _, out = _window("avg_pool1d", input, 1, kernel_size, stride, padding, 1, ceil_mode)
    kernel, stride, pads, _ = _as_2d((kernel, stride, pads, (1,)))
    return _avg_pool("avg_pool1d", x.unsqueeze(2), kernel, stride, pads, (1,) + out, count_include_pad,
                     None).squeeze(2)

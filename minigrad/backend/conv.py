"""Convolution and max pooling on arrays: im2col, col2im, the max-pool argmax and its scatter.

A convolution is a matrix product once every receptive field is laid out as a
column ("im2col"; Chellapilla, Puri & Simard, 2006, "High Performance
Convolutional Neural Networks for Document Processing"): for x of shape
(N, C, H, W) and a kernel kh × kw,

    cols[(c, i, j), (n, oh, ow)] = xpad[n, c, oh·sh + i·dh, ow·sw + j·dw]

a (C·kh·kw) × (N·Ho·Wo) matrix, where xpad is x with ``padding`` = (top, bottom,
left, right) zeros around it, s the stride and d the dilation. Then
W (O, C·kh·kw) @ cols is the convolution, one BLAS call. "col2im" is the adjoint
of im2col: it adds every column entry back to the pixel it was read from (entries
read twice -- overlapping windows -- add up), so ⟨col2im(A), x⟩ = ⟨A, im2col(x)⟩.

Max pooling keeps, per window, the largest value and the flat index (into the
whole input) of the first one that reaches it (NaN wins, as in ``np.max``);
its backward adds each gradient to the input at that index.

The ``*_numpy`` functions are the reference; from ``kernels.MIN_SIZE["conv"]``
elements on, im2col, col2im and max pooling (forward and scatter) run as Numba
kernels (:mod:`minigrad.backend.conv_kernels`) by the rule of
:mod:`minigrad.backend.kernels`. im2col and max pooling move numbers without
arithmetic and col2im adds in the same order as its twin, so both paths agree bit
for bit; the scatter of the max-pool gradient
agrees to rounding when windows overlap (NumPy sums in float64 there). The kernels'
outputs come from :mod:`minigrad.backend.pool`, which reuses large buffers from
step to step instead of page-faulting fresh ones in.
"""

from __future__ import annotations

import numpy as np

from minigrad.backend import kernels, pool
from minigrad.backend.device import module_of

__all__ = [
    "output_size", "im2col", "im2col_numpy", "col2im", "col2im_numpy",
    "max_pool", "max_pool_numpy", "max_pool_scatter", "max_pool_scatter_numpy",
]


def output_size(size, kernel, stride, pad_before, pad_after, dilation):
    """Number of window positions along one axis: ⌊(n + p₀ + p₁ − d·(k − 1) − 1)/s⌋ + 1."""
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


def _kernels(*arrays):
    """``(nb, arrays)``: the compiled kernels (or None: stay on NumPy) and the float
    ``arrays`` made C-contiguous when the kernels run (a copy only if they are not)."""
    x = arrays[0]
    if x.__class__ is not np.ndarray or x.size == 0 or x.size < kernels.MIN_SIZE["conv"]:
        return None, arrays
    arrays = tuple(np.ascontiguousarray(a) for a in arrays)
    return kernels.compiled("conv", arrays[0]), arrays


# ============================================================================ im2col / col2im

def im2col(x, kernel, stride, padding, dilation, out):
    """The (C·kh·kw, N·Ho·Wo) matrix of receptive fields of x (N, C, H, W).

    ``kernel`` (kh, kw), ``stride`` (sh, sw), ``dilation`` (dh, dw), ``padding``
    (top, bottom, left, right) zeros, ``out`` (Ho, Wo) window positions.
    """
    nb, (x,) = _kernels(x)
    if nb is None:
        return im2col_numpy(x, kernel, stride, padding, dilation, out)
    n, c = x.shape[:2]
    cols = pool.empty((c * kernel[0] * kernel[1], n * out[0] * out[1]), x.dtype)
    nb.im2col(x, kernel[0], kernel[1], stride[0], stride[1], dilation[0], dilation[1], padding[0], padding[2],
              out[0], out[1], cols)
    return cols


def im2col_numpy(x, kernel, stride, padding, dilation, out):
    xp = module_of(x)
    n, c = x.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out
    if any(padding):
        x = xp.pad(x, ((0, 0), (0, 0), padding[:2], padding[2:]))
    cols = xp.empty((c, kh, kw, n, ho, wo), dtype=x.dtype)
    for i in range(kh):  # one strided copy per kernel offset: kh·kw NumPy calls, not N·Ho·Wo
        for j in range(kw):
            window = x[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]
            cols[:, i, j] = window.transpose(1, 0, 2, 3)
    return cols.reshape(c * kh * kw, n * ho * wo)


def col2im(cols, shape, kernel, stride, padding, dilation, out):
    """The adjoint of :func:`im2col`: an array of ``shape`` (N, C, H, W) where each entry of
    ``cols`` (C·kh·kw, N·Ho·Wo) is added to the pixel im2col read it from (padding dropped)."""
    nb, (cols,) = _kernels(cols)
    if nb is None:
        return col2im_numpy(cols, shape, kernel, stride, padding, dilation, out)
    x = pool.zeros(shape, cols.dtype)
    nb.col2im(cols, kernel[0], kernel[1], stride[0], stride[1], dilation[0], dilation[1],
              padding[0], padding[2], out[0], out[1], x)
    return x


def col2im_numpy(cols, shape, kernel, stride, padding, dilation, out):
    xp = module_of(cols)
    n, c, h, w = shape
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out
    top, bottom, left, right = padding
    x = xp.zeros((n, c, h + top + bottom, w + left + right), dtype=cols.dtype)
    blocks = cols.reshape(c, kh, kw, n, ho, wo)
    for i in range(kh):  # the same order of additions as the kernel: offset by offset
        for j in range(kw):
            x[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw] += \
                blocks[:, i, j].transpose(1, 0, 2, 3)
    return xp.ascontiguousarray(x[:, :, top:top + h, left:left + w])


# ============================================================================ max pooling

def max_pool(x, kernel, stride, padding, dilation, out):
    """``(values, index)`` of max pooling x (N, C, H, W): per window the maximum (NaN if the
    window holds one) and the flat index into x of its first occurrence (int64), both of
    shape (N, C, Ho, Wo). Padding never wins (it is −∞), and every window holds at least
    one pixel of x."""
    nb, (x,) = _kernels(x)
    if nb is None:
        return max_pool_numpy(x, kernel, stride, padding, dilation, out)
    n, c = x.shape[:2]
    values = pool.empty((n, c) + tuple(out), x.dtype)
    index = pool.empty((n, c) + tuple(out), np.int64)
    if tuple(kernel) == (2, 2) and not any(padding):  # every window inside x: the common 2 × 2 case
        nb.max_pool_2x2(x, stride[0], stride[1], dilation[0], dilation[1], values, index)
        return values, index
    nb.max_pool(x, kernel[0], kernel[1], stride[0], stride[1], dilation[0], dilation[1],
                padding[0], padding[2], values, index)
    return values, index


def max_pool_numpy(x, kernel, stride, padding, dilation, out):
    xp = module_of(x)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out
    top, bottom, left, right = padding
    padded = xp.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=-np.inf) \
        if any(padding) else x
    windows = xp.empty((kh * kw, n, c, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            windows[i * kw + j] = padded[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh,
                                         j * dw:j * dw + sw * (wo - 1) + 1:sw]
    best = windows.argmax(axis=0)  # the first maximum; the first NaN if there is one
    values = xp.take_along_axis(windows, best[None], axis=0)[0]
    rows = (best // kw) * dh + (xp.arange(ho) * sh - top)[:, None]
    columns = (best % kw) * dw + (xp.arange(wo) * sw - left)
    planes = xp.arange(n * c).reshape(n, c, 1, 1) * (h * w)
    return values, (planes + rows * w + columns).astype(xp.int64)


def max_pool_scatter(g, index, size):
    """A flat array of ``size`` zeros with each g[k] added at index[k] (the max-pool backward):
    g and index of shape (N, C, Ho, Wo) as :func:`max_pool` returns them."""
    nb, (g, index) = _kernels(g, index)
    if nb is None:
        return max_pool_scatter_numpy(g, index, size)
    out = pool.empty((size,), g.dtype)  # (the kernel zeroes it)
    nb.scatter_add(g.reshape(-1), index.reshape(-1), max(1, g.shape[-1] * g.shape[-2]), out)
    return out


def max_pool_scatter_numpy(g, index, size):
    xp = module_of(g)
    index, g = index.reshape(-1), g.reshape(-1)
    if xp is np:
        # np.add.at is slow; bincount sums repeated indices (in float64) in one pass
        return np.bincount(index, weights=g, minlength=size).astype(g.dtype, copy=False)
    out = xp.zeros(size, dtype=g.dtype)
    import cupyx

    cupyx.scatter_add(out, index, g)
    return out


@kernels.register_warm_up
def _warm_up(dtype):
    x = np.linspace(-1.0, 1.0, 32).astype(dtype).reshape(1, 2, 4, 4)
    geometry = ((2, 2), (1, 1), (1, 1, 1, 1), (1, 1), (5, 5))
    cols = im2col(x, *geometry)
    col2im(cols, x.shape, *geometry)
    values, index = max_pool(x, *geometry)
    max_pool_scatter(values, index, x.size)

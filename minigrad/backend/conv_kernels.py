"""Numba kernels of the convolution and pooling hot paths: im2col, col2im, max pooling.

Never import this module directly: :mod:`minigrad.backend.kernels` imports it with
the other kernels on first use, and :mod:`minigrad.backend.conv` calls these with
C-contiguous arrays it allocates and keeps the NumPy twin of each. The kernels
read the input in place, where the twins first copy it into a padded array; that
copy, and NumPy's kh·kw strided passes over it, are what they save.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from minigrad.backend.jit import kernel


@kernel
def im2col(x, kh, kw, sh, sw, dh, dw, top, left, ho, wo, cols):
    """cols[(c, i, j), (n, oh, ow)] = x[n, c, oh·sh + i·dh − top, ow·sw + j·dw − left] (0 outside x)."""
    n, c, h, w = x.shape
    zero = x.dtype.type(0)
    plane = ho * wo
    for row in prange(c * kh * kw):
        ch = row // (kh * kw)
        i = (row // kw) % kh
        j = row % kw
        for b in range(n):
            base = b * plane
            for oh in range(ho):
                r = oh * sh + i * dh - top
                if r < 0 or r >= h:
                    for ow in range(wo):
                        cols[row, base + oh * wo + ow] = zero
                    continue
                for ow in range(wo):
                    q = ow * sw + j * dw - left
                    cols[row, base + oh * wo + ow] = x[b, ch, r, q] if 0 <= q < w else zero


@kernel
def col2im(cols, kh, kw, sh, sw, dh, dw, top, left, ho, wo, x):
    """x[n, c, oh·sh + i·dh − top, ow·sw + j·dw − left] += cols[(c, i, j), (n, oh, ow)] inside x,
    kernel offset after kernel offset (the twin's order of additions). x starts at zero."""
    n, c, h, w = x.shape
    plane = ho * wo
    for ch in prange(c):  # each channel is written by its own rows of cols only
        for i in range(kh):
            for j in range(kw):
                row = (ch * kh + i) * kw + j
                for b in range(n):
                    base = b * plane
                    for oh in range(ho):
                        r = oh * sh + i * dh - top
                        if r < 0 or r >= h:
                            continue
                        for ow in range(wo):
                            q = ow * sw + j * dw - left
                            if 0 <= q < w:
                                x[b, ch, r, q] += cols[row, base + oh * wo + ow]


@kernel
def max_pool(x, kh, kw, sh, sw, dh, dw, top, left, values, index):
    """Per window of x (N, C, H, W): its maximum and the flat index into x of the first pixel
    that holds it, scanning rows then columns (a NaN wins at once, as in np.max/argmax)."""
    n, c, h, w = x.shape
    ho, wo = values.shape[2], values.shape[3]
    for p in prange(n * c):
        b = p // c
        ch = p % c
        for oh in range(ho):
            for ow in range(wo):
                best = -np.inf
                at = -1
                for i in range(kh):
                    r = oh * sh + i * dh - top
                    if r < 0 or r >= h:
                        continue
                    for j in range(kw):
                        q = ow * sw + j * dw - left
                        if q < 0 or q >= w:
                            continue
                        v = x[b, ch, r, q]
                        if at < 0 or v > best or (np.isnan(v) and not np.isnan(best)):
                            best = v
                            at = (p * h + r) * w + q
                values[b, ch, oh, ow] = best
                index[b, ch, oh, ow] = at


@kernel
def scatter_add(g, index, per_plane, out):
    """out[index[k]] += g[k] in the order of k. Two windows of one (n, c) plane may pick the
    same pixel, but never two planes: the planes (``per_plane`` values each) run in parallel."""
    for p in prange(g.size // per_plane):
        for k in range(p * per_plane, (p + 1) * per_plane):
            out[index[k]] += g[k]

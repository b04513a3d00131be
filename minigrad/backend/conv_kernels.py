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

from minigrad.backend.jit import helper, kernel


@helper
def _inside(n_out, stride, offset, size):
    """The window positions [lo, hi) along one axis whose pixel o·stride + offset lies in [0, size)."""
    lo = 0
    if offset < 0:
        lo = (-offset + stride - 1) // stride
    hi = 0
    if size - offset > 0:
        hi = (size - offset + stride - 1) // stride
    hi = min(hi, n_out)
    return min(lo, hi), hi


@kernel
def im2col(x, kh, kw, sh, sw, dh, dw, top, left, ho, wo, cols):
    """cols[(c, i, j), (n, oh, ow)] = x[n, c, oh·sh + i·dh − top, ow·sw + j·dw − left] (0 outside x).

    Image by image: the reads stay within one image (in cache), and each row of cols
    receives one contiguous run of Ho·Wo values per image."""
    n, c, h, w = x.shape
    zero = x.dtype.type(0)
    plane = ho * wo
    for b in prange(n):
        base = b * plane
        for ch in range(c):
            for i in range(kh):
                # the output rows and columns whose pixel is inside x: no test per element
                oh_lo, oh_hi = _inside(ho, sh, i * dh - top, h)
                for j in range(kw):
                    ow_lo, ow_hi = _inside(wo, sw, j * dw - left, w)
                    row = (ch * kh + i) * kw + j
                    for oh in range(ho):
                        start = base + oh * wo
                        if oh < oh_lo or oh >= oh_hi:
                            for ow in range(wo):
                                cols[row, start + ow] = zero
                            continue
                        r = oh * sh + i * dh - top
                        for ow in range(ow_lo):
                            cols[row, start + ow] = zero
                        q = ow_lo * sw + j * dw - left
                        for ow in range(ow_lo, ow_hi):
                            cols[row, start + ow] = x[b, ch, r, q]
                            q += sw
                        for ow in range(ow_hi, wo):
                            cols[row, start + ow] = zero


@kernel
def col2im(cols, kh, kw, sh, sw, dh, dw, top, left, ho, wo, x):
    """x[n, c, oh·sh + i·dh − top, ow·sw + j·dw − left] += cols[(c, i, j), (n, oh, ow)] inside x,
    kernel offset after kernel offset (the twin's order of additions). x starts at zero."""
    n, c, h, w = x.shape
    plane = ho * wo
    for ch in prange(c):  # each channel is written by its own rows of cols only
        for i in range(kh):
            oh_lo, oh_hi = _inside(ho, sh, i * dh - top, h)
            for j in range(kw):
                ow_lo, ow_hi = _inside(wo, sw, j * dw - left, w)
                row = (ch * kh + i) * kw + j
                for b in range(n):
                    base = b * plane
                    for oh in range(oh_lo, oh_hi):
                        r = oh * sh + i * dh - top
                        start = base + oh * wo
                        q = ow_lo * sw + j * dw - left
                        for ow in range(ow_lo, ow_hi):
                            x[b, ch, r, q] += cols[row, start + ow]
                            q += sw


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
            r0 = oh * sh - top
            i_lo, i_hi = _inside(kh, dh, r0, h)  # the kernel rows inside x
            for ow in range(wo):
                q0 = ow * sw - left
                j_lo, j_hi = _inside(kw, dw, q0, w)
                r = r0 + i_lo * dh
                q = q0 + j_lo * dw
                best = x[b, ch, r, q]  # every window holds a pixel of x
                at = r * w + q
                if best == best:  # not NaN: look further
                    for i in range(i_lo, i_hi):
                        r = r0 + i * dh
                        for j in range(j_lo, j_hi):
                            q = q0 + j * dw
                            v = x[b, ch, r, q]
                            if v > best:
                                best = v
                                at = r * w + q
                            elif v != v:  # the first NaN wins
                                best = v
                                at = r * w + q
                                break
                        if best != best:
                            break
                values[b, ch, oh, ow] = best
                index[b, ch, oh, ow] = p * h * w + at


@kernel
def scatter_add(g, index, per_plane, out):
    """out[index[k]] += g[k] in the order of k. Two windows of one (n, c) plane may pick the
    same pixel, but never two planes: the planes (``per_plane`` values each) run in parallel."""
    for p in prange(g.size // per_plane):
        for k in range(p * per_plane, (p + 1) * per_plane):
            out[index[k]] += g[k]

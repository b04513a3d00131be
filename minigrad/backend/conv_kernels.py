"""Numba kernels of the convolution and pooling hot paths: im2col, col2im, max pooling and its scatter.

Never import this module directly: :mod:`minigrad.backend.kernels` imports it with
the other kernels on first use, and :mod:`minigrad.backend.conv` calls these with
C-contiguous arrays it allocates and keeps the NumPy twin of each. The kernels
work on the input in place, where the twins first build a padded copy, and make
one pass where NumPy makes kh·kw strided ones. On the shapes of the CNN benchmark
(W5, batch 256, float32, one thread), NumPy twin → kernel: im2col of 16 × 4 × 4
planes 0.95 → 0.47 ms, of 1 × 8 × 8 planes 0.14 → 0.07 ms; col2im of 16 × 4 × 4
planes 2.3 → 0.45 ms; 2 × 2 max pooling of 16 × 8 × 8 planes 2.9 → 0.25 ms.
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


@helper
def _read_table(kh, kw, sh, sw, dh, dw, ho, wo, wp):
    """table[(i, j), (oh, ow)]: the pixel of a zero-bordered plane of width wp that window
    position (oh, ow) reads at kernel tap (i, j)."""
    table = np.empty((kh * kw, ho * wo), dtype=np.int64)
    for i in range(kh):
        for j in range(kw):
            for oh in range(ho):
                for ow in range(wo):
                    table[i * kw + j, oh * wo + ow] = (oh * sh + i * dh) * wp + ow * sw + j * dw
    return table


@helper
def _buffer(h, w, kh, kw, sh, sw, dh, dw, top, left, ho, wo):
    """The zero-bordered plane of :func:`im2col` and :func:`col2im`: its size hp × wp (the part of
    the padded plane the windows read), its read table, and the rows [r0, r1) and columns
    [q0, q1) of x that lie inside it."""
    hp = (ho - 1) * sh + (kh - 1) * dh + 1
    wp = (wo - 1) * sw + (kw - 1) * dw + 1
    table = _read_table(kh, kw, sh, sw, dh, dw, ho, wo, wp)
    return hp, wp, table, max(0, -top), min(h, hp - top), max(0, -left), min(w, wp - left)


@kernel
def im2col(x, kh, kw, sh, sw, dh, dw, top, left, ho, wo, cols):
    """cols[(c, i, j), (n, oh, ow)] = x[n, c, oh·sh + i·dh − top, ow·sw + j·dw − left] (0 outside x).

    Plane by plane: each (n, c) plane is copied into a small zero-bordered buffer
    (in cache), from which the kh·kw rows of cols take their Ho·Wo values without a
    bounds test, through a table of where each window position reads in the buffer:
    one loop of Ho·Wo per row, not Ho loops of Wo (2.3× faster on the 4 × 4 planes of
    a small CNN, where those inner loops are 4 long). (The NumPy twin pads the whole
    batch, then makes kh·kw strided copies.)"""
    n, c, h, w = x.shape
    hp, wp, table, r0, r1, q0, q1 = _buffer(h, w, kh, kw, sh, sw, dh, dw, top, left, ho, wo)
    plane = ho * wo
    taps = kh * kw
    flat = x.reshape(-1)
    for b in prange(n):
        pad = np.zeros(hp * wp, dtype=x.dtype)  # its border stays zero: only the inside is rewritten
        base = b * plane
        for ch in range(c):
            src = (b * c + ch) * h * w
            for r in range(r0, r1):
                for q in range(q0, q1):
                    pad[(r + top) * wp + q + left] = flat[src + r * w + q]
            for tap in range(taps):
                row = cols[ch * taps + tap]
                reads = table[tap]
                for k in range(plane):
                    row[base + k] = pad[reads[k]]


@kernel
def col2im(cols, kh, kw, sh, sw, dh, dw, top, left, ho, wo, x):
    """x[n, c, oh·sh + i·dh − top, ow·sw + j·dw − left] += cols[(c, i, j), (n, oh, ow)] inside x.

    Plane by plane, the mirror of :func:`im2col`: the kh·kw rows of a plane are added
    into a zero-bordered buffer through the same table, kernel tap after kernel tap
    (the twin's order of additions: one tap adds at most once to a pixel), and the
    buffer's inside is copied to x."""
    n, c, h, w = x.shape
    hp, wp, table, r0, r1, q0, q1 = _buffer(h, w, kh, kw, sh, sw, dh, dw, top, left, ho, wo)
    plane = ho * wo
    taps = kh * kw
    flat = x.reshape(-1)
    for b in prange(n):  # each example writes its own planes only
        acc = np.empty(hp * wp, dtype=x.dtype)
        base = b * plane
        for ch in range(c):
            acc[:] = 0
            for tap in range(taps):
                row = cols[ch * taps + tap]
                reads = table[tap]
                for k in range(plane):
                    acc[reads[k]] += row[base + k]
            dst = (b * c + ch) * h * w
            for r in range(r0, r1):
                for q in range(q0, q1):
                    flat[dst + r * w + q] = acc[(r + top) * wp + q + left]


@helper
def _kernel_ranges(n_out, stride, pad, kernel, dilation, size):
    """For each window along one axis: the first pixel and the range [lo, hi) of kernel taps inside x."""
    start = np.empty(n_out, dtype=np.int64)
    lo = np.empty(n_out, dtype=np.int64)
    hi = np.empty(n_out, dtype=np.int64)
    for o in range(n_out):
        start[o] = o * stride - pad
        lo[o], hi[o] = _inside(kernel, dilation, start[o], size)
    return start, lo, hi


@kernel
def max_pool(x, kh, kw, sh, sw, dh, dw, top, left, values, index):
    """Per window of x (N, C, H, W): its maximum and the flat index into x of the first pixel
    that holds it, scanning rows then columns; a window holding a NaN gives its first NaN
    (as np.max/np.argmax). The NaN test is a flag, and the rare window that raises it is
    scanned again: a branch in the scan itself would make every window 2× slower."""
    n, c, h, w = x.shape
    ho, wo = values.shape[2], values.shape[3]
    r_start, i_lo, i_hi = _kernel_ranges(ho, sh, top, kh, dh, h)
    q_start, j_lo, j_hi = _kernel_ranges(wo, sw, left, kw, dw, w)
    for p in prange(n * c):
        b = p // c
        ch = p % c
        offset = p * h * w
        for oh in range(ho):
            r0, i0, i1 = r_start[oh], i_lo[oh], i_hi[oh]
            for ow in range(wo):
                q0, j0, j1 = q_start[ow], j_lo[ow], j_hi[ow]
                r = r0 + i0 * dh
                q = q0 + j0 * dw
                best = x[b, ch, r, q]  # every window holds a pixel of x
                at = r * w + q
                nan = False
                for i in range(i0, i1):
                    r = r0 + i * dh
                    for j in range(j0, j1):
                        q = q0 + j * dw
                        v = x[b, ch, r, q]
                        nan |= v != v
                        if v > best:
                            best = v
                            at = r * w + q
                if nan:
                    found = False
                    for i in range(i0, i1):
                        r = r0 + i * dh
                        for j in range(j0, j1):
                            q = q0 + j * dw
                            v = x[b, ch, r, q]
                            if not found and v != v:
                                best = v
                                at = r * w + q
                                found = True
                values[b, ch, oh, ow] = best
                index[b, ch, oh, ow] = offset + at


@kernel
def scatter_add(g, index, per_plane, out):
    """out = 0, then out[index[k]] += g[k] in the order of k. Two windows of one (n, c) plane
    may pick the same pixel, but never two planes: the planes (``per_plane`` values of g each,
    an equal share of out) run in parallel, and each share of out is zeroed just before its
    values are added (while it is in cache: one pass over out, not a fill and then the adds)."""
    planes = g.size // per_plane
    share = out.size // planes
    for p in prange(planes):
        for i in range(p * share, (p + 1) * share):
            out[i] = 0
        for k in range(p * per_plane, (p + 1) * per_plane):
            out[index[k]] += g[k]


@kernel
def max_pool_2x2(x, sh, sw, dh, dw, values, index):
    """:func:`max_pool` for 2 × 2 windows that all lie inside x (no padding): the four pixels
    read at once and compared in the same order (rows, then columns; the first maximum
    wins, and the first NaN if there is one). 3× faster than the general loop, whose
    per-window ranges, inner loops and branches cost more than the four comparisons."""
    n, c, h, w = x.shape
    ho, wo = values.shape[2], values.shape[3]
    xf = x.reshape(-1)
    vf = values.reshape(-1)
    jf = index.reshape(-1)
    down = dh * w
    for p in prange(n * c):
        offset = p * h * w
        k = p * ho * wo
        for oh in range(ho):
            row = offset + oh * sh * w
            for ow in range(wo):
                a = row + ow * sw
                v0 = xf[a]
                v1 = xf[a + dw]
                v2 = xf[a + down]
                v3 = xf[a + down + dw]
                # the first maximum, without branches (a mispredicted one costs more than
                # the window): a comparison selects the value, and moves the index by 0 or 1 ×
                best = v0
                at = a
                m = v1 > best
                best = v1 if m else best
                at += (a + dw - at) * m
                m = v2 > best
                best = v2 if m else best
                at += (a + down - at) * m
                m = v3 > best
                best = v3 if m else best
                at += (a + down + dw - at) * m
                total = v0 + v1 + v2 + v3  # NaN when one of them is (or for inf − inf): then look
                if total != total:  # for the first NaN, which wins (rare: a branch predicted right)
                    if v0 != v0:
                        best, at = v0, a
                    elif v1 != v1:
                        best, at = v1, a + dw
                    elif v2 != v2:
                        best, at = v2, a + down
                    elif v3 != v3:
                        best, at = v3, a + down + dw
                vf[k] = best
                jf[k] = at
                k += 1

"""Numba kernels for the ops' CPU hot paths: one fused pass where NumPy makes several.

Never import this module directly: :mod:`minigrad.backend.kernels` imports it the
first time an array is large enough to be worth it (so ``import minigrad`` does not
load Numba), checks the arrays, and keeps the NumPy formula of every kernel here
as the reference implementation. Elementwise kernels take their arrays flattened
to 1-D, row-wise kernels as (N, C), BatchNorm as (N, C, L). How a kernel is
compiled (threaded and serial), and the rules that make it equal NumPy bit for
bit, are in :mod:`minigrad.backend.jit`; the optimizers' kernels are in
:mod:`minigrad.backend.update_kernels`.

Where a kernel *sums* (softmax's Σ exp, BatchNorm's statistics) or calls log,
the order of the additions and the libm differ from NumPy's, so those results
agree with the twin to rounding only. Sums accumulate in float64 (also for
float32 data), which makes them at least as accurate as NumPy's pairwise sums.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from minigrad.backend.jit import helper, kernel


# ============================================================================ activations

@kernel
def relu(x, out):
    """out = max(x, 0), NaN kept (as np.maximum)."""
    zero = x.dtype.type(0)
    for i in prange(x.size):
        v = x[i]
        out[i] = v if (v > zero or np.isnan(v)) else zero


@kernel
def relu_backward(g, y, out):
    """out = g · [y > 0], from relu's *output* y (y > 0 exactly where x > 0)."""
    zero = g.dtype.type(0)
    one = g.dtype.type(1)
    for i in prange(g.size):
        out[i] = g[i] * (one if y[i] > zero else zero)


@kernel
def tanh_backward(g, y, out):
    """out = g · (1 − y²) for y = tanh(x)."""
    one = g.dtype.type(1)
    for i in prange(g.size):
        out[i] = g[i] * (one - y[i] * y[i])


@kernel
def sigmoid_backward(g, y, out):
    """out = g · y · (1 − y) for y = σ(x)."""
    one = g.dtype.type(1)
    for i in prange(g.size):
        out[i] = g[i] * y[i] * (one - y[i])


@kernel
def dropout(x, mask, scale, out):
    """out = x · (scale if mask else 0): the kept units, rescaled, in one pass."""
    zero = x.dtype.type(0)
    for i in prange(x.size):
        out[i] = x[i] * (scale if mask[i] else zero)


# ============================================================================ softmax cross-entropy
#
# The forward pass is two kernels around NumPy's exp: Numba calls the C library's
# exp one value at a time, ~10× slower than NumPy's vectorized (AVX-512) exp; this
# way the exponentials are also exactly the twin's.

@helper
def _row_max(z, i):
    """max_c z[i, c], NaN if any is NaN (as np.max). Four running maxima: independent
    comparisons the CPU overlaps, where one chain would wait on each result."""
    c = z.shape[1]
    m0 = m1 = m2 = m3 = z[i, 0]
    j = 1
    while j + 4 <= c:
        v0, v1, v2, v3 = z[i, j], z[i, j + 1], z[i, j + 2], z[i, j + 3]
        m0 = v0 if (v0 > m0 or np.isnan(v0)) else m0
        m1 = v1 if (v1 > m1 or np.isnan(v1)) else m1
        m2 = v2 if (v2 > m2 or np.isnan(v2)) else m2
        m3 = v3 if (v3 > m3 or np.isnan(v3)) else m3
        j += 4
    for k in range(j, c):
        v = z[i, k]
        m0 = v if (v > m0 or np.isnan(v)) else m0
    for v in (m1, m2, m3):
        m0 = v if (v > m0 or np.isnan(v)) else m0
    return m0


@helper
def _row_sum(a, i):
    """Σ_c a[i, c] in float64, as four running sums (for the same reason as _row_max)."""
    c = a.shape[1]
    s0 = s1 = s2 = s3 = 0.0
    j = 0
    while j + 4 <= c:
        s0 += a[i, j]
        s1 += a[i, j + 1]
        s2 += a[i, j + 2]
        s3 += a[i, j + 3]
        j += 4
    for k in range(j, c):
        s0 += a[i, k]
    return (s0 + s1) + (s2 + s3)


@kernel
def softmax_shift(z, indices, want_mean, shifted, picked, shifted_mean):
    """Per row i of the logits z (N, C): shifted_i = z_i − max z_i (so e^shifted ≤ 1),
    picked_i = shifted_i,t for t = indices[i], and (if ``want_mean``) mean_c shifted_ic."""
    n, c = z.shape
    for i in prange(n):
        m = _row_max(z, i)
        for j in range(c):
            shifted[i, j] = z[i, j] - m
        picked[i] = shifted[i, indices[i]]
        if want_mean:
            shifted_mean[i] = z.dtype.type(_row_sum(shifted, i)) / z.dtype.type(c)


@kernel
def softmax_finish(exp, picked, shifted_mean, use_smoothing, smoothing, keep, losses):
    """From exp = e^shifted (N, C), in place: probabilities exp_i / S_i with S_i = Σ_c exp_ic,
    and losses_i = ln S_i − picked_i, with label smoothing ε (keep = 1 − ε)
    losses_i ← keep · losses_i + ε · (ln S_i − shifted_mean_i)."""
    n, c = exp.shape
    for i in prange(n):
        s = exp.dtype.type(_row_sum(exp, i))
        for j in range(c):
            exp[i, j] = exp[i, j] / s
        log_norm = np.log(s)
        loss = log_norm - picked[i]
        if use_smoothing:
            loss = keep * loss + smoothing * (log_norm - shifted_mean[i])
        losses[i] = loss


@kernel
def softmax_cross_entropy_backward(probs, indices, off, hit, scale, out):
    """out = (probs − target) · scale, target_ic = hit if c = t_i else off.

    ``off`` = ε/C and ``hit`` = ε/C + (1 − ε); ``scale`` has one entry (the same
    for every row) or one per row.
    """
    n, c = probs.shape
    per_row = scale.size != 1
    for i in prange(n):
        s = scale[i] if per_row else scale[0]
        t = indices[i]
        for j in range(c):
            out[i, j] = (probs[i, j] - (hit if j == t else off)) * s


# ============================================================================ BatchNorm
#
# x (N, C, L) is read as N rows of C·L columns (column q = c·L + l belongs to
# channel c), so every pass runs along contiguous memory. Column sums are taken in
# a fixed number of row blocks (in parallel; fixed so that results do not depend
# on the number of threads), then added up per channel.

@helper
def _row_blocks(n, columns):
    """Row blocks for the column sums: a few per thread, and at most ~16 MB of partial sums."""
    return max(1, min(8, n // 8, (1 << 20) // max(columns, 1)))


@helper
def _channel_of_columns(values, l):
    """Repeat a per-channel vector L times: its value for every column c·L + l."""
    out = np.empty(values.size * l, dtype=values.dtype)
    for q in range(out.size):
        out[q] = values[q // l]
    return out


@kernel
def batch_norm_forward(x, gamma, beta, eps, y, mean, var, inv_std, xhat):
    """Training-mode BatchNorm of x (N, C, L) over the axes N and L, per channel c.

    μ and the biased σ² come from one pass of shifted sums (shift K = x[0, c, 0]):
    d = x − K, μ = K + Σd/n, σ² = Σd²/n − (Σd/n)² with n = N·L. Then
    x̂ = (x − μ) · inv_std with inv_std = 1/√(σ² + ε), and y = γ x̂ + β.
    """
    n, c, l = x.shape
    m = c * l
    x2 = x.reshape((n, m))
    shift = np.empty(m)
    for q in range(m):
        shift[q] = x2[0, (q // l) * l]
    blocks = _row_blocks(n, m)
    s1 = np.zeros((blocks, m))
    s2 = np.zeros((blocks, m))
    for k in prange(blocks):
        for i in range(k * n // blocks, (k + 1) * n // blocks):
            for q in range(m):
                d = np.float64(x2[i, q]) - shift[q]
                s1[k, q] += d
                s2[k, q] += d * d
    one = x.dtype.type(1)
    count = n * l
    for j in range(c):
        a = 0.0
        b = 0.0
        for k in range(blocks):
            for q in range(j * l, (j + 1) * l):
                a += s1[k, q]
                b += s2[k, q]
        mu = a / count
        mean[j] = shift[j * l] + mu
        var[j] = max(b / count - mu * mu, 0.0)
        inv_std[j] = one / np.sqrt(var[j] + eps)
    mean_q, inv_q = _channel_of_columns(mean, l), _channel_of_columns(inv_std, l)
    gamma_q, beta_q = _channel_of_columns(gamma, l), _channel_of_columns(beta, l)
    y2, xhat2 = y.reshape((n, m)), xhat.reshape((n, m))
    for i in prange(n):
        for q in range(m):
            h = (x2[i, q] - mean_q[q]) * inv_q[q]
            xhat2[i, q] = h
            y2[i, q] = h * gamma_q[q] + beta_q[q]


@kernel
def batch_norm_backward(dy, xhat, inv_std, gamma, dx, dgamma, dbeta):
    """BatchNorm's closed-form backward for dy (N, C, L), with n = N·L, dx̂ = dy·γ:

    dβ = Σ dy,   dγ = Σ dy·x̂,   dx = inv_std/n · (n·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂))

    where Σdx̂ = γ·dβ and Σ(dx̂·x̂) = γ·dγ (sums over N and L, per channel).
    """
    n, c, l = dy.shape
    m = c * l
    dy2, xhat2 = dy.reshape((n, m)), xhat.reshape((n, m))
    blocks = _row_blocks(n, m)
    s1 = np.zeros((blocks, m))
    s2 = np.zeros((blocks, m))
    for k in prange(blocks):
        for i in range(k * n // blocks, (k + 1) * n // blocks):
            for q in range(m):
                d = np.float64(dy2[i, q])
                s1[k, q] += d
                s2[k, q] += d * np.float64(xhat2[i, q])
    t = dy.dtype.type
    count = t(n * l)
    sum_dxhat = np.empty(c, dtype=dy.dtype)
    sum_dxhat_xhat = np.empty(c, dtype=dy.dtype)
    coef = np.empty(c, dtype=dy.dtype)
    for j in range(c):
        a = 0.0
        b = 0.0
        for k in range(blocks):
            for q in range(j * l, (j + 1) * l):
                a += s1[k, q]
                b += s2[k, q]
        dbeta[j] = a
        dgamma[j] = b
        sum_dxhat[j] = np.float64(gamma[j]) * a
        sum_dxhat_xhat[j] = np.float64(gamma[j]) * b
        coef[j] = inv_std[j] / count
    gamma_q, coef_q = _channel_of_columns(gamma, l), _channel_of_columns(coef, l)
    s1_q, s2_q = _channel_of_columns(sum_dxhat, l), _channel_of_columns(sum_dxhat_xhat, l)
    dx2 = dx.reshape((n, m))
    for i in prange(n):
        for q in range(m):
            dx2[i, q] = coef_q[q] * (count * (dy2[i, q] * gamma_q[q]) - s1_q[q] - xhat2[i, q] * s2_q[q])


# ============================================================================ fake quantization

@kernel
def fake_quantize(x, scale, zero_point, qmin, qmax, out, inside):
    """out = (clamp(rint(x/s) + z, qmin, qmax) − z)·s and the STE mask, in float64 as the twin."""
    for i in prange(x.size):
        q = np.rint(np.float64(x[i]) / scale) + zero_point
        inside[i] = (q >= qmin) and (q <= qmax)
        clamped = min(max(q, qmin), qmax) if q == q else q  # NaN stays NaN, as np.clip
        out[i] = (clamped - zero_point) * scale

"""Softmax cross-entropy on arrays, forward and backward: the NumPy formulas and their kernels.

The ``*_numpy`` formulas below are the reference; for at least
``kernels.MIN_SIZE["softmax"]`` logits the same runs as Numba kernels
(:mod:`minigrad.backend.numba_kernels`), by the rule of
:mod:`minigrad.backend.kernels`: the loss and the softmax in two passes over the
logits around NumPy's exp, the gradient in one. The ops of
:mod:`minigrad.ops.loss` call these.
"""

from __future__ import annotations

import numpy as np

from minigrad.backend import kernels
from minigrad.backend.device import module_of

__all__ = [
    "softmax_cross_entropy", "softmax_cross_entropy_numpy",
    "softmax_cross_entropy_backward", "softmax_cross_entropy_backward_numpy",
]


def softmax_cross_entropy(z, indices, smoothing=0.0):
    """Per-row losses (N,) and softmax probabilities (N, C) of logits z (N, C) for class
    ``indices`` (N,), with label smoothing ε:

        ℓᵢ = (1 − ε)·(logsumexp(zᵢ) − z_{i,tᵢ}) + ε·(logsumexp(zᵢ) − mean_c z_ic)

    computed stably from z − max(z) (Goodfellow et al. 2016, "Deep Learning", §6.2.2.3).
    """
    smoothing = float(smoothing)
    k = kernels.compiled("softmax", z) if z.ndim == 2 else None
    idx = _row_indices(indices, z.shape) if k is not None else None
    if idx is None:
        return softmax_cross_entropy_numpy(z, indices, smoothing)
    t, n = z.dtype.type, z.shape[0]
    shifted = np.empty_like(z)
    picked, shifted_mean, losses = (np.empty(n, dtype=z.dtype) for _ in range(3))
    k.softmax_shift(z, idx, smoothing != 0, shifted, picked, shifted_mean)  # row max, z − max, picked logit
    probs = np.exp(shifted, out=shifted)  # NumPy's vectorized exp (see minigrad.backend.numba_kernels)
    k.softmax_finish(probs, picked, shifted_mean, smoothing != 0, t(smoothing), t(1.0 - smoothing), losses)
    return losses, probs


def softmax_cross_entropy_numpy(z, indices, smoothing=0.0):
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=1, keepdims=True)
    probs = exp / sums
    log_norm = np.log(sums)[:, 0]  # logsumexp(z) − max(z)
    loss = log_norm - shifted[module_of(z).arange(n), indices]
    if smoothing:
        loss = (1.0 - smoothing) * loss + smoothing * (log_norm - shifted.mean(axis=1))
    return loss, probs


def softmax_cross_entropy_backward(probs, indices, smoothing, scale):
    """(probs − target) · scale with target = (1 − ε)·onehot(indices) + ε/C.

    ``scale`` is a number (or 0-d array) for a mean or sum reduction, or one value
    per row (N,) for ``reduction="none"``; it is cast to the probabilities' dtype.
    """
    smoothing = float(smoothing)
    n, c = probs.shape
    nb = kernels.compiled("softmax", probs)
    idx = _row_indices(indices, probs.shape) if nb is not None else None
    if idx is not None:
        scale = np.ascontiguousarray(scale, dtype=probs.dtype).reshape(-1)
        if scale.size not in (1, n):
            idx = None
    if idx is None:
        return softmax_cross_entropy_backward_numpy(probs, indices, smoothing, scale)
    off = probs.dtype.type(smoothing / c)
    hit = off + probs.dtype.type(1.0 - smoothing)  # target[i, t_i] = ε/C + (1 − ε), in the dtype
    out = np.empty_like(probs)
    nb.softmax_cross_entropy_backward(probs, idx, off, hit, scale, out)
    return out


def softmax_cross_entropy_backward_numpy(probs, indices, smoothing, scale):
    xp = module_of(probs)
    n, c = probs.shape
    target = xp.full_like(probs, smoothing / c)
    target[xp.arange(n), indices] += 1.0 - smoothing
    scale = xp.asarray(scale, dtype=probs.dtype)
    return (probs - target) * (scale.reshape(-1, 1) if scale.ndim == 1 else scale)


def _row_indices(indices, shape):
    """Class indices as a contiguous int64 array in [0, C), or None to leave the call to
    the twin (wrong shape or type, or out of range: the twin raises the right error)."""
    if len(shape) != 2:
        return None
    n, c = shape
    idx = np.asarray(indices)
    if n == 0 or c == 0 or idx.shape != (n,) or idx.dtype.kind not in "iu":
        return None
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    lo, hi = idx.min(), idx.max()
    if lo < -c or hi >= c:
        return None
    return idx if lo >= 0 else np.where(idx < 0, idx + c, idx)


@kernels.register_warm_up
def _warm_up(dtype):
    z = np.linspace(-1.0, 1.0, 12).astype(dtype).reshape(4, 3)
    indices = np.array([0, 1, 2, 0])
    _, probs = softmax_cross_entropy(z, indices, 0.1)
    softmax_cross_entropy_backward(probs, indices, 0.1, z[:, 0].copy())

"""Kernel dispatch: each CPU hot path as a NumPy twin and a Numba kernel, and the rule that picks.

Every public function here (``relu``, ``softmax_cross_entropy``, ``adam_update``,
...) has a NumPy twin, ``<name>_numpy``: the reference implementation, short and
readable, which also runs every CuPy array. The same computation as one fused
pass lives in :mod:`minigrad.backend.numba_kernels`. A call goes to Numba when all
of these hold, and to the twin otherwise:

* Numba is switched on: ``MINIGRAD_NUMBA`` is not ``"0"`` (read at call time), or
  :func:`set_enabled` / :func:`enabled` says so;
* the arrays are NumPy arrays (not CuPy), C-contiguous, float32 or float64, and
  agree in dtype (and shape, for elementwise kernels);
* the array has at least ``MIN_SIZE[family]`` elements: below that, calling into
  Numba costs about as much as the NumPy operations it saves;
* Numba imports (if it does not, minigrad warns once and stays on NumPy).

Both paths give the same numbers. The arithmetic kernels (relu and the
activation backward passes, dropout, the softmax-cross-entropy backward, every
optimizer update) are equal bit for bit (a NaN's sign bit aside); kernels that
sum or call log (softmax-cross-entropy forward, BatchNorm) agree to rounding, as
any two summation orders do.

Nothing here imports Numba at module import: ``import minigrad`` stays fast, and
Numba loads (and compiles, or reads its on-disk cache) the first time an array
is large enough. :func:`warm_up` does that for every kernel at once.

``MIN_SIZE`` holds the thresholds and the measurements behind them.

Each kernel is compiled twice: threaded (``parallel=True``, ``prange``) and
serial. Training steps use the serial ones: right after a matmul, OpenBLAS's
threads still hold the cores, and a threaded kernel waits milliseconds for them
(see ``PARALLEL_MIN_SIZE``). Most of the gain is the fusion itself: one pass over
memory instead of one per NumPy operation and its temporaries.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import warnings

import numpy as np

from minigrad.backend.device import module_of

__all__ = [
    "MIN_SIZE", "PARALLEL_MIN_SIZE", "numba_enabled", "set_enabled", "enabled", "warm_up",
    "relu", "relu_backward", "tanh_backward", "sigmoid_backward", "dropout",
    "softmax_cross_entropy", "softmax_cross_entropy_backward",
    "batch_norm_forward", "batch_norm_backward",
    "sgd_update", "adagrad_update", "rmsprop_update", "adadelta_update", "adam_update",
    "adamax_update", "nadam_update", "fake_quantize",
]

# Fewest elements for which a Numba kernel runs: about where it starts to beat
# NumPy by a clear margin. Measured on 2 cores (AMD EPYC, AVX-512), float32, warm,
# best of 7 rounds of 100 calls, serial kernels; NumPy µs → Numba µs per call:
#
#   elementwise   4K: relu 3.0 → 2.4, relu/tanh/sigmoid backward 3.5-3.8 → 3.2-3.3, dropout 5.4 → 3.8
#                 8K: relu 4.3 → 2.6, backward 4.3-4.8 → 3.5, dropout 7.4 → 4.0
#                64K: relu 23 → 5.0, backward 20-26 → 8.7-12, dropout 48 → 8.5
#   softmax       forward, C = 10: 160 logits 7.1 → 5.8, 1280: 15 → 8.1, 20K: 154 → 48;
#                 C = 128, 16K: 31 → 24; C = 1000: a tie (NumPy's exp does most of the work);
#                 backward 160: 4.4 → 4.3, 1280: 5.6 → 4.6, 64K: 30 → 9.4
#   batch_norm    forward and backward 3-4× faster from 128 elements up (C = 16: 17 → 4.7),
#                 2-5× for C = 256..1024; kept on NumPy below 1K so that small
#                 examples never load Numba
#   optimizer     Adam 256: 6.6 → 4.6, 1K: 8.0 → 4.8, 64K: 86 → 17; RMSprop, Adagrad,
#                 Adadelta, Adamax, NAdam alike (≥ 1.2× from 256, ≥ 1.46× from 1K)
#   sgd           plain 16K: 3.4 → 3.7, 32K: 4.9 → 4.5, 64K: 8.0 → 5.2;
#                 with momentum 1K: 3.5 → 3.3, 16K: 6.9 → 4.4
#
# Tests set these to 0 to run the kernels on tiny arrays.
MIN_SIZE = {
    "elementwise": 8_192,    # relu, relu/tanh/sigmoid backward, dropout
    "softmax": 1_024,        # softmax cross-entropy forward and backward, N·C logits
    "batch_norm": 1_024,     # N·C·L inputs, forward and backward
    "optimizer": 1_024,      # elements of one parameter: Adam(W), RMSprop, Adagrad, Adadelta, Adamax, NAdam
    "sgd": 16_384,           # SGD does one or two operations per element: less to fuse
}

# Kernels on at least this many elements run threaded (None: never); all others on
# the calling thread alone (their serial compilation). Measured on 2 cores, Adam on
# 2^20 float32 elements: serial 0.36 ms, threaded 0.19 ms -- but 0.68 ms serial and
# 3.4 ms threaded right after a matmul, as in every training step: OpenBLAS's
# threads spin on the cores for a while after their work, and Numba's workers wait
# for a core (milliseconds). With OPENBLAS_NUM_THREADS=1, threads pay off from about
# 2^24 elements (Adam 8.7 → 4.9 ms); set this then.
PARALLEL_MIN_SIZE = None

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_EMPTY = {dt: np.empty(0, dtype=dt) for dt in _FLOATS}  # stands in for unused optimizer buffers

_enabled = None  # set_enabled()'s override; None follows MINIGRAD_NUMBA
_numba_kernels = None  # the kernel module once imported; False when Numba is unusable


# ============================================================================ the rule

def _load():
    """Import the Numba kernels on first use; on failure warn once and return False."""
    global _numba_kernels
    if _numba_kernels is None:
        try:
            from minigrad.backend import numba_kernels
        except Exception as exc:  # not installed, or broken (e.g. an incompatible NumPy)
            warnings.warn(f"minigrad: Numba is unavailable ({exc}); using NumPy for every kernel",
                          RuntimeWarning, stacklevel=3)
            numba_kernels = False
        _numba_kernels = numba_kernels
    return _numba_kernels


def _switched_on():
    if _enabled is not None:
        return _enabled
    return os.environ.get("MINIGRAD_NUMBA", "1") != "0"


def numba_enabled():
    """Whether large CPU arrays run on the Numba kernels (switched on, and Numba imports)."""
    return _switched_on() and bool(_load())


def set_enabled(flag):
    """Switch the Numba kernels on (True) or off (False), or back to ``MINIGRAD_NUMBA`` (None).

    Returns the previous setting, so ``set_enabled(previous)`` restores it.
    """
    global _enabled
    previous = _enabled
    _enabled = None if flag is None else bool(flag)
    return previous


@contextlib.contextmanager
def enabled(flag):
    """``with kernels.enabled(False): ...`` runs the block with Numba off (or on)."""
    previous = set_enabled(flag)
    try:
        yield
    finally:
        set_enabled(previous)


def _plain(a, dtype):
    """A C-contiguous NumPy array (not CuPy, not a subclass) of ``dtype``."""
    return a.__class__ is np.ndarray and a.dtype == dtype and a.flags.c_contiguous


def _kernels(family, first, *others):
    """The Numba kernel module when ``first`` and ``others`` (same shape and dtype) should
    run there, else None. The size test comes first: it is the cheapest and, in small
    models, the one that decides."""
    if first.size < MIN_SIZE[family] or not _switched_on():
        return None
    dtype = first.dtype
    if dtype not in _FLOATS or not _plain(first, dtype):
        return None
    for a in others:
        if not (_plain(a, dtype) and a.shape == first.shape):
            return None
    return _load() or None


def _pick(nb, size):
    """The kernels for ``size`` elements: threaded or on this thread alone (PARALLEL_MIN_SIZE)."""
    return nb if PARALLEL_MIN_SIZE is not None and size >= PARALLEL_MIN_SIZE else nb.serial


def warm_up(threaded=None):
    """Compile every kernel for float32 and float64 (or load it from Numba's cache).

    ``threaded``: also the threaded compilations (default: when ``PARALLEL_MIN_SIZE``
    lets them run). Returns the seconds it took, or None when Numba is unavailable.
    The first call in a fresh environment measures the cold compile time; later
    processes read the compiled code from ``__pycache__``.
    """
    global PARALLEL_MIN_SIZE
    if not _load():
        return None
    if threaded is None:
        threaded = PARALLEL_MIN_SIZE is not None
    start = time.perf_counter()
    saved = dict(MIN_SIZE), PARALLEL_MIN_SIZE
    MIN_SIZE.update(dict.fromkeys(MIN_SIZE, 0))
    try:
        with enabled(True):
            for PARALLEL_MIN_SIZE in ((None, 0) if threaded else (None,)):  # serial, then threaded
                for dtype in _FLOATS:
                    _warm_up(dtype)
    finally:
        MIN_SIZE.update(saved[0])
        PARALLEL_MIN_SIZE = saved[1]
    return time.perf_counter() - start


def _warm_up(dtype):
    x = np.linspace(-1.0, 1.0, 12).astype(dtype).reshape(4, 3)
    relu(x)
    relu_backward(x, x)
    tanh_backward(x, x)
    sigmoid_backward(x, x)
    dropout(x, x > 0, 2.0)
    indices = np.array([0, 1, 2, 0])
    _, probs = softmax_cross_entropy(x, indices, 0.1)
    softmax_cross_entropy_backward(probs, indices, 0.1, x[:, 0].copy())
    ones = np.ones(3, dtype=dtype)
    _, _, _, inv_std, xhat = batch_norm_forward(x, ones, ones, 1e-5)
    batch_norm_backward(x, xhat, inv_std, ones)
    fake_quantize(x, np.float64(0.1), np.int64(0), -128, 127)
    for update, state, hyper in _warm_up_updates(x):
        update(x.copy(), x, state, **hyper)


def _warm_up_updates(x):
    z = np.zeros_like
    yield sgd_update, {}, dict(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False,
                               maximize=False)
    yield adagrad_update, {"step": 0, "sum": z(x)}, dict(lr=0.1, lr_decay=0.0, weight_decay=0.0, eps=1e-10,
                                                         maximize=False)
    yield rmsprop_update, {"step": 0, "square_avg": z(x)}, dict(lr=0.1, alpha=0.99, eps=1e-8, weight_decay=0.0,
                                                                momentum=0.0, centered=False, maximize=False)
    yield adadelta_update, {"step": 0, "square_avg": z(x), "acc_delta": z(x)}, dict(
        lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False)
    yield adam_update, {"step": 0, "exp_avg": z(x), "exp_avg_sq": z(x)}, dict(
        lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False,
        decoupled_weight_decay=False)
    yield adamax_update, {"step": 0, "exp_avg": z(x), "exp_inf": z(x)}, dict(
        lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, maximize=False)
    yield nadam_update, {"step": 0, "mu_product": 1.0, "exp_avg": z(x), "exp_avg_sq": z(x)}, dict(
        lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
        decoupled_weight_decay=False, maximize=False)


# ============================================================================ activations

def relu(x):
    """max(x, 0) elementwise (NaN stays NaN)."""
    nb = _kernels("elementwise", x)
    if nb is None:
        return relu_numpy(x)
    out = np.empty_like(x)
    _pick(nb, x.size).relu(x.reshape(-1), out.reshape(-1))
    return out


def relu_numpy(x):
    return np.maximum(x, 0)


def relu_backward(g, y):
    """g · [y > 0]: the gradient where relu's output y = max(x, 0) is positive (where x
    is), 0 elsewhere. (A product with the mask, as the derivative's formula reads.)"""
    nb = _kernels("elementwise", g, y)
    if nb is None:
        return relu_backward_numpy(g, y)
    out = np.empty_like(g)
    _pick(nb, g.size).relu_backward(g.reshape(-1), y.reshape(-1), out.reshape(-1))
    return out


def relu_backward_numpy(g, y):
    return g * (y > 0)  # (np.where(y > 0, g, 0) is up to 17x slower on large arrays)


def tanh_backward(g, y):
    """g · (1 − y²), the backward of y = tanh(x) from its output."""
    nb = _kernels("elementwise", g, y)
    if nb is None:
        return tanh_backward_numpy(g, y)
    out = np.empty_like(g)
    _pick(nb, g.size).tanh_backward(g.reshape(-1), y.reshape(-1), out.reshape(-1))
    return out


def tanh_backward_numpy(g, y):
    return g * (1 - y * y)


def sigmoid_backward(g, y):
    """g · y · (1 − y), the backward of y = σ(x) from its output."""
    nb = _kernels("elementwise", g, y)
    if nb is None:
        return sigmoid_backward_numpy(g, y)
    out = np.empty_like(g)
    _pick(nb, g.size).sigmoid_backward(g.reshape(-1), y.reshape(-1), out.reshape(-1))
    return out


def sigmoid_backward_numpy(g, y):
    return g * y * (1 - y)


def dropout(x, mask, scale):
    """x · mask · scale for a boolean ``mask`` shaped like x (kept units scaled by ``scale``)."""
    nb = _kernels("elementwise", x)
    if nb is None or not (mask.__class__ is np.ndarray and mask.dtype == np.bool_
                          and mask.flags.c_contiguous and mask.shape == x.shape):
        return dropout_numpy(x, mask, scale)
    out = np.empty_like(x)
    _pick(nb, x.size).dropout(x.reshape(-1), mask.reshape(-1), x.dtype.type(scale), out.reshape(-1))
    return out


def dropout_numpy(x, mask, scale):
    return x * (mask * scale).astype(x.dtype)


# ============================================================================ fake quantization

def fake_quantize(x, scale, zero_point, qmin, qmax):
    """``(x̂, inside)``: x̂ = (clamp(round(x/s) + z, qmin, qmax) − z)·s computed in
    float64 and returned in x's dtype, and the mask qmin ≤ round(x/s) + z ≤ qmax
    (the straight-through estimator's). The kernel runs for one float64 scale and
    one zero point (per-tensor quantization); per-channel arrays use the twin."""
    nb = _kernels("elementwise", x)
    if (nb is None or np.ndim(scale) or np.ndim(zero_point) or np.asarray(scale).dtype != np.float64):
        return fake_quantize_numpy(x, scale, zero_point, qmin, qmax)
    out = np.empty_like(x)
    inside = np.empty(x.shape, dtype=np.bool_)
    _pick(nb, x.size).fake_quantize(x.reshape(-1), float(scale), float(zero_point), float(qmin), float(qmax),
                                    out.reshape(-1), inside.reshape(-1))
    return out, inside


def fake_quantize_numpy(x, scale, zero_point, qmin, qmax):
    q = np.rint(x / scale) + zero_point
    inside = (q >= qmin) & (q <= qmax)
    return ((np.clip(q, qmin, qmax) - zero_point) * scale).astype(x.dtype), inside


# ============================================================================ softmax cross-entropy

def softmax_cross_entropy(z, indices, smoothing=0.0):
    """Per-row losses (N,) and softmax probabilities (N, C) of logits z (N, C) for class
    ``indices`` (N,), with label smoothing ε:

        ℓᵢ = (1 − ε)·(logsumexp(zᵢ) − z_{i,tᵢ}) + ε·(logsumexp(zᵢ) − mean_c z_ic)

    computed stably from z − max(z) (Goodfellow et al. 2016, "Deep Learning", §6.2.2.3).
    """
    smoothing = float(smoothing)
    nb = _kernels("softmax", z) if z.ndim == 2 else None
    idx = _row_indices(indices, z.shape) if nb is not None else None
    if idx is None:
        return softmax_cross_entropy_numpy(z, indices, smoothing)
    k, t, n = _pick(nb, z.size), z.dtype.type, z.shape[0]
    shifted = np.empty_like(z)
    picked, shifted_mean, losses = (np.empty(n, dtype=z.dtype) for _ in range(3))
    k.softmax_shift(z, idx, smoothing != 0, shifted, picked, shifted_mean)  # row max, z − max, picked logit
    probs = np.exp(shifted, out=shifted)  # NumPy's vectorized exp (see numba_kernels)
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
    nb = _kernels("softmax", probs)
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
    _pick(nb, probs.size).softmax_cross_entropy_backward(probs, idx, off, hit, scale, out)
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


# ============================================================================ BatchNorm

def batch_norm_forward(x, gamma, beta, eps):
    """Training-mode BatchNorm (Ioffe & Szegedy 2015) of x (N, C) or (N, C, L), over all axes but 1.

    Per channel: μ and the biased σ² over the batch (and length), then
    inv_std = 1/√(σ² + ε), x̂ = (x − μ)·inv_std, y = γ x̂ + β with γ, β of shape (C,).
    Returns ``y, mean, var, inv_std, xhat`` (y and x̂ shaped like x; the rest (C,)).
    """
    nb = _kernels("batch_norm", x) if x.ndim in (2, 3) and x.size else None
    c = x.shape[1] if nb is not None else 0
    if nb is None or not all(_plain(a, x.dtype) and a.shape == (c,) for a in (gamma, beta)):
        return batch_norm_forward_numpy(x, gamma, beta, eps)
    x3 = _as_ncl(x)
    y, xhat = np.empty_like(x3), np.empty_like(x3)
    mean, var, inv_std = (np.empty(c, dtype=x.dtype) for _ in range(3))
    _pick(nb, x.size).batch_norm_forward(x3, gamma, beta, x.dtype.type(eps), y, mean, var, inv_std, xhat)
    return y.reshape(x.shape), mean, var, inv_std, xhat.reshape(x.shape)


def batch_norm_forward_numpy(x, gamma, beta, eps):
    x3 = _as_ncl(x)
    mean = x3.mean(axis=(0, 2))
    var = x3.var(axis=(0, 2))
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x3 - mean[:, None]) * inv_std[:, None]
    y = xhat * gamma[:, None] + beta[:, None]
    return y.reshape(x.shape), mean, var, inv_std, xhat.reshape(x.shape)


def batch_norm_backward(dy, xhat, inv_std, gamma, out=None):
    """BatchNorm's backward from the saved x̂ and inv_std, with n values per channel
    (Ioffe & Szegedy, 2015, §3):

        dβ = Σ dy,   dγ = Σ dy·x̂,   dx̂ = γ·dy,
        dx = inv_std/n · (n·dx̂ − Σ dx̂ − x̂·Σ dx̂·x̂)

    (sums over every axis but 1). Returns ``dx, dgamma, dbeta``.

    ``out``: optionally one flat array of dy.size + 2·C elements, of the dtype the
    inputs promote to, that receives dx, dγ and dβ one after the other (the returned
    arrays are then views of it), so that the three can leave as one op's output
    without a copy.
    """
    nb = _kernels("batch_norm", dy, xhat) if dy.ndim in (2, 3) and dy.size else None
    c = dy.shape[1] if nb is not None else 0
    if (nb is None or not all(_plain(a, dy.dtype) and a.shape == (c,) for a in (inv_std, gamma))
            or (out is not None and not _plain(out, dy.dtype))):
        return batch_norm_backward_numpy(dy, xhat, inv_std, gamma, out)
    dy3 = _as_ncl(dy)
    if out is None:
        dx, dgamma, dbeta = np.empty_like(dy3), np.empty(c, dtype=dy.dtype), np.empty(c, dtype=dy.dtype)
    else:
        dx, dgamma, dbeta = _split_packed(out, dy3.shape)
    _pick(nb, dy.size).batch_norm_backward(dy3, _as_ncl(xhat), inv_std, gamma, dx, dgamma, dbeta)
    return dx.reshape(dy.shape), dgamma, dbeta


def batch_norm_backward_numpy(dy, xhat, inv_std, gamma, out=None):
    xp = module_of(dy)
    dy3, xhat3 = _as_ncl(dy), _as_ncl(xhat)
    n = dy3.shape[0] * dy3.shape[2]
    dx, dgamma, dbeta = (None,) * 3 if out is None else _split_packed(out, dy3.shape)
    dxhat = dy3 * gamma[:, None]
    sum_dxhat = dxhat.sum(axis=(0, 2))
    sum_dxhat_xhat = (dxhat * xhat3).sum(axis=(0, 2))
    dx = xp.multiply((inv_std / n)[:, None], n * dxhat - sum_dxhat[:, None] - xhat3 * sum_dxhat_xhat[:, None],
                     out=dx)
    dgamma = xp.sum(dy3 * xhat3, axis=(0, 2), out=dgamma)
    dbeta = xp.sum(dy3, axis=(0, 2), out=dbeta)
    return dx.reshape(dy.shape), dgamma, dbeta


def _split_packed(out, shape3):
    """Views (dx (N, C, L), dγ (C,), dβ (C,)) of one flat array laid out [dx.ravel(), dγ, dβ]."""
    size, c = shape3[0] * shape3[1] * shape3[2], shape3[1]
    if out.shape != (size + 2 * c,):
        raise ValueError(f"batch_norm_backward: out must have shape ({size + 2 * c},), got {out.shape}")
    return out[:size].reshape(shape3), out[size:size + c], out[size + c:]


def _as_ncl(x):
    """(N, C) → (N, C, 1); (N, C, L) as it is: one layout for both kernels."""
    return x if x.ndim == 3 else x.reshape(x.shape[0], x.shape[1], 1)


# ============================================================================ optimizer updates
#
# One function per optimizer, ``<name>_update(param, grad, state, **hyperparameters)``,
# changing the arrays ``param`` and ``state`` in place (the classes in
# minigrad.optim.optimizers document the update rules). The twins follow PyTorch's
# single-tensor reference implementations operation by operation; the kernels
# repeat the same operations per element, with each Python number cast to the
# array's dtype as NumPy does, so the two agree bit for bit.

def sgd_update(param, grad, state, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One SGD step on ``param`` in place; ``state`` holds the momentum buffer."""
    lr, momentum, dampening, weight_decay = float(lr), float(momentum), float(dampening), float(weight_decay)
    buf = state.get("momentum_buffer")
    use_momentum = momentum != 0
    nb = _kernels("sgd", param, grad, buf) if use_momentum and buf is not None else _kernels("sgd", param, grad)
    if nb is None:
        return sgd_update_numpy(param, grad, state, lr=lr, momentum=momentum, dampening=dampening,
                                weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
    t = param.dtype.type
    first = use_momentum and buf is None
    if first:
        buf = state["momentum_buffer"] = np.empty_like(param)
    _pick(nb, param.size).sgd_update(
        param.reshape(-1), grad.reshape(-1), buf.reshape(-1) if use_momentum else _EMPTY[param.dtype], t(lr),
        t(momentum), t(1 - dampening), t(weight_decay), weight_decay != 0, use_momentum, bool(nesterov),
        bool(maximize), first)


def sgd_update_numpy(param, grad, state, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = g.copy()  # the first step starts the velocity at g
        else:
            buf *= momentum
            buf += (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    param -= lr * g


def adagrad_update(param, grad, state, *, lr, lr_decay, weight_decay, eps, maximize):
    """One Adagrad step on ``param`` in place; ``state``: ``step``, ``sum``."""
    lr, lr_decay, weight_decay, eps = map(float, (lr, lr_decay, weight_decay, eps))
    nb = _kernels("optimizer", param, grad, state["sum"])
    if nb is None:
        return adagrad_update_numpy(param, grad, state, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                    eps=eps, maximize=maximize)
    state["step"] += 1
    t = param.dtype.type
    _pick(nb, param.size).adagrad_update(
        param.reshape(-1), grad.reshape(-1), state["sum"].reshape(-1),
        t(_adagrad_lr(lr, lr_decay, state["step"])), t(weight_decay), t(eps), weight_decay != 0, bool(maximize))


def adagrad_update_numpy(param, grad, state, *, lr, lr_decay, weight_decay, eps, maximize):
    g = -grad if maximize else grad
    state["step"] += 1
    if weight_decay != 0:
        g = g + weight_decay * param
    clr = _adagrad_lr(lr, lr_decay, state["step"])
    state["sum"] += g * g
    param -= clr * g / (np.sqrt(state["sum"]) + eps)


def _adagrad_lr(lr, lr_decay, step):
    """γₜ = γ / (1 + (t − 1) η)."""
    return lr / (1 + (step - 1) * lr_decay)


def rmsprop_update(param, grad, state, *, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """One RMSprop step on ``param`` in place; ``state``: ``step``, ``square_avg``
    (+ ``momentum_buffer`` when momentum > 0, ``grad_avg`` when centered)."""
    lr, alpha, eps, weight_decay, momentum = map(float, (lr, alpha, eps, weight_decay, momentum))
    use_momentum = momentum > 0
    buffers = [state["square_avg"]] + ([state["grad_avg"]] if centered else []) + (
        [state["momentum_buffer"]] if use_momentum else [])
    nb = _kernels("optimizer", param, grad, *buffers)
    if nb is None:
        return rmsprop_update_numpy(param, grad, state, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                    momentum=momentum, centered=centered, maximize=maximize)
    state["step"] += 1
    t = param.dtype.type
    empty = _EMPTY[param.dtype]
    _pick(nb, param.size).rmsprop_update(
        param.reshape(-1), grad.reshape(-1), state["square_avg"].reshape(-1),
        state["grad_avg"].reshape(-1) if centered else empty,
        state["momentum_buffer"].reshape(-1) if use_momentum else empty, t(lr), t(alpha), t(1 - alpha), t(eps),
        t(weight_decay), t(momentum), weight_decay != 0, bool(centered), use_momentum, bool(maximize))


def rmsprop_update_numpy(param, grad, state, *, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    g = -grad if maximize else grad
    state["step"] += 1
    if weight_decay != 0:
        g = g + weight_decay * param
    v = state["square_avg"]
    v *= alpha
    v += (1 - alpha) * g * g
    if centered:
        m = state["grad_avg"]
        m += (1 - alpha) * (g - m)  # m ← α m + (1 − α) g, written as PyTorch's lerp
        avg = np.sqrt(v - m * m) + eps
    else:
        avg = np.sqrt(v) + eps
    if momentum > 0:
        buf = state["momentum_buffer"]
        buf *= momentum
        buf += g / avg
        param -= lr * buf
    else:
        param -= lr * g / avg


def adadelta_update(param, grad, state, *, lr, rho, eps, weight_decay, maximize):
    """One Adadelta step on ``param`` in place; ``state``: ``step``, ``square_avg``, ``acc_delta``."""
    lr, rho, eps, weight_decay = map(float, (lr, rho, eps, weight_decay))
    nb = _kernels("optimizer", param, grad, state["square_avg"], state["acc_delta"])
    if nb is None:
        return adadelta_update_numpy(param, grad, state, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                     maximize=maximize)
    state["step"] += 1
    t = param.dtype.type
    _pick(nb, param.size).adadelta_update(
        param.reshape(-1), grad.reshape(-1), state["square_avg"].reshape(-1), state["acc_delta"].reshape(-1),
        t(lr), t(rho), t(1 - rho), t(eps), t(weight_decay), weight_decay != 0, bool(maximize))


def adadelta_update_numpy(param, grad, state, *, lr, rho, eps, weight_decay, maximize):
    g = -grad if maximize else grad
    state["step"] += 1
    if weight_decay != 0:
        g = g + weight_decay * param
    v, u = state["square_avg"], state["acc_delta"]
    v *= rho
    v += (1 - rho) * g * g
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u *= rho
    u += (1 - rho) * delta * delta
    param -= lr * delta


def adam_update(param, grad, state, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize,
                decoupled_weight_decay):
    """One Adam/AdamW step on ``param`` in place; ``state``: ``step``, ``exp_avg``,
    ``exp_avg_sq`` (+ ``max_exp_avg_sq`` when amsgrad)."""
    lr, beta1, beta2, eps, weight_decay = map(float, (lr, beta1, beta2, eps, weight_decay))
    buffers = [state["exp_avg"], state["exp_avg_sq"]] + ([state["max_exp_avg_sq"]] if amsgrad else [])
    nb = _kernels("optimizer", param, grad, *buffers)
    if nb is None:
        return adam_update_numpy(param, grad, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                                 weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                                 decoupled_weight_decay=decoupled_weight_decay)
    state["step"] += 1
    step = state["step"]
    t = param.dtype.type
    _pick(nb, param.size).adam_update(
        param.reshape(-1), grad.reshape(-1), state["exp_avg"].reshape(-1), state["exp_avg_sq"].reshape(-1),
        state["max_exp_avg_sq"].reshape(-1) if amsgrad else _EMPTY[param.dtype], t(lr / (1 - beta1**step)),
        t(1 - beta1), t(beta2), t(1 - beta2), t(math.sqrt(1 - beta2**step)), t(eps), t(weight_decay),
        t(1 - lr * weight_decay), weight_decay != 0, bool(decoupled_weight_decay), bool(amsgrad),
        bool(maximize))


def adam_update_numpy(param, grad, state, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize,
                      decoupled_weight_decay):
    g = -grad if maximize else grad
    state["step"] += 1
    t = state["step"]
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay  # AdamW: shrink θ directly
        else:
            g = g + weight_decay * param  # Adam: L2 penalty folded into the gradient
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m += (1 - beta1) * (g - m)  # m ← β₁ m + (1 − β₁) g, written as PyTorch's lerp
    v *= beta2
    v += (1 - beta2) * g * g
    if amsgrad:
        np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        v = state["max_exp_avg_sq"]
    bias_correction1 = 1 - beta1**t
    bias_correction2 = 1 - beta2**t
    denom = np.sqrt(v) / math.sqrt(bias_correction2) + eps
    param -= (lr / bias_correction1) * m / denom


def adamax_update(param, grad, state, *, lr, beta1, beta2, eps, weight_decay, maximize):
    """One Adamax step on ``param`` in place; ``state``: ``step``, ``exp_avg``, ``exp_inf``."""
    lr, beta1, beta2, eps, weight_decay = map(float, (lr, beta1, beta2, eps, weight_decay))
    nb = _kernels("optimizer", param, grad, state["exp_avg"], state["exp_inf"])
    if nb is None:
        return adamax_update_numpy(param, grad, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                                   weight_decay=weight_decay, maximize=maximize)
    state["step"] += 1
    t = param.dtype.type
    _pick(nb, param.size).adamax_update(
        param.reshape(-1), grad.reshape(-1), state["exp_avg"].reshape(-1), state["exp_inf"].reshape(-1),
        t(lr / (1 - beta1 ** state["step"])), t(1 - beta1), t(beta2), t(eps), t(weight_decay),
        weight_decay != 0, bool(maximize))


def adamax_update_numpy(param, grad, state, *, lr, beta1, beta2, eps, weight_decay, maximize):
    g = -grad if maximize else grad
    state["step"] += 1
    if weight_decay != 0:
        g = g + weight_decay * param
    m, u = state["exp_avg"], state["exp_inf"]
    m += (1 - beta1) * (g - m)
    u *= beta2
    np.maximum(u, np.abs(g) + eps, out=u)
    param -= (lr / (1 - beta1 ** state["step"])) * m / u


def nadam_update(param, grad, state, *, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                 decoupled_weight_decay, maximize):
    """One NAdam step on ``param`` in place; ``state``: ``step``, ``mu_product``,
    ``exp_avg``, ``exp_avg_sq``."""
    lr, beta1, beta2, eps, weight_decay, momentum_decay = map(
        float, (lr, beta1, beta2, eps, weight_decay, momentum_decay))
    nb = _kernels("optimizer", param, grad, state["exp_avg"], state["exp_avg_sq"])
    if nb is None:
        return nadam_update_numpy(param, grad, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                                  weight_decay=weight_decay, momentum_decay=momentum_decay,
                                  decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
    state["step"] += 1
    step = state["step"]
    mu, mu_next, mu_product = _nadam_momentum(state, beta1, momentum_decay)
    t = param.dtype.type
    _pick(nb, param.size).nadam_update(
        param.reshape(-1), grad.reshape(-1), state["exp_avg"].reshape(-1), state["exp_avg_sq"].reshape(-1),
        t(1 - beta1), t(beta2), t(1 - beta2), t(1 - beta2**step), t(eps), t(weight_decay),
        t(1 - lr * weight_decay), t(lr * (1.0 - mu) / (1.0 - mu_product)),
        t(lr * mu_next / (1.0 - mu_product * mu_next)), weight_decay != 0, bool(decoupled_weight_decay),
        bool(maximize))


def nadam_update_numpy(param, grad, state, *, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                       decoupled_weight_decay, maximize):
    g = -grad if maximize else grad
    state["step"] += 1
    t = state["step"]
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param
    mu, mu_next, mu_product = _nadam_momentum(state, beta1, momentum_decay)
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m += (1 - beta1) * (g - m)
    v *= beta2
    v += (1 - beta2) * g * g
    denom = np.sqrt(v / (1 - beta2**t)) + eps
    param -= (lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
    param -= (lr * mu_next / (1.0 - mu_product * mu_next)) * m / denom


def _nadam_momentum(state, beta1, momentum_decay):
    """Dozat's momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)) for this step and the next; the
    product of all μ so far (kept in ``state``) plays the role of Adam's β₁ᵗ."""
    t = state["step"]
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    state["mu_product"] *= mu
    return mu, mu_next, state["mu_product"]

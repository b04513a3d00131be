"""BatchNorm on arrays, forward and backward: the NumPy formulas and their kernels.

The ``*_numpy`` formulas below are the reference; for at least
``kernels.MIN_SIZE["batch_norm"]`` inputs the same runs as Numba kernels
(:mod:`minigrad.backend.numba_kernels`), by the rule of
:mod:`minigrad.backend.kernels`: the statistics in one pass, the normalization in
another. The BatchNorm op of :mod:`minigrad.ops.normalization` calls these.
"""

from __future__ import annotations

import numpy as np

from minigrad.backend import kernels
from minigrad.backend.device import module_of

__all__ = ["batch_norm_forward", "batch_norm_forward_numpy", "batch_norm_backward", "batch_norm_backward_numpy"]


def batch_norm_forward(x, gamma, beta, eps):
    """Training-mode BatchNorm (Ioffe & Szegedy 2015) of x (N, C, *) ((N, C), (N, C, L), (N, C, H, W) ...),
    over all axes but 1.

    Per channel: μ and the biased σ² over the batch (and length), then
    inv_std = 1/√(σ² + ε), x̂ = (x − μ)·inv_std, y = γ x̂ + β with γ, β of shape (C,).
    Returns ``y, mean, var, inv_std, xhat`` (y and x̂ shaped like x; the rest (C,)).
    """
    nb = kernels.compiled("batch_norm", x) if x.ndim >= 2 and x.size else None
    c = x.shape[1] if nb is not None else 0
    if nb is None or not all(kernels.plain(a, x.dtype) and a.shape == (c,) for a in (gamma, beta)):
        return batch_norm_forward_numpy(x, gamma, beta, eps)
    x3 = _as_ncl(x)
    y, xhat = np.empty_like(x3), np.empty_like(x3)
    mean, var, inv_std = (np.empty(c, dtype=x.dtype) for _ in range(3))
    nb.batch_norm_forward(x3, gamma, beta, x.dtype.type(eps), y, mean, var, inv_std, xhat)
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
    nb = kernels.compiled("batch_norm", dy, xhat) if dy.ndim >= 2 and dy.size else None
    c = dy.shape[1] if nb is not None else 0
    if (nb is None or not all(kernels.plain(a, dy.dtype) and a.shape == (c,) for a in (inv_std, gamma))
            or (out is not None and not kernels.plain(out, dy.dtype))):
        return batch_norm_backward_numpy(dy, xhat, inv_std, gamma, out)
    dy3 = _as_ncl(dy)
    if out is None:
        dx, dgamma, dbeta = np.empty_like(dy3), np.empty(c, dtype=dy.dtype), np.empty(c, dtype=dy.dtype)
    else:
        dx, dgamma, dbeta = _split_packed(out, dy3.shape)
    nb.batch_norm_backward(dy3, _as_ncl(xhat), inv_std, gamma, dx, dgamma, dbeta)
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
    """(N, C) → (N, C, 1); (N, C, L) as it is; (N, C, H, W, ...) → (N, C, H·W·...): one layout
    for both kernels (the trailing axes of a channel are all averaged over alike)."""
    if x.ndim == 3:
        return x
    return x.reshape(x.shape[0], x.shape[1], int(np.prod(x.shape[2:], dtype=np.int64)))


@kernels.register_warm_up
def _warm_up(dtype):
    x = np.linspace(-1.0, 1.0, 12).astype(dtype).reshape(4, 3)
    ones = np.ones(3, dtype=dtype)
    _, _, _, inv_std, xhat = batch_norm_forward(x, ones, ones, 1e-5)
    batch_norm_backward(x, xhat, inv_std, ones)

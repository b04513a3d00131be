"""Numba kernels of the optimizers' updates: one pass per parameter instead of one per NumPy operation.

Never import this module directly (see :mod:`minigrad.backend.jit`). Each kernel
is the NumPy ``_update`` of an optimizer class in :mod:`minigrad.optim` -- the
reference, under the docstring that states the rule and its source -- repeated
for one element at a time, operation by operation and in the same order, so the
two agree bit for bit. It reads θ, g and the state once and writes them once,
where NumPy makes a pass (and a temporary) per operation.

The optimizer's ``_fused_update`` calls it through :func:`minigrad.backend.kernels.fused`,
which flattens the arrays and casts the numbers to their dtype. Arguments: the
arrays first (θ, g, the state's buffers; an empty array for a buffer the options
leave unused), then ``numbers``, the scalars the caller computes once per step as
one array of that dtype (unpacked by name on the kernel's first line: one cast
and one argument instead of one each), then the flags; "wd" is weight decay,
"keep" a 1 − β.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from minigrad.backend.jit import helper, kernel


@helper
def _gradient(grad, p, wd, use_wd, maximize):
    """g of one element, as ``optimizer.decayed_gradient``: ±∇θ (− when maximizing), plus λθ when use_wd."""
    g = -grad if maximize else grad
    if use_wd:
        g = g + wd * p
    return g


@helper
def _decayed(g, p, wd, decay, use_wd, decoupled):
    """(g, θ) after weight decay, as ``optimizer.decayed_gradient``: g + λθ, or θ·(1 − γλ) when decoupled."""
    if use_wd:
        if decoupled:
            p = p * decay
        else:
            g = g + wd * p
    return g, p


@helper
def _moments(m, v, g, beta1_keep, beta2, beta2_keep):
    """Adam's new moments of one element: m + (1 − β₁)(g − m) and β₂ v + (1 − β₂) g²."""
    m = m + beta1_keep * (g - m)
    v = v * beta2
    return m, v + beta2_keep * g * g


@kernel
def sgd_update(param, grad, buf, numbers, use_wd, use_momentum, nesterov, maximize, first):
    """``SGD._update`` per element (``first``: the momentum buffer starts at g)."""
    lr, momentum, dampening_keep, wd = numbers
    for i in prange(param.size):
        g = _gradient(grad[i], param[i], wd, use_wd, maximize)
        if use_momentum:
            if first:
                b = g
            else:
                b = buf[i] * momentum
                b = b + dampening_keep * g
            buf[i] = b
            g = g + momentum * b if nesterov else b
        param[i] = param[i] - lr * g


@kernel
def adagrad_update(param, grad, total, numbers, use_wd, maximize):
    """``Adagrad._update`` per element; ``clr`` is this step's decayed learning rate."""
    clr, wd, eps = numbers
    for i in prange(param.size):
        g = _gradient(grad[i], param[i], wd, use_wd, maximize)
        s = total[i] + g * g
        total[i] = s
        param[i] = param[i] - clr * g / (np.sqrt(s) + eps)


@kernel
def rmsprop_update(param, grad, square_avg, grad_avg, buf, numbers, use_wd, centered, use_momentum, maximize):
    """``RMSprop._update`` per element (``alpha_keep`` = 1 − α)."""
    lr, alpha, alpha_keep, eps, wd, momentum = numbers
    for i in prange(param.size):
        g = _gradient(grad[i], param[i], wd, use_wd, maximize)
        v = square_avg[i] * alpha
        v = v + alpha_keep * g * g
        square_avg[i] = v
        if centered:
            m = grad_avg[i]
            m = m + alpha_keep * (g - m)
            grad_avg[i] = m
            avg = np.sqrt(v - m * m) + eps
        else:
            avg = np.sqrt(v) + eps
        if use_momentum:
            b = buf[i] * momentum
            b = b + g / avg
            buf[i] = b
            param[i] = param[i] - lr * b
        else:
            param[i] = param[i] - lr * g / avg


@kernel
def adadelta_update(param, grad, square_avg, acc_delta, numbers, use_wd, maximize):
    """``Adadelta._update`` per element (``rho_keep`` = 1 − ρ)."""
    lr, rho, rho_keep, eps, wd = numbers
    for i in prange(param.size):
        g = _gradient(grad[i], param[i], wd, use_wd, maximize)
        v = square_avg[i] * rho
        v = v + rho_keep * g * g
        square_avg[i] = v
        u = acc_delta[i]
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = u * rho
        acc_delta[i] = u + rho_keep * delta * delta
        param[i] = param[i] - lr * delta


@kernel
def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, numbers, use_wd, decoupled, amsgrad,
                maximize):
    """``Adam._update`` per element (Adam and AdamW); ``step_size`` = γ / (1 − β₁ᵗ), ``decay`` = 1 − γλ."""
    step_size, beta1_keep, beta2, beta2_keep, sqrt_bias_correction2, eps, wd, decay = numbers
    for i in prange(param.size):
        g, p = _decayed(-grad[i] if maximize else grad[i], param[i], wd, decay, use_wd, decoupled)
        m, v = _moments(exp_avg[i], exp_avg_sq[i], g, beta1_keep, beta2, beta2_keep)
        exp_avg[i], exp_avg_sq[i] = m, v
        if amsgrad:
            vmax = max_exp_avg_sq[i]
            if not (vmax >= v or np.isnan(vmax)):  # np.maximum: NaN wins
                vmax = v
            max_exp_avg_sq[i] = vmax
            v = vmax
        denom = np.sqrt(v) / sqrt_bias_correction2 + eps
        param[i] = p - step_size * m / denom


@kernel
def adamax_update(param, grad, exp_avg, exp_inf, numbers, use_wd, maximize):
    """``Adamax._update`` per element; ``step_size`` = γ / (1 − β₁ᵗ)."""
    step_size, beta1_keep, beta2, eps, wd = numbers
    for i in prange(param.size):
        g = _gradient(grad[i], param[i], wd, use_wd, maximize)
        m = exp_avg[i]
        m = m + beta1_keep * (g - m)
        exp_avg[i] = m
        u = exp_inf[i] * beta2
        a = abs(g) + eps
        if not (u >= a or np.isnan(u)):  # np.maximum: NaN wins
            u = a
        exp_inf[i] = u
        param[i] = param[i] - step_size * m / u


@kernel
def nadam_update(param, grad, exp_avg, exp_avg_sq, numbers, use_wd, decoupled, maximize):
    """``NAdam._update`` per element; ``grad_coef`` and ``avg_coef`` weigh g and m in m̂."""
    beta1_keep, beta2, beta2_keep, bias_correction2, eps, wd, decay, grad_coef, avg_coef = numbers
    for i in prange(param.size):
        g, p = _decayed(-grad[i] if maximize else grad[i], param[i], wd, decay, use_wd, decoupled)
        m, v = _moments(exp_avg[i], exp_avg_sq[i], g, beta1_keep, beta2, beta2_keep)
        exp_avg[i], exp_avg_sq[i] = m, v
        denom = np.sqrt(v / bias_correction2) + eps
        p = p - grad_coef * g / denom
        param[i] = p - avg_coef * m / denom

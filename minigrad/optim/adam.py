"""The Adam family: Adam, AdamW, Adamax, NAdam, with PyTorch's update rules.

Each keeps two moving averages per weight, of the gradient (m, momentum) and of
its square or magnitude (v or u, the per-weight scale of RMSprop), and corrects
the bias of starting them at 0. The notation of the update rules is in
:mod:`minigrad.optim.optimizers`.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.backend import kernels
from minigrad.optim.optimizer import Optimizer, check_betas, check_nonnegative, decayed_gradient, state_buffer

__all__ = ["Adam", "AdamW", "Adamax", "NAdam"]


def _zero_moments(param):
    return {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSprop-style scaling, both bias-corrected.

    Update::

        g ← ∇θ (+ λ θ)
        m ← β₁ m + (1 − β₁) g                     first moment (momentum)
        v ← β₂ v + (1 − β₂) g²                    second moment (RMSprop)
        v̂max ← max(v̂max, v)                       if amsgrad, and v is replaced by v̂max below
        θ ← θ − γ · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)

    The divisions by 1 − βᵗ undo the bias of starting m and v at 0. In code,
    ``m = beta1*m + (1-beta1)*dx; v = beta2*v + (1-beta2)*(dx**2)``
    (the course's version omits the bias correction). Papers: Kingma & Ba (2015), "Adam: A
    Method for Stochastic Optimization"; AMSGrad: Reddi, Kale, Kumar (2018), "On
    the Convergence of Adam and Beyond".

    Keras differs: ``epsilon=1e-7`` (PyTorch 1e-8), and Keras adds ε to √v̂
    after folding the bias correction into the learning rate (ε̂ in the paper's
    notation), so the two agree only approximately when √v̂ ~ ε.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                 maximize=False, decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "eps", "weight_decay")
        check_betas(group)

    def _init_state(self, param, group):
        return _zero_moments(param)  # v̂max: when first needed

    def _update(self, param, grad, state, group):
        lr, (beta1, beta2) = group["lr"], group["betas"]
        g = decayed_gradient(param, grad, group, decoupled=group["decoupled_weight_decay"])
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - beta1) * (g - m)  # m ← β₁ m + (1 − β₁) g, written as PyTorch's lerp
        v *= beta2
        v += (1 - beta2) * g * g
        if group["amsgrad"]:
            v_max = state_buffer(state, "max_exp_avg_sq", param)
            np.maximum(v_max, v, out=v_max)
            v = v_max
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        denom = np.sqrt(v) / math.sqrt(bias_correction2) + group["eps"]
        param -= (lr / bias_correction1) * m / denom

    def _fused_update(self, param, grad, state, group):
        amsgrad = bool(group["amsgrad"])
        kernel = kernels.fused("adam_update", "optimizer", param, grad, state["exp_avg"], state["exp_avg_sq"],
                               state_buffer(state, "max_exp_avg_sq", param) if amsgrad else None)
        if kernel:
            t, lr, (beta1, beta2), weight_decay = state["step"], group["lr"], group["betas"], group["weight_decay"]
            kernel((lr / (1 - beta1**t), 1 - beta1, beta2, 1 - beta2, math.sqrt(1 - beta2**t), group["eps"],
                    weight_decay, 1 - lr * weight_decay),
                   weight_decay != 0, bool(group["decoupled_weight_decay"]), amsgrad, bool(group["maximize"]))
        return kernel is not None


class AdamW(Adam):
    """AdamW: Adam with *decoupled* weight decay.

    Update: first θ ← θ − γ λ θ, then Adam's step with the plain gradient g = ∇θ.

    In Adam, an L2 term λθ added to g is divided by √v̂ like the rest of the
    gradient, so weights with large gradients are barely regularized; shrinking
    θ directly decays every weight at the same rate. Paper: Loshchilov & Hutter
    (2019), "Decoupled Weight Decay Regularization".

    Defaults as PyTorch (``weight_decay=1e-2``). Keras ``AdamW`` differs:
    ``weight_decay=0.004``, ``epsilon=1e-7``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
                 maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm in place of the root mean square.

    Update::

        g ← ∇θ (+ λ θ)
        m ← β₁ m + (1 − β₁) g
        u ← max(β₂ u, |g| + ε)
        θ ← θ − γ m / ((1 − β₁ᵗ) u)

    Paper: Kingma & Ba (2015), "Adam", section 7.1.

    Keras differs: ``learning_rate=0.001`` (PyTorch 2e-3), ``epsilon=1e-7``
    (PyTorch 1e-8), and Keras adds ε outside the max (θ ← θ − γ m̂ / (u + ε)).
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "eps", "weight_decay")
        check_betas(group)

    def _init_state(self, param, group):
        return {"step": 0, "exp_avg": np.zeros_like(param), "exp_inf": np.zeros_like(param)}

    def _update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        g = decayed_gradient(param, grad, group)
        m, u = state["exp_avg"], state["exp_inf"]
        m += (1 - beta1) * (g - m)
        u *= beta2
        np.maximum(u, np.abs(g) + group["eps"], out=u)
        param -= (group["lr"] / (1 - beta1 ** state["step"])) * m / u

    def _fused_update(self, param, grad, state, group):
        kernel = kernels.fused("adamax_update", "optimizer", param, grad, state["exp_avg"], state["exp_inf"])
        if kernel:
            (beta1, beta2), weight_decay = group["betas"], group["weight_decay"]
            kernel((group["lr"] / (1 - beta1 ** state["step"]), 1 - beta1, beta2, group["eps"], weight_decay),
                   weight_decay != 0, bool(group["maximize"]))
        return kernel is not None


class NAdam(Optimizer):
    """NAdam: Adam with Nesterov momentum (the look-ahead applied to m).

    Update, with ψ = momentum_decay::

        g ← ∇θ (+ λ θ, or θ ← θ − γ λ θ when decoupled_weight_decay)
        μₜ ← β₁ (1 − ½ · 0.96^(t ψ))              momentum schedule
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        m̂ ← μₜ₊₁ m / (1 − Π_{i≤t+1} μᵢ) + (1 − μₜ) g / (1 − Π_{i≤t} μᵢ)
        θ ← θ − γ m̂ / (√(v / (1 − β₂ᵗ)) + ε)

    Adam with Nesterov momentum. Paper: Dozat
    (2016), "Incorporating Nesterov Momentum into Adam".

    Keras ``Nadam`` differs: ``learning_rate=0.001`` (PyTorch 2e-3),
    ``epsilon=1e-7`` (PyTorch 1e-8).
    """

    _scalar_state = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, maximize=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "eps", "weight_decay", "momentum_decay")
        check_betas(group)

    def _init_state(self, param, group):
        return dict(_zero_moments(param), mu_product=1.0)

    def _update(self, param, grad, state, group):
        lr, (beta1, beta2) = group["lr"], group["betas"]
        g = decayed_gradient(param, grad, group, decoupled=group["decoupled_weight_decay"])
        t = state["step"]
        mu, mu_next, mu_product = _nadam_momentum(state, group)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - beta1) * (g - m)
        v *= beta2
        v += (1 - beta2) * g * g
        denom = np.sqrt(v / (1 - beta2**t)) + group["eps"]
        param -= (lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
        param -= (lr * mu_next / (1.0 - mu_product * mu_next)) * m / denom

    def _fused_update(self, param, grad, state, group):
        kernel = kernels.fused("nadam_update", "optimizer", param, grad, state["exp_avg"], state["exp_avg_sq"])
        if kernel:
            mu, mu_next, mu_product = _nadam_momentum(state, group)
            t, lr, (beta1, beta2), weight_decay = state["step"], group["lr"], group["betas"], group["weight_decay"]
            kernel((1 - beta1, beta2, 1 - beta2, 1 - beta2**t, group["eps"], weight_decay, 1 - lr * weight_decay,
                    lr * (1.0 - mu) / (1.0 - mu_product), lr * mu_next / (1.0 - mu_product * mu_next)),
                   weight_decay != 0, bool(group["decoupled_weight_decay"]), bool(group["maximize"]))
        return kernel is not None


def _nadam_momentum(state, group):
    """Dozat's momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)) for this step and the next; the
    product of all μ so far (kept in ``state``) plays the role of Adam's β₁ᵗ."""
    t, beta1, psi = state["step"], group["betas"][0], group["momentum_decay"]
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
    state["mu_product"] *= mu
    return mu, mu_next, state["mu_product"]

"""Adaptive step sizes: Adagrad, RMSprop, Adadelta, with PyTorch's update rules.

Each weight gets its own step size, scaled down by a running measure of its
squared gradients: large for weights whose gradients are small, small where they
are large. The notation of the update rules is in :mod:`minigrad.optim.optimizers`.
"""

from __future__ import annotations

import numpy as np

from minigrad.backend import kernels
from minigrad.optim.optimizer import Optimizer, check_nonnegative, decayed_gradient, state_buffer

__all__ = ["Adagrad", "RMSprop", "Adadelta"]


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients.

    Update::

        g ← ∇θ (+ λ θ)
        γₜ ← γ / (1 + (t − 1) η)                 η = lr_decay
        s ← s + g²                                s₀ = initial_accumulator_value
        θ ← θ − γₜ g / (√s + ε)

    In code: ``cache += dx**2; x += -lr * dx / (np.sqrt(cache) + eps)``.
    Paper: Duchi, Hazan, Singer (2011), "Adaptive Subgradient Methods for Online
    Learning and Stochastic Optimization".

    Keras differs: ``learning_rate=0.001`` (PyTorch 0.01),
    ``initial_accumulator_value=0.1`` (PyTorch 0), ``epsilon=1e-7`` (PyTorch 1e-10).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                 maximize=False):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def _init_state(self, param, group):
        return {"step": 0, "sum": np.full_like(param, group["initial_accumulator_value"])}

    def _update(self, param, grad, state, group):
        g = decayed_gradient(param, grad, group)
        s = state["sum"]
        s += g * g
        param -= _decayed_lr(group, state["step"]) * g / (np.sqrt(s) + group["eps"])

    def _fused_update(self, param, grad, state, group):
        kernel = kernels.fused("adagrad_update", "optimizer", param, grad, state["sum"])
        if kernel:
            weight_decay = group["weight_decay"]
            kernel((_decayed_lr(group, state["step"]), weight_decay, group["eps"]), weight_decay != 0,
                   bool(group["maximize"]))
        return kernel is not None


def _decayed_lr(group, step):
    """Adagrad's γₜ = γ / (1 + (t − 1) η)."""
    return group["lr"] / (1 + (step - 1) * group["lr_decay"])


class RMSprop(Optimizer):
    """RMSprop: divide the step by a moving root-mean-square of recent gradients.

    Update::

        g ← ∇θ (+ λ θ)
        v ← α v + (1 − α) g²
        ṽ ← v − ḡ²,  where ḡ ← α ḡ + (1 − α) g   if centered, else ṽ ← v
        b ← μ b + g / (√ṽ + ε);  θ ← θ − γ b      if momentum μ > 0
        θ ← θ − γ g / (√ṽ + ε)                    otherwise

    In code: ``cache = decay_rate * cache + (1 - decay_rate) * dx**2``
    (``decay_rate`` is α here). Centered RMSprop divides by an estimate of the
    gradient's standard deviation instead of its root mean square (Graves, 2013).
    Reference: Hinton, "Neural Networks for Machine Learning", lecture 6a (2012).

    Keras differs: ``learning_rate=0.001`` (PyTorch 0.01), ``rho=0.9`` (PyTorch
    ``alpha=0.99``), ``epsilon=1e-7`` (PyTorch 1e-8).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                 maximize=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "alpha", "eps", "momentum", "weight_decay")

    def _init_state(self, param, group):
        return {"step": 0, "square_avg": np.zeros_like(param)}  # ḡ and b: when first needed

    def _update(self, param, grad, state, group):
        alpha, eps = group["alpha"], group["eps"]
        g = decayed_gradient(param, grad, group)
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * g * g
        if group["centered"]:
            m = state_buffer(state, "grad_avg", param)
            m += (1 - alpha) * (g - m)  # ḡ ← α ḡ + (1 − α) g, written as PyTorch's lerp
            avg = np.sqrt(v - m * m) + eps
        else:
            avg = np.sqrt(v) + eps
        if group["momentum"] > 0:
            buf = state_buffer(state, "momentum_buffer", param)
            buf *= group["momentum"]
            buf += g / avg
            param -= group["lr"] * buf
        else:
            param -= group["lr"] * g / avg

    def _fused_update(self, param, grad, state, group):
        alpha, momentum, weight_decay = group["alpha"], group["momentum"], group["weight_decay"]
        centered = bool(group["centered"])
        kernel = kernels.fused("rmsprop_update", "optimizer", param, grad, state["square_avg"],
                               state_buffer(state, "grad_avg", param) if centered else None,
                               state_buffer(state, "momentum_buffer", param) if momentum > 0 else None)
        if kernel:
            kernel((group["lr"], alpha, 1 - alpha, group["eps"], weight_decay, momentum), weight_decay != 0,
                   centered, momentum > 0, bool(group["maximize"]))
        return kernel is not None


class Adadelta(Optimizer):
    """Adadelta: RMSprop whose step size is itself a running RMS of past steps.

    Update::

        g ← ∇θ (+ λ θ)
        v ← ρ v + (1 − ρ) g²
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρ u + (1 − ρ) Δ²
        θ ← θ − γ Δ

    The ratio √(u + ε)/√(v + ε) has the units of θ, so no learning rate is needed
    in principle (γ = 1). Paper: Zeiler (2012),
    "ADADELTA: An Adaptive Learning Rate Method".

    Keras differs: ``learning_rate=0.001`` (PyTorch 1.0, the paper's choice),
    ``rho=0.95`` (PyTorch 0.9), ``epsilon=1e-7`` (PyTorch 1e-6).
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "eps", "weight_decay")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"invalid rho: {group['rho']!r} (must be in [0, 1])")

    def _init_state(self, param, group):
        return {"step": 0, "square_avg": np.zeros_like(param), "acc_delta": np.zeros_like(param)}

    def _update(self, param, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        g = decayed_gradient(param, grad, group)
        v, u = state["square_avg"], state["acc_delta"]
        v *= rho
        v += (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u *= rho
        u += (1 - rho) * delta * delta
        param -= group["lr"] * delta

    def _fused_update(self, param, grad, state, group):
        kernel = kernels.fused("adadelta_update", "optimizer", param, grad, state["square_avg"], state["acc_delta"])
        if kernel:
            rho, weight_decay = group["rho"], group["weight_decay"]
            kernel((group["lr"], rho, 1 - rho, group["eps"], weight_decay), weight_decay != 0, bool(group["maximize"]))
        return kernel is not None

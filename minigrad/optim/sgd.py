"""Stochastic gradient descent, with (Nesterov) momentum: PyTorch's update rule.

The notation of the update rules is in :mod:`minigrad.optim.optimizers`.
"""

from __future__ import annotations

import numpy as np

from minigrad.backend import kernels
from minigrad.optim.optimizer import Optimizer, check_nonnegative, decayed_gradient

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Update (PyTorch's form)::

        g ← ∇θ  (−∇θ when maximize)
        g ← g + λ θ                              if weight_decay λ ≠ 0
        b ← g                                    on the first step, then
        b ← μ b + (1 − τ) g                      if momentum μ ≠ 0 (τ = dampening)
        g ← g + μ b  (nesterov)   or   g ← b
        θ ← θ − γ g

    Momentum: v ← μv − ηg, w ← w + v. With τ = 0 this is
    the same trajectory: PyTorch's buffer is b = −v/η, the velocity measured in
    gradient units, so θ − γb = θ + v. Nesterov momentum evaluates
    the gradient at the look-ahead point θ + μv; the form above is Sutskever et
    al.'s rewrite in terms of the current point (no second gradient needed).

    Papers: Polyak (1964), "Some methods of speeding up the convergence of
    iteration methods"; Sutskever, Martens, Dahl, Hinton (2013), "On the
    importance of initialization and momentum in deep learning".

    Keras differs: ``learning_rate=0.01`` (PyTorch ``lr=1e-3``), and Keras keeps
    the velocity v above, so changing the learning rate mid-training acts
    differently.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                 maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        check_nonnegative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"Nesterov momentum requires momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _update(self, param, grad, state, group):
        momentum = group["momentum"]
        g = decayed_gradient(param, grad, group)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()  # the first step starts the velocity at g
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * g
            g = g + momentum * buf if group["nesterov"] else buf
        param -= group["lr"] * g

    def _fused_update(self, param, grad, state, group):
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        buf = state.get("momentum_buffer") if momentum != 0 else None
        first = momentum != 0 and buf is None
        if first:
            buf = np.empty_like(param)  # the kernel starts it at g; kept if the kernel runs
        kernel = kernels.fused("sgd_update", "sgd", param, grad, buf)
        if kernel:
            if first:
                state["momentum_buffer"] = buf
            kernel((group["lr"], momentum, 1 - group["dampening"], weight_decay), weight_decay != 0, momentum != 0,
                   bool(group["nesterov"]), bool(group["maximize"]), first)
        return kernel is not None

"""FTRL-Proximal ("Follow The Regularized Leader"), with Keras' update rule.

The notation of the update rules is in :mod:`minigrad.optim.optimizers`.
"""

from __future__ import annotations

import numpy as np

from minigrad.optim.optimizer import Optimizer, check_nonnegative

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    """FTRL-Proximal: per-coordinate adaptive steps with L1 that yields exact zeros.

    McMahan et al. (2013), "Ad Click Prediction: a View from the Trenches", Algorithm 1:
    each weight is the minimiser of the linearised losses so far plus an L1 and an L2
    penalty and a proximal term, which has a closed form. With p = −``learning_rate_power``
    (½ in the paper: steps ∝ 1/√n), λ₁, λ₂ the L1 and L2 strengths and, per weight, n the
    accumulated squared gradients and z the "linear" accumulator (Keras' formula,
    ``keras.optimizers.Ftrl``)::

        g  ← ∇θ  (−∇θ when maximize)
        g̃  ← g + 2 λ_s θ                           λ_s = l2_shrinkage_regularization_strength
        n' ← n + g²                                 n₀ = initial_accumulator_value
        z  ← z + g̃ − (n'^p − n^p) / γ · θ           z₀ = 0
        q  ← n'^p / γ + 2 (λ₂ + β / (2γ))
        θ  ← (clip(z, −λ₁, λ₁) − z) / q             (0 where |z| ≤ λ₁)
        n  ← n'

    The new θ does not depend on the old one except through z: FTRL re-solves for
    the weights from its accumulated state at every step. Where the accumulated
    evidence |z| is at most λ₁ the weight is exactly 0, which is why FTRL with L1
    gives sparse models (its use in the paper: click prediction with billions of
    sparse features). With λ₁ = λ₂ = λ_s = β = 0 and p = ½ it is Adagrad-like:
    the step of a weight shrinks as 1/√n.

    Defaults are Keras' (``learning_rate=0.001``, ``learning_rate_power=-0.5``,
    ``initial_accumulator_value=0.1``, no regularization, ``beta=0``); ``lr`` is the
    learning rate γ. PyTorch has no FTRL. The state of a parameter is
    ``accumulator`` (n) and ``linear`` (z), Keras' names.
    """

    def __init__(self, params, lr=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, maximize=False):
        defaults = dict(lr=lr, learning_rate_power=learning_rate_power,
                        initial_accumulator_value=initial_accumulator_value,
                        l1_regularization_strength=l1_regularization_strength,
                        l2_regularization_strength=l2_regularization_strength,
                        l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength,
                        beta=beta, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        if not group["lr"] > 0:  # it divides
            raise ValueError(f"invalid lr: {group['lr']!r} (must be > 0)")
        if not group["learning_rate_power"] <= 0:
            raise ValueError(f"invalid learning_rate_power: {group['learning_rate_power']!r} (must be <= 0)")
        check_nonnegative(group, "initial_accumulator_value", "l1_regularization_strength",
                          "l2_regularization_strength", "l2_shrinkage_regularization_strength", "beta")

    def _init_state(self, param, group):
        return {"accumulator": np.full_like(param, group["initial_accumulator_value"]),
                "linear": np.zeros_like(param)}

    def _update(self, param, grad, state, group):
        lr, power = group["lr"], -group["learning_rate_power"]
        l1 = group["l1_regularization_strength"]
        l2 = group["l2_regularization_strength"] + group["beta"] / (2.0 * lr)
        g = -grad if group["maximize"] else grad
        shrinkage = group["l2_shrinkage_regularization_strength"]
        g_shrunk = g + 2 * shrinkage * param if shrinkage != 0 else g
        n, z = state["accumulator"], state["linear"]
        n_new = n + g * g
        n_new_pow = np.power(n_new, power)
        z += g_shrunk - (n_new_pow - np.power(n, power)) / lr * param
        quadratic = n_new_pow / lr + 2 * l2
        param[...] = (np.clip(z, -l1, l1) - z) / quadratic
        n[...] = n_new

"""Gradient clipping: keep one bad batch from throwing the weights far away.

Exploding gradients make an update overshoot (Pascanu, Mikolov &
Bengio 2013, "On the difficulty of training recurrent neural networks").
Clipping bounds the gradient after ``backward()`` and before
``optimizer.step()``::

    loss.backward()
    optim.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()

Both functions change ``p.grad`` in place (the trailing ``_``, as in PyTorch) and
skip parameters without a gradient.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad import backend
from minigrad.tensor import Tensor

__all__ = ["clip_grad_value_", "clip_grad_norm_"]


def _grads(parameters):
    """The gradient arrays of ``parameters`` (one Tensor or an iterable), skipping None."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad.data for p in parameters if p.grad is not None]


def clip_grad_value_(parameters, clip_value=None, min_value=None, max_value=None):
    """Clamp every gradient entry in place: to [−v, v], or to [β, α].

    Clipping by value: gᵢ ← α if gᵢ > α, gᵢ ← β if gᵢ < β. Give either
    ``clip_value`` v (α = v, β = −v, PyTorch's form) or the bounds ``min_value`` β and
    ``max_value`` α (either may be left out: no bound on that side). Cheap, but it
    changes the gradient's *direction* when only some entries are clipped; to
    preserve the direction, clip by norm.
    """
    bounded = min_value is not None or max_value is not None
    if clip_value is None and not bounded:
        raise ValueError("clip_grad_value_: give clip_value (symmetric bounds ±clip_value) or min_value/max_value")
    if clip_value is not None and bounded:
        raise ValueError(f"clip_grad_value_: give either clip_value or min_value/max_value, not both "
                         f"(got clip_value={clip_value!r}, min_value={min_value!r}, max_value={max_value!r})")
    if clip_value is not None:
        clip_value = float(clip_value)
        if not clip_value >= 0:
            raise ValueError(f"clip_value must be >= 0, got {clip_value!r}")
        low, high = -clip_value, clip_value
    else:
        low = None if min_value is None else float(min_value)
        high = None if max_value is None else float(max_value)
        for name, value in (("min_value", low), ("max_value", high)):
            if value is not None and value != value:
                raise ValueError(f"clip_grad_value_: {name} must be a number, got nan")
        if low is not None and high is not None and low > high:
            raise ValueError(f"clip_grad_value_: min_value={low!r} is greater than max_value={high!r}")
    for g in _grads(parameters):
        xp = backend.module_of(g)
        xp.clip(g, low, high, out=g)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Rescale all gradients together so their total norm is at most ``max_norm``.

    Clipping by norm (Pascanu et al. 2013): if ‖g‖ > v then g ← v · g / ‖g‖, which
    keeps the direction of the update. As in PyTorch, g is every gradient of
    ``parameters`` seen as one vector::

        total = ‖(‖g₁‖ₚ, ‖g₂‖ₚ, …)‖ₚ             (= max |gᵢ| for p = inf)
        coef  = min(1, max_norm / (total + 1e-6))
        gᵢ ← coef · gᵢ                          for every parameter, in place

    The 1e-6 keeps the division finite when every gradient is 0. Returns the
    total norm *before* clipping as a 0-d Tensor (``float(n)`` or ``n.item()``),
    handy for logging how often clipping kicks in. With ``error_if_nonfinite``,
    a NaN or infinite total raises RuntimeError instead of spreading NaN into
    every gradient.
    """
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not max_norm >= 0:
        raise ValueError(f"max_norm must be >= 0, got {max_norm!r}")
    if not (norm_type > 0 or norm_type == math.inf):
        raise ValueError(f"norm_type must be a positive number or inf, got {norm_type!r}")
    grads = _grads(parameters)
    if not grads:
        return Tensor(0.0)
    norms = np.array([_vector_norm(g, norm_type) for g in grads])  # one float per parameter
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is {total}, so it cannot be clipped. "
            "Look for NaN/inf in the loss or the gradients; pass error_if_nonfinite=False to scale by "
            "it anyway."
        )
    coef = min(max_norm / (total + 1e-6), 1.0)
    with np.errstate(invalid="ignore"):  # inf · 0 = NaN, as documented above
        for g in grads:
            g *= coef
    dtype = np.result_type(*grads)
    return Tensor(np.asarray(total, dtype=dtype), dtype=dtype)


def _vector_norm(x, p):
    """‖x‖ₚ of all entries of ``x`` as a Python float (max |x| for p = inf)."""
    xp = backend.module_of(x)  # NumPy, or CuPy for gradients on the GPU
    a = xp.abs(x.astype(np.float64)).ravel()
    if a.size == 0:
        return 0.0
    if p == math.inf:
        return float(a.max())
    if p == 1.0:
        return float(a.sum())
    if p == 2.0:
        return float(xp.sqrt(xp.dot(a, a)))
    return float((a**p).sum() ** (1.0 / p))

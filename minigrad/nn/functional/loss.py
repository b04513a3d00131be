"""The losses under PyTorch's names and signatures (``F.mse_loss``, ``F.cross_entropy`` ...).

Each is a thin call of the one formula in :mod:`minigrad.nn.losses`, where the math
and the sources are; only the argument names and order follow
``torch.nn.functional``. As there, ``binary_cross_entropy`` takes probabilities
(and rejects values outside [0, 1]) and ``binary_cross_entropy_with_logits`` takes
logits; ``cross_entropy`` takes logits.

One difference from PyTorch: nothing broadcasts -- input and target must have the
shapes the loss expects (see :mod:`minigrad.nn.losses`).
"""

from __future__ import annotations

import numpy as np

from minigrad.nn import losses

__all__ = [
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "multi_margin_loss",
]


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Cross-entropy of logits ``input`` (N, C) and class indices or probabilities
    ``target``: ℓᵢ = −Σ_c y_c ln softmax(zᵢ)_c (see :func:`minigrad.nn.losses.cross_entropy`);
    class indices equal to ``ignore_index`` are left out, as in PyTorch."""
    return losses.cross_entropy(input, target, label_smoothing=label_smoothing, reduction=reduction, weight=weight,
                                ignore_index=ignore_index)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood ℓᵢ = −w_{tᵢ} ln p_{i,tᵢ} of log-probabilities ``input`` (see
    :func:`minigrad.nn.losses.nll`); targets equal to ``ignore_index`` are left out."""
    return losses.nll(input, target, reduction=reduction, weight=weight, ignore_index=ignore_index)


def mse_loss(input, target, reduction="mean"):
    """Mean squared error ℓᵢ = (ŷᵢ − yᵢ)² (see :func:`minigrad.nn.losses.mse`)."""
    return losses.mse(input, target, reduction=reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error ℓᵢ = |ŷᵢ − yᵢ| (see :func:`minigrad.nn.losses.mae`)."""
    return losses.mae(input, target, reduction=reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss ℓᵢ = ½dᵢ² if |dᵢ| < δ else δ(|dᵢ| − ½δ) (see :func:`minigrad.nn.losses.huber`)."""
    return losses.huber(input, target, delta=delta, reduction=reduction)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy ℓᵢ = −wᵢ[yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)] of *probabilities* pᵢ ∈ [0, 1]
    (see :func:`minigrad.nn.losses.binary_cross_entropy`)."""
    return losses.binary_cross_entropy(input, target, from_logits=False, reduction=reduction, weight=weight)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy of *logits* z, p = σ(z), computed stably as softplus(z) − z·y
    (see :func:`minigrad.nn.losses.binary_cross_entropy`)."""
    return losses.binary_cross_entropy(input, target, from_logits=True, reduction=reduction, weight=weight,
                                       pos_weight=pos_weight)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    """PyTorch's multi-class margin loss ℓᵢ = Σ_{j≠t} max(0, Δ − z_t + z_j)^p / C: the
    Weston–Watkins hinge (:func:`minigrad.nn.losses.multiclass_hinge`) divided by the
    number of classes C, as ``torch.nn.functional.multi_margin_loss``."""
    n_classes = _n_classes(input)
    return losses.multiclass_hinge(input, target, margin=margin, p=p, weight=weight, reduction=reduction) / n_classes


def _n_classes(input):
    shape = getattr(input, "shape", None)
    if shape is None:
        shape = np.shape(input)
    if len(shape) == 0:
        raise ValueError("multi_margin_loss: input must have a class axis, shape (N, C) or (C,); got shape ()")
    return shape[1] if len(shape) >= 2 else shape[0]

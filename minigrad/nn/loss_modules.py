"""Losses as modules, with PyTorch's names and constructor arguments.

``criterion = nn.CrossEntropyLoss(label_smoothing=0.1); loss = criterion(logits, labels)``:
each module stores its settings and calls its function of
:mod:`minigrad.nn.functional.loss`, which calls the one formula in
:mod:`minigrad.nn.losses` (the math and the sources are there).

===================  ==========================================  ===============================
module               loss                                        settings
===================  ==========================================  ===============================
CrossEntropyLoss     −Σ_c y_c ln softmax(z)_c   (logits)         weight, ignore_index, reduction, label_smoothing
NLLLoss              −w_t ln p_t   (log-probabilities)           weight, ignore_index, reduction
MSELoss              (ŷ − y)²                                    reduction
L1Loss               |ŷ − y|                                     reduction
HuberLoss            ½d² if |d| < δ else δ(|d| − ½δ)             reduction, delta
BCELoss              −[y ln p + (1 − y) ln(1 − p)] (probs)       weight, reduction
BCEWithLogitsLoss    the same with p = σ(z)   (logits)           weight, reduction, pos_weight
MultiMarginLoss      Σ_{j≠t} max(0, Δ − z_t + z_j)^p / C          p, margin, weight, reduction
===================  ==========================================  ===============================

A loss module has no parameters; a ``weight`` (or ``pos_weight``) given to it is a
buffer, as in PyTorch, so it shows in ``state_dict()`` and moves with ``.to(device)``.
"""

from __future__ import annotations

import numpy as np

from minigrad.nn.functional import loss as F
from minigrad.nn.losses import _REDUCTIONS
from minigrad.nn.module import Module
from minigrad.tensor import Tensor

__all__ = [
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
    "MultiMarginLoss",
]

class _Loss(Module):
    """Base of the loss modules: holds ``reduction`` (checked here, when the module is made)."""

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: unknown reduction {reduction!r}; "
                             f"use one of {', '.join(map(repr, _REDUCTIONS))}")
        self.reduction = reduction

    def _constant(self, name, value):
        """Keep ``value`` (a weight) as the buffer ``name``, or the attribute None."""
        if value is None:
            setattr(self, name, None)
        else:
            self.register_buffer(name, value.detach() if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype=np.float64)))

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits (N, C) and class indices (N,) or probabilities (N, C)
    (see :func:`minigrad.nn.losses.cross_entropy`)."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}")
        self._constant("weight", weight)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)

    def extra_repr(self):
        return super().extra_repr() + (f", label_smoothing={self.label_smoothing}" if self.label_smoothing else "")


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (N, C) and class indices (N,)
    (see :func:`minigrad.nn.losses.nll`)."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self._constant("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error (see :func:`minigrad.nn.losses.mse`)."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (see :func:`minigrad.nn.losses.mae`)."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss with threshold ``delta`` (see :func:`minigrad.nn.losses.huber`)."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self):
        return super().extra_repr() + f", delta={self.delta}"


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (see :func:`minigrad.nn.losses.binary_cross_entropy`)."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self._constant("weight", weight)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits, p = σ(z), computed stably
    (see :func:`minigrad.nn.losses.binary_cross_entropy` with ``from_logits=True``)."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self._constant("weight", weight)
        self._constant("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class MultiMarginLoss(_Loss):
    """PyTorch's multi-class margin loss: the Weston–Watkins hinge
    Σ_{j≠t} max(0, Δ − z_t + z_j)^p divided by the number of classes C
    (see :func:`minigrad.nn.losses.multiclass_hinge`, which does not divide)."""

    def __init__(self, p=1, margin=1.0, weight=None, reduction="mean"):
        super().__init__(reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p!r}")
        self.p = p
        self.margin = margin
        self._constant("weight", weight)

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)

    def extra_repr(self):
        return super().extra_repr() + f", p={self.p}, margin={self.margin}"

"""Fused loss ops: the two losses every training loop calls, each as a single op.

Composed from elementary ops, mean squared error and softmax cross-entropy cost
about ten ops forward and backward; fused, one op each way, with their classic
closed-form gradients (seed 003, "Funciones de coste"):

* squared error, mean over the N elements:  dL/dŷ = 2(ŷ − y)/N
* softmax cross-entropy of class indices t:   dL/dz = softmax(z) − onehot(t)
  (with label smoothing ε the target is (1 − ε)·onehot + ε/C), divided by N
  for the mean

The backward passes are written in Tensor ops like every other op. When the
backward pass is itself being recorded (``create_graph=True``) they recompute
softmax / the difference from the input tensors so that second derivatives are
exact; otherwise they reuse the arrays kept from the forward pass (softmax
cross-entropy then runs as one kernel each way, :mod:`minigrad.backend.kernels`).
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import _state
from minigrad.backend import kernels
from minigrad.ops.function import Function
from minigrad.tensor import Tensor

__all__ = ["squared_error", "softmax_cross_entropy"]


def _constant(array):
    return Tensor._from_op(array, None)


class SquaredError(Function):
    """L = Σ (x − t)² (reduction "sum") or its mean over all elements ("mean")."""

    name = "mse"

    def forward(self, x, t, mean):
        d = x - t
        self.diff = d
        self.scale = 2.0 / d.size if mean else 2.0
        total = np.vdot(d, d) if d.dtype.kind == "f" else (d * d).sum()
        return np.asarray(total / d.size if mean else total, dtype=d.dtype)

    def backward(self, g):
        x, t = self.inputs
        d = x - t if _state.grad_enabled else _constant(self.diff)
        gx = d * (g * self.scale)
        return (gx if x.requires_grad else None, -gx if t.requires_grad else None)


class SoftmaxCrossEntropy(Function):
    """ℓᵢ = logsumexp(zᵢ) − Σ_c yᵢ_c z_ic for logits z (N, C), y = (1 − ε)·onehot(t) + ε/C."""

    name = "cross_entropy"

    def forward(self, z, indices, smoothing, reduction):
        # max, Σ exp, log-normalizer and the picked logit per row, in one pass
        loss, self.probs = kernels.softmax_cross_entropy(z, indices, smoothing)
        self.indices, self.smoothing, self.reduction = indices, smoothing, reduction
        if reduction == "mean":
            return np.asarray(loss.mean(), dtype=z.dtype)
        if reduction == "sum":
            return np.asarray(loss.sum(), dtype=z.dtype)
        return loss.astype(z.dtype, copy=False)

    def target(self, like):
        """(1 − ε)·onehot + ε/C as an array."""
        n, c = like.shape
        y = np.full((n, c), self.smoothing / c, dtype=like.dtype)
        y[np.arange(n), self.indices] += 1.0 - self.smoothing
        return y

    def backward(self, g):
        (z,) = self.inputs
        if not _state.grad_enabled:  # (probs − target) · scale from the saved probabilities, in one pass
            scale = g.data * (1.0 / z.shape[0]) if self.reduction == "mean" else g.data  # per row for "none"
            return (_constant(kernels.softmax_cross_entropy_backward(self.probs, self.indices, self.smoothing,
                                                                     scale)),)
        delta = z.softmax(axis=1) - _constant(self.target(self.probs))
        if self.reduction == "mean":
            return (delta * (g * (1.0 / z.shape[0])),)
        if self.reduction == "sum":
            return (delta * g,)
        return (delta * g.reshape(-1, 1),)


def squared_error(x, t, mean=True):
    """Σ(x − t)² or its mean, as one op (shapes must already match)."""
    return SquaredError.apply(x, t, mean=mean)


def softmax_cross_entropy(z, indices, label_smoothing=0.0, reduction="mean"):
    """Cross-entropy of logits z (N, C) with integer class ``indices`` (N,), as one op."""
    return SoftmaxCrossEntropy.apply(z, indices=indices, smoothing=label_smoothing, reduction=reduction)

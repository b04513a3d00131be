"""Fused loss ops: the two losses every training loop calls, each as a single op.

Composed from elementary ops, mean squared error and softmax cross-entropy cost
about ten ops forward and backward; fused, one op each way, with their classic
closed-form gradients (Goodfellow, Bengio & Courville, "Deep Learning", 2016,
§6.2.2; Bishop, "Pattern Recognition and Machine Learning", 2006, §4.3.4):

* squared error, mean over the N elements:  dL/dx = 2(x − t)/N
* softmax cross-entropy of class indices t:   dL/dz = softmax(z) − y,  y = onehot(t)
  (with label smoothing ε, y = (1 − ε)·onehot + ε/C, Szegedy et al. 2016,
  "Rethinking the Inception Architecture for Computer Vision", §7), divided by N
  for the mean

Each backward pass is itself one op (:class:`SquaredErrorBackward`,
:class:`SoftmaxCrossEntropyBackward`): its forward computes the gradient above on
arrays (softmax cross-entropy as one kernel, :mod:`minigrad.backend.cross_entropy`,
from the probabilities kept by the forward pass), and its own backward -- the
derivative of that gradient with respect to the upstream gradient and the
inputs -- is written in Tensor ops, so gradients of gradients are exact and can
be differentiated again. There is one formula for each order, whatever the grad mode.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.backend import cross_entropy
from minigrad.backend.device import module_of
from minigrad.tensor import Tensor

__all__ = ["squared_error", "softmax_cross_entropy"]


class SquaredError(Function):
    """L = Σ (x − t)² (reduction "sum") or its mean over all N elements ("mean")."""

    name = "mse"

    def forward(self, x, t, mean):
        d = x - t
        self.diff = d
        self.scale = 2.0 / d.size if mean else 2.0
        total = np.vdot(d, d) if d.dtype.kind == "f" else (d * d).sum()
        return np.asarray(total / d.size if mean else total, dtype=d.dtype)

    def backward(self, g):
        x, t = self.inputs
        gx = SquaredErrorBackward.apply(g, x, t, diff=self.diff, scale=self.scale)
        return (gx if x.requires_grad else None, -gx if t.requires_grad else None)


class SquaredErrorBackward(Function):
    """dL/dx = s·g·(x − t) for L = Σ(x − t)² (s = 2) or its mean (s = 2/N), as one op.

    (dL/dt is its negative; Goodfellow et al. 2016, §6.2.2.1.) The forward reuses the
    difference x − t kept by :class:`SquaredError`. Backward, for an upstream gradient
    G of the result (the map is bilinear in g and x − t)::

        ∂/∂g = s·Σ G·(x − t),   ∂/∂x = s·g·G,   ∂/∂t = −s·g·G
    """

    name = "mse_backward"

    def forward(self, g, x, t, diff, scale):
        self.scale = scale
        return diff * (g * scale)

    def backward(self, gg):
        g, x, t = self.inputs
        s = self.scale
        dg = ((x - t) * gg).sum() * s if g.requires_grad else None
        dx = gg * g * s if (x.requires_grad or t.requires_grad) else None
        return dg, dx if x.requires_grad else None, -dx if t.requires_grad else None


class SoftmaxCrossEntropy(Function):
    """ℓᵢ = logsumexp(zᵢ) − Σ_c yᵢ_c z_ic for logits z (N, C), y = (1 − ε)·onehot(t) + ε/C."""

    name = "cross_entropy"

    def forward(self, z, indices, smoothing, reduction):
        # max, Σ exp, log-normalizer and the picked logit per row, in one pass
        loss, self.probs = cross_entropy.softmax_cross_entropy(z, indices, smoothing)
        self.indices, self.smoothing, self.reduction = indices, smoothing, reduction
        if reduction == "mean":
            return np.asarray(loss.mean(), dtype=z.dtype)
        if reduction == "sum":
            return np.asarray(loss.sum(), dtype=z.dtype)
        return loss.astype(z.dtype, copy=False)

    def backward(self, g):
        (z,) = self.inputs
        return (SoftmaxCrossEntropyBackward.apply(g, z, probs=self.probs, indices=self.indices,
                                                  smoothing=self.smoothing, reduction=self.reduction),)


class SoftmaxCrossEntropyBackward(Function):
    """dL/dz = (p − y)·s for p = softmax(z), as one op (itself differentiable).

    (Bishop 2006, §4.3.4, eq. 4.109 for the gradient and eq. 4.106 for the softmax
    Jacobian; Goodfellow et al. 2016, §6.2.2.3.)

    The upstream gradient g is a number for reduction "mean" (s = g/N) or "sum"
    (s = g), or one value per row for "none" (sᵢ = gᵢ); y = (1 − ε)·onehot(t) + ε/C.
    The forward is one kernel over the probabilities kept by the forward pass.

    Backward, for an upstream gradient G (N, C) of dL/dz: p depends on z through
    the softmax Jacobian ∂pᵢ/∂zᵢ = diag(pᵢ) − pᵢpᵢᵀ (symmetric), y not at all, so::

        ∂/∂z = p ⊙ (W − Σ_c W⊙p),   W = G·s   (the softmax Jacobian applied to G·s)
        ∂/∂g = Σ (p − y)⊙G / N      ("mean"),   Σ (p − y)⊙G   ("sum"),
               Σ_c (p − y)⊙G  per row  ("none")

    with p recomputed from z in Tensor ops, so that these can be differentiated again.
    """

    name = "cross_entropy_backward"

    def forward(self, g, z, probs, indices, smoothing, reduction):
        self.indices, self.smoothing, self.reduction = indices, smoothing, reduction
        scale = g * (1.0 / z.shape[0]) if reduction == "mean" else g  # one per row for "none"
        return cross_entropy.softmax_cross_entropy_backward(probs, indices, smoothing, scale)

    def target(self, like):
        """(1 − ε)·onehot + ε/C as an array shaped and typed like ``like``."""
        xp = module_of(like)
        n, c = like.shape
        y = xp.full((n, c), self.smoothing / c, dtype=like.dtype)
        y[xp.arange(n), self.indices] += 1.0 - self.smoothing
        return y

    def backward(self, gg):
        g, z = self.inputs
        n = z.shape[0]
        p = z.softmax(axis=1)
        if self.reduction == "mean":
            s = g * (1.0 / n)
        elif self.reduction == "sum":
            s = g
        else:
            s = g.reshape(-1, 1)
        dg = dz = None
        if g.requires_grad:
            rows = ((p - Tensor.constant(self.target(p.data))) * gg).sum(axis=1)  # Σ_c (p − y)⊙G per row
            if self.reduction == "none":
                dg = rows
            elif self.reduction == "sum":
                dg = rows.sum()
            else:
                dg = rows.sum() * (1.0 / n)
        if z.requires_grad:
            w = gg * s
            dz = p * (w - (w * p).sum(axis=1, keepdims=True))
        return dg, dz


def squared_error(x, t, mean=True):
    """Σ(x − t)² or its mean, as one op (shapes must already match)."""
    return SquaredError.apply(x, t, mean=mean)


def softmax_cross_entropy(z, indices, label_smoothing=0.0, reduction="mean"):
    """Cross-entropy of logits z (N, C) with integer class ``indices`` (N,), as one op."""
    return SoftmaxCrossEntropy.apply(z, indices=indices, smoothing=label_smoothing, reduction=reduction)

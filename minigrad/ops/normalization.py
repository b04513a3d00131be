"""Batch normalization in training mode as one op (seed 001, "Batch normalization").

Composed from elementary ops, BatchNorm is a dozen ops each way (mean, variance,
subtract, square root, divide, scale, shift) that each keep their inputs for the
backward pass. As one op it keeps x̂ and 1/√(σ² + ε) and uses the classic closed
form of its gradient (Ioffe & Szegedy, 2015), with n = N·L values per channel:

    x̂ = (x − μ) / √(σ² + ε),   y = γ x̂ + β
    dβ = Σ dy,   dγ = Σ dy·x̂
    dx = 1/√(σ² + ε) / n · (n·dx̂ − Σ dx̂ − x̂·Σ dx̂·x̂),   dx̂ = γ·dy

All sums run over the batch (and length) axes of one channel. The dx formula is
the chain rule through μ and σ², which both depend on every x of the channel:
the mean of dx̂ and its projection on x̂ are removed from it.

Both passes run as one kernel each (:mod:`minigrad.backend.kernels`). When the
backward pass is itself recorded (``create_graph=True``), the same closed form is
written in Tensor ops that recompute μ and σ² from x, so that second derivatives
are exact.
"""

from __future__ import annotations

from minigrad.autograd import _state
from minigrad.backend import kernels
from minigrad.backend.device import module_of
from minigrad.ops.function import Function
from minigrad.tensor import Tensor

__all__ = ["batch_norm_train"]


def _constant(array):
    return Tensor._from_op(array, None)


class BatchNorm(Function):
    """y = γ·(x − μ_B)/√(σ²_B + ε) + β for x (N, C) or (N, C, L) and γ, β of shape (C,)."""

    name = "batch_norm"

    def forward(self, x, weight, bias, eps, running_mean, running_var, momentum):
        y, mean, var, inv_std, self.xhat = kernels.batch_norm_forward(x, weight, bias, eps)
        self.inv_std, self.eps = inv_std, eps
        if running_mean is not None:
            # As PyTorch: the running variance is the *unbiased* one, σ²·n/(n − 1).
            n = x.size // x.shape[1]
            m = momentum
            running_mean[...] = (1 - m) * running_mean + m * mean
            running_var[...] = (1 - m) * running_var + m * var * (n / (n - 1))
        return y

    def backward(self, g):
        x, weight, bias = self.inputs
        if not _state.grad_enabled:  # the closed form on the saved x̂ and 1/√(σ² + ε), in one pass
            grads = kernels.batch_norm_backward(g.data, self.xhat, self.inv_std, weight.data)
            return tuple(_constant(d) if t.requires_grad else None for d, t in zip(grads, self.inputs))
        axes = (0,) if x.ndim == 2 else (0, 2)
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        std = ((xc * xc).mean(axis=axes, keepdims=True) + self.eps).sqrt()
        xhat = xc / std
        dxhat = g * weight.reshape((1, -1) + (1,) * (x.ndim - 2))
        dx = (dxhat - dxhat.mean(axis=axes, keepdims=True)
              - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True)) / std
        return (
            dx if x.requires_grad else None,
            (g * xhat).sum(axis=axes) if weight.requires_grad else None,
            g.sum(axis=axes) if bias.requires_grad else None,
        )


def batch_norm_train(x, weight=None, bias=None, eps=1e-5, running_mean=None, running_var=None, momentum=0.1):
    """Training-mode batch normalization of x (N, C) or (N, C, L) over every axis but 1, as one op.

    ``weight`` γ and ``bias`` β: tensors with C elements, or None (γ = 1, β = 0).
    ``running_mean`` / ``running_var``: arrays of shape (C,) updated in place with
    ``momentum`` m: r ← (1 − m)·r + m·(batch statistic), using the unbiased
    batch variance for ``running_var`` (as PyTorch).
    """
    c = x.shape[1]
    xp = module_of(x.data)
    weight = _constant(xp.ones(c, dtype=x.dtype)) if weight is None else weight
    bias = _constant(xp.zeros(c, dtype=x.dtype)) if bias is None else bias
    weight = weight if weight.shape == (c,) else weight.reshape(c)
    bias = bias if bias.shape == (c,) else bias.reshape(c)
    return BatchNorm.apply(x, weight, bias, eps=eps, running_mean=running_mean, running_var=running_var,
                           momentum=momentum)

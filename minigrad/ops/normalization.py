"""Batch normalization in training mode as one op, with its backward as one op.

Composed from elementary ops, BatchNorm is a dozen ops each way (mean, variance,
subtract, square root, divide, scale, shift) that each keep their inputs for the
backward pass. As one op it keeps x̂ and r = 1/√(σ² + ε) and uses the closed form
of its gradient (Ioffe & Szegedy, 2015, "Batch Normalization: Accelerating Deep
Network Training by Reducing Internal Covariate Shift", §3). Per channel, over
its n = N·L values (N·1 for an (N, C) input, N·H·W for an image batch (N, C, H, W)),
with ⟨v⟩ the mean over them:

    x̂ = (x − μ)·r,   y = γ x̂ + β
    dβ = Σ g,   dγ = Σ g·x̂,   dx = γ·r·(g − ⟨g⟩ − x̂·⟨g·x̂⟩)

for the upstream gradient g = dC/dy. The dx formula is the chain rule through μ
and σ², which both depend on every x of the channel: the Jacobian of x̂ is

    ∂x̂/∂x = r·(I − (𝟙𝟙ᵀ + x̂x̂ᵀ)/n) =: r·M,   symmetric,

and dx = γ·r·M·g removes from g its mean and its component ⟨g·x̂⟩·x̂ along x̂.

The backward is itself one op, :class:`BatchNormBackward`: the map
(g, x, γ) ↦ (dx, dγ, dβ). Its forward runs the closed form above as one kernel
(:mod:`minigrad.backend.batch_norm`); its own backward is the derivative of that map,
written in Tensor ops, so that gradients of gradients (``create_graph=True``,
Hessian-vector products) and their derivatives in turn are exact. There is one
formula for each order, whatever the grad mode.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.backend import batch_norm
from minigrad.backend.device import module_of
from minigrad.tensor import Tensor

__all__ = ["batch_norm_train"]


def _unpack(packed, shape):
    """(dx, dγ, dβ): views of BatchNormBackward's flat output [dx.ravel(), dγ, dβ].

    Slicing is recorded (as Tensor ops) only when ``packed`` is part of a graph,
    i.e. under ``create_graph``; otherwise the same views are wrapped directly, which
    saves the op overhead of the first-order pass. Either way the values are views.
    """
    size, c = packed.size - 2 * shape[1], shape[1]
    if packed.requires_grad:
        return packed[:size].reshape(shape), packed[size:size + c], packed[size + c:]
    a = packed.data
    return Tensor.constant(a[:size].reshape(shape)), Tensor.constant(a[size:size + c]), Tensor.constant(a[size + c:])


class BatchNorm(Function):
    """y = γ·(x − μ_B)/√(σ²_B + ε) + β for x (N, C, *) and γ, β of shape (C,)."""

    name = "batch_norm"

    def forward(self, x, weight, bias, eps, running_mean, running_var, momentum):
        y, mean, var, self.inv_std, self.xhat = batch_norm.batch_norm_forward(x, weight, bias, eps)
        self.eps = eps
        if running_mean is not None:
            # As PyTorch: the running variance is the *unbiased* one, σ²·n/(n − 1).
            n = x.size // x.shape[1]
            m = momentum
            running_mean[...] = (1 - m) * running_mean + m * mean
            running_var[...] = (1 - m) * running_var + m * var * (n / (n - 1))
        return y

    def backward(self, g):
        x, weight, bias = self.inputs
        packed = BatchNormBackward.apply(g, x, weight, xhat=self.xhat, inv_std=self.inv_std, eps=self.eps)
        dx, dgamma, dbeta = _unpack(packed, x.shape)
        return (
            dx if x.requires_grad else None,
            dgamma if weight.requires_grad else None,
            dbeta if bias.requires_grad else None,
        )


class BatchNormBackward(Function):
    """BatchNorm's backward (g, x, γ) ↦ (dx, dγ, dβ) as one op, itself differentiable.

    Forward (Ioffe & Szegedy, 2015, §3), per channel with n values, ⟨v⟩ their mean,
    x̂ = (x − μ)·r and r = 1/√(σ² + ε)::

        dx = γ·u,   dγ = Σ g·x̂,   dβ = Σ g,   where  u = r·(g − ⟨g⟩ − x̂·⟨g·x̂⟩) = r·M·g

    in one pass (the kernel reuses x̂ and r saved by the forward of BatchNorm). The
    three results come out packed in one flat array [dx.ravel(), dγ, dβ] (an op has
    one output); :class:`BatchNorm` unpacks them with views.

    Backward: for upstream gradients (a, b_γ, b_β) of (dx, dγ, dβ), the derivatives
    of S = Σ a·dx + Σ_c b_γ·dγ + Σ_c b_β·dβ. With v = r·M·a (the same map applied to
    a) and ∂r/∂x = −r²·x̂/n, ∂x̂/∂x = r·M (M symmetric)::

        ∂S/∂g = γ·v + b_γ·x̂ + b_β
        ∂S/∂γ = Σ a·u
        ∂S/∂x = b_γ·u − γ·r·(x̂·⟨a·u⟩ + ⟨g·x̂⟩·v + ⟨a·x̂⟩·u)

    The last line differentiates γ·aᵀ(r·M)g = γ·r·(aᵀg − n⟨a⟩⟨g⟩ − n⟨a·x̂⟩⟨g·x̂⟩)
    through r and x̂ (the first term: through r; the other two: through x̂ in
    ⟨a·x̂⟩ and ⟨g·x̂⟩), and b_γ·gᵀx̂ through x̂. μ, σ², r and x̂ are recomputed from x
    in Tensor ops, so that these derivatives can be differentiated again.
    """

    name = "batch_norm_backward"

    def forward(self, g, x, weight, xhat, inv_std, eps):
        self.eps = eps
        c = x.shape[1]
        dtype = np.result_type(g.dtype, xhat.dtype, inv_std.dtype, weight.dtype)
        packed = module_of(g).empty(g.size + 2 * c, dtype=dtype)
        batch_norm.batch_norm_backward(g, xhat, inv_std, weight, out=packed)  # fills dx, dγ, dβ in one pass
        return packed

    def backward(self, gg):
        g, x, weight = self.inputs
        a, b_gamma, b_beta = _unpack(gg, x.shape)
        axes = (0, *range(2, x.ndim))
        channel = (1, -1) + (1,) * (x.ndim - 2)

        def mean(v):
            return v.mean(axis=axes, keepdims=True)

        # x̂ and r as functions of x, not the saved arrays: their dependence on x is part
        # of the derivative of this derivative.
        xc = x - mean(x)
        r = 1.0 / (mean(xc * xc) + self.eps).sqrt()
        xhat = xc * r
        gamma, b_gamma, b_beta = weight.reshape(channel), b_gamma.reshape(channel), b_beta.reshape(channel)

        def project(v):
            """r·M·v = r·(v − ⟨v⟩ − x̂·⟨v·x̂⟩): a vector pulled back through ∂x̂/∂x."""
            return r * (v - mean(v) - xhat * mean(v * xhat))

        u = project(g) if (x.requires_grad or weight.requires_grad) else None
        dg = dx = dgamma = None
        if g.requires_grad:
            dg = gamma * project(a) + b_gamma * xhat + b_beta
        if weight.requires_grad:
            dgamma = (a * u).sum(axis=axes)
        if x.requires_grad:
            v = project(a)
            dx = b_gamma * u - gamma * r * (xhat * mean(a * u) + mean(g * xhat) * v + mean(a * xhat) * u)
        return dg, dx, dgamma


def batch_norm_train(x, weight=None, bias=None, eps=1e-5, running_mean=None, running_var=None, momentum=0.1):
    """Training-mode batch normalization of x (N, C, *) over every axis but 1, as one op.

    Group and instance normalization reuse it: their statistics are those of a batch
    norm of x reshaped to (1, N·G, ·) (see :mod:`minigrad.nn.functional.normalization`).

    ``weight`` γ and ``bias`` β: tensors with C elements, or None (γ = 1, β = 0).
    ``running_mean`` / ``running_var``: arrays of shape (C,) updated in place with
    ``momentum`` m: r ← (1 − m)·r + m·(batch statistic), using the unbiased
    batch variance for ``running_var`` (as PyTorch).
    """
    c = x.shape[1]
    xp = module_of(x.data)
    weight = Tensor.constant(xp.ones(c, dtype=x.dtype)) if weight is None else weight
    bias = Tensor.constant(xp.zeros(c, dtype=x.dtype)) if bias is None else bias
    weight = weight if weight.shape == (c,) else weight.reshape(c)
    bias = bias if bias.shape == (c,) else bias.reshape(c)
    return BatchNorm.apply(x, weight, bias, eps=eps, running_mean=running_mean, running_var=running_var,
                           momentum=momentum)

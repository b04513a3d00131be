"""Matrix multiplication ``a @ b`` with NumPy's rules (1-D, 2-D and batched).

For C = A B (backpropagation: z = W a + b, and δ^(k) = (W^(k+1))ᵀ δ^(k+1)):

    dL/dA = G Bᵀ,     dL/dB = Aᵀ G

1-D operands are treated as a row (left) or a column (right) vector and the
extra axis is dropped again; batch axes broadcast and are summed back with
:func:`~minigrad.ops.broadcast.unbroadcast`.
"""

from __future__ import annotations


from minigrad.autograd import Function
from minigrad.ops.broadcast import unbroadcast
from minigrad.ops.reduction import Sum
from minigrad.tensor import Tensor, as_tensor

__all__ = ["matmul", "affine"]


class MatMul(Function):
    name = "matmul"

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul needs at least 1-D operands; use * for scalars")
        k_a = a.shape[-1]
        k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if k_a != k_b:
            raise ValueError(
                f"shapes {a.shape} @ {b.shape} are incompatible: inner dimensions {k_a} and {k_b} differ"
            )
        return a @ b

    def backward(self, g):
        a, b = self.inputs
        if a.ndim == 2 and b.ndim == 2:  # the common case, without reshapes
            return (g @ b.T if a.requires_grad else None, a.T @ g if b.requires_grad else None)
        # Work with matrices: a vector a becomes (1, k), a vector b becomes (k, 1).
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = g2.unsqueeze(-2 if b.ndim > 1 else 0)
        if b.ndim == 1:
            g2 = g2.unsqueeze(-1)
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(g2 @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)
        if b.requires_grad:
            gb = unbroadcast(a2.swapaxes(-1, -2) @ g2, b2.shape).reshape(b.shape)
        return ga, gb


class Affine(Function):
    """z = x Wᵀ + b in one op: the computation of a Linear layer (z = W a + b).

    Backward (δ = dL/dz, rows of x are examples):

        dL/dx = δ W,    dL/dW = δᵀ x,    dL/db = Σ_rows δ
    """

    name = "linear"

    def forward(self, x, W, b=None):
        if x.ndim == 0 or x.shape[-1] != W.shape[1]:
            raise ValueError(f"input has {x.shape[-1] if x.ndim else 0} features but the weight expects {W.shape[1]}")
        out = x @ W.T
        if b is not None:
            if out.dtype == b.dtype:
                out += b  # in place on the fresh product: no temporary array
            else:
                out = out + b
        return out

    def backward(self, g):
        x, W = self.inputs[0], self.inputs[1]
        n_out, n_in = W.shape
        flat_g = g if g.ndim == 2 else g.reshape(-1, n_out)
        gx = MatMul.apply(g, W) if x.requires_grad else None
        gW = WeightGrad.apply(flat_g, x if x.ndim == 2 else x.reshape(-1, n_in)) if W.requires_grad else None
        if len(self.inputs) == 2:
            return gx, gW
        b = self.inputs[2]
        return gx, gW, (Sum.apply(flat_g, axes=(0,), keepdims=False) if b.requires_grad else None)


class WeightGrad(Function):
    """δᵀ x: the weight gradient of a Linear layer (Σ over the batch of δ_i x_iᵀ), as one op.

    Its own backward, for second derivatives: for an upstream G,
    d⟨G, δᵀx⟩/dδ = x Gᵀ and d⟨G, δᵀx⟩/dx = δ G.
    """

    name = "linear_weight_grad"

    def forward(self, g, x):
        return g.T @ x

    def backward(self, gg):
        g, x = self.inputs
        return (x @ gg.T if g.requires_grad else None, g @ gg if x.requires_grad else None)


def affine(x, weight, bias=None):
    """x Wᵀ + b for rows x (any leading batch axes), W of shape (out, in), b of shape (out,)."""
    x = as_tensor(x, like=weight)
    if bias is None:
        return Affine.apply(x, weight)
    return Affine.apply(x, weight, bias)


def matmul(a, b):
    """Matrix product a @ b (vectors, matrices and stacks of matrices)."""
    if a.__class__ is Tensor and b.__class__ is Tensor:
        return MatMul.apply(a, b)
    if not isinstance(a, Tensor):
        b = as_tensor(b)
        a = as_tensor(a, like=b)
    else:
        b = as_tensor(b, like=a)
    return MatMul.apply(a, b)

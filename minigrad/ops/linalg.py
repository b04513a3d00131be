"""Matrix multiplication ``a @ b`` with NumPy's rules (1-D, 2-D and batched).

For C = A B (seed 003: z = W a + b, and δ^(k) = (W^(k+1))ᵀ δ^(k+1)):

    dL/dA = G Bᵀ,     dL/dB = Aᵀ G

1-D operands are treated as a row (left) or a column (right) vector and the
extra axis is dropped again; batch axes broadcast and are summed back with
:func:`~minigrad.ops.broadcast.unbroadcast`.
"""

from __future__ import annotations

from minigrad.ops.broadcast import unbroadcast
from minigrad.ops.function import Function
from minigrad.tensor import Tensor, as_tensor

__all__ = ["matmul"]


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


def matmul(a, b):
    """Matrix product a @ b (vectors, matrices and stacks of matrices)."""
    if not isinstance(a, Tensor):
        b = as_tensor(b)
        a = as_tensor(a, like=b)
    else:
        b = as_tensor(b, like=a)
    return MatMul.apply(a, b)

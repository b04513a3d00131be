"""``scaled_dot_product_attention``: softmax(Q Kᵀ/√d + mask) V.

Vaswani et al. (2017), "Attention Is All You Need", §3.2.1: for queries Q (..., L, E),
keys K (..., S, E) and values V (..., S, Ev),

    A = softmax(Q Kᵀ · scale + M)   (over the S keys; scale = 1/√E by default),   out = A V

where a boolean ``attn_mask`` keeps the True positions (the others get M = −∞, zero
weight), a float mask is added to the scores, and ``is_causal`` keeps key j ≤
query i only. Composed of differentiable ops (matmul, where, softmax), so its
gradients of every order are theirs. A row whose keys are all masked gives NaN,
as in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.nn.functional.dropout import dropout
from minigrad.ops.selection import where
from minigrad.tensor import Tensor, as_tensor

__all__ = ["scaled_dot_product_attention"]


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """softmax(Q Kᵀ·scale + mask) V for Q (..., L, E), K (..., S, E), V (..., S, Ev) → (..., L, Ev).

    ``dropout_p``: dropout on the attention weights (applied whenever > 0, as
    PyTorch's functional form). ``scale``: default 1/√E.
    """
    q = query if isinstance(query, Tensor) else as_tensor(query)
    k = key if isinstance(key, Tensor) else as_tensor(key, like=q)
    v = value if isinstance(value, Tensor) else as_tensor(value, like=q)
    op = "scaled_dot_product_attention"
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"{op}: query, key and value must be at least 2-D, got shapes {q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{op}: query (..., L, E), key (..., S, E) and value (..., S, Ev) do not fit: "
                         f"shapes {q.shape}, {k.shape}, {v.shape}")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{op}: give attn_mask or is_causal, not both")
    length, source = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = (q @ k.swapaxes(-1, -2)) * scale
    if is_causal:
        attn_mask = np.tril(np.ones((length, source), dtype=bool))
    if attn_mask is not None:
        mask = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        try:
            np.broadcast_shapes(mask.shape, scores.shape)
        except ValueError:
            raise ValueError(f"{op}: attn_mask of shape {mask.shape} does not broadcast to the scores' shape "
                             f"{scores.shape}") from None
        if mask.dtype == bool:
            scores = where(mask, scores, -np.inf)
        else:
            scores = scores + (attn_mask if isinstance(attn_mask, Tensor) else as_tensor(mask, like=scores))
    weights = scores.softmax(axis=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ v

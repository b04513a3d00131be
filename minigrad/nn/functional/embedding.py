"""``embedding``: look up rows of a weight matrix by integer index.

For indices t (any shape) and a weight E (V, D), out[..., :] = E[t[...], :] -- the
product of a one-hot vector with E, computed as a lookup (Bengio et al., 2003,
"A Neural Probabilistic Language Model"; Mikolov et al., 2013). The gradient of
row v of E is the sum of the output gradients of every position that picked v
(a scatter-add); the row ``padding_idx``, if given, gets none (as in PyTorch).
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.backend.device import module_of
from minigrad.ops.indexing import scatter_add
from minigrad.tensor import Tensor, as_tensor

__all__ = ["embedding"]


class Embedding(Function):
    """out = weight[indices]; d weight = scatter-add of g over ``indices`` (``padding_idx`` masked)."""

    name = "embedding"
    needs_inputs = False  # the backward uses the weight's shape only

    def forward(self, weight, *, indices, padding_idx):
        self.indices, self.padding_idx = indices, padding_idx
        return weight[indices]

    def backward(self, g):
        (weight,) = self.inputs
        if self.padding_idx is not None:
            keep = (self.indices != self.padding_idx)[..., None]
            g = g * Tensor.constant(keep.astype(g.dtype))
        return (scatter_add(g, self.indices, weight.shape),)


def embedding(input, weight, padding_idx=None):
    """Rows of ``weight`` (V, D) picked by the integer ``input`` (any shape) → shape input.shape + (D,).

    ``padding_idx``: a row that receives no gradient (negative counts from the end).
    """
    weight = weight if isinstance(weight, Tensor) else as_tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    indices = input.data if isinstance(input, Tensor) else np.asarray(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: input must hold integer indices, got dtype {indices.dtype}")
    v = weight.shape[0]
    if indices.size:
        lo, hi = int(indices.min()), int(indices.max())
        if lo < 0 or hi >= v:
            raise IndexError(f"embedding: index {lo if lo < 0 else hi} is out of range for {v} embeddings "
                             f"(input shape {indices.shape})")
    if padding_idx is not None:
        if not -v <= padding_idx < v:
            raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for {v} embeddings")
        padding_idx = int(padding_idx) % v
    indices = module_of(weight.data).asarray(indices)
    return Embedding.apply(weight, indices=indices, padding_idx=padding_idx)

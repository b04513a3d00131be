"""Embedding: a learned lookup table of vectors (PyTorch's ``nn.Embedding``).

``weight`` (num_embeddings, embedding_dim) is drawn from N(0, 1), as in PyTorch,
and the row ``padding_idx`` (if given) starts at zero and receives no gradient.
"""

from __future__ import annotations

import numpy as np

from minigrad.nn import init
from minigrad.nn.functional.embedding import embedding
from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor

__all__ = ["Embedding"]


class Embedding(Module):
    """Rows of ``weight`` picked by integer indices: (…) → (…, embedding_dim)."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, _weight=None, _freeze=False):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {value!r}")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} is out of range for "
                                 f"{num_embeddings} embeddings")
            padding_idx = int(padding_idx) % self.num_embeddings
        self.padding_idx = padding_idx
        if _weight is None:
            weight = init.normal((self.num_embeddings, self.embedding_dim))
            if padding_idx is not None:
                weight[padding_idx] = 0.0
        else:
            weight = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if weight.shape != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: _weight must have shape ({num_embeddings}, {embedding_dim}), "
                                 f"got {weight.shape}")
        self.weight = Parameter(weight, requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
        """An Embedding holding the 2-D ``embeddings`` (frozen unless ``freeze=False``)."""
        data = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if data.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape {data.shape}")
        return cls(data.shape[0], data.shape[1], padding_idx=padding_idx, _weight=data.copy(), _freeze=freeze)

    def forward(self, indices):
        return embedding(indices, self.weight, self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")

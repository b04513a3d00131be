"""``one_hot(indices, num_classes=-1)``: class indices as one-hot rows (PyTorch's ``one_hot``).

``one_hot(i, C)[..., c] = 1 if c == i else 0``: the encoding of a categorical
variable as a vector with a single 1 (Bishop, *Pattern Recognition and Machine
Learning*, 2006, §2.2, the "1-of-K" scheme), the target of cross-entropy. The
result has shape ``indices.shape + (C,)`` and dtype int64, as in PyTorch;
``.float()`` it to use it as a target. Indices are data, not parameters: the
result is not differentiable.
"""

from __future__ import annotations

import numpy as np

from minigrad.tensor import Tensor

__all__ = ["one_hot"]


def one_hot(indices, num_classes=-1):
    """int64 one-hot encoding of integer ``indices``; ``num_classes=-1`` uses ``max + 1``.

    Every index must lie in ``[0, num_classes)`` (IndexError otherwise).
    """
    data = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    if hasattr(data, "get"):  # CuPy: the encoding is built on the host
        data = data.get()
    if data.dtype.kind not in "iu":
        raise TypeError(f"one_hot: indices must be integers, got dtype {data.dtype}")
    if not isinstance(num_classes, (int, np.integer)) or num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be a non-negative int or -1, got {num_classes!r}")
    if num_classes == -1:
        if data.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from empty indices; pass num_classes")
        num_classes = int(data.max()) + 1
    if data.size:
        low, high = int(data.min()), int(data.max())
        if low < 0 or high >= num_classes:
            bad = low if low < 0 else high
            raise IndexError(f"one_hot: index {bad} is out of range for num_classes={num_classes} "
                             f"(indices shape {data.shape})")
    out = (data[..., None] == np.arange(num_classes)).astype(np.int64)
    device = indices.device if isinstance(indices, Tensor) else "cpu"
    return Tensor.constant(out) if device == "cpu" else Tensor.constant(out).to(device)

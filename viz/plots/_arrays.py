"""Plot inputs as NumPy arrays: Tensors are copied back from their device."""

from __future__ import annotations

import numpy as np

from minigrad.tensor import Tensor


def _array(x):
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)

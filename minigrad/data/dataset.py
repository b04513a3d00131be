"""``TensorDataset``: samples from arrays that share their first axis.

A *dataset* is anything with ``len(ds)`` and ``ds[i]`` (one sample), as in PyTorch;
:class:`~minigrad.data.DataLoader` batches any of them. ``TensorDataset(X, y)`` is
the simplest: sample i is ``(X[i], y[i])``::

    >>> import numpy as np
    >>> from minigrad.data import TensorDataset
    >>> ds = TensorDataset(np.zeros((5, 2)), np.arange(5))
    >>> len(ds), ds[3][1]
    (5, np.int64(3))
"""

from __future__ import annotations

import numpy as np

from minigrad.data._checks import as_samples

__all__ = ["TensorDataset"]


class TensorDataset:
    """A dataset of several arrays indexed together along their first axis.

    ``arrays``: NumPy arrays, array-likes or Tensors (their data are taken, detached);
    each must have at least one axis, and all the same length n. ``ds[i]`` is the
    tuple ``(a[i] for a in arrays)``; an index array or a slice gives a tuple of
    batches at once (what :class:`~minigrad.data.DataLoader` uses). ``ds.arrays`` are
    the NumPy arrays.
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: give at least one array")
        self.arrays = tuple(as_samples(a, f"array {k}", "TensorDataset") for k, a in enumerate(arrays))
        lengths = [len(a) for a in self.arrays]
        if len(set(lengths)) > 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(f"TensorDataset: every array needs the same first dimension (samples), got shapes {shapes}")

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)) and not -len(self) <= index < len(self):
            raise IndexError(f"TensorDataset: index {index} is out of range for {len(self)} samples")
        return tuple(a[index] for a in self.arrays)

    def __repr__(self):
        return f"TensorDataset({', '.join(str(a.shape) for a in self.arrays)})"

"""Argument checks and the seed rule shared by :mod:`minigrad.data` (private).

Every error names the function, the argument and the offending value.
"""

from __future__ import annotations

import numbers

import numpy as np

from minigrad import rng as _rng
from minigrad._checks import check_int, check_number  # noqa: F401  (re-exported for the data modules)
from minigrad.tensor import Tensor


def generator(seed, where):
    """The random generator for ``seed``.

    * ``None``: the global generator :func:`minigrad.rng.generator`, so that
      ``mg.manual_seed(n)`` makes the call repeatable;
    * a non-negative int: a private ``np.random.default_rng(seed)`` -- the same seed
      always gives the same draws and leaves the global generator untouched;
    * a ``np.random.Generator``: used as it is.
    """
    if seed is None:
        return _rng.generator()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(
            f"{where}: seed must be None, a non-negative integer or a numpy Generator, got seed={seed!r}"
        )
    return np.random.default_rng(int(seed))


def as_array(x, name, where):
    """``x`` as a NumPy array: Tensors through ``.numpy()``, array-likes through ``np.asarray``."""
    if isinstance(x, Tensor):
        return np.asarray(x.numpy())
    if x is None:
        raise ValueError(f"{where}: {name} must be an array, got None")
    arr = np.asarray(x)
    if arr.dtype == object:
        raise ValueError(f"{where}: {name} must be a numeric array, got dtype object")
    return arr


def as_samples(x, name, where):
    """``x`` as an array of samples along axis 0 (at least 1-D)."""
    arr = as_array(x, name, where)
    if arr.ndim == 0:
        raise ValueError(f"{where}: {name} must have a sample axis, got a scalar {arr!r}")
    return arr


def same_length(X, y, where):
    """Raise ValueError unless X and y hold the same number of samples."""
    if y is not None and len(X) != len(y):
        raise ValueError(
            f"{where}: X and y must have the same number of samples, got len(X)={len(X)} and len(y)={len(y)}"
        )

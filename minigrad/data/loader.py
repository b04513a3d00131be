"""DataLoader: mini-batches of a data set, as Tensors, one epoch per loop.

Mini-batch stochastic gradient descent (Goodfellow et al. 2016, "Deep Learning",
§8.1.3): when the training set is large,
computing the gradient over all n examples at every step is slow, so the gradient
is estimated on a random mini-batch B = {x₁, …, x_m} of size m < n and the weights
are updated with (η/m) Σ_{x∈B} δ_x. One pass over all mini-batches is an *epoch*;
m = 1 is online training, m = n full-batch gradient
descent. Reshuffling every epoch makes each mini-batch a fresh random sample::

    >>> from minigrad.data import DataLoader, make_moons
    >>> X, y = make_moons(100, seed=0)
    >>> loader = DataLoader(X, y, batch_size=32, shuffle=True, seed=0)
    >>> len(loader)                                   # ⌈100 / 32⌉ batches per epoch
    4
    >>> [tuple(xb.shape) for xb, yb in loader]        # the last batch is partial
    [(32, 2), (32, 2), (32, 2), (4, 2)]
"""

from __future__ import annotations

import math

import numpy as np

from minigrad import rng as _rng
from minigrad.data._checks import as_samples, check_int, generator, same_length
from minigrad.tensor import tensor

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over ``(X, y)`` in mini-batches of ``batch_size`` samples (mini-batch SGD).

    Each iteration (``for xb, yb in loader``) is one epoch and yields
    ``(mg.tensor(X_batch), mg.tensor(y_batch))`` -- float data become float32
    Tensors, integer labels int64 -- or only the X tensor when ``y`` is None.
    ``X`` and ``y`` may be NumPy arrays, array-likes or Tensors (their data are
    taken, detached from any graph); samples run along axis 0.

    * ``len(loader)`` is the number of batches per epoch: ⌈n / batch_size⌉, or
      ⌊n / batch_size⌋ with ``drop_last=True``, which skips the last, smaller batch
      (so every step averages over exactly m examples).
    * ``shuffle=True`` draws a new order every epoch. With an int ``seed`` the
      loader owns its generator: a new loader with the same seed repeats the same
      sequence of epochs. With ``seed=None`` it draws from the global generator,
      which ``mg.manual_seed`` resets.
    """

    def __init__(self, X, y=None, batch_size=32, shuffle=False, seed=None, drop_last=False):
        where = "DataLoader"
        self.X = as_samples(X, "X", where)
        self.y = None if y is None else as_samples(y, "y", where)
        same_length(self.X, self.y, where)
        if len(self.X) == 0:
            raise ValueError(f"{where}: X has no samples (shape {self.X.shape})")
        self.batch_size = check_int(batch_size, "batch_size", where, minimum=1)
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, bool):
                raise ValueError(f"{where}: {name} must be True or False, got {name}={flag!r}")
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self._rng = None if seed is None else generator(seed, where)

    @property
    def n_samples(self):
        """The number of samples n in the data set."""
        return len(self.X)

    def __len__(self):
        """Batches per epoch: ⌈n / m⌉, or ⌊n / m⌋ with ``drop_last``."""
        if self.drop_last:
            return self.n_samples // self.batch_size
        return math.ceil(self.n_samples / self.batch_size)

    def __iter__(self):
        """One epoch: a new order (if shuffling), then the batches in that order."""
        if self.shuffle:
            rng = self._rng if self._rng is not None else _rng.generator()
            order = rng.permutation(self.n_samples)
        else:
            order = np.arange(self.n_samples)
        return self._batches(order)

    def _batches(self, order):
        m = self.batch_size
        for b in range(len(self)):
            idx = order[b * m:(b + 1) * m]
            xb = tensor(self.X[idx])
            yield xb if self.y is None else (xb, tensor(self.y[idx]))

    def __repr__(self):
        return (
            f"DataLoader(n_samples={self.n_samples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})"
        )

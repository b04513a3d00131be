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
    * ``shard=(rank, world_size)`` is for data-parallel training
      (:mod:`minigrad.distributed`): every process draws the same order (same
      ``seed``), cuts it into global batches of ``world_size · batch_size`` and keeps
      its own slice of each, so ``batch_size`` is per process and the slices are
      disjoint and of equal size. The order is first cut to a multiple of
      ``world_size`` (at most ``world_size − 1`` samples sit out an epoch), since a
      process with one batch more would wait forever for the others' gradients.
    """

    def __init__(self, X, y=None, batch_size=32, shuffle=False, seed=None, drop_last=False, shard=None):
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
        self.rank, self.world_size = _check_shard(shard, shuffle, seed, len(self.X), where)

    @property
    def n_samples(self):
        """The number of samples n in the data set."""
        return len(self.X)

    def __len__(self):
        """Batches per epoch: ⌈n / m⌉, or ⌊n / m⌋ with ``drop_last``."""
        used = self.n_samples - self.n_samples % self.world_size  # the samples an epoch shares out
        per_step = self.batch_size * self.world_size
        if self.drop_last:
            return used // per_step
        return math.ceil(used / per_step)

    def __iter__(self):
        """One epoch: a new order (if shuffling), then the batches in that order."""
        if self.shuffle:
            rng = self._rng if self._rng is not None else _rng.generator()
            order = rng.permutation(self.n_samples)
        else:
            order = np.arange(self.n_samples)
        return self._batches(order)

    def _batches(self, order):
        m, w = self.batch_size, self.world_size
        if w > 1:
            order = order[:len(order) - len(order) % w]
        for b in range(len(self)):
            idx = order[b * m * w:(b + 1) * m * w]
            if w > 1:  # this process's equal, contiguous slice of the global batch
                share = len(idx) // w
                idx = idx[self.rank * share:(self.rank + 1) * share]
            xb = tensor(self.X[idx])
            yield xb if self.y is None else (xb, tensor(self.y[idx]))

    def __repr__(self):
        return (
            f"DataLoader(n_samples={self.n_samples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)}"
            + (f", shard=({self.rank}, {self.world_size})" if self.world_size > 1 else "") + ")"
        )


def _check_shard(shard, shuffle, seed, n, where):
    """``(rank, world_size)`` from ``shard`` (None: the whole data set, ``(0, 1)``)."""
    if shard is None:
        return 0, 1
    if (not isinstance(shard, (tuple, list)) or len(shard) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in shard)):
        raise ValueError(f"{where}: shard must be a pair (rank, world_size) of integers, got shard={shard!r}")
    rank, world = int(shard[0]), int(shard[1])
    if world < 1 or not 0 <= rank < world:
        raise ValueError(f"{where}: shard=(rank, world_size) needs world_size >= 1 and 0 <= rank < world_size, "
                         f"got shard={tuple(shard)!r}")
    if world > n:
        raise ValueError(f"{where}: shard={tuple(shard)!r} splits {n} samples among {world} processes; "
                         "each needs at least one")
    if shuffle and seed is None and world > 1:
        raise ValueError(f"{where}: shard={tuple(shard)!r} with shuffle=True needs an int seed, the same on every "
                         "process, so that all processes draw the same order")
    return rank, world

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

Any dataset -- an object with ``len(ds)`` and ``ds[i]``, such as
:class:`~minigrad.data.TensorDataset` -- can be batched too, as in PyTorch:
``DataLoader(dataset, batch_size=32, shuffle=True)`` yields the samples of each
batch collated by ``np.stack`` (tuples field by field) into Tensors.

An epoch is three steps, each one method: the order of the n sample indices
(``_order``), the indices of each batch (``_batches``) and the batch itself
(``_fetch``, then ``_collate``).
"""

from __future__ import annotations

import math

import numpy as np

from minigrad import rng as _rng
from minigrad.data._checks import as_samples, check_int, generator, same_length
from minigrad.data.dataset import TensorDataset
from minigrad.tensor import Tensor, tensor

__all__ = ["DataLoader"]


def _is_dataset(obj):
    """A dataset object (``len`` and ``[i]``) rather than an array of samples."""
    if isinstance(obj, list):
        return _is_sample_list(obj)
    if isinstance(obj, (np.ndarray, Tensor, tuple)) or np.isscalar(obj) or hasattr(obj, "__array__"):
        return False
    return hasattr(obj, "__len__") and hasattr(obj, "__getitem__")


def _is_sample_list(items):
    """A list of samples such as ``[(x0, y0), (x1, y1), ...]`` or dicts that NumPy cannot
    make one array of: a dataset, as in PyTorch (a list that is one array stays X)."""
    if not items or not isinstance(items[0], (tuple, list, dict)):
        return False
    if isinstance(items[0], dict):
        return True
    try:
        return np.asarray(items).dtype == object
    except ValueError:  # ragged: the fields have different shapes
        return True


class DataLoader:
    """Iterate over ``(X, y)`` -- or any dataset -- in mini-batches of ``batch_size`` samples.

    ``DataLoader(X, y, ...)``: each iteration (``for xb, yb in loader``) is one epoch
    and yields ``(mg.tensor(X_batch), mg.tensor(y_batch))`` -- float data become
    float32 Tensors, integer labels int64 -- or only the X tensor when ``y`` is None.
    ``X`` and ``y`` may be NumPy arrays, array-likes or Tensors (their data are
    taken, detached from any graph); samples run along axis 0.

    ``DataLoader(dataset, ...)``: ``dataset`` has ``len(dataset)`` and
    ``dataset[i]`` (a sample: an array, a number, or a tuple or dict of them); a batch is the
    samples stacked with ``np.stack`` into a Tensor, field by field for tuples and key by
    key for dicts (so a ``TensorDataset(X, y)`` gives ``(xb, yb)``, and ``TensorDataset(X)``
    gives ``(xb,)``). A list of samples that is not one array, ``[(x0, y0), (x1, y1), ...]``,
    is a dataset too.

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
        if _is_dataset(X):
            if y is not None:
                raise ValueError(f"{where}: y must be None when the first argument is a dataset "
                                 f"({type(X).__name__}), whose samples carry their targets")
            self.dataset = X
            self._single = False  # a dataset's samples are returned as they come, collated
        else:
            X = as_samples(X, "X", where)
            y = None if y is None else as_samples(y, "y", where)
            same_length(X, y, where)
            if len(X) == 0:
                raise ValueError(f"{where}: X has no samples (shape {X.shape})")
            self.dataset = TensorDataset(X) if y is None else TensorDataset(X, y)
            self._single = y is None  # DataLoader(X): batches of X alone, not 1-tuples
        if len(self.dataset) == 0:
            raise ValueError(f"{where}: the dataset {type(self.dataset).__name__} has no samples")
        self.batch_size = check_int(batch_size, "batch_size", where, minimum=1)
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, bool):
                raise ValueError(f"{where}: {name} must be True or False, got {name}={flag!r}")
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self._rng = None if seed is None else generator(seed, where)
        self.rank, self.world_size = _check_shard(shard, shuffle, seed, len(self.dataset), where)

    @property
    def X(self):
        """The inputs, for a loader made from arrays (None for another dataset)."""
        return self.dataset.arrays[0] if isinstance(self.dataset, TensorDataset) else None

    @property
    def y(self):
        """The targets, for a loader made from ``(X, y)`` (None otherwise)."""
        if isinstance(self.dataset, TensorDataset) and len(self.dataset.arrays) > 1 and not self._single:
            return self.dataset.arrays[1]
        return None

    @property
    def n_samples(self):
        """The number of samples n in the data set."""
        return len(self.dataset)

    @property
    def _n_used(self):
        """The samples an epoch shares out: n cut to a multiple of ``world_size``."""
        return self.n_samples - self.n_samples % self.world_size

    def __len__(self):
        """Batches per epoch: ⌈n / m⌉, or ⌊n / m⌋ with ``drop_last``."""
        per_step = self.batch_size * self.world_size
        if self.drop_last:
            return self._n_used // per_step
        return math.ceil(self._n_used / per_step)

    def __iter__(self):
        """One epoch: a new order (if shuffling), then the batches in that order."""
        return (self._collate(self._fetch(idx)) for idx in self._batches(self._order()))

    def _order(self):
        """The sample indices of one epoch, in the order they are visited."""
        if self.shuffle:
            rng = self._rng if self._rng is not None else _rng.generator()
            return rng.permutation(self.n_samples)
        return np.arange(self.n_samples)

    def _batches(self, order):
        """The index array of each batch, cut from ``order`` (with ``shard``: this process's
        equal, contiguous slice of each global batch of ``world_size · batch_size``)."""
        step, w = self.batch_size * self.world_size, self.world_size
        order = order[:self._n_used]
        for b in range(len(self)):
            idx = order[b * step:(b + 1) * step]
            share = len(idx) // w  # the whole batch when not sharded (w = 1)
            yield idx[self.rank * share:(self.rank + 1) * share]

    def _fetch(self, idx):
        """The samples at ``idx``: one fancy-indexing per array for a TensorDataset,
        else a list of ``dataset[i]``."""
        if isinstance(self.dataset, TensorDataset):
            return self.dataset[idx]  # already a tuple of stacked batches
        return [self.dataset[int(i)] for i in idx]

    def _collate(self, samples):
        """The batch as Tensors: ``np.stack`` of the samples, field by field for tuples."""
        if isinstance(self.dataset, TensorDataset):
            batch = tuple(tensor(a) for a in samples)
            return batch[0] if self._single else batch
        return _collate_samples(samples)

    def __repr__(self):
        return (
            f"DataLoader(n_samples={self.n_samples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)}"
            + (f", shard=({self.rank}, {self.world_size})" if self.world_size > 1 else "") + ")"
        )


def _collate_samples(samples, field=""):
    """A batch of ``samples`` as Tensors, as PyTorch's default collate: arrays and numbers
    stacked along a new axis 0, tuples field by field, dicts key by key."""
    first = samples[0]
    if isinstance(first, dict):
        if any(not isinstance(s, dict) or s.keys() != first.keys() for s in samples):
            raise ValueError("DataLoader: every sample of the dataset must be a dict with the same keys")
        return {k: _collate_samples([s[k] for s in samples], f"{field}[{k!r}]") for k in first}
    if isinstance(first, (tuple, list)):
        if any(not isinstance(s, (tuple, list)) or len(s) != len(first) for s in samples):
            raise ValueError("DataLoader: every sample of the dataset must have the same number of fields")
        return tuple(_collate_samples([s[k] for s in samples], f"{field}[{k}]") for k in range(len(first)))
    return tensor(_stack(samples, field))


def _stack(values, field=""):
    """``np.stack`` of samples (Tensors taken as their arrays)."""
    arrays = [v.numpy() if isinstance(v, Tensor) else np.asarray(v) for v in values]
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError(f"DataLoader: cannot stack the samples{' ' + field if field else ''} of a batch: "
                         f"they have different shapes {sorted(shapes)}")
    return np.stack(arrays)


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

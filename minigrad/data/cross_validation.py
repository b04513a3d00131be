"""k-fold cross-validation of one training recipe, its k trainings run in parallel.

Cross-validation (Hastie, Tibshirani & Friedman 2009, "The Elements of
Statistical Learning", §7.10) estimates how well a recipe generalizes: split the
data into k folds, train k times -- each time on k − 1 folds -- and score each
model on the fold it did not see. The mean of the k scores is the estimate; their
standard deviation says how much it would move with another split of the data::

    >>> import numpy as np
    >>> from minigrad.data import cross_validate
    >>> X, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 2
    >>> cv = cross_validate(lambda X_tr, y_tr, X_va, y_va: float(len(X_va)), X, y, k=5, seed=0)
    >>> cv.scores, cv.mean
    ([2.0, 2.0, 2.0, 2.0, 2.0], 2.0)

The k trainings are independent, so ``n_jobs`` local processes or a Dask
cluster (``backend="dask"``) run them at once; each is seeded from
``(seed, 0, fold)`` (see :mod:`minigrad.data.parallel`), so the scores do not
depend on where they ran.
"""

from __future__ import annotations

import numpy as np

from minigrad.data._checks import generator
from minigrad.data.parallel import check_parallel, run_tasks, task_seed
from minigrad.data.search import _base_seed, _data, _folds

__all__ = ["cross_validate", "CVResults"]


class CVResults:
    """The outcome of :func:`cross_validate`: ``scores`` (one per fold), ``mean`` and ``std``."""

    def __init__(self, scores):
        self.scores = [float(s) for s in scores]
        self.mean = float(np.mean(self.scores))
        self.std = float(np.std(self.scores))

    @property
    def k(self):
        """The number of folds."""
        return len(self.scores)

    def __repr__(self):
        return f"CVResults(k={self.k}, mean={self.mean:.4g}, std={self.std:.4g})"


def cross_validate(train_fn, X, y, k=5, seed=None, stratify=False, n_jobs=1, backend=None, timeout=None,
                   progress=None):
    """Train and score ``train_fn`` on each of ``k`` folds; returns :class:`CVResults`.

    ``train_fn(X_train, y_train, X_val, y_val)`` trains a fresh model and returns
    its validation score (a number). ``seed`` shuffles the folds (and seeds each
    training); ``stratify=True`` keeps the class proportions of ``y`` in every fold.
    ``n_jobs`` local processes (-1: one per core) or ``backend="dask"`` (the active
    ``dask.distributed.Client``) run the folds in parallel; ``timeout`` bounds one
    training in seconds; ``progress`` shows a bar on a terminal.
    """
    where = "cross_validate"
    X, y = _data(train_fn, X, y, where)
    check_parallel(n_jobs, backend, timeout, where)
    rng = generator(seed, where)
    k, folds = _folds(X, y, k, stratify, rng, where)
    base = _base_seed(seed, rng)
    tasks = [(None, train_idx, val_idx, task_seed(base, 0, f)) for f, (train_idx, val_idx) in enumerate(folds)]
    scores = run_tasks(train_fn, tasks, X, y, n_jobs=n_jobs, backend=backend, timeout=timeout, progress=progress,
                       where=where)
    return CVResults(scores)

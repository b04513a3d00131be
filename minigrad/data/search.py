"""Hyperparameter search with k-fold cross-validation: grid search and random search.

Hyperparameter selection (Goodfellow et al. 2016, "Deep Learning", §11.4): the
regularization constant, the mini-batch size, the architecture … are chosen on
validation data, by automatic grid search or random search. Grid search tries
every combination of a few values per hyperparameter; random search draws each
candidate at random. In general random search is more efficient (Bergstra &
Bengio, 2012): when only a few hyperparameters matter,
a grid of 9 points tries just 3 values of the one that matters, while 9 random
points try 9.

Each candidate is scored by k-fold cross-validation (Hastie, Tibshirani &
Friedman 2009, §7.10): you write ``train_fn(params, X_train, y_train, X_val, y_val)``,
which trains a fresh model with ``params`` and returns its score on the validation
fold -- **higher is better** (return −loss for a loss). The candidate's score is the
mean over the k folds; all candidates share the same folds, so they differ only
by their hyperparameters. Keep the test set out of the search: it is for the final
model only::

    >>> import numpy as np
    >>> from minigrad.data import grid_search
    >>> X, y = np.arange(12.0).reshape(6, 2), np.array([0, 1] * 3)
    >>> def train_fn(params, X_tr, y_tr, X_va, y_va):  # a stand-in for a real training run
    ...     return -abs(params["lr"] - 0.01)
    >>> results = grid_search(train_fn, {"lr": [0.1, 0.01, 0.001]}, X, y, k=3, seed=0)
    >>> results.best_params
    {'lr': 0.01}

The arrays given to ``train_fn`` are NumPy arrays (wrap them in a
:class:`~minigrad.data.DataLoader` or ``mg.tensor`` to train).
"""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from minigrad.data._checks import as_samples, check_int, check_number, generator, same_length
from minigrad.data.parallel import check_parallel, run_tasks, task_seed
from minigrad.data.splits import kfold, stratified_kfold

__all__ = ["grid_search", "random_search", "SearchResults", "log_uniform"]


class SearchResults:
    """The outcome of :func:`grid_search` or :func:`random_search`.

    * ``rows``: one dict per candidate, in the order tried, with keys ``params``
      (dict), ``mean_score`` and ``std_score`` (mean and standard deviation over the
      folds), ``scores`` (the k fold scores) and ``rank`` (1 = best);
    * ``best_params``, ``best_score``, ``best_index``: the candidate with the highest
      mean score (a NaN score, e.g. a diverged run, ranks last);
    * ``str(results)``: a text table of all candidates, best first.

    To see the scores over the grid, ``viz.plot_search(results)`` draws them (a
    heatmap for two hyperparameters, lines otherwise); the plotting lives in
    :mod:`viz`, since minigrad itself never imports matplotlib.
    """

    def __init__(self, rows, method="search", k=None):
        if not rows:
            raise ValueError("SearchResults: needs at least one row")
        self.rows = rows
        self.method = method
        self.k = k
        order = sorted(range(len(rows)), key=lambda i: _rank_key(rows[i]["mean_score"]))
        for rank, i in enumerate(order, start=1):
            rows[i]["rank"] = rank
        self._order = order

    @property
    def best_index(self):
        """Position in ``rows`` of the best candidate."""
        return self._order[0]

    @property
    def best_params(self):
        """The hyperparameters of the best candidate (a copy)."""
        return dict(self.rows[self.best_index]["params"])

    @property
    def best_score(self):
        """The best mean validation score."""
        return self.rows[self.best_index]["mean_score"]

    def ranked(self):
        """The rows sorted best first."""
        return [self.rows[i] for i in self._order]

    def __len__(self):
        return len(self.rows)

    def __str__(self):
        names = list(dict.fromkeys(name for row in self.rows for name in row["params"]))
        header = ["rank", "mean_score", "std_score", *names]
        body = [
            [str(row["rank"]), f"{row['mean_score']:.4g}", f"{row['std_score']:.4g}",
             *(_show(row["params"].get(name, "")) for name in names)]
            for row in self.ranked()
        ]
        widths = [max(len(line[c]) for line in [header, *body]) for c in range(len(header))]
        fmt = lambda line: "  ".join(  # noqa: E731 - numbers right-aligned, parameters left
            cell.rjust(w) if c < 3 else cell.ljust(w) for c, (cell, w) in enumerate(zip(line, widths))
        ).rstrip()
        folds = f", {self.k}-fold cross-validation" if self.k else ""
        title = f"{self.method}{folds}, {len(self.rows)} candidates (higher score is better)"
        return "\n".join([title, fmt(header), *(fmt(line) for line in body)])

    def __repr__(self):
        return (
            f"SearchResults({len(self.rows)} candidates, "
            f"best_score={self.best_score:.4g}, best_params={self.best_params})"
        )


def _rank_key(score):
    return (math.isnan(score), -score if not math.isnan(score) else 0.0)


def _show(value):
    """A short text for a parameter value in the table."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if callable(value):
        return getattr(value, "__name__", repr(value))
    return str(value)


# --------------------------------------------------------------------------- shared
def _folds(X, y, k, stratify, rng, where):
    """The k (train_idx, val_idx) folds shared by every candidate."""
    k = check_int(k, "k", where, minimum=2)
    if k > len(X):
        raise ValueError(f"{where}: k={k} folds need at least k samples, got {len(X)}")
    if not isinstance(stratify, bool):
        raise ValueError(f"{where}: stratify must be True or False, got stratify={stratify!r}")
    if stratify:
        return k, list(stratified_kfold(y, k, shuffle=True, seed=rng))
    return k, list(kfold(len(X), k, shuffle=True, seed=rng))


def _data(train_fn, X, y, where):
    if not callable(train_fn):
        raise TypeError(f"{where}: train_fn must be callable, got {type(train_fn).__name__}")
    X = as_samples(X, "X", where)
    y = as_samples(y, "y", where)
    same_length(X, y, where)
    return X, y


def _values(values, name, where):
    """A non-empty list of candidate values (list, tuple, range or 1-D array)."""
    if isinstance(values, np.ndarray) and values.ndim == 1:
        values = values.tolist()
    if not isinstance(values, (list, tuple, range)):
        raise ValueError(
            f"{where}: the values of {name!r} must be a list, got {values!r} (wrap a fixed value in a list: [value])"
        )
    if len(values) == 0:
        raise ValueError(f"{where}: the list of values of {name!r} is empty")
    return list(values)


def _check_names(space, label, where):
    if not isinstance(space, dict):
        raise ValueError(f"{where}: {label} must be a dict name -> values, got {type(space).__name__}")
    if not space:
        raise ValueError(f"{where}: {label} is empty; give at least one hyperparameter")
    for name in space:
        if not isinstance(name, str):
            raise ValueError(f"{where}: hyperparameter names must be strings, got {name!r}")


def _base_seed(seed, rng):
    """The seed every task's seed is hashed from: ``seed`` itself, or one draw from ``rng``."""
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return int(seed)
    return int(rng.integers(2**32))  # seed=None: repeatable under mg.manual_seed


def _run_candidates(train_fn, candidates, X, y, folds, base, n_jobs, backend, timeout, progress, where):
    """Score every candidate on every fold -- one task per (candidate, fold) -- and build the rows."""
    tasks = [
        (params, train_idx, val_idx, task_seed(base, c, f))
        for c, params in enumerate(candidates)
        for f, (train_idx, val_idx) in enumerate(folds)
    ]
    scores = run_tasks(train_fn, tasks, X, y, n_jobs=n_jobs, backend=backend, timeout=timeout,
                       progress=progress, where=where)
    k = len(folds)
    rows = []
    for c, params in enumerate(candidates):
        fold_scores = scores[c * k:(c + 1) * k]
        rows.append({
            "params": dict(params),
            "mean_score": float(np.mean(fold_scores)),
            "std_score": float(np.std(fold_scores)),
            "scores": fold_scores,
        })
    return rows


# --------------------------------------------------------------------------- searches
def grid_search(train_fn, param_grid, X, y, k=5, seed=None, stratify=False, n_jobs=1, backend=None,
                timeout=None, progress=None):
    """Try every combination of ``param_grid``; score each by k-fold cross-validation.

    ``param_grid`` maps each hyperparameter name to a list of values, e.g.
    ``{"lr": [0.1, 0.01], "hidden": [8, 32]}`` gives 4 candidates (the Cartesian
    product, in the order of the lists). For each candidate ``params`` and each fold,
    ``train_fn(params, X_train, y_train, X_val, y_val)`` must return the validation
    score, higher is better. ``seed`` shuffles the folds; ``stratify=True`` keeps the
    class proportions of ``y`` in every fold. Returns :class:`SearchResults`.

    The k · (number of candidates) trainings run in parallel with ``n_jobs`` local
    processes (-1: one per core), or on a Dask cluster with ``backend="dask"`` (see
    :mod:`minigrad.data.parallel`); each is seeded from ``(seed, candidate, fold)``,
    so the results are the same for any ``n_jobs`` and backend. ``timeout`` bounds
    one training in seconds; ``progress`` shows a bar on a terminal (None: when
    stderr is one).

    Goodfellow et al. 2016, "Deep Learning", §11.4.3; the number
    of runs, k · Π len(values), grows exponentially with the number of hyperparameters.
    """
    where = "grid_search"
    X, y = _data(train_fn, X, y, where)
    _check_names(param_grid, "param_grid", where)
    names = list(param_grid)
    grids = [_values(param_grid[name], name, where) for name in names]
    check_parallel(n_jobs, backend, timeout, where)
    rng = generator(seed, where)
    k, folds = _folds(X, y, k, stratify, rng, where)
    candidates = [dict(zip(names, combo)) for combo in itertools.product(*grids)]
    rows = _run_candidates(train_fn, candidates, X, y, folds, _base_seed(seed, rng), n_jobs, backend, timeout,
                           progress, where)
    return SearchResults(rows, method="grid search", k=k)


def random_search(train_fn, param_distributions, X, y, n_iter=10, k=5, seed=None, stratify=False, n_jobs=1,
                  backend=None, timeout=None, progress=None):
    """Try ``n_iter`` random candidates; score each by k-fold cross-validation.

    ``param_distributions`` maps each name to a list (a value is drawn uniformly
    from it) or a callable ``rng -> value`` drawing from a NumPy Generator -- e.g.
    ``log_uniform(1e-4, 1e-1)`` for a learning rate, whose scale matters more than
    its digits. ``train_fn`` is as in :func:`grid_search`. The same ``seed`` gives
    the same folds and the same candidates. ``n_jobs``, ``backend``, ``timeout`` and
    ``progress`` are as in :func:`grid_search`. Returns :class:`SearchResults`.

    In general, random search is the more efficient hyperparameter optimization
    method (Bergstra & Bengio, 2012, "Random search for hyper-parameter optimization").
    """
    where = "random_search"
    X, y = _data(train_fn, X, y, where)
    _check_names(param_distributions, "param_distributions", where)
    samplers = {}
    for name, dist in param_distributions.items():
        samplers[name] = dist if callable(dist) else _values(dist, name, where)
    n_iter = check_int(n_iter, "n_iter", where, minimum=1)
    check_parallel(n_jobs, backend, timeout, where)
    rng = generator(seed, where)
    k, folds = _folds(X, y, k, stratify, rng, where)
    candidates = [
        {name: s(rng) if callable(s) else s[int(rng.integers(len(s)))] for name, s in samplers.items()}
        for _ in range(n_iter)
    ]
    rows = _run_candidates(train_fn, candidates, X, y, folds, _base_seed(seed, rng), n_jobs, backend, timeout,
                           progress, where)
    return SearchResults(rows, method="random search", k=k)


def log_uniform(low, high):
    """A sampler for :func:`random_search`: rng -> 10^u with u ~ U(log₁₀ low, log₁₀ high).

    Every decade between ``low`` and ``high`` is equally likely: as likely to try a
    learning rate in [1e-4, 1e-3] as in [1e-2, 1e-1], which a plain uniform draw
    over [1e-4, 1e-1] would almost never do. Needs 0 < low < high.
    """
    low = check_number(low, "low", "log_uniform", positive=True)
    high = check_number(high, "high", "log_uniform", positive=True)
    if low >= high:
        raise ValueError(f"log_uniform: low must be smaller than high, got low={low!r}, high={high!r}")
    lo, hi = math.log10(low), math.log10(high)

    def sample(rng):
        return float(10.0 ** rng.uniform(lo, hi))

    sample.__name__ = f"log_uniform({low:g}, {high:g})"
    return sample

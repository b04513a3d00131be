"""Dividing a data set: train/validation/test splits and k-fold cross-validation.

Goodfellow et al. 2016, "Deep Learning", §5.3: the model learns its parameters on the
*training* set, its hyperparameters are chosen on the *validation* set, and the
*test* set, touched once at the end, estimates the generalization error -- e.g.
60 % / 20 % / 20 % for a small data set, 98 % / 1 % / 1 % for a huge one. All three
must come from the same distribution, which ``stratify=True`` enforces for the class
proportions (as scikit-learn's ``StratifiedShuffleSplit`` does).

When data are too few to set a validation set aside, k-fold cross-validation (Hastie,
Tibshirani & Friedman 2009, §7.10) lets every sample
serve once for validation: train k times, each time holding out one fold, and
average the k validation scores.

Index arrays are int64; samples are shuffled with the seed rule of
:mod:`minigrad.data` (``seed=None``: the global generator of ``mg.manual_seed``).
"""

from __future__ import annotations

import math
from collections import deque
from numbers import Real

import numpy as np

from minigrad.data._checks import as_samples, check_int, generator, same_length

__all__ = ["train_val_test_split", "kfold", "stratified_kfold"]

_SPLITS = ("train", "validation", "test")


# --------------------------------------------------------------------------- sizes
def _check_ratios(ratios, where):
    """Three non-negative ratios summing to 1; train and test must be positive."""
    if not isinstance(ratios, (tuple, list)) or len(ratios) != 3:
        raise ValueError(f"{where}: ratios must be a 3-tuple (train, validation, test), got ratios={ratios!r}")
    if not all(isinstance(r, Real) and not isinstance(r, bool) and math.isfinite(r) for r in ratios):
        raise ValueError(f"{where}: ratios must be finite numbers, got ratios={ratios!r}")
    train, val, test = (float(r) for r in ratios)
    if train <= 0 or test <= 0 or val < 0:
        raise ValueError(
            f"{where}: the train and test ratios must be positive and the validation ratio >= 0, got ratios={ratios!r}"
        )
    if abs(train + val + test - 1.0) > 1e-6:
        raise ValueError(f"{where}: ratios must sum to 1, got ratios={ratios!r} (sum {train + val + test:g})")
    ratios = np.array([train, val, test])
    return ratios / ratios.sum()


def _controlled_rounding(counts, ratios):
    """Integer sizes ``table[c, j]`` of class c in split j, a rounding of counts[c]·ratios[j].

    Guarantees, for every class c and split j:

    * ``table[c, j]`` is ⌊counts[c]·ratios[j]⌋ or ⌈counts[c]·ratios[j]⌉ (within one sample);
    * each row sums to counts[c] (no sample lost or duplicated);
    * each column sum (the split size) is ⌊n·ratios[j]⌋ or ⌈n·ratios[j]⌉.

    Start from the floors; the leftover units of each class (its fractional parts add
    up to a whole number) go one per split. Handing them out is a flow problem
    (class → split edges of capacity 1, split capacities ⌊…⌋ then ⌈…⌉ of the
    column's leftover), solved with augmenting paths; the fractional parts
    themselves are a feasible flow, so an integral one meets every bound. Among
    equals, larger fractional parts (and earlier splits) get the extra unit first,
    so a single class gets the largest-remainder rounding.
    """
    exact = np.outer(np.asarray(counts, dtype=np.float64), ratios)
    table = np.floor(exact + 1e-9).astype(np.int64)
    frac = np.where(exact - table > 1e-9, exact - table, 0.0)
    leftover = np.asarray(counts) - table.sum(axis=1)           # units still to place, per class
    column = frac.sum(axis=0)                                     # fractional mass per split
    n_classes, n_splits = exact.shape
    # edges class c → split j exist where frac > 0; ordered by decreasing fraction
    prefer = [sorted((j for j in range(n_splits) if frac[c, j] > 0), key=lambda j: (-frac[c, j], j))
              for c in range(n_classes)]
    extra = np.zeros_like(table)      # units added to each cell (0 or 1)
    received = np.zeros(n_splits, dtype=np.int64)
    for cap in (np.floor(column + 1e-9), np.ceil(column - 1e-9)):  # lower bounds first, then upper
        for c in range(n_classes):
            while leftover[c] > 0 and _augment(c, cap, prefer, extra, received):
                leftover[c] -= 1
    if leftover.any():  # pragma: no cover - excluded by the flow argument above
        raise RuntimeError("internal error: stratified rounding failed")
    return table + extra


def _augment(start, cap, prefer, extra, received):
    """Find and apply one augmenting path start-class → … → split with spare capacity."""
    parent = {("c", start): None}
    queue = deque([("c", start)])
    while queue:
        kind, i = node = queue.popleft()
        if kind == "c":
            nexts = [("s", j) for j in prefer[i] if extra[i, j] == 0]
        else:  # from a split, move back along a used edge to another class
            nexts = [("c", c) for c in range(len(prefer)) if extra[c, i] == 1]
        for nxt in nexts:
            if nxt in parent:
                continue
            parent[nxt] = node
            if nxt[0] == "s" and received[nxt[1]] < cap[nxt[1]]:
                received[nxt[1]] += 1
                while parent[nxt] is not None:  # flip the edges along the path
                    prev = parent[nxt]
                    if prev[0] == "c":
                        extra[prev[1], nxt[1]] = 1
                    else:
                        extra[nxt[1], prev[1]] = 0
                    nxt = prev
                return True
            queue.append(nxt)
    return False


# --------------------------------------------------------------------------- split
def train_val_test_split(X, y, ratios=(0.6, 0.2, 0.2), stratify=False, seed=None):
    """Shuffle and divide ``(X, y)`` into training, validation and test sets.

    Returns ``((X_tr, y_tr), (X_va, y_va), (X_te, y_te))`` as NumPy arrays (Tensors
    are converted). ``ratios`` = (train, validation, test), each ≥ 0 and summing
    to 1 (e.g. 60 %, 20 %, 20 %); a validation ratio of 0 gives an
    empty validation set (a plain train/test split). Split j holds
    ⌊n·ratios[j]⌋ or ⌈n·ratios[j]⌉ samples; every sample lands in exactly one split.

    ``stratify=True`` keeps the class proportions of ``y`` in every split (all
    with the same distribution): class c's
    count in split j is ⌊n_c·ratios[j]⌋ or ⌈n_c·ratios[j]⌉. Without it a rare
    class may, by chance, be missing from the validation or test set.

    Raises ValueError for mismatched lengths, bad ratios, or too few samples to
    give every split with a positive ratio at least one sample.
    """
    where = "train_val_test_split"
    X = as_samples(X, "X", where)
    y = as_samples(y, "y", where)
    same_length(X, y, where)
    ratios = _check_ratios(ratios, where)
    if not isinstance(stratify, bool):
        raise ValueError(f"{where}: stratify must be True or False, got stratify={stratify!r}")
    rng = generator(seed, where)
    n = len(X)

    if stratify:
        if y.ndim != 1:
            raise ValueError(f"{where}: stratify=True needs 1-D class labels y, got y of shape {y.shape}")
        classes, labels = np.unique(y, return_inverse=True)
        members = [rng.permutation(np.flatnonzero(labels == c)) for c in range(len(classes))]
    else:
        members = [rng.permutation(n)]
    table = _controlled_rounding([len(m) for m in members], ratios)

    parts = [[] for _ in _SPLITS]
    for m, sizes in zip(members, table):
        for j, piece in enumerate(np.split(m, np.cumsum(sizes)[:-1])):
            parts[j].append(piece)
    splits = []
    for j, name in enumerate(_SPLITS):
        idx = np.concatenate(parts[j]).astype(np.int64)
        if ratios[j] > 0 and len(idx) == 0:
            raise ValueError(
                f"{where}: too few samples: n={n} leaves the {name} set empty with ratios={tuple(ratios.tolist())}"
            )
        if stratify:
            idx = rng.permutation(idx)  # mix the classes, which were gathered class by class
        splits.append((X[idx], y[idx]))
    return tuple(splits)


# --------------------------------------------------------------------------- k-fold
def _fold_sizes(n, k):
    """k sizes summing to n that differ by at most one (the first n mod k folds get the extra)."""
    return [n // k + (1 if f < n % k else 0) for f in range(k)]


def _check_k(n, k, where):
    n = check_int(n, "n", where, minimum=2)
    k = check_int(k, "k", where, minimum=2)
    if k > n:
        raise ValueError(f"{where}: k={k} folds need at least k samples, got n={n}")
    return n, k


def _yield_folds(fold_of, k):
    all_idx = np.arange(len(fold_of), dtype=np.int64)
    for f in range(k):
        in_fold = fold_of == f
        yield all_idx[~in_fold], all_idx[in_fold]


def kfold(n, k=5, shuffle=True, seed=None):
    """k-fold cross-validation indices: yields ``(train_idx, val_idx)`` k times.

    The n indices are (optionally) shuffled and cut into k folds whose sizes differ by
    at most one; round f validates on fold f and trains on the other k − 1 (Hastie,
    Tibshirani & Friedman 2009, §7.10). Every index is in exactly one validation fold;
    both arrays are sorted int64. The cross-validation estimate is the mean of the k
    validation scores. Needs 2 ≤ k ≤ n.

    The arguments are checked when ``kfold`` is called, not when the loop starts.
    """
    n, k = _check_k(n, k, "kfold")
    if not isinstance(shuffle, bool):
        raise ValueError(f"kfold: shuffle must be True or False, got shuffle={shuffle!r}")
    order = generator(seed, "kfold").permutation(n) if shuffle else np.arange(n)
    fold_of = np.empty(n, dtype=np.int64)
    fold_of[order] = np.repeat(np.arange(k), _fold_sizes(n, k))
    return _yield_folds(fold_of, k)


def stratified_kfold(y, k=5, shuffle=True, seed=None):
    """k-fold cross-validation that keeps the class proportions of ``y`` in every fold.

    The samples of each class are (optionally) shuffled, the classes laid one after
    another and the folds dealt like cards: sample i of that order goes to fold i mod k.
    So each class's count per fold differs by at most one across folds, and so do the
    fold sizes (all with the same distribution). Yields ``(train_idx, val_idx)`` like
    :func:`kfold`.
    """
    y = as_samples(y, "y", "stratified_kfold")
    if y.ndim != 1:
        raise ValueError(f"stratified_kfold: y must be 1-D class labels, got shape {y.shape}")
    n, k = _check_k(len(y), k, "stratified_kfold")
    if not isinstance(shuffle, bool):
        raise ValueError(f"stratified_kfold: shuffle must be True or False, got shuffle={shuffle!r}")
    rng = generator(seed, "stratified_kfold")
    _, labels = np.unique(y, return_inverse=True)
    order = np.concatenate([
        rng.permutation(np.flatnonzero(labels == c)) if shuffle else np.flatnonzero(labels == c)
        for c in range(labels.max() + 1)
    ])
    fold_of = np.empty(n, dtype=np.int64)
    fold_of[order] = np.arange(n) % k
    return _yield_folds(fold_of, k)

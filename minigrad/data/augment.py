"""Data augmentation: more training examples from the ones we have.

Augmentation generates additional examples and reduces overfitting by increasing
the variability of the data set (Goodfellow et al. 2016, "Deep Learning", §7.4);
in small tabular data sets it can generate samples with the same distribution
or add noise. Adding noise to the inputs asks the model to give the
same answer for nearby points, which smooths the function it learns (training with
input noise acts like a regularizer, Bishop 1995).

Augment the **training set only**, after splitting: noisy copies of a test sample
in the training set would leak the test set into training.
"""

from __future__ import annotations

import numpy as np

from minigrad.data._checks import as_samples, check_int, generator, same_length

__all__ = ["gaussian_noise"]


def gaussian_noise(X, y=None, std=0.1, copies=1, seed=None):
    """The data plus ``copies`` noisy copies of it: x̃ = x + ε, ε ~ N(0, std²).

    Returns ``X_aug`` of length n·(copies + 1) -- the original rows first, then copy
    1, copy 2, … -- or ``(X_aug, y_aug)`` when ``y`` is given, with ``y`` repeated to
    match (the label of a noisy copy is the label of its original). ``X_aug`` is a
    float64 array (float32 stays float32); NumPy arrays, array-likes and Tensors are
    accepted. ``copies=0`` returns a copy of the data unchanged.

    ``std`` is a number or one value per feature (broadcast against a sample, e.g.
    ``0.1 * X_train.std(axis=0)`` for noise relative to each feature's spread);
    every value must be ≥ 0. Noise injection: Goodfellow et al. 2016, §7.5.
    """
    where = "gaussian_noise"
    X = as_samples(X, "X", where)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{where}: X must hold numbers, got dtype {X.dtype}")
    if y is not None:
        y = as_samples(y, "y", where)
        same_length(X, y, where)
    copies = check_int(copies, "copies", where, minimum=0)
    std_arr = np.asarray(std.numpy() if hasattr(std, "numpy") else std)
    if std_arr.dtype.kind not in "iuf" or not np.isfinite(std_arr).all() or (std_arr < 0).any():
        raise ValueError(f"{where}: std must be a finite number >= 0 (or one per feature), got std={std!r}")
    try:
        np.broadcast_shapes(std_arr.shape, X.shape[1:])
    except ValueError:
        raise ValueError(
            f"{where}: std of shape {std_arr.shape} does not match a sample of shape {X.shape[1:]}"
        ) from None
    dtype = X.dtype if X.dtype.kind == "f" else np.float64
    X = X.astype(dtype)
    rng = generator(seed, where)
    noisy = [X + std_arr * rng.standard_normal(X.shape) for _ in range(copies)]
    X_aug = np.concatenate([X, *noisy]).astype(dtype)
    if y is None:
        return X_aug
    return X_aug, np.concatenate([y] * (copies + 1))

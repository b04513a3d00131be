"""Data augmentation: more training examples from the ones we have.

Augmentation generates additional examples and reduces overfitting by increasing
the variability of the data set (Goodfellow et al. 2016, "Deep Learning", §7.4);
in small tabular data sets it can generate samples with the same distribution
or add noise. Two ways, one function each:

* :func:`gaussian_noise` -- noisy copies of the samples. Adding noise to the inputs
  asks the model to give the same answer for nearby points, which smooths the
  function it learns (training with input noise acts like a regularizer, Bishop 1995).
* :func:`sample_like` -- new samples drawn from a density fitted to the data: a
  Gaussian per class (maximum likelihood, Bishop 2006, §2.3.4) or a Gaussian kernel
  density (Silverman 1986), the smoothed bootstrap (Efron & Tibshirani 1993).

Augment the **training set only**, after splitting: noisy copies of a test sample
in the training set would leak the test set into training.
"""

from __future__ import annotations

import numpy as np

from minigrad.data._checks import as_samples, check_int, generator, same_length

__all__ = ["gaussian_noise", "sample_like"]


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


_METHODS = ("gaussian", "kde")


def _root(cov):
    """A matrix L with L Lᵀ = cov, for a covariance that may be singular (fewer samples than features)."""
    values, vectors = np.linalg.eigh(cov)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def _kde_factor(bandwidth, n, d, where):
    """The kernel's scale h (its covariance is h² Σ): Scott's or Silverman's rule, or a number."""
    if isinstance(bandwidth, str):
        if bandwidth == "scott":
            return n ** (-1.0 / (d + 4))
        if bandwidth == "silverman":
            return (n * (d + 2) / 4.0) ** (-1.0 / (d + 4))
    elif not isinstance(bandwidth, bool) and isinstance(bandwidth, (int, float, np.number)) \
            and np.isfinite(bandwidth) and bandwidth > 0:
        return float(bandwidth)
    raise ValueError(f"{where}: bandwidth must be 'scott', 'silverman' or a number > 0, got bandwidth={bandwidth!r}")


def _draw(rows, count, method, bandwidth, rng, where):
    """``count`` draws from a density fitted to ``rows`` (m, d)."""
    m, d = rows.shape
    if count == 0:
        return np.empty((0, d))
    cov = np.cov(rows, rowvar=False, ddof=1).reshape(d, d) if m > 1 else np.zeros((d, d))
    if method == "gaussian":   # x = μ + L z, z ~ N(0, I): a draw from N(μ, Σ)
        return rows.mean(axis=0) + rng.standard_normal((count, d)) @ _root(cov).T
    # Gaussian kernel density: pick a sample, then add N(0, h² Σ) to it
    h = _kde_factor(bandwidth, m, d, where)
    picked = rows[rng.integers(0, m, size=count)]
    return picked + h * rng.standard_normal((count, d)) @ _root(cov).T


def _is_label(y, by_class, where):
    if by_class is None:
        return y.dtype.kind in "biuUS"   # integers, booleans, strings: class labels; floats: a target to model
    if not isinstance(by_class, bool):
        raise ValueError(f"{where}: by_class must be True, False or None, got by_class={by_class!r}")
    return by_class


def sample_like(X, y=None, n=100, method="gaussian", bandwidth="scott", by_class=None, seed=None):
    """The data plus ``n`` new samples drawn from a density fitted to it.

    Where :func:`gaussian_noise` perturbs the samples we have, this draws new ones
    "with the same distribution": it fits a density to the data and samples it.

    * ``method="gaussian"``: the maximum-likelihood Gaussian, mean μ and covariance
      Σ (ddof = 1) of the rows (Bishop 2006, "Pattern Recognition and Machine
      Learning", §2.3.4); new rows x = μ + L z with L Lᵀ = Σ, z ~ N(0, I). Good when
      each class is one roughly elliptical cloud.
    * ``method="kde"``: a Gaussian kernel density estimate, p(x) = (1/m) Σ_i N(x; x_i,
      h² Σ) (Silverman 1986, "Density Estimation for Statistics and Data Analysis",
      ch. 4; Scott 1992, "Multivariate Density Estimation"; bandwidth as scipy's
      ``gaussian_kde``). A draw picks a sample x_i at random and adds N(0, h² Σ) to
      it -- the smoothed bootstrap (Efron & Tibshirani 1993, "An Introduction to the
      Bootstrap"). It follows any shape
      (moons, spirals); ``bandwidth`` is ``"scott"`` (h = m^(−1/(d+4))),
      ``"silverman"`` (h = (m(d+2)/4)^(−1/(d+4))) or a number h > 0.

    With class labels ``y`` (integers, booleans or strings; or ``by_class=True``)
    one density is fitted to each class, and the ``n`` new samples are shared among
    the classes in proportion to their frequencies (largest remainders), each with
    its class label. With a real-valued target ``y`` (floats; or ``by_class=False``)
    the density is fitted to the joint rows [x, y], so a new sample's target comes
    with its inputs. Samples with more than one feature axis are flattened for the
    fit and reshaped back.

    Returns ``X_aug`` -- the original rows first, then the n new ones -- or
    ``(X_aug, y_aug)`` when ``y`` is given; float data keeps its dtype, other data
    becomes float64 (labels keep theirs). A class with one sample has Σ = 0: its draws
    repeat that sample. Augment the training set only, after splitting.
    """
    where = "sample_like"
    X = as_samples(X, "X", where)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{where}: X must hold numbers, got dtype {X.dtype}")
    if len(X) == 0:
        raise ValueError(f"{where}: X must hold at least one sample, got shape {X.shape}")
    n = check_int(n, "n", where, minimum=0)
    if method not in _METHODS:
        raise ValueError(f"{where}: unknown method {method!r}; expected one of {', '.join(map(repr, _METHODS))}")
    if method == "kde":
        _kde_factor(bandwidth, 2, 1, where)   # check it now, whatever the data
    dtype = X.dtype if X.dtype.kind == "f" else np.float64
    rows = X.reshape(len(X), -1).astype(np.float64)
    rng = generator(seed, where)

    if y is None:
        new = _draw(rows, n, method, bandwidth, rng, where)
        return np.concatenate([X.astype(dtype), new.reshape((n,) + X.shape[1:]).astype(dtype)])

    y = as_samples(y, "y", where)
    same_length(X, y, where)
    if _is_label(y, by_class, where):
        if y.ndim != 1:
            raise ValueError(f"{where}: class labels y must be 1-D, got shape {y.shape} (by_class=False models y)")
        classes, counts = np.unique(y, return_counts=True)
        share = n * counts / counts.sum()
        per_class = np.floor(share).astype(int)
        per_class[np.argsort(-(share - per_class), kind="stable")[:n - per_class.sum()]] += 1
        new_x = [_draw(rows[y == c], k, method, bandwidth, rng, where) for c, k in zip(classes, per_class)]
        new_y = np.repeat(classes, per_class).astype(y.dtype)
        new = np.concatenate(new_x) if new_x else np.empty((0, rows.shape[1]))
    else:
        if y.dtype.kind not in "biuf":
            raise ValueError(f"{where}: a target y to model must hold numbers, got dtype {y.dtype}")
        targets = y.reshape(len(y), -1).astype(np.float64)
        joint = _draw(np.concatenate([rows, targets], axis=1), n, method, bandwidth, rng, where)
        new, new_y = joint[:, :rows.shape[1]], joint[:, rows.shape[1]:].reshape((n,) + y.shape[1:])
        new_y = new_y.astype(y.dtype if y.dtype.kind == "f" else np.float64)
    X_aug = np.concatenate([X.astype(dtype), new.reshape((n,) + X.shape[1:]).astype(dtype)])
    return X_aug, np.concatenate([y.astype(new_y.dtype, copy=False), new_y])

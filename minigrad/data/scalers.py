"""Feature scaling: StandardScaler (z-scores) and MinMaxScaler.

Why (LeCun et al. 1998, "Efficient BackProp", §4.3): inputs with very different ranges
-- x₁ in [−50 000, 1 000 000], x₂ in [0, 0.01] -- stretch the cost surface into long
narrow valleys, and gradient descent zig-zags across them; scaled inputs give rounder
contours and faster convergence.

The rule that matters most: use the same μ and σ to normalize all sets (train,
validation, test). So a scaler *learns* its statistics with ``fit`` on the **training
set only** and then applies ``transform`` with them to every set -- fitting on the test
set would leak information about it into the model::

    >>> import numpy as np
    >>> from minigrad.data import StandardScaler
    >>> X_train, X_test = np.array([[0.0], [2.0], [4.0]]), np.array([[6.0]])
    >>> scaler = StandardScaler().fit(X_train)     # μ = 2, σ = √(8/3)
    >>> scaler.transform(X_test).round(4)          # (6 − 2) / 1.633
    array([[2.4495]])

Both scalers take 2-D data of shape (n_samples, n_features) -- NumPy arrays,
array-likes or Tensors -- and return float64 NumPy arrays. Each feature (column) is
scaled on its own.
"""

from __future__ import annotations

import numpy as np

from minigrad.data._checks import as_array, check_number

__all__ = ["StandardScaler", "MinMaxScaler"]


class _Scaler:
    """What both scalers share: input checks, ``fit_transform`` and the not-fitted error."""

    def _check(self, X, method, fitting=False):
        name = type(self).__name__
        X = as_array(X, "X", f"{name}.{method}")
        if X.ndim != 2:
            hint = " (use X.reshape(-1, 1) for a single feature)" if X.ndim == 1 else ""
            raise ValueError(f"{name}.{method}: X must be 2-D (n_samples, n_features), got shape {X.shape}{hint}")
        if X.dtype.kind not in "biuf":
            raise ValueError(f"{name}.{method}: X must hold numbers, got dtype {X.dtype}")
        X = X.astype(np.float64)
        if not np.isfinite(X).all():
            raise ValueError(f"{name}.{method}: X contains NaN or infinity")
        if fitting:
            if len(X) == 0:
                raise ValueError(f"{name}.fit: X has no samples (shape {X.shape})")
        else:
            if not self.is_fitted:
                raise RuntimeError(f"{name}.{method}: the scaler is not fitted; call fit(X_train) first")
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"{name}.{method}: X has {X.shape[1]} features, but the scaler was fitted on {self.n_features_in_}"
                )
        return X

    @property
    def is_fitted(self):
        """True once :meth:`fit` has learned the statistics."""
        return hasattr(self, "n_features_in_")

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``: for the training set only."""
        return self.fit(X).transform(X)

    def __repr__(self):
        return f"{type(self).__name__}({self._args()})"

    def _args(self):
        return ""


class StandardScaler(_Scaler):
    """Standardization: z = (x − μ) / σ per feature, μ and σ learned on the training set.

    :meth:`fit` computes, over the m training samples,

        μ = (1/m) Σₚ x⁽ᵖ⁾,    σ² = (1/m) Σₚ (x⁽ᵖ⁾ − μ)²

    (the biased variance, 1/m as in the course) and stores ``mean_`` = μ,
    ``var_`` = σ² and ``scale_`` = σ. After the transform the training features
    have mean 0 and standard deviation 1; the other sets are shifted and scaled
    with the *same* μ and σ (use the same μ and σ² to normalize all sets).
    The course writes the division as X / σ²; dividing by σ is what gives unit
    variance. A constant feature (σ = 0) gets σ = 1, so it becomes 0 instead of NaN.
    """

    def fit(self, X):
        """Learn μ and σ of each feature from ``X`` (the training set); returns self."""
        X = self._check(X, "fit", fitting=True)
        self.mean_ = X.mean(axis=0)
        self.var_ = X.var(axis=0)
        scale = np.sqrt(self.var_)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.n_features_in_ = X.shape[1]
        self.n_samples_seen_ = X.shape[0]
        return self

    def transform(self, X):
        """z = (x − μ) / σ with the μ and σ learned by :meth:`fit`."""
        X = self._check(X, "transform")
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, Z):
        """Undo the scaling: x = z · σ + μ (e.g. to read predicted targets in their units)."""
        Z = self._check(Z, "inverse_transform")
        return Z * self.scale_ + self.mean_


class MinMaxScaler(_Scaler):
    """Min-max scaling of each feature to ``feature_range`` = (a, b), (0, 1) by default.

    :meth:`fit` learns ``data_min_`` and ``data_max_`` of each feature on the training
    set; :meth:`transform` maps them to a and b (min-max scaling):

        x̃ = (x − min) / (max − min),   then   x̃ · (b − a) + a

    stored as ``x̃ = x · scale_ + min_``. Other sets use the training min and max, so
    their values may fall outside [a, b]. A constant feature (max = min) is mapped
    to a. Beware: one outlier stretches max − min and squeezes every
    other value together: min-max scaling is affected by outliers.
    """

    def __init__(self, feature_range=(0, 1)):
        if not isinstance(feature_range, (tuple, list)) or len(feature_range) != 2:
            raise ValueError(f"MinMaxScaler: feature_range must be a pair (a, b), got feature_range={feature_range!r}")
        low = check_number(feature_range[0], "feature_range[0]", "MinMaxScaler")
        high = check_number(feature_range[1], "feature_range[1]", "MinMaxScaler")
        if low >= high:
            raise ValueError(f"MinMaxScaler: feature_range must have a < b, got feature_range={feature_range!r}")
        self.feature_range = (low, high)

    def fit(self, X):
        """Learn the minimum and maximum of each feature from ``X`` (the training set); returns self."""
        X = self._check(X, "fit", fitting=True)
        low, high = self.feature_range
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        self.scale_ = (high - low) / np.where(self.data_range_ > 0, self.data_range_, 1.0)
        self.min_ = low - self.data_min_ * self.scale_
        self.n_features_in_ = X.shape[1]
        self.n_samples_seen_ = X.shape[0]
        return self

    def transform(self, X):
        """x̃ = a + (x − min)·(b − a)/(max − min) with the training min and max."""
        X = self._check(X, "transform")
        return X * self.scale_ + self.min_

    def inverse_transform(self, Z):
        """Undo the scaling: x = (x̃ − min_) / scale_."""
        Z = self._check(Z, "inverse_transform")
        return (Z - self.min_) / self.scale_

    def _args(self):
        return f"feature_range={self.feature_range}"

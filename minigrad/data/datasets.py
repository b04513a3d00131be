"""Toy data sets in two dimensions (and one for regression), for seeing a network learn.

Every generator is ``make_<name>(n, noise, ..., seed=None) -> (X, y)`` with X a float64
array of shape (n, d) and y the int64 class labels 0, 1, … (float64 targets for
:func:`make_regression`). The classes are balanced: their sizes differ by at most one.
The rows are shuffled, so any slice of them (a mini-batch) mixes the classes.

``noise`` is the standard deviation of the Gaussian noise N(0, noise²) added to every
coordinate (to the target for regression): with ``noise=0`` the classes are exact
curves; the larger it is, the more they overlap. More noise makes a harder problem
and a model that fits the noise overfits: it learns the training data too well
(Goodfellow et al. 2016, "Deep Learning", §5.2).

Randomness follows one rule (see :mod:`minigrad.rng`): ``seed=None`` draws from the
global generator, so ``mg.manual_seed(n)`` makes the data repeatable; an int seed uses
a private ``np.random.default_rng(seed)``::

    >>> from minigrad.data import make_moons
    >>> X, y = make_moons(200, noise=0.1, seed=0)
    >>> X.shape, X.dtype, y.dtype, [int((y == c).sum()) for c in (0, 1)]
    ((200, 2), dtype('float64'), dtype('int64'), [100, 100])
"""

from __future__ import annotations

import numpy as np

from minigrad.data._checks import check_int, check_number, generator

__all__ = ["make_moons", "make_circles", "make_spirals", "make_xor", "make_regression"]


def _class_sizes(n, classes):
    """n split into ``classes`` sizes that differ by at most one (the first get the extra)."""
    return [n // classes + (1 if c < n % classes else 0) for c in range(classes)]


def _finish(points, labels, noise, rng):
    """Add N(0, noise²) to every coordinate, then shuffle the rows (one permutation for X and y)."""
    X = np.concatenate(points).astype(np.float64)
    y = np.concatenate(labels).astype(np.int64)
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(X))
    return X[order], y[order]


def _common(n, noise, where):
    return check_int(n, "n", where, minimum=1), check_number(noise, "noise", where, minimum=0.0)


def make_moons(n=200, noise=0.1, seed=None):
    """Two interleaving half circles: a problem no straight line separates.

    Class 0 is the upper half of the unit circle, (cos t, sin t); class 1 the lower
    half circle shifted right and down, (1 − cos t, 0.5 − sin t); t runs evenly over
    [0, π]. Then N(0, noise²) is added to both coordinates. A logistic regression
    draws one line through them; a small MLP bends its decision boundary around
    the moons.
    """
    n, noise = _common(n, noise, "make_moons")
    rng = generator(seed, "make_moons")
    n0, n1 = _class_sizes(n, 2)
    t0, t1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    return _finish([upper, lower], [np.zeros(n0), np.ones(n1)], noise, rng)


def make_circles(n=200, noise=0.1, factor=0.5, seed=None):
    """A circle inside a circle: class 0 on the unit circle, class 1 on the circle of radius ``factor``.

    Points lie evenly in angle, (r cos t, r sin t) with t ∈ [0, 2π), then N(0, noise²)
    is added to both coordinates. The classes are separated by a circle, not a
    line: a linear model is at chance, a hidden layer of a few units solves it
    (x₁² + x₂² is the feature that separates them). ``factor`` ∈ (0, 1).
    """
    n, noise = _common(n, noise, "make_circles")
    factor = check_number(factor, "factor", "make_circles")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"make_circles: factor (inner radius / outer radius) must be in (0, 1), got factor={factor!r}")
    rng = generator(seed, "make_circles")
    n0, n1 = _class_sizes(n, 2)
    t0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2 * np.pi, n1, endpoint=False)
    outer = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    inner = factor * np.stack([np.cos(t1), np.sin(t1)], axis=1)
    return _finish([outer, inner], [np.zeros(n0), np.ones(n1)], noise, rng)


def make_spirals(n=300, noise=0.1, classes=3, seed=None):
    """``classes`` interleaved spiral arms (the CS231n spiral data set).

    Arm j is r·(sin θ, cos θ) with the radius r running evenly over [0, 1] and the
    angle θ = 2πj/classes + 4r turning with it; then N(0, noise²) is added to both
    coordinates. The arms wind around each other, so the decision boundary must
    curl: a softmax classifier gets about 1/classes of them right at the centre
    and fails further out, a two-layer network learns the spirals.
    """
    n, noise = _common(n, noise, "make_spirals")
    classes = check_int(classes, "classes", "make_spirals", minimum=2)
    rng = generator(seed, "make_spirals")
    points, labels = [], []
    for j, size in enumerate(_class_sizes(n, classes)):
        r = np.linspace(0.0, 1.0, size)
        theta = 2 * np.pi * j / classes + 4.0 * r
        points.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        labels.append(np.full(size, j))
    return _finish(points, labels, noise, rng)


def make_xor(n=200, noise=0.1, seed=None):
    """The XOR problem: four clusters at the corners (±1, ±1), label 1 where the signs differ.

    Class 0 sits around (−1, −1) and (1, 1), class 1 around (−1, 1) and (1, −1), each
    corner holding a quarter of the points (within one); N(0, noise²) is added to
    both coordinates. y = [x₁ > 0] XOR [x₂ > 0]: the classic function a single
    perceptron cannot represent and one hidden layer can.
    """
    n, noise = _common(n, noise, "make_xor")
    rng = generator(seed, "make_xor")
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
    i = np.arange(n)
    y = i % 2  # alternate classes: balanced within one
    corner = y + 2 * ((i // 2) % 2)  # class 0: corners 0 and 2, class 1: corners 1 and 3
    return _finish([corners[corner]], [y], noise, rng)


def make_regression(n=200, n_features=1, noise=0.1, seed=None):
    """A smooth nonlinear regression problem: y = sin(π·u) + ε, u = (x₁ + … + x_d)/√d.

    The inputs are uniform, x ~ U(−1, 1)^d (float64, shape (n, d)); u projects them
    on the diagonal direction (for d = 1, u = x: one full period of a sine on
    [−1, 1]); ε ~ N(0, noise²) is added to the target. The targets are float64,
    shape (n,). A straight line cannot fit a sine; a small MLP trained with the
    mean squared error can, down to the noise floor E[(y − f(x))²] = noise² (for a
    Gaussian output, maximum likelihood gives the squared error: Bishop 2006, §3.1.1;
    Goodfellow et al. 2016, §5.5.1).
    """
    n, noise = _common(n, noise, "make_regression")
    n_features = check_int(n_features, "n_features", "make_regression", minimum=1)
    rng = generator(seed, "make_regression")
    X = rng.uniform(-1.0, 1.0, size=(n, n_features))
    u = X.sum(axis=1) / np.sqrt(n_features)
    y = np.sin(np.pi * u) + noise * rng.standard_normal(n)
    return X, y

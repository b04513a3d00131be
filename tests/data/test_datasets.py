"""Toy data sets: shapes, dtypes, balance, geometry, noise, seeding, argument errors."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import make_circles, make_moons, make_regression, make_spirals, make_xor
from minigrad.rng import generator

CLASSIFIERS = [make_moons, make_circles, make_spirals, make_xor]
ALL = CLASSIFIERS + [make_regression]


@pytest.mark.parametrize("make, classes", [(make_moons, 2), (make_circles, 2), (make_spirals, 3), (make_xor, 2)])
@pytest.mark.parametrize("n", [1, 7, 200, 301])
def test_shapes_dtypes_and_balanced_classes(make, classes, n):
    X, y = make(n, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.sum() == n
    assert counts.max() - counts.min() <= 1


def test_default_sizes():
    assert make_moons()[0].shape == (200, 2)
    assert make_circles()[0].shape == (200, 2)
    assert make_spirals()[0].shape == (300, 2)
    assert make_xor()[0].shape == (200, 2)
    assert make_regression()[0].shape == (200, 1)


def test_spirals_number_of_classes():
    X, y = make_spirals(100, classes=5, seed=1)
    np.testing.assert_array_equal(np.bincount(y), [20] * 5)


def test_rows_are_shuffled():
    _, y = make_moons(200, seed=0)
    assert 0 < y[:20].sum() < 20  # not all of one class first


# --------------------------------------------------------------------- geometry with noise=0
def test_moons_without_noise_lie_on_the_half_circles():
    X, y = make_moons(100, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    assert (upper[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_circles_without_noise_have_the_two_radii():
    X, y = make_circles(60, noise=0.0, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3)


def test_xor_labels_are_the_xor_of_the_signs():
    X, y = make_xor(400, noise=0.0, seed=0)
    assert set(map(tuple, X)) == {(-1.0, -1.0), (-1.0, 1.0), (1.0, 1.0), (1.0, -1.0)}
    np.testing.assert_array_equal(y, (X[:, 0] > 0) ^ (X[:, 1] > 0))
    X, y = make_xor(400, noise=0.1, seed=0)  # small noise keeps the quadrants
    np.testing.assert_array_equal(y, (X[:, 0] > 0) ^ (X[:, 1] > 0))


def test_spirals_without_noise_radius_in_unit_disc_and_angle_rule():
    X, y = make_spirals(90, noise=0.0, classes=3, seed=0)
    r = np.hypot(*X.T)
    assert r.min() == pytest.approx(0.0) and r.max() == pytest.approx(1.0)
    for j in range(3):
        pts = X[y == j]
        r = np.hypot(*pts.T)
        theta = 2 * np.pi * j / 3 + 4 * r
        np.testing.assert_allclose(pts, np.stack([r * np.sin(theta), r * np.cos(theta)], 1), atol=1e-12)


def test_noise_is_gaussian_with_the_given_std():
    X0, y0 = make_circles(20000, noise=0.0, seed=3)
    X1, y1 = make_circles(20000, noise=0.2, seed=3)
    # the radial part of N(0, 0.2² I) moves a point of the unit circle off radius 1 by ~N(0, 0.2²)
    radius_spread = np.hypot(*X1[y1 == 0].T) - 1.0
    assert radius_spread.std() == pytest.approx(0.2, rel=0.05)
    assert abs(radius_spread.mean()) < 0.03
    assert np.hypot(*X0[y0 == 0].T).std() < 1e-12


def test_regression_target_and_noise_floor():
    X, y = make_regression(5000, n_features=1, noise=0.1, seed=0)
    assert X.shape == (5000, 1) and y.shape == (5000,) and y.dtype == np.float64
    assert X.min() >= -1 and X.max() <= 1
    residual = y - np.sin(np.pi * X[:, 0])
    assert residual.std() == pytest.approx(0.1, rel=0.05)
    X, y = make_regression(50, n_features=4, noise=0.0, seed=0)
    np.testing.assert_allclose(y, np.sin(np.pi * X.sum(1) / 2.0))


# --------------------------------------------------------------------- seeding
@pytest.mark.parametrize("make", ALL)
def test_int_seed_repeats_and_leaves_the_global_generator_alone(make):
    mg.manual_seed(5)
    state = generator().bit_generator.state
    X1, y1 = make(seed=42)
    X2, y2 = make(seed=42)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert generator().bit_generator.state == state
    X3, _ = make(seed=43)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", ALL)
def test_manual_seed_governs_seed_none(make):
    mg.manual_seed(7)
    X1, y1 = make()
    X2, _ = make()  # the global generator moved on
    mg.manual_seed(7)
    X3, y3 = make()
    np.testing.assert_array_equal(X1, X3)
    np.testing.assert_array_equal(y1, y3)
    assert not np.array_equal(X1, X2)


# --------------------------------------------------------------------- errors
@pytest.mark.parametrize("make", ALL)
@pytest.mark.parametrize("n", [0, -3, 2.5, True, "10"])
def test_bad_n(make, n):
    with pytest.raises(ValueError, match=f"n={n!r}"):
        make(n)


@pytest.mark.parametrize("make", ALL)
@pytest.mark.parametrize("noise", [-0.1, float("nan"), float("inf"), "0.1"])
def test_bad_noise(make, noise):
    with pytest.raises(ValueError, match="noise"):
        make(10, noise=noise)


@pytest.mark.parametrize("make", ALL)
@pytest.mark.parametrize("seed", [-1, 1.5, "0"])
def test_bad_seed(make, seed):
    with pytest.raises(ValueError, match="seed"):
        make(10, seed=seed)


def test_specific_argument_errors():
    with pytest.raises(ValueError, match="factor=1.0"):
        make_circles(10, factor=1.0)
    with pytest.raises(ValueError, match="factor=0"):
        make_circles(10, factor=0)
    with pytest.raises(ValueError, match="classes=1"):
        make_spirals(10, classes=1)
    with pytest.raises(ValueError, match="n_features=0"):
        make_regression(10, n_features=0)

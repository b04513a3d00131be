"""StandardScaler and MinMaxScaler: formulas, fit on train only, round trips, constant features, errors."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import MinMaxScaler, StandardScaler

RNG = np.random.default_rng(0)
X_TRAIN = RNG.normal([5.0, -2.0, 100.0], [2.0, 0.5, 30.0], size=(200, 3))
X_TEST = RNG.normal([7.0, 0.0, 50.0], [1.0, 1.0, 10.0], size=(50, 3))


def test_standard_scaler_learns_mean_and_biased_std():
    s = StandardScaler().fit(X_TRAIN)
    np.testing.assert_allclose(s.mean_, X_TRAIN.mean(axis=0))
    np.testing.assert_allclose(s.var_, X_TRAIN.var(axis=0))  # 1/m, as the slide
    np.testing.assert_allclose(s.scale_, X_TRAIN.std(axis=0))
    assert s.n_features_in_ == 3 and s.n_samples_seen_ == 200
    Z = s.transform(X_TRAIN)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)


def test_standard_scaler_small_example_by_hand():
    s = StandardScaler().fit([[0.0], [2.0], [4.0]])
    assert s.mean_.tolist() == [2.0]
    assert s.scale_[0] == pytest.approx(np.sqrt(8 / 3))
    assert s.transform([[6.0]])[0, 0] == pytest.approx(4 / np.sqrt(8 / 3))


def test_transforming_the_test_set_uses_the_training_statistics():
    s = StandardScaler().fit(X_TRAIN)
    Z_test = s.transform(X_TEST)
    np.testing.assert_allclose(Z_test, (X_TEST - X_TRAIN.mean(0)) / X_TRAIN.std(0))
    # not standardized by its own statistics: the test set keeps its shift
    assert np.abs(Z_test.mean(axis=0)).max() > 0.5
    own = StandardScaler().fit(X_TEST).transform(X_TEST)
    assert not np.allclose(own, Z_test)
    # transform does not refit
    np.testing.assert_array_equal(s.mean_, X_TRAIN.mean(0))


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler(), MinMaxScaler((-1, 1))])
def test_inverse_transform_round_trips(scaler):
    Z = scaler.fit_transform(X_TRAIN)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X_TRAIN)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X_TEST)), X_TEST)


def test_fit_transform_equals_fit_then_transform():
    expected = StandardScaler().fit(X_TRAIN).transform(X_TRAIN)
    np.testing.assert_allclose(StandardScaler().fit_transform(X_TRAIN), expected)


def test_constant_feature():
    X = np.column_stack([np.full(5, 3.0), np.arange(5.0)])
    s = StandardScaler().fit(X)
    assert s.scale_[0] == 1.0
    Z = s.transform(X)
    np.testing.assert_array_equal(Z[:, 0], 0.0)
    assert np.isfinite(Z).all()
    np.testing.assert_allclose(s.inverse_transform(Z), X)
    m = MinMaxScaler((2, 5)).fit(X)
    Zm = m.transform(X)
    np.testing.assert_array_equal(Zm[:, 0], 2.0)
    np.testing.assert_allclose(Zm[:, 1], [2, 2.75, 3.5, 4.25, 5])
    np.testing.assert_allclose(m.inverse_transform(Zm), X)


def test_min_max_formula_and_learned_attributes():
    m = MinMaxScaler().fit(X_TRAIN)
    np.testing.assert_array_equal(m.data_min_, X_TRAIN.min(0))
    np.testing.assert_array_equal(m.data_max_, X_TRAIN.max(0))
    np.testing.assert_allclose(m.data_range_, X_TRAIN.max(0) - X_TRAIN.min(0))
    Z = m.transform(X_TRAIN)
    np.testing.assert_allclose(Z, (X_TRAIN - X_TRAIN.min(0)) / (X_TRAIN.max(0) - X_TRAIN.min(0)))
    np.testing.assert_allclose(Z.min(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.max(0), 1.0)
    Zt = m.transform(X_TEST)  # training min and max: the test set may leave [0, 1]
    np.testing.assert_allclose(Zt, (X_TEST - X_TRAIN.min(0)) / (X_TRAIN.max(0) - X_TRAIN.min(0)))
    r = MinMaxScaler(feature_range=(-1, 1)).fit_transform(X_TRAIN)
    np.testing.assert_allclose([r.min(), r.max()], [-1, 1])


def test_accepts_tensors_lists_and_ints_returns_float64_numpy():
    s = StandardScaler().fit(mg.tensor(X_TRAIN))
    out = s.transform(mg.tensor(X_TEST))
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_allclose(out, StandardScaler().fit(X_TRAIN).transform(X_TEST), rtol=1e-5, atol=1e-5)
    m = MinMaxScaler().fit([[1, 2], [3, 6]])
    assert m.transform([[2, 4]]).tolist() == [[0.5, 0.5]]


def test_repr():
    assert repr(StandardScaler()) == "StandardScaler()"
    assert repr(MinMaxScaler((-1, 1))) == "MinMaxScaler(feature_range=(-1.0, 1.0))"


@pytest.mark.parametrize("cls", [StandardScaler, MinMaxScaler])
def test_errors(cls):
    s = cls()
    assert not s.is_fitted
    for method in ("transform", "inverse_transform"):
        with pytest.raises(RuntimeError, match=f"{cls.__name__}.{method}: the scaler is not fitted"):
            getattr(s, method)(X_TEST)
    s.fit(X_TRAIN)
    assert s.is_fitted
    with pytest.raises(ValueError, match="X has 2 features, but the scaler was fitted on 3"):
        s.transform(X_TEST[:, :2])
    with pytest.raises(ValueError, match=r"2-D.*reshape\(-1, 1\)"):
        s.fit(np.arange(5.0))
    with pytest.raises(ValueError, match="NaN"):
        s.fit([[1.0], [np.nan]])
    with pytest.raises(ValueError, match="no samples"):
        s.fit(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="numbers"):
        s.fit(np.array([["a"], ["b"]]))


@pytest.mark.parametrize("bad", [(1, 0), (0, 0), (0,), "01", (0, float("inf"))])
def test_min_max_feature_range_errors(bad):
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScaler(feature_range=bad)

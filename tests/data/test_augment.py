"""augment.gaussian_noise: layout, statistics, per-feature std, seeding, errors."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.data.augment as augment_module
from minigrad.data import augment, gaussian_noise


def test_submodule_is_importable_both_ways():
    assert augment is augment_module
    assert augment.gaussian_noise is gaussian_noise


def test_original_first_then_copies_with_repeated_labels():
    X = np.arange(12.0).reshape(4, 3)
    y = np.array([0, 1, 1, 0])
    X_aug, y_aug = augment.gaussian_noise(X, y, std=0.1, copies=3, seed=0)
    assert X_aug.shape == (16, 3) and y_aug.shape == (16,)
    np.testing.assert_array_equal(X_aug[:4], X)  # the originals are kept unchanged
    np.testing.assert_array_equal(y_aug, np.tile(y, 4))
    for c in range(1, 4):
        block = X_aug[4 * c:4 * (c + 1)]
        assert not np.array_equal(block, X)
        assert np.abs(block - X).max() < 1.0  # near its original


def test_without_y_returns_only_x():
    out = gaussian_noise(np.zeros((5, 2)), copies=2, seed=0)
    assert isinstance(out, np.ndarray) and out.shape == (15, 2)


def test_noise_statistics():
    X = np.full((20000, 2), 3.0)
    X_aug = gaussian_noise(X, std=0.5, copies=1, seed=1)
    noise = X_aug[20000:] - X
    assert abs(noise.mean()) < 0.02
    assert noise.std() == pytest.approx(0.5, rel=0.02)
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.03  # independent per feature


def test_per_feature_std():
    X = np.zeros((20000, 3))
    noise = gaussian_noise(X, std=[0.0, 1.0, 0.1], seed=2)[20000:]
    np.testing.assert_array_equal(noise[:, 0], 0.0)
    np.testing.assert_allclose(noise[:, 1:].std(axis=0), [1.0, 0.1], rtol=0.03)


def test_zero_copies_and_zero_std():
    X = np.arange(6.0).reshape(3, 2)
    out, y = gaussian_noise(X, np.arange(3), copies=0, seed=0)
    np.testing.assert_array_equal(out, X)
    assert out is not X
    np.testing.assert_array_equal(gaussian_noise(X, std=0.0, copies=2, seed=0), np.tile(X, (3, 1)))


def test_dtypes_and_inputs():
    assert gaussian_noise(np.zeros((2, 2), np.float32), seed=0).dtype == np.float32
    assert gaussian_noise(np.zeros((2, 2), np.int64), seed=0).dtype == np.float64
    out, y = gaussian_noise(mg.tensor([[1.0, 2.0]]), mg.tensor([1]), copies=1, seed=0)
    assert out.shape == (2, 2) and y.tolist() == [1, 1]
    images = gaussian_noise(np.zeros((3, 8, 8)), copies=1, seed=0)  # any sample shape
    assert images.shape == (6, 8, 8)


def test_seeding():
    X = np.zeros((10, 2))
    np.testing.assert_array_equal(gaussian_noise(X, seed=5), gaussian_noise(X, seed=5))
    assert not np.array_equal(gaussian_noise(X, seed=5), gaussian_noise(X, seed=6))
    mg.manual_seed(3)
    a = gaussian_noise(X)
    mg.manual_seed(3)
    np.testing.assert_array_equal(a, gaussian_noise(X))


def test_errors():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="std"):
        gaussian_noise(X, std=-0.1)
    with pytest.raises(ValueError, match="std"):
        gaussian_noise(X, std=[0.1, -1.0])
    with pytest.raises(ValueError, match="std"):
        gaussian_noise(X, std=float("nan"))
    with pytest.raises(ValueError, match="std of shape"):
        gaussian_noise(X, std=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="copies=-1"):
        gaussian_noise(X, copies=-1)
    with pytest.raises(ValueError, match="copies=1.5"):
        gaussian_noise(X, copies=1.5)
    with pytest.raises(ValueError, match=r"len\(X\)=4 and len\(y\)=3"):
        gaussian_noise(X, np.zeros(3))
    with pytest.raises(ValueError, match="seed"):
        gaussian_noise(X, seed="a")

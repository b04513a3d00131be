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


# ------------------------------------------------------------------ sample_like

def _two_clouds(n=300, seed=0):
    rng = np.random.default_rng(seed)
    cov0, cov1 = np.array([[1.0, 0.8], [0.8, 1.0]]), np.array([[0.5, -0.2], [-0.2, 0.3]])
    X0 = rng.multivariate_normal([0.0, 0.0], cov0, size=2 * n)
    X1 = rng.multivariate_normal([5.0, -3.0], cov1, size=n)
    return np.concatenate([X0, X1]), np.array([0] * (2 * n) + [1] * n), (cov0, cov1)


def test_sample_like_gaussian_keeps_each_class_mean_covariance_and_share():
    X, y, _ = _two_clouds()
    X_aug, y_aug = augment.sample_like(X, y, n=3001, seed=0)
    assert X_aug.shape == (len(X) + 3001, 2) and y_aug.shape == (len(X) + 3001,) and y_aug.dtype == y.dtype
    np.testing.assert_array_equal(X_aug[:len(X)], X)        # the originals first, unchanged
    np.testing.assert_array_equal(y_aug[:len(X)], y)
    new_X, new_y = X_aug[len(X):], y_aug[len(X):]
    assert np.bincount(new_y).tolist() == [2001, 1000]      # 2 : 1 like the data (largest remainder)
    for c in (0, 1):
        fitted = X[y == c]
        drawn = new_X[new_y == c]
        np.testing.assert_allclose(drawn.mean(axis=0), fitted.mean(axis=0), atol=0.1)
        np.testing.assert_allclose(np.cov(drawn, rowvar=False), np.cov(fitted, rowvar=False), atol=0.12)
    assert not np.isin(new_X, X).any()                      # new points, not copies


def test_sample_like_kde_stays_near_the_data_with_the_scott_bandwidth():
    X, y, _ = _two_clouds(n=100)
    m0 = int((y == 0).sum())
    X_aug, y_aug = augment.sample_like(X, y, n=600, method="kde", seed=1)
    new_X, new_y = X_aug[len(X):], y_aug[len(X):]
    h = m0 ** (-1 / 6)                                      # Scott: m^(−1/(d+4)), d = 2
    drawn = new_X[new_y == 0]
    # each draw is a sample plus N(0, h² Σ): the spread around the data is h² Σ on top of Σ
    np.testing.assert_allclose(np.cov(drawn, rowvar=False), (1 + h**2) * np.cov(X[y == 0], rowvar=False),
                               atol=0.25)
    nearest = np.min(np.linalg.norm(drawn[:, None, :] - X[y == 0][None], axis=2), axis=1)
    assert np.median(nearest) < 0.5 * h * 2                  # close to some training point of its class
    assert np.isclose(augment._kde_factor("silverman", 100, 2, "t"), (100 * 4 / 4) ** (-1 / 6))


def test_sample_like_a_real_target_is_modelled_jointly_with_the_inputs():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(400, 1))
    t = (3 * x + 0.05 * rng.standard_normal((400, 1))).astype(np.float32)
    X_aug, t_aug = augment.sample_like(x, t, n=500, seed=0)
    assert t_aug.shape == (900, 1) and t_aug.dtype == np.float32 and X_aug.dtype == np.float64
    new_x, new_t = X_aug[400:, 0], t_aug[400:, 0]
    assert np.corrcoef(new_x, new_t)[0, 1] > 0.99          # the line t = 3x comes with the draws
    slope = np.polyfit(new_x, new_t, 1)[0]
    assert abs(slope - 3) < 0.1


def test_sample_like_without_y_shapes_dtypes_and_seeding():
    X = np.arange(24, dtype=np.float32).reshape(6, 2, 2)    # samples with two feature axes
    out = augment.sample_like(X, n=5, method="kde", seed=3)
    assert out.shape == (11, 2, 2) and out.dtype == np.float32
    np.testing.assert_array_equal(out, augment.sample_like(X, n=5, method="kde", seed=3))
    assert not np.array_equal(out, augment.sample_like(X, n=5, method="kde", seed=4))
    mg.manual_seed(7)
    a = augment.sample_like(np.arange(10).reshape(5, 2), n=3)
    mg.manual_seed(7)
    np.testing.assert_array_equal(a, augment.sample_like(np.arange(10).reshape(5, 2), n=3))
    assert a.dtype == np.float64
    np.testing.assert_array_equal(augment.sample_like(X, n=0), X)
    # one sample in a class: Σ = 0, its draws repeat it
    X1, y1 = augment.sample_like([[0.0, 0.0], [1.0, 1.0], [1.2, 0.8]], ["a", "b", "b"], n=6, seed=0)
    np.testing.assert_array_equal(X1[3:][y1[3:] == "a"], [[0.0, 0.0]] * 2)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": -1}, "n"),
    ({"method": "smote"}, "unknown method 'smote'"),
    ({"method": "kde", "bandwidth": 0}, "bandwidth"),
    ({"method": "kde", "bandwidth": "wide"}, "bandwidth"),
    ({"by_class": "yes"}, "by_class"),
])
def test_sample_like_errors_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=f"sample_like: .*{message}"):
        augment.sample_like(np.zeros((4, 2)), np.array([0, 0, 1, 1]), **kwargs)


def test_sample_like_rejects_bad_data():
    with pytest.raises(ValueError, match="same number of samples"):
        augment.sample_like(np.zeros((4, 2)), [0, 1], n=2)
    with pytest.raises(ValueError, match="at least one sample"):
        augment.sample_like(np.zeros((0, 2)), n=2)
    with pytest.raises(ValueError, match="class labels y must be 1-D"):
        augment.sample_like(np.zeros((4, 2)), np.zeros((4, 2), dtype=int), n=2)

"""BatchNorm2d, GroupNorm, InstanceNorm1d/2d and F.group_norm / F.instance_norm vs NumPy."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from tests.helpers import check_gradients

EPS = 1e-5


def normalize(x, axes):
    """(x − mean) / √(biased var + ε) over ``axes``, in NumPy."""
    return (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + EPS)


def numpy_group_norm(x, groups):
    n, c = x.shape[:2]
    xg = x.reshape(n, groups, -1)
    return normalize(xg, -1).reshape(x.shape)


# ----------------------------------------------------------------------------- BatchNorm2d

def test_batchnorm2d_normalizes_each_channel_over_batch_and_positions_and_tracks_stats():
    rng = np.random.default_rng(0)
    x = rng.normal(loc=2.0, scale=3.0, size=(4, 3, 5, 6))
    bn = nn.BatchNorm2d(3).double()
    with mg.no_grad():
        bn.weight.data[:] = [1.0, 2.0, -0.5]
        bn.bias.data[:] = [0.0, 1.0, 3.0]
    out = bn(mg.tensor(x, dtype="float64")).numpy()
    gamma, beta = bn.weight.numpy()[None, :, None, None], bn.bias.numpy()[None, :, None, None]
    np.testing.assert_allclose(out, normalize(x, (0, 2, 3)) * gamma + beta, rtol=1e-10, atol=1e-12)
    n = 4 * 5 * 6
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * x.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * x.var(axis=(0, 2, 3)) * n / (n - 1), rtol=1e-12)
    assert int(bn.num_batches_tracked.item()) == 1
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    bn.eval()
    rm, rv = (b.numpy()[None, :, None, None] for b in (bn.running_mean, bn.running_var))
    np.testing.assert_allclose(bn(mg.tensor(x, dtype="float64")).numpy(), (x - rm) / np.sqrt(rv + EPS) * gamma + beta,
                               rtol=1e-10)


def test_batchnorm2d_cumulative_momentum_and_shape_errors():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm2d(2, momentum=None)
    batches = [rng.normal(size=(3, 2, 2, 2)) for _ in range(3)]
    for b in batches:
        bn(b)
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([b.mean(axis=(0, 2, 3)) for b in batches], axis=0),
                               rtol=1e-5)
    with pytest.raises(ValueError, match=r"BatchNorm2d\(2.*\(N, 2, H, W\).*\(3, 2, 4\)"):
        bn(mg.ones(3, 2, 4))
    with pytest.raises(ValueError, match=r"\(N, 2, H, W\).*\(3, 5, 2, 2\)"):
        bn(mg.ones(3, 5, 2, 2))
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm2d(0)


def test_batchnorm2d_gradients_first_and_second_order():
    rng = np.random.default_rng(2)
    x, w, b = rng.normal(size=(2, 3, 2, 2)), rng.normal(size=3), rng.normal(size=3)
    check_gradients(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [x, w, b], second_order=True)


# ----------------------------------------------------------------------------- GroupNorm

@pytest.mark.parametrize("shape, groups", [((2, 6, 3, 4), 3), ((3, 4, 5), 2), ((2, 4), 1), ((2, 4, 3), 4)])
def test_group_norm_matches_numpy(shape, groups):
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=shape), rng.normal(size=shape[1]), rng.normal(size=shape[1])
    out = F.group_norm(mg.tensor(x, dtype="float64"), groups, mg.tensor(w, dtype="float64"),
                       mg.tensor(b, dtype="float64")).numpy()
    channel = (1, -1) + (1,) * (len(shape) - 2)
    np.testing.assert_allclose(out, numpy_group_norm(x, groups) * w.reshape(channel) + b.reshape(channel),
                               rtol=1e-10, atol=1e-12)


def test_group_norm_with_one_group_per_channel_is_instance_norm_and_one_group_is_layer_norm():
    x = mg.tensor(np.random.default_rng(4).normal(size=(2, 4, 3, 3)), dtype="float64")
    np.testing.assert_allclose(F.group_norm(x, 4).numpy(), F.instance_norm(x).numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.group_norm(x, 1).numpy(), F.layer_norm(x, (4, 3, 3)).numpy(), rtol=1e-10,
                               atol=1e-12)


def test_group_norm_gradients_first_and_second_order():
    rng = np.random.default_rng(5)
    x, w, b = rng.normal(size=(2, 4, 3)), rng.normal(size=4), rng.normal(size=4)
    check_gradients(lambda x, w, b: F.group_norm(x, 2, w, b), [x, w, b], second_order=True)


def test_group_norm_module_parameters_train_eval_and_errors():
    gn = nn.GroupNorm(2, 6)
    assert list(gn.state_dict()) == ["weight", "bias"]
    np.testing.assert_array_equal(gn.weight.numpy(), np.ones(6))
    x = np.random.default_rng(6).normal(size=(1, 6, 4))  # any batch size, even 1
    train_out = gn(x).numpy()
    gn.eval()
    np.testing.assert_array_equal(gn(x).numpy(), train_out)
    np.testing.assert_allclose(train_out, numpy_group_norm(x, 2), atol=1e-5)
    assert nn.GroupNorm(3, 6, affine=False).parameters() == []
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match=r"\(N, 6, \*\).*\(2, 5\)"):
        gn(mg.ones(2, 5))
    with pytest.raises(ValueError, match="cannot be split into num_groups=4"):
        F.group_norm(mg.ones(2, 6), 4)
    with pytest.raises(ValueError, match=r"weight must have shape \(6,\)"):
        F.group_norm(mg.ones(2, 6), 3, weight=mg.ones(3))


# ----------------------------------------------------------------------------- InstanceNorm

def test_instance_norm_matches_numpy_and_has_pytorch_defaults():
    rng = np.random.default_rng(7)
    x = rng.normal(loc=1.0, size=(3, 2, 4, 5))
    m = nn.InstanceNorm2d(2)
    assert m.parameters() == [] and m.buffers() == [] and list(m.state_dict()) == []
    np.testing.assert_allclose(m(mg.tensor(x, dtype="float64")).numpy(), normalize(x, (2, 3)), rtol=1e-10, atol=1e-12)
    m.eval()  # no running statistics: eval also uses each instance's own
    np.testing.assert_allclose(m(mg.tensor(x, dtype="float64")).numpy(), normalize(x, (2, 3)), rtol=1e-10, atol=1e-12)
    x1 = rng.normal(size=(2, 3, 6))
    np.testing.assert_allclose(nn.InstanceNorm1d(3)(mg.tensor(x1, dtype="float64")).numpy(), normalize(x1, 2),
                               rtol=1e-10, atol=1e-12)
    unbatched = nn.InstanceNorm1d(3)(mg.tensor(x1[0], dtype="float64"))  # (C, L)
    assert unbatched.shape == (3, 6)
    np.testing.assert_allclose(unbatched.numpy(), normalize(x1[0], 1), rtol=1e-10, atol=1e-12)


def test_instance_norm_running_stats_average_the_instances_like_pytorch():
    rng = np.random.default_rng(8)
    x = rng.normal(loc=2.0, scale=2.0, size=(4, 3, 5))
    m = nn.InstanceNorm1d(3, affine=True, track_running_stats=True).double()
    assert list(m.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    m(mg.tensor(x, dtype="float64"))
    np.testing.assert_allclose(m.running_mean.numpy(), 0.1 * x.mean(axis=2).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m.running_var.numpy(), 0.9 + 0.1 * x.var(axis=2, ddof=1).mean(axis=0), rtol=1e-12)
    assert int(m.num_batches_tracked.item()) == 1
    m.eval()
    rm, rv = m.running_mean.numpy()[None, :, None], m.running_var.numpy()[None, :, None]
    np.testing.assert_allclose(m(mg.tensor(x, dtype="float64")).numpy(), (x - rm) / np.sqrt(rv + EPS), rtol=1e-10)


def test_instance_norm_gradients_first_and_second_order():
    rng = np.random.default_rng(9)
    x, w, b = rng.normal(size=(2, 3, 4)), rng.normal(size=3), rng.normal(size=3)
    check_gradients(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [x, w, b], second_order=True)


def test_instance_norm_errors():
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(mg.ones(2, 3, 1))
    with pytest.raises(ValueError, match=r"\(N, C, L\).*\(2, 3\)"):
        F.instance_norm(mg.ones(2, 3))
    with pytest.raises(ValueError, match="use_input_stats=False needs"):
        F.instance_norm(mg.ones(2, 3, 4), use_input_stats=False)
    with pytest.raises(ValueError, match=r"InstanceNorm2d\(3.*\(N, 3, H, W\).*\(2, 3, 4\)"):
        nn.InstanceNorm2d(3)(mg.ones(2, 3, 4))

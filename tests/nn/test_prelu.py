"""PReLU and RReLU (learned and random negative slopes) against NumPy."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from tests.helpers import check_gradients

X = np.array([[-2.0, 0.5, -0.3, 1.7], [0.9, -1.1, 2.2, -0.6], [-0.4, -2.5, 0.3, 1.2]])  # no zeros


def f64(a, grad=False):
    return mg.tensor(a, dtype="float64", requires_grad=grad)


def test_prelu_shared_and_per_channel_slopes_match_numpy():
    np.testing.assert_allclose(F.prelu(f64(X), f64([0.25])).numpy(), np.where(X > 0, X, 0.25 * X), rtol=1e-15)
    a = np.array([0.1, 0.2, -0.5, 2.0])
    np.testing.assert_allclose(F.prelu(f64(X), f64(a)).numpy(), np.where(X > 0, X, a * X), rtol=1e-15)
    x4 = np.random.default_rng(0).normal(size=(2, 3, 2, 2))
    a3 = np.array([0.1, 0.3, 0.5])
    np.testing.assert_allclose(F.prelu(f64(x4), f64(a3)).numpy(),
                               np.where(x4 > 0, x4, a3[None, :, None, None] * x4), rtol=1e-15)
    np.testing.assert_allclose(F.prelu(f64(X[0]), f64([0.5])).numpy(), np.where(X[0] > 0, X[0], 0.5 * X[0]))


def test_prelu_gradient_of_the_slope_sums_the_negative_inputs_of_its_channel():
    x, a = f64(X, grad=True), f64([0.1, 0.2, 0.3, 0.4], grad=True)
    F.prelu(x, a).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.minimum(X, 0).sum(axis=0), rtol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), np.where(X > 0, 1.0, [0.1, 0.2, 0.3, 0.4]), rtol=1e-15)


@pytest.mark.parametrize("n_slopes", [1, 4])
def test_prelu_gradients_first_and_second_order(n_slopes):
    a = np.linspace(0.1, 0.6, n_slopes)
    check_gradients(lambda x, a: F.prelu(x, a), [X, a], second_order=True)


def test_prelu_module_learns_its_slope_and_saves_it_as_weight():
    m = nn.PReLU()
    assert list(m.state_dict()) == ["weight"] and m.weight.shape == (1,) and m.weight.item() == 0.25
    per_channel = nn.PReLU(num_parameters=4, init=0.1)
    np.testing.assert_array_equal(per_channel.weight.numpy(), np.full(4, 0.1, dtype=np.float32))
    out = per_channel(X.astype(np.float32))
    out.sum().backward()
    np.testing.assert_allclose(per_channel.weight.grad.numpy(), np.minimum(X, 0).sum(axis=0), rtol=1e-6)
    assert "num_parameters=4" in repr(per_channel)
    with pytest.raises(ValueError, match=r"prelu: weight has 3 slopes but the input \(3, 4\) has 4 channels"):
        nn.PReLU(3)(X)
    with pytest.raises(ValueError, match="num_parameters must be a positive integer"):
        nn.PReLU(0)


def test_rrelu_eval_is_leaky_relu_with_the_mean_slope():
    mean_slope = (1 / 8 + 1 / 3) / 2
    np.testing.assert_allclose(F.rrelu(f64(X)).numpy(), np.where(X >= 0, X, mean_slope * X), rtol=1e-15)
    m = nn.RReLU(0.1, 0.3).eval()
    np.testing.assert_allclose(m(f64(X)).numpy(), np.where(X >= 0, X, 0.2 * X), rtol=1e-15)
    check_gradients(lambda x: F.rrelu(x, 0.1, 0.3), [X], second_order=True)


def test_rrelu_training_draws_a_slope_per_element_from_the_seeded_generator():
    x = -np.ones((200, 50))
    m = nn.RReLU(0.1, 0.3)
    mg.manual_seed(3)
    out = m(f64(x)).numpy()
    slopes = -out
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.005 and len(np.unique(slopes)) > 9000
    mg.manual_seed(3)
    np.testing.assert_array_equal(m(f64(x)).numpy(), out)  # repeatable
    positive = np.abs(X)
    np.testing.assert_array_equal(m(f64(positive)).numpy(), positive)  # z ≥ 0 passes unchanged
    # the gradient is each element's own slope
    mg.manual_seed(5)
    xt = f64(X, grad=True)
    y = F.rrelu(xt, 0.1, 0.3, training=True)
    y.sum().backward()
    drawn = np.where(X >= 0, 1.0, y.numpy() / X)
    np.testing.assert_allclose(xt.grad.numpy(), drawn, rtol=1e-12)
    with pytest.raises(ValueError, match="lower must be <= upper"):
        nn.RReLU(0.5, 0.1)
    assert nn.RReLU().parameters() == []

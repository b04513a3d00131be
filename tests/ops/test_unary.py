import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, arrays, check_gradients


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name -> (minigrad function, NumPy reference, input range, margin from 0, smooth)
UNARY = {
    "exp": (mg.exp, np.exp, (-2, 2), 0, True),
    "log": (mg.log, np.log, (0.2, 3), 0, True),
    "log1p": (mg.log1p, np.log1p, (-0.8, 3), 0, True),
    "expm1": (mg.expm1, np.expm1, (-2, 2), 0, True),
    "erf": (mg.erf, np.vectorize(math.erf), (-2.5, 2.5), 0, True),
    "sqrt": (mg.sqrt, np.sqrt, (0.2, 3), 0, True),
    "sin": (mg.sin, np.sin, (-3, 3), 0, True),
    "cos": (mg.cos, np.cos, (-3, 3), 0, True),
    "tanh": (mg.tanh, np.tanh, (-3, 3), 0, True),
    "sigmoid": (mg.sigmoid, np_sigmoid, (-4, 4), 0, True),
    "abs": (mg.abs, np.abs, (-2, 2), 0.05, False),
    "relu": (mg.relu, lambda x: np.maximum(x, 0), (-2, 2), 0.05, False),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(seed=st.integers(0, 2**32 - 1), layout=st.sampled_from(LAYOUTS), data=st.data())
def test_unary_forward_and_gradients(name, seed, layout, data):
    fn, ref, (low, high), margin, smooth = UNARY[name]
    x = data.draw(arrays(low=low, high=high, margin=margin))
    out = fn(mg.tensor(x, dtype="float64"))
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-12, atol=1e-15)
    assert out.shape == x.shape
    check_gradients(fn, [x], layouts=[layout], second_order=smooth)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_is_a_tensor_method(name):
    x = mg.tensor([0.5, 1.5])
    np.testing.assert_array_equal(getattr(x, name)().numpy(), UNARY[name][0](x).numpy())


@given(x=arrays(margin=0.05), bounds=st.sampled_from([(-1.0, 1.0), (None, 0.5), (-0.5, None), (0.0, 0.0)]))
def test_clip(x, bounds):
    lo, hi = bounds
    out = mg.tensor(x, dtype="float64").clip(lo, hi)
    np.testing.assert_array_equal(out.numpy(), np.clip(x, lo, hi))
    check_gradients(lambda t: t.clip(lo, hi), [x])


def test_clip_gradient_mask_is_inclusive_like_pytorch():
    x = mg.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1, 1, 1, 0])


def test_clip_needs_a_bound_and_ordered_bounds():
    with pytest.raises(ValueError, match="min"):
        mg.ones(2).clip()
    with pytest.raises(ValueError, match="greater than max"):
        mg.ones(2).clip(1.0, -1.0)


def test_relu_derivative_at_zero_is_zero():
    x = mg.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 1])


def test_abs_derivative_at_zero_is_zero():
    x = mg.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-1, 0, 1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_and_tanh_are_stable_for_large_inputs(dtype):
    x = mg.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = x.sigmoid()
        s.sum().backward()
    np.testing.assert_allclose(s.numpy(), [0, np_sigmoid(-50.0), 0.5, 1, 1], rtol=1e-6)
    assert np.all(np.isfinite(x.grad.numpy()))
    assert s.dtype == np.dtype(dtype)
    t = mg.tensor([-1000.0, 1000.0], dtype=dtype).tanh()
    np.testing.assert_array_equal(t.numpy(), [-1, 1])


def test_log1p_and_expm1_are_accurate_for_tiny_inputs():
    x = mg.tensor([1e-12, -1e-12], dtype="float64")
    np.testing.assert_allclose(x.log1p().numpy(), [1e-12 - 5e-25, -1e-12 - 5e-25], rtol=1e-15)
    np.testing.assert_allclose(x.expm1().numpy(), [1e-12 + 5e-25, -1e-12 + 5e-25], rtol=1e-15)
    assert mg.erf(mg.tensor([0.0, 10.0])).tolist() == [0.0, 1.0]

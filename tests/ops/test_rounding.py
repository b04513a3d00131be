"""sign, floor, ceil, round, trunc: NumPy's values, integer dtypes kept, gradient exactly 0."""

import numpy as np
import pytest
from hypothesis import given, settings

import minigrad as mg
from tests.helpers import SHAPES, arrays

STEPS = {"sign": np.sign, "floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc}
X = np.array([-2.5, -1.5, -0.7, -0.0, 0.0, 0.3, 0.5, 1.5, 2.5, 2.7, np.nan, np.inf, -np.inf])


@pytest.mark.parametrize("name", sorted(STEPS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_values_match_numpy(name, dtype):
    out = getattr(mg, name)(mg.tensor(X, dtype=dtype))
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out.numpy(), STEPS[name](X.astype(dtype)))
    np.testing.assert_array_equal(getattr(mg.tensor(X, dtype=dtype), name)().numpy(), out.numpy())


def test_round_goes_half_to_even_and_takes_decimals():
    assert mg.round(mg.tensor([0.5, 1.5, 2.5, -0.5], dtype="float64")).tolist() == [0.0, 2.0, 2.0, -0.0]
    np.testing.assert_allclose(mg.tensor([1.2345, -2.5678], dtype="float64").round(2).numpy(), [1.23, -2.57])
    assert round(mg.tensor(2.5)).item() == 2.0  # Python's round() of a tensor is the op too
    assert mg.round(mg.tensor([1234, -1251]), -2).tolist() == [1200, -1300]
    with pytest.raises(TypeError, match="round: decimals must be an int"):
        mg.round(mg.ones(2), 1.5)


@pytest.mark.parametrize("name", sorted(STEPS))
def test_integer_and_boolean_tensors_keep_their_dtype(name):
    ints = np.array([-3, 0, 2, 7])
    out = getattr(mg, name)(mg.tensor(ints))
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), STEPS[name](ints).astype(np.int64))
    out = getattr(mg, name)(mg.tensor(np.array([1, 2], dtype=np.int32)))
    assert out.dtype == np.int32
    flags = getattr(mg, name)(mg.tensor([True, False]))
    assert flags.dtype == np.bool_ and flags.tolist() == [True, False]


@pytest.mark.parametrize("name", sorted(STEPS))
@settings(max_examples=5, deadline=None)
@given(x=arrays(shape=SHAPES, low=-3.0, high=3.0))
def test_gradient_and_second_derivative_are_exact_zeros(name, x):
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    out = getattr(mg, name)(t)
    (g,) = mg.autograd.grad((out * 3.0).sum(), t, create_graph=True)
    assert g.shape == x.shape and g.requires_grad
    np.testing.assert_array_equal(g.numpy(), np.zeros_like(x))
    (h,) = mg.autograd.grad(g.sum(), t, allow_unused=True)
    assert h is None or not h.numpy().any()


def test_gradient_is_zero_at_the_jumps_too():
    x = mg.tensor([-1.0, 0.0, 0.5, 2.0], requires_grad=True)
    (mg.floor(x) + mg.ceil(x) + mg.round(x) + mg.trunc(x) + mg.sign(x)).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]

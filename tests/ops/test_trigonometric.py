"""tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh: values, domains, gradients."""

import numpy as np
import pytest
from hypothesis import given, settings

import minigrad as mg
from tests.helpers import NONEMPTY_SHAPES, arrays, check_gradients

# name -> (NumPy reference, input range inside the domain)
TRIG = {
    "tan": (np.tan, (-1.2, 1.2)),
    "asin": (np.arcsin, (-0.9, 0.9)),
    "acos": (np.arccos, (-0.9, 0.9)),
    "atan": (np.arctan, (-3.0, 3.0)),
    "sinh": (np.sinh, (-3.0, 3.0)),
    "cosh": (np.cosh, (-3.0, 3.0)),
    "asinh": (np.arcsinh, (-3.0, 3.0)),
    "acosh": (np.arccosh, (1.1, 4.0)),
    "atanh": (np.arctanh, (-0.9, 0.9)),
}


@pytest.mark.parametrize("name", sorted(TRIG))
def test_values_match_numpy_in_both_dtypes(name):
    ref, (low, high) = TRIG[name]
    x = np.linspace(low, high, 9)
    fn = getattr(mg, name)
    np.testing.assert_allclose(fn(mg.tensor(x, dtype="float64")).numpy(), ref(x), rtol=1e-14)
    out32 = getattr(mg.tensor(x), name)()
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32.numpy(), ref(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["asin", "sinh", "acosh", "atanh"])
@settings(max_examples=5, deadline=None)
@given(data=arrays(shape=NONEMPTY_SHAPES, low=0.0, high=1.0))
def test_gradients_on_drawn_shapes(name, data):
    low, high = TRIG[name][1]
    x = low + (high - low) * data
    check_gradients(getattr(mg, name), [x], second_order=True)


def test_integer_inputs_give_the_default_float():
    out = mg.tensor([0, 1]).atan()
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), [0.0, np.pi / 4], rtol=1e-7)
    assert mg.cosh(mg.tensor([0])).tolist() == [1.0]


def test_outside_the_domain_is_nan_and_the_ends_are_infinite():
    with np.errstate(invalid="ignore"):
        assert np.isnan(mg.asin(mg.tensor([1.5])).item())
        assert np.isnan(mg.acosh(mg.tensor([0.5])).item())
    assert mg.atanh(mg.tensor([1.0, -1.0])).tolist() == [np.inf, -np.inf]
    x = mg.tensor([0.0], dtype="float64", requires_grad=True)
    mg.asin(x).backward(mg.tensor([1.0], dtype="float64"))
    assert x.grad.tolist() == [1.0]


def test_known_derivatives():
    x = mg.tensor([0.5], dtype="float64", requires_grad=True)
    (g,) = mg.autograd.grad(mg.tan(x).sum(), x)
    assert g.item() == pytest.approx(1 / np.cos(0.5) ** 2, rel=1e-14)
    (g,) = mg.autograd.grad(mg.acos(x).sum(), x)
    assert g.item() == pytest.approx(-1 / np.sqrt(0.75), rel=1e-14)

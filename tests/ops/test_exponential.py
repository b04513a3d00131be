"""log2, log10, exp2, rsqrt, logaddexp and lerp: values against NumPy, dtypes, gradients."""

import numpy as np
import pytest
from hypothesis import given, settings

import minigrad as mg
from tests.helpers import broadcast_pairs, check_gradients

# name -> (minigrad function, NumPy reference, input range)
ELEMENTWISE = {
    "log2": (mg.log2, np.log2, (0.2, 3.0)),
    "log10": (mg.log10, np.log10, (0.2, 3.0)),
    "exp2": (mg.exp2, np.exp2, (-3.0, 3.0)),
    "rsqrt": (mg.rsqrt, lambda x: 1.0 / np.sqrt(x), (0.2, 3.0)),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_values_match_numpy_and_the_method_is_the_function(name):
    fn, ref, (low, high) = ELEMENTWISE[name]
    x = np.linspace(low, high, 7)
    out = fn(mg.tensor(x, dtype="float64"))
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-14)
    np.testing.assert_array_equal(getattr(mg.tensor(x), name)().numpy(), fn(mg.tensor(x)).numpy())
    assert out.dtype == np.float64 and fn(mg.tensor(x)).dtype == np.float32


@pytest.mark.parametrize("name", sorted(ELEMENTWISE) + ["logaddexp"])
def test_integer_inputs_give_the_default_float(name):
    ints = mg.tensor([1, 2, 4])
    out = mg.logaddexp(ints, ints) if name == "logaddexp" else ELEMENTWISE[name][0](ints)
    assert out.dtype == mg.float32
    expected = np.logaddexp([1.0, 2, 4], [1.0, 2, 4]) if name == "logaddexp" else ELEMENTWISE[name][1](np.array([1.0, 2, 4]))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_known_values_and_edges():
    assert mg.log2(mg.tensor([8.0, 0.5])).tolist() == [3.0, -1.0]
    assert mg.log10(mg.tensor([1000.0], dtype="float64")).tolist() == [3.0]
    assert mg.exp2(mg.tensor([10.0, -1.0])).tolist() == [1024.0, 0.5]
    assert mg.rsqrt(mg.tensor([4.0, 0.0])).tolist() == [0.5, np.inf]
    with np.errstate(divide="ignore"):
        assert mg.log2(mg.tensor([0.0])).tolist() == [-np.inf]


@settings(max_examples=10, deadline=None)
@given(pair=broadcast_pairs())
def test_logaddexp_broadcasts_and_its_gradients_check(pair):
    a, b = pair
    out = mg.logaddexp(mg.tensor(a, dtype="float64"), mg.tensor(b, dtype="float64"))
    np.testing.assert_allclose(out.numpy(), np.logaddexp(a, b), rtol=1e-13)
    check_gradients(mg.logaddexp, [a, b], second_order=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logaddexp_is_stable_for_large_inputs(dtype):
    a = mg.tensor([1000.0, -1000.0, 5.0], dtype=dtype, requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        out = mg.logaddexp(a, 1000.0)
        out.sum().backward()
    np.testing.assert_allclose(out.numpy(), [1000.0 + np.log(2.0), 1000.0, 1000.0], rtol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), [0.5, 0.0, 0.0], atol=1e-6)
    assert out.dtype == np.dtype(dtype)
    assert (mg.tensor([0.0]).logaddexp(mg.tensor([0.0]))).tolist() == pytest.approx([np.log(2.0)])


def test_lerp_values_broadcasting_and_gradients():
    start, end = np.array([[0.0, 1.0, 2.0]]), np.array([[10.0], [20.0]])
    w = np.array([0.0, 0.25, 1.0])
    out = mg.lerp(mg.tensor(start, dtype="float64"), mg.tensor(end, dtype="float64"), mg.tensor(w, dtype="float64"))
    np.testing.assert_allclose(out.numpy(), start + w * (end - start))
    assert out.shape == (2, 3)
    check_gradients(mg.lerp, [start, end, w], second_order=True)
    # a number weight, and the method spelling
    s = mg.tensor([0.0, 4.0], requires_grad=True)
    y = s.lerp(mg.tensor([2.0, 8.0]), 0.5)
    assert y.tolist() == [1.0, 6.0]
    y.sum().backward()
    assert s.grad.tolist() == [0.5, 0.5]


def test_lerp_of_integers_is_a_default_float():
    out = mg.lerp(mg.tensor([0, 10]), mg.tensor([10, 20]), 0.5)
    assert out.dtype == mg.float32 and out.tolist() == [5.0, 15.0]


def test_lerp_from_an_integer_tensor_to_a_number_is_the_default_float():
    out = mg.lerp(mg.tensor([1, 2, 3]), 2.5, 0.5)
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), [1.75, 2.25, 2.75])

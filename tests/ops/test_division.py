"""``%`` and ``//``: NumPy's (Python's) values for integers and floats, PyTorch's gradients."""

import numpy as np
import pytest
from hypothesis import given, settings

import minigrad as mg
from tests.helpers import broadcast_pairs, check_gradients

A = np.array([-7, -3, 0, 3, 7, 10])
B = np.array([3, -3, 2, -4, 5, 1])


def test_integer_results_match_numpy_and_stay_integers():
    a, b = mg.tensor(A), mg.tensor(B)
    for out, ref in [(a % b, A % B), (a // b, A // B), (a % 3, A % 3), (a // -4, A // -4),
                     (7 % b, 7 % B), (20 // b, 20 // B), (mg.remainder(a, b), A % B), (a.floor_divide(b), A // B)]:
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.numpy(), ref)


def test_float_results_match_numpy_with_the_sign_of_the_divisor():
    a = np.array([-7.5, -3.0, 0.0, 3.25, 7.0])
    b = np.array([2.0, -3.0, 1.5, -0.5, 2.5])
    ta, tb = mg.tensor(a, dtype="float64"), mg.tensor(b, dtype="float64")
    np.testing.assert_allclose((ta % tb).numpy(), np.remainder(a, b))
    np.testing.assert_allclose((ta // tb).numpy(), np.floor_divide(a, b))
    np.testing.assert_allclose((ta % 2.0).numpy(), a % 2.0)
    np.testing.assert_allclose((1.0 % tb).numpy(), 1.0 % b)
    np.testing.assert_allclose((np.array(5.0) // tb).numpy(), 5.0 // b)
    assert (mg.tensor([7.0]) % 3).dtype == mg.float32
    assert (mg.tensor([7]) % 2.5).dtype == mg.float32 and (mg.tensor([7]) % 2.5).tolist() == [2.0]


def test_integer_division_by_zero_raises_and_float_gives_ieee_values():
    with pytest.raises(ZeroDivisionError, match="remainder: integer division by zero"):
        mg.tensor([1, 2]) % mg.tensor([1, 0])
    with pytest.raises(ZeroDivisionError, match="floor_divide: integer division by zero"):
        mg.tensor([1, 2]) // 0
    out = mg.tensor([1.0, -1.0]) // 0.0
    assert out.tolist() == [np.inf, -np.inf]
    assert np.isnan((mg.tensor([1.0]) % 0.0).item())


def test_remainder_gradients_are_pytorchs():
    a = mg.tensor([7.5, -7.5, 1.0], dtype="float64", requires_grad=True)
    b = mg.tensor([2.0, 2.0, -3.0], dtype="float64", requires_grad=True)
    (a % b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0, 1.0]
    assert b.grad.tolist() == [-3.0, 4.0, 1.0]  # −floor(a / b)


def test_floor_divide_gradient_is_an_exact_zero():
    a = mg.tensor([7.5, -7.5], dtype="float64", requires_grad=True)
    b = mg.tensor([2.0, 3.0], dtype="float64", requires_grad=True)
    ga, gb = mg.autograd.grad((a // b * 5.0).sum(), [a, b])
    assert ga.tolist() == [0.0, 0.0] and gb.tolist() == [0.0, 0.0]


@settings(max_examples=10, deadline=None)
@given(pair=broadcast_pairs(low=0.3, high=3.0, margin=0.0))
def test_remainder_gradients_check_on_drawn_shapes(pair):
    a, b = pair
    a = a * np.sign(np.sin(np.arange(a.size) + 1.0)).reshape(a.shape)  # both signs of the dividend
    ratio = a / b
    if np.any(np.abs(ratio - np.round(ratio)) < 1e-3):  # keep off the jumps of floor(a / b)
        return
    np.testing.assert_allclose((mg.tensor(a, dtype="float64") % mg.tensor(b, dtype="float64")).numpy(), a % b)
    check_gradients(lambda x, y: x % y, [a, b], second_order=True)

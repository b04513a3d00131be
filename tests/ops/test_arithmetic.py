import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, arrays, broadcast_pairs, check_gradients

BINARY = {
    "add": (operator.add, np.add),
    "sub": (operator.sub, np.subtract),
    "mul": (operator.mul, np.multiply),
    "div": (operator.truediv, np.divide),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(pair=broadcast_pairs(margin=0.2), layouts=st.tuples(st.sampled_from(LAYOUTS), st.sampled_from(LAYOUTS)))
def test_binary_ops_match_numpy_and_gradcheck(name, pair, layouts):
    op, ref = BINARY[name]
    a, b = pair
    out = op(mg.tensor(a, dtype="float64"), mg.tensor(b, dtype="float64"))
    np.testing.assert_allclose(out.numpy(), ref(a, b), rtol=1e-12)
    assert out.shape == np.broadcast_shapes(a.shape, b.shape)
    check_gradients(op, [a, b], layouts=list(layouts))


@pytest.mark.parametrize("name", sorted(BINARY))
@given(pair=broadcast_pairs(margin=0.3))
def test_binary_ops_second_derivatives(name, pair):
    check_gradients(BINARY[name][0], list(pair), second_order=True)


@given(pair=broadcast_pairs(low=0.5, high=2.0))
def test_tensor_power_tensor(pair):
    a, b = pair
    out = mg.tensor(a, dtype="float64") ** mg.tensor(b, dtype="float64")
    np.testing.assert_allclose(out.numpy(), a**b, rtol=1e-12)
    check_gradients(operator.pow, [a, b], second_order=True)


@pytest.mark.parametrize("p", [0, 1, 2, 3, 0.5, -1, -2.5])
@given(x=arrays(low=0.3, high=2.0), layout=st.sampled_from(LAYOUTS))
def test_power_with_number_exponent(p, x, layout):
    out = mg.tensor(x, dtype="float64") ** p
    np.testing.assert_allclose(out.numpy(), x**p, rtol=1e-12)
    check_gradients(lambda t: t**p, [x], layouts=[layout], second_order=True)


@given(x=arrays())
def test_number_to_tensor_power(x):
    out = 2.0 ** mg.tensor(x, dtype="float64")
    np.testing.assert_allclose(out.numpy(), 2.0**x, rtol=1e-12)
    check_gradients(lambda t: 2.0**t, [x], second_order=True)


@given(x=arrays())
def test_negation(x):
    np.testing.assert_array_equal((-mg.tensor(x, dtype="float64")).numpy(), -x)
    check_gradients(lambda t: -t, [x])


def test_reflected_operators_with_numbers_and_arrays():
    x = mg.tensor([1.0, 2.0, 4.0], requires_grad=True)
    arr = np.array([2.0, 2.0, 2.0])
    results = {
        "3 + x": (3 + x, [4, 5, 7]),
        "3 - x": (3 - x, [2, 1, -1]),
        "3 * x": (3 * x, [3, 6, 12]),
        "4 / x": (4 / x, [4, 2, 1]),
        "arr + x": (arr + x, [3, 4, 6]),
        "arr - x": (arr - x, [1, 0, -2]),
        "arr * x": (arr * x, [2, 4, 8]),
        "arr / x": (arr / x, [2, 1, 0.5]),
        "x - arr": (x - arr, [-1, 0, 2]),
        "arr ** x": (arr**x, [2, 4, 16]),
    }
    for expr, (out, expected) in results.items():
        assert isinstance(out, mg.Tensor), expr
        np.testing.assert_allclose(out.numpy(), expected, err_msg=expr)
        assert out.dtype == np.float32, f"{expr} promoted to {out.dtype}"
    (4 / x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), -4 / np.array([1.0, 2.0, 4.0]) ** 2)


def test_float32_stays_float32_with_python_numbers():
    x = mg.ones(3)
    assert (x * 2.5).dtype == np.float32
    assert (x + 1).dtype == np.float32
    assert (x**2).dtype == np.float32
    assert (mg.ones(3, dtype="float64") * 2.5).dtype == np.float64


def test_integer_tensor_with_float_number_promotes():
    i = mg.tensor([1, 2, 3])
    assert i.dtype == np.int64
    out = i * 0.5
    assert out.dtype.kind == "f"
    np.testing.assert_allclose(out.numpy(), [0.5, 1.0, 1.5])


def test_broadcast_error_names_op_and_shapes():
    a, b = mg.ones(2, 3), mg.ones(4)
    with pytest.raises(ValueError, match=r"add.*\(2, 3\).*\(4,\)"):
        a + b
    with pytest.raises(ValueError, match=r"mul.*\(2, 3\).*\(4,\)"):
        a * b


def test_gradient_of_broadcast_operand_is_summed_back():
    W = mg.ones(4, 3)
    b = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (W + b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [4, 4, 4])
    assert b.grad.shape == b.shape

import operator
import warnings

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


def test_tensor_power_gradients_at_zero_base():
    # x⁰ ≡ 1: d/dx = 0 even at x = 0 (b·a^(b-1) would be 0·∞ = NaN there);
    # d/dy = x^y ln x → 0 as x → 0⁺ for y > 0 (the formula would be 0·(-∞)).
    x = mg.tensor([0.0, 0.0, 0.0, 0.0, 2.0, 3.0], dtype="float64", requires_grad=True)
    y = mg.tensor([0.0, 1.0, 2.0, 3.5, 0.0, 2.0], dtype="float64", requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x**y
        out.sum().backward()
    np.testing.assert_array_equal(out.numpy(), [1, 0, 0, 0, 1, 9])
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1, 0, 0, 0, 6])
    np.testing.assert_allclose(y.grad.numpy(), [0, 0, 0, 0, np.log(2), 9 * np.log(3)], rtol=1e-15)
    assert np.isfinite(x.grad.numpy()).all() and np.isfinite(y.grad.numpy()).all()


def test_tensor_power_at_zero_passes_gradcheck():
    # d/dx at x = 0 for integer exponents (x^y is then defined on both sides of 0)
    y = mg.tensor([0.0, 1.0, 2.0, 3.0], dtype="float64")
    x0 = mg.tensor([0.0, 0.0, 0.0, 0.0], dtype="float64", requires_grad=True)
    assert mg.gradcheck(lambda x: x**y, x0) and mg.gradgradcheck(lambda x: x**y, x0)
    # d/dy at x = 0 for y > 0, broadcast over a row of bases
    base = mg.tensor([[0.0], [0.5], [2.0]], dtype="float64")
    y0 = mg.tensor([0.5, 1.0, 2.5], dtype="float64", requires_grad=True)
    assert mg.gradcheck(lambda e: base**e, y0)
    # both at once, the base of a broadcast (3, 1) against exponents (4,)
    xs = mg.tensor([[0.0], [0.7], [1.6]], dtype="float64", requires_grad=True)
    ys = mg.tensor([1.0, 2.0, 3.0, 4.0], dtype="float64", requires_grad=True)
    assert mg.gradcheck(lambda a, b: a**b, xs, ys)


def test_tensor_power_second_derivatives_with_zero_exponents():
    # gradgradcheck for x > 0, with y = 0 among the exponents and a base that is 1 somewhere
    xs = mg.tensor([0.5, 1.0, 2.0, 1.3], dtype="float64", requires_grad=True)
    ys = mg.tensor([0.0, 2.0, -0.3, 0.0], dtype="float64", requires_grad=True)
    assert mg.gradcheck(lambda a, b: a**b, xs, ys) and mg.gradgradcheck(lambda a, b: a**b, xs, ys)
    # the second derivative of x⁰ at x = 0 is 0 too
    x = mg.tensor([0.0, 0.0], dtype="float64", requires_grad=True)
    (g,) = mg.autograd.grad((x ** mg.tensor([0.0, 2.0], dtype="float64")).sum(), [x], create_graph=True)
    g.sum().backward()
    np.testing.assert_array_equal(g.numpy(), [0, 0])
    np.testing.assert_array_equal(x.grad.numpy(), [0, 2])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_number_exponent_zero_and_one_at_zero(dtype):
    x = mg.tensor([0.0, -1.5, 2.0], dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zero, one = x**0, x**1
        (zero.sum() + 2.0 * one.sum()).backward()
    np.testing.assert_array_equal(zero.numpy(), [1, 1, 1])
    np.testing.assert_array_equal(one.numpy(), x.numpy())
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 2])  # 0 from x⁰, 2 from 2·x¹
    assert zero.dtype == one.dtype == x.dtype == x.grad.dtype
    x64 = mg.tensor([0.0, -1.5, 2.0], dtype="float64", requires_grad=True)
    for p in (0, 1, 0.0, 1.0, 2):
        assert mg.gradcheck(lambda t: t**p, x64) and mg.gradgradcheck(lambda t: t**p, x64)


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

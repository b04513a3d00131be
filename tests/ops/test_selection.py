import numpy as np
import pytest
from hypothesis import given

import minigrad as mg
from tests.helpers import arrays, broadcast_pairs, check_gradients


@given(pair=broadcast_pairs())
def test_where(pair):
    a, b = pair
    cond = (np.add(a, b) > 0)
    out = mg.where(mg.tensor(cond), mg.tensor(a, dtype="float64"), mg.tensor(b, dtype="float64"))
    np.testing.assert_array_equal(out.numpy(), np.where(cond, a, b))
    check_gradients(lambda x, y: mg.where(cond, x, y) * 1.5, [a, b], second_order=True)


def test_where_with_numbers_and_condition_errors():
    x = mg.tensor([-1.0, 2.0], requires_grad=True)
    out = mg.where(x > 0, x, 0.0)
    np.testing.assert_array_equal(out.numpy(), [0, 2])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1])
    with pytest.raises(TypeError, match="boolean"):
        mg.where(mg.tensor([1.0, 0.0]), x, x)


@pytest.mark.parametrize("fn,ref", [(mg.maximum, np.maximum), (mg.minimum, np.minimum)])
@given(pair=broadcast_pairs())
def test_maximum_minimum(fn, ref, pair):
    a, b = pair
    out = fn(mg.tensor(a, dtype="float64"), mg.tensor(b, dtype="float64"))
    np.testing.assert_array_equal(out.numpy(), ref(a, b))
    check_gradients(fn, [a, b])


def test_maximum_ties_split_the_gradient():
    a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mg.tensor([2.0, 2.0, 2.0], requires_grad=True)
    mg.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0, 0.5, 1])
    np.testing.assert_array_equal(b.grad.numpy(), [1, 0.5, 0])
    assert a.maximum(0.0).shape == (3,)


@given(x=arrays())
def test_comparisons_return_boolean_tensors_without_grad(x):
    t = mg.tensor(x, requires_grad=True)
    for out, ref in [(t < 0.5, x < 0.5), (t <= 0.5, x <= 0.5), (t > 0, x > 0), (t >= 0, x >= 0),
                     (t == t, x == x), (t != 0.5, x != 0.5), (0.5 < t, 0.5 < x)]:
        assert out.dtype == np.bool_
        assert not out.requires_grad
        np.testing.assert_array_equal(out.numpy(), ref)


def test_comparison_shape_error():
    with pytest.raises(ValueError, match=r"less.*\(2,\).*\(3,\)"):
        mg.ones(2) < mg.ones(3)


def test_where_method_keeps_self_where_condition_holds():
    x = mg.tensor([-1.0, 2.0, -3.0], requires_grad=True)
    out = x.where(x > 0, 0.0)
    np.testing.assert_array_equal(out.numpy(), [0, 2, 0])


# --------------------------------------------------------------------------- second derivatives

def hessian_vector(fn, *arrays):
    """Second derivatives of (w · fn) wrt every input, the gradient built with create_graph=True."""
    xs = [mg.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    out = fn(*xs)
    w = np.linspace(0.5, 1.5, out.data.size).reshape(out.shape)
    grads = mg.autograd.grad((out * w).sum(), xs, create_graph=True)
    total = sum((g * np.linspace(1.0, 2.0, g.data.size).reshape(g.shape)).sum() for g in grads)
    assert total.requires_grad  # the gradients still depend on the inputs in the graph
    return mg.autograd.grad(total, xs)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: mg.where(a.data > b.data, a, b * 2.0),
        lambda a, b: mg.maximum(a, b) * 3.0,
        lambda a, b: mg.minimum(a, b),
    ],
    ids=["where", "maximum", "minimum"],
)
def test_selection_second_derivatives_are_exact_zeros_with_broadcasting(fn):
    a = np.array([[-1.2, 0.3, 2.0], [0.7, -0.4, 1.5]])
    b = np.array([0.1, -0.9, 1.0])  # broadcasts along the rows
    ha, hb = hessian_vector(fn, a, b)
    assert ha.shape == a.shape and hb.shape == b.shape
    np.testing.assert_array_equal(ha.numpy(), np.zeros_like(a))
    np.testing.assert_array_equal(hb.numpy(), np.zeros_like(b))
    check_gradients(fn, [a, b], second_order=True)


def test_where_second_derivative_with_one_constant_branch():
    # leaky-ReLU-like: x where x > 0, else a constant, each gradient tied to x
    (h,) = hessian_vector(lambda x: x.where(x > 0, -0.5) * x, np.array([-1.0, 2.0, 0.5]))
    # d²(x²)/dx² = 2 where x > 0, else 0; times the weights w = (0.5, 1, 1.5), v = (1, 1.5, 2)
    np.testing.assert_array_equal(h.numpy(), [0.0, 2.0 * 1.0 * 1.5, 2.0 * 1.5 * 2.0])


def test_integer_tensor_with_a_fractional_number_computes_in_the_default_float():
    # int64 meeting 0.5 is float32 (as int_tensor * 0.5), not NumPy's float64, and never truncated
    xi = mg.tensor([1, 2, 3])
    cond = mg.tensor([True, False, True])
    for out, expected in (
        (mg.where(cond, xi, 0.5), [1.0, 0.5, 3.0]),
        (mg.where(cond, 0.5, xi), [0.5, 2.0, 0.5]),
        (mg.maximum(xi, 2.5), [2.5, 2.5, 3.0]),
        (mg.minimum(1.5, xi), [1.0, 1.5, 1.5]),
    ):
        assert out.dtype == mg.float32
        np.testing.assert_array_equal(out.numpy(), expected)
    # whole numbers keep integers integer; a float64 tensor stays float64
    assert mg.where(cond, xi, 2).dtype == np.int64
    assert mg.maximum(xi, 2).dtype == np.int64
    assert mg.maximum(mg.ones(3, dtype="float64"), 0.5).dtype == np.float64

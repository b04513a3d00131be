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

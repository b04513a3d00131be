import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, NONEMPTY_SHAPES, arrays, check_gradients, tensor_in_layout

few = settings(max_examples=10, deadline=None)


@few
@given(x=arrays(shape=NONEMPTY_SHAPES), layout=st.sampled_from(LAYOUTS), data=st.data())
def test_sort_and_argsort_match_numpy(x, layout, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    x = np.round(x, 0)  # ties, to check stability
    t = tensor_in_layout(x, layout)
    values, indices = t.sort(dim=axis)
    np.testing.assert_array_equal(values.numpy(), np.sort(x, axis=axis))
    np.testing.assert_array_equal(indices.numpy(), np.argsort(x, axis=axis, kind="stable"))
    assert indices.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(mg.argsort(t, axis).numpy(), np.argsort(x, axis=axis, kind="stable"))
    down = t.sort(axis, descending=True)
    np.testing.assert_array_equal(down.values.numpy(), np.flip(np.sort(x, axis=axis), axis))
    np.testing.assert_array_equal(np.take_along_axis(x, down.indices.numpy(), axis), down.values.numpy())
    np.testing.assert_array_equal(mg.sort(t, axis=None).values.numpy(), np.sort(x, axis=None))


@few
@given(x=arrays(shape=NONEMPTY_SHAPES), layout=st.sampled_from(LAYOUTS), descending=st.booleans())
def test_sort_gradchecks(x, layout, descending):
    # distinct values: away from ties the order is constant and the sort is differentiable
    x = x + np.arange(x.size).reshape(x.shape) * 4.0
    check_gradients(lambda t: t.sort(0, descending=descending).values, [x], layouts=[layout], second_order=True)


def test_sort_is_stable_descending_too():
    t = mg.tensor([1.0, 3.0, 1.0, 3.0, 2.0])
    assert t.sort().indices.tolist() == [0, 2, 4, 1, 3]
    assert t.sort(descending=True).indices.tolist() == [1, 3, 4, 0, 2]
    assert t.argsort(descending=True).tolist() == [1, 3, 4, 0, 2]
    nan = mg.tensor([1.0, np.nan, 0.0])
    assert nan.sort().indices.tolist() == [2, 0, 1]  # NaN sorts last (the largest), as in NumPy
    assert nan.sort(descending=True).indices.tolist() == [1, 0, 2]


def test_sort_gradient_goes_back_to_each_elements_place():
    x = mg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, indices = x.sort()
    (values * mg.tensor([10.0, 20.0, 30.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [30, 10, 20])


@few
@given(x=arrays(shape=NONEMPTY_SHAPES), layout=st.sampled_from(LAYOUTS), largest=st.booleans(), data=st.data())
def test_topk_matches_a_sort(x, layout, largest, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    k = data.draw(st.integers(0, x.shape[axis]))
    t = tensor_in_layout(x, layout)
    values, indices = t.topk(k, dim=axis, largest=largest)
    order = np.argsort(-x if largest else x, axis=axis, kind="stable")
    expected = np.take(order, range(k), axis=axis)
    np.testing.assert_array_equal(indices.numpy(), expected)
    np.testing.assert_array_equal(values.numpy(), np.take_along_axis(x, expected, axis))
    check_gradients(lambda u: u.topk(k, axis, largest=largest).values, [x], layouts=[layout], second_order=True)


def test_topk_gradient_reaches_only_the_chosen():
    x = mg.tensor([[1.0, 5.0, 3.0, 4.0]], requires_grad=True)
    values, indices = mg.topk(x, 2)
    assert values.tolist() == [[5.0, 4.0]] and indices.tolist() == [[1, 3]]
    (values * mg.tensor([[2.0, 7.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 2, 0, 7]])
    assert mg.topk(mg.tensor(2.5), 1).values.shape == ()


def test_sorting_errors():
    x = mg.zeros(2, 3)
    with pytest.raises(ValueError, match=r"topk: k=4 is out of range for axis 1 of length 3 \(input shape \(2, 3\)\)"):
        x.topk(4)
    with pytest.raises(ValueError, match=r"topk: k=-1 is out of range"):
        x.topk(-1, dim=0)
    with pytest.raises(ValueError, match=r"sort: axis 2 is out of range"):
        x.sort(2)

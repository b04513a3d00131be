import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, NONEMPTY_SHAPES, arrays, check_gradients, tensor_in_layout

few = settings(max_examples=10, deadline=None)


def _where(axis, position, i):
    """The position of x that index element ``position`` (holding ``i``) addresses."""
    return position[:axis] + (i,) + position[axis + 1:]


def gather_reference(x, axis, index):
    out = np.empty(index.shape, dtype=x.dtype)
    for pos in np.ndindex(index.shape):
        out[pos] = x[_where(axis, pos, index[pos])]
    return out


def scatter_reference(x, axis, index, src, add):
    out = x.copy()
    for pos in np.ndindex(index.shape):
        target = _where(axis, pos, index[pos])
        out[target] = out[target] + src[pos] if add else src[pos]
    return out


@st.composite
def gather_cases(draw):
    """x, axis and an index no larger than x off the axis (and any length along it)."""
    x = draw(arrays(shape=NONEMPTY_SHAPES))
    axis = draw(st.integers(0, x.ndim - 1))
    shape = tuple(draw(st.integers(1, 4)) if d == axis else draw(st.integers(1, n)) for d, n in enumerate(x.shape))
    index = np.random.default_rng(draw(st.integers(0, 99))).integers(0, x.shape[axis], size=shape)
    return x, axis, index


@few
@given(case=gather_cases(), layout=st.sampled_from(LAYOUTS))
def test_gather_matches_a_loop_and_gradchecks(case, layout):
    x, axis, index = case
    np.testing.assert_array_equal(tensor_in_layout(x, layout).gather(axis, index).numpy(),
                                  gather_reference(x, axis, index))
    np.testing.assert_array_equal(mg.gather(tensor_in_layout(x, layout), dim=axis, index=mg.tensor(index)).numpy(),
                                  gather_reference(x, axis, index))
    check_gradients(lambda t: t.gather(axis, index), [x], layouts=[layout], second_order=True)


@few
@given(case=gather_cases(), layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 99))
def test_scatter_add_matches_a_loop_and_gradchecks(case, layout, seed):
    x, axis, index = case
    if index.shape[axis] > x.shape[axis]:
        index = np.take(index, range(x.shape[axis]), axis=axis)
    src = np.random.default_rng(seed).normal(size=tuple(n + 1 for n in index.shape))  # larger than index
    out = tensor_in_layout(x, layout).scatter_add(axis, index, mg.tensor(src, dtype="float64"))
    np.testing.assert_allclose(out.numpy(), scatter_reference(x, axis, index, src, add=True), rtol=1e-12)
    check_gradients(lambda t, s: t.scatter_add(axis, index, s), [x, src], layouts=[layout, "contiguous"],
                    second_order=True)


@few
@given(case=gather_cases(), layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 99))
def test_scatter_with_distinct_positions_matches_a_loop_and_gradchecks(case, layout, seed):
    x, axis, _ = case
    rng = np.random.default_rng(seed)
    # one permutation per line along the axis: every position written at most once
    lines = np.argsort(rng.random(x.shape), axis=axis)
    k = rng.integers(1, x.shape[axis] + 1)
    index = np.take(lines, range(k), axis=axis)
    src = rng.normal(size=index.shape)
    out = tensor_in_layout(x, layout).scatter(axis, index, mg.tensor(src, dtype="float64"))
    np.testing.assert_array_equal(out.numpy(), scatter_reference(x, axis, index, src, add=False))
    check_gradients(lambda t, s: mg.scatter(t, axis, index, s), [x, src], layouts=[layout, "contiguous"],
                    second_order=True)


def test_gather_with_repeated_indices_accumulates():
    x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x.gather(1, np.array([[0, 0, 2, 0], [1, 1, 1, 1]]))
    np.testing.assert_array_equal(y.numpy(), [[1, 1, 3, 1], [5, 5, 5, 5]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[3, 0, 1], [0, 4, 0]])


def test_scatter_add_accumulates_and_src_gets_a_gather():
    x = mg.zeros(2, 3, dtype="float64", requires_grad=True)
    src = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    index = np.array([[0, 0, 0], [2, 1, 2]])
    y = x.scatter_add(1, index, src)
    np.testing.assert_array_equal(y.numpy(), [[6, 0, 0], [0, 5, 10]])
    w = mg.tensor([[1.0, 10.0, 100.0], [1.0, 10.0, 100.0]])
    (y * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), w.numpy())
    np.testing.assert_array_equal(src.grad.numpy(), [[1, 1, 1], [100, 10, 100]])


def test_scatter_overwrites_and_routes_gradients_like_pytorch():
    x = mg.tensor(np.ones((2, 3)), requires_grad=True)
    src = mg.tensor([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]], requires_grad=True)
    y = x.scatter(1, np.array([[2], [0]]), src)  # only src[:, :1] is used
    np.testing.assert_array_equal(y.numpy(), [[1, 1, 10], [40, 1, 1]])
    w = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (y * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 2, 0], [0, 5, 6]])  # overwritten: 0
    np.testing.assert_array_equal(src.grad.numpy(), [[3, 0, 0], [4, 0, 0]])  # where each was written
    # a number as src: only x has a gradient; a 0-d src tensor gets the sum over the positions it filled
    np.testing.assert_array_equal(x.scatter(0, np.array([[1, 0, 1]]), 7.0).numpy(), [[1, 7, 1], [7, 1, 7]])
    v = mg.tensor(2.0, requires_grad=True)
    (x.scatter(0, np.array([[1, 0, 1]]), v) * w).sum().backward()
    assert v.grad.item() == 4 + 2 + 6


def test_scatter_with_a_repeated_position_sends_the_gradient_to_each_src_element():
    # Which src element is written is undefined (as in PyTorch); as in PyTorch, each gets the position's gradient.
    x = mg.zeros(3, dtype="float64", requires_grad=True)
    src = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.scatter(0, np.array([1, 1]), src)
    assert y.numpy()[1] in (1.0, 2.0)
    (y * mg.tensor([1.0, 5.0, 1.0])).sum().backward()
    np.testing.assert_array_equal(src.grad.numpy(), [5, 5])
    np.testing.assert_array_equal(x.grad.numpy(), [1, 0, 1])


def test_zero_dimensional_gather_and_scatter():
    x = mg.tensor(3.0, requires_grad=True)
    assert x.gather(0, np.array(0)).item() == 3.0
    assert x.scatter(0, np.array(0), 5.0).item() == 5.0
    assert x.scatter_add(-1, np.array(0), mg.tensor(2.0)).shape == ()


def test_gather_scatter_errors():
    x = mg.zeros(2, 3)
    with pytest.raises(IndexError, match=r"gather: index 3 is out of range for axis 1 of length 3 "
                                         r"\(input shape \(2, 3\), index shape \(2, 2\)\)"):
        x.gather(1, np.array([[0, 3], [1, 2]]))
    with pytest.raises(IndexError, match=r"scatter: index -1 is out of range for axis 0 of length 2"):
        x.scatter(0, np.array([[-1, 0, 0]]), mg.zeros(1, 3))
    with pytest.raises(IndexError, match=r"scatter_add: index 2 is out of range .*src shape \(1, 1\)"):
        x.scatter_add(0, np.array([[2]]), mg.zeros(1, 1))
    with pytest.raises(ValueError, match=r"gather: index must have as many dimensions as the input "
                                         r"\(input shape \(2, 3\), index shape \(3,\)\)"):
        x.gather(0, np.array([0, 1, 0]))
    with pytest.raises(ValueError, match=r"gather: index is larger than the input along axis 1"):
        x.gather(0, np.zeros((1, 4), dtype=int))
    with pytest.raises(ValueError, match=r"scatter_add: index is larger than src along axis 1"):
        x.scatter_add(0, np.zeros((1, 3), dtype=int), mg.zeros(1, 2))
    with pytest.raises(TypeError, match="gather: index must hold integers, got dtype float64"):
        x.gather(0, np.zeros((1, 1)))
    with pytest.raises(ValueError, match=r"gather: axis 2 is out of range"):
        x.gather(2, np.zeros((1, 1), dtype=int))


@few
@given(x=arrays(shape=NONEMPTY_SHAPES), layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 99))
def test_masked_fill_and_masked_select(x, layout, seed):
    mask = np.random.default_rng(seed).random(x.shape[-1:]) < 0.5  # broadcasts along the leading axes
    full = np.broadcast_to(mask, x.shape)
    t = tensor_in_layout(x, layout)
    np.testing.assert_array_equal(t.masked_fill(mask, -1.5).numpy(), np.where(full, -1.5, x))
    np.testing.assert_array_equal(mg.masked_select(t, mg.tensor(mask)).numpy(), x[full])
    check_gradients(lambda u, v: u.masked_fill(mask, v), [x, np.array(0.5)], layouts=[layout, "contiguous"],
                    second_order=True)
    check_gradients(lambda u: u.masked_select(mask), [x], layouts=[layout], second_order=True)


def test_masked_fill_keeps_the_dtype_and_masked_select_broadcasts():
    ints = mg.tensor([1, 2, 3])
    out = ints.masked_fill(np.array([True, False, False]), 9)
    assert out.dtype == np.int64 and out.tolist() == [9, 2, 3]
    v = mg.tensor([1.0, 2.0], requires_grad=True)
    picked = v.masked_select(np.array([[True, False], [True, True]]))  # v broadcast to (2, 2)
    np.testing.assert_array_equal(picked.numpy(), [1, 1, 2])
    picked.sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [2, 1])
    with pytest.raises(TypeError, match="masked_fill: mask must be boolean, got dtype int64"):
        ints.masked_fill(np.array([1, 0, 0]), 0)
    with pytest.raises(ValueError, match=r"masked_fill: mask of shape \(2,\) does not broadcast to the input "
                                         r"shape \(3,\)"):
        ints.masked_fill(np.array([True, False]), 0)
    with pytest.raises(ValueError, match=r"masked_select: mask of shape \(2,\) and input of shape \(3,\)"):
        ints.masked_select(np.array([True, False]))


@few
@given(x=arrays(shape=NONEMPTY_SHAPES))
def test_nonzero_matches_numpy(x):
    x = np.where(x > 0, x, 0.0)
    t = mg.tensor(x, dtype="float64")
    found = t.nonzero()
    assert isinstance(found, tuple) and all(i.dtype == np.int64 and not i.requires_grad for i in found)
    for i, e in zip(found, np.nonzero(x)):
        np.testing.assert_array_equal(i.numpy(), e)
    np.testing.assert_array_equal(mg.nonzero(t, as_tuple=False).numpy(), np.argwhere(x))
    np.testing.assert_array_equal(t[found].numpy(), x[np.nonzero(x)])
    with pytest.raises(ValueError, match="nonzero: a 0-d tensor"):
        mg.tensor(1.0).nonzero()


def test_one_hot():
    labels = mg.tensor([[0, 2], [1, 2]])
    out = mg.one_hot(labels)
    assert out.dtype == np.int64 and out.shape == (2, 2, 3) and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), np.eye(3, dtype=np.int64)[labels.numpy()])
    np.testing.assert_array_equal(labels.one_hot(num_classes=4).numpy(), np.eye(4, dtype=np.int64)[labels.numpy()])
    assert mg.one_hot(np.zeros(0, dtype=int), 5).shape == (0, 5)
    with pytest.raises(IndexError, match=r"one_hot: index 3 is out of range for num_classes=3 "
                                         r"\(indices shape \(2, 2\)\)"):
        mg.one_hot(labels + 1, 3)
    with pytest.raises(IndexError, match=r"one_hot: index -1 is out of range"):
        mg.one_hot(np.array([-1, 0]), 3)
    with pytest.raises(TypeError, match="one_hot: indices must be integers, got dtype float32"):
        mg.one_hot(mg.tensor([0.0]))
    with pytest.raises(ValueError, match="one_hot: cannot infer num_classes from empty indices"):
        mg.one_hot(np.zeros(0, dtype=int))

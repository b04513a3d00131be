import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, NONEMPTY_SHAPES, SHAPES, arrays, check_gradients, tensor_in_layout

few = settings(max_examples=10, deadline=None)


@few
@given(x=arrays(shape=NONEMPTY_SHAPES), layout=st.sampled_from(LAYOUTS), data=st.data())
def test_flip_and_roll_match_numpy(x, layout, data):
    axis = data.draw(st.sampled_from([None, 0, -1, tuple(range(x.ndim))]))
    shift = data.draw(st.integers(-5, 5))
    t = tensor_in_layout(x, layout)
    np.testing.assert_array_equal(t.flip(axis).numpy(), np.flip(x, axis))
    np.testing.assert_array_equal(mg.roll(t, shift).numpy(), np.roll(x, shift))
    np.testing.assert_array_equal(t.roll(shift, dim=-1).numpy(), np.roll(x, shift, axis=-1))
    w = np.random.default_rng(0).normal(size=x.shape)
    check_gradients(lambda u: u.flip(axis) * w + u.roll(shift, axis=0) * w, [x], layouts=[layout],
                    second_order=True)


def test_roll_with_several_axes_and_its_gradient():
    x = np.arange(12.0).reshape(3, 4)
    t = mg.tensor(x, requires_grad=True)
    y = t.roll((1, -2), axis=(0, 1))
    np.testing.assert_array_equal(y.numpy(), np.roll(x, (1, -2), axis=(0, 1)))
    (y * mg.tensor(x)).sum().backward()  # the gradient is rolled back: grad[i] = x[where i went]
    np.testing.assert_array_equal(t.grad.numpy(), np.roll(x, (-1, 2), axis=(0, 1)))
    with pytest.raises(ValueError, match=r"roll: 2 shifts \(1, 2\) for 1 axes"):
        t.roll((1, 2), axis=0)
    with pytest.raises(ValueError, match=r"roll: axis 2 is out of range .*\(3, 4\)"):
        t.roll(1, axis=2)


@few
@given(x=arrays(shape=SHAPES), layout=st.sampled_from(LAYOUTS),
       reps=st.lists(st.integers(0, 3), min_size=1, max_size=4))
def test_tile_matches_numpy(x, layout, reps):
    t = tensor_in_layout(x, layout)
    np.testing.assert_array_equal(mg.tile(t, tuple(reps)).numpy(), np.tile(x, reps))
    if len(reps) >= x.ndim:  # PyTorch's repeat is a tile that names every axis
        np.testing.assert_array_equal(t.repeat(*reps).numpy(), np.tile(x, reps))
    check_gradients(lambda u: mg.tile(u, tuple(reps)), [x], layouts=[layout], second_order=True)


def test_repeat_is_pytorchs_and_sums_the_copies():
    t = mg.tensor([[1.0, 2.0]], requires_grad=True)
    y = t.repeat(2, 3)
    np.testing.assert_array_equal(y.numpy(), np.tile([[1, 2]], (2, 3)))
    assert mg.repeat(t, (1, 1, 2)).shape == (1, 1, 4)
    y.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [[6, 6]])
    with pytest.raises(ValueError, match=r"repeat: 1 sizes \(2,\) for a tensor of shape \(1, 2\).*repeat_interleave"):
        t.repeat(2)
    with pytest.raises(ValueError, match="tile: reps must be non-negative"):
        mg.tile(t, -1)


@few
@given(x=arrays(shape=NONEMPTY_SHAPES), layout=st.sampled_from(LAYOUTS), data=st.data())
def test_repeat_interleave_is_numpys_repeat(x, layout, data):
    axis = data.draw(st.sampled_from([None, 0, -1]))
    n = x.size if axis is None else x.shape[axis]
    repeats = data.draw(st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    t = tensor_in_layout(x, layout)
    np.testing.assert_array_equal(t.repeat_interleave(repeats, axis=axis).numpy(), np.repeat(x, repeats, axis=axis))
    check_gradients(lambda u: mg.repeat_interleave(u, repeats, dim=axis), [x], layouts=[layout], second_order=True)


def test_repeat_interleave_gradient_counts_copies_and_errors():
    t = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t.repeat_interleave(mg.tensor([2, 0, 3])).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [2, 0, 3])
    with pytest.raises(ValueError, match=r"repeat_interleave: 2 repeats for axis 0 of length 3"):
        t.repeat_interleave([1, 2])
    with pytest.raises(ValueError, match="repeat_interleave: repeats must be non-negative"):
        t.repeat_interleave(-1)
    with pytest.raises(TypeError, match="repeat_interleave: repeats must be an int"):
        t.repeat_interleave(1.5)


@few
@given(sizes=st.lists(st.integers(0, 4), min_size=0, max_size=3), indexing=st.sampled_from(["xy", "ij"]))
def test_meshgrid_matches_numpy(sizes, indexing):
    rng = np.random.default_rng(len(sizes))
    xs = [rng.normal(size=n) for n in sizes]
    grids = mg.meshgrid(*[mg.tensor(v, dtype="float64") for v in xs], indexing=indexing)
    expected = np.meshgrid(*xs, indexing=indexing)
    assert isinstance(grids, tuple) and len(grids) == len(expected)
    for g, e in zip(grids, expected):
        np.testing.assert_array_equal(g.numpy(), e)


def test_meshgrid_default_is_numpys_xy_and_gradients_sum():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = mg.tensor([4.0, 5.0], requires_grad=True)
    gx, gy = mg.meshgrid([x, y])
    assert gx.shape == gy.shape == (2, 3)  # "xy": the first vector runs along the columns
    assert mg.meshgrid(x, y, indexing="ij")[0].shape == (3, 2)
    (gx * gy).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [9, 9, 9])
    np.testing.assert_array_equal(y.grad.numpy(), [6, 6])
    check_gradients(lambda a, b: mg.stack(mg.meshgrid(a, b, indexing="ij"), 0), [np.ones(2), np.ones(3)],
                    second_order=True)
    with pytest.raises(ValueError, match="meshgrid: indexing must be 'xy' or 'ij', got 'xyz'"):
        mg.meshgrid(x, indexing="xyz")

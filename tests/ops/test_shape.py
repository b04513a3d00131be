import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, NONEMPTY_SHAPES, SHAPES, arrays, check_gradients


@given(x=arrays(), layout=st.sampled_from(LAYOUTS), data=st.data())
def test_reshape_to_a_random_factorisation(x, layout, data):
    shape = data.draw(st.sampled_from([(x.size,), (1, x.size), (x.size, 1), (-1,), x.shape[::-1] if x.ndim else ()]))
    if x.ndim and shape == x.shape[::-1] and np.prod(shape) != x.size:
        return
    out = mg.tensor(x, dtype="float64").reshape(shape)
    np.testing.assert_array_equal(out.numpy(), x.reshape(shape))
    check_gradients(lambda t: t.reshape(shape) * 2.0, [x], layouts=[layout], second_order=True)


def test_reshape_accepts_ints_or_a_tuple():
    x = mg.arange(6.0)
    assert x.reshape(2, 3).shape == (2, 3)
    assert x.reshape((3, 2)).shape == (3, 2)
    assert mg.reshape(x, (6, 1)).shape == (6, 1)
    with pytest.raises(ValueError, match=r"reshape.*\(6,\)"):
        x.reshape(4, 2)


@given(x=arrays(shape=NONEMPTY_SHAPES), data=st.data())
def test_permute_transpose_and_T(x, data):
    axes = tuple(data.draw(st.permutations(range(x.ndim))))
    t = mg.tensor(x, dtype="float64")
    np.testing.assert_array_equal(t.permute(axes).numpy(), x.transpose(axes))
    np.testing.assert_array_equal(t.transpose(*axes).numpy(), x.transpose(axes))
    np.testing.assert_array_equal(t.T.numpy(), x.T)
    check_gradients(lambda t: t.permute(axes) * mg.tensor(np.arange(x.size).reshape(x.transpose(axes).shape), dtype="float64"), [x], second_order=True)


def test_swapaxes_and_permute_errors():
    x = mg.zeros(2, 3, 4)
    assert x.swapaxes(0, -1).shape == (4, 3, 2)
    with pytest.raises(ValueError, match="not a permutation"):
        x.permute(0, 0, 1)


@given(x=arrays(shape=st.sampled_from([(1,), (3,), (1, 3), (2, 1), ()])), data=st.data())
def test_broadcast_to(x, data):
    target = data.draw(st.sampled_from([(2, 3), (4, 2, 3)]))
    try:
        expected = np.broadcast_to(x, target)
    except ValueError:
        with pytest.raises(ValueError, match="broadcast_to"):
            mg.tensor(x).broadcast_to(target)
        return
    out = mg.tensor(x, dtype="float64").broadcast_to(target)
    np.testing.assert_array_equal(out.numpy(), expected)
    check_gradients(lambda t: t.broadcast_to(target) * mg.tensor(np.arange(np.prod(target)).reshape(target), dtype="float64"), [x], second_order=True)


def test_squeeze_unsqueeze_flatten():
    x = mg.randn(2, 1, 3, requires_grad=True)
    assert x.squeeze().shape == (2, 3)
    assert x.squeeze(1).shape == (2, 3)
    assert x.unsqueeze(0).shape == (1, 2, 1, 3)
    assert x.unsqueeze(-1).shape == (2, 1, 3, 1)
    assert x.flatten().shape == (6,)
    assert mg.flatten(mg.zeros(4, 2, 3), 1).shape == (4, 6)
    with pytest.raises(ValueError, match="axis 0 has length 2"):
        x.squeeze(0)
    with pytest.raises(ValueError, match="unsqueeze"):
        x.unsqueeze(5)
    check_gradients(lambda t: t.squeeze().unsqueeze(0).flatten() ** 2, [x.numpy()])


@given(x=arrays(shape=SHAPES))
def test_shape_ops_return_gradients_of_the_input_shape(x):
    t = mg.tensor(x, requires_grad=True)
    t.reshape(-1).unsqueeze(0).squeeze(0).T.sum().backward()
    assert t.grad.shape == x.shape
    np.testing.assert_array_equal(t.grad.numpy(), np.ones_like(x))

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, arrays, check_gradients

INDICES = [
    (1,),
    (slice(None, None, 2),),
    (slice(1, None), 0),
    (Ellipsis, -1),
    (None, 0),
    (np.array([0, 2, 0]),),  # repeated rows accumulate
    (np.array([1, 0]), np.array([2, 2])),
    ([0, 0, 1],),
]


@pytest.mark.parametrize("index", INDICES, ids=[repr(i) for i in INDICES])
@given(seed=st.integers(0, 2**32 - 1), layout=st.sampled_from(LAYOUTS))
def test_getitem_forward_and_gradients(index, seed, layout):
    x = np.random.default_rng(seed).normal(size=(3, 4))
    idx = index[0] if len(index) == 1 else index
    np_idx = np.asarray(idx) if isinstance(idx, list) else idx  # NumPy reads a list as an int array too
    out = mg.tensor(x, dtype="float64")[idx]
    np.testing.assert_array_equal(out.numpy(), x[np_idx])
    check_gradients(lambda t: t[idx], [x], layouts=[layout], second_order=True)


def test_repeated_integer_index_accumulates():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3, 0, 1])


@given(x=arrays(shape=st.sampled_from([(5,), (3, 4), (2, 3, 2)])))
def test_boolean_mask(x):
    mask = x > 0
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    np.testing.assert_array_equal(t[mask].numpy(), x[mask])
    np.testing.assert_array_equal(t[mg.tensor(mask)].numpy(), x[mask])
    t[t > 0].sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), mask.astype(float))
    check_gradients(lambda u: u[mask] ** 2, [x], second_order=True)


def test_index_with_an_integer_tensor():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    rows = mg.tensor([2, 0])
    cols = mg.tensor([1, 1])
    out = x[rows, cols]
    np.testing.assert_array_equal(out.numpy(), [6, 2])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1], [0, 0], [0, 1]])


def test_index_out_of_range_names_the_op():
    with pytest.raises(IndexError, match=r"getitem.*\(3,\)"):
        mg.ones(3)[5]


@given(seed=st.integers(0, 2**32 - 1), axis=st.sampled_from([0, 1, -1]))
def test_concat(seed, axis):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    c = rng.normal(size=(2, 3))
    out = mg.concat([mg.tensor(a, dtype="float64"), mg.tensor(b, dtype="float64"), mg.tensor(c, dtype="float64")], axis=axis)
    np.testing.assert_array_equal(out.numpy(), np.concatenate([a, b, c], axis=axis))
    check_gradients(lambda x, y, z: mg.concat([x, y, z], axis=axis) ** 2, [a, b, c], second_order=True)


@given(seed=st.integers(0, 2**32 - 1), axis=st.sampled_from([0, 1, 2, -1]))
def test_stack(seed, axis):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    out = mg.stack([mg.tensor(a, dtype="float64"), mg.tensor(b, dtype="float64")], axis=axis)
    np.testing.assert_array_equal(out.numpy(), np.stack([a, b], axis=axis))
    check_gradients(lambda x, y: mg.stack([x, y], axis=axis) ** 2, [a, b], second_order=True)


def test_concat_and_stack_errors():
    with pytest.raises(ValueError, match="concat: needs at least one"):
        mg.concat([])
    with pytest.raises(ValueError, match=r"concat.*\(2, 3\), \(2, 4\)"):
        mg.concat([mg.ones(2, 3), mg.ones(2, 4)], axis=0)
    with pytest.raises(ValueError, match="stack"):
        mg.stack([mg.ones(2), mg.ones(3)])


def test_concat_only_gives_gradients_to_tensors_that_need_them():
    a = mg.ones(2, requires_grad=True)
    b = mg.zeros(3)
    mg.concat([a, b]).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1, 1])
    assert b.grad is None

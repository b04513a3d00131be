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


# --------------------------------------------------------------------------- 0-d and zero-size tensors

def test_shape_ops_on_a_0d_tensor():
    t = mg.tensor(1.5, dtype="float64", requires_grad=True)
    assert t.squeeze().shape == () and t.squeeze(axis=0).shape == () and t.squeeze(dim=-1).shape == ()
    assert t.unsqueeze(0).shape == (1,) and t.unsqueeze(dim=-1).shape == (1,)
    assert t.flatten().shape == (1,) and t.reshape(1, 1).shape == (1, 1)
    assert t.swapaxes(0, -1).shape == () and t.T.shape == ()
    assert mg.stack([t, t * 2.0], dim=-1).shape == (2,)
    check_gradients(lambda a: mg.stack([a.unsqueeze(0).squeeze(), a.flatten().reshape(()) * 3.0]), [np.array(1.5)],
                    second_order=True)
    with pytest.raises(ValueError, match="squeeze: axis 1 is out of range for a tensor with 0 dimension"):
        t.squeeze(1)
    with pytest.raises(ValueError, match="concat: 0-d tensors have no axis to join along; use stack"):
        mg.concat([t, t])


ZERO_SIZE = {
    "reshape": ((0, 3), lambda a: a.reshape(3, 0), (3, 0)),
    "reshape -1": ((0, 3), lambda a: a.reshape(-1, 3).flatten(), (0,)),
    "reshape to (0,)": ((2, 0, 4), lambda a: a.reshape(-1), (0,)),
    "getitem slice": ((0, 3), lambda a: a[:, 1:], (0, 2)),
    "getitem empty list": ((4, 3), lambda a: a[[]], (0, 3)),
    "getitem empty mask": ((4, 3), lambda a: a[np.zeros(4, dtype=bool)], (0, 3)),
    "getitem empty range": ((4, 3), lambda a: a[2:2], (0, 3)),
    "concat empty and full": ((0, 3), lambda a: mg.concat([a, a + 1.0, mg.ones(2, 3, dtype="float64")]), (2, 3)),
    "concat along empty axis": ((2, 0), lambda a: mg.concat([a, a], dim=1), (2, 0)),
    "stack empty": ((0, 3), lambda a: mg.stack([a, a], axis=1), (0, 2, 3)),
    "matmul (0,3)@(3,4)": ((0, 3), lambda a: a @ mg.ones(3, 4, dtype="float64"), (0, 4)),
    "matmul (2,0)@(0,4)": ((2, 0), lambda a: a @ mg.ones(0, 4, dtype="float64"), (2, 4)),
    "matmul (4,3)@(3,0)": ((3, 0), lambda a: mg.ones(4, 3, dtype="float64") @ a, (4, 0)),
    "matmul batched (0,2,3)": ((0, 2, 3), lambda a: a @ mg.ones(3, 2, dtype="float64"), (0, 2, 2)),
}


@pytest.mark.parametrize("name", sorted(ZERO_SIZE))
def test_zero_size_operands_forward_and_backward(name):
    shape, fn, out_shape = ZERO_SIZE[name]
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    out = fn(t)
    assert out.shape == out_shape
    out.sum().backward()
    assert t.grad.shape == shape and t.grad.dtype == np.float64
    if name.startswith("getitem") and t.size:
        np.testing.assert_array_equal(t.grad.numpy(), np.zeros(shape))  # nothing picked, nothing flows back
    assert mg.gradcheck(fn, mg.tensor(x, dtype="float64", requires_grad=True))


def test_matmul_with_an_empty_inner_axis_is_zero_and_passes_no_gradient():
    a = mg.zeros((2, 0), dtype="float64", requires_grad=True)
    b = mg.zeros((0, 4), dtype="float64", requires_grad=True)
    out = a @ b
    np.testing.assert_array_equal(out.numpy(), np.zeros((2, 4)))  # an empty sum
    (out * 3.0).sum().backward()
    assert a.grad.shape == (2, 0) and b.grad.shape == (0, 4)
    assert mg.gradcheck(lambda x, y: x @ y, a, b)


@pytest.mark.parametrize("shape, why", [
    ((5, -1), "12 is not a multiple of 5"),
    ((5, 2), "that shape holds 10"),
    ((-1, -1), "only one length may be -1"),
])
def test_reshape_errors_name_the_op_the_shapes_and_why(shape, why):
    with pytest.raises(ValueError, match=rf"^reshape: cannot reshape 12 element\(s\) into shape .*: {why} "
                                         r"\(input shapes: \(3, 4\)\)$"):
        mg.ones(3, 4).view(*shape)

"""PyTorch's spellings: view, expand, t, clone, numel, cat, long/int/bool, float/double."""

import numpy as np
import pytest

import minigrad as mg
from tests.helpers import check_gradients

X = np.arange(6.0).reshape(2, 3)


def test_view_is_reshape_with_both_spellings():
    t = mg.tensor(X)
    assert t.view(3, 2).shape == (3, 2) and t.view((3, 2)).shape == (3, 2) and t.view(-1).shape == (6,)
    assert mg.view(t, [1, 6]).tolist() == [X.ravel().tolist()]
    check_gradients(lambda a: a.view(3, -1), [X], second_order=True)
    with pytest.raises(ValueError, match="reshape"):
        t.view(4, 2)
    with pytest.raises(TypeError, match="view: expects a shape"):
        t.view(np.float64)


def test_expand_follows_pytorch():
    col = mg.tensor([[1.0], [2.0]], requires_grad=True)
    out = col.expand(2, 3)
    assert out.tolist() == [[1, 1, 1], [2, 2, 2]]
    assert col.expand(-1, 4).shape == (2, 4) and col.expand((5, 2, 3)).shape == (5, 2, 3)
    assert col.expand(2, 1).shape == (2, 1)
    out.sum().backward()
    assert col.grad.tolist() == [[3.0], [3.0]]
    check_gradients(lambda a: a.expand(4, -1, 3), [np.array([[1.0], [2.0]])], second_order=True)


@pytest.mark.parametrize("sizes, message", [
    ((3, 3), "expand: dimension 0 has length 2, which cannot expand to 3"),
    ((3,), r"expand: 1 size\(s\) \(3,\) for a tensor with 2 dimensions"),
    ((-1, 2, 1), "expand: -1 is not allowed for the new leading dimension 0"),
    ((2, -2), "expand: negative size -2"),
])
def test_expand_errors(sizes, message):
    with pytest.raises(ValueError, match=message):
        mg.ones(2, 1).expand(*sizes)
    with pytest.raises(TypeError, match="expand: sizes must be ints"):
        mg.ones(2, 1).expand(2, 1.5)


def test_t_transposes_at_most_two_dimensions():
    t = mg.tensor(X)
    assert t.t().shape == (3, 2) and mg.t(t).tolist() == X.T.tolist()
    assert mg.tensor([1.0, 2.0]).t().tolist() == [1.0, 2.0] and mg.tensor(3.0).t().shape == ()
    with pytest.raises(ValueError, match=r"t: expects a tensor with at most 2 dimensions, got shape \(2, 2, 2\)"):
        mg.ones(2, 2, 2).t()


def test_clone_is_a_differentiable_copy():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.requires_grad and y.op == "clone" and y.data is not x.data
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    (y * 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    y2 = mg.clone(mg.tensor([1, 2]))
    assert y2.dtype == np.int64 and not y2.requires_grad
    z = y.detach()
    z.data[0] = 9.0
    assert x.tolist() == [1.0, 2.0]  # the clone owns its data


def test_numel_cat_and_conversions():
    t = mg.tensor(X)
    assert t.numel() == 6 and mg.numel(mg.tensor(1.0)) == 1 and mg.ones(0, 3).numel() == 0
    assert mg.cat is mg.concat and mg.cat([t, t], dim=1).shape == (2, 6)
    x = mg.tensor([-1.7, 0.0, 2.9])
    assert x.long().dtype == np.int64 and x.long().tolist() == [-1, 0, 2]
    assert x.int().dtype == np.int32 and x.int().tolist() == [-1, 0, 2]
    assert x.bool().dtype == np.bool_ and x.bool().tolist() == [True, False, True]
    assert x.double().dtype == np.float64 and mg.tensor([1, 2]).float().dtype == np.float32
    assert x.tolist() == pytest.approx([-1.7, 0.0, 2.9])
    w = mg.tensor([1.5], requires_grad=True)
    assert not w.long().requires_grad  # integers carry no gradient


def test_size_is_a_number_and_calling_it_says_what_to_write():
    t = mg.ones(2, 3)
    assert t.size == 6 and isinstance(t.size, int) and t.size + 1 == 7
    with pytest.raises(TypeError, match=r"for PyTorch's x.size\(\) write x.shape, for x.size\(d\) write x.shape\[d\]"):
        t.size(1)


def test_clamp_is_clip_the_out_of_place_twin_of_clamp_():
    x = mg.tensor([-2.0, 0.5, 3.0], dtype="float64", requires_grad=True)
    np.testing.assert_array_equal(x.clamp(min=-1.0, max=1.0).numpy(), [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(x.clamp(min=0.0).numpy(), [0.0, 0.5, 3.0])
    np.testing.assert_array_equal(mg.clamp(x, max=0.0).numpy(), [-2.0, 0.0, 0.0])
    assert x.data.tolist() == [-2.0, 0.5, 3.0]  # out of place
    check_gradients(lambda a: a.clamp(-1.0, 1.0), [np.array([-2.0, 0.5, 3.0])])
    with mg.no_grad():
        y = mg.tensor([-2.0, 0.5]).clamp_(min=0.0)
    np.testing.assert_array_equal(y.numpy(), [0.0, 0.5])

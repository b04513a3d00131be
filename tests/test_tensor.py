import numpy as np
import pytest

import minigrad as mg
from minigrad import Tensor


def test_default_dtypes():
    assert mg.tensor([1.0, 2.0]).dtype == np.float32
    assert mg.tensor(np.array([1.0], dtype=np.float64)).dtype == np.float32
    assert mg.tensor([1.0], dtype="float64").dtype == np.float64
    assert mg.tensor([1.0], dtype=mg.float64).dtype == np.float64
    assert mg.tensor([1, 2]).dtype == np.int64
    assert mg.tensor([True, False]).dtype == np.bool_
    assert Tensor([[1.0]], requires_grad=True).requires_grad


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = mg.tensor(a)
    a[0] = 100.0
    assert t.numpy()[0] == 1.0
    u = mg.tensor(t)
    assert u.data is not t.data and not u.requires_grad


def test_unsupported_dtypes_are_rejected_clearly():
    with pytest.raises(TypeError, match="float32 .*or float64"):
        mg.tensor([1.0], dtype="float16")
    with pytest.raises(TypeError, match="cannot make a tensor"):
        mg.tensor(["a", "b"])
    with pytest.raises(TypeError, match="unsupported dtype"):
        mg.tensor([1.0], dtype="complex64")
    with pytest.raises(TypeError, match="unsupported dtype"):
        mg.tensor([1.0], dtype="not-a-dtype")


def test_attributes():
    t = mg.zeros(2, 3, requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6
    assert t.device == "cpu" and t.is_leaf and t.grad is None
    assert t.requires_grad and t.grad_fn is None
    u = t * 2.0
    assert not u.is_leaf and u.grad_fn.name == "mul"


@pytest.mark.parametrize(
    "make,shape,value",
    [
        (lambda **k: mg.zeros(2, 3, **k), (2, 3), 0.0),
        (lambda **k: mg.ones((2, 3), **k), (2, 3), 1.0),
        (lambda **k: mg.full((2, 2), 7.0, **k), (2, 2), 7.0),
        (lambda **k: mg.full(3, -1.0, **k), (3,), -1.0),
    ],
)
def test_constant_creation(make, shape, value):
    t = make(requires_grad=True, dtype="float64")
    assert t.shape == shape and t.dtype == np.float64 and t.requires_grad
    assert np.all(t.numpy() == value)
    assert make().dtype == np.float32


def test_random_creation_is_seeded():
    mg.manual_seed(7)
    a, b = mg.randn(100, 50), mg.rand(3)
    mg.manual_seed(7)
    np.testing.assert_array_equal(a.numpy(), mg.randn(100, 50).numpy())
    np.testing.assert_array_equal(b.numpy(), mg.rand(3).numpy())
    assert abs(a.numpy().mean()) < 0.05 and abs(a.numpy().std() - 1) < 0.05
    r = mg.rand(1000).numpy()
    assert r.min() >= 0 and r.max() < 1
    with pytest.raises(ValueError, match="non-negative integer"):
        mg.manual_seed(-1)


def test_arange_eye_like():
    assert mg.arange(5).dtype == np.int64
    np.testing.assert_array_equal(mg.arange(1.0, 2.0, 0.5).numpy(), [1.0, 1.5])
    assert mg.arange(3, dtype="float64").dtype == np.float64
    np.testing.assert_array_equal(mg.eye(2).numpy(), np.eye(2))
    assert mg.eye(2, 3).shape == (2, 3)
    x = mg.ones(2, dtype="float64")
    assert mg.zeros_like(x).dtype == np.float64 and mg.ones_like(x).shape == (2,)
    with pytest.raises(ValueError, match="negative dimension"):
        mg.zeros(-1, 2)
    with pytest.raises(ValueError, match="step"):
        mg.arange(0, 3, 0)


def test_item_numpy_tolist_and_python_conversions():
    t = mg.tensor([[1.5]])
    assert t.item() == 1.5 and float(t) == 1.5 and int(t) == 1 and bool(t)
    assert mg.tensor([1.0, 2.0]).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        mg.tensor([1.0, 2.0]).item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(mg.tensor([1.0, 2.0]))


def test_len_and_iteration():
    t = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert len(t) == 2
    rows = list(t)
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    sum(r.sum() for r in rows).backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones((2, 2)))
    with pytest.raises(TypeError, match="0-d"):
        len(mg.tensor(1.0))


def test_repr_shows_values_and_graph_information():
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert "requires_grad=True" in repr(mg.ones(2, requires_grad=True))
    assert "op='mul'" in repr(mg.ones(2, requires_grad=True) * 2.0)
    assert "dtype=float64" in repr(mg.ones(2, dtype="float64"))


def test_tensors_are_hashable_by_identity():
    a, b = mg.ones(2), mg.ones(2)
    assert len({a, b}) == 2
    assert {a: 1}[a] == 1


def test_numpy_array_on_the_left_defers_to_tensor():
    out = np.ones(2) * mg.tensor([2.0, 3.0], requires_grad=True)
    assert isinstance(out, Tensor) and out.requires_grad


def test_requires_grad_underscore():
    t = mg.ones(2)
    assert t.requires_grad_() is t and t.requires_grad
    u = t * 2.0
    with pytest.raises(RuntimeError, match="detach"):
        u.requires_grad_(False)


def test_any_all():
    t = mg.tensor([0.0, 1.0])
    assert (t > 0).any().item() and not (t > 0).all().item()


def test_constant_wraps_an_array_outside_any_graph():
    import numpy as np

    a = np.arange(3.0)
    c = mg.Tensor.constant(a)
    assert c.data is a and not c.requires_grad and c.is_leaf
    assert mg.Tensor.constant(np.float64(2.0)).shape == ()
    assert mg.Tensor.constant(a > 0, dtype="float32").dtype == np.float32


def test_a_tensor_from_a_list_of_tensors_takes_their_values():
    # collecting per-batch losses and making one tensor of them, as in PyTorch
    x = mg.tensor([1.0, 3.0], requires_grad=True)
    t = mg.tensor([x.max(), x.min()])
    assert t.dtype == mg.float32 and not t.requires_grad
    np.testing.assert_array_equal(t.numpy(), [3.0, 1.0])
    np.testing.assert_array_equal(mg.tensor([[x, x]]).numpy(), [[[1.0, 3.0], [1.0, 3.0]]])
    assert mg.tensor([mg.tensor(1), 2]).dtype == np.int64
    with pytest.raises(TypeError, match="cannot make a tensor"):
        mg.tensor(["a"])


def test_a_tensor_made_from_a_tensor_keeps_its_dtype():
    from minigrad import nn

    t64 = mg.tensor([1.0, 2.0], dtype="float64")
    p = nn.Parameter(t64)
    assert p.dtype == np.float64 and mg.tensor(t64).dtype == np.float64
    p.data[0] = 5.0  # a copy, as before
    assert t64.tolist() == [1.0, 2.0]
    assert mg.tensor(t64, dtype="float32").dtype == np.float32
    assert mg.tensor(np.array([1.0])).dtype == np.float32  # NumPy's float64 data still become the default

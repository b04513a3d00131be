"""linspace, randint, empty, full_like, rand_like, randn_like."""

import numpy as np
import pytest

import minigrad as mg


def test_linspace_follows_numpy_and_takes_steps():
    np.testing.assert_allclose(mg.linspace(0, 1, 5).numpy(), np.linspace(0, 1, 5))
    assert mg.linspace(0, 1, 5).dtype == mg.float32
    out = mg.linspace(-1, 1, 4, endpoint=False, dtype="float64")
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.numpy(), np.linspace(-1, 1, 4, endpoint=False))
    assert mg.linspace(2, 3).shape == (50,) and mg.linspace(0, 10, steps=11).tolist()[3] == 3.0
    assert mg.linspace(0, 1, 3, requires_grad=True).requires_grad
    with pytest.raises(ValueError, match="linspace: num must be a non-negative int"):
        mg.linspace(0, 1, -1)
    with pytest.raises(TypeError, match="linspace: got both num= and steps="):
        mg.linspace(0, 1, 3, steps=4)


def test_randint_numpy_and_pytorch_argument_orders():
    mg.manual_seed(0)
    a = mg.randint(3, 7, (200,))
    assert a.dtype == np.int64 and a.shape == (200,) and a.numpy().min() >= 3 and a.numpy().max() <= 6
    assert set(a.tolist()) == {3, 4, 5, 6}
    b = mg.randint(5, (2, 3))  # PyTorch: randint(high, size)
    assert b.shape == (2, 3) and 0 <= b.numpy().min() and b.numpy().max() < 5
    assert mg.randint(5, size=4).shape == (4,) and mg.randint(5).shape == () == mg.randint(5, size=None).shape
    assert mg.randint(0, 2, (3,), dtype="int32").dtype == np.int32
    mg.manual_seed(1)
    first = mg.randint(0, 100, (5,)).tolist()
    mg.manual_seed(1)
    assert mg.randint(0, 100, (5,)).tolist() == first  # drawn from the seeded generator
    with pytest.raises(ValueError, match=r"randint: high \(2\) must be greater than low \(2\)"):
        mg.randint(2, 2)


def test_empty_and_full_like():
    e = mg.empty(2, 3)
    assert e.shape == (2, 3) and e.dtype == mg.float32 and mg.empty((4,), dtype="int64").dtype == np.int64
    x = mg.tensor([[1, 2], [3, 4]])
    f = mg.full_like(x, 7)
    assert f.dtype == np.int64 and f.tolist() == [[7, 7], [7, 7]]
    g = mg.full_like(x, 0.5, dtype="float64", requires_grad=True)
    assert g.dtype == np.float64 and g.requires_grad and g.tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_rand_like_and_randn_like():
    x = mg.zeros(3, 4, dtype="float64")
    mg.manual_seed(0)
    u = mg.rand_like(x)
    assert u.shape == (3, 4) and u.dtype == np.float64 and 0 <= u.numpy().min() and u.numpy().max() < 1
    mg.manual_seed(0)
    assert mg.rand_like(x).tolist() == u.tolist()
    n = mg.randn_like(x, dtype="float32", requires_grad=True)
    assert n.dtype == mg.float32 and n.requires_grad and n.shape == (3, 4)
    assert mg.randn_like(mg.tensor([1, 2]), dtype="float32").dtype == mg.float32
    with pytest.raises(TypeError, match="randn_like: random floats need a floating dtype, got int64"):
        mg.randn_like(mg.tensor([1, 2]))
    with pytest.raises(TypeError, match="rand_like: random floats need a floating dtype"):
        mg.rand_like(mg.tensor([True]))


def test_creation_takes_0d_tensors_where_it_takes_numbers():
    # linspace(x.min(), x.max(), n) is how a plot's grid is made; NumPy alone would build an object array
    x = mg.tensor([1.0, 3.0])
    grid = mg.linspace(x.min(), x.max(), 3)
    assert grid.dtype == mg.float32
    np.testing.assert_array_equal(grid.numpy(), [1.0, 2.0, 3.0])
    r = mg.arange(x.max())
    assert r.dtype == mg.float32
    np.testing.assert_array_equal(r.numpy(), [0.0, 1.0, 2.0])
    n = mg.tensor(4)
    assert mg.arange(n).dtype == np.int64 and mg.arange(n).tolist() == [0, 1, 2, 3]
    np.testing.assert_array_equal(mg.arange(0, x.max(), 1.5).numpy(), [0.0, 1.5])
    assert mg.eye(mg.tensor(2)).shape == (2, 2)
    draw = mg.randint(0, mg.tensor(3), (50,)).numpy()
    assert draw.dtype == np.int64 and draw.min() >= 0 and draw.max() < 3


def test_full_takes_its_dtype_from_the_value_as_pytorch_does():
    assert mg.full((2,), 3).dtype == np.int64 and mg.full((2,), 3).tolist() == [3, 3]
    assert mg.full((2,), True).dtype == np.bool_
    assert mg.full((2,), 2.5).dtype == mg.float32
    assert mg.full((2,), 3, dtype="float64").dtype == np.float64

"""TensorDataset, and DataLoader over any dataset (len and [i])."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader, TensorDataset

X = np.arange(20, dtype=np.float64).reshape(10, 2)
Y = np.arange(10) % 3


def test_tensor_dataset_indexes_every_array_together():
    ds = TensorDataset(X, mg.tensor(Y), [[i] for i in range(10)])
    assert len(ds) == 10
    x3, y3, z3 = ds[3]
    np.testing.assert_array_equal(x3, X[3])
    assert y3 == Y[3] and z3.tolist() == [3]
    xs, ys, _ = ds[np.array([4, 0, 9])]
    np.testing.assert_array_equal(xs, X[[4, 0, 9]])
    np.testing.assert_array_equal(ys, Y[[4, 0, 9]])
    assert ds[-1][1] == Y[-1]
    assert all(isinstance(a, np.ndarray) for a in ds.arrays)
    assert repr(ds) == "TensorDataset((10, 2), (10,), (10, 1))"


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"same first dimension.*\(10, 2\), \(9,\)"):
        TensorDataset(X, Y[:9])
    with pytest.raises(ValueError, match="at least one array"):
        TensorDataset()
    with pytest.raises(ValueError, match="array 1 must have a sample axis"):
        TensorDataset(X, np.float64(2.0))
    with pytest.raises(IndexError, match="index 10 is out of range for 10 samples"):
        TensorDataset(X)[10]


def test_loader_over_a_tensor_dataset_yields_tuples_like_the_array_form():
    ds = TensorDataset(X, Y)
    from_dataset = list(DataLoader(ds, batch_size=4, shuffle=True, seed=1))
    from_arrays = list(DataLoader(X, Y, batch_size=4, shuffle=True, seed=1))
    assert len(from_dataset) == 3
    for (xa, ya), (xb, yb) in zip(from_dataset, from_arrays):
        np.testing.assert_array_equal(xa.numpy(), xb.numpy())
        np.testing.assert_array_equal(ya.numpy(), yb.numpy())
        assert xa.dtype == np.float32 and ya.dtype == np.int64
    (xb,) = next(iter(DataLoader(TensorDataset(X), batch_size=3)))  # a one-array dataset gives 1-tuples
    np.testing.assert_array_equal(xb.numpy(), X[:3])


class Squares:
    """A dataset written by hand: sample i is (a 2×2 image of i, i², a label)."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return np.full((2, 2), float(i)), i * i, i % 2


class Plain:
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return np.array([i, -i], dtype=np.float64)


def test_loader_collates_any_dataset_with_np_stack():
    batches = list(DataLoader(Squares(), batch_size=3))
    assert [b[0].shape for b in batches] == [(3, 2, 2), (3, 2, 2), (1, 2, 2)]
    images, squares, labels = batches[1]
    np.testing.assert_array_equal(images.numpy()[:, 0, 0], [3.0, 4.0, 5.0])
    assert squares.tolist() == [9, 16, 25] and labels.tolist() == [1, 0, 1]
    seen = np.concatenate([b[1].numpy() for b in DataLoader(Squares(), batch_size=2, shuffle=True, seed=0)])
    assert sorted(seen.tolist()) == [i * i for i in range(7)]
    assert len(DataLoader(Squares(), batch_size=2, drop_last=True)) == 3
    plain = list(DataLoader(Plain(), batch_size=2))
    assert all(isinstance(b, mg.Tensor) for b in plain)
    np.testing.assert_array_equal(plain[2].numpy(), [[4.0, -4.0]])


def test_loader_over_a_dataset_rejects_y_and_empty_datasets():
    with pytest.raises(ValueError, match="y must be None when the first argument is a dataset"):
        DataLoader(Squares(), Y)

    class Empty:
        def __len__(self):
            return 0

        def __getitem__(self, i):
            raise IndexError(i)

    with pytest.raises(ValueError, match="dataset Empty has no samples"):
        DataLoader(Empty())

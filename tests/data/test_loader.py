"""DataLoader: batch shapes and dtypes, partial batches, drop_last, shuffling per epoch, seeding, errors."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader

X = np.arange(20.0).reshape(10, 2)  # row i is [2i, 2i+1]
Y = np.arange(10)


def rows(batches):
    """The sample ids seen, batch by batch."""
    return [(xb.numpy()[:, 0] // 2).astype(int).tolist() for xb, _ in batches]


def test_batches_in_order_with_a_partial_last_batch():
    loader = DataLoader(X, Y, batch_size=4)
    assert len(loader) == 3
    batches = list(loader)
    assert [tuple(xb.shape) for xb, _ in batches] == [(4, 2), (4, 2), (2, 2)]
    assert [tuple(yb.shape) for _, yb in batches] == [(4,), (4,), (2,)]
    for xb, yb in batches:
        assert isinstance(xb, mg.Tensor) and isinstance(yb, mg.Tensor)
        assert xb.dtype == np.float32 and yb.dtype == np.int64
        assert not xb.requires_grad
    assert rows(batches) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    np.testing.assert_array_equal(batches[2][1].numpy(), [8, 9])


def test_drop_last():
    loader = DataLoader(X, Y, batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [tuple(xb.shape) for xb, _ in loader] == [(4, 2), (4, 2)]
    assert len(DataLoader(X, Y, batch_size=5, drop_last=True)) == 2
    assert len(DataLoader(X, Y, batch_size=11, drop_last=True)) == 0
    assert list(DataLoader(X, Y, batch_size=11, drop_last=True)) == []


@pytest.mark.parametrize("n, m", [(10, 1), (10, 3), (10, 10), (10, 32), (7, 2)])
def test_len_is_the_number_of_batches(n, m):
    loader = DataLoader(np.zeros((n, 1)), batch_size=m)
    assert len(loader) == -(-n // m) == len(list(loader))
    assert sum(xb.shape[0] for xb in loader) == n


def test_x_only():
    batches = list(DataLoader(X, batch_size=6))
    assert all(isinstance(b, mg.Tensor) for b in batches)
    assert [b.shape for b in batches] == [(6, 2), (4, 2)]


def test_shuffle_covers_every_sample_once_and_pairs_x_with_y():
    for xb, yb in DataLoader(X, Y, batch_size=3, shuffle=True, seed=0):
        np.testing.assert_array_equal(xb.numpy()[:, 0] // 2, yb.numpy())
    seen = sum(rows(DataLoader(X, Y, batch_size=3, shuffle=True, seed=0)), [])
    assert sorted(seen) == list(range(10)) and seen != list(range(10))


def test_reshuffles_every_epoch_repeatably_for_a_seed():
    a = DataLoader(X, Y, batch_size=4, shuffle=True, seed=7)
    epochs_a = [rows(a) for _ in range(3)]
    assert epochs_a[0] != epochs_a[1] != epochs_a[2]  # a new order each epoch
    b = DataLoader(X, Y, batch_size=4, shuffle=True, seed=7)
    assert [rows(b) for _ in range(3)] == epochs_a  # the same sequence of epochs
    c = DataLoader(X, Y, batch_size=4, shuffle=True, seed=8)
    assert rows(c) != epochs_a[0]


def test_seed_none_follows_manual_seed():
    mg.manual_seed(0)
    first = [rows(DataLoader(X, Y, batch_size=4, shuffle=True)) for _ in range(2)]
    mg.manual_seed(0)
    loader = DataLoader(X, Y, batch_size=4, shuffle=True)
    assert [rows(loader) for _ in range(2)] == first


def test_no_shuffle_is_the_same_every_epoch():
    loader = DataLoader(X, Y, batch_size=4, seed=3)
    assert rows(loader) == rows(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_accepts_tensors_lists_and_float_targets():
    loader = DataLoader(mg.tensor(X, requires_grad=True), mg.tensor(Y.astype(np.float64)), batch_size=5)
    xb, yb = next(iter(loader))
    assert not xb.requires_grad and yb.dtype == np.float32
    np.testing.assert_array_equal(xb.numpy(), X[:5])
    xb, yb = next(iter(DataLoader([[1.0, 2.0], [3.0, 4.0]], [0, 1], batch_size=2)))
    assert xb.shape == (2, 2) and yb.tolist() == [0, 1]
    images = DataLoader(np.zeros((9, 8, 8)), batch_size=4)
    assert [b.shape for b in images] == [(4, 8, 8), (4, 8, 8), (1, 8, 8)]


def test_repr_and_attributes():
    loader = DataLoader(X, Y, batch_size=4, shuffle=True, seed=0)
    assert loader.n_samples == 10 and loader.batch_size == 4
    assert repr(loader) == "DataLoader(n_samples=10, batch_size=4, shuffle=True, drop_last=False, batches=3)"


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": 0}, "batch_size=0"),
    ({"batch_size": 2.5}, "batch_size=2.5"),
    ({"batch_size": True}, "batch_size=True"),
    ({"shuffle": 1}, "shuffle=1"),
    ({"drop_last": "yes"}, "drop_last='yes'"),
    ({"seed": -1}, "seed=-1"),
])
def test_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(X, Y, **kwargs)


def test_data_errors():
    with pytest.raises(ValueError, match=r"len\(X\)=10 and len\(y\)=9"):
        DataLoader(X, Y[:9])
    with pytest.raises(ValueError, match="no samples"):
        DataLoader(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="scalar"):
        DataLoader(np.float64(3.0))


def test_a_dataset_of_dict_samples_is_collated_key_by_key():
    class Records:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full(2, float(i)), "y": i}

    batches = list(DataLoader(Records(), batch_size=2))
    assert [sorted(b) for b in batches] == [["x", "y"]] * 3
    np.testing.assert_array_equal(batches[0]["x"].numpy(), [[0.0, 0.0], [1.0, 1.0]])
    assert batches[2]["y"].tolist() == [4] and batches[2]["y"].dtype == np.int64


def test_a_list_of_sample_pairs_is_a_dataset_as_in_pytorch():
    pairs = [(np.full(3, float(i)), i % 2) for i in range(5)]
    batches = [(xb.shape, yb.tolist()) for xb, yb in DataLoader(pairs, batch_size=2)]
    assert batches == [((2, 3), [0, 1]), ((2, 3), [0, 1]), ((1, 3), [0])]
    # a list that is one array stays the array X
    assert [xb.shape for xb in DataLoader([[1.0, 2.0], [3.0, 4.0]], batch_size=1)] == [(1, 2), (1, 2)]


def test_samples_of_different_shapes_are_a_clear_dataloader_error():
    ragged = [(np.ones(2), 0), (np.ones(3), 1)]
    with pytest.raises(ValueError, match=r"DataLoader: cannot stack the samples \[0\].*\(2,\), \(3,\)"):
        list(DataLoader(ragged, batch_size=2))

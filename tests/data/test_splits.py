"""train_val_test_split, kfold, stratified_kfold: sizes, partitions, stratification, seeds, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.data import kfold, stratified_kfold, train_val_test_split
from minigrad.data.splits import _controlled_rounding


def ids_data(n, d=3):
    """X whose first column is the sample id, so splits can be traced back."""
    X = np.zeros((n, d))
    X[:, 0] = np.arange(n)
    return X


def split_ids(splits):
    return [s[0][:, 0].astype(int) for s in splits]


# --------------------------------------------------------------------- train/val/test
def test_default_ratios_sizes_and_partition():
    X, y = ids_data(100), np.arange(100) % 4
    splits = train_val_test_split(X, y, seed=0)
    assert [len(s[0]) for s in splits] == [60, 20, 20]
    ids = split_ids(splits)
    np.testing.assert_array_equal(np.sort(np.concatenate(ids)), np.arange(100))  # none lost, none twice
    for (Xs, ys), i in zip(splits, ids):
        np.testing.assert_array_equal(ys, y[i])  # rows of X and y stay paired
        assert Xs.shape[1:] == (3,)
    assert not np.array_equal(ids[0], np.sort(ids[0]))  # shuffled


def test_sizes_round_within_one_sample():
    X, y = ids_data(7), np.zeros(7)
    sizes = [len(s[0]) for s in train_val_test_split(X, y, seed=0)]
    assert sizes == [4, 2, 1] or sizes == [4, 1, 2]
    assert sum(sizes) == 7


def test_zero_validation_ratio_gives_an_empty_validation_set():
    X, y = ids_data(10), np.arange(10)
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(X, y, ratios=(0.8, 0.0, 0.2), seed=0)
    assert len(X_tr) == 8 and len(X_te) == 2
    assert X_va.shape == (0, 3) and y_va.shape == (0,)


def test_accepts_lists_tensors_and_one_hot_targets():
    X = mg.tensor(np.arange(20.0).reshape(10, 2))
    y = np.eye(2)[np.arange(10) % 2]
    (X_tr, y_tr), _, _ = train_val_test_split(X, y, seed=0)
    assert isinstance(X_tr, np.ndarray) and X_tr.shape == (6, 2) and y_tr.shape == (6, 2)
    (X_tr, y_tr), _, _ = train_val_test_split([[1.0]] * 5, [0, 1, 0, 1, 0], ratios=(0.6, 0.2, 0.2), seed=0)
    assert X_tr.shape == (3, 1)


def test_stratified_split_keeps_an_imbalanced_90_10_ratio():
    y = np.array([0] * 90 + [1] * 10)
    X = ids_data(100)
    for seed in range(5):
        splits = train_val_test_split(X, y, stratify=True, seed=seed)
        minority = [int((ys == 1).sum()) for _, ys in splits]
        assert minority == [6, 2, 2]
        assert [len(ys) for _, ys in splits] == [60, 20, 20]
        assert (np.diff(splits[0][1]) < 0).any()  # classes mixed, not gathered in blocks
        np.testing.assert_array_equal(np.sort(np.concatenate(split_ids(splits))), np.arange(100))


def test_without_stratification_a_rare_class_can_go_missing():
    y = np.array([0] * 95 + [1] * 5)
    missing = 0
    for seed in range(30):
        _, (_, y_va), (_, y_te) = train_val_test_split(ids_data(100), y, seed=seed)
        missing += int((y_va == 1).sum() == 0 or (y_te == 1).sum() == 0)
    assert missing > 0  # this is why stratify exists


@given(
    counts=st.lists(st.integers(0, 30), min_size=1, max_size=6).filter(lambda c: sum(c) >= 10),
    ratios=st.sampled_from([(0.6, 0.2, 0.2), (0.7, 0.15, 0.15), (0.5, 0.0, 0.5), (0.34, 0.33, 0.33), (0.8, 0.1, 0.1)]),
    seed=st.integers(0, 1000),
)
def test_stratified_counts_are_within_one_sample_per_class(counts, ratios, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    splits = train_val_test_split(ids_data(n), y, ratios=ratios, stratify=True, seed=seed)
    for (_, ys), r in zip(splits, ratios):
        assert math.floor(n * r - 1e-9) <= len(ys) <= math.ceil(n * r + 1e-9)
        for c, n_c in enumerate(counts):
            assert abs((ys == c).sum() - n_c * r) < 1 + 1e-9
    np.testing.assert_array_equal(np.sort(np.concatenate(split_ids(splits))), np.arange(n))


def test_controlled_rounding_bounds():
    rng = np.random.default_rng(0)
    for _ in range(300):
        counts = rng.integers(0, 25, size=rng.integers(1, 8))
        ratios = rng.dirichlet(np.ones(3))
        table = _controlled_rounding(counts, ratios)
        exact = np.outer(counts, ratios)
        np.testing.assert_array_equal(table.sum(axis=1), counts)
        assert (np.abs(table - exact) < 1 + 1e-9).all()
        assert (np.abs(table.sum(axis=0) - exact.sum(axis=0)) < 1 + 1e-9).all()
    # a single class: the largest remainders get the extra sample
    np.testing.assert_array_equal(_controlled_rounding([7], np.array([0.6, 0.2, 0.2])), [[4, 2, 1]])
    np.testing.assert_array_equal(_controlled_rounding([9], np.array([0.5, 0.3, 0.2])), [[4, 3, 2]])


def test_split_seeding():
    X, y = ids_data(50), np.arange(50) % 2
    a = split_ids(train_val_test_split(X, y, seed=3))
    b = split_ids(train_val_test_split(X, y, seed=3))
    c = split_ids(train_val_test_split(X, y, seed=4))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[0], c[0])
    mg.manual_seed(1)
    d = split_ids(train_val_test_split(X, y))
    mg.manual_seed(1)
    e = split_ids(train_val_test_split(X, y))
    assert all(np.array_equal(u, v) for u, v in zip(d, e))


@pytest.mark.parametrize(
    "ratios, match",
    [
        ((0.6, 0.2, 0.3), "sum to 1"),
        ((0.8, 0.2), "3-tuple"),
        ((1.0, 0.0, 0.0), "positive"),
        ((0.0, 0.5, 0.5), "positive"),
        ((0.7, -0.1, 0.4), "positive"),
        ((0.6, "0.2", 0.2), "finite numbers"),
        ((0.6, float("nan"), 0.2), "finite numbers"),
        (0.6, "3-tuple"),
    ],
)
def test_bad_ratios(ratios, match):
    with pytest.raises(ValueError, match=match):
        train_val_test_split(ids_data(10), np.zeros(10), ratios=ratios)


def test_split_errors():
    with pytest.raises(ValueError, match=r"len\(X\)=10 and len\(y\)=9"):
        train_val_test_split(ids_data(10), np.zeros(9))
    with pytest.raises(ValueError, match="too few samples: n=3 .*test"):
        train_val_test_split(ids_data(3), np.zeros(3), seed=0)
    with pytest.raises(ValueError, match="too few samples: n=1"):
        train_val_test_split(ids_data(1), np.zeros(1))
    with pytest.raises(ValueError, match="1-D class labels"):
        train_val_test_split(ids_data(10), np.zeros((10, 2)), stratify=True)
    with pytest.raises(ValueError, match="stratify='yes'"):
        train_val_test_split(ids_data(10), np.zeros(10), stratify="yes")
    with pytest.raises(ValueError, match="seed=-2"):
        train_val_test_split(ids_data(10), np.zeros(10), seed=-2)


# --------------------------------------------------------------------- k-fold
@pytest.mark.parametrize("n, k", [(10, 5), (11, 3), (7, 7), (100, 10), (2, 2)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_kfold_partitions_the_indices(n, k, shuffle):
    folds = list(kfold(n, k, shuffle=shuffle, seed=0))
    assert len(folds) == k
    val = [v for _, v in folds]
    np.testing.assert_array_equal(np.sort(np.concatenate(val)), np.arange(n))  # each index validated once
    sizes = [len(v) for v in val]
    assert max(sizes) - min(sizes) <= 1
    for train, v in folds:
        assert train.dtype == np.int64 and v.dtype == np.int64
        assert len(np.intersect1d(train, v)) == 0
        np.testing.assert_array_equal(np.sort(np.concatenate([train, v])), np.arange(n))


def test_kfold_without_shuffle_gives_consecutive_blocks():
    folds = list(kfold(7, 3, shuffle=False))
    assert [v.tolist() for _, v in folds] == [[0, 1, 2], [3, 4], [5, 6]]
    assert folds[0][0].tolist() == [3, 4, 5, 6]


def test_kfold_seeding():
    first = [v.tolist() for _, v in kfold(20, 4, seed=1)]
    assert first == [v.tolist() for _, v in kfold(20, 4, seed=1)]
    assert first != [v.tolist() for _, v in kfold(20, 4, seed=2)]
    mg.manual_seed(0)
    a = [v.tolist() for _, v in kfold(20, 4)]
    mg.manual_seed(0)
    assert a == [v.tolist() for _, v in kfold(20, 4)]


@pytest.mark.parametrize("n, k, match", [(10, 1, "k=1"), (10, 11, "k=11 folds need at least k samples, got n=10"),
                                         (1, 1, "n=1"), (10, 2.0, "k=2.0"), (10.0, 2, "n=10.0")])
def test_kfold_errors_are_raised_at_the_call(n, k, match):
    with pytest.raises(ValueError, match=match):
        kfold(n, k)  # not only when iterated
    with pytest.raises(ValueError, match="shuffle"):
        kfold(10, 2, shuffle="no")


def test_stratified_kfold_keeps_class_proportions():
    y = np.array([0] * 50 + [1] * 10 + [2] * 3)
    folds = list(stratified_kfold(y, k=5, seed=0))
    val = [v for _, v in folds]
    np.testing.assert_array_equal(np.sort(np.concatenate(val)), np.arange(len(y)))
    sizes = [len(v) for v in val]
    assert max(sizes) - min(sizes) <= 1
    for c, expected in [(0, 10), (1, 2)]:
        assert [int((y[v] == c).sum()) for v in val] == [expected] * 5
    counts2 = [int((y[v] == 2).sum()) for v in val]
    assert sorted(counts2) == [0, 0, 1, 1, 1]
    for train, v in folds:
        assert len(np.intersect1d(train, v)) == 0 and len(train) + len(v) == len(y)


def test_stratified_kfold_errors():
    with pytest.raises(ValueError, match="k=6 folds need at least k samples, got n=5"):
        stratified_kfold(np.zeros(5), k=6)
    with pytest.raises(ValueError, match="1-D"):
        stratified_kfold(np.zeros((5, 2)), k=2)

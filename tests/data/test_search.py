"""grid_search and random_search: candidates, folds, best parameters, the table, seeding, errors."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import SearchResults, grid_search, log_uniform, random_search

X = np.arange(40.0).reshape(20, 2)
Y = np.arange(20) % 2


def peaked(params, X_tr, y_tr, X_va, y_va):
    """Best at lr = 0.01, hidden = 16; a stand-in for training a model."""
    return -abs(math.log10(params["lr"]) + 2) - abs(params["hidden"] - 16) / 100


class Recorder:
    """A train_fn that remembers what it was given."""

    def __init__(self):
        self.calls = []

    def __call__(self, params, X_tr, y_tr, X_va, y_va):
        self.calls.append((dict(params), X_tr.copy(), y_tr.copy(), X_va.copy(), y_va.copy()))
        return float(len(X_va))


# --------------------------------------------------------------------- grid search
def test_grid_search_finds_the_known_best():
    res = grid_search(peaked, {"lr": [0.1, 0.01, 0.001], "hidden": [8, 16, 32]}, X, Y, k=4, seed=0)
    assert isinstance(res, SearchResults)
    assert res.best_params == {"lr": 0.01, "hidden": 16}
    assert res.best_score == pytest.approx(0.0)
    assert len(res.rows) == len(res) == 9


def test_grid_search_tries_every_combination_in_order_on_the_same_folds():
    rec = Recorder()
    res = grid_search(rec, {"a": [1, 2], "b": ["x", "y", "z"]}, X, Y, k=5, seed=0)
    tried = [c[0] for c in rec.calls[::5]]
    assert tried == [{"a": a, "b": b} for a in (1, 2) for b in ("x", "y", "z")]
    assert [row["params"] for row in res.rows] == tried
    assert len(rec.calls) == 6 * 5  # k runs per candidate
    folds = [tuple(c[3][:, 0]) for c in rec.calls[:5]]
    for start in range(0, 30, 5):  # every candidate sees the same k folds
        assert [tuple(c[3][:, 0]) for c in rec.calls[start:start + 5]] == folds
    for params, X_tr, y_tr, X_va, y_va in rec.calls[:5]:
        assert len(X_tr) == 16 and len(X_va) == 4
        assert not set(X_tr[:, 0]) & set(X_va[:, 0])
        np.testing.assert_array_equal(y_va, (X_va[:, 0] // 2) % 2)  # rows stay paired
    validated = sorted(x for c in rec.calls[:5] for x in c[3][:, 0])
    assert validated == X[:, 0].tolist()  # every sample validated once per candidate


def test_rows_hold_fold_scores_mean_std_and_rank():
    scores = iter([1.0, 3.0, 2.0, 2.0])

    def fn(params, *data):
        return next(scores)

    res = grid_search(fn, {"p": ["a", "b"]}, X, Y, k=2, seed=0)
    a, b = res.rows
    assert a["scores"] == [1.0, 3.0] and a["mean_score"] == 2.0 and a["std_score"] == 1.0
    assert b["scores"] == [2.0, 2.0] and b["std_score"] == 0.0
    assert {a["rank"], b["rank"]} == {1, 2}


def test_table_lists_params_sorted_by_mean_score():
    res = grid_search(peaked, {"lr": [0.1, 0.01, 0.001], "hidden": [16]}, X, Y, k=2, seed=0)
    text = str(res)
    lines = text.splitlines()
    assert "grid search" in lines[0] and "2-fold" in lines[0] and "3 candidates" in lines[0]
    assert lines[1].split() == ["rank", "mean_score", "std_score", "lr", "hidden"]
    assert lines[2].split()[:1] == ["1"] and lines[2].split()[3:] == ["0.01", "16"]
    means = [float(line.split()[1]) for line in lines[2:]]
    assert means == sorted(means, reverse=True)
    assert "0.1" in text and "0.001" in text
    assert [row["rank"] for row in res.ranked()] == [1, 2, 3]
    assert "best_params={'lr': 0.01, 'hidden': 16}" in repr(res)


def test_nan_scores_rank_last():
    def fn(params, *data):
        return float("nan") if params["lr"] == 1.0 else -params["lr"]

    res = grid_search(fn, {"lr": [1.0, 0.5, 0.1]}, X, Y, k=2, seed=0)
    assert res.best_params == {"lr": 0.1}
    assert res.rows[0]["rank"] == 3 and math.isnan(res.rows[0]["mean_score"])


def test_numpy_array_values_and_score_types():
    res = grid_search(lambda p, *d: np.float32(-abs(p["lr"] - 0.01)), {"lr": np.array([0.1, 0.01])}, X, Y, k=2, seed=0)
    assert res.best_params == {"lr": 0.01} and type(res.best_params["lr"]) is float
    res = grid_search(lambda p, *d: mg.tensor(float(p["n"])), {"n": range(3)}, X, Y, k=2, seed=0)
    assert res.best_params == {"n": 2}


def test_stratified_folds():
    y = np.array([0] * 16 + [1] * 4)
    rec = Recorder()
    grid_search(rec, {"p": [0]}, X, y, k=4, seed=0, stratify=True)
    assert [int(c[4].sum()) for c in rec.calls] == [1, 1, 1, 1]


def test_grid_search_seeding():
    def folds(**kw):
        rec = Recorder()
        grid_search(rec, {"p": [0]}, X, Y, k=4, **kw)
        return [tuple(c[3][:, 0]) for c in rec.calls]

    assert folds(seed=1) == folds(seed=1) != folds(seed=2)
    mg.manual_seed(0)
    a = folds()
    mg.manual_seed(0)
    assert folds() == a


# --------------------------------------------------------------------- random search
def test_random_search_finds_a_good_candidate():
    res = random_search(
        peaked, {"lr": [0.1, 0.01, 0.001], "hidden": [8, 16, 32]}, X, Y, n_iter=40, k=3, seed=0
    )
    assert len(res.rows) == 40
    assert res.best_params == {"lr": 0.01, "hidden": 16}
    assert "random search" in str(res)


def test_random_search_callables_and_log_uniform():
    rec = Recorder()
    random_search(rec, {"lr": log_uniform(1e-4, 1e-1), "depth": [1, 2], "const": lambda rng: 7},
                  X, Y, n_iter=200, k=2, seed=0)
    params = [c[0] for c in rec.calls[::2]]
    lrs = np.array([p["lr"] for p in params])
    assert lrs.min() >= 1e-4 and lrs.max() <= 1e-1
    decades = np.histogram(np.log10(lrs), bins=[-4, -3, -2, -1])[0]
    assert decades.min() > 45  # each decade about a third of 200
    assert {p["depth"] for p in params} == {1, 2}
    assert {p["const"] for p in params} == {7}


def test_random_search_seeding():
    def tried(**kw):
        rec = Recorder()
        random_search(rec, {"lr": log_uniform(1e-3, 1.0), "h": [1, 2, 3]}, X, Y, n_iter=5, k=2, **kw)
        return [(c[0]["lr"], c[0]["h"], tuple(c[3][:, 0])) for c in rec.calls]

    assert tried(seed=3) == tried(seed=3) != tried(seed=4)
    mg.manual_seed(9)
    a = tried()
    mg.manual_seed(9)
    assert tried() == a


# --------------------------------------------------------------------- errors
@pytest.mark.parametrize("grid, exc, match", [
    ({}, ValueError, "param_grid is empty"),
    ({"lr": []}, ValueError, "values of 'lr' is empty"),
    ({"lr": 0.1}, ValueError, r"values of 'lr' must be a list.*\[value\]"),
    ({"lr": "abc"}, ValueError, "must be a list"),
    ([("lr", [0.1])], ValueError, "must be a dict"),
    ({1: [0.1]}, ValueError, "names must be strings"),
])
def test_grid_errors(grid, exc, match):
    with pytest.raises(exc, match=match):
        grid_search(peaked, grid, X, Y)


def test_search_errors():
    grid = {"lr": [0.1], "hidden": [16]}
    with pytest.raises(ValueError, match="k=1"):
        grid_search(peaked, grid, X, Y, k=1)
    with pytest.raises(ValueError, match="k=21 folds need at least k samples, got 20"):
        grid_search(peaked, grid, X, Y, k=21)
    with pytest.raises(ValueError, match=r"len\(X\)=20 and len\(y\)=19"):
        grid_search(peaked, grid, X, Y[:19])
    with pytest.raises(TypeError, match="train_fn must be callable"):
        grid_search("train", grid, X, Y)
    with pytest.raises(TypeError, match="must return a number.*'lr': 0.1"):
        grid_search(lambda p, *d: "good", grid, X, Y)
    with pytest.raises(ValueError, match="n_iter=0"):
        random_search(peaked, grid, X, Y, n_iter=0)
    with pytest.raises(ValueError, match="param_distributions is empty"):
        random_search(peaked, {}, X, Y)
    with pytest.raises(ValueError, match="values of 'lr' must be a list"):
        random_search(peaked, {"lr": 0.1}, X, Y)
    with pytest.raises(ValueError, match="stratify"):
        grid_search(peaked, grid, X, Y, stratify=1)


@pytest.mark.parametrize("low, high", [(0, 1), (-1, 1), (1, 1), (2, 1), (float("nan"), 1)])
def test_log_uniform_errors(low, high):
    with pytest.raises(ValueError, match="log_uniform"):
        log_uniform(low, high)

"""Parallel search and cross-validation: local processes and a Dask cluster give the serial results.

Real engines on the loopback interface: joblib's loky processes, and a Dask
LocalCluster of two worker processes. A worker killed mid-search is replaced
(Dask) or stops the search with one clear error (local processes), within a
bounded time.
"""

import contextlib
import os
import signal
import sys
import time

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import cross_validate, grid_search, log_uniform, random_search
from minigrad.data.parallel import run_tasks, task_seed

X = np.arange(48.0).reshape(24, 2)
Y = np.arange(24) % 2
GRID = {"a": [0, 1, 2], "b": ["x", "y"]}


def noisy(params, X_tr, y_tr, X_va, y_va):
    """A score that depends on the parameters, the fold and minigrad's global generator (the task's seed)."""
    return params["a"] + 0.1 * float(X_va[:, 0].sum()) + float(mg.rng.generator().normal())


def noisy_cv(X_tr, y_tr, X_va, y_va):
    return noisy({"a": 0}, X_tr, y_tr, X_va, y_va)


def fold_scores(results):
    return [row["scores"] for row in results.rows]


class KillOnce:
    """``noisy``, but the first training of candidate a=1 kills the process that runs it."""

    def __init__(self, marker):
        self.marker = marker

    def __call__(self, params, X_tr, y_tr, X_va, y_va):
        if params["a"] == 1 and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        return noisy(params, X_tr, y_tr, X_va, y_va)


def always_die(params, X_tr, y_tr, X_va, y_va):
    os.kill(os.getpid(), signal.SIGKILL)


def sleepy(params, X_tr, y_tr, X_va, y_va):
    time.sleep(30)
    return 0.0


@pytest.fixture(scope="module")
def serial():
    return {
        "grid": grid_search(noisy, GRID, X, Y, k=3, seed=5),
        "random": random_search(noisy, {"a": [0, 1, 2], "c": log_uniform(1e-3, 1.0)}, X, Y, n_iter=4, k=3, seed=5),
        "cv": cross_validate(noisy_cv, X, Y, k=4, seed=5),
    }


# --------------------------------------------------------------------- seeding, checks
def test_each_task_has_its_own_seed_and_the_search_is_repeatable(serial):
    seeds = {task_seed(5, c, f) for c in range(6) for f in range(3)}
    assert len(seeds) == 18
    again = grid_search(noisy, GRID, X, Y, k=3, seed=5)
    assert fold_scores(again) == fold_scores(serial["grid"])
    other = grid_search(noisy, GRID, X, Y, k=3, seed=6)
    assert fold_scores(other) != fold_scores(serial["grid"])


def test_the_search_leaves_the_global_generator_alone():
    mg.manual_seed(3)
    expected = mg.rng.generator().normal()
    mg.manual_seed(3)
    grid_search(noisy, {"a": [0, 1]}, X, Y, k=2, seed=0)
    assert mg.rng.generator().normal() == expected


def test_seed_none_is_repeatable_under_manual_seed():
    mg.manual_seed(11)
    first = cross_validate(noisy_cv, X, Y, k=3)
    mg.manual_seed(11)
    assert cross_validate(noisy_cv, X, Y, k=3).scores == first.scores


def test_cross_validate_scores_mean_std(serial):
    cv = serial["cv"]
    assert len(cv.scores) == cv.k == 4
    assert cv.mean == pytest.approx(np.mean(cv.scores))
    assert cv.std == pytest.approx(np.std(cv.scores))
    sizes = cross_validate(lambda a, b, c, d: float(len(c)), X, Y, k=5, seed=0).scores
    assert sorted(sizes) == [4.0, 5.0, 5.0, 5.0, 5.0]


@pytest.mark.parametrize("kwargs, message", [
    ({"n_jobs": 0}, "n_jobs"), ({"n_jobs": 1.5}, "n_jobs"), ({"backend": "spark"}, "backend"),
    ({"timeout": -1}, "timeout"), ({"timeout": float("nan")}, "timeout"),
])
def test_bad_parallel_arguments_are_refused(kwargs, message):
    for call in (lambda: grid_search(noisy, GRID, X, Y, k=2, **kwargs),
                 lambda: cross_validate(noisy_cv, X, Y, k=2, **kwargs)):
        with pytest.raises(ValueError, match=message):
            call()


def test_a_bad_score_names_the_parameters():
    with pytest.raises(TypeError, match=r"train_fn must return a number.*'a': 0"):
        grid_search(lambda p, *arrays: "high", {"a": [0]}, X, Y, k=2)


def test_progress_bar_counts_the_trainings(capsys):
    grid_search(noisy, {"a": [0, 1]}, X, Y, k=2, seed=0, progress=True)
    err = capsys.readouterr().err
    assert "4/4 trainings" in err and "grid_search [" in err


def test_dask_backend_without_dask_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(RuntimeError, match=r"pip install minigrad\[distributed\]"):
        grid_search(noisy, GRID, X, Y, k=2, backend="dask")


def test_dask_backend_without_a_client_says_to_start_one():
    distributed = pytest.importorskip("distributed")
    try:
        distributed.get_client()
    except ValueError:
        pass  # no client: the case under test
    else:
        pytest.skip("a Dask client of another test is still active")
    with pytest.raises(RuntimeError, match="needs a running dask.distributed Client"):
        cross_validate(noisy_cv, X, Y, k=2, backend="dask")


# --------------------------------------------------------------------- local processes
def test_local_processes_give_the_serial_results(serial):
    assert fold_scores(grid_search(noisy, GRID, X, Y, k=3, seed=5, n_jobs=2)) == fold_scores(serial["grid"])
    rs = random_search(noisy, {"a": [0, 1, 2], "c": log_uniform(1e-3, 1.0)}, X, Y, n_iter=4, k=3, seed=5, n_jobs=2)
    assert [r["params"] for r in rs.rows] == [r["params"] for r in serial["random"].rows]
    assert fold_scores(rs) == fold_scores(serial["random"])
    assert cross_validate(noisy_cv, X, Y, k=4, seed=5, n_jobs=-1).scores == serial["cv"].scores


def test_a_killed_local_worker_stops_the_search_with_one_error():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="grid_search: a worker process died"):
        grid_search(always_die, {"a": [0, 1]}, X, Y, k=2, n_jobs=2, timeout=30)
    assert time.monotonic() - start < 30


def test_a_training_past_the_timeout_stops_the_search():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"longer than timeout=1 seconds"):
        run_tasks(sleepy, [({}, np.arange(2), np.arange(2, 4), 0)], X, Y, n_jobs=2, timeout=1, where="search")
    assert time.monotonic() - start < 20


# --------------------------------------------------------------------- Dask
@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, silence_logs=50)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.slow
def test_dask_cluster_gives_the_serial_results(dask_client, serial):
    assert len(dask_client.scheduler_info()["workers"]) == 2
    assert fold_scores(grid_search(noisy, GRID, X, Y, k=3, seed=5, backend="dask")) == fold_scores(serial["grid"])
    assert cross_validate(noisy_cv, X, Y, k=4, seed=5, backend="dask", n_jobs=2).scores == serial["cv"].scores


@pytest.mark.slow
def test_a_killed_dask_worker_is_replaced_and_the_results_are_the_same(dask_client, serial, tmp_path):
    marker = tmp_path / "killed"
    res = grid_search(KillOnce(str(marker)), GRID, X, Y, k=3, seed=5, backend="dask", timeout=60)
    assert marker.exists()  # a worker did die mid-search
    assert fold_scores(res) == fold_scores(serial["grid"])


class _LosingParallel:
    """Stands in for joblib.Parallel on a Dask cluster that loses work: the first ``fail``
    runs deliver two results, then fail as Dask does when a dead worker held data."""

    runs = 0

    def __init__(self, fail, **kwargs):
        self.fail = fail

    def __call__(self, jobs):
        from concurrent.futures import CancelledError

        type(self).runs += 1
        for k, (fn, args, kwargs) in enumerate(jobs):
            if type(self).runs <= self.fail and k == 2:
                raise CancelledError("batch_of__indexed_1_calls cancelled for reason: already forgotten")
            yield fn(*args, **kwargs)


@pytest.mark.parametrize("fail,finishes", [(1, True), (2, True), (3, False)])
def test_dask_work_lost_with_a_worker_is_run_again_or_stops_with_one_error(fail, finishes, serial, monkeypatch):
    import functools

    import joblib

    pytest.importorskip("distributed")
    import minigrad.data.parallel as parallel

    _LosingParallel.runs = 0
    monkeypatch.setattr(parallel, "_dask_client", lambda where: object())
    monkeypatch.setattr(joblib, "Parallel", functools.partial(_LosingParallel, fail))
    monkeypatch.setattr(joblib, "parallel_config", lambda **config: contextlib.nullcontext())
    if finishes:
        res = grid_search(noisy, GRID, X, Y, k=3, seed=5, backend="dask")
        assert fold_scores(res) == fold_scores(serial["grid"]) and _LosingParallel.runs == fail + 1
    else:
        with pytest.raises(RuntimeError, match=r"Dask workers kept dying \(CancelledError\); \d+ of 18 trainings"):
            grid_search(noisy, GRID, X, Y, k=3, seed=5, backend="dask")

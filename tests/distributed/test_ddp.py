"""Data-parallel training: gradient hooks, the sharded loader, and real MPI jobs on localhost.

The MPI cases run ``mpiexec -n 2`` (the MPICH of the environment): two processes
on half the global batch each must reach the parameters one process reaches on
the whole batch (float64, to 1e-10), and ``minigrad train --distributed`` must
write one checkpoint, the one a single process writes.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd.engine import queue_callback
from minigrad.data import DataLoader

ROOT = Path(__file__).resolve().parents[2]
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
TIMEOUT = 120


def _env():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               MPLBACKEND="Agg", NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.pop("MINIGRAD_DEBUG", None)
    return env


def mpi_run(n, args, cwd):
    pytest.importorskip("mpi4py")
    if MPIEXEC is None:
        pytest.skip("no mpiexec")
    return subprocess.run([MPIEXEC, "-n", str(n), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, env=_env())


# --------------------------------------------------------------------- engine hooks
def test_post_accumulate_hook_sees_the_accumulated_gradient_once_per_backward():
    w = mg.tensor([1.0, 2.0], requires_grad=True, dtype="float64")
    seen, ended = [], []

    def hook(t):
        seen.append(t.grad.numpy().copy())
        queue_callback(lambda: ended.append(len(seen)))

    handle = w.register_post_accumulate_grad_hook(hook)
    (w * w + w).sum().backward()  # w used three times: one hook call with the total
    np.testing.assert_allclose(seen, [[3.0, 5.0]])
    assert ended == [1]  # the callback ran after the hook, once the pass was over
    (w * w).sum().backward()
    np.testing.assert_allclose(seen[-1], [5.0, 9.0])  # accumulated on top of the first
    handle.remove()
    (w * w).sum().backward()
    assert len(seen) == 2


def test_hooks_are_for_leaves_and_callbacks_for_a_running_backward():
    w = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only a leaf"):
        (w * 2).register_post_accumulate_grad_hook(print)
    with pytest.raises(TypeError, match="hook must be callable"):
        w.register_post_accumulate_grad_hook(3)
    with pytest.raises(RuntimeError, match="no backward"):
        queue_callback(print)


# --------------------------------------------------------------------- sharded loader
@pytest.mark.parametrize("n, m, world, drop_last", [(24, 4, 2, False), (23, 3, 3, False), (30, 4, 2, True)])
def test_shards_are_disjoint_equal_slices_of_the_global_batches(n, m, world, drop_last):
    X = np.arange(float(n))[:, None]
    full = [b.numpy().ravel() for b in DataLoader(X, batch_size=m * world, shuffle=True, seed=4,
                                                  drop_last=drop_last)]
    shards = [[b.numpy().ravel() for b in DataLoader(X, batch_size=m, shuffle=True, seed=4, drop_last=drop_last,
                                                     shard=(r, world))] for r in range(world)]
    lengths = {len(s) for s in shards}
    assert len(lengths) == 1 and lengths == {len(DataLoader(X, batch_size=m, shard=(0, world),
                                                            drop_last=drop_last))}
    for b, parts in enumerate(zip(*shards)):
        assert len({len(p) for p in parts}) == 1  # equal
        joined = np.concatenate(parts)
        assert len(set(joined)) == len(joined)  # disjoint
        # the global batch, less at most world-1 samples cut to make the epoch divisible
        assert set(joined) <= set(full[b]) and len(full[b]) - len(joined) < world
    used = np.concatenate([np.concatenate(s) for s in shards])
    assert len(used) >= (n - n % world) - (m * world if drop_last else 0)


@pytest.mark.parametrize("kwargs, message", [
    ({"shard": (2, 2)}, "0 <= rank < world_size"), ({"shard": (0, 0)}, "world_size >= 1"),
    ({"shard": 2}, "pair"), ({"shard": (0, 2), "shuffle": True}, "needs an int seed"),
    ({"shard": (0, 50)}, "at least one"),
])
def test_bad_shards_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(np.zeros((10, 2)), batch_size=2, **kwargs)


def test_without_mpi4py_the_error_names_the_extra(monkeypatch):
    from minigrad.distributed import comm

    monkeypatch.setitem(sys.modules, "mpi4py", None)
    monkeypatch.setattr(comm, "_comm", None)
    with pytest.raises(RuntimeError, match=r"mpi4py.*pip install minigrad\[distributed\]"):
        comm.init()


# --------------------------------------------------------------------- real MPI jobs
def test_two_processes_match_one_process_on_the_global_batch(tmp_path):
    result = mpi_run(2, [sys.executable, str(ROOT / "tests" / "distributed" / "ddp_script.py")], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout  # rank 0 alone reports
    out = json.loads(lines[0])
    assert out["world"] == 2
    assert out["start_is_rank0"] and out["start_spread"] == 0.0
    assert out["end_spread"] == 0.0  # the copies never drift apart
    assert out["loop_diff"] < 1e-10
    assert out["fit_diff"] < 1e-10 and out["fit_loss_diff"] < 1e-10 and out["fit_accuracy_diff"] == 0.0
    assert out["unused_spread"] == 0.0 and out["unused_diff"] < 1e-12
    assert out["comm_bytes"] > 0


@pytest.mark.slow
def test_mpiexec_train_distributed_writes_the_single_process_checkpoint(tmp_path):
    entry = [sys.executable, "-c", "import cli; cli.main()"]
    args = ["train", "moons", "--epochs", "2", "--batch-size", "32", "--no-progress"]
    two = mpi_run(2, [*entry, *args, "--distributed", "--out", "two"], tmp_path)
    assert two.returncode == 0, two.stderr[-2000:]
    assert two.stdout.count("trained [2, 32, 32, 2]") == 1  # only rank 0 prints ...
    assert "data-parallel over 2 processes (16 samples each per step)" in two.stdout
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == [
        "decision_boundary.png", "learning_curves.png", "model.ckpt"]  # ... and writes
    from minigrad.train.recipe import train_on_dataset  # what `minigrad train moons ...` runs, in one process

    one = train_on_dataset("moons", epochs=2, batch_size=32, progress=False)
    a, b = one.model.state_dict(), mg.load(tmp_path / "two" / "model.ckpt")["model"]
    assert a.keys() == b.keys()
    for name in a:  # float32 weights: equal up to the order of the sums
        np.testing.assert_allclose(a[name], b[name], atol=1e-5, err_msg=name)


def test_mpiexec_train_distributed_refuses_an_indivisible_batch(tmp_path):
    result = mpi_run(2, [sys.executable, "-c", "import cli; cli.main()", "train", "moons", "--epochs", "1",
                         "--batch-size", "33", "--distributed", "--out", "run"], tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one process reports, not both
    assert "--batch-size 33 does not divide evenly among 2 processes" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()

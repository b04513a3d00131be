"""Running many independent trainings at once: local processes or a Dask cluster.

Model selection is *embarrassingly parallel*: the k · (number of candidates)
trainings of a cross-validated search share nothing but the data, so they can
run on as many processors as there are (Bergstra & Bengio 2012 make the point
for random search; Dean et al. 2012, "Large scale distributed deep networks",
call it model parallelism's easy cousin). One *task* is one training: one
candidate on one fold. :func:`run_tasks` hands the tasks to joblib:

* ``backend=None`` with ``n_jobs=1``: in this process, one after the other;
* ``backend=None`` (or ``"loky"``) with ``n_jobs > 1`` or ``-1`` (all cores):
  joblib's local worker processes (loky), each limited to one BLAS/Numba thread
  so that n workers do not fight over the cores;
* ``backend="dask"``: joblib's Dask backend, on the active
  ``dask.distributed.Client`` -- a ``LocalCluster`` or a real cluster whose
  scheduler listens at ``tcp://host:8786``. Workers that die are replaced by
  the scheduler, which reruns their tasks elsewhere.

**Same results everywhere.** Each task reseeds minigrad's global generator
from ``SeedSequence([seed, candidate, fold])`` before it trains (O'Neill 2014,
the PCG paper, on why hashing the task's coordinates into a seed gives
independent streams), so a task's weights, dropout masks and shuffles do not
depend on which worker runs it, on what ran there before, or on how many
workers there are: ``n_jobs=1``, 8 local processes and a 100-node cluster
return the same scores.

A worker *process* runs one training at a time (the global generator is one per
process, and two threads drawing from it would change each other's numbers):
give a Dask cluster worker processes with one thread each
(``dask worker ADDRESS --nworkers 8 --nthreads 1``).

A task that takes longer than ``timeout`` seconds, or a worker process that
dies (killed, out of memory), stops the search with one RuntimeError rather
than waiting forever.
"""

from __future__ import annotations

import math
import numbers
import sys
import threading
import time

import numpy as np

from minigrad import rng as _rng
from minigrad._bar import bar
from minigrad.tensor import Tensor

__all__ = ["run_tasks", "task_seed", "check_parallel"]

INSTALL_HINT = "pip install minigrad[distributed]"
_BACKENDS = (None, "loky", "dask")


def task_seed(base, candidate, fold):
    """The seed of one task: a 32-bit integer hashed from ``(base, candidate, fold)``."""
    return int(np.random.SeedSequence([int(base), int(candidate), int(fold)]).generate_state(1)[0])


def check_parallel(n_jobs, backend, timeout, where):
    """Validate ``n_jobs`` (an int >= 1, or -1 for all cores), ``backend`` and ``timeout``."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or not (n_jobs >= 1 or n_jobs == -1):
        raise ValueError(f"{where}: n_jobs must be a positive integer or -1 (all cores), got n_jobs={n_jobs!r}")
    if backend not in _BACKENDS:
        raise ValueError(f"{where}: backend must be None (local processes), 'loky' or 'dask', got backend={backend!r}")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not timeout > 0 \
                or not math.isfinite(timeout):
            raise ValueError(f"{where}: timeout must be None or a positive number of seconds, got timeout={timeout!r}")
    return int(n_jobs)


def _score(value, params, where):
    """A train_fn's return value as a float (a one-element Tensor or array is accepted)."""
    if isinstance(value, (Tensor, np.ndarray)) and value.size == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        shown = f" for params {params}" if params is not None else ""
        raise TypeError(f"{where}: train_fn must return a number (the validation score), got {value!r}{shown}")
    return float(value)


# minigrad's global generator is one per process: two trainings on two threads of one
# worker (a Dask worker with --nthreads 2) would draw from it in turn and change each
# other's numbers. A worker process therefore runs one training at a time; use more
# worker processes with one thread each instead.
_ONE_TRAINING_AT_A_TIME = threading.Lock()


def _run_one(train_fn, params, X, y, train_idx, val_idx, seed, where):
    """One training, seeded from the task's coordinates; the global generator is restored after."""
    with _ONE_TRAINING_AT_A_TIME:
        saved = _rng._generator
        _rng.manual_seed(seed)
        try:
            args = (X[train_idx], y[train_idx], X[val_idx], y[val_idx])
            value = train_fn(dict(params), *args) if params is not None else train_fn(*args)
            return _score(value, params, where)
        finally:
            _rng._generator = saved


class _TaskProgress:
    """``search [=========>..........] 12/40 trainings - 3.1s``, on a terminal only."""

    def __init__(self, total, where, enabled=None, stream=None, width=30):
        self.stream = stream or sys.stderr
        self.enabled = (self.stream.isatty() if enabled is None else bool(enabled)) and total > 1
        self.total, self.where, self.width = total, where, width
        self.start = time.perf_counter()

    def update(self, done):
        if not self.enabled:
            return
        end = "\n" if done == self.total else ""
        self.stream.write(f"\r{self.where} [{bar(done, self.total, self.width)}] {done}/{self.total} trainings"
                          f" - {time.perf_counter() - self.start:.1f}s{end}")
        self.stream.flush()


def _dask_client(where):
    """The active dask.distributed Client, or one clear error saying what is missing."""
    try:
        import distributed
    except ImportError:
        raise RuntimeError(
            f"{where}: backend='dask' needs dask.distributed, which is not installed: {INSTALL_HINT}"
        ) from None
    try:
        return distributed.get_client()
    except ValueError:
        raise RuntimeError(
            f"{where}: backend='dask' needs a running dask.distributed Client; start one first, e.g. "
            "Client(LocalCluster()) or Client('tcp://scheduler-host:8786')"
        ) from None


def run_tasks(train_fn, tasks, X, y, n_jobs=1, backend=None, timeout=None, progress=None, where="search"):
    """Run every task and return their scores, in the order of ``tasks``.

    ``tasks`` is a list of ``(params, train_idx, val_idx, seed)``; ``params`` is a
    dict passed as ``train_fn``'s first argument, or None for a ``train_fn`` that
    takes only the four arrays. The result does not depend on ``n_jobs`` or
    ``backend`` (each task seeds itself).
    """
    n_jobs = check_parallel(n_jobs, backend, timeout, where)
    bar = _TaskProgress(len(tasks), where, enabled=progress)
    scores = [None] * len(tasks)
    if backend is None and n_jobs == 1:
        for i, (params, train_idx, val_idx, seed) in enumerate(tasks):
            scores[i] = _run_one(train_fn, params, X, y, train_idx, val_idx, seed, where)
            bar.update(i + 1)
        return scores

    try:
        import joblib
    except ImportError:  # joblib is a dependency; a broken install still gets a clear line
        raise RuntimeError(f"{where}: n_jobs > 1 needs joblib: pip install joblib") from None
    if backend == "dask":
        client = _dask_client(where)
        config = dict(backend="dask", scatter=[X, y], wait_for_workers_timeout=timeout or 60)
        workers = -1 if n_jobs == 1 else n_jobs
        del client  # joblib finds the same client itself; asking first gives the clear error above
    else:
        # One thread per worker for BLAS, OpenMP and Numba (joblib sets their variables in
        # the workers): n workers with n threads each on n cores would be slower than one.
        config = dict(backend="loky", inner_max_num_threads=1)
        workers = n_jobs
    # On a Dask cluster a worker may die and take data the others need (the scattered
    # X and y): the trainings that did not finish are run again, on the workers there
    # are then, with the data sent again. Each is seeded, so the scores do not change.
    finished = [False] * len(tasks)
    pending = list(range(len(tasks)))
    rounds = _DASK_ROUNDS if backend == "dask" else 1
    for round_ in range(1, rounds + 1):
        try:
            with joblib.parallel_config(**config):
                parallel = joblib.Parallel(n_jobs=workers, timeout=timeout, return_as="generator_unordered",
                                           batch_size=1, pre_dispatch="all")
                jobs = (joblib.delayed(_indexed)(i, train_fn, *tasks[i][:1], X, y, *tasks[i][1:], where)
                        for i in pending)
                for i, score in parallel(jobs):
                    scores[i], finished[i] = score, True
                    bar.update(sum(finished))
            break
        except (TimeoutError, *_timeout_errors()) as exc:
            raise RuntimeError(
                f"{where}: a training took longer than timeout={timeout} seconds (a worker may have died or hung); "
                "the search was stopped"
            ) from exc
        except _lost_work_errors() as exc:  # Dask: a worker died with data or results the others needed
            pending = [i for i in pending if not finished[i]]
            if round_ == rounds:
                raise RuntimeError(
                    f"{where}: Dask workers kept dying ({type(exc).__name__}); {len(pending)} of {len(tasks)} "
                    f"trainings did not finish after {rounds} rounds; the search was stopped"
                ) from exc
        except _worker_death_errors() as exc:  # loky's TerminatedWorkerError, Dask's KilledWorker
            raise RuntimeError(
                f"{where}: a worker process died during the search ({type(exc).__name__}: "
                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else 'no message'}); the search was stopped"
            ) from exc
    return scores


def _indexed(i, *args):
    return i, _run_one(*args)


def _timeout_errors():
    import multiprocessing

    errors = [multiprocessing.TimeoutError]  # what joblib raises for a training past its timeout
    try:
        from concurrent.futures import TimeoutError as FuturesTimeout

        errors.append(FuturesTimeout)
    except ImportError:  # pragma: no cover - always there on Python 3
        pass
    try:
        from distributed import TimeoutError as DaskTimeout  # noqa: F401 (an alias on recent versions)

        errors.append(DaskTimeout)
    except ImportError:
        pass
    return tuple(errors)


_DASK_ROUNDS = 3  # how often a Dask search runs the trainings a dead worker lost, before it gives up


def _lost_work_errors():
    """Dask's errors for work lost with a worker (a cancelled future, data forgotten)."""
    if "distributed" not in sys.modules:
        return ()
    from concurrent.futures import CancelledError

    return (CancelledError,)


def _worker_death_errors():
    errors = []
    try:
        from joblib.externals.loky.process_executor import BrokenProcessPool, TerminatedWorkerError

        errors += [TerminatedWorkerError, BrokenProcessPool]
    except ImportError:
        pass
    try:
        from distributed.scheduler import KilledWorker

        errors.append(KilledWorker)
    except ImportError:
        pass
    return tuple(errors) or (RuntimeError,)

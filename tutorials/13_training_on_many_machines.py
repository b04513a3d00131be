# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 13. Training on many machines
#
# One training of a small network takes seconds; choosing its hyperparameters
# takes hundreds of trainings, and a large network on a large data set takes days
# on one processor. There are two different ways to use more processors, and they
# answer these two problems:
#
# 1. **Run many trainings at once** (*task parallelism*). A cross-validated grid
#    search is k × (number of candidates) trainings that share nothing but the
#    data. Hand them to as many processes as you have — on this machine, or on a
#    cluster through [Dask](https://distributed.dask.org) — and the search finishes
#    that many times sooner. The hard part is not speed but **reproducibility**: the
#    answer must not depend on which worker ran which training.
# 2. **Split one training** (*data parallelism*; Dean et al. 2012, "Large scale
#    distributed deep networks"; Goyal et al. 2017, "Accurate, large minibatch SGD").
#    N processes hold the same model; each computes the gradient on its slice of
#    the mini-batch, an **all-reduce** averages the gradients, and every process
#    takes the same step. The processes talk through MPI (the Message Passing
#    Interface), started with `mpiexec -n N`.
#
# Both need the optional extra: `pip install minigrad[distributed]` (Dask, mpi4py
# and the MPICH library with its `mpiexec`).

# %%
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.course.lessons import TUTORIALS, quick, save_figure
from minigrad.data import DataLoader, StandardScaler, cross_validate, grid_search, load_digits
from minigrad.nn import losses
from minigrad.train import fit, predict

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite sets it)
print("quick mode" if QUICK else "full mode")

X, y = load_digits()
n = 300 if QUICK else len(X)
X, y = X[:n], y[:n]
print(f"{len(X)} digits of {X.shape[1]} pixels")

# %% [markdown]
# ## 13.1 A training as a task
#
# A search calls your `train_fn(params, X_train, y_train, X_val, y_val)` once per
# candidate and fold, and keeps the validation score it returns (higher is
# better). Everything random inside — the initial weights, the shuffling, dropout —
# draws from minigrad's global generator, so the search **reseeds it before each
# training** from the training's coordinates: seed = hash(search seed, candidate,
# fold). The training then draws the same numbers wherever and whenever it runs.

# %%
EPOCHS = 3 if QUICK else 15


def train_fn(params, X_tr, y_tr, X_va, y_va):
    """Train a fresh MLP with ``params`` on the training folds; its accuracy on the validation fold."""
    scaler = StandardScaler().fit(X_tr)                   # statistics of the training folds only
    X_tr, X_va = scaler.transform(X_tr), scaler.transform(X_va)
    model = nn.MLP([64, params["hidden"], 10])
    opt = optim.Adam(model.parameters(), lr=params["lr"])
    fit(model, "cross_entropy", opt, (X_tr, y_tr), epochs=EPOCHS, batch_size=32, progress=False)
    return float(np.mean(predict(model, X_va).argmax(axis=1) == y_va))


grid = {"lr": [1e-3, 1e-2], "hidden": [16, 32]} if QUICK else {"lr": [3e-4, 1e-3, 3e-3, 1e-2], "hidden": [16, 32, 64]}
K = 2 if QUICK else 3

start = time.perf_counter()
serial = grid_search(train_fn, grid, X, y, k=K, seed=0, stratify=True)
t_serial = time.perf_counter() - start
print(serial)
print(f"\n{len(serial) * K} trainings one after the other: {t_serial:.1f} s")

# %% [markdown]
# ## 13.2 Local processes: the same answer, sooner
#
# `n_jobs=2` runs the trainings in two worker processes (joblib's *loky*
# backend; `n_jobs=-1` takes every core). Each worker is held to one BLAS and
# one Numba thread — two workers with two threads each on two cores would fight
# for them and be slower than one. The results are **identical**, number for
# number, not just close: each training was seeded by its coordinates, not by the
# order the workers happened to pick the tasks in.

# %%
start = time.perf_counter()
parallel = grid_search(train_fn, grid, X, y, k=K, seed=0, stratify=True, n_jobs=2)
t_parallel = time.perf_counter() - start
print(f"2 processes: {t_parallel:.1f} s  (serial {t_serial:.1f} s; the first parallel run also starts the workers)")
assert [row["scores"] for row in parallel.rows] == [row["scores"] for row in serial.rows]
print("same scores, fold by fold:", parallel.best_params == serial.best_params)

# %% [markdown]
# `cross_validate` is the same machinery for one recipe: k trainings, their scores,
# mean and standard deviation (Hastie et al. 2009, §7.10).

# %%
cv = cross_validate(lambda *arrays: train_fn(serial.best_params, *arrays), X, y, k=K, seed=0, stratify=True,
                    n_jobs=2)
print(cv, "fold scores:", [round(s, 3) for s in cv.scores])

# %% [markdown]
# ## 13.3 A Dask cluster
#
# With `backend="dask"`, the same trainings go to the workers of a
# `dask.distributed` cluster: the **scheduler** hands tasks to **workers**, sends
# them the data once (joblib *scatters* X and y), and reruns the task of a worker
# that dies on another one. Here a `LocalCluster` of worker *threads* in this
# process stands in for a cluster (a lesson runs inside another program, where
# starting worker processes is not allowed); the code is the same for a real one:
#
# ```python
# from dask.distributed import Client
# client = Client("tcp://scheduler-host:8786")    # instead of LocalCluster
# results = grid_search(train_fn, grid, X, y, k=5, seed=0, backend="dask")
# ```
#
# And again the scores do not move.

# %%
try:
    from dask.distributed import Client, LocalCluster
except ImportError:  # the extra is not installed: say so, and skip the Dask part
    Client = None
    print("Dask is not installed (pip install minigrad[distributed]); skipping the cluster run")

if Client is not None:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        on_dask = grid_search(train_fn, grid, X, y, k=K, seed=0, stratify=True, backend="dask")
    assert [row["scores"] for row in on_dask.rows] == [row["scores"] for row in serial.rows]
    print("Dask: the same", len(on_dask) * K, "fold scores as the serial run")

# %% [markdown]
# The grid as a picture: `viz.plot_search` draws the mean validation score of
# every candidate (a heatmap for two hyperparameters). The plotting lives in
# `viz`; minigrad itself never imports matplotlib.

# %%
import viz

fig = viz.plot_search(serial, title="digits MLP: mean validation accuracy")
save_figure(fig, "13_search.png")

# %% [markdown]
# ## 13.4 Data parallelism: one training, N processes
#
# Take a mini-batch B of N·m samples and give each of N processes a slice B_r of
# m. The loss is a mean, so the gradient is a mean, and the mean of N equal-sized
# means is the mean of the whole:
#
# $$\bar g = \frac{1}{N}\sum_{r=1}^{N} \frac{1}{m}\sum_{i\in B_r} \nabla \ell_i
#          = \frac{1}{Nm}\sum_{i\in B} \nabla \ell_i .$$
#
# If every process starts from the same weights and applies the same optimizer to
# the same averaged gradient, all copies stay identical, and they follow **exactly
# the path of one process on the global batch**. Let us check that with N copies
# in this process (what `mpiexec` would spread over N processes): a
# `DataLoader(..., shard=(rank, N))` hands each "rank" its slice of every global
# batch, and we average the gradients by hand — the all-reduce.

# %%
N, m = 2, 16
Xs = StandardScaler().fit(X).transform(X)


def new_model():
    mg.manual_seed(0)
    return nn.MLP([64, 32, 10]).double()


def step_all(models, opts, batches):
    for model, (xb, yb) in zip(models, batches):
        losses.cross_entropy(model(xb.double()), yb).backward()
    for params in zip(*(model.parameters() for model in models)):  # the all-reduce: mean over the copies
        mean = sum(p.grad.numpy() for p in params) / len(params)
        for p in params:
            p.grad = mg.tensor(mean, dtype="float64")
    for opt in opts:
        opt.step()
        opt.zero_grad()


copies = [new_model() for _ in range(N)]
opts = [optim.SGD(c.parameters(), lr=0.1, momentum=0.9) for c in copies]
single = new_model()
opt_single = optim.SGD(single.parameters(), lr=0.1, momentum=0.9)
for epoch in range(2):
    shards = [DataLoader(Xs, y, batch_size=m, shuffle=True, seed=epoch, shard=(r, N)) for r in range(N)]
    for batches in zip(*shards):  # one step: every rank's slice of the same global batch
        step_all(copies, opts, batches)
    for xb, yb in DataLoader(Xs, y, batch_size=N * m, shuffle=True, seed=epoch):
        step_all([single], [opt_single], [(xb, yb)])

gap = max(float(np.abs(a.numpy() - b.numpy()).max()) for a, b in zip(copies[0].parameters(), single.parameters()))
print(f"{N} copies on {m} samples each vs one process on {N * m}: largest weight difference {gap:.1e}")
assert gap < 1e-10  # float64: equal up to the order of the sums

# %% [markdown]
# `minigrad.distributed` does the same over MPI. `DistributedDataParallel(model)`
# broadcasts rank 0's weights to every process and registers a hook on each
# parameter: when `loss.backward()` has stored a gradient, the hook marks it ready,
# and each full **bucket** of gradients (about a megabyte, last layer first — the
# order backprop finishes them) is summed across processes by one `Allreduce` and
# divided by N. No extra call after `backward()`; `fit` accepts the wrapped model:
#
# ```python
# from minigrad import distributed as dist
# dist.init()
# ddp = dist.DistributedDataParallel(model)
# fit(ddp, "cross_entropy", optim.Adam(ddp.parameters()), (X, y), batch_size=16)   # 16 per process
# ```
#
# The real thing, if `mpiexec` is here: two processes against one.

# %%
script = '''
import sys, numpy as np, minigrad as mg
from minigrad import distributed as dist, nn, optim
from minigrad.data import load_digits, StandardScaler
from minigrad.train import fit
dist.init()
X, y = load_digits(); X = StandardScaler().fit(X).transform(X[:256]); y = y[:256]
mg.manual_seed(0)
model = nn.MLP([64, 32, 10]).double()
ddp = dist.DistributedDataParallel(model)
fit(ddp, "cross_entropy", optim.SGD(ddp.parameters(), lr=0.1), (X, y), epochs=2,
    batch_size=32 // dist.world_size(), seed=0, progress=False)
if dist.rank() == 0:
    np.save(sys.argv[1], np.concatenate([p.numpy().ravel() for p in model.parameters()]))
    print(ddp.comm_bytes, ddp.comm_seconds, len(ddp.buckets))
'''
mpiexec = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
try:
    import mpi4py  # noqa: F401
except ImportError:
    mpiexec = None
if mpiexec is None:
    print("no mpiexec/mpi4py here (pip install minigrad[distributed]); the in-process check above stands")
else:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ddp.py"
        path.write_text(script)
        env = dict(os.environ, PYTHONPATH=str(TUTORIALS.parent), NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
        weights = {}
        for procs in (1, 2):
            run = subprocess.run([mpiexec, "-n", str(procs), sys.executable, str(path), f"{tmp}/w{procs}.npy"],
                                 check=True, env=env, timeout=300, capture_output=True, text=True)
            weights[procs] = np.load(f"{tmp}/w{procs}.npy")
    gap = float(np.abs(weights[1] - weights[2]).max())
    print(f"mpiexec -n 2 vs -n 1, global batch 32: largest weight difference {gap:.1e}")
    assert gap < 1e-10
    sent, seconds, buckets = run.stdout.split()
    steps = 256 // 32 * 2
    print(f"rank 0 all-reduced {int(sent) / steps / 1e3:.1f} kB of gradients per step in {int(buckets)} bucket(s): "
          f"{float(seconds) / steps * 1e3:.2f} ms per step on this machine")

# %% [markdown]
# ## 13.5 What the all-reduce costs
#
# Each step, every process must send and receive the gradient. A **ring
# all-reduce** (Patarasuk & Yuan 2009, "Bandwidth optimal all-reduce algorithms")
# passes N − 1 chunks around the ring to sum them, then N − 1 more to hand the sums
# out: each process moves
#
# $$2\,\frac{N-1}{N}\,S \text{ bytes}$$
#
# for a gradient of S bytes — about 2S whatever N is. So adding processes
# divides the computation (each handles m samples) but not the communication. The
# step time of N processes, with compute time T for the global batch, a network
# bandwidth β and a latency α per message, is roughly
#
# $$t_N \approx \frac{T}{N} + 2\frac{N-1}{N}\frac{S}{\beta} + 2(N-1)\,\alpha .$$
#
# Data parallelism pays off while the compute per step dominates: big batches,
# big layers (much arithmetic per weight), a fast network. A small MLP on a slow
# network is faster on one machine.

# %%
model = nn.MLP([64, 256, 256, 10])
S = sum(p.numpy().nbytes for p in model.parameters())
print(f"gradient of MLP 64-256-256-10: S = {S / 1e6:.2f} MB")
for procs in (2, 4, 8, 64):
    print(f"  N = {procs:2d}: each process sends and receives {2 * (procs - 1) / procs * S / 1e6:.2f} MB per step")

# time one step of this model on a global batch here, and model N processes
batch = 128 if QUICK else 512
xb = mg.tensor(np.random.default_rng(0).normal(size=(batch, 64)))
yb = np.random.default_rng(1).integers(0, 10, batch)
opt = optim.SGD(model.parameters(), lr=0.01)
times = []
for _ in range(3 if QUICK else 10):
    start = time.perf_counter()
    losses.cross_entropy(model(xb), yb).backward()
    opt.step()
    opt.zero_grad()
    times.append(time.perf_counter() - start)
T = float(np.median(times))
Ns = np.arange(1, 33)
fig = viz._mpl.new_figure(figsize=(6.4, 4.0))
ax = fig.add_subplot()
for label, beta, alpha in (("10 Gbit/s Ethernet", 1.25e9, 20e-6), ("1 Gbit/s Ethernet", 1.25e8, 50e-6),
                           ("InfiniBand 100 Gbit/s", 1.25e10, 2e-6)):
    t = T / Ns + 2 * (Ns - 1) / Ns * S / beta + 2 * (Ns - 1) * alpha
    ax.plot(Ns, T / t, label=label)
ax.plot(Ns, Ns, "k--", lw=1, label="perfect (N×)")
ax.set_xlabel("processes N")
ax.set_ylabel("speed-up over one process")
ax.set_title(f"modelled speed-up, one step = {T * 1e3:.1f} ms here, gradient {S / 1e6:.2f} MB", fontsize=10)
ax.set_ylim(0, 33)
ax.legend(fontsize=8)
save_figure(fig, "13_allreduce_speedup.png")
print(f"one step (batch {batch}) on this machine: {T * 1e3:.1f} ms")

# %% [markdown]
# ## 13.6 Moving to a real cluster
#
# **A search on a Dask cluster.** Start a scheduler on one machine and workers on
# the others (each worker needs minigrad and your `train_fn`'s module installed):
#
# ```bash
# dask scheduler                                   # prints tcp://10.0.0.5:8786
# dask worker tcp://10.0.0.5:8786 --nworkers 8 --nthreads 1   # on each machine
# minigrad search digits --param lr=1e-3,3e-3,1e-2 --param hidden=32,64 --cv 5 \
#     --scheduler tcp://10.0.0.5:8786 -o search.html
# ```
#
# or `Client("tcp://10.0.0.5:8786")` then `grid_search(..., backend="dask")` in
# Python. One thread per worker process: our trainings are small, and threads of
# one process share Python's interpreter lock.
#
# **Data-parallel training over MPI.** List the machines in a host file (one name
# per line, optionally `name:slots`) and let `mpiexec` start the processes:
#
# ```bash
# mpiexec -f hostfile -n 8 minigrad train digits --distributed --batch-size 256 --out runs/digits
# ```
#
# `--batch-size` is the global batch, split among the 8 processes; only rank 0
# prints and writes the checkpoint. Every machine needs the same Python
# environment at the same path, and passwordless ssh between them (MPICH's
# `mpiexec` starts the remote processes over ssh).
#
# ## What we learned
#
# * A hyperparameter search is many independent trainings: run them in parallel
#   (`n_jobs`, `backend="dask"`). Seeding each from its (seed, candidate, fold)
#   makes the result independent of the number of workers and of the cluster.
# * Data parallelism splits one batch over N copies of the model; averaging the
#   gradients with an all-reduce gives exactly the step of one process on the
#   whole batch, so N processes train the same model.
# * The all-reduce moves about twice the gradient's size per process and step,
#   whatever N: it pays off when the computation per step is large.
#
# ## Exercises
#
# 1. **Speed-up.** Time the grid search of §13.1 with `n_jobs=1, 2, 4`. Why does
#    the speed-up stop at the number of cores? *Hint:* `os.cpu_count()`.
# 2. **What breaks reproducibility.** Change `train_fn` to seed its own generator
#    with `np.random.default_rng()` (no seed) for the initial weights, and run the
#    search twice with `n_jobs=2`. Do the scores still agree? *Hint:* where does the
#    entropy come from?
# 3. **BatchNorm across processes.** Add `batchnorm=True` to the MLP of §13.4. Do
#    the N copies still match one process? *Hint:* each copy normalizes with the
#    statistics of its own slice (PyTorch's `SyncBatchNorm` all-reduces them).
# 4. **The linear-scaling rule.** With N processes of m samples each, the global
#    batch is N·m. Goyal et al. (2017) scale the learning rate by N with it. Train
#    the digits MLP with batch 32 and lr 0.01, then batch 128 and lr 0.04: compare
#    the validation accuracy after the same number of epochs.
# 5. **Buckets.** `DistributedDataParallel(model, bucket_mb=...)` sets the bucket
#    size. Under `mpiexec -n 2`, time 100 steps with `bucket_mb=0.001` (one message
#    per tensor) and `bucket_mb=25`, and read `ddp.comm_seconds`.

# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 11. Speed: Numba kernels, the GPU, and reading a benchmark
#
# An educational engine is only kept if it is fast enough for real small-model
# work. Where does the time of a training step go? Into three very different
# places, and each has its own cure:
#
# 1. **Elementwise arithmetic on large arrays** (activations and their
#    derivatives, the optimizer's update, softmax). NumPy evaluates an expression
#    like g·(1 − y²) one operation at a time, each a full pass over memory with a
#    temporary array. minigrad runs these as **Numba kernels**: one fused,
#    parallel pass.
# 2. **Matrix products.** They stay on BLAS, which is already as fast as the
#    machine allows: the **matmul floor** no framework can go below on the CPU.
# 3. **Python overhead per op.** Every op records a node, checks shapes, allocates
#    a result. For small models this fixed cost dominates, and the cure is fewer,
#    bigger ops — **fused** ops such as Linear and softmax–cross-entropy.
#
# Then the **GPU** (`device="cuda"` with CuPy), and how to read minigrad's
# **benchmark**; and, beyond one machine, **data parallelism** (lesson 13).
# Timings depend on the machine and on what else it is doing, so
# this lesson never asserts a time — it asserts that the fast paths compute the
# *same numbers* as the slow ones.

# %%
import contextlib
import importlib.util
import statistics
import subprocess
import sys
import time
from argparse import Namespace

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.backend import kernels
from minigrad.course.lessons import REPOSITORY, quick, save_figure
from minigrad.nn import losses

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite sets it)
NUMBA = kernels.numba_enabled()   # False with MINIGRAD_NUMBA=0, or when Numba is not installed
print("quick mode" if QUICK else "full mode", "- Numba kernels", "on" if NUMBA else "off")
if not NUMBA:
    print("(MINIGRAD_NUMBA=0 or no Numba: the 'Numba' columns below run NumPy too; the results are the same)")
REPEAT = 5 if QUICK else 20
FAST = "Numba" if NUMBA else "NumPy*"   # the name of the fast column (* = Numba is off)


def median_time(fn, repeat=REPEAT, warmup=2):
    """Median wall time of fn() in seconds, after a few warm-up calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def show(seconds):
    return f"{seconds * 1e6:9.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:9.2f} ms"

# %% [markdown]
# ## 11.1 One kernel, two ways
#
# The backward pass of tanh multiplies the incoming gradient g by the local
# derivative 1 − y², where y = tanh(x) is the saved output (lesson 3). In NumPy
# that is one line, `g * (1 - y * y)`, and three passes over memory:
#
# 1. `t1 = y * y` — read y, write a temporary t1;
# 2. `t2 = 1 - t1` — read t1, write another temporary t2;
# 3. `out = g * t2` — read g and t2, write out.
#
# Seven array-sized trips through memory, and two temporaries to allocate. For
# large arrays the processor mostly *waits for memory*, so the number of trips is
# the cost. The Numba kernel (in `minigrad/backend/numba_kernels.py`) is a loop
# that does all three steps per element while the value is in a register — read
# g, read y, write out: three trips — and `prange` splits the loop over the cores:
#
# ```python
# @numba.njit(parallel=True, cache=True)
# def tanh_backward(g, y, out):
#     one = g.dtype.type(1)
#     for i in prange(g.size):
#         out[i] = g[i] * (one - y[i] * y[i])
# ```
#
# This is **fusion**. `kernels.tanh_backward` is written as the NumPy formula,
# the reference (`kernels.tanh_backward.numpy`); its decorator `@kernels.elementwise`
# decides which one runs. `kernels.enabled(False)` switches Numba off for a block
# (as `MINIGRAD_NUMBA=0` does for a whole run).

# %%
rng = np.random.default_rng(0)
n_big = 1_000_000 if QUICK else 4_000_000
g = rng.normal(size=n_big).astype(np.float32)
y = np.tanh(rng.normal(size=n_big)).astype(np.float32)

with kernels.enabled(False):
    out_numpy = kernels.tanh_backward(g, y)
    t_numpy = median_time(lambda: kernels.tanh_backward(g, y))
with kernels.enabled(NUMBA):
    out_numba = kernels.tanh_backward(g, y)       # the first call loads (or compiles) the kernel
    t_numba = median_time(lambda: kernels.tanh_backward(g, y))

print(f"tanh backward on {n_big:,} float32 values:")
print(f"  NumPy, 3 passes {show(t_numpy)}")
print(f"  {FAST}, 1 pass   {show(t_numba)}   NumPy/{FAST} = {t_numpy / t_numba:.2f}×")
assert np.array_equal(out_numpy, out_numba)          # the same numbers, bit for bit
assert np.array_equal(out_numpy, g * (1 - y * y))

# %% [markdown]
# The arithmetic kernels are **equal bit for bit** to NumPy: same operations in
# the same order, no fast-math reassociation. Kernels that *sum* (the softmax's
# Σ exp, BatchNorm's statistics) add in a different order, so they agree to
# rounding — here the fused softmax–cross-entropy on a batch of logits:

# %%
logits = rng.normal(size=(2048, 10)).astype(np.float32)
targets = rng.integers(0, 10, 2048)
with kernels.enabled(False):
    loss_np, probs_np = mg.backend.cross_entropy.softmax_cross_entropy(logits, targets)
with kernels.enabled(NUMBA):
    loss_nb, probs_nb = mg.backend.cross_entropy.softmax_cross_entropy(logits, targets)
print("largest difference in the losses:", np.abs(loss_np - loss_nb).max())
assert np.allclose(loss_np, loss_nb, rtol=1e-5, atol=1e-6) and np.allclose(probs_np, probs_nb, atol=1e-6)

# %% [markdown]
# ### The size threshold
#
# A parallel kernel has a fixed cost per call: Numba's dispatcher checks the
# argument types, and the worker threads must be woken up and joined again. For
# a small array this fixed cost is larger than the whole NumPy computation, so
# `kernels` sends arrays below `kernels.MIN_SIZE[family]` elements to NumPy:

# %%
print(kernels.MIN_SIZE)


@contextlib.contextmanager
def numba_at_every_size(family):
    """Run the Numba kernel even for tiny arrays (as the tests do), then restore the threshold."""
    saved = kernels.MIN_SIZE[family]
    kernels.MIN_SIZE[family] = 0
    try:
        with kernels.enabled(NUMBA):
            yield
    finally:
        kernels.MIN_SIZE[family] = saved


sizes = [10**3, 10**4, 10**5, 10**6] if QUICK else [10**3, 10**4, 3 * 10**4, 10**5, 3 * 10**5, 10**6, 4 * 10**6]
sweep = {"NumPy": [], FAST: []}
for size in sizes:
    gs, ys = g[:size].copy(), y[:size].copy()
    with kernels.enabled(False):
        sweep["NumPy"].append(median_time(lambda gs=gs, ys=ys: kernels.tanh_backward(gs, ys)))
        reference = kernels.tanh_backward(gs, ys)
    with numba_at_every_size("elementwise"):
        sweep[FAST].append(median_time(lambda gs=gs, ys=ys: kernels.tanh_backward(gs, ys)))
        assert np.array_equal(kernels.tanh_backward(gs, ys), reference)
    print(f"{size:>10,}: NumPy {show(sweep['NumPy'][-1])}   {FAST} {show(sweep[FAST][-1])}")

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name, times in sweep.items():
    ax.loglog(sizes, np.array(times) / np.array(sizes) * 1e9, "o-", label=name)
ax.axvline(kernels.MIN_SIZE["elementwise"], color="k", linestyle="--", linewidth=1,
           label=f"MIN_SIZE['elementwise'] = {kernels.MIN_SIZE['elementwise']:,}")
ax.set_xlabel("array size (elements)")
ax.set_ylabel("time per element (ns)")
ax.set_title("tanh backward: fixed cost per call vs cost per element")
ax.grid(alpha=0.3, which="both")
ax.legend()
fig.tight_layout()
save_figure(fig, "11_kernel_threshold.png")
plt.close(fig)

# %% [markdown]
# Read the plot from the right: for large arrays both curves flatten to a cost per
# element, and the fused, parallel kernel's is lower. Towards the left the fixed
# cost per call takes over and the time per element shoots up — much earlier for
# Numba, whose fixed cost is larger. The threshold sits near the crossover
# measured on a 2-core machine. On a machine that is busy with other programs,
# waking the worker threads can take milliseconds, and the crossover moves far to
# the right: another reason why speed claims must be measured, not assumed.
#
# **Warm-up.** The first call of a kernel in a fresh environment compiles it
# (seconds), and Numba caches the machine code on disk (`cache=True`), so later
# processes only load it. `kernels.warm_up()` does this for every kernel at once;
# `import minigrad` itself imports no Numba at all, so starting up stays fast.
# A fresh Python process shows it:

# %%
check = subprocess.run([sys.executable, "-c", "import sys, minigrad; print('numba' in sys.modules)"],
                       capture_output=True, text=True, cwd=REPOSITORY, check=False)
print("numba imported by `import minigrad`:", check.stdout.strip())
assert check.returncode == 0 and check.stdout.strip() == "False"
if NUMBA and not QUICK:
    print(f"kernels.warm_up(): {kernels.warm_up():.2f} s (loading every kernel from the cache, or compiling it)")

# %% [markdown]
# ## 11.2 A whole training step, Numba on and off
#
# One Adam step of an MLP 784-256-256-10 on a batch of 128 (the benchmark's W3;
# quick mode uses a smaller 256-128-10 on a batch of 64): the big arrays are the
# weight matrices (Adam's fused update) and the hidden activations (ReLU and its
# backward). We train two identical copies, one with Numba and one without, and
# check that they stay the same.

# %%
def make_run(sizes, batch, seed=0):
    """A model, its Adam optimizer and one batch: everything a training step needs."""
    data = np.random.default_rng(seed)
    X = mg.tensor(data.normal(size=(batch, sizes[0])).astype(np.float32))
    labels = data.integers(0, sizes[-1], batch)
    mg.manual_seed(seed)
    model = nn.MLP(sizes, activation="relu")
    opt = optim.Adam(model.parameters(), lr=1e-3)

    def step():
        loss = losses.cross_entropy(model(X), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return model, step


W3, BATCH = ([256, 128, 10], 64) if QUICK else ([784, 256, 256, 10], 128)
n_steps = 3 if QUICK else 20
runs = {}
for name, flag in (("Numba off", False), ("Numba on", NUMBA)):
    with kernels.enabled(flag):
        model_w3, step_w3 = make_run(W3, BATCH)
        history = [step_w3() for _ in range(n_steps)]
        runs[name] = (model_w3, history, median_time(step_w3, repeat=REPEAT, warmup=1))
    print(f"{name:9s}: median step {show(runs[name][2])}, losses {np.round(history[:3], 5)} …")

(m_off, h_off, t_off), (m_on, h_on, t_on) = runs.values()
assert np.allclose(h_off, h_on, rtol=1e-5)
for (name, p_off), p_on in zip(m_off.named_parameters(), m_on.parameters()):
    assert np.allclose(p_off.numpy(), p_on.numpy(), atol=1e-5), name
print(f"same losses and weights after {n_steps + REPEAT + 1} steps; NumPy/Numba time = {t_off / t_on:.2f}×")

# %% [markdown]
# Much of the step is matrix products (one forward and two backward per layer),
# which both runs share through BLAS. The kernels can only speed up the rest, so
# the gain for the whole step is smaller than for one kernel alone. That is
# Amdahl's law: speeding up a part only helps as much as that part weighs.
#
# If "Numba on" comes out *slower* on your machine, suspect **oversubscription**:
# NumPy's BLAS (OpenBLAS) runs the matmuls on its own pool of threads, which keep
# spinning for a while after each product in case more work comes; the kernel's
# threads, from Numba's pool, then wait for a free core. On a laptop with many
# cores this hardly shows; on a 2-core machine it can cost milliseconds per
# kernel. Running with `OPENBLAS_NUM_THREADS=1` (or `OMP_NUM_THREADS=1`) is a quick
# way to check (exercise 2).
#
# ## 11.3 Per-op overhead, and why fused ops help small models
#
# Now the opposite end: a tiny network, where arrays have a few hundred elements
# and no kernel is worth calling. What does one op cost?

# %%
a_small, b_small = mg.ones(4, 4), mg.ones(4, 4)
a_np, b_np = a_small.numpy(), b_small.numpy()
t_op = median_time(lambda: a_small + b_small, repeat=200)
t_raw = median_time(lambda: a_np + b_np, repeat=200)
print(f"4×4 addition: minigrad {show(t_op)}, NumPy {show(t_raw)} → {t_op / t_raw:.0f}× the raw arithmetic")

# %% [markdown]
# The arithmetic is the small part: the rest is bookkeeping — wrapping the result
# in a Tensor, recording the op for backward, checking shapes and devices — plus
# the same again in the backward pass. For a small model the step time is roughly
# (number of ops) × (overhead per op), so **the way to be fast is to use fewer
# ops**. minigrad has fused ops for the two things every model does:
#
# - `nn.Linear` computes x·Wᵀ + b as **one** op (`linear`), where the formula
#   written out takes three: transpose, matmul and add — and three more backward;
# - `losses.cross_entropy` on logits and class indices is **one** op with the
#   closed-form gradient softmax(z) − onehot(y) (lesson 3; Bishop 2006, §4.3.4),
#   where log_softmax, picking each row's entry, mean and negation take four.
#
# We count the nodes of both graphs and time forward + backward.

# %%
def graph_nodes(root):
    """Every node of the graph behind ``root`` (iteratively, like the engine)."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.parents)
    return len(seen)


mg.manual_seed(0)
layer1, layer2 = nn.Linear(2, 16), nn.Linear(16, 10)
x_tiny = mg.randn(32, 2)
y_tiny = np.arange(32) % 10


def fused():
    return losses.cross_entropy(layer2(layer1(x_tiny).relu()), y_tiny)


def composed():
    h = (x_tiny @ layer1.weight.T + layer1.bias).relu()
    z = h @ layer2.weight.T + layer2.bias
    return -(z.log_softmax(axis=1)[np.arange(32), y_tiny]).mean()


results = {}
for name, fn in (("fused", fused), ("composed", composed)):
    loss = fn()
    nodes = graph_nodes(loss)
    layer1.zero_grad()
    layer2.zero_grad()
    loss.backward()
    grads = [p.grad.numpy().copy() for p in (layer1.weight, layer1.bias, layer2.weight, layer2.bias)]

    def forward_backward(fn=fn):
        out = fn()
        layer1.zero_grad()
        layer2.zero_grad()
        out.backward()

    results[name] = (loss.item(), nodes, grads, median_time(forward_backward, repeat=50 if QUICK else 200))
    print(f"{name:9s}: loss {results[name][0]:.6f}, {nodes:2d} graph nodes, forward+backward {show(results[name][3])}")

(loss_f, nodes_f, grads_f, t_f), (loss_c, nodes_c, grads_c, t_c) = results.values()
assert np.isclose(loss_f, loss_c, rtol=1e-6)
assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(grads_f, grads_c))
assert nodes_f < nodes_c
print(f"same loss and gradients; {nodes_c - nodes_f} fewer nodes; composed/fused time = {t_c / t_f:.2f}×")

# %% [markdown]
# The fused version is not cleverer arithmetic — it is fewer trips through Python.
# The same idea runs through the rest of the engine: `__slots__` on `Value` and
# `Tensor` (small objects, fast attribute access), `Value` storing each op's local
# derivatives as plain numbers instead of creating a closure per op, and no copies
# of arrays that nobody modifies (Linear adds its bias in place to the fresh
# product).
#
# ## 11.4 The GPU: `device="cuda"`
#
# A GPU runs thousands of threads at once; for large matrices it is one or two
# orders of magnitude faster than a CPU. minigrad's `device="cuda"` stores a
# tensor's data as a CuPy array instead of a NumPy array; every op calls the same
# NumPy-style functions, which CuPy implements on the GPU. Without CuPy or without
# a GPU you get a clear error instead of a crash deep inside an op:

# %%
try:
    mg.zeros(3, device="cuda")
    GPU = True
    print("a CUDA GPU and CuPy are available")
except RuntimeError as err:
    GPU = False
    print("no GPU here:", err)

# %% [markdown]
# Code written for the GPU is the CPU code with a device name: create tensors on
# the device (or move them with `.to("cuda")`), move the model with
# `model.to("cuda")`, train as usual, and copy results back with `.numpy()`. The
# function below runs on whatever device it is given; here it runs on the CPU,
# and on a machine with a GPU the next cell also runs it there.

# %%
def train_on(device, steps=20, sizes=(64, 128, 10), batch=256):
    data = np.random.default_rng(1)
    X = mg.tensor(data.normal(size=(batch, sizes[0])).astype(np.float32), device=device)
    labels = mg.tensor(data.integers(0, sizes[-1], batch), device=device)
    mg.manual_seed(1)
    model = nn.MLP(list(sizes), activation="relu").to(device)      # parameters move to the device
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(steps):
        loss = losses.cross_entropy(model(X), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item(), model[0].weight.numpy()                     # .numpy() copies back to the host


cpu_loss, cpu_weights = train_on("cpu")
print(f"cpu: loss after 20 steps {cpu_loss:.5f}")

# %%
if GPU:
    gpu_loss, gpu_weights = train_on("cuda")
    print(f"cuda: loss after 20 steps {gpu_loss:.5f}")
    assert np.isclose(cpu_loss, gpu_loss, rtol=1e-3)
    assert np.allclose(cpu_weights, gpu_weights, atol=1e-3)        # same math, different hardware
else:
    print("skipped: this cell runs train_on('cuda') when a GPU is present")

# %% [markdown]
# Do not expect a GPU to speed up the course's small models: launching a GPU
# kernel costs microseconds, and a 2-16-16-1 network is all launches and no work —
# the per-op overhead of §11.3, made worse. GPUs pay off when each op has millions
# of elements to chew on.
#
# ## 11.5 Reading the benchmark
#
# `benchmarks/run.py` (run it with `./run bench`) times one training step of four
# workloads side by side, in the same process, after warm-up, and reports
# **medians** (robust to the odd slow run) and **ratios**:
#
# - **W1**: the scalar engine (`Value`) vs micrograd, on micrograd's own MLP;
# - **W2**: MLP 2-16-16-1, batch 100 — overhead-bound, like §11.3;
# - **W3**: MLP 784-256-256-10, batch 128, Adam — kernels and BLAS, like §11.2;
# - **W4**: MLP 1024-1024-1024-10, batch 512 — almost all matmul. Its reference
#   is the **matmul floor**: the step's eight matrix products (three forward,
#   five backward) alone in NumPy. No framework using the same BLAS can beat it,
#   so floor/minigrad close to 1 means minigrad adds almost nothing on top of the
#   unavoidable work.
#
# A ratio "peer/minigrad = 2.0×" means minigrad is twice as fast as that peer.
# Each tensor workload also runs with Numba off (the benchmark switches the
# kernels on and off itself, whatever `MINIGRAD_NUMBA` says). The peers (PyTorch, micrograd)
# are optional: without them their columns read "n/a". We import the script as a
# module and run two of its workloads on small sizes — a smoke test to learn to
# read the table, not a measurement.

# %%
# The benchmark script is part of the repository, not of an installed minigrad:
# from a wheel install this cell says so and skips the table.
bench_path = REPOSITORY / "benchmarks" / "run.py" if REPOSITORY else None
if bench_path is None or not bench_path.is_file():
    print("benchmarks/run.py is in the repository: clone it to run this part of the lesson.")
else:
    spec = importlib.util.spec_from_file_location("minigrad_benchmark", bench_path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    args = Namespace(warmup=1, repeat=3 if QUICK else 10)
    w4 = ([128, 128, 128, 10], 64) if QUICK else ([1024, 1024, 1024, 10], 512)
    previous = kernels.set_enabled(None)          # the benchmark switches Numba on and off itself ...
    try:
        rows = [bench.bench_tensor("W2", [2, 16, 16, 1], 100, "tanh", "mse", "sgd", args),
                bench.bench_tensor("W4", *w4, "relu", "ce", "sgd", args, floor=True)]
    finally:
        kernels.set_enabled(previous)             # ... so we restore our setting afterwards
    columns = ["minigrad", "minigrad (Numba off)", "PyTorch", "NumPy", "NumPy matmul floor"]
    print(bench.table(rows, columns))

    w4_row = rows[1]
    print(f"\nW4: the matmuls alone take {w4_row['NumPy matmul floor'] / w4_row['minigrad']:.0%} "
          "of minigrad's step time; the rest is everything else (activations, loss, update, overhead).")
    assert all(row["minigrad"] > 0 and row["minigrad (Numba off)"] > 0 for row in rows)

# %% [markdown]
# How to read it:
#
# - **W2** is all overhead: compare minigrad with the hand-written NumPy step (the
#   same arithmetic with no autograd at all) to see what the graph bookkeeping
#   costs, and with PyTorch to see whose per-op overhead is smaller.
# - **W4** is all matmul: the closer floor/minigrad is to 1, the less the engine
#   adds. With tiny sizes (quick mode) the floor is far below, because there is
#   hardly any matmul work to hide the overhead behind.
# - **Numba off** vs on shows what the kernels buy (or cost: see the note on
#   oversubscription in §11.2) for each workload — nothing for W2, whose arrays
#   are all under the threshold, so any difference there is noise.
#
# The project's own results, when someone has run the full benchmark on this
# machine, are in `benchmarks/RESULTS.md`:

# %%
results_md = REPOSITORY / "benchmarks" / "RESULTS.md" if REPOSITORY else None
if results_md is not None and results_md.exists():
    print(results_md.read_text(encoding="utf-8"))
elif REPOSITORY is None:
    print("benchmarks/RESULTS.md is in the repository: clone it to read the project's results.")
else:
    print("No benchmarks/RESULTS.md yet: run `./run bench` (a few minutes) to write it.")

# %% [markdown]
# ## 11.6 Beyond one machine: data parallelism
#
# Everything so far makes *one* process faster. The course also notes that
# "because of their modular nature, neural networks … can be parallelized both
# using multicore hardware architectures and GPUs", in two ways: **model
# parallelism** puts different layers (or parts of a layer) on different
# devices, and **data parallelism** gives every worker a full copy of the model
# and a different slice of each mini-batch (Dean et al. 2012, "Large Scale
# Distributed Deep Networks"; Keras' distributed-training guide). Each worker
# computes the gradient of the mean loss on its slice; the gradients are
# averaged across the workers (an *all-reduce*), and every copy takes the same
# step, so the copies stay identical. With equal slices the average of the
# slices' gradients *is* the gradient of the whole batch, which is why this is
# the same SGD, only with a batch k times larger (Goyal et al. 2017 discuss
# the learning rate that goes with it). We check that identity on 4 slices.

# %%
mg.manual_seed(0)
replica = nn.MLP([8, 16, 3], activation="relu").double()
X_big = np.random.default_rng(1).normal(size=(64, 8))
y_big = np.random.default_rng(2).integers(0, 3, size=64)


def gradients(X_part, y_part):
    replica.zero_grad()
    losses.cross_entropy(replica(mg.tensor(X_part, dtype="float64")), y_part).backward()
    return [p.grad.numpy().copy() for p in replica.parameters()]


whole = gradients(X_big, y_big)
slices = [gradients(X_big[k::4], y_big[k::4]) for k in range(4)]   # 4 workers, 16 examples each
averaged = [np.mean(parts, axis=0) for parts in zip(*slices)]     # the all-reduce
assert all(np.allclose(a, b, atol=1e-12) for a, b in zip(whole, averaged))
print("mean of 4 workers' gradients = the gradient of the whole batch of 64")

# %% [markdown]
# What data parallelism costs is communication: every step ships a gradient as
# large as the model between the workers. Lesson 13, "Training on many
# machines", runs it for real — several processes, each with its replica and
# its slice, averaging their gradients every step — and measures when it pays.

# %% [markdown]
# ## What we learned
#
# * Large elementwise work is limited by memory traffic; a fused Numba kernel makes
#   one parallel pass instead of NumPy's several passes and temporaries, and gives
#   the same numbers (bit for bit for pure arithmetic).
# * Each kernel call has a fixed cost, so small arrays stay on NumPy
#   (`kernels.MIN_SIZE`); `MINIGRAD_NUMBA=0` or `kernels.enabled(False)` switches
#   the kernels off.
# * Small models are bound by per-op overhead: fused ops (Linear,
#   softmax–cross-entropy) mean fewer nodes and fewer trips through Python.
# * Data parallelism splits each batch over workers with copies of the model and
#   averages their gradients: the same step as one big batch (lesson 13).
# * `device="cuda"` runs the same code on CuPy arrays, with a clear error when no
#   GPU is there.
# * A benchmark reports medians and ratios measured side by side; the matmul floor
#   is the best any CPU framework can do on a matmul-bound model.
#
# ## Exercises
#
# 1. **Fuse it yourself.** Write `sigmoid_backward(g, y, out)` as a Numba loop with
#    `@numba.njit(parallel=True)` and `prange`, and check it against
#    `kernels.sigmoid_backward.numpy` with `np.array_equal`. *Hint:* keep NumPy's
#    order of operations, `g[i] * y[i] * (1 - y[i])`, or the last bit may differ.
# 2. **Your machine's threshold.** Repeat the size sweep of §11.1 for
#    `kernels.relu_backward` and for an `optim.Adam` step on one parameter (family
#    "optimizer"). Where is the crossover on your machine? Then rerun the lesson
#    with `OPENBLAS_NUM_THREADS=1` and compare the §11.2 step times. *Hint:* a step
#    changes the parameter and the optimizer's state in place; that is fine for timing.
# 3. **Count the ops.** Build the 2-16-16-1 MLP of W2 and count the graph nodes of
#    one MSE loss with `graph_nodes`. Then write the MSE as `((out - target) ** 2).mean()`
#    and count again. *Hint:* `losses.mse` is one fused op.
# 4. **Amdahl's law.** In §11.2, time only the three matrix products of the forward
#    pass in NumPy. What fraction of the step are they, and what is the largest
#    speed-up the kernels could ever give? *Hint:* if a fraction p of the time can
#    be sped up, the step can never get faster than 1/(1 − p).
# 5. **On a GPU.** If you have one, install CuPy and time `train_on("cuda")` against
#    `train_on("cpu")` for `sizes=(64, 128, 10)` and for `(1024, 4096, 10)` with
#    `batch=4096`. *Hint:* the small model may well be slower on the GPU.

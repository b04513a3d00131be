"""minigrad against its peers, side by side in one run: ``python benchmarks/run.py``.

Workloads (one training step each, medians over repeats after warm-up):

W1  scalar MLP(2, [16, 16, 1]) on 100 two-moons points, hinge loss, SGD
    -- minigrad ``Value`` vs micrograd
W2  MLP 2-16-16-1 (tanh), batch 100, MSE, SGD           -- vs PyTorch CPU and NumPy by hand
W3  MLP 784-256-256-10 (ReLU), batch 128, cross-entropy, Adam -- vs PyTorch and NumPy
W4  MLP 1024-1024-1024-10 (ReLU), batch 512, cross-entropy, SGD
    -- vs PyTorch and the step's matmuls alone in NumPy (the floor)
W5  CNN conv(1→16, 3×3) ReLU maxpool conv(16→32, 3×3) ReLU maxpool Linear(128, 10) on
    256 8×8 digits, cross-entropy, Adam                  -- vs PyTorch CPU

plus each tensor workload with Numba off (MINIGRAD_NUMBA=0), the time of
``import minigrad``, the cold-cache compile time of the Numba kernels, and the
memory of 1,000 W3 steps (the graph must be freed after every step).

Peers are optional: without PyTorch or micrograd their columns say "n/a"
(``./run bench`` installs them into benchmarks/.venv). The table is printed and
written as Markdown (``--out``). ``--quick`` uses tiny sizes and few repeats (a
smoke test, not a measurement). ``--only W5`` (or any of W1–W5) runs only those
workloads and prints their rows (written to a file only with ``--out``).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import minigrad as mg  # noqa: E402
from minigrad import nn, optim  # noqa: E402
from minigrad.nn import losses  # noqa: E402

try:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
except ImportError:  # the comparison is optional
    torch = None
try:
    from micrograd.engine import Value as MicroValue
except ImportError:
    MicroValue = None


# --------------------------------------------------------------------------- timing

def median_time(fn, warmup, repeat):
    """Median wall time of ``fn()`` in seconds after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def numba_mode(flag):
    """A context in which minigrad's Numba kernels are on or off (the setting is restored after)."""
    from minigrad.backend import kernels

    return kernels.enabled(flag)


# --------------------------------------------------------------------------- W1: scalars

def scalar_mlp(value_cls, rng):
    sizes = [2, 16, 16, 1]
    layers = []
    for i in range(3):
        W = [[value_cls(rng.uniform(-1, 1)) for _ in range(sizes[i])] for _ in range(sizes[i + 1])]
        b = [value_cls(0.0) for _ in range(sizes[i + 1])]
        layers.append((W, b, i < 2))
    return layers


def scalar_step(layers, X, Y, lr=0.01):
    params = [p for W, b, _ in layers for row in W for p in row] + [p for _, b, _ in layers for p in b]
    scores = []
    for x in X:
        act = x
        for W, b, nonlin in layers:
            out = []
            for row, bias in zip(W, b):
                z = sum((w * a for w, a in zip(row, act)), bias)
                out.append(z.relu() if nonlin else z)
            act = out
        scores.append(act[0])
    loss = sum((1 + -y * s).relu() for y, s in zip(Y, scores)) * (1.0 / len(Y))
    for p in params:
        p.grad = 0.0
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss


def bench_w1(args):
    from minigrad.data import make_moons

    X, y = make_moons(args.w1_points, noise=0.1, seed=0)
    Xl = [list(map(float, row)) for row in X]
    Yl = [1.0 if label == 1 else -1.0 for label in y]
    row = {"workload": f"W1 scalar MLP 2-16-16-1, {args.w1_points} points"}
    ours = scalar_mlp(mg.Value, random.Random(0))
    row["minigrad"] = median_time(lambda: scalar_step(ours, Xl, Yl), args.warmup, args.w1_repeat)
    if MicroValue is not None:
        theirs = scalar_mlp(MicroValue, random.Random(0))
        row["micrograd"] = median_time(lambda: scalar_step(theirs, Xl, Yl), args.warmup, args.w1_repeat)
    return row


# --------------------------------------------------------------------------- tensor workloads

def data_for(sizes, batch, task, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, sizes[0])).astype(np.float32)
    if task == "mse":
        y = rng.normal(size=(batch, sizes[-1])).astype(np.float32)
    else:
        y = rng.integers(0, sizes[-1], batch)
    return X, y


def weights_for(sizes, seed=0):
    rng = np.random.default_rng(seed + 1)
    return [(rng.normal(scale=np.sqrt(2 / sizes[i]), size=(sizes[i + 1], sizes[i])).astype(np.float32),
             np.zeros(sizes[i + 1], dtype=np.float32)) for i in range(len(sizes) - 1)]


def minigrad_step(sizes, act, task, opt_name, X, y, weights):
    layers = []
    for i, (W, b) in enumerate(weights):
        layer = nn.Linear(sizes[i], sizes[i + 1])
        layer.weight.data[...] = W
        layer.bias.data[...] = b
        layers.append(layer)
        if i < len(weights) - 1:
            layers.append(nn.Tanh() if act == "tanh" else nn.ReLU())
    model = nn.Sequential(*layers)
    opt = optim.SGD(model.parameters(), lr=0.01) if opt_name == "sgd" else optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = losses.mse if task == "mse" else losses.cross_entropy
    Xt, yt = mg.tensor(X), mg.tensor(y)

    def step():
        loss = loss_fn(model(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def torch_step(sizes, act, task, opt_name, X, y, weights):
    layers = []
    for i, (W, b) in enumerate(weights):
        layer = torch.nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
        layers.append(layer)
        if i < len(weights) - 1:
            layers.append(torch.nn.Tanh() if act == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = (torch.optim.SGD(model.parameters(), lr=0.01) if opt_name == "sgd"
           else torch.optim.Adam(model.parameters(), lr=1e-3))
    loss_fn = torch.nn.functional.mse_loss if task == "mse" else torch.nn.functional.cross_entropy
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        loss = loss_fn(model(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def numpy_step(act, task, opt_name, X, y, weights):
    """The same step written by hand with NumPy: forward, backward, update."""
    params = [[W.copy(), b.copy()] for W, b in weights]
    adam = [[np.zeros_like(W), np.zeros_like(W), np.zeros_like(b), np.zeros_like(b)] for W, b in weights]
    t = [0]
    onehot = None if task == "mse" else np.eye(weights[-1][0].shape[0], dtype=np.float32)[y]

    def step():
        acts = [X]
        for i, (W, b) in enumerate(params):
            z = acts[-1] @ W.T + b
            if i < len(params) - 1:
                z = np.tanh(z) if act == "tanh" else np.maximum(z, 0)
            acts.append(z)
        out = acts[-1]
        if task == "mse":
            g = 2.0 * (out - y) / out.size
        else:
            e = np.exp(out - out.max(axis=1, keepdims=True))
            g = (e / e.sum(axis=1, keepdims=True) - onehot) / len(out)
        grads = []
        for i in reversed(range(len(params))):
            W, _ = params[i]
            grads.append((g.T @ acts[i], g.sum(axis=0)))
            if i:
                g = g @ W
                g = g * (1 - acts[i] ** 2) if act == "tanh" else g * (acts[i] > 0)
        grads.reverse()
        t[0] += 1
        for (W, b), (gW, gb), st in zip(params, grads, adam):
            if opt_name == "sgd":
                W -= 0.01 * gW
                b -= 0.01 * gb
            else:
                for p, gp, m, v in ((W, gW, st[0], st[1]), (b, gb, st[2], st[3])):
                    m += 0.1 * (gp - m)
                    v *= 0.999
                    v += 0.001 * gp * gp
                    p -= (1e-3 / (1 - 0.9 ** t[0])) * m / (np.sqrt(v) / np.sqrt(1 - 0.999 ** t[0]) + 1e-8)

    return step


def matmul_floor(X, weights):
    """Only the step's matrix products (forward and backward) in NumPy: a lower bound."""
    acts = [X]
    for W, _ in weights:
        acts.append(acts[-1] @ W.T)
    g0 = np.ones_like(acts[-1])

    def step():
        a = X
        for W, _ in weights:
            a = a @ W.T
        g = g0
        for i in reversed(range(len(weights))):
            g.T @ acts[i]
            if i:
                g = g @ weights[i][0]

    return step


def bench_tensor(name, sizes, batch, act, task, opt_name, args, floor=False):
    X, y = data_for(sizes, batch, task)
    weights = weights_for(sizes)
    label = f"{name} MLP {'-'.join(map(str, sizes))}, batch {batch}, {task}, {opt_name}"
    row = {"workload": label}
    for mode, key in ((True, "minigrad"), (False, "minigrad (Numba off)")):
        with numba_mode(mode):
            row[key] = median_time(minigrad_step(sizes, act, task, opt_name, X, y, weights), args.warmup, args.repeat)
    if torch is not None:
        row["PyTorch"] = median_time(torch_step(sizes, act, task, opt_name, X, y, weights), args.warmup, args.repeat)
    if floor:
        row["NumPy matmul floor"] = median_time(matmul_floor(X, weights), args.warmup, args.repeat)
    else:
        row["NumPy"] = median_time(numpy_step(act, task, opt_name, X, y, weights), args.warmup, args.repeat)
    return row


# --------------------------------------------------------------------------- W5: a small CNN

def cnn_data(batch):
    from minigrad.data import load_digits

    images, labels = load_digits(images=True)
    return (images[:batch, None] / 16.0).astype(np.float32), labels[:batch]


def cnn_minigrad_step(X, y):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32 * 2 * 2, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    Xt = mg.tensor(X)

    def step():
        loss = losses.cross_entropy(model(Xt), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step, model


def cnn_torch_step(X, y, reference):
    """PyTorch's twin of :func:`cnn_minigrad_step`, starting from the same weights (``reference``)."""
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(32 * 2 * 2, 10))
    # the parameter names map one to one ("0.weight", "0.bias", ...)
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in reference.state_dict().items()})
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def bench_w5(args):
    X, y = cnn_data(args.w5)
    row = {"workload": f"W5 CNN conv16-pool-conv32-pool-linear, batch {args.w5} digits 8×8, ce, adam"}
    for mode, key in ((True, "minigrad"), (False, "minigrad (Numba off)")):
        with numba_mode(mode):
            step, _ = cnn_minigrad_step(X, y)
            row[key] = median_time(step, args.warmup, args.repeat)
    if torch is not None:
        ours, model = cnn_minigrad_step(X, y)
        theirs = cnn_torch_step(X, y, model)
        first = ours().item(), theirs().item()  # the same network from the same weights: the same loss
        if abs(first[0] - first[1]) > 1e-4 * max(1.0, abs(first[1])):
            raise RuntimeError(f"W5: minigrad's loss {first[0]} differs from PyTorch's {first[1]}")
        row["PyTorch"] = median_time(theirs, args.warmup, args.repeat)
    return row


# --------------------------------------------------------------------------- start-up and memory

def python_seconds(code, env=None, repeat=5):
    """Minimum wall time of ``python -c code`` minus that of ``python -c pass``."""
    def run(c):
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", c], check=True, cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL)
            best = min(best, time.perf_counter() - start)
        return best

    return run(code) - run("pass")


def import_time(args):
    return python_seconds("import minigrad", repeat=args.import_repeat)


def cold_compile_time():
    """Seconds to compile every Numba kernel with an empty cache (None if unavailable)."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        code = "from minigrad.backend import kernels; kernels.warm_up()"
        try:
            return python_seconds(code, env=env, repeat=1) + python_seconds("import minigrad", repeat=1)
        except subprocess.CalledProcessError:
            return None


def memory_growth(args):
    """Traced memory after 10 W3 steps and after ``args.memory_steps`` steps (bytes)."""
    sizes, batch = args.w3
    X, y = data_for(sizes, batch, "ce")
    step = minigrad_step(sizes, "relu", "ce", "adam", X, y, weights_for(sizes))
    tracemalloc.start()
    for _ in range(10):
        step()
    after_10 = tracemalloc.get_traced_memory()[0]
    for _ in range(args.memory_steps - 10):
        step()
    after_all, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return after_10, after_all, peak


# --------------------------------------------------------------------------- report

def fmt_time(seconds):
    if seconds is None:
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def table(rows, columns):
    lines = ["| workload | " + " | ".join(columns) + " | ratios |", "|---" * (len(columns) + 2) + "|"]
    for row in rows:
        ours = row.get("minigrad")
        ratios = []
        for c in columns[1:]:
            if row.get(c) and ours:
                ratios.append(f"{c}/minigrad = {row[c] / ours:.2f}×")
        cells = [fmt_time(row.get(c)) for c in columns]
        lines.append(f"| {row['workload']} | " + " | ".join(cells) + " | " + "; ".join(ratios) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few repeats (a smoke test)")
    parser.add_argument("--out", default=None, help="Markdown output file (default benchmarks/RESULTS.md)")
    parser.add_argument("--only", nargs="+", choices=["W1", "W2", "W3", "W4", "W5"],
                        help="run only these workloads and print their rows")
    args = parser.parse_args(argv)
    if args.quick:
        args.warmup, args.repeat, args.w1_repeat, args.w1_points, args.import_repeat = 1, 3, 1, 10, 1
        args.w2, args.w3, args.w4 = ([2, 4, 1], 8), ([16, 8, 4], 8), ([16, 16, 4], 8)
        args.memory_steps = 20
        args.w5 = 32
    else:
        args.warmup, args.repeat, args.w1_repeat, args.w1_points, args.import_repeat = 5, 30, 5, 100, 7
        args.w2, args.w3, args.w4 = ([2, 16, 16, 1], 100), ([784, 256, 256, 10], 128), ([1024, 1024, 1024, 10], 512)
        args.memory_steps = 1000
        args.w5 = 256
    columns = ["minigrad", "minigrad (Numba off)", "micrograd", "PyTorch", "NumPy", "NumPy matmul floor"]
    workloads = {"W1": lambda: bench_w1(args),
                 "W2": lambda: bench_tensor("W2", *args.w2, "tanh", "mse", "sgd", args),
                 "W3": lambda: bench_tensor("W3", *args.w3, "relu", "ce", "adam", args),
                 "W4": lambda: bench_tensor("W4", *args.w4, "relu", "ce", "sgd", args, floor=True),
                 "W5": lambda: bench_w5(args)}
    if args.only:
        text = table([workloads[name]() for name in args.only], columns) + "\n"
        print(text)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        return 0

    rows = [run() for run in workloads.values()]
    imported = import_time(args)
    compiled = None if args.quick else cold_compile_time()
    after_10, after_all, peak = memory_growth(args)

    env = (f"Python {sys.version.split()[0]}, NumPy {np.__version__}, "
           f"PyTorch {torch.__version__ if torch else 'not installed'}, "
           f"micrograd {'installed' if MicroValue else 'not installed'}, {os.cpu_count()} CPU cores")
    text = "\n".join([
        "# minigrad benchmark" + (" (quick smoke run: not a measurement)" if args.quick else ""),
        "",
        f"Medians of {args.repeat} steps after {args.warmup} warm-up steps (W1: {args.w1_repeat}); {env}.",
        "A ratio above 1 means minigrad is faster than that peer.",
        "",
        table(rows, columns),
        "",
        f"- `import minigrad`: {fmt_time(imported)} (no Numba import, nothing compiled)",
        f"- Numba kernels, cold-cache compile: {fmt_time(compiled) if compiled is not None else 'not measured'}",
        f"- memory of W3 training: {after_10 / 1e6:.2f} MB after 10 steps, {after_all / 1e6:.2f} MB after "
        f"{args.memory_steps} steps (peak {peak / 1e6:.2f} MB)",
        "",
    ])
    print(text)
    out = Path(args.out or ROOT / "benchmarks" / "RESULTS.md")
    kept = re.search(r"<!-- distributed -->.*<!-- distributed -->", out.read_text(encoding="utf-8"), flags=re.S) \
        if out.exists() else None  # the section benchmarks/scaling_out.py writes stays
    out.write_text(text + ("\n" + kept.group(0) + "\n" if kept else ""), encoding="utf-8")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

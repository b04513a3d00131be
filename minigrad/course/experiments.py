"""The course's numerical experiments: they build and run networks; ``viz`` draws what they return.

* **Initialization** (Glorot & Bengio 2010; He et al. 2015) --
  :func:`activation_statistics` records every layer's output on one forward pass;
  :func:`init_sweep` does it for deep MLPs under each initialization × activation,
  showing the signal vanish, saturate or keep its scale through depth
  (``viz.plot_activation_stats``, ``viz.plot_init_sweep`` draw the results).
* **Optimization** (momentum, RMSProp, Adam; Goodfellow et al. 2016, "Deep
  Learning", §8.3 and §8.5) -- :func:`optimizer_trajectories` runs minigrad
  optimizers on a function of two variables, such as :func:`elongated_quadratic` or
  :func:`rosenbrock` (``viz.plot_optimizer_trajectories`` draws the race).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.rng import generator
from minigrad.tensor import Tensor

__all__ = [
    "activation_statistics", "init_sweep", "optimizer_trajectories", "elongated_quadratic", "rosenbrock",
]


# ============================================================================ initialization

def _sample(values, limit):
    """At most ``limit`` values, evenly strided (deterministic), for histograms."""
    values = values.ravel()
    if values.size <= limit:
        return values.copy()
    return values[:: math.ceil(values.size / limit)].copy()


def activation_statistics(model, x, which="activations", max_samples=20000):
    """One forward pass (eval mode, no graph) recording every layer's output statistics.

    ``which="activations"`` keeps the outputs of activation layers (``nn.ReLU``,
    ``nn.Tanh``, ...) -- the density of each layer's output -- or every
    leaf layer when the model has none; ``"all"`` keeps every leaf layer.
    Returns a list, input side first, of dicts with ``layer``, ``type``,
    ``mean``, ``std``, ``zero_pct`` (outputs exactly 0) and ``values`` (up to
    ``max_samples`` outputs, for histograms). The model's modes are restored.
    """
    if which not in ("activations", "all"):
        raise ValueError(f"activation_statistics: which must be 'activations' or 'all', got {which!r}")
    leaves = [(name, m) for name, m in model.named_modules() if not m._modules]
    watched = leaves
    if which == "activations":
        watched = [(n, m) for n, m in leaves if isinstance(m, nn.ActivationModule)] or leaves
    outputs = []
    handles = [m.register_forward_hook(lambda mod, i, o, name=name: outputs.append((name, mod, o)))
               for name, m in watched]
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with mg.no_grad():
            params = model.parameters()
            inputs = x.numpy() if isinstance(x, Tensor) else np.asarray(x)
            model(Tensor(inputs, dtype=params[0].dtype if params else None))
    finally:
        for handle in handles:
            handle.remove()
        for m, mode in modes:
            object.__setattr__(m, "training", mode)
    stats = []
    for name, module, out in outputs:
        if not isinstance(out, Tensor):
            continue
        values = out.numpy().astype(np.float64)
        finite = values[np.isfinite(values)]
        stats.append({
            "layer": name or "(model)",
            "type": type(module).__name__,
            "mean": float(finite.mean()) if finite.size else math.nan,
            "std": float(finite.std()) if finite.size else math.nan,
            "zero_pct": 100.0 * float(np.mean(values == 0)) if values.size else math.nan,
            "values": _sample(finite, max_samples),
        })
    return stats


def _initializer(spec):
    """``(label, init function)`` from a name, ``"normal_0.01"``-style name, callable or (label, fn) pair.

    ``"normal_<std>"`` is N(0, std²), ``"uniform_<r>"`` U(−r, r) and
    ``"constant_<c>"`` the constant c (the general normal/uniform
    initialization with a chosen σ or r); other names go to :func:`minigrad.nn.init.get`.
    """
    if isinstance(spec, tuple) and len(spec) == 2:
        return spec[0], nn.init.get(spec[1])
    if callable(spec):
        return getattr(spec, "__name__", "custom"), spec
    if not isinstance(spec, str):
        raise TypeError(f"init_sweep: an initializer is a name or a callable, got {spec!r}")
    base, _, number = spec.rpartition("_")
    try:
        value = float(number)
    except ValueError:
        return spec, nn.init.get(spec)
    if base == "normal":
        return spec, lambda shape: nn.init.normal(shape, std=value)
    if base == "uniform":
        return spec, lambda shape: nn.init.uniform(shape, low=-value, high=value)
    if base == "constant":
        return spec, lambda shape: nn.init.constant(shape, value=value)
    raise ValueError(f"init_sweep: unknown initializer {spec!r} (use e.g. 'normal_0.01', 'uniform_0.05', "
                     "'constant_0.5' or a name from minigrad.nn.init)")


def init_sweep(inits=("zeros", "small_normal", "normal", "glorot_normal", "he_normal"),
               activations=("tanh", "relu", "sigmoid"), depth=10, width=100, n=500, seed=0):
    """Per-layer activation statistics of deep MLPs for each initialization × activation.

    For each pair, a stack of ``depth`` × (Linear(width, width), activation) with
    zero biases is fed ``n`` samples of N(0, 1) inputs; every layer's output is
    recorded (as in the course's figures). Weights and inputs come from ``seed``,
    the same for every pair, and the global generator is left as it was.

    Returns ``{(init, activation): {"init", "activation", "layers": [...],
    "mean": array(depth), "std": array(depth)}}`` where ``layers`` is the list of
    :func:`activation_statistics`. What to expect:

    * ``zeros`` (any constant): every unit of a layer computes the same value, so
      std is 0 from layer 1 on -- the network fails to break symmetry
      (Goodfellow et al. 2016, §8.4);
    * ``small_normal`` (N(0, 0.01²)) with tanh: the std shrinks ×0.1 per layer to nothing;
    * ``normal`` (N(0, 1)) with tanh/sigmoid: outputs pile up at the saturated ends;
    * ``glorot_normal`` with tanh, ``he_normal`` with relu: the std stays about
      constant across the layers (Glorot & Bengio 2010; He et al. 2015).
    """
    if depth < 1 or width < 1 or n < 1:
        raise ValueError(f"init_sweep: depth, width and n must be ≥ 1, got {depth}, {width}, {n}")
    pairs = inits.items() if isinstance(inits, Mapping) else [_initializer(s) for s in inits]
    inits = [(label, nn.init.get(fn) if isinstance(fn, str) else fn) for label, fn in pairs]
    # The inputs use their own stream (seed + 1): drawn from the same seed as the
    # weights, the first layer's weight rows would copy the input rows.
    x = np.random.default_rng(seed + 1).standard_normal((n, width)).astype(np.float32)
    g = generator()
    saved = g.bit_generator.state
    results = {}
    try:
        for label, fn in inits:
            for act in activations:
                # Same weights for every pair: reseed the global generator in place.
                g.bit_generator.state = type(g.bit_generator)(seed).state
                layers = []
                for _ in range(depth):
                    layers += [nn.Linear(width, width, weight_init=fn, bias_init="zeros"), nn.get_module(act)]
                stats = activation_statistics(nn.Sequential(*layers), x)
                results[(label, act)] = {
                    "init": label, "activation": act, "layers": stats,
                    "mean": np.array([s["mean"] for s in stats]), "std": np.array([s["std"] for s in stats]),
                }
    finally:
        g.bit_generator.state = saved
    return results


# ============================================================================ optimization

def elongated_quadratic(x, y):
    """f(x, y) = x²/2 + 10 y²: a valley 20× steeper across than along, minimum at (0, 0).

    Plain gradient descent zig-zags across it and crawls along it; momentum and
    adaptive methods do better (Goodfellow et al. 2016, "Deep Learning", §8.3.2).
    """
    return 0.5 * x * x + 10.0 * y * y


def rosenbrock(x, y, a=1.0, b=100.0):
    """Rosenbrock's banana valley f = (a − x)² + b (y − x²)², minimum at (a, a²)."""
    return (a - x) ** 2 + b * (y - x * x) ** 2


def _make_optimizer(spec, params):
    if isinstance(spec, tuple) and len(spec) == 2:
        cls, kwargs = spec
        return cls(params, **dict(kwargs))
    if isinstance(spec, type):
        return spec(params)
    if callable(spec):
        return spec(params)
    raise TypeError(f"an optimizer is (class, kwargs), a class or a function params -> optimizer; got {spec!r}")


def _default_optimizers():
    return {
        "SGD": (optim.SGD, {"lr": 0.09}),
        "SGD + momentum": (optim.SGD, {"lr": 0.01, "momentum": 0.9}),
        "RMSprop": (optim.RMSprop, {"lr": 0.1}),
        "Adam": (optim.Adam, {"lr": 0.2}),
    }


def optimizer_trajectories(loss_fn_2d=elongated_quadratic, optimizers=None, start=(-4.0, 1.5), steps=50,
                           diverge_at=1e6):
    """Run each optimizer from ``start`` for ``steps`` steps on f(x, y); ``{name: array (≤ steps+1, 2)}``.

    ``loss_fn_2d(x, y)`` takes two scalar Tensors and returns a scalar Tensor,
    written with minigrad ops (``elongated_quadratic``, ``rosenbrock`` or your
    own). ``optimizers`` maps a name to ``(optim class, kwargs)`` (or a function
    ``params -> optimizer``); ``optim.Newton`` gets the closure it needs. Each
    path starts with the start point. A path whose coordinates become
    non-finite or exceed ``diverge_at`` stops there (it diverged).
    """
    optimizers = _default_optimizers() if optimizers is None else optimizers
    if steps < 0:
        raise ValueError(f"optimizer_trajectories: steps must be ≥ 0, got {steps}")
    paths = {}
    for name, spec in optimizers.items():
        px = nn.Parameter(np.array(start[0], dtype=np.float64), dtype="float64")
        py = nn.Parameter(np.array(start[1], dtype=np.float64), dtype="float64")
        opt = _make_optimizer(spec, [px, py])
        path = [(float(start[0]), float(start[1]))]
        with mg.enable_grad():
            for _ in range(steps):
                if isinstance(opt, optim.Newton):
                    opt.step(lambda px=px, py=py: loss_fn_2d(px, py))
                else:
                    opt.zero_grad()
                    loss_fn_2d(px, py).backward()
                    opt.step()
                point = (float(px.item()), float(py.item()))
                if not all(math.isfinite(v) and abs(v) < diverge_at for v in point):
                    break
                path.append(point)
        paths[name] = np.array(path)
    return paths

"""The course's figures, drawn from minigrad objects.

* :func:`plot_activation_stats` -- per-layer activation histograms and mean/std
  against depth, and :func:`init_sweep` + :func:`plot_init_sweep` -- the same for
  every initialization × activation pair (Glorot & Bengio 2010; He et al. 2015);
* :func:`plot_learning_curves` -- train vs validation loss/accuracy with the
  early-stopping point (Goodfellow et al. 2016, "Deep Learning", §7.8);
* :func:`plot_decision_boundary` -- what a classifier learned on 2-D data;
* :func:`plot_confusion_matrix` -- the confusion matrix;
* :func:`plot_optimizer_trajectories` -- optimizers racing on a 2-D loss surface
  (momentum, RMSProp, Adam; Goodfellow et al. 2016, §8.3 and §8.5);
* :func:`plot_quantization` -- float values against their quantized grid (Jacob
  et al. 2018).

Each returns a matplotlib Figure and shows nothing (see :mod:`viz._mpl`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.rng import generator
from minigrad.tensor import Tensor
from viz._mpl import new_figure

__all__ = [
    "activation_statistics", "plot_activation_stats", "init_sweep", "plot_init_sweep",
    "plot_learning_curves", "plot_decision_boundary", "plot_confusion_matrix",
    "optimizer_trajectories", "plot_optimizer_trajectories", "elongated_quadratic", "rosenbrock",
    "plot_quantization",
]


def _array(x):
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


# ============================================================================ activations

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
            model(Tensor(_array(x), dtype=params[0].dtype if params else None))
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


def _histogram(ax, values, bins, color=None, label=None, value_range=None):
    """A step histogram as fractions of the values; a constant layer becomes one spike (std 0)."""
    if values.size == 0:
        return
    lo, hi = value_range if value_range is not None else (values.min(), values.max())
    if hi - lo < 1e-12:  # all equal: a bar of height 1 at that value
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    ax.stairs(counts / values.size, edges, color=color, label=label)


def plot_activation_stats(model_or_stats, x=None, bins=50, max_layers=10, title=None, figsize=None):
    """Per-layer activation histograms (top) and mean ± std against depth (bottom).

    The course's initialization figures (the density of each layer's output, as
    in Glorot & Bengio 2010): with a good
    initialization the histograms look alike from the first to the last layer;
    with too-small weights they shrink to a spike at 0 (tanh) -- no signal, no
    gradient; with too-large ones they pile up at ±1 (saturation). The bottom
    panel is the rule of Glorot & Bengio (2010): keep the mean at zero and the variance the
    same across every layer.

    ``model_or_stats`` is an ``nn.Module`` (then ``x`` is the input batch) or the
    list returned by :func:`activation_statistics` (or one :func:`init_sweep`
    entry). At most ``max_layers`` histograms are drawn, evenly spread over depth.
    """
    if isinstance(model_or_stats, nn.Module):
        if x is None:
            raise ValueError("plot_activation_stats: give the input batch x with a model")
        stats = activation_statistics(model_or_stats, x)
    elif isinstance(model_or_stats, Mapping) and "layers" in model_or_stats:
        stats = model_or_stats["layers"]
    else:
        stats = list(model_or_stats)
    if not stats:
        raise ValueError("plot_activation_stats: no layer outputs to plot")
    shown = np.unique(np.linspace(0, len(stats) - 1, min(max_layers, len(stats))).round().astype(int))
    fig = new_figure(figsize=figsize or (max(8.0, 1.6 * len(shown)), 5.5))
    grid = fig.add_gridspec(2, len(shown), height_ratios=(1, 1.2))
    all_values = np.concatenate([s["values"] for s in stats if len(s["values"])] or [np.zeros(1)])
    value_range = (float(all_values.min()), float(all_values.max()))
    first = None
    for col, i in enumerate(shown):
        s = stats[i]
        ax = fig.add_subplot(grid[0, col], sharey=first)
        first = first or ax
        _histogram(ax, np.asarray(s["values"]), bins, color="tab:blue", value_range=value_range)
        ax.set_title(f"{s['layer']} {s['type']}\nμ={s['mean']:.2g} σ={s['std']:.2g}", fontsize=8)
        ax.tick_params(labelsize=7)
        if col:
            ax.tick_params(labelleft=False)
    first.set_ylabel("fraction of outputs", fontsize=8)

    ax = fig.add_subplot(grid[1, :])
    depth = np.arange(1, len(stats) + 1)
    mean = np.array([s["mean"] for s in stats])
    std = np.array([s["std"] for s in stats])
    ax.plot(depth, mean, "o-", label="mean")
    ax.plot(depth, std, "s-", label="std")
    ax.fill_between(depth, mean - std, mean + std, alpha=0.15, label="mean ± std")
    ax.axhline(0, color="k", linewidth=0.5)
    ax.set_xticks(depth, [s["layer"] for s in stats], fontsize=7, rotation=90 if len(stats) > 12 else 0)
    ax.set_xlabel("layer (input → output)")
    ax.set_ylabel("activation value")
    ax.set_title("Mean and std of each layer's outputs (keep the mean 0, the variance constant)",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.suptitle(title or "Activation statistics per layer", fontsize=11)
    return fig


# ---------------------------------------------------------------------------- init sweep

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


def init_sweep(inits=("zeros", "normal_0.01", "normal_1", "glorot_normal", "he_normal"),
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
    * ``normal_0.01`` with tanh: the std shrinks ×0.1 per layer to nothing;
    * ``normal_1`` with tanh/sigmoid: outputs pile up at the saturated ends;
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


def plot_init_sweep(results, kind="hist", bins=40, figsize=None):
    """Draw an :func:`init_sweep`: a grid of small panels, one per initialization × activation.

    ``kind="hist"``: rows are initializations, columns activations; each panel
    overlays the histograms of every layer's outputs, coloured from the first
    (dark) to the last layer (light) -- the course's density plots side by side.
    A collapsing std shows as histograms shrinking to a spike at 0; zero init as
    one spike (all units equal: no symmetry breaking).

    ``kind="std"``: one panel per activation, the std of each layer's outputs
    against depth (log scale) with a line per initialization; std = 0 (zero
    init) is marked "×" at the bottom since it has no logarithm.
    """
    import matplotlib

    if kind not in ("hist", "std"):
        raise ValueError(f"plot_init_sweep: kind must be 'hist' or 'std', got {kind!r}")
    if not results:
        raise ValueError("plot_init_sweep: empty results")
    inits = list(dict.fromkeys(k[0] for k in results))
    acts = list(dict.fromkeys(k[1] for k in results))
    if kind == "std":
        fig = new_figure(figsize=figsize or (4.0 * len(acts), 3.8))
        axes = np.atleast_1d(fig.subplots(1, len(acts), squeeze=False)[0])
        for ax, act in zip(axes, acts):
            for init in inits:
                r = results.get((init, act))
                if r is None:
                    continue
                std = r["std"]
                depth = np.arange(1, len(std) + 1)
                (line,) = ax.plot(depth, np.where(std > 0, std, np.nan), "o-", markersize=3, label=init)
                zero = depth[std == 0]
                if zero.size:
                    line.set_label(f"{init} (std 0: symmetric)")
                    ax.plot(zero, [0.03] * zero.size, "x", color=line.get_color(),
                            transform=ax.get_xaxis_transform())
            ax.set_yscale("log")
            ax.set_title(act)
            ax.set_xlabel("layer")
            ax.set_ylabel("std of outputs (log)")
            ax.legend(fontsize=7)
        fig.suptitle("Activation std vs depth per initialization")
        return fig

    fig = new_figure(figsize=figsize or (3.2 * len(acts) + 1, 2.4 * len(inits)))
    axes = fig.subplots(len(inits), len(acts), squeeze=False)
    depth = max(len(r["layers"]) for r in results.values())
    cmap = matplotlib.colormaps["viridis"]
    norm = matplotlib.colors.Normalize(1, max(depth, 2))
    for i, init in enumerate(inits):
        for j, act in enumerate(acts):
            ax = axes[i, j]
            r = results.get((init, act))
            if r is None:
                ax.set_axis_off()
                continue
            values = [np.asarray(s["values"]) for s in r["layers"]]
            lo = min(v.min() for v in values if v.size)
            hi = max(v.max() for v in values if v.size)
            for k, v in enumerate(values, start=1):
                _histogram(ax, v, bins, color=cmap(norm(k)), value_range=(lo, hi))
            std = r["std"]
            ax.set_title(f"{init} · {act}", fontsize=9)
            ax.text(0.98, 0.95, f"σ: {std[0]:.2g} → {std[-1]:.2g}", transform=ax.transAxes, ha="right",
                    va="top", fontsize=7, bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0})
            ax.tick_params(labelsize=7)
            if i == len(inits) - 1:
                ax.set_xlabel("output value", fontsize=8)
            if j == 0:
                ax.set_ylabel("fraction", fontsize=8)
    fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=axes, label="layer (depth)")
    fig.suptitle("Each layer's outputs per initialization × activation")
    return fig


# ============================================================================ training curves

def plot_learning_curves(history, early_stopping=None, title=None, figsize=None):
    """Training vs validation loss (and every other logged metric), with the early-stopping point.

    ``history`` is the :class:`minigrad.train.History` from ``fit`` (or its
    ``.history`` dict). One panel per quantity: "train" and "validation" curves
    over epochs numbered from 1, as Keras prints them. The best epoch is marked
    with a vertical line -- ``early_stopping.best_epoch`` when an
    :class:`~minigrad.train.EarlyStopping` callback is given (its stopping epoch
    too), otherwise the minimum of ``val_loss`` -- and the epochs after it are
    shaded: there the training loss still falls while the validation loss rises,
    the overfitting that early stopping avoids: a very high number of epochs can
    reduce the training error but increase the generalization error (Goodfellow et
    al. 2016, "Deep Learning", §7.8; Prechelt 1998, "Early stopping -- but when?").
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or not logs:
        raise ValueError("plot_learning_curves: expected a History or a dict of per-epoch lists, got "
                         f"{type(history).__name__}")
    metrics = [k for k in logs if not k.startswith("val_") and k != "lr"]
    metrics += [k[4:] for k in logs if k.startswith("val_") and k[4:] not in logs]
    metrics.sort(key=lambda k: k != "loss")  # loss first
    best, stopped, best_label = None, None, None
    if early_stopping is not None:
        if getattr(early_stopping, "best_epoch", None) is not None:
            best = early_stopping.best_epoch + 1
            best_label = f"best epoch {best} ({early_stopping.monitor})"
        if getattr(early_stopping, "stopped_epoch", None) is not None:
            stopped = early_stopping.stopped_epoch + 1
    elif logs.get("val_loss"):
        val = np.asarray(logs["val_loss"], dtype=float)
        if np.isfinite(val).any():
            best = int(np.nanargmin(val)) + 1
            best_label = f"min val_loss (epoch {best})"

    fig = new_figure(figsize=figsize or (5.0 * len(metrics), 4.0))
    axes = np.atleast_1d(fig.subplots(1, len(metrics), squeeze=False)[0])
    for ax, metric in zip(axes, metrics):
        n_epochs = 0
        for key, label, style in ((metric, "train", "-"), ("val_" + metric, "validation", "--")):
            if key in logs and len(logs[key]):
                values = np.asarray(logs[key], dtype=float)
                n_epochs = max(n_epochs, len(values))
                ax.plot(np.arange(1, len(values) + 1), values, style, marker="." if len(values) < 40 else None,
                        label=label)
        if best is not None:
            ax.axvline(best, color="tab:green", linestyle="--", linewidth=1.2, label=best_label)
            if n_epochs > best:
                ax.axvspan(best, n_epochs, color="tab:red", alpha=0.06, label="after the best epoch")
        if stopped is not None:
            ax.axvline(stopped, color="tab:red", linestyle=":", linewidth=1.2, label=f"stopped (epoch {stopped})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(metric.replace("_", " ").capitalize())
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig


# ============================================================================ classifiers

def _class_predictions(outputs, threshold):
    outputs = np.asarray(outputs)
    if outputs.ndim == 1 or outputs.shape[-1] == 1:
        scores = outputs.reshape(len(outputs))
        if threshold is None:  # probabilities in [0, 1] → 0.5; logits → 0
            threshold = 0.5 if scores.min() >= 0 and scores.max() <= 1 else 0.0
        return (scores > threshold).astype(int)
    return outputs.argmax(axis=-1)


def plot_decision_boundary(model, X, y, resolution=200, padding=0.5, threshold=None, ax=None, title=None):
    """The regions a classifier assigns to each class on 2-D data, with the data on top.

    The model runs in eval mode without recording a graph on a ``resolution`` ×
    ``resolution`` grid covering the data (± ``padding``); each grid point gets
    the predicted class (argmax of the outputs, or for one output ``> threshold``
    -- 0.5 if the outputs look like probabilities, else 0 for logits). The
    regions are filled contours; the points are coloured by their true label, so
    misclassified ones stand out. A linear model draws one straight line; an MLP
    bends the boundary.
    """
    import matplotlib

    from minigrad.train import predict

    X = _array(X)
    y = _array(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D inputs of shape (n, 2), got {X.shape}")
    (x0, x1), (y0, y1) = [(X[:, k].min() - padding, X[:, k].max() + padding) for k in (0, 1)]
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    pred = _class_predictions(predict(model, grid, batch_size=len(grid)), threshold).reshape(xx.shape)
    classes = int(max(pred.max(), y.max() if y.size else 0)) + 1
    colors = matplotlib.colormaps["tab10"].colors[: max(classes, 2)]
    cmap = matplotlib.colors.ListedColormap(colors)
    levels = np.arange(len(colors) + 1) - 0.5
    if ax is None:
        fig = new_figure(figsize=(6.0, 5.0))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.contourf(xx, yy, pred, levels=levels, cmap=cmap, alpha=0.3)
    if len(np.unique(pred)) > 1:
        ax.contour(xx, yy, pred, levels=levels[1:-1], colors="k", linewidths=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=len(colors) - 0.5, edgecolors="k",
               linewidths=0.5, s=18)
    train_pred = _class_predictions(predict(model, X, batch_size=max(len(X), 1)), threshold)
    accuracy = float(np.mean(train_pred == y)) if y.size else math.nan
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(title or f"Decision boundary (accuracy on these points {accuracy:.1%})")
    return fig


def plot_confusion_matrix(y_true, y_pred, labels=None, normalize=False, cmap="Blues", title=None):
    """The confusion matrix as an image with the value in every cell.

    Rows are the true class, columns the predicted class (scikit-learn's layout;
    the course draws the transpose); the diagonal holds the
    correct predictions. ``y_pred`` may be labels or scores (argmax is taken).
    ``normalize``: False (counts), True or ``"true"`` (each row sums to 1: the
    recall of each class), ``"pred"`` (columns: precision) or ``"all"``.
    The image data is the (normalized) matrix.
    """
    from minigrad.metrics import confusion_matrix

    if normalize not in (False, None, True, "true", "pred", "all"):
        raise ValueError(f"plot_confusion_matrix: normalize must be False, True, 'true', 'pred' or 'all', "
                         f"got {normalize!r}")
    cm = confusion_matrix(y_true, y_pred, num_classes=len(labels) if labels is not None else None)
    k = cm.shape[0]
    labels = [str(v) for v in (labels if labels is not None else range(k))]
    values = cm.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalize in (True, "true"):
            values = values / values.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            values = values / values.sum(axis=0, keepdims=True)
        elif normalize == "all":
            values = values / values.sum()
    values = np.nan_to_num(values) if normalize else cm
    fig = new_figure(figsize=(max(5.0, 1.5 + 0.7 * k), max(4.2, 1.0 + 0.7 * k)))
    ax = fig.add_subplot()
    image = ax.imshow(values, cmap=cmap, vmin=0)
    top = float(values.max()) if values.size else 0.0
    for i in range(k):
        for j in range(k):
            text = f"{values[i, j]:.2f}" if normalize else f"{cm[i, j]:d}"
            ax.text(j, i, text, ha="center", va="center", fontsize=9,
                    color="white" if values[i, j] > top / 2 else "black")
    ax.set_xticks(range(k), labels)
    ax.set_yticks(range(k), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(cm) / cm.sum() if cm.sum() else math.nan
    ax.set_title(title or f"Confusion matrix (accuracy {accuracy:.1%})")
    fig.colorbar(image, ax=ax, label="fraction" if normalize else "count")
    return fig


# ============================================================================ optimizers

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


def _surface(loss_fn_2d, xx, yy):
    """f on a grid: vectorized through minigrad ops when possible, point by point otherwise."""
    try:
        with mg.no_grad():
            z = _array(loss_fn_2d(Tensor(xx), Tensor(yy)))
    except Exception:  # noqa: BLE001 - a function written for scalars only: evaluate point by point
        z = None
    if z is not None and z.shape == xx.shape:
        return z.astype(float)
    with mg.no_grad():
        return np.vectorize(lambda a, b: float(_array(loss_fn_2d(Tensor(a), Tensor(b)))))(xx, yy)


def plot_optimizer_trajectories(loss_fn_2d=elongated_quadratic, optimizers=None, start=(-4.0, 1.5), steps=50,
                                bounds=None, resolution=150, title=None):
    """Contours of a 2-D loss surface and each optimizer's path across it.

    The contours are of log(1 + f − min f) over the plotting box so that both
    the steep walls and the flat valley floor show. Each optimizer's path is one
    line (``steps + 1`` points including the start, fewer if it diverged), the
    start a black star, the end a large dot. On the default elongated quadratic
    SGD zig-zags across the valley, momentum overshoots and then rolls along it,
    and RMSprop/Adam rescale each coordinate and head more directly to the
    minimum. ``bounds=((xmin, xmax), (ymin, ymax))`` fixes the box (default: the
    paths ± 10 %).
    """
    paths = optimizer_trajectories(loss_fn_2d, optimizers, start, steps)
    if bounds is None:
        points = np.concatenate(list(paths.values()) + [np.array([start], dtype=float)])
        lo, hi = points.min(axis=0), points.max(axis=0)
        span = np.maximum(hi - lo, 1e-3)
        (x0, y0), (x1, y1) = lo - 0.1 * span, hi + 0.1 * span
    else:
        (x0, x1), (y0, y1) = bounds
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    z = _surface(loss_fn_2d, xx, yy)
    finite = np.isfinite(z)
    shown = np.log1p(np.clip(z - np.nanmin(np.where(finite, z, np.nan)), 0, None)) if finite.any() else z

    fig = new_figure(figsize=(7.0, 5.5))
    ax = fig.add_subplot()
    contours = ax.contour(xx, yy, shown, levels=25, cmap="viridis", linewidths=0.7)
    fig.colorbar(contours, ax=ax, label="log(1 + f − min f)")
    ax.scatter([start[0]], [start[1]], marker="*", s=160, color="k", zorder=5, label="start")
    for name, path in paths.items():
        diverged = len(path) < steps + 1
        (line,) = ax.plot(path[:, 0], path[:, 1], "-", marker=".", markersize=3, linewidth=1.2,
                          label=name + (" (diverged)" if diverged else ""))
        ax.scatter(path[-1:, 0], path[-1:, 1], s=40, color=line.get_color(), zorder=5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title or f"{getattr(loss_fn_2d, '__name__', 'loss')}: {steps} steps per optimizer")
    ax.legend(fontsize=8, loc="best")
    return fig


# ============================================================================ quantization

def _levels(qt, q):
    """The integer range [qmin, qmax] of a QTensor: its own fields when it has them, else inferred."""
    bits = int(qt.bits)
    if getattr(qt, "qmin", None) is not None and getattr(qt, "qmax", None) is not None:
        return int(qt.qmin), int(qt.qmax)
    zero_point = np.asarray(qt.zero_point)
    if q.size and q.min() < 0 or np.all(zero_point == 0):  # signed, as the symmetric scheme
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2 ** bits - 1


def plot_quantization(x, qt, bins=100, max_points=5000, title=None):
    """Float values against their quantized version, and the quantization error.

    ``qt`` is a QTensor from :func:`minigrad.quant.quantize` (only its ``q``,
    ``scale``, ``zero_point`` and ``bits`` fields are used, plus ``dequantize()``
    when present). Symmetric uniform quantization: q = clamp(round(x/s)),
    x̂ = s·q, with s = max|x|/qmax.

    Left: histogram of the float values and of the dequantized values x̂, which
    can only take the 2ⁿ grid levels (drawn as thin lines when there are at most
    64 of them). Right: the error x − x̂ against x -- a sawtooth bounded by ±s/2
    (rounding), except where x was clipped to the range. The title gives the
    mean squared error and the signal-to-quantization-noise ratio in dB.
    """
    x = _array(x).astype(np.float64)
    q = np.asarray(_array(qt.q))
    scale = np.asarray(_array(qt.scale), dtype=np.float64)
    zero_point = np.asarray(_array(qt.zero_point), dtype=np.float64)
    if hasattr(qt, "dequantize") and callable(qt.dequantize):
        deq = _array(qt.dequantize()).astype(np.float64)
    else:
        deq = (q.astype(np.float64) - zero_point) * scale
    if deq.shape != x.shape:
        raise ValueError(f"plot_quantization: x has shape {x.shape} but the QTensor holds {deq.shape}")
    error = x - deq
    flat_x, flat_err, flat_deq = x.ravel(), error.ravel(), deq.ravel()
    qmin, qmax = _levels(qt, q)
    mse = float(np.mean(error ** 2)) if error.size else math.nan
    signal = float(np.mean(x ** 2)) if x.size else math.nan
    sqnr = 10 * math.log10(signal / mse) if mse > 0 and signal > 0 else math.inf

    fig = new_figure(figsize=(11.0, 4.2))
    ax_hist, ax_err = fig.subplots(1, 2)
    lo, hi = float(min(flat_x.min(), flat_deq.min())), float(max(flat_x.max(), flat_deq.max()))
    edges = np.linspace(lo, hi if hi > lo else lo + 1, bins + 1)
    ax_hist.hist(flat_x, bins=edges, histtype="stepfilled", alpha=0.4, color="tab:blue", label="float x")
    ax_hist.hist(flat_deq, bins=edges, histtype="step", linewidth=1.4, color="tab:orange",
                 label=f"dequantized x̂ ({qt.bits:g}-bit)")
    per_tensor = scale.size == 1
    if per_tensor and qmax - qmin + 1 <= 64:
        s, zp = float(scale.ravel()[0]), float(zero_point.ravel()[0])
        for k in range(qmin, qmax + 1):
            ax_hist.axvline((k - zp) * s, color="gray", linewidth=0.4, alpha=0.5)
    ax_hist.set_xlabel("value")
    ax_hist.set_ylabel("count")
    grid = (f"{qmax - qmin + 1} levels, step s = {float(scale.ravel()[0]):.3g}" if per_tensor
            else f"{qmax - qmin + 1} levels, {scale.size} per-channel scales")
    ax_hist.set_title(f"Float vs quantized ({grid})", fontsize=10)
    ax_hist.legend(fontsize=8)

    step = max(1, math.ceil(flat_x.size / max_points))
    ax_err.scatter(flat_x[::step], flat_err[::step], s=4, alpha=0.6, color="tab:purple", label="x − x̂")
    if per_tensor:
        half = float(scale.ravel()[0]) / 2
        ax_err.axhspan(-half, half, color="tab:green", alpha=0.12, label="±s/2 (rounding bound)")
    ax_err.axhline(0, color="k", linewidth=0.5)
    ax_err.set_xlabel("float value x")
    ax_err.set_ylabel("quantization error x − x̂")
    ax_err.set_title(f"Error: MSE {mse:.3g}, SQNR {sqnr:.1f} dB", fontsize=10)
    ax_err.legend(fontsize=8)
    fig.suptitle(title or f"{qt.bits:g}-bit quantization of {x.size} values (integers {qmin} … {qmax})")
    return fig

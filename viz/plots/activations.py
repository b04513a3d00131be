"""Activation statistics per layer and the initialization sweep, as figures.

The course's initialization figures (the density of each layer's output, as in
Glorot & Bengio 2010; He et al. 2015): :func:`plot_activation_stats` for one model,
:func:`plot_init_sweep` for every initialization × activation pair. The numbers
come from :mod:`minigrad.course.experiments` (``activation_statistics``,
``init_sweep``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from minigrad import nn
from minigrad.course.experiments import activation_statistics
from viz._mpl import new_figure

__all__ = ["plot_activation_stats", "plot_init_sweep"]


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
                if zero.size:  # listed with the "x" it is drawn with (its line, all NaN, shows nothing)
                    if not (std > 0).any():
                        line.set_label("_nolegend_")
                    ax.plot(zero, [0.03] * zero.size, "x", color=line.get_color(),
                            transform=ax.get_xaxis_transform(), label=f"{init} (std 0: symmetric)")
            ax.set_yscale("log")
            ax.set_title(act)
            ax.set_xlabel("layer")
            ax.set_ylabel("std of outputs (log)")
        # One legend for all panels, below them: inside, it sat on a line that grows by decades.
        handles = {}
        for ax in axes:
            for handle, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, handle)
        fig.legend(list(handles.values()), list(handles), fontsize=8, loc="outside lower center",
                   ncol=min(len(handles), 4))
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

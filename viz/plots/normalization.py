"""Activation distributions over training, per layer: the drift batch normalization removes."""

from __future__ import annotations

import numpy as np

from viz._mpl import new_figure

__all__ = ["plot_activation_drift"]


def plot_activation_drift(runs, epochs=None, percentiles=(15, 50, 85), title=None):
    """How each layer's pre-activations move while the network trains, for one or more runs.

    ``runs`` maps a run's name to its record: one entry per recorded epoch, each a
    list with one array per layer (the layer's pre-activations on a fixed probe
    batch). ``epochs`` numbers the records (0, 1, 2, … by default). One row per
    run, one column per layer; each panel shows the ``percentiles`` of the values
    against the epoch, the picture of Ioffe & Szegedy (2015), Fig. 1(b, c): without
    normalization the distribution a layer receives keeps shifting as the layers
    below it learn ("internal covariate shift"); after batch normalization it
    stays put.
    """
    if not runs:
        raise ValueError("plot_activation_drift: runs is empty; expected name -> [epoch][layer] arrays")
    names = list(runs)
    layers = len(runs[names[0]][0])
    if any(len(record) != layers for run in runs.values() for record in run):
        raise ValueError("plot_activation_drift: every record must hold one array per layer, the same layers")
    fig = new_figure(figsize=(3.2 * layers, 2.6 * len(names) + 0.6))
    axes = np.asarray(fig.subplots(len(names), layers, squeeze=False, sharex=True))
    shades = ("tab:blue", "tab:red", "tab:blue")
    for row, name in enumerate(names):
        record = runs[name]
        x = np.arange(len(record)) if epochs is None else np.asarray(epochs)
        if len(x) != len(record):
            raise ValueError(f"plot_activation_drift: {len(x)} epochs for {len(record)} records of {name!r}")
        for layer in range(layers):
            ax = axes[row, layer]
            values = np.array([np.percentile(np.asarray(r[layer], dtype=np.float64).ravel(), percentiles)
                               for r in record])
            for k, p in enumerate(percentiles):
                ax.plot(x, values[:, k], color=shades[min(k, 2)] if len(percentiles) == 3 else None,
                        linewidth=2 if p == 50 else 1, label=f"{p}th percentile")
            if len(percentiles) >= 2:
                ax.fill_between(x, values[:, 0], values[:, -1], color="tab:blue", alpha=0.1)
            ax.grid(True, alpha=0.3)
            if row == 0:
                ax.set_title(f"layer {layer + 1}", fontsize=10)
            if layer == 0:
                ax.set_ylabel(f"{name}\npre-activation", fontsize=9)
            if row == len(names) - 1:
                ax.set_xlabel("epoch")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(title or "Pre-activation percentiles per layer during training")
    return fig

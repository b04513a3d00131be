"""Learning curves: training vs validation per epoch, with the early-stopping point."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.ticker import MaxNLocator

from viz._mpl import new_figure

__all__ = ["plot_learning_curves"]


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
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole: no "2.5"
        ax.set_ylabel(metric)
        ax.set_title(metric.replace("_", " ").capitalize())
        ax.legend(fontsize=8)
        ax.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig

"""Optimizers racing on a 2-D loss surface: contours and each optimizer's path.

The paths come from :func:`minigrad.course.experiments.optimizer_trajectories`
(momentum, RMSProp, Adam; Goodfellow et al. 2016, "Deep Learning", §8.3 and §8.5).
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad.course.experiments import elongated_quadratic, optimizer_trajectories
from minigrad.tensor import Tensor
from viz._mpl import new_figure
from viz.plots._arrays import _array

__all__ = ["plot_optimizer_trajectories"]


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

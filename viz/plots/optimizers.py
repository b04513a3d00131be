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


def _surface_name(fn, default):
    """The function's name as a title reads it: "elongated quadratic", not "elongated_quadratic"."""
    name = getattr(fn, "__name__", "") or default
    return default if name == "<lambda>" else name.replace("_", " ")


def _diverged(fn, paths, start, steps):
    """The labels of the paths that diverged: they left the finite numbers, or ended with
    f more than 10 × (|f(start)|, at least 1) above where they started -- an SGD whose
    step is too large for the surface's curvature flies off to 1e5 in a few steps.
    """
    f0 = float(_surface(fn, np.array([start[0]], dtype=float), np.array([start[1]], dtype=float))[0])
    out = set()
    for name, path in paths.items():
        if len(path) < steps + 1:
            out.add(name)
            continue
        with np.errstate(all="ignore"):
            end = float(_surface(fn, path[-1:, 0].astype(float), path[-1:, 1].astype(float))[0])
        if not np.isfinite(end) or end > f0 + 10 * max(abs(f0), 1.0):
            out.add(name)
    return out


def _view(paths, start, diverged):
    """``((xmin, xmax), (ymin, ymax))``: the start and the paths that did not diverge, ± 10 %.

    A diverged path leaves the box (it is labelled so): framing it too would zoom
    out until the surface and the other paths shrink to a dot.
    """
    kept = [path for name, path in paths.items() if name not in diverged]
    points = np.concatenate(kept + [np.array([start], dtype=float)])
    points = points[np.isfinite(points).all(axis=1)]
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-3) if kept else np.maximum(np.abs(np.asarray(start, dtype=float)), 1.0)
    (x0, y0), (x1, y1) = lo - 0.1 * span, hi + 0.1 * span
    return (x0, x1), (y0, y1)


def _contour_grid(fn, paths, start, steps, bounds, resolution):
    """What both the picture and the animation draw under the paths: the labels that
    diverged, the box (``bounds`` or :func:`_view`) and the grid ``(xx, yy, shown)``
    with ``shown = log(1 + f − min f)`` over the finite values of f.
    """
    diverged = _diverged(fn, paths, start, steps)
    (x0, x1), (y0, y1) = bounds if bounds is not None else _view(paths, start, diverged)
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    z = _surface(fn, xx, yy)
    finite = np.isfinite(z)
    shown = np.log1p(np.clip(z - np.nanmin(np.where(finite, z, np.nan)), 0, None)) if finite.any() else z
    return diverged, ((x0, x1), (y0, y1)), (xx, yy, shown)


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
    paths that did not diverge ± 10 %; see :func:`_diverged`).
    """
    paths = optimizer_trajectories(loss_fn_2d, optimizers, start, steps)
    diverged, ((x0, x1), (y0, y1)), (xx, yy, shown) = _contour_grid(loss_fn_2d, paths, start, steps, bounds,
                                                                    resolution)

    fig = new_figure(figsize=(7.0, 5.5))
    ax = fig.add_subplot()
    contours = ax.contour(xx, yy, shown, levels=25, cmap="viridis", linewidths=0.7)
    fig.colorbar(contours, ax=ax, label="log(1 + f − min f)")
    ax.scatter([start[0]], [start[1]], marker="*", s=160, color="k", zorder=5, label="start")
    for name, path in paths.items():
        (line,) = ax.plot(path[:, 0], path[:, 1], "-", marker=".", markersize=3, linewidth=1.2,
                          label=name + (" (diverged)" if name in diverged else ""))
        ax.scatter(path[-1:, 0], path[-1:, 1], s=40, color=line.get_color(), zorder=5)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title or f"{_surface_name(loss_fn_2d, 'loss')}: {steps} steps per optimizer")
    ax.legend(fontsize=8, loc="best")
    return fig

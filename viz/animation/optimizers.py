"""Optimizers racing on a 2-D loss surface: every path grows one step per frame.

The paths come from :func:`minigrad.course.experiments.optimizer_trajectories`,
the same runs :func:`viz.plot_optimizer_trajectories` draws (momentum, RMSProp,
Adam: Goodfellow et al. 2016, "Deep Learning", §8.3 and §8.5; Kingma & Ba 2015).
"""

from __future__ import annotations

import numpy as np

from minigrad.course.experiments import elongated_quadratic, optimizer_trajectories
from viz.animation._style import LABEL, LEGEND, Animation, animation_figure, style_axes
from viz.plots.optimizers import _contour_grid, _surface_name

__all__ = ["animate_optimizers"]


def animate_optimizers(fn=elongated_quadratic, optimizers=None, steps=50, start=(-4.0, 1.5), bounds=None,
                       resolution=120, interval=120, figsize=(9.0, 6.5)):
    """Animate optimizers descending ``fn`` from ``start``: frame k shows every path after k steps.

    ``fn(x, y)`` takes two scalar Tensors and returns a scalar Tensor (written with
    minigrad ops). ``optimizers`` maps a label to ``(OptimizerClass, kwargs)``, e.g.
    ``{"SGD": (optim.SGD, {"lr": 0.1}), "Adam": (optim.Adam, {"lr": 0.3})}``
    (default: SGD, momentum, RMSprop and Adam). There are ``steps + 1`` frames
    (frame 0 is the start); a path that diverged stops where it left the finite
    numbers or ends far uphill is labelled so. The contours show log(1 + f − min f)
    over the box ``bounds=((xmin, xmax), (ymin, ymax))`` (default: the start and the
    paths that did not diverge, ± 10 %: a diverged path flies out of it). The
    animation carries ``paths``: ``{label: array (≤ steps + 1, 2)}``.
    """
    if not (isinstance(steps, (int, np.integer)) and steps >= 1):
        raise ValueError(f"animate_optimizers: steps must be a positive integer, got {steps!r}")
    if not callable(fn):
        raise TypeError(f"animate_optimizers: fn must be a function f(x, y) of two scalar tensors, got {fn!r}")
    paths = optimizer_trajectories(fn, optimizers, start, steps)
    if not paths:
        raise ValueError("animate_optimizers: optimizers is empty; give at least one label → (class, kwargs)")
    diverged, ((x0, x1), (y0, y1)), (xx, yy, shown) = _contour_grid(fn, paths, start, steps, bounds, resolution)

    fig = animation_figure(figsize)
    ax = fig.add_subplot()
    ax.contour(xx, yy, shown, levels=25, cmap="viridis", linewidths=0.8)
    ax.scatter([start[0]], [start[1]], marker="*", s=300, color="k", zorder=5, label="start")
    lines, heads = {}, {}
    for name, path in paths.items():
        (line,) = ax.plot([], [], "-", marker=".", markersize=5, linewidth=2.2,
                          label=name + (" (diverged)" if name in diverged else ""))
        (head,) = ax.plot([], [], "o", markersize=11, color=line.get_color(), markeredgecolor="k", zorder=6)
        lines[name], heads[name] = line, head
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    name = _surface_name(fn, "f")
    style_axes(ax, title="", xlabel="x", ylabel="y")
    ax.legend(fontsize=LEGEND, loc="best")
    counter = ax.text(0.98, 0.03, "", transform=ax.transAxes, ha="right", fontsize=LABEL,
                      bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.7"})

    def draw(k):
        for label, path in paths.items():
            shown_path = path[: k + 1]
            lines[label].set_data(shown_path[:, 0], shown_path[:, 1])
            heads[label].set_data(shown_path[-1:, 0], shown_path[-1:, 1])
        ax.set_title(f"Optimizers on {name}", fontsize=16)
        counter.set_text(f"step {k} / {steps}")
        return ()

    anim = Animation(fig, draw, steps + 1, interval)
    anim.paths = paths
    return anim

"""Pictures of regularization and generalization.

* :func:`penalty_optima` and :func:`plot_penalty_geometry` -- why L1 gives zeros and
  L2 does not: the loss contours meet the L1 diamond at a corner and the L2 circle
  anywhere (Tibshirani 1996; Hastie, Tibshirani & Friedman 2009, "The Elements of
  Statistical Learning", Fig. 3.11; Goodfellow et al. 2016, "Deep Learning", §7.1);
* :func:`plot_error_curves` -- training and validation error against a knob: the
  model's capacity (the bias–variance U-curve, Hastie et al. 2009, Fig. 2.11;
  Goodfellow et al. 2016, Fig. 5.3) or the amount of training data (a learning
  curve, Goodfellow et al. 2016, Fig. 5.4);
* :func:`plot_comparison_bars` -- one error per model and setting, side by side
  (e.g. test error with and without dropout, Srivastava et al. 2014, Fig. 4).

Each function returns a matplotlib Figure and shows nothing (see :mod:`viz._mpl`).
"""

from __future__ import annotations

import numpy as np

from viz._mpl import new_figure

__all__ = ["penalty_optima", "plot_penalty_geometry", "plot_error_curves", "plot_comparison_bars"]


def _quadratic(center, curvature):
    center = np.asarray(center, dtype=np.float64)
    A = np.asarray(curvature, dtype=np.float64)
    if center.shape != (2,) or A.shape != (2, 2) or not np.allclose(A, A.T) or np.linalg.eigvalsh(A).min() <= 0:
        raise ValueError(f"penalty_optima: needs a 2-D center and a symmetric positive definite 2×2 curvature, "
                         f"got center {center.tolist()} and curvature {A.tolist()}")
    return center, A


def penalty_optima(center, curvature, radius=1.0, points=20001):
    """Where the loss L(w) = (w − w*)ᵀ A (w − w*) is smallest on the L1 ball and on the L2 ball.

    Minimizing J(w) + λ‖w‖ is the same as minimizing J(w) subject to ‖w‖ ≤ r for
    some radius r (a Lagrange multiplier; Goodfellow et al. 2016, §7.2). With the
    unconstrained minimum w* = ``center`` outside the ball, the constrained
    minimum lies on its boundary; we find it by a fine search along the boundary
    (``points`` angles), accurate to about r·2π/points. Returns
    ``{"L1": w, "L2": w, "L1 loss": L, "L2 loss": L}``.
    """
    center, A = _quadratic(center, curvature)
    if not np.isfinite(radius) or radius <= 0:
        raise ValueError(f"penalty_optima: radius must be a number > 0, got radius={radius!r}")
    theta = np.linspace(0.0, 2 * np.pi, int(points), endpoint=False)
    circle = radius * np.stack([np.cos(theta), np.sin(theta)], axis=1)
    diamond = circle / np.abs(circle).sum(axis=1, keepdims=True) * radius   # |w1| + |w2| = r
    # the corners of the diamond belong to the boundary exactly
    diamond = np.concatenate([diamond, radius * np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]])])
    result = {}
    for name, boundary in (("L1", diamond), ("L2", circle)):
        if name == "L1" and np.abs(center).sum() <= radius or name == "L2" and np.linalg.norm(center) <= radius:
            best = center.copy()   # the minimum is inside the ball: no constraint is active
        else:
            d = boundary - center
            best = boundary[np.argmin(np.einsum("ni,ij,nj->n", d, A, d))]
        result[name] = best
        result[name + " loss"] = float((best - center) @ A @ (best - center))
    return result


def plot_penalty_geometry(center=(2.0, 0.5), curvature=((1.0, 0.3), (0.3, 1.5)), radius=1.0, title=None):
    """The L1 diamond and the L2 circle with the loss contours, and where each constrained minimum lands.

    Two panels, one per penalty: the elliptic contours of the quadratic loss
    around its minimum w* (``center``), the ball ‖w‖ ≤ ``radius`` shaded, and the
    point where the smallest contour touches the ball (:func:`penalty_optima`),
    with the contour through it drawn thick. On the diamond that point is usually a
    corner, where one weight is exactly zero: L1 gives sparse weights, L2 only
    smaller ones (Tibshirani 1996; Hastie et al. 2009, Fig. 3.11).
    """
    center, A = _quadratic(center, curvature)
    optima = penalty_optima(center, A, radius)
    span = max(np.abs(center).max() + 1.2, radius * 1.6)
    grid = np.linspace(-span, span, 241)
    W1, W2 = np.meshgrid(grid, grid)
    D = np.stack([W1 - center[0], W2 - center[1]], axis=-1)
    loss = np.einsum("...i,ij,...j->...", D, A, D)

    fig = new_figure(figsize=(10.0, 4.8))
    for ax, name in zip(fig.subplots(1, 2), ("L1", "L2")):
        ax.contour(W1, W2, loss, levels=np.linspace(0.05, loss.max() / 3, 14), cmap="Blues_r",
                   linewidths=0.8)
        ax.contour(W1, W2, loss, levels=[optima[name + " loss"]], colors="tab:blue", linewidths=2.2)
        if name == "L1":
            ball = radius * np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]])
            label = f"|w₁| + |w₂| ≤ {radius:g}"
        else:
            t = np.linspace(0, 2 * np.pi, 200)
            ball = radius * np.stack([np.cos(t), np.sin(t)], axis=1)
            label = f"w₁² + w₂² ≤ {radius:g}²"
        ax.fill(ball[:, 0], ball[:, 1], color="tab:orange", alpha=0.35, label=label)
        ax.plot(ball[:, 0], ball[:, 1], color="tab:orange", linewidth=1.5)
        ax.plot(*center, "k*", markersize=12, label="w* (no penalty)")
        w = optima[name]
        ax.plot(*w, "o", color="tab:red", markersize=9, label=f"{name} solution ({w[0]:.2f}, {w[1]:.2f})")
        ax.axhline(0, color="k", linewidth=0.5)
        ax.axvline(0, color="k", linewidth=0.5)
        ax.set_aspect("equal")
        ax.set_xlim(-span, span)
        ax.set_ylim(-span, span)
        ax.set_xlabel("w₁")
        ax.set_ylabel("w₂")
        ax.set_title(f"{name} penalty: " + ("the contour meets a corner, w₂ = 0" if name == "L1" and abs(w[1]) < 1e-9
                                             else "the contour meets the ball"), fontsize=10)
        ax.legend(fontsize=8, loc="lower left")
    fig.suptitle(title or "Constrained minimum = penalized minimum: L1 lands on an axis, L2 does not")
    return fig


def plot_error_curves(x, train, val, xlabel, ylabel="error", logx=False, mark_best=True, title=None,
                      train_label="training", val_label="validation"):
    """Training and validation error against one knob (capacity, data size, a hyperparameter).

    ``train`` and ``val`` are one error per value of ``x`` (arrays of shape (k,),
    or (repeats, k) to draw the mean with a band of ± one standard deviation).
    With ``mark_best`` the lowest mean validation error is marked. Against
    capacity the validation curve is the bias–variance U (Hastie et al. 2009,
    Fig. 2.11); against the number of training samples it is a learning curve
    whose two lines close in as data grows (Goodfellow et al. 2016, Fig. 5.4).
    """
    x = np.asarray(x, dtype=np.float64)
    fig = new_figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    best = None
    for values, label, style, color in ((train, train_label, "-o", "tab:blue"), (val, val_label, "-s", "tab:red")):
        values = np.atleast_2d(np.asarray(values, dtype=np.float64))
        if values.shape[-1] != len(x):
            raise ValueError(f"plot_error_curves: {label} has {values.shape[-1]} values for {len(x)} x's")
        mean = values.mean(axis=0)
        ax.plot(x, mean, style, color=color, label=label, markersize=4)
        if len(values) > 1:
            std = values.std(axis=0)
            ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.15)
        if label == val_label:
            best = int(np.argmin(mean))
    if mark_best and best is not None:
        ax.axvline(x[best], color="tab:green", linestyle="--", linewidth=1.2, label=f"lowest {val_label} error")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_comparison_bars(groups, series, ylabel="test error", title=None):
    """Grouped bars: one group per model (``groups``), one bar per setting (``series``: label → values).

    For example the test error of several architectures trained with and without
    dropout, as in Srivastava et al. (2014), Fig. 4. Each bar is labelled with its value.
    """
    groups = list(groups)
    if not series or any(len(v) != len(groups) for v in series.values()):
        raise ValueError(f"plot_comparison_bars: every series needs one value per group ({len(groups)})")
    fig = new_figure(figsize=(max(6.0, 1.6 * len(groups) + 2), 4.2))
    ax = fig.subplots()
    width = 0.8 / len(series)
    positions = np.arange(len(groups))
    for k, (label, values) in enumerate(series.items()):
        bars = ax.bar(positions + (k - (len(series) - 1) / 2) * width, values, width, label=label)
        ax.bar_label(bars, fmt="%.3f", fontsize=7)
    ax.set_xticks(positions, groups, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig

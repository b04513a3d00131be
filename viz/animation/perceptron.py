"""Rosenblatt's perceptron learning, one frame per mistake.

The perceptron (Rosenblatt 1958) classifies with the sign of w·x + b. It visits
the samples in order and, only when one is misclassified (t (w·x + b) ≤ 0 with
targets t = ±1), moves the boundary towards it:

    w ← w + η t x,    b ← b + η t.

On linearly separable data it stops after finitely many mistakes (Novikoff's
convergence theorem, 1962: at most (R/γ)² for data radius R and margin γ); on data
that is not separable (XOR) it never settles, which is why hidden layers are needed.
"""

from __future__ import annotations

import numpy as np

from viz.animation._style import LEGEND, Animation, animation_figure, style_axes
from viz.plots._arrays import _array

__all__ = ["animate_perceptron", "perceptron_mistakes", "two_blobs"]


def two_blobs(n=40, margin=0.3, seed=0):
    """Two Gaussian clouds that a line separates: ``(X, y)`` with ``n`` samples, labels 0 and 1.

    Centred at (0.8, 0.8) and (3.2, 3.2) with spread 0.8, so the boundary
    x₁ + x₂ = 4 does not pass through the origin and the bias has to be learned
    too (a dozen or so mistakes, not one). Points closer than ``margin`` to that
    line, or on its wrong side, are redrawn: the data is linearly separable and the
    perceptron is guaranteed to converge.
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n, 2))
    y = np.arange(n) % 2
    for i in range(n):
        sign = 1.0 if y[i] else -1.0
        while True:
            offset = rng.normal(1.2 * sign, 0.8, size=2)  # relative to the boundary's point (2, 2)
            if sign * offset.sum() / np.sqrt(2.0) > margin:
                X[i] = offset + 2.0
                break
    return X, y


def _targets(y):
    classes = np.unique(y)
    if len(classes) != 2:
        raise ValueError(f"animate_perceptron needs exactly two classes, got {len(classes)}: {classes[:10].tolist()}")
    return np.where(y == classes[1], 1.0, -1.0), classes


def perceptron_mistakes(X, y, lr=1.0, max_epochs=100):
    """Run the perceptron rule; returns ``(history, converged)``.

    ``history[0]`` is the start (w = 0, b = 0) and ``history[k]`` the state after
    the k-th mistake: a dict with ``w``, ``b``, ``index`` (the sample that was
    misclassified; None at the start), ``epoch`` and ``mistakes``. ``converged``
    is True when a full pass over the data made no mistake.
    """
    X = _array(X).astype(np.float64)
    y = _array(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"animate_perceptron needs 2-D inputs of shape (n, 2), got {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"animate_perceptron: X has {len(X)} samples but y has {len(y)}")
    if not lr > 0:
        raise ValueError(f"animate_perceptron: lr must be positive, got {lr!r}")
    if not (isinstance(max_epochs, (int, np.integer)) and max_epochs >= 1):
        raise ValueError(f"animate_perceptron: max_epochs must be a positive integer, got {max_epochs!r}")
    t, _ = _targets(y)
    w, b = np.zeros(2), 0.0
    history = [{"w": w.copy(), "b": b, "index": None, "epoch": 0, "mistakes": 0}]
    for epoch in range(max_epochs):
        mistakes = 0
        for i in range(len(X)):
            if t[i] * (X[i] @ w + b) <= 0:  # misclassified (or on the boundary): move towards it
                w = w + lr * t[i] * X[i]
                b = b + lr * t[i]
                mistakes += 1
                history.append({"w": w.copy(), "b": b, "index": i, "epoch": epoch + 1,
                                "mistakes": len(history)})
        if mistakes == 0:
            return history, True
    return history, False


def animate_perceptron(X, y, lr=1.0, max_epochs=100, interval=600, resolution=120, figsize=(8.0, 6.5)):
    """Animate the perceptron learning rule on 2-D data: the boundary after each mistake.

    Frame 0 is the start (w = 0: no boundary yet); frame k shows the boundary
    w·x + b = 0 after the k-th mistake, the half-plane predicted positive shaded,
    and a ring around the sample that caused the update. So there are
    ``mistakes + 1`` frames. ``y`` holds two class labels (any two values; the
    larger is the positive class). The returned :class:`~matplotlib.animation.FuncAnimation`
    carries ``history`` (see :func:`perceptron_mistakes`) and ``converged``; save it
    with :func:`viz.save_animation`.
    """
    history, converged = perceptron_mistakes(X, y, lr=lr, max_epochs=max_epochs)
    X = _array(X).astype(np.float64)
    y = _array(y).reshape(-1)
    t, classes = _targets(y)
    pad = 0.5
    (x0, x1), (y0, y1) = [(X[:, k].min() - pad, X[:, k].max() + pad) for k in (0, 1)]
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))

    fig = animation_figure(figsize)
    ax = fig.add_subplot()
    shade = ax.imshow(np.zeros_like(xx), extent=(x0, x1, y0, y1), origin="lower", cmap="coolwarm", vmin=-1,
                      vmax=1, alpha=0.25, aspect="auto", interpolation="nearest")
    for target, color, marker in ((-1.0, "tab:blue", "o"), (1.0, "tab:red", "s")):
        mask = t == target
        ax.scatter(X[mask, 0], X[mask, 1], c=color, marker=marker, s=50, edgecolors="k", linewidths=0.6,
                   label=f"class {classes[int(target > 0)]}", zorder=3)
    (line,) = ax.plot([], [], "k-", linewidth=2.5, label="w·x + b = 0", zorder=4)
    (ring,) = ax.plot([], [], "o", markersize=20, fillstyle="none", markeredgewidth=3, color="gold",
                      label="misclassified: update", zorder=5)
    arrow = [None]
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    style_axes(ax, title="", xlabel="x₁", ylabel="x₂")
    # Below the plot, never over it: the samples reach into every corner of the box.
    fig.legend(fontsize=LEGEND, loc="outside lower center", ncol=4)
    note = ax.text(0.02, 0.03, "", transform=ax.transAxes, fontsize=LEGEND, family="monospace",
                   bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.7"}, zorder=6)
    total = len(history) - 1

    def draw(k):
        state = history[k]
        w, b = state["w"], state["b"]
        shade.set_data(np.sign(w[0] * xx + w[1] * yy + b))
        if abs(w[1]) > 1e-12:  # x₂ = -(w₁ x₁ + b) / w₂
            line.set_data([x0, x1], [-(w[0] * x0 + b) / w[1], -(w[0] * x1 + b) / w[1]])
        elif abs(w[0]) > 1e-12:  # a vertical line x₁ = -b / w₁
            line.set_data([-b / w[0]] * 2, [y0, y1])
        else:
            line.set_data([], [])
        if arrow[0] is not None:
            arrow[0].remove()
            arrow[0] = None
        norm = np.hypot(*w)
        foot = -b * w / norm**2 if norm > 1e-12 else None
        if foot is not None and x0 <= foot[0] <= x1 and y0 <= foot[1] <= y1:
            # the normal vector w, drawn from the boundary, points into the positive half-plane
            scale = 0.15 * min(x1 - x0, y1 - y0) / norm
            arrow[0] = ax.annotate("", xy=foot + scale * w, xytext=foot, zorder=4, annotation_clip=True,
                                   arrowprops={"arrowstyle": "->", "lw": 2.5, "color": "k"})
            arrow[0].set_in_layout(False)  # never let the arrow resize the plot between frames
        if state["index"] is None:
            ring.set_data([], [])
            ax.set_title(f"Perceptron: start, w = 0 ({total} mistakes to come)", fontsize=16)
        else:
            i = state["index"]
            ring.set_data([X[i, 0]], [X[i, 1]])
            ax.set_title(f"Perceptron: mistake {k} of {total} (pass {state['epoch']})"
                         + (" -- converged" if k == total and converged else ""), fontsize=16)
        note.set_text(f"w = ({w[0]:+.2f}, {w[1]:+.2f})   b = {b:+.2f}\n"
                      "on a mistake: w ← w + η t x,  b ← b + η t")
        return ()

    anim = Animation(fig, draw, len(history), interval)
    anim.history, anim.converged = history, converged
    return anim

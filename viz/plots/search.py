"""Hyperparameter search results: the validation score over the grid.

Reading a search is reading a response surface (Goodfellow et al. 2016, "Deep
Learning", §11.4.3): where is the score best, is the best value at the edge of
the grid (then widen it), and which hyperparameters matter at all (a flat line
means this one does not; Bergstra & Bengio 2012, "Random search for
hyper-parameter optimization", find that only a few do)::

    results = minigrad.data.grid_search(train_fn, {"lr": [1e-3, 1e-2], "hidden": [16, 64]}, X, y)
    viz.plot_search(results).savefig("search.png")
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from viz._mpl import new_figure

__all__ = ["plot_search"]

_MANY = 12  # more distinct values than this (a random search's draws): points, no line


def _label(value):
    if isinstance(value, float):
        return f"{value:.3g}"
    if callable(value):
        return getattr(value, "__name__", repr(value))
    return str(value)


def _numeric(values):
    return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)


def _distinct(values):
    """Distinct values in order of first appearance (unhashable ones by their text)."""
    seen, out = set(), []
    for v in values:
        key = _label(v) if not isinstance(v, (int, float, str)) else v
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _positions(values, distinct):
    """x positions: the values themselves when numeric, else 0, 1, 2, … in order."""
    if _numeric(distinct):
        return np.array(values, dtype=float), None
    index = {_label(v): i for i, v in enumerate(distinct)}
    return np.array([index[_label(v)] for v in values], dtype=float), [_label(v) for v in distinct]


def _log_scale(distinct):
    return _numeric(distinct) and len(distinct) > 2 and min(distinct) > 0 and max(distinct) / min(distinct) >= 20


def plot_search(results, title=None, figsize=None):
    """The mean validation score of every candidate of a ``SearchResults``; returns a Figure.

    The hyperparameters that vary decide the picture:

    * two, each with a few values (a grid): a heatmap, one cell per combination (its mean score written in it; the
      best outlined), averaged over any others that stay fixed;
    * one, or three and more: one panel per hyperparameter, score against its
      value: every candidate as a point with its fold standard deviation, and a
      line through the best score reached at each value (the others tuned).

    Learning rates and other values spanning decades get a logarithmic axis. Higher
    scores are better, as in the search.
    """
    rows = getattr(results, "rows", None)
    if not rows:
        raise ValueError(f"plot_search: expected the SearchResults of grid_search or random_search, "
                         f"got {type(results).__name__}")
    names = list(dict.fromkeys(name for row in rows for name in row["params"]))
    varying = [n for n in names if len(_distinct([row["params"].get(n) for row in rows])) > 1]
    best = results.best_index
    method = getattr(results, "method", "search")
    k = getattr(results, "k", None)
    heading = title or f"{method}: mean validation score" + (f" ({k}-fold)" if k else "")
    few = all(len(_distinct([row["params"].get(n) for row in rows])) <= _MANY for n in varying)
    if len(varying) == 2 and few:  # a grid; a random search's continuous draws get the panels
        return _heatmap(rows, varying, best, heading, figsize)
    return _lines(rows, varying or names[:1], best, heading, figsize)


def _heatmap(rows, names, best, heading, figsize):
    a, b = names
    ya = _distinct([row["params"][a] for row in rows])
    xb = _distinct([row["params"][b] for row in rows])
    if _numeric(ya):
        ya = sorted(ya)
    if _numeric(xb):
        xb = sorted(xb)
    row_of = {_label(v): i for i, v in enumerate(ya)}
    col_of = {_label(v): j for j, v in enumerate(xb)}
    total = np.zeros((len(ya), len(xb)))
    count = np.zeros((len(ya), len(xb)))
    for row in rows:
        i, j = row_of[_label(row["params"][a])], col_of[_label(row["params"][b])]
        if math.isfinite(row["mean_score"]):
            total[i, j] += row["mean_score"]
            count[i, j] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        grid = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    fig = new_figure(figsize=figsize or (1.2 * len(xb) + 3.0, 0.8 * len(ya) + 2.2))
    ax = fig.add_subplot()
    image = ax.imshow(np.ma.masked_invalid(grid), cmap="viridis", aspect="auto", origin="lower")
    fig.colorbar(image, ax=ax, label="mean validation score")
    finite = grid[np.isfinite(grid)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for i in range(len(ya)):
        for j in range(len(xb)):
            text = "n/a" if not np.isfinite(grid[i, j]) else f"{grid[i, j]:.3g}"
            dark = np.isfinite(grid[i, j]) and grid[i, j] < middle
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color="white" if dark else "black")
    bi, bj = row_of[_label(rows[best]["params"][a])], col_of[_label(rows[best]["params"][b])]
    ax.add_patch(_outline(bj, bi))
    ax.set_xticks(range(len(xb)), [_label(v) for v in xb])
    ax.set_yticks(range(len(ya)), [_label(v) for v in ya])
    ax.set_xlabel(b)
    ax.set_ylabel(a)
    ax.set_title(heading + "\n(best outlined)", fontsize=10)
    return fig


def _outline(x, y):
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5)


def _lines(rows, names, best, heading, figsize):
    fig = new_figure(figsize=figsize or (4.2 * len(names), 3.6))
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    scores = np.array([row["mean_score"] for row in rows], dtype=float)
    stds = np.array([row.get("std_score", 0.0) for row in rows], dtype=float)
    for ax, name in zip(axes, names):
        values = [row["params"].get(name) for row in rows]
        distinct = _distinct(values)
        if _numeric(distinct):
            distinct = sorted(distinct)
        x, ticks = _positions(values, distinct)
        ax.errorbar(x, scores, yerr=stds, fmt="o", color="tab:blue", alpha=0.6, capsize=3, label="candidates")
        if len(distinct) <= _MANY:
            xs, ys = [], []
            for v in distinct:
                mask = np.array([_label(u) == _label(v) for u in values])
                finite = scores[mask][np.isfinite(scores[mask])]
                if finite.size:
                    xs.append(_positions([v], distinct)[0][0])
                    ys.append(finite.max())
            ax.plot(xs, ys, "-", color="tab:orange", label="best at this value")
        ax.plot(x[best], scores[best], "*", color="red", markersize=14, label="best candidate")
        if ticks is not None:
            ax.set_xticks(range(len(ticks)), ticks)
        elif _log_scale(distinct):
            ax.set_xscale("log")
        ax.set_xlabel(name)
        ax.set_ylabel("mean validation score")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(heading, fontsize=10)
    return fig

"""What a classifier learned: decision regions on 2-D data and the confusion matrix."""

from __future__ import annotations

import math

import numpy as np

from viz._mpl import new_figure
from viz.plots._arrays import _array

__all__ = ["plot_decision_boundary", "plot_confusion_matrix"]


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
    bends the boundary. On its own figure (no ``ax``) a legend beside the plot
    names the class of each colour.
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
    own_figure = ax is None
    if own_figure:
        fig = new_figure(figsize=(6.8, 5.0))
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
    if own_figure:  # what the colours mean, beside the plot (the points fill the box); a caller's axes: its call
        from matplotlib.lines import Line2D

        fig.legend(handles=[Line2D([], [], linestyle="", marker="o", markersize=7, markerfacecolor=colors[c],
                                   markeredgecolor="k", label=f"class {c}") for c in range(classes)],
                   loc="outside right upper", fontsize=9, title="true class\n(region: predicted)", title_fontsize=9)
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

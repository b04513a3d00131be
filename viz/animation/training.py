"""Training as a film: the decision boundary and the loss, epoch after epoch.

The model is trained with :func:`minigrad.train.fit` (mini-batch gradient descent,
the optimizer of your choice); after every ``every`` epochs the class it predicts
on a grid over the data is stored, so the animation replays the run: the
boundary bends from a straight line into whatever shape the data needs, while the
training loss falls on the right.
"""

from __future__ import annotations

import numpy as np

from minigrad import nn, optim
from minigrad.optim import Optimizer
from minigrad.train import LambdaCallback, evaluate, fit, predict
from viz.animation._style import LABEL, LEGEND, Animation, animation_figure, style_axes
from viz.plots._arrays import _array
from viz.plots.classifiers import _class_predictions

__all__ = ["animate_training"]


def _optimizer(model, optimizer, lr, kwargs):
    if isinstance(optimizer, Optimizer):
        return optimizer
    kwargs = dict(kwargs or {})
    kwargs.setdefault("lr", lr)
    return optim.get(optimizer, model.parameters(), **kwargs)


def animate_training(model, X, y, epochs=50, optimizer="adam", lr=0.01, optimizer_kwargs=None,
                     loss="cross_entropy", batch_size=32, every=1, seed=0, resolution=100, interval=150,
                     progress=None, figsize=(13.0, 6.0)):
    """Train ``model`` on 2-D data and animate its decision boundary and loss over the epochs.

    ``model`` is an ``nn.Module`` mapping 2 features to class scores (e.g.
    ``nn.MLP([2, 16, 16, 2])``); it is trained **in place** by :func:`minigrad.train.fit`
    with ``loss`` and ``optimizer`` -- a name ("sgd", "adam", ...) or class built with
    ``lr`` and ``optimizer_kwargs``, or an optimizer instance over the model's parameters.
    Frame 0 shows the untrained model; then one frame after every ``every`` epochs
    (and after the last), so there are ``1 + ceil(epochs / every)`` frames. Left:
    the predicted class regions and the data; right: the training loss and accuracy so
    far. ``progress(epoch, epochs)`` is called after each epoch. The animation carries
    ``history`` (per frame: ``epoch``, ``loss``, ``accuracy``) and ``grids``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"animate_training needs an nn.Module, got {type(model).__name__}")
    X = _array(X)
    y = _array(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"animate_training needs 2-D inputs of shape (n, 2), got {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"animate_training: X has {len(X)} samples but y has {len(y)}")
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 1):
        raise ValueError(f"animate_training: epochs must be a positive integer, got {epochs!r}")
    if not (isinstance(every, (int, np.integer)) and every >= 1):
        raise ValueError(f"animate_training: every must be a positive integer, got {every!r}")
    opt = _optimizer(model, optimizer, lr, optimizer_kwargs)
    dtype = model.parameters()[0].dtype if model.parameters() else np.float32
    X = X.astype(dtype)

    pad = 0.5
    (x0, x1), (y0, y1) = [(X[:, k].min() - pad, X[:, k].max() + pad) for k in (0, 1)]
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(dtype)

    grids, history = [], []

    def snapshot(epoch):
        # The loss and accuracy of the model as the frame shows it (fit's epoch loss
        # averages over batches taken while the weights were still moving).
        logs = evaluate(model, loss, X, y, metrics=["accuracy"])
        pred = _class_predictions(predict(model, grid, batch_size=len(grid)), None).reshape(xx.shape)
        grids.append(pred)
        history.append({"epoch": epoch, "loss": float(logs["loss"]), "accuracy": float(logs["accuracy"])})

    def epoch_end(epoch, logs):
        done = epoch + 1
        if done % every == 0 or done == epochs:
            snapshot(done)
        if progress is not None:
            progress(done, epochs)

    snapshot(0)
    fit(model, loss, opt, (X, y), epochs=epochs, batch_size=batch_size, metrics=["accuracy"],
        callbacks=[LambdaCallback(on_epoch_end=epoch_end)], progress=False, seed=seed)

    import matplotlib

    classes = int(max(max(g.max() for g in grids), y.max())) + 1
    colors = matplotlib.colormaps["tab10"].colors[: max(classes, 2)]
    cmap = matplotlib.colors.ListedColormap(colors)

    fig = animation_figure(figsize)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
    regions = left.imshow(grids[0], extent=(x0, x1, y0, y1), origin="lower", cmap=cmap, vmin=-0.5,
                          vmax=len(colors) - 0.5, alpha=0.3, aspect="auto", interpolation="nearest")
    left.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=len(colors) - 0.5, edgecolors="k",
                 linewidths=0.5, s=30)
    left.set_xlim(x0, x1)
    left.set_ylim(y0, y1)
    style_axes(left, xlabel="x₁", ylabel="x₂")
    boundary = [None]

    epochs_seen = [h["epoch"] for h in history]
    losses = np.array([h["loss"] for h in history], dtype=float)
    accuracy = np.array([h["accuracy"] for h in history], dtype=float)
    (loss_line,) = right.plot([], [], "-", color="tab:red", linewidth=2.5, label="training loss")
    right.set_xlim(0, max(epochs, 1))
    from matplotlib.ticker import MaxNLocator

    right.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole: no "2.5"
    finite = losses[np.isfinite(losses)]
    right.set_ylim(0, 1.1 * finite.max() if finite.size and finite.max() > 0 else 1.0)
    style_axes(right, title="Loss and accuracy", xlabel="epoch", ylabel="loss")
    acc_axis = right.twinx()
    (acc_line,) = acc_axis.plot([], [], "--", color="tab:green", linewidth=2.5, label="accuracy")
    acc_axis.set_ylim(0, 1.05)
    style_axes(acc_axis, ylabel="accuracy")
    # The current values are written in the legend (mid-height, where neither curve
    # stays): a box in a corner would sit on the accuracy curve once it nears 100 %.
    readout = right.legend(handles=[loss_line, acc_line], fontsize=LEGEND, loc="center right").get_texts()
    from matplotlib.lines import Line2D

    # The colours of the classes, below the plots (the samples fill the whole box).
    fig.legend(handles=[Line2D([], [], linestyle="", marker="o", markersize=8, markerfacecolor=colors[c],
                               markeredgecolor="k", label=f"class {c}") for c in range(classes)],
               fontsize=LEGEND, loc="outside lower center", ncol=min(classes, 6))

    def draw(k):
        regions.set_data(grids[k])
        if boundary[0] is not None:
            boundary[0].remove()
            boundary[0] = None
        if len(np.unique(grids[k])) > 1:
            boundary[0] = left.contour(xx, yy, grids[k], levels=np.arange(len(colors)) + 0.5, colors="k",
                                       linewidths=1.5)
        left.set_title(f"Decision boundary, epoch {epochs_seen[k]}", fontsize=16)
        loss_line.set_data(epochs_seen[: k + 1], losses[: k + 1])
        acc_line.set_data(epochs_seen[: k + 1], accuracy[: k + 1])
        readout[0].set_text(f"training loss {losses[k]:.3g}")
        readout[1].set_text(f"accuracy {accuracy[k]:.1%}")
        return ()

    anim = Animation(fig, draw, len(grids), interval)
    anim.history, anim.grids = history, grids
    return anim

"""``fit``: the mini-batch training loop, plus ``evaluate`` and ``predict``.

One epoch of mini-batch stochastic gradient descent (Goodfellow et al. 2016,
"Deep Learning", §8.1.3 and §8.3.1):

    for each mini-batch B of size m (shuffled every epoch):
        C = loss(model(X_B), y_B) + Σ regularizers       (J(w) + λR(w))
        gradients ∇C by backpropagation
        optionally clip them (Pascanu et al. 2013)
        optimizer step (SGD, momentum, Adam, ...)

then the model is evaluated on the validation set in eval mode (Dropout off,
BatchNorm on running statistics), and the callbacks -- early stopping among
them -- see the epoch's logs.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd import no_grad
from minigrad.tensor import Tensor
from minigrad.train.callbacks import Callback
from minigrad.train.history import History
from minigrad.train.progress import ProgressBar

__all__ = ["fit", "evaluate", "predict", "TrainingError"]


class TrainingError(RuntimeError):
    """Training cannot go on (e.g. the loss became NaN); ``history`` holds the epochs so far."""

    def __init__(self, message, history=None):
        super().__init__(message)
        self.history = history


def _loss_function(loss_fn):
    if isinstance(loss_fn, str):
        from minigrad.nn import losses

        return losses.get(loss_fn)
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be a callable or a loss name, got {loss_fn!r}")
    return loss_fn


def _metric_functions(metrics):
    from minigrad import metrics as metric_module

    out = {}
    for m in metrics:
        if isinstance(m, str):
            out[m] = metric_module.get(m)
        elif callable(m):
            out[getattr(m, "__name__", "metric")] = m
        else:
            raise TypeError(f"fit: a metric must be a name or a callable, got {m!r}")
    return out


def _arrays(data, what):
    """``(X, y)`` from a tuple of arrays/Tensors or a ``TensorDataset(X, y)``, with matching lengths."""
    from minigrad.data import DataLoader, TensorDataset

    if isinstance(data, TensorDataset) and len(data.arrays) == 2:
        data = tuple(data.arrays)
    elif isinstance(data, DataLoader) or (hasattr(data, "__getitem__") and hasattr(data, "__len__")
                                          and not isinstance(data, (tuple, list, np.ndarray, Tensor))):
        # any other dataset (a TensorDataset of 1 or 3+ arrays included) or a loader
        raise TypeError(
            f"fit: {what} must be a pair (X, y) or a TensorDataset(X, y), got {type(data).__name__}; fit makes its "
            "own DataLoader (batch_size=, shuffle=, seed=). For another dataset or loader, write the loop: "
            "for xb, yb in loader: loss = loss_fn(model(xb), yb); optimizer.zero_grad(); loss.backward(); "
            "optimizer.step()"
        )
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(f"fit: {what} must be a pair (X, y), got {type(data).__name__}")
    X, y = (d.numpy() if isinstance(d, Tensor) else np.asarray(d) for d in data)
    if len(X) != len(y):
        raise ValueError(f"fit: {what} has {len(X)} inputs but {len(y)} targets")
    if len(X) == 0:
        raise ValueError(f"fit: {what} is empty")
    return X, y


def _loader(X, y, batch_size, shuffle, seed, shard=None):
    from minigrad.data import DataLoader

    return DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, seed=seed, shard=shard)


def _has_regularizers(model):
    return any(m.regularization_terms() for m in model.modules())


def predict(model, X, batch_size=256):
    """The model's outputs for ``X`` as a NumPy array, in eval mode and without a graph.

    The model's train/eval mode is restored afterwards.
    """
    X = X.numpy() if isinstance(X, Tensor) else np.asarray(X)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            outs = [model(batch).numpy() for batch in _loader(X, None, batch_size, False, None)]
    finally:
        model.train(was_training)
    return np.concatenate(outs, axis=0)


def evaluate(model, loss_fn, X, y, metrics=(), batch_size=256):
    """``{"loss": ..., metric: ...}`` on (X, y): the mean loss per sample and each metric."""
    X, y = _arrays((X, y), "evaluation data")
    return _evaluate(model, _loss_function(loss_fn), X, y, _metric_functions(metrics), batch_size)


def _evaluate(model, loss_fn, X, y, metric_fns, batch_size):
    outputs = predict(model, X, batch_size)
    total = 0.0
    with no_grad():
        for start in range(0, len(X), batch_size):
            out = Tensor(outputs[start:start + batch_size], dtype=outputs.dtype)
            target = y[start:start + batch_size]
            total += loss_fn(out, target).item() * len(target)
    logs = {"loss": total / len(X)}
    for name, fn in metric_fns.items():
        logs[name] = float(fn(y, outputs))
    return logs


def fit(model, loss_fn, optimizer, train_data, epochs=1, batch_size=32, validation_data=None,
        callbacks=(), metrics=(), clip_norm=None, progress=True, clip_value=None, shuffle=True, seed=None):
    """Train ``model`` and return a :class:`History` (Keras style).

    Parameters
    ----------
    model : nn.Module
    loss_fn : callable ``(output, target) -> scalar Tensor`` or a loss name ("cross_entropy", "mse", ...)
    optimizer : an ``optim`` optimizer over ``model.parameters()``
    train_data, validation_data : ``(X, y)`` pairs of arrays or Tensors, or ``TensorDataset(X, y)``
    epochs, batch_size : passes over the data and mini-batch size m
    callbacks : e.g. ``[EarlyStopping("val_loss", patience=5, restore_best_weights=True)]``
    metrics : names from :mod:`minigrad.metrics` ("accuracy", "f1", ...) or ``fn(y_true, y_pred)``
    clip_norm, clip_value : clip gradients by global norm / by value before each step
    progress : a progress bar when the output is a terminal
    shuffle, seed : reshuffle the training set every epoch (repeatably with ``seed``)

    The logged ``loss`` is the training loss (regularization included) averaged over
    the epoch's samples; ``val_*`` keys come from evaluating ``validation_data`` at
    the end of each epoch. Regularizers attached to layers are added to the loss
    automatically. A non-finite loss raises :class:`TrainingError` naming the epoch
    and step. The model is left in eval mode.

    With a :class:`minigrad.distributed.DistributedDataParallel` model (one per
    process of an MPI job), each process trains on its shard of every global batch
    -- ``batch_size`` is per process -- the logged loss and metrics are those of
    the global batch (summed across processes), and only rank 0 shows progress.
    """
    loss_fn = _loss_function(loss_fn)
    metric_fns = _metric_functions(metrics)
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"fit: batch_size must be a positive integer, got {batch_size!r}")
    X, y = _arrays(train_data, "train_data")
    val = _arrays(validation_data, "validation_data") if validation_data is not None else None
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"fit: callbacks must be Callback instances, got {cb!r}")
    if clip_norm is not None or clip_value is not None:
        from minigrad.optim import clip_grad_norm_, clip_grad_value_

    history = History()
    ddp = model if hasattr(model, "all_reduce_sum") and hasattr(model, "shard") else None
    if ddp is not None:
        seed = ddp.seed if seed is None else seed  # one shuffle order on every process
        if not ddp.is_main_process:
            progress = False
    loader = _loader(X, y, batch_size, shuffle, seed, shard=None if ddp is None else ddp.shard)
    history.params = {"epochs": epochs, "steps": len(loader), "batch_size": batch_size, "samples": len(X)}
    regularized = _has_regularizers(model)
    parameters = model.parameters()
    bar = ProgressBar(epochs, len(loader), enabled=None if progress else False)
    for cb in callbacks:
        cb.model, cb.optimizer, cb.history = model, optimizer, history
        cb.on_train_begin()

    for epoch in range(epochs):
        model.train()
        bar.start_epoch(epoch)
        for cb in callbacks:
            cb.on_epoch_begin(epoch)
        loss_sum, seen = 0.0, 0
        outputs, targets = [], []
        for step, (xb, yb) in enumerate(loader, start=1):
            for cb in callbacks:
                cb.on_batch_begin(step)
            out = model(xb)
            loss = loss_fn(out, yb)
            if regularized:
                loss = loss + model.regularization_loss()
            value = loss.item()
            if not math.isfinite(value):
                raise TrainingError(
                    f"the training loss became {value} at epoch {epoch + 1}, step {step}: lower the learning "
                    "rate, clip the gradients (clip_norm=1.0), or check the data for NaN/inf values",
                    history,
                )
            optimizer.zero_grad()
            loss.backward()
            if clip_value is not None:
                clip_grad_value_(parameters, clip_value)
            if clip_norm is not None:
                clip_grad_norm_(parameters, clip_norm)
            optimizer.step()
            n = len(xb)
            loss_sum += value * n
            seen += n
            if metric_fns:
                outputs.append(out.numpy())
                targets.append(yb.numpy())
            logs = {"loss": loss_sum / seen}
            bar.update(step, logs)
            for cb in callbacks:
                cb.on_batch_end(step, logs)

        if ddp is not None:  # the epoch's numbers over all processes, identical everywhere
            loss_sum, seen = ddp.all_reduce_sum([loss_sum, seen])
        logs = {"loss": float(loss_sum / seen)}
        if metric_fns:
            y_true, y_pred = np.concatenate(targets), np.concatenate(outputs)
            if ddp is not None:
                y_true, y_pred = ddp.all_gather(y_true), ddp.all_gather(y_pred)
            for name, fn in metric_fns.items():
                logs[name] = float(fn(y_true, y_pred))
        if val is not None:
            val_logs = _evaluate(model, loss_fn, val[0], val[1], metric_fns, max(batch_size, 256))
            logs.update({"val_" + name: value for name, value in val_logs.items()})
        logs["lr"] = float(optimizer.param_groups[0]["lr"])
        history.append(epoch, logs)
        bar.end_epoch(logs)
        for cb in callbacks:
            cb.on_epoch_end(epoch, logs)
        stoppers = [cb for cb in callbacks if cb.stop_training]
        if stoppers:
            history.stop_reason = f"{type(stoppers[0]).__name__} stopped training after epoch {epoch + 1}"
            break

    for cb in callbacks:
        cb.on_train_end()
    model.eval()
    return history

"""Callbacks: code that ``fit`` runs at fixed points of training (Keras style).

``fit`` gives each callback ``.model``, ``.optimizer`` and ``.history`` and calls
``on_train_begin``, ``on_epoch_begin(epoch)``, ``on_batch_begin(step)``,
``on_batch_end(step, logs)``, ``on_epoch_end(epoch, logs)`` and ``on_train_end``.
A callback stops training by setting ``self.stop_training = True``.
"""

from __future__ import annotations

import copy

import numpy as np

from minigrad.train.gradient_stats import gradient_statistics

__all__ = ["Callback", "EarlyStopping", "LambdaCallback", "GradientRecorder"]


class Callback:
    """Base class: every hook does nothing."""

    model = None
    optimizer = None
    history = None
    stop_training = False

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, step, logs=None):
        pass

    def on_batch_end(self, step, logs=None):
        pass


_MAXIMIZED = ("acc", "accuracy", "precision", "recall", "specificity", "f1", "auc")


class EarlyStopping(Callback):
    """Stop when the monitored quantity stops improving (Goodfellow et al. 2016, §7.8).

    Training error keeps falling with more epochs while validation error turns back
    up: that turning point is where the model starts to overfit, so stop there.

    An epoch *improves* when ``monitor`` beats the best value so far by more than
    ``min_delta`` (lower is better for ``mode="min"``, higher for ``"max"``; ``"auto"``
    picks ``max`` for accuracy-like names and ``min`` otherwise). After ``patience``
    epochs without improvement training stops. With ``restore_best_weights`` the
    model gets back the parameters (and buffers) of its best epoch when training ends.
    A Keras example from the course: ``EarlyStopping('val_accuracy', patience=40)``.
    """

    def __init__(self, monitor="val_loss", patience=0, min_delta=0.0, mode="auto",
                 restore_best_weights=False, baseline=None, verbose=False):
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be ≥ 0, got {patience}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            base = monitor[4:] if monitor.startswith("val_") else monitor
            mode = "max" if base in _MAXIMIZED else "min"
        self.monitor = monitor
        self.patience = int(patience)
        self.min_delta = abs(float(min_delta))
        self.mode = mode
        self.restore_best_weights = restore_best_weights
        self.baseline = baseline
        self.verbose = verbose

    def _improved(self, current, reference):
        if self.mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.best = self.baseline if self.baseline is not None else (np.inf if self.mode == "min" else -np.inf)
        self.best_epoch = None
        self.best_state = None
        self.stopped_epoch = None
        self.stop_training = False

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, which fit did not log; available: "
                f"{', '.join(logs)} (pass validation_data for val_* keys, metrics=[...] for metrics)"
            )
        current = logs[self.monitor]
        if self._improved(current, self.best):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_state = copy.deepcopy(self.model.state_dict())
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.stop_training = True
            if self.verbose:
                print(f"Early stopping at epoch {epoch + 1}: {self.monitor} did not improve for {self.wait} epochs "
                      f"(best {self.best:.4f} at epoch {self.best_epoch + 1 if self.best_epoch is not None else '-'})")

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_state is not None:
            self.model.load_state_dict(self.best_state)


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, on_train_begin=None, on_train_end=None, on_epoch_begin=None, on_epoch_end=None,
                 on_batch_begin=None, on_batch_end=None):
        hooks = dict(on_train_begin=on_train_begin, on_train_end=on_train_end, on_epoch_begin=on_epoch_begin,
                     on_epoch_end=on_epoch_end, on_batch_begin=on_batch_begin, on_batch_end=on_batch_end)
        for name, fn in hooks.items():
            if fn is not None:
                if not callable(fn):
                    raise TypeError(f"LambdaCallback: {name} must be callable, got {fn!r}")
                setattr(self, name, fn)


class GradientRecorder(Callback):
    """Record per-parameter gradient statistics during training (for ``viz`` plots).

    Every ``every`` optimizer steps it stores :func:`gradient_statistics` of the
    model's parameters, including the update:data ratio of that step. ``records``
    is a list of ``{"epoch", "step", "stats": [per-parameter dicts]}``;
    :meth:`series` extracts one statistic per parameter over time.
    """

    def __init__(self, every=1):
        if every < 1:
            raise ValueError(f"GradientRecorder: every must be ≥ 1, got {every}")
        self.every = int(every)
        self.records = []
        self._global_step = 0
        self._before = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_begin(self, step, logs=None):
        if self._global_step % self.every == 0:
            self._before = {name: p.numpy().copy() for name, p in self.model.named_parameters()}

    def on_batch_end(self, step, logs=None):
        if self._global_step % self.every == 0:
            stats = gradient_statistics(self.model.named_parameters(), previous=self._before)
            self.records.append({"epoch": self._epoch, "step": self._global_step, "stats": stats})
            self._before = None
        self._global_step += 1

    def series(self, statistic="norm"):
        """``{parameter name: [value at each record]}`` for one statistic."""
        out = {}
        for record in self.records:
            for row in record["stats"]:
                out.setdefault(row["name"], []).append(row.get(statistic))
        return out

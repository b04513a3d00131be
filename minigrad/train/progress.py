"""A terminal progress bar for ``fit``: one line per epoch, redrawn in place.

It draws only when the output is a terminal (a log file or a notebook cell
capture gets nothing but, optionally, one summary line per epoch), so training
output never floods a CI log.
"""

from __future__ import annotations

import sys
import time

from minigrad._bar import bar

__all__ = ["ProgressBar"]


def _format_logs(logs):
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items() if isinstance(v, float))


class ProgressBar:
    """``Epoch 3/20 [=========>..........] 14/30 - 0.8s - loss: 0.4123 - accuracy: 0.8750``."""

    def __init__(self, epochs, steps, stream=None, width=30, enabled=None):
        self.stream = stream or sys.stdout
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.epochs = epochs
        self.steps = steps
        self.width = width
        self._start = time.perf_counter()
        self._last_draw = 0.0

    def start_epoch(self, epoch):
        self.epoch = epoch
        self._start = time.perf_counter()
        self._last_draw = 0.0

    def update(self, step, logs):
        """Redraw after batch ``step`` (1-based); at most ~20 times a second."""
        if not self.enabled:
            return
        now = time.perf_counter()
        if step < self.steps and now - self._last_draw < 0.05:
            return
        self._last_draw = now
        line = (
            f"\rEpoch {self.epoch + 1}/{self.epochs} [{bar(step, self.steps, self.width)}] {step}/{self.steps}"
            f" - {now - self._start:.1f}s - {_format_logs(logs)}"
        )
        self.stream.write(line)
        self.stream.flush()

    def end_epoch(self, logs):
        """Finish the epoch's line with its final logs (validation included)."""
        if not self.enabled:
            return
        seconds = time.perf_counter() - self._start
        self.stream.write(
            f"\rEpoch {self.epoch + 1}/{self.epochs} [{'=' * self.width}] {self.steps}/{self.steps}"
            f" - {seconds:.1f}s - {_format_logs(logs)}\n"
        )
        self.stream.flush()

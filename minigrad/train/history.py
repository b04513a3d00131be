"""``History``: what ``fit`` measured, epoch by epoch (Keras style)."""

from __future__ import annotations

__all__ = ["History"]


class History:
    """Per-epoch logs of a training run.

    ``history.history`` maps each key (``loss``, ``val_loss``, ``accuracy``,
    ``val_accuracy``, ``lr``, ...) to a list with one value per completed epoch;
    ``history.epoch`` lists the epoch numbers (0-based). ``stop_reason`` says why
    training ended early, if it did.
    """

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}
        self.stop_reason = None

    def append(self, epoch, logs):
        """Record the logs of one finished epoch."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key):
        try:
            return self.history[key]
        except KeyError:
            raise KeyError(f"History has no {key!r}; recorded keys: {', '.join(self.history) or 'none'}") from None

    def __len__(self):
        return len(self.epoch)

    def __repr__(self):
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.history.items() if v)
        return f"History({len(self.epoch)} epochs{': ' + last if last else ''})"

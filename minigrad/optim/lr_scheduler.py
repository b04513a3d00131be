"""Learning-rate schedules: change ``group["lr"]`` as training goes on.

A large learning rate makes fast progress early; a small one settles into a
minimum late (Bengio 2012, "Practical recommendations for gradient-based training
of deep architectures": the learning rate can be adjusted by monitoring the
cost). A scheduler wraps an optimizer and rewrites the learning rate of each of
its parameter groups when ``step()`` is called, usually once per epoch, *after*
``optimizer.step()``::

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, opt)
        sched.step()

Semantics follow ``torch.optim.lr_scheduler``: creating a scheduler records each
group's ``initial_lr`` and counts as step 0 (``last_epoch == 0``); ``get_last_lr()``
is the list of learning rates it set last. The epoch-based schedulers here
compute the rate from its closed form at ``last_epoch`` -- the same numbers as
PyTorch's for a scheduler used on its own -- so a learning rate changed by hand
is overwritten at the next ``step()``.

To resume from a checkpoint, create the optimizer and the scheduler first (creating
a scheduler sets the learning rates), then load both state dicts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from minigrad.optim.optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau"]


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"a scheduler needs an optim.Optimizer, got {type(optimizer).__name__}")


def _check_positive(name, value):
    if not value > 0:
        raise ValueError(f"invalid {name}: {value!r} (must be > 0)")


class LRScheduler:
    """Base class: sets every group's lr to ``lr_at(initial_lr, last_epoch)`` on each ``step()``.

    ``last_epoch=-1`` starts a new schedule; a value >= 0 resumes one, which needs
    ``initial_lr`` already in the optimizer's groups (restore the optimizer's
    state dict first).
    """

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise ValueError(
                        f"resuming a schedule (last_epoch={last_epoch}) needs 'initial_lr' in param_groups[{i}]: "
                        "load the optimizer's state dict first, or start with last_epoch=-1"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self.step()  # step 0: set the initial learning rates

    def lr_at(self, base_lr, epoch):
        """The learning rate at ``epoch`` for a group whose initial rate is ``base_lr``."""
        raise NotImplementedError(f"{type(self).__name__} must implement lr_at()")

    def get_lr(self):
        """The learning rates for the current ``last_epoch``, one per group."""
        return [self.lr_at(base, self.last_epoch) for base in self.base_lrs]

    def step(self):
        """Advance one epoch and set each group's learning rate."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates set by the last ``step()``, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self):
        """Everything but the optimizer (whose own state dict holds the rest)."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore a state saved by :meth:`state_dict` (checked first; nothing changes on error)."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected a mapping (a scheduler state dict), "
                f"got {type(state_dict).__name__}"
            )
        expected = set(self.state_dict())
        if set(state_dict) != expected:
            raise ValueError(
                f"{type(self).__name__} state dict: expected keys {sorted(expected)}, got {sorted(state_dict)}"
            )
        n_groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "_last_lr", "min_lrs"):
            if key in state_dict and len(state_dict[key]) != n_groups:
                raise ValueError(
                    f"{type(self).__name__} state dict: '{key}' has {len(state_dict[key])} entries but the "
                    f"optimizer has {n_groups} parameter group(s)"
                )
        self.__dict__.update({k: (list(v) if k in ("base_lrs", "_last_lr", "min_lrs") else _plain(v))
                              for k, v in state_dict.items()})


def _plain(v):
    """A 0-d array (what .npz gives back for a number) as a Python number."""
    return v.item() if hasattr(v, "item") and getattr(v, "ndim", None) == 0 else v


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

        ηₜ = η₀ · γ^⌊t / step_size⌋

    The classic "divide by 10 every 30 epochs" schedule.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"invalid step_size: {step_size!r} (must be a positive integer)")
        _check_positive("gamma", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: ηₜ = η₀ · γᵗ."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        _check_positive("gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from η₀ down to ``eta_min`` over ``T_max`` epochs.

        ηₜ = η_min + (η₀ − η_min) · (1 + cos(π t / T_max)) / 2

    Slow decay at first and at the end, fastest in the middle. After ``T_max``
    the formula climbs back up (a period of 2·T_max), as PyTorch's closed form.
    Paper: Loshchilov & Hutter (2017), "SGDR: Stochastic Gradient Descent with
    Warm Restarts" (the part without restarts).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"invalid T_max: {T_max!r} (must be a positive integer)")
        if not eta_min >= 0:
            raise ValueError(f"invalid eta_min: {eta_min!r} (must be >= 0)")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, epoch):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class ReduceLROnPlateau(LRScheduler):
    """Divide the learning rate when a monitored metric stops improving.

    Call ``step(metric)`` once per epoch with, e.g., the validation loss. A value
    counts as an improvement over the best so far when (mode "min")::

        threshold_mode "rel":  metric < best · (1 − threshold)
        threshold_mode "abs":  metric < best − threshold

    (mode "max": metric > best · (1 + threshold), metric > best + threshold).
    After more than ``patience`` epochs in a row without improvement, every
    group's lr becomes max(lr · factor, min_lr) -- unless that changes it by no
    more than ``eps`` -- and the count restarts after ``cooldown`` epochs in which
    bad epochs are not counted. This automates the advice to adjust the
    learning rate by monitoring the cost (Bengio 2012).

    Keras ``ReduceLROnPlateau`` is the same idea with ``min_delta`` (absolute
    threshold) and ``monitor``.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0.0, eps=1e-8):
        _check_optimizer(optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"invalid mode: {mode!r} (use 'min' or 'max')")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"invalid threshold_mode: {threshold_mode!r} (use 'rel' or 'abs')")
        if not 0 < factor < 1:
            raise ValueError(f"invalid factor: {factor!r} (must be in (0, 1): the new lr is lr * factor)")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"invalid {name}: {value!r} (must be an integer >= 0)")
        for name, value in (("threshold", threshold), ("eps", eps)):
            if not value >= 0:
                raise ValueError(f"invalid {name}: {value!r} (must be >= 0)")
        n_groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n_groups:
                raise ValueError(f"min_lr has {len(min_lr)} entries but the optimizer has {n_groups} parameter group(s)")
            min_lrs = list(min_lr)
        else:
            min_lrs = [min_lr] * n_groups
        for value in min_lrs:
            if not value >= 0:
                raise ValueError(f"invalid min_lr: {value!r} (must be >= 0)")
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = cooldown
        self.min_lrs = min_lrs
        self.eps = eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def is_better(self, value, best):
        """Whether ``value`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            bound = best * (1 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold
            return value < bound
        bound = best * (1 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold
        return value > bound

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def step(self, metric):
        """Record this epoch's ``metric`` and reduce the learning rates if it has plateaued."""
        current = float(metric)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # epochs right after a reduction do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self):
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:  # skip changes too small to matter
                group["lr"] = new_lr

    def get_lr(self):
        return self.get_last_lr()

"""Optimizers, gradient clipping and learning-rate schedules.

* :mod:`~minigrad.optim.optimizer` -- ``Optimizer``, the base class (parameter
  groups, state, ``state_dict``);
* :mod:`~minigrad.optim.optimizers` -- ``SGD``, ``Adagrad``, ``RMSprop``,
  ``Adadelta``, ``Adam``, ``AdamW``, ``Adamax``, ``NAdam`` (PyTorch's update rules
  and defaults) and ``Newton`` (Newton's method; Goodfellow et al. 2016,
  "Deep Learning", §8.6.1);
* :mod:`~minigrad.optim.ftrl` -- ``Ftrl`` (FTRL-Proximal, McMahan et al. 2013; Keras' rule);
* :mod:`~minigrad.optim.clip` -- ``clip_grad_value_``, ``clip_grad_norm_`` (Pascanu et al. 2013);
* :mod:`~minigrad.optim.lr_scheduler` -- ``StepLR``, ``ExponentialLR``,
  ``CosineAnnealingLR``, ``ReduceLROnPlateau``.

The training step::

    from minigrad import nn, optim
    opt = optim.Adam(model.parameters(), lr=1e-3)
    for X, y in batches:
        opt.zero_grad()
        loss = nn.losses.cross_entropy(model(X), y)
        loss.backward()
        optim.clip_grad_norm_(model.parameters(), max_norm=1.0)   # optional
        opt.step()
"""

from minigrad.optim import lr_scheduler
from minigrad.optim.clip import clip_grad_norm_, clip_grad_value_
from minigrad.optim.ftrl import Ftrl
from minigrad.optim.optimizer import Optimizer
from minigrad.optim.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, Newton, RMSprop
from minigrad.registry import Registry

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "Newton",
    "clip_grad_value_", "clip_grad_norm_", "lr_scheduler", "get",
    "Ftrl",
]

_OPTIMIZERS = Registry("optimizer", {cls.__name__.lower(): cls for cls in (
    SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, Newton,
    Ftrl,
)})


def get(name, params, **kwargs):
    """Build an optimizer from its name (case-insensitive) or class: ``get("adam", model.parameters(), lr=1e-2)``."""
    return _OPTIMIZERS.resolve(name)(params, **kwargs)

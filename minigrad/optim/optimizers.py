"""Every optimizer: first-order methods with PyTorch's update rules, and Newton's method.

One module per family, each optimizer one class whose docstring states its
update rule and source, and whose ``_update`` is that rule in NumPy:

* :mod:`~minigrad.optim.sgd` -- ``SGD``, with (Nesterov) momentum;
* :mod:`~minigrad.optim.adaptive` -- ``Adagrad``, ``RMSprop``, ``Adadelta``:
  per-weight step sizes from the squared gradients;
* :mod:`~minigrad.optim.adam` -- ``Adam``, ``AdamW``, ``Adamax``, ``NAdam``;
* :mod:`~minigrad.optim.newton` -- ``Newton`` and ``hessian`` (second order);
* :mod:`~minigrad.optim.ftrl` -- ``Ftrl`` (FTRL-Proximal, with Keras' rule: PyTorch has none).

The first-order rules follow PyTorch's reference ("single tensor")
implementations operation by operation, so a trajectory matches ``torch.optim``
to rounding error; ``benchmarks/optim_vs_torch.py`` checks it. For large
parameters the same rule also runs as one fused Numba kernel
(:mod:`minigrad.backend.update_kernels`), equal bit for bit; ``MINIGRAD_NUMBA=0``
keeps every update on NumPy.

Notation in the docstrings: θ parameters, g gradient, γ learning rate, λ weight
decay, t the step count (1 on the first update), ⊙ elementwise product; every
operation on vectors is elementwise.

Defaults are PyTorch's. The course uses Keras' signatures,
whose defaults differ; each docstring lists where.
"""

from minigrad.optim.adam import Adam, Adamax, AdamW, NAdam
from minigrad.optim.adaptive import Adadelta, Adagrad, RMSprop
from minigrad.optim.ftrl import Ftrl
from minigrad.optim.newton import Newton, hessian
from minigrad.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "Newton", "hessian", "Ftrl"]

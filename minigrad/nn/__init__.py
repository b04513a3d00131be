"""Neural-network building blocks.

* :mod:`~minigrad.nn.module` -- ``Module``, ``Parameter``, ``Sequential``, ``ModuleList``;
* :mod:`~minigrad.nn.layers` -- ``Linear``, ``Dropout``, ``BatchNorm1d``, ``LayerNorm``,
  ``Flatten``, ``Identity``;
* :mod:`~minigrad.nn.functional` -- every activation as a function (``F.relu``, ...);
* :mod:`~minigrad.nn.activations` -- the same as modules (``nn.ReLU()``, ...);
* :mod:`~minigrad.nn.losses`, :mod:`~minigrad.nn.init`, :mod:`~minigrad.nn.regularizers`.

Example::

    from minigrad import nn
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    loss = nn.losses.mse(model(x), y) + model.regularization_loss()
"""

from minigrad.nn import functional, init, losses, regularizers
from minigrad.nn.activations import (
    CELU, ELU, GELU, GLU, SELU, ActivationModule, Exponential, HardShrink, HardSigmoid, HardSiLU,
    HardTanh, LeakyReLU, LinearActivation, LogSigmoid, LogSoftmax, Maxout, Mish, ReLU, ReLU6,
    Sigmoid, SiLU, SoftShrink, Softmax, Softplus, Softsign, SparsePlus, Sparsemax, Squareplus, Tanh,
    TanhShrink, Threshold, get_module,
)
from minigrad.nn.layers import BatchNorm1d, Dropout, Flatten, Identity, LayerNorm, Linear
from minigrad.nn.mlp import MLP
from minigrad.nn.module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "MLP",
    "Linear", "Dropout", "BatchNorm1d", "LayerNorm", "Flatten", "Identity",
    "functional", "losses", "init", "regularizers", "get_module", "ActivationModule",
    "ReLU", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
    "Softplus", "Softsign", "SiLU", "Mish", "HardSigmoid", "HardTanh", "HardSiLU", "ReLU6",
    "HardShrink", "SoftShrink", "TanhShrink", "Threshold", "LogSigmoid", "Exponential",
    "LinearActivation", "GLU", "Sparsemax", "Squareplus", "SparsePlus", "Maxout",
]

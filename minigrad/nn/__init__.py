"""Neural-network building blocks.

* :mod:`~minigrad.nn.module` -- ``Module``, ``Parameter``, ``Sequential``, ``ModuleList``;
* :mod:`~minigrad.nn.layers` -- ``Linear``, ``Dropout``, ``BatchNorm1d``, ``LayerNorm``,
  ``Flatten``, ``Identity``;
* :mod:`~minigrad.nn.normalization` -- ``BatchNorm2d``, ``GroupNorm``, ``InstanceNorm1d``,
  ``InstanceNorm2d``;
* :mod:`~minigrad.nn.conv`, :mod:`~minigrad.nn.pooling`, :mod:`~minigrad.nn.embedding`,
  :mod:`~minigrad.nn.upsample` -- ``Conv1d``, ``Conv2d``, ``ConvTranspose2d``, ``MaxPool1d/2d``,
  ``AvgPool1d/2d``, ``Embedding``, ``Upsample`` (NCHW, PyTorch's parameter names);
* :mod:`~minigrad.nn.functional` -- the base: every activation as a function (``F.relu``, ...),
  ``affine``, ``dropout``, ``batch_norm``, ``layer_norm``, ``group_norm``, ``instance_norm``,
  ``prelu``, ``rrelu``, the losses under PyTorch's names (``F.mse_loss``, ...), and the
  activation table;
* :mod:`~minigrad.nn.activations` -- the activations as modules (``nn.ReLU()``, ...);
  :mod:`~minigrad.nn.rectifiers` -- ``PReLU`` and ``RReLU``;
* :mod:`~minigrad.nn.losses` (the loss functions), :mod:`~minigrad.nn.loss_modules`
  (``nn.CrossEntropyLoss``, ``nn.MSELoss``, ...), :mod:`~minigrad.nn.init`,
  :mod:`~minigrad.nn.regularizers`.

Example::

    from minigrad import nn
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    loss = nn.losses.mse(model(x), y) + model.regularization_loss()
"""

from minigrad.nn import activations, functional, init, losses, regularizers
from minigrad.nn.activations import ActivationModule, get_module
from minigrad.nn.layers import BatchNorm1d, Dropout, Flatten, Identity, LayerNorm, Linear
from minigrad.nn.mlp import MLP
from minigrad.nn.module import Module, ModuleList, Parameter, Sequential
from minigrad.nn.normalization import BatchNorm2d, GroupNorm, InstanceNorm1d, InstanceNorm2d
from minigrad.nn.rectifiers import PReLU, RReLU
from minigrad.nn.loss_modules import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss,
)
from minigrad.nn.conv import Conv1d, Conv2d, ConvTranspose2d
from minigrad.nn.embedding import Embedding
from minigrad.nn.pooling import AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from minigrad.nn.upsample import Upsample

# nn.ReLU, nn.LeakyReLU, ...: one layer class per row of the activation table.
globals().update({cls.__name__: cls for cls in activations.MODULES.values()})

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "MLP",
    "Linear", "Dropout", "BatchNorm1d", "LayerNorm", "Flatten", "Identity",
    "functional", "losses", "init", "regularizers", "activations", "get_module", "ActivationModule",
    *(cls.__name__ for cls in activations.MODULES.values()),
    "BatchNorm2d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
    "MultiMarginLoss",
    "PReLU", "RReLU",
    "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "Embedding", "Upsample",
]

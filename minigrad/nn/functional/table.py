"""The activation table: every activation described once, in one row.

A row (an :class:`Activation`) holds

=============  ===========================================================================
``function``   g(z) from :mod:`minigrad.nn.functional.activations`; its ``__name__`` is
               the row's name
``module``     the class name of its layer, ``nn.<module>`` (PyTorch's name); the class
               is generated from the row, with the function's parameters and defaults
``init``       the initializer a Linear layer before it gets by default (``nn.MLP``):
               He for the rectifiers, Glorot for sigmoid/tanh-like units, LeCun for SELU
               (He et al. 2015; Glorot & Bengio 2010; Klambauer et al. 2017)
``gain``       what ``nn.init.calculate_gain`` returns: a number, or a function of
               calculate_gain's ``param`` (leaky_relu's slope)
``saturation`` when an output counts as saturated -- the derivative there is ≈ 0 --
               as a :class:`Saturation` (the rule in words and its test); None if never
``can_die``    whether a unit can get stuck at output 0 with derivative 0 for every
               input below a point, as a ReLU ("dying ReLU", Maas et al. 2013)
``aliases``    other names (Keras', PyTorch's); the module name is one automatically
=============  ===========================================================================

Everything else is derived from :data:`TRAITS`: ``nn.functional.ACTIVATIONS`` and
``get``, the module classes of :mod:`minigrad.nn.activations` (and so ``nn.ReLU`` ...),
``nn.MLP``'s default initializer, ``nn.init.calculate_gain``, and what the diagnosis
counts as saturated or dead. Adding an activation is writing its function and adding
its row here.

Gains: PyTorch's values where PyTorch lists the nonlinearity (1 for linear and
sigmoid, 5/3 for tanh, √2 for ReLU, √(2/(1 + slope²)) for leaky ReLU, 3/4 for SELU).
For the others the gain follows the family: √2 for the rectifiers that He
initialization suits, 1 for the rest.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

import minigrad.nn.functional.activations as act
from minigrad.registry import Registry
from minigrad.tensor import Tensor

__all__ = ["Activation", "Saturation", "TRAITS", "ACTIVATIONS", "ALIASES", "canonical_name", "get"]


class Saturation(NamedTuple):
    """When an activation's output counts as saturated.

    ``test(a, settings)`` takes the output array and the activation's settings (a dict
    with every parameter, defaults filled in) and returns a boolean array; ``rule``
    says the same in words for a report ("|a| > 0.99").
    """

    rule: str
    test: Callable


@dataclass(frozen=True)
class Activation:
    """One row of the activation table (see the module docstring for the columns)."""

    function: Callable
    module: str
    init: str = "glorot_normal"
    gain: float | Callable = 1.0
    saturation: Saturation | None = None
    can_die: bool = False
    aliases: tuple = ()

    @property
    def name(self):
        """The function's name, e.g. ``"leaky_relu"``."""
        return self.function.__name__

    @property
    def parameters(self):
        """The function's parameters after the input: the module's constructor arguments."""
        params = inspect.signature(inspect.unwrap(self.function)).parameters.values()
        return tuple(params)[1:]

    @property
    def defaults(self):
        """``{parameter: default}`` for the parameters that have one."""
        return {p.name: p.default for p in self.parameters if p.default is not p.empty}

    @property
    def saturates(self):
        """Whether the table gives a saturation test for this activation."""
        return self.saturation is not None

    def saturated(self, a, **settings):
        """Boolean array: which outputs ``a`` are saturated (e.g. ``|tanh| > 0.99``).

        ``settings`` are the activation's parameters where they differ from the defaults
        (a module's are ``module.settings``).
        """
        if self.saturation is None:
            raise ValueError(f"{self.name} has no saturation test (it does not saturate); check .saturates first")
        a = a.numpy() if isinstance(a, Tensor) else np.asarray(a)
        return np.asarray(self.saturation.test(a, {**self.defaults, **settings}), dtype=bool)

    def gain_for(self, param=None):
        """The gain, with ``param`` passed to a gain that depends on one (leaky_relu's slope)."""
        if not callable(self.gain):
            return float(self.gain)
        return float(self.gain() if param is None else self.gain(param))


_SQRT2 = math.sqrt(2.0)


def _leaky_relu_gain(negative_slope=0.01):
    """√(2 / (1 + slope²)): He et al. (2015) for a leaky ReLU of that slope."""
    return math.sqrt(2.0 / (1.0 + negative_slope**2))


_BEYOND_099 = Saturation("|a| > 0.99", lambda a, s: np.abs(a) > 0.99)

_ROWS = (
    # the ReLU family
    Activation(act.relu, "ReLU", "he_normal", _SQRT2, can_die=True),
    Activation(act.leaky_relu, "LeakyReLU", "he_normal", _leaky_relu_gain, aliases=("lrelu",)),
    Activation(act.elu, "ELU", "he_normal", _SQRT2),
    Activation(act.selu, "SELU", "lecun_normal", 0.75),
    Activation(act.celu, "CELU", "he_normal", _SQRT2),
    Activation(act.relu6, "ReLU6", "he_normal", _SQRT2, can_die=True,
               saturation=Saturation("a at 6", lambda a, s: a >= 6)),
    Activation(act.threshold, "Threshold"),
    # smooth rectifiers
    Activation(act.gelu, "GELU", "he_normal", _SQRT2),
    Activation(act.softplus, "Softplus", "he_normal", _SQRT2),
    Activation(act.silu, "SiLU", "he_normal", _SQRT2, aliases=("swish",)),
    Activation(act.mish, "Mish", "he_normal", _SQRT2),
    Activation(act.squareplus, "Squareplus", "he_normal", _SQRT2),
    Activation(act.sparse_plus, "SparsePlus", "he_normal", _SQRT2, can_die=True),
    Activation(act.hard_silu, "HardSiLU", "he_normal", _SQRT2, can_die=True, aliases=("hard_swish",)),
    # saturating
    Activation(act.sigmoid, "Sigmoid", gain=1.0,
               saturation=Saturation("a outside [0.01, 0.99]", lambda a, s: (a < 0.01) | (a > 0.99))),
    Activation(act.tanh, "Tanh", gain=5.0 / 3.0, saturation=_BEYOND_099),
    Activation(act.softsign, "Softsign", saturation=_BEYOND_099),
    Activation(act.hard_sigmoid, "HardSigmoid",
               saturation=Saturation("a at 0 or 1", lambda a, s: (a <= 0) | (a >= 1))),
    Activation(act.hard_tanh, "HardTanh",
               saturation=Saturation("a at min_val or max_val",
                                     lambda a, s: (a <= s["min_val"]) | (a >= s["max_val"]))),
    Activation(act.log_sigmoid, "LogSigmoid"),
    # shrinkage
    Activation(act.hard_shrink, "HardShrink"),
    Activation(act.soft_shrink, "SoftShrink"),
    Activation(act.tanh_shrink, "TanhShrink"),
    # output layer and the rest
    Activation(act.softmax, "Softmax"),
    Activation(act.log_softmax, "LogSoftmax"),
    Activation(act.linear, "LinearActivation", "he_normal", aliases=("identity", "linear_activation")),
    Activation(act.exponential, "Exponential"),
    Activation(act.glu, "GLU"),
    Activation(act.sparsemax, "Sparsemax"),
    Activation(act.maxout, "Maxout"),
)

#: name → :class:`Activation`, every spelling accepted: ``TRAITS["LeakyReLU"].init == "he_normal"``.
TRAITS = Registry("activation")
for _row in _ROWS:
    TRAITS.register(_row.name, _row, aliases=(*_row.aliases, _row.module))

#: name → function (every spelling accepted); None looks up as ``linear``, as in Keras.
ACTIVATIONS = TRAITS.derive(lambda row: row.function, none=act.linear)

#: alias → name (``"swish"`` → ``"silu"``).
ALIASES = TRAITS.aliases


def canonical_name(name):
    """The table's name for ``name`` (case, ``-``, ``_``, spaces and aliases forgiven), or a ValueError."""
    return TRAITS.canonical(name)


def get(name):
    """The activation function called ``name`` (e.g. ``get("relu")``, ``get("swish")``).

    A callable is returned unchanged and None means ``linear`` (as in Keras), so a layer
    can take ``activation=`` as a name, a function or nothing.
    """
    return ACTIVATIONS.resolve(name)

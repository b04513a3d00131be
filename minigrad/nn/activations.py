"""Activation layers: each function of :mod:`minigrad.nn.functional` as a Module.

A module stores its settings as attributes, applies the function in
``forward`` and shows the settings in its repr, so a network reads as a list
of layers, as in Keras::

    nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.1), nn.Linear(16, 3), nn.Softmax())
    # repr: ... (1): LeakyReLU(negative_slope=0.1) ...

The formulas, derivatives and references are in each function's docstring
(``help(nn.functional.leaky_relu)``). None of these layers has parameters.
``get_module("leaky_relu", negative_slope=0.2)`` builds one from its name, with
the same names and aliases as :func:`minigrad.nn.functional.get`.
"""

from __future__ import annotations

import inspect

from minigrad.nn import functional as F
from minigrad.nn.module import Module
from minigrad.ops.axes import accepts_dim_aliases

__all__ = [
    "ActivationModule",
    "ReLU", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
    "Softplus", "Softsign", "SiLU", "Mish", "HardSigmoid", "HardTanh", "HardSiLU", "ReLU6",
    "HardShrink", "SoftShrink", "TanhShrink", "Threshold", "LogSigmoid", "Exponential",
    "LinearActivation", "GLU", "Sparsemax", "Squareplus", "SparsePlus", "Maxout",
    "MODULES", "get_module",
]


class ActivationModule(Module):
    """Base of the activation layers: ``forward(x) = function(x, **settings)``.

    A subclass sets ``function`` and passes its settings (by keyword) to
    ``super().__init__``; they become attributes and appear in the repr.
    """

    function = None

    def __init__(self, **settings):
        super().__init__()
        try:  # ReLU(alpha=1) fails here, not at the first call
            inspect.signature(self.function).bind(None, **settings)
        except TypeError as exc:
            raise TypeError(f"{type(self).__name__}: {exc}") from None
        self._settings = tuple(settings)
        for name, value in settings.items():
            setattr(self, name, value)

    def forward(self, x):
        return type(self).function(x, **{name: getattr(self, name) for name in self._settings})

    def extra_repr(self):
        return ", ".join(f"{name}={getattr(self, name)!r}" for name in self._settings)


def _applies(fn):
    """Class decorator: the layer applies ``fn`` (and borrows the first line of its docstring)."""

    def decorate(cls):
        cls.function = staticmethod(fn)
        note = f"\n\n{cls.__doc__}" if cls.__doc__ else ""
        cls.__doc__ = f"{fn.__doc__.strip().splitlines()[0]}\n\nModule form of :func:`minigrad.nn.functional.{fn.__name__}`.{note}"
        return cls

    return decorate


@_applies(F.relu)
class ReLU(ActivationModule):
    pass


@_applies(F.leaky_relu)
class LeakyReLU(ActivationModule):
    def __init__(self, negative_slope=0.01):
        super().__init__(negative_slope=negative_slope)


@_applies(F.elu)
class ELU(ActivationModule):
    def __init__(self, alpha=1.0):
        super().__init__(alpha=alpha)


@_applies(F.selu)
class SELU(ActivationModule):
    pass


@_applies(F.celu)
class CELU(ActivationModule):
    def __init__(self, alpha=1.0):
        super().__init__(alpha=alpha)


@_applies(F.gelu)
class GELU(ActivationModule):
    def __init__(self, approximate="none"):
        super().__init__(approximate=approximate)


@_applies(F.sigmoid)
class Sigmoid(ActivationModule):
    pass


@_applies(F.tanh)
class Tanh(ActivationModule):
    pass


@_applies(F.softmax)
class Softmax(ActivationModule):
    @accepts_dim_aliases
    def __init__(self, axis=-1):
        super().__init__(axis=axis)


@_applies(F.log_softmax)
class LogSoftmax(ActivationModule):
    @accepts_dim_aliases
    def __init__(self, axis=-1):
        super().__init__(axis=axis)


@_applies(F.softplus)
class Softplus(ActivationModule):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__(beta=beta, threshold=threshold)


@_applies(F.softsign)
class Softsign(ActivationModule):
    pass


@_applies(F.silu)
class SiLU(ActivationModule):
    pass


@_applies(F.mish)
class Mish(ActivationModule):
    pass


@_applies(F.hard_sigmoid)
class HardSigmoid(ActivationModule):
    pass


@_applies(F.hard_tanh)
class HardTanh(ActivationModule):
    def __init__(self, min_val=-1.0, max_val=1.0):
        super().__init__(min_val=min_val, max_val=max_val)


@_applies(F.hard_silu)
class HardSiLU(ActivationModule):
    pass


@_applies(F.relu6)
class ReLU6(ActivationModule):
    pass


@_applies(F.hard_shrink)
class HardShrink(ActivationModule):
    def __init__(self, lambd=0.5):
        super().__init__(lambd=lambd)


@_applies(F.soft_shrink)
class SoftShrink(ActivationModule):
    def __init__(self, lambd=0.5):
        super().__init__(lambd=lambd)


@_applies(F.tanh_shrink)
class TanhShrink(ActivationModule):
    pass


@_applies(F.threshold)
class Threshold(ActivationModule):
    def __init__(self, threshold, value):
        super().__init__(threshold=threshold, value=value)


@_applies(F.log_sigmoid)
class LogSigmoid(ActivationModule):
    pass


@_applies(F.exponential)
class Exponential(ActivationModule):
    pass


@_applies(F.linear)
class LinearActivation(ActivationModule):
    """Named so as not to clash with the dense layer ``nn.Linear``."""


@_applies(F.glu)
class GLU(ActivationModule):
    @accepts_dim_aliases
    def __init__(self, axis=-1):
        super().__init__(axis=axis)


@_applies(F.sparsemax)
class Sparsemax(ActivationModule):
    @accepts_dim_aliases
    def __init__(self, axis=-1):
        super().__init__(axis=axis)


@_applies(F.squareplus)
class Squareplus(ActivationModule):
    def __init__(self, b=4.0):
        super().__init__(b=b)


@_applies(F.sparse_plus)
class SparsePlus(ActivationModule):
    pass


@_applies(F.maxout)
class Maxout(ActivationModule):
    @accepts_dim_aliases
    def __init__(self, pieces, axis=-1):
        super().__init__(pieces=pieces, axis=axis)


MODULES = {
    cls.function.__name__: cls
    for cls in (
        ReLU, LeakyReLU, ELU, SELU, CELU, GELU, Sigmoid, Tanh, Softmax, LogSoftmax, Softplus, Softsign, SiLU,
        Mish, HardSigmoid, HardTanh, HardSiLU, ReLU6, HardShrink, SoftShrink, TanhShrink, Threshold,
        LogSigmoid, Exponential, LinearActivation, GLU, Sparsemax, Squareplus, SparsePlus, Maxout,
    )
}


def get_module(name, **kwargs):
    """A new activation layer from its name: ``get_module("elu", alpha=0.5)`` → ``ELU(alpha=0.5)``.

    Names and aliases are those of :func:`minigrad.nn.functional.get` (case and
    underscores are ignored, so ``"LeakyReLU"`` works too); an unknown name raises
    a ValueError that lists the valid ones.
    """
    return MODULES[F.canonical_name(name)](**kwargs)

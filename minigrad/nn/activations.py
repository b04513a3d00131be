"""Activation layers: each row of the activation table as a Module class.

A module stores its settings as attributes, applies the function in
``forward`` and shows the settings in its repr, so a network reads as a list
of layers, as in Keras::

    nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.1), nn.Linear(16, 3), nn.Softmax())
    # repr: ... (1): LeakyReLU(negative_slope=0.1) ...

The classes are not written out one by one: each is made from its row of
:data:`minigrad.nn.functional.table.TRAITS` -- its name (PyTorch's: ``ReLU``,
``LeakyReLU``, ``GELU``; ``LinearActivation`` for ``linear``, so as not to clash
with the dense layer ``nn.Linear``), and a constructor whose parameters and
defaults are the function's (``LeakyReLU(negative_slope=0.01)``, ``Softmax(axis=-1)``,
also ``dim=``, ``Threshold(threshold, value)``, ``Maxout(pieces, axis=-1)``). The
formulas, derivatives and references are in each function's docstring
(``help(nn.functional.leaky_relu)``; ``help(nn.LeakyReLU)`` opens with the same line).
None of these layers has parameters.

``MODULES`` maps each activation's name to its class; ``get_module("leaky_relu",
negative_slope=0.2)`` builds one from its name, with the table's names and aliases.
A class's ``traits`` is its row (``nn.Tanh.traits.saturates``), and an instance's
``settings`` its parameters, so ``m.traits.saturated(out, **m.settings)`` tells which
outputs of a layer ``m`` are saturated.
"""

from __future__ import annotations

import inspect

from minigrad.nn.functional.table import TRAITS
from minigrad.nn.module import Module
from minigrad.ops.axes import DIM_ALIASES, accepts_dim_aliases

__all__ = ["ActivationModule", "MODULES", "TRAITS", "get_module"]  # + one class per row, below


class ActivationModule(Module):
    """Base of the activation layers: ``forward(x) = function(x, **settings)``.

    A subclass sets ``function`` and passes its settings (by keyword) to
    ``super().__init__``; they become attributes and appear in the repr. The
    classes of the table also have ``traits``, their row of the table.
    """

    function = None
    traits = None

    def __init__(self, **settings):
        super().__init__()
        try:  # ReLU(alpha=1) fails here, not at the first call
            inspect.signature(self.function).bind(None, **settings)
        except TypeError as exc:
            raise TypeError(f"{type(self).__name__}: {exc}") from None
        self._settings = tuple(settings)
        for name, value in settings.items():
            setattr(self, name, value)

    @property
    def settings(self):
        """``{name: value}`` of the settings, as they are now (they are plain attributes)."""
        return {name: getattr(self, name) for name in self._settings}

    def forward(self, x):
        if not self._settings:  # most activations: nothing to collect at every call
            return type(self).function(x)
        return type(self).function(x, **self.settings)

    def extra_repr(self):
        return ", ".join(f"{name}={value!r}" for name, value in self.settings.items())


def _constructor(row):
    """``__init__(self, <the function's parameters after x>)``, with the function's defaults."""
    signature = inspect.Signature([
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD), *row.parameters,
    ])

    def __init__(self, *args, **kwargs):
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{type(self).__name__}: {exc}") from None
        bound.apply_defaults()
        ActivationModule.__init__(self, **{k: v for k, v in bound.arguments.items() if k != "self"})

    __init__.__signature__ = signature
    __init__.__qualname__ = f"{row.module}.__init__"
    if any(p.name in DIM_ALIASES.values() for p in row.parameters):
        __init__ = accepts_dim_aliases(__init__)  # Softmax(dim=0), as PyTorch
    return __init__


def _module_class(row):
    """The layer class of one row of the table."""
    summary = row.function.__doc__.strip().splitlines()[0]
    return type(row.module, (ActivationModule,), {
        "__module__": __name__,
        "__qualname__": row.module,
        "__doc__": f"{summary}\n\nModule form of :func:`minigrad.nn.functional.{row.name}`.",
        "__init__": _constructor(row),
        "function": staticmethod(row.function),
        "traits": row,
    })


#: name → layer class, one per row of the table: ``MODULES["leaky_relu"] is nn.LeakyReLU``.
MODULES = {name: _module_class(row) for name, row in TRAITS.items()}
globals().update({cls.__name__: cls for cls in MODULES.values()})
__all__ += [cls.__name__ for cls in MODULES.values()]


def get_module(name, **kwargs):
    """A new activation layer from its name: ``get_module("elu", alpha=0.5)`` → ``ELU(alpha=0.5)``.

    Names and aliases are those of :func:`minigrad.nn.functional.get` (case, ``-``, ``_``
    and spaces are ignored, so ``"LeakyReLU"`` works too); an unknown name raises a
    ValueError that lists the valid ones.
    """
    return MODULES[TRAITS.canonical(name)](**kwargs)

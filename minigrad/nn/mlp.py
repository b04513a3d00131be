"""``MLP``: the feed-forward network of the course, built from a list of layer sizes.

``MLP([2, 16, 16, 1], activation="relu")`` is the Sequential

    Linear(2, 16) → ReLU → Linear(16, 16) → ReLU → Linear(16, 1)

(a feed-forward network, a⁽ᵏ⁾ = f(W⁽ᵏ⁾ a⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾), with a
linear output layer). Options insert BatchNorm before (or after) each hidden
activation and Dropout after it. The default initializer follows the activation (its ``init`` in
the activation table, :mod:`minigrad.nn.functional.table`): He for the ReLU family,
Glorot (Xavier) for sigmoid/tanh-like ones, LeCun for SELU (Glorot & Bengio 2010;
He et al. 2015; Klambauer et al. 2017).
"""

from __future__ import annotations

import numpy as np

from minigrad.budget import check_model_size
from minigrad.nn.activations import get_module
from minigrad.nn.functional.table import TRAITS
from minigrad.nn.layers import BatchNorm1d, Dropout, Linear
from minigrad.nn.module import Sequential

__all__ = ["MLP", "default_init"]

def default_init(activation):
    """The initializer that suits ``activation`` (a name): its row's ``init`` in the activation table."""
    return TRAITS[activation].init


def _parse_sizes(sizes):
    if isinstance(sizes, str):
        try:
            sizes = [int(s) for s in sizes.split(",") if s.strip()]
        except ValueError:
            raise ValueError(f"MLP: sizes must be integers separated by commas, got {sizes!r}") from None
    sizes = list(sizes)
    if len(sizes) < 2 or any(not isinstance(n, int) or isinstance(n, bool) or n < 1 for n in sizes):
        raise ValueError(f"MLP: give at least an input and an output size, all positive integers; got {sizes}")
    return sizes


class MLP(Sequential):
    """A multilayer perceptron: Linear layers with an activation between them.

    Parameters
    ----------
    sizes : list of int or "2,16,16,1" -- input size, hidden sizes, output size
    activation : name of the hidden activation (any of ``nn.functional``)
    weight_init : initializer name for every Linear (default: :func:`default_init`)
    batchnorm : where to insert a ``BatchNorm1d`` in each hidden layer:
        ``"before"`` the activation (``True`` means this), as Ioffe & Szegedy (2015) do:
        Linear(bias=False) → BatchNorm1d → activation. The Linear layer has no bias
        there because BatchNorm subtracts the batch mean, which cancels any bias,
        and its own β plays that role (the paper's §3.2; Keras code writes
        ``Dense(..., use_bias=False)`` before ``BatchNormalization``);
        ``"after"`` the activation: Linear → activation → BatchNorm1d, which
        normalizes what the next layer receives (the Linear keeps its bias, since
        the activation stands between it and the normalization);
        ``False`` (default): none.
    dropout : insert ``Dropout(dropout)`` after each hidden activation (and its BatchNorm) (0 = none)
    weight_regularizer : passed to every Linear (e.g. ``regularizers.L2(1e-4)``)

    A model whose parameters would exceed :data:`minigrad.budget.MEMORY_BUDGET`
    is refused with a ``ValueError`` that gives the estimate, before any layer is built.
    """

    def __init__(self, sizes, activation="relu", weight_init=None, batchnorm=False, dropout=0.0,
                 weight_regularizer=None):
        sizes = _parse_sizes(sizes)
        placement = _batchnorm_placement(batchnorm)
        check_model_size(sizes, batchnorm=placement or False)  # refuse a model too big for memory before allocating it
        get_module(activation)  # fail early, with the list of valid names
        init = weight_init or default_init(activation)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            hidden = i < len(sizes) - 2
            layers.append(Linear(n_in, n_out, bias=not (hidden and placement == "before"), weight_init=init,
                                 weight_regularizer=weight_regularizer))
            if hidden:
                if placement == "before":
                    layers.append(BatchNorm1d(n_out))
                layers.append(get_module(activation))
                if placement == "after":
                    layers.append(BatchNorm1d(n_out))
                if dropout:
                    layers.append(Dropout(dropout))
        super().__init__(*layers)
        self.sizes = sizes
        self.activation = activation
        self.batchnorm = placement

    def extra_repr(self):
        return f"sizes={self.sizes}, activation={self.activation!r}" + (
            f", batchnorm={self.batchnorm!r}" if self.batchnorm else "")


def _batchnorm_placement(batchnorm):
    """``"before"``, ``"after"`` or None, from MLP's ``batchnorm`` argument."""
    if isinstance(batchnorm, (bool, np.bool_)) or batchnorm is None:
        return "before" if batchnorm else None
    if isinstance(batchnorm, str) and batchnorm in ("before", "after"):
        return batchnorm
    raise ValueError(f"MLP: batchnorm must be True/\"before\", \"after\" or False, got {batchnorm!r}")

"""Layers: Linear, Dropout, BatchNorm1d, LayerNorm, Flatten, Identity.

Each layer is a small :class:`~minigrad.nn.module.Module` that owns parameters and
buffers and calls a function of :mod:`minigrad.nn.functional` (``affine``'s op for
Linear, ``dropout``, ``batch_norm``, ``layer_norm``), which takes every tensor as
an argument -- handy for gradient checks and for writing a network by hand.
"""

from __future__ import annotations

import numpy as np

from minigrad.nn import init as initializers
from minigrad.nn import regularizers
from minigrad.nn.functional import batch_norm, dropout, layer_norm
from minigrad.nn.module import Module, Parameter
from minigrad.ops.linalg import Affine
from minigrad.ops.axes import accepts_dim_aliases
from minigrad.ops.shape import flatten as _flatten
from minigrad.tensor import Tensor, as_tensor

__all__ = ["Linear", "Dropout", "BatchNorm1d", "LayerNorm", "Flatten", "Identity"]


def _positive_int(value, name, where):
    """``value`` as an int when it is a positive integer (not a bool); else ValueError naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return int(value)


class Linear(Module):
    """Fully connected layer z = x Wᵀ + b with W ∈ R^{out × in} (W a + b for one example a).

    ``weight_init`` / ``bias_init``: an initializer name from :mod:`minigrad.nn.init`
    ("he_normal", "glorot_uniform", "zeros", ...) or a function ``shape -> array``.
    ``weight_regularizer``, ``bias_regularizer``, ``activity_regularizer``: as in
    Keras (``kernel_regularizer=l2(0.01)``), callables from
    :mod:`minigrad.nn.regularizers` or their names; their penalties are collected by
    ``model.regularization_loss()``. The activity penalty is that of the last
    forward pass divided by the batch size (as Keras does).
    """

    def __init__(self, in_features, out_features, bias=True, weight_init="he_normal", bias_init="zeros",
                 weight_regularizer=None, bias_regularizer=None, activity_regularizer=None):
        super().__init__()
        self.in_features = _positive_int(in_features, "in_features", "Linear")
        self.out_features = _positive_int(out_features, "out_features", "Linear")
        self.weight = Parameter(initializers.get(weight_init)((self.out_features, self.in_features)))
        self.bias = Parameter(initializers.get(bias_init)((self.out_features,))) if bias else None
        self.weight_regularizer = regularizers.get(weight_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._activity_penalty = None

    def forward(self, x):
        if x.__class__ is not Tensor:
            x = as_tensor(x, like=self.weight)
        # The op checks the shapes (once per call, not twice); its error is told again
        # here with the layer's name, which is what a user can find in the model.
        try:
            out = Affine.apply(x, self.weight) if self.bias is None else Affine.apply(x, self.weight, self.bias)
        except ValueError:
            if x.ndim == 0 or x.shape[-1] != self.in_features:
                where = f" (layer '{self._scope}')" if self._scope else ""
                raise ValueError(
                    f"{self!r}{where} got input of shape {x.shape}: the last axis must have "
                    f"{self.in_features} features"
                ) from None
            raise
        if self.activity_regularizer is not None:
            batch = out.shape[0] if out.ndim > 1 else 1
            self._activity_penalty = self.activity_regularizer(out) * (1.0 / batch)
        return out

    def regularization_terms(self):
        terms = []
        if self.weight_regularizer is not None:
            terms.append(self.weight_regularizer(self.weight))
        if self.bias_regularizer is not None and self.bias is not None:
            terms.append(self.bias_regularizer(self.bias))
        if self.activity_regularizer is not None and self._activity_penalty is not None:
            terms.append(self._activity_penalty)
        return terms

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Dropout(Module):
    """Randomly zero units with probability ``p`` in training mode (see :func:`dropout`)."""

    def __init__(self, p=0.5, inverted=True):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = float(p)
        self.inverted = bool(inverted)

    def forward(self, x):
        return dropout(x, self.p, self.training, self.inverted)

    def extra_repr(self):
        return f"p={self.p}" + ("" if self.inverted else ", inverted=False")


class _NormBase(Module):
    """What BatchNorm and InstanceNorm share: γ (``weight``, ones) and β (``bias``, zeros)
    when ``affine``, the buffers ``running_mean`` (zeros), ``running_var`` (ones) and
    ``num_batches_tracked`` when ``track_running_stats``, and the running-average step."""

    def __init__(self, num_features, eps, momentum, affine, track_running_stats):
        super().__init__()
        name = type(self).__name__
        num_features = _positive_int(num_features, "num_features", name)
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.weight = Parameter(np.ones(num_features)) if affine else None
        self.bias = Parameter(np.zeros(num_features)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features)))
            self.register_buffer("running_var", Tensor(np.ones(num_features)))
            self.register_buffer("num_batches_tracked", Tensor(np.zeros((), dtype=np.int64)))
        else:
            self.running_mean = self.running_var = None

    def _running_step(self):
        """(use the input's own statistics?, momentum for the running averages) of this call;
        counts the batch in training. ``momentum=None`` gives 1/num_batches_tracked, a
        cumulative average."""
        use_input_stats = self.training or self.running_mean is None
        momentum = self.momentum
        if self.training and self.running_mean is not None:
            self.num_batches_tracked.data[...] += 1
            if momentum is None:
                momentum = 1.0 / int(self.num_batches_tracked.data)
        return use_input_stats, momentum if momentum is not None else 0.0


class _BatchNorm(_NormBase):
    """Batch normalization over every axis but the channel axis 1 (see :func:`batch_norm`).

    Learnable γ (``weight``, ones) and β (``bias``, zeros) when ``affine``; buffers
    ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked``.
    ``momentum=None`` makes the running statistics a cumulative average. A subclass
    says which input ranks it takes (``BatchNorm1d``, ``nn.BatchNorm2d``).
    """

    # The input ranks this layer accepts, and how its error message spells them.
    _ndims = ()
    _shapes = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)

    def forward(self, x):
        x = as_tensor(x, like=self.weight)
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r} expects input of shape {self._shapes.format(c=self.num_features)}, got {x.shape}")
        use_batch, momentum = self._running_step()
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          training=use_batch, momentum=momentum, eps=self.eps)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs (see :func:`batch_norm`).

    Learnable γ (``weight``, ones) and β (``bias``, zeros) when ``affine``; buffers
    ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked``.
    ``momentum=None`` makes the running statistics a cumulative average.
    """

    _ndims = (2, 3)
    _shapes = "(N, {c}) or (N, {c}, L)"


class LayerNorm(Module):
    """Normalize each example over its trailing ``normalized_shape`` axes (see :func:`layer_norm`)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        if not shape or any(int(n) < 1 for n in shape):
            raise ValueError(f"LayerNorm: normalized_shape must be positive, got {normalized_shape!r}")
        self.normalized_shape = tuple(int(n) for n in shape)
        self.eps = eps
        self.weight = Parameter(np.ones(self.normalized_shape)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape)) if elementwise_affine else None

    def forward(self, x):
        x = as_tensor(x, like=self.weight)
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}"


class Flatten(Module):
    """Merge the axes from ``start_axis`` (default 1, keeping the batch axis) into one."""

    @accepts_dim_aliases  # Flatten(start_dim=2), as PyTorch
    def __init__(self, start_axis=1):
        super().__init__()
        self.start_axis = start_axis

    def forward(self, x):
        return _flatten(as_tensor(x), self.start_axis)

    def extra_repr(self):
        return f"start_axis={self.start_axis}"


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def forward(self, x):
        return x

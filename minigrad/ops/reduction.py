"""Reductions over axes: sum, mean, var, std, max, min (+ argmax/argmin).

Backward of a reduction *spreads* the incoming gradient back over the reduced
axes:

* sum:   every element contributed with weight 1 → dC/dx = broadcast(g);
* mean:  weight 1/N → broadcast(g) / N;
* max/min: only the extreme elements contributed; ties share the gradient
  equally, so the weights of a reduced slice always add up to 1;
* var:   Σ(x - x̄)² / (N - ddof), composed from mean, sub, mul and sum, so its
  gradient 2(x - x̄)/(N - ddof) and all higher derivatives follow automatically;
* std:   √var.

``axis`` is None (all axes), an int or a tuple of ints; ``keepdims`` keeps the
reduced axes with length 1. ``var`` and ``std`` default to ``ddof=0`` (NumPy).
"""

from __future__ import annotations

import builtins

import numpy as np

from minigrad.ops.function import Function
from minigrad.tensor import Tensor, as_tensor

__all__ = ["sum", "mean", "var", "std", "max", "min", "argmax", "argmin"]


def normalize_axis(op, axis, ndim):
    """``axis`` as a sorted tuple of non-negative ints (None → all axes), or a clear error."""
    if axis is None:
        return tuple(range(ndim))
    if axis.__class__ is int and 0 <= axis < ndim:  # the common case, checked cheaply
        return (axis,)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for ax in axes:
        if not isinstance(ax, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= ax < builtins.max(ndim, 1) or (ndim == 0 and ax not in (0, -1)):
            raise ValueError(f"{op}: axis {ax} is out of range for a tensor with {ndim} dimension(s)")
        out.append(int(ax) % builtins.max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out)) if ndim else ()


def _kept_shape(shape, axes):
    """``shape`` with the reduced ``axes`` set to 1 (the keepdims shape)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g, shape, axes):
    """Broadcast a reduction's gradient back over the reduced axes."""
    return g.reshape(_kept_shape(shape, axes)).broadcast_to(shape)


class Sum(Function):
    name = "sum"

    def forward(self, a, axes, keepdims):
        self.axes = axes
        return a.sum(axis=axes, keepdims=keepdims)

    def backward(self, g):
        (a,) = self.inputs
        return (_spread(g, a.shape, self.axes),)


class Mean(Function):
    name = "mean"

    def forward(self, a, axes, keepdims):
        self.axes = axes
        return a.mean(axis=axes, keepdims=keepdims)

    def backward(self, g):
        (a,) = self.inputs
        count = 1
        for ax in self.axes:
            count *= a.shape[ax]
        return (_spread(g, a.shape, self.axes) * (1.0 / count),)


class Extreme(Function):
    """max or min; the gradient goes to the extreme elements, split equally between ties."""

    name = "max"

    def forward(self, a, axes, keepdims, largest):
        if a.size == 0:
            raise ValueError("zero-size tensor has no maximum or minimum")
        kept = a.max(axis=axes, keepdims=True) if largest else a.min(axis=axes, keepdims=True)
        hits = a == kept
        self.weights = hits / hits.sum(axis=axes, keepdims=True)
        self.axes = axes
        return kept if keepdims else kept.reshape([n for i, n in enumerate(kept.shape) if i not in axes])

    def backward(self, g):
        (a,) = self.inputs
        w = Tensor._from_op(self.weights.astype(g.dtype, copy=False), None)
        return (_spread(g, a.shape, self.axes) * w,)


class Min(Extreme):
    name = "min"


def _reduce(cls, x, axis, keepdims, **extra):
    x = as_tensor(x)
    axes = normalize_axis(cls.name, axis, x.ndim)
    return cls.apply(x, axes=axes, keepdims=keepdims, **extra)


def sum(x, axis=None, keepdims=False):
    """Σ over ``axis`` (all elements when None)."""
    return _reduce(Sum, x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis``."""
    return _reduce(Mean, x, axis, keepdims)


def var(x, axis=None, ddof=0, keepdims=False):
    """Variance Σ(x - x̄)² / (N - ddof); ``ddof=0`` is the biased (population) variance."""
    x = as_tensor(x)
    axes = normalize_axis("var", axis, x.ndim)
    n = 1
    for ax in axes:
        n *= x.shape[ax]
    if n - ddof <= 0:
        raise ValueError(f"var: {n} element(s) with ddof={ddof} leave no degrees of freedom")
    centered = x - x.mean(axis=axes, keepdims=True)
    return (centered * centered).sum(axis=axes, keepdims=keepdims) * (1.0 / (n - ddof))


def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation √var (see :func:`var`)."""
    return var(x, axis=axis, ddof=ddof, keepdims=keepdims).sqrt()


def max(x, axis=None, keepdims=False):
    """Largest value over ``axis`` (values only; ties share the gradient equally)."""
    return _reduce(Extreme, x, axis, keepdims, largest=True)


def min(x, axis=None, keepdims=False):
    """Smallest value over ``axis`` (values only; ties share the gradient equally)."""
    return _reduce(Min, x, axis, keepdims, largest=False)


def argmax(x, axis=None, keepdims=False):
    """Index of the largest value (flattened when ``axis`` is None); not differentiable."""
    x = as_tensor(x)
    if axis is not None:
        (axis,) = normalize_axis("argmax", axis, x.ndim)
    return Tensor._constant(x.data.argmax(axis=axis, keepdims=keepdims))


def argmin(x, axis=None, keepdims=False):
    """Index of the smallest value (flattened when ``axis`` is None); not differentiable."""
    x = as_tensor(x)
    if axis is not None:
        (axis,) = normalize_axis("argmin", axis, x.ndim)
    return Tensor._constant(x.data.argmin(axis=axis, keepdims=keepdims))

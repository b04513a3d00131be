"""Reductions over axes: sum, mean, var, std, max, min, prod (+ argmax/argmin).

Backward of a reduction *spreads* the incoming gradient back over the reduced
axes:

* sum:   every element contributed with weight 1 → dC/dx = broadcast(g);
* mean:  weight 1/N → broadcast(g) / N;
* max/min: only the extreme elements contributed; ties share the gradient
  equally, so the weights of a reduced slice always add up to 1;
* var:   Σ(x - x̄)² / (N - ddof), composed from mean, sub, mul and sum, so its
  gradient 2(x - x̄)/(N - ddof) and all higher derivatives follow automatically;
* std:   √var;
* prod:  ∂/∂x_k Πx = Π_{j≠k} x_j. Where a reduced slice holds no zero this is
  Πx / x_k; where it does, that quotient is 0/0, and the product without x_k is
  built exactly instead (see :func:`_prod_grad`), so the gradient is right with
  zeros in the input: to every order with up to two zeros in a slice, to second
  order with more.

``axis`` is None (all axes), an int or a tuple of ints; ``keepdims`` keeps the
reduced axes with length 1; PyTorch's ``dim``/``keepdim`` are accepted too
(:mod:`minigrad.ops.axes`). ``var`` and ``std`` default to ``ddof=0`` (NumPy).

Empty inputs follow NumPy: a sum over a length-0 axis is 0, a mean (and var)
is NaN = 0/0 (without NumPy's warning), and max/min/argmax over it raise
ValueError, since an empty slice has no extreme element.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.axes import accepts_dim_aliases, normalize_axis  # normalize_axis: re-exported
from minigrad.ops.mask import mask_grad
from minigrad.tensor import Tensor, as_tensor

__all__ = ["sum", "mean", "var", "std", "max", "min", "prod", "argmax", "argmin"]


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
        self.count = 1
        for ax in axes:
            self.count *= a.shape[ax]
        if self.count == 0:
            # the mean of nothing is 0/0 = NaN, as in NumPy, minus its "Mean of empty slice" warning
            with np.errstate(invalid="ignore", divide="ignore"):
                return a.sum(axis=axes, keepdims=keepdims) / self.count
        return a.mean(axis=axes, keepdims=keepdims)

    def backward(self, g):
        (a,) = self.inputs
        if self.count == 0:  # an empty input: its gradient is empty too, no 1/0 needed
            return (_spread(g, a.shape, self.axes),)
        return (_spread(g, a.shape, self.axes) * (1.0 / self.count),)


class Extreme(Function):
    """max or min; the gradient goes to the extreme elements, split equally between ties."""

    name = "max"

    def forward(self, a, axes, keepdims, largest):
        if a.size == 0:
            _check_not_empty(a.shape, axes, "maximum" if largest else "minimum")
        kept = a.max(axis=axes, keepdims=True) if largest else a.min(axis=axes, keepdims=True)
        hits = a == kept
        if a.dtype.kind == "f":
            nan_kept = kept != kept
            if nan_kept.any():  # a NaN is the extreme: it takes the gradient (NaN == NaN is False), as PyTorch
                hits |= (a != a) & nan_kept
        self.weights = hits / hits.sum(axis=axes, keepdims=True)
        self.axes = axes
        return kept if keepdims else kept.reshape([n for i, n in enumerate(kept.shape) if i not in axes])

    def backward(self, g):
        (a,) = self.inputs
        # piecewise linear in a: the weights are a constant mask, kept tied to a (mask_grad)
        return (mask_grad(_spread(g, a.shape, self.axes), a, self.weights),)


class Min(Extreme):
    name = "min"


def _check_not_empty(shape, axes, what):
    """A max/min/argmax over a length-0 axis has no answer (NumPy: "zero-size array ...")."""
    for ax in axes:
        if shape[ax] == 0:
            raise ValueError(f"zero-size reduction: axis {ax} has length 0, so there is no {what}")


def _reduce(cls, x, axis, keepdims, **extra):
    x = as_tensor(x)
    axes = normalize_axis(cls.name, axis, x.ndim)
    return cls.apply(x, axes=axes, keepdims=keepdims, **extra)


@accepts_dim_aliases
def sum(x, axis=None, keepdims=False):
    """Σ over ``axis`` (all elements when None)."""
    return _reduce(Sum, x, axis, keepdims)


@accepts_dim_aliases
def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis``; NaN over an empty axis (0/0), as in NumPy."""
    return _reduce(Mean, x, axis, keepdims)


@accepts_dim_aliases
def var(x, axis=None, ddof=0, keepdims=False):
    """Variance Σ(x - x̄)² / (N - ddof); ``ddof=0`` is the biased (population) variance."""
    x = as_tensor(x)
    axes = normalize_axis("var", axis, x.ndim)
    n = 1
    for ax in axes:
        n *= x.shape[ax]
    centered = x - x.mean(axis=axes, keepdims=True)
    if n == 0:  # the variance of nothing is NaN, like its mean
        return (centered * centered).mean(axis=axes, keepdims=keepdims)
    if n - ddof <= 0:
        raise ValueError(f"var: {n} element(s) with ddof={ddof} leave no degrees of freedom")
    return (centered * centered).sum(axis=axes, keepdims=keepdims) * (1.0 / (n - ddof))


@accepts_dim_aliases
def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation √var (see :func:`var`)."""
    return var(x, axis=axis, ddof=ddof, keepdims=keepdims).sqrt()


@accepts_dim_aliases
def max(x, axis=None, keepdims=False):
    """Largest value over ``axis`` (values only; ties share the gradient equally).

    NumPy's convention: PyTorch's ``values, indices = x.max(dim=1)`` is
    ``x.max(dim=1), x.argmax(dim=1)`` here (``x.topk(1, dim=1)`` gives both, with the axis kept).
    """
    return _reduce(Extreme, x, axis, keepdims, largest=True)


@accepts_dim_aliases
def min(x, axis=None, keepdims=False):
    """Smallest value over ``axis`` (values only; ties share the gradient equally).

    PyTorch's ``values, indices = x.min(dim=1)`` is ``x.min(dim=1), x.argmin(dim=1)`` here.
    """
    return _reduce(Min, x, axis, keepdims, largest=False)


def _arg_extreme(op, x, axis, keepdims):
    x = as_tensor(x)
    axes = normalize_axis(op, axis, x.ndim)
    if axis is not None and not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be one int or None, got {axis!r}")
    if x.size == 0:
        try:
            _check_not_empty(x.shape, axes, "maximum" if op == "argmax" else "minimum")
        except ValueError as exc:
            raise ValueError(f"{op}: {exc} (input shape: {x.shape})") from None
    axis = None if axis is None or not axes else axes[0]  # a 0-d tensor: axis 0/-1 is the whole tensor
    pick = x.data.argmax if op == "argmax" else x.data.argmin
    return Tensor.constant(pick(axis=axis, keepdims=keepdims))


@accepts_dim_aliases
def argmax(x, axis=None, keepdims=False):
    """Index of the largest value (flattened when ``axis`` is None); not differentiable."""
    return _arg_extreme("argmax", x, axis, keepdims)


@accepts_dim_aliases
def argmin(x, axis=None, keepdims=False):
    """Index of the smallest value (flattened when ``axis`` is None); not differentiable."""
    return _arg_extreme("argmin", x, axis, keepdims)


class Prod(Function):
    """Π over ``axes``; backward is :func:`_prod_grad`, written in Tensor ops."""

    name = "prod"
    saves_output = True

    def forward(self, a, axes, keepdims):
        self.axes = axes
        return a.prod(axis=axes, keepdims=keepdims)

    def backward(self, g):
        (a,) = self.inputs
        kept = _kept_shape(a.shape, self.axes)
        g, y = g.reshape(kept), self.output().reshape(kept)
        zero = a.data == 0
        if zero.any():
            many = zero.sum(axis=self.axes, keepdims=True) >= 3
            if many.any():
                # With three zeros or more in a slice, Π_{j≠k} x_j and all its first
                # derivatives are 0: such slices get g = 0 (and ones for x, so that the
                # recursion of _prod_grad stays at most 2 deep), exact to second order.
                g = g.where(Tensor.constant(~many), 0.0)
                a = a.where(Tensor.constant(~np.broadcast_to(many, a.shape)), 1.0)
                y = a.prod(axis=self.axes, keepdims=True)
        return (_prod_grad(g, a, y, self.axes),)


def _first_zero(zero, axes):
    """Mask of the first True of ``zero`` in each slice over ``axes`` (C order within the slice)."""
    rest = [i for i in range(zero.ndim) if i not in axes]
    order = rest + list(axes)
    moved = zero.transpose(order)
    flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
    first = flat & (np.cumsum(flat, axis=-1) == 1)
    return first.reshape(moved.shape).transpose(np.argsort(order))


def _prod_grad(g, x, y, axes):
    """g · ∂(Πx)/∂x for ``y = Πx`` (g and y with the reduced axes kept), exact with zeros.

    Without zeros it is g·y / x. Otherwise let z be the first zero of a slice and
    x' the input with x_z replaced by 1 (a Tensor op, so x' still depends on x):

    * at z:    Π_{j≠z} x_j = Πx'                              (x_z itself is left out);
    * at k≠z:  Π_{j≠k} x_j = x_z · Π_{j∉{k,z}} x_j = x_z · ∂(Πx')/∂x'_k,

    and the last factor is this same function applied to x', which has one zero
    fewer per slice. Slices without a zero take x_z = 1 and keep g·y / x. The
    recursion is as deep as the most zeros in one slice; ``Prod.backward`` passes
    at most two.
    """
    zero = x.data == 0
    shape = x.shape
    if not zero.any():
        return (g * y).broadcast_to(shape) / x
    first = _first_zero(zero, axes)
    x1 = x.where(Tensor.constant(~first), 1.0)
    y1 = x1.prod(axis=axes, keepdims=True)
    inner = _prod_grad(g, x1, y1, axes)
    without_zero = Tensor.constant(~zero.any(axis=axes, keepdims=True), dtype=x.dtype)
    xz = x.where(Tensor.constant(first), 0.0).sum(axis=axes, keepdims=True) + without_zero  # x_z, or 1
    return (g * y1).broadcast_to(shape).where(Tensor.constant(first), xz * inner)


@accepts_dim_aliases
def prod(x, axis=None, keepdims=False):
    """Π over ``axis`` (all elements when None); 1 over an empty axis. Integers stay integers."""
    return _reduce(Prod, x, axis, keepdims)

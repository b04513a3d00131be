"""Cumulative (running) reductions along one axis: cumsum, cumprod, cummax, cummin, logcumsumexp.

Output element i combines the input elements 0..i along ``axis``; with
``axis=None`` the input is flattened first (NumPy's rule; PyTorch requires a
``dim``, given here as ``axis=`` or ``dim=``). Derivatives, for y_i = ⊕_{j≤i} x_j
and an incoming gradient g:

============  =========================  ======================================
op            y_i                        ∂C/∂x_k
============  =========================  ======================================
cumsum        Σ_{j≤i} x_j                Σ_{i≥k} g_i            (a reverse cumsum)
cumprod       Π_{j≤i} x_j                Σ_{i≥k} g_i Π_{j≤i, j≠k} x_j
cummax/min    max/min_{j≤i} x_j          Σ of g_i over the i whose extreme is x_k
logcumsumexp  ln Σ_{j≤i} e^{x_j}         Σ_{i≥k} g_i e^{x_k − y_i}
============  =========================  ======================================

* cumsum's backward is a cumsum run backwards along the axis (the same op with
  ``reverse=True``), and that one's backward runs forwards again.
* cumprod without zeros uses Π_{j≤i, j≠k} x_j = y_i / x_k, so ∂C/∂x_k =
  (reverse cumsum of g·y)_k / x_k. A zero makes that 0/0; :func:`_cumprod_grad`
  then splits each slice at its first zero z (see there) and stays exact: to
  every order with up to two zeros in a slice, to second order with more (the
  terms beyond a third zero hold two zero factors and are left out).
* cummax/cummin return ``(values, indices)`` like PyTorch; values are the input
  gathered at the indices, so the gradient goes to the element that was the
  running extreme. A tie picks the later element, and a NaN stays the extreme
  once met (PyTorch's rules).
* logcumsumexp is computed with ``np.logaddexp.accumulate`` (never overflows).
  Its backward e^{x_k} · Σ_{i≥k} g_i e^{−y_i} is evaluated in log space, split by
  the sign of g (as PyTorch's ``logcumsumexp_backward`` does): for s = ±,
  ln Σ_{i≥k} g_i^s e^{−y_i} is a reverse logcumsumexp of ln g^s − y, so no e^{±y}
  is ever formed. The exponent x_k + (that sum) cancels two large numbers when the
  inputs span a wide range, so the gradient's relative error grows like
  |x| · machine epsilon (about 1e-4 in float32 for |x| ~ 1000).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from minigrad import backend
from minigrad.autograd import Function
from minigrad.ops.axes import accepts_dim_aliases, normalize_axis
from minigrad.ops.indexing import getitem
from minigrad.tensor import Tensor, as_tensor

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "ValuesIndices"]

# What cummax/cummin return, like PyTorch's torch.return_types.cummax.
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _flip(a, axis, reverse):
    return np.flip(a, axis) if reverse else a


class CumSum(Function):
    name = "cumsum"

    def forward(self, a, axis, reverse):
        self.axis, self.reverse = axis, reverse
        return np.ascontiguousarray(_flip(np.cumsum(_flip(a, axis, reverse), axis=axis), axis, reverse))

    def backward(self, g):
        return (CumSum.apply(g, axis=self.axis, reverse=not self.reverse),)


def _reverse_cumsum(t, axis):
    """(Σ_{i≥k} t_i)_k along ``axis``."""
    return CumSum.apply(t, axis=axis, reverse=True)


class CumProd(Function):
    name = "cumprod"
    saves_output = True

    def forward(self, a, axis):
        self.axis = axis
        return np.cumprod(a, axis=axis)

    def backward(self, g):
        x, y = self.inputs[0], self.output()
        late = np.cumsum(x.data == 0, axis=self.axis) >= 3
        if late.any():
            # From the third zero of a slice on, every term of the sum holds two zero
            # factors besides x_k: its value and its first derivative are 0. Leaving those
            # terms out keeps the result exact to second order and the recursion 2 deep.
            keep = Tensor.constant(~late)
            g, x = g.where(keep, 0.0), x.where(keep, 1.0)
            y = cumprod(x, axis=self.axis)
        return (_cumprod_grad(g, x, y, self.axis),)


def _cumprod_grad(g, x, y, axis):
    """Σ_{i≥k} g_i Π_{j≤i, j≠k} x_j for y = cumprod(x), exact with zeros.

    Without zeros it is (reverse cumsum of g·y)_k / x_k. Otherwise, with z the
    first zero of a slice and x' the input with x_z replaced by 1:

    * k < z: x_k ≠ 0 and the quotient form still holds (y_i = 0 for i ≥ z only
      drops terms that are 0 anyway);
    * k = z: Π_{j≤i, j≠z} x_j = cumprod(x')_i, so the term is a reverse cumsum of g·cumprod(x');
    * k > z: every term holds x_z: x_z · (this function at x', which has one zero
      fewer per slice).

    Slices without a zero take the first branch everywhere. x' is a Tensor op of
    x, so the result is differentiable again (second derivatives at zeros included).
    The recursion is as deep as the most zeros in a slice; ``CumProd.backward``
    passes at most two.
    """
    zero = x.data == 0
    if not zero.any():
        return _reverse_cumsum(g * y, axis) / x
    seen = np.cumsum(zero, axis=axis)
    before, first = seen == 0, zero & (seen == 1)
    x1 = x.where(Tensor.constant(~first), 1.0)
    y1 = cumprod(x1, axis=axis)
    inner = _cumprod_grad(g, x1, y1, axis)
    xz = x.where(Tensor.constant(first), 0.0).sum(axis=axis, keepdims=True)
    at_or_after = _reverse_cumsum(g * y1, axis).where(Tensor.constant(first), xz * inner)
    quotient = _reverse_cumsum(g * y, axis) / x.where(Tensor.constant(before), 1.0)
    return quotient.where(Tensor.constant(before), at_or_after)


class LogCumSumExp(Function):
    name = "logcumsumexp"
    saves_output = True

    def forward(self, a, axis, reverse):
        self.axis, self.reverse = axis, reverse
        if a.shape[axis] == 0:
            return a.copy()
        out = np.logaddexp.accumulate(_flip(a, axis, reverse), axis=axis)
        return np.ascontiguousarray(_flip(out, axis, reverse))

    def backward(self, g):
        x, y = self.inputs[0], self.output()
        finite = np.isfinite(y.data)
        if not finite.all():  # a running total of only −inf terms: its terms get no gradient
            y = y.where(Tensor.constant(finite), 0.0)
        total = None
        for positive in (True, False):
            part = g.data > 0 if positive else g.data < 0
            if not part.any():
                continue
            mask = Tensor.constant(part)
            magnitude = (g if positive else -g).where(mask, 1.0)
            log_g = magnitude.log().where(mask, -np.inf)
            term = (x + LogCumSumExp.apply(log_g - y, axis=self.axis, reverse=not self.reverse)).exp()
            term = term if positive else -term
            total = term if total is None else total + term
        return (total if total is not None else g * 0.0,)


def _along(op, x, axis):
    """``x`` ready for a cumulative op along one axis: (tensor, axis, shape to restore or None)."""
    x = as_tensor(x)
    if axis is None:
        return (x.reshape(-1) if x.ndim != 1 else x), 0, None
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, (bool, np.bool_)):
        raise TypeError(f"{op}: axis must be one int or None, got {axis!r}")
    axes = normalize_axis(op, axis, x.ndim)
    if x.ndim == 0:  # axis 0/-1 of a 0-d tensor: a running total of one element
        return x.reshape(1), 0, ()
    return x, axes[0], None


def _restore(t, shape):
    return t if shape is None else t.reshape(shape)


@accepts_dim_aliases
def cumsum(x, axis=None):
    """Running sum along ``axis`` (of the flattened input when None, as NumPy)."""
    x, ax, shape = _along("cumsum", x, axis)
    return _restore(CumSum.apply(x, axis=ax, reverse=False), shape)


@accepts_dim_aliases
def cumprod(x, axis=None):
    """Running product along ``axis`` (flattened when None); its gradient is exact with zeros."""
    x, ax, shape = _along("cumprod", x, axis)
    return _restore(CumProd.apply(x, axis=ax), shape)


@accepts_dim_aliases
def logcumsumexp(x, axis=None):
    """Running ln Σ e^x along ``axis`` (flattened when None), without overflow."""
    x, ax, shape = _along("logcumsumexp", x, axis)
    return _restore(LogCumSumExp.apply(x, axis=ax, reverse=False), shape)


def _open_grid(xp, i, n, ndim):
    """0..n-1 laid along axis i, length 1 elsewhere (one index array of an open grid, as np.ix_)."""
    return xp.arange(n).reshape([-1 if j == i else 1 for j in range(ndim)])


def _running_extreme(op, x, axis, largest):
    x, ax, shape = _along(op, x, axis)
    a = x.data
    xp = backend.module_of(a)
    if a.size == 0:
        indices = xp.zeros(a.shape, dtype=np.int64)
    else:
        running = (xp.maximum if largest else xp.minimum).accumulate(a, axis=ax)
        hit = a == running  # x_i is the running extreme (a tie: the later element wins)
        if a.dtype.kind == "f":
            hit |= xp.isnan(a)  # a NaN becomes (and stays) the running extreme
        positions = _open_grid(xp, ax, a.shape[ax], a.ndim)
        indices = xp.maximum.accumulate(xp.where(hit, positions, 0), axis=ax).astype(np.int64)
    index = [_open_grid(xp, i, n, a.ndim) for i, n in enumerate(a.shape)]
    index[ax] = indices
    values = getitem(x, tuple(index))  # a gather: its backward sends each g_i to x at index_i
    return ValuesIndices(_restore(values, shape), _restore(Tensor.constant(indices), shape))


@accepts_dim_aliases
def cummax(x, axis=None):
    """Running maximum along ``axis``: ``(values, indices)`` as PyTorch (flattened when None)."""
    return _running_extreme("cummax", x, axis, largest=True)


@accepts_dim_aliases
def cummin(x, axis=None):
    """Running minimum along ``axis``: ``(values, indices)`` as PyTorch (flattened when None)."""
    return _running_extreme("cummin", x, axis, largest=False)

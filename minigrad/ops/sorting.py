"""Sorting along an axis: sort, argsort, topk.

``sort`` and ``topk`` return a named pair ``(values, indices)``, as PyTorch does;
``argsort`` returns the indices only (as ``np.argsort``). The sort is *stable*:
equal elements keep their original order, descending too (so ``indices`` is
deterministic). NaN sorts as the largest value (NumPy's and PyTorch's rule).

Sorting is a permutation chosen by the values: ``values = gather(x, axis,
indices)``. Within a region where the order does not change, the permutation is
a constant, so the gradient of ``values`` goes back through the same gather,
a scatter: each input element receives the gradient of the position it was
sorted to (and ``topk`` sends zero to the elements it dropped). At ties the
order is a choice and the derivative is one-sided, as for ``max``.

References: Knuth, *The Art of Computer Programming* vol. 3 (sorting and
stability); the gradient of sorting as a permutation, e.g. Blondel et al.,
"Fast Differentiable Sorting and Ranking" (ICML 2020), §2.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from minigrad.ops.axes import accepts_dim_aliases, normalize_axis
from minigrad.ops.gather_scatter import gather
from minigrad.tensor import Tensor, as_tensor

__all__ = ["sort", "argsort", "topk", "SortResult", "TopKResult"]

SortResult = namedtuple("SortResult", ["values", "indices"])
TopKResult = namedtuple("TopKResult", ["values", "indices"])


def _order(x, axis, descending):
    """Stable sorting indices of ``x`` along ``axis`` (an int array of x's shape)."""
    data = x.numpy()  # on the host: the order is found by NumPy
    if descending:
        # Sort the reversed array ascending, then reverse the result: descending values,
        # with equal elements still in their original order.
        rev = np.flip(data, axis)
        order = np.flip(np.argsort(rev, axis=axis, kind="stable"), axis)
        return data.shape[axis] - 1 - order
    return np.argsort(data, axis=axis, kind="stable")


def _axis(op, x, axis):
    """``axis`` as one non-negative int, for a tensor of at least one dimension."""
    (axis,) = normalize_axis(op, axis, x.ndim) or (0,)
    return axis


@accepts_dim_aliases
def sort(x, axis=-1, descending=False, stable=True):
    """Sort along ``axis`` (-1 by default; None sorts the flattened tensor): ``(values, indices)``.

    ``values`` is differentiable (its gradient is scattered back to where each
    element came from); ``indices`` is an int64 tensor. The sort is always stable
    (``stable=`` is accepted for PyTorch's signature).
    """
    x = as_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.ndim == 0:
        return SortResult(x, Tensor.constant(np.zeros((), dtype=np.int64)))
    axis = _axis("sort", x, axis)
    order = _order(x, axis, descending)
    return SortResult(gather(x, axis, order), Tensor.constant(order.astype(np.int64)))


@accepts_dim_aliases
def argsort(x, axis=-1, descending=False, stable=True):
    """``np.argsort``: the int64 indices that sort x along ``axis`` (stable; not differentiable)."""
    return sort(x, axis, descending=descending).indices


@accepts_dim_aliases
def topk(x, k, axis=-1, largest=True, sorted=True):
    """The ``k`` largest (``largest=False``: smallest) elements along ``axis``: ``(values, indices)``.

    Results are in order (largest first, or smallest first) whatever ``sorted``
    says; among equal elements the one met first comes first. Gradient: g goes to
    the k chosen elements, zero to the others.
    """
    x = as_tensor(x)
    scalar = x.ndim == 0
    if scalar:  # a 0-d tensor is its own single element (axis 0 or -1)
        normalize_axis("topk", axis, 0)
        x = x.reshape(1)
    axis = _axis("topk", x, axis)
    n = x.shape[axis]
    if not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise ValueError(f"topk: k={k!r} is out of range for axis {axis} of length {n} (input shape {x.shape})")
    order = _order(x, axis, descending=largest)
    order = np.take(order, np.arange(int(k)), axis=axis)
    values, indices = gather(x, axis, order), Tensor.constant(order.astype(np.int64))
    if scalar and k == 1:
        return TopKResult(values.reshape(()), indices.reshape(()))
    return TopKResult(values, indices)

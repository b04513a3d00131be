"""Triangles and diagonals of matrices: tril, triu, diagonal, diag.

* ``tril(x, k)`` keeps the elements on and below the k-th diagonal (column − row
  ≤ k) of the last two axes and zeroes the rest; ``triu`` keeps column − row ≥ k.
  Both multiply x by a fixed 0/1 mask, so the gradient is the same mask applied to
  the gradient: ``tril`` is its own adjoint (as in NumPy's ``np.tril``/``np.triu``).
* ``diagonal(x, offset, axis1, axis2)`` is ``np.diagonal``: the elements
  ``x[..., i, i + offset]`` of the two axes, which are removed and replaced by one
  last axis holding the diagonal. It is an indexing op, so its gradient puts ``g``
  back on the diagonal of a zero tensor (a scatter).
* ``diag(x, k)`` is ``np.diag`` (and ``torch.diag``): a 1-D x becomes the square
  matrix with x on its k-th diagonal; a 2-D x gives its k-th diagonal. The two are
  each other's adjoint.

Reference: Golub & Van Loan, *Matrix Computations* (4th ed., 2013), §1.2 (band
and triangular structure).
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.indexing import getitem, scatter_add
from minigrad.tensor import as_tensor

__all__ = ["tril", "triu", "diagonal", "diag"]


class Tril(Function):
    """Zero the elements above the k-th diagonal; the gradient is masked the same way."""

    name = "tril"
    keep = staticmethod(np.tril)

    def forward(self, a, k):
        self.k = k
        return self.keep(a, k)

    def backward(self, g):
        return (type(self).apply(g, k=self.k),)


class Triu(Tril):
    """Zero the elements below the k-th diagonal; the gradient is masked the same way."""

    name = "triu"
    keep = staticmethod(np.triu)


def _triangle(op, x, k):
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"{op.name}: needs a tensor with at least 2 dimensions, got shape {x.shape}")
    if not isinstance(k, (int, np.integer)):
        raise TypeError(f"{op.name}: the diagonal offset must be an int, got {k!r}")
    return op.apply(x, k=int(k))


def tril(x, k=0, *, diagonal=None):
    """The lower triangle of the last two axes: elements with column − row ≤ k (others 0).

    ``k`` (PyTorch: ``diagonal=``) moves the border: 0 is the main diagonal, 1 one
    above it, -1 one below.
    """
    return _triangle(Tril, x, k if diagonal is None else diagonal)


def triu(x, k=0, *, diagonal=None):
    """The upper triangle of the last two axes: elements with column − row ≥ k (others 0)."""
    return _triangle(Triu, x, k if diagonal is None else diagonal)


def _diagonal_index(n_rows, n_cols, offset):
    """Row and column indices of the ``offset``-th diagonal of an n_rows × n_cols matrix."""
    start_row, start_col = max(-offset, 0), max(offset, 0)
    length = max(min(n_rows - start_row, n_cols - start_col), 0)
    return np.arange(start_row, start_row + length), np.arange(start_col, start_col + length)


def diagonal(x, offset=0, axis1=0, axis2=1, *, dim1=None, dim2=None):
    """``np.diagonal``: ``out[..., i] = x[..., i, i + offset]`` taken over ``axis1`` and ``axis2``.

    The two axes are removed and the diagonal becomes the last axis (NumPy and
    PyTorch agree; PyTorch's ``dim1=``/``dim2=`` are accepted). Differentiable: the
    gradient writes ``g`` back onto the diagonal.
    """
    x = as_tensor(x)
    axis1 = axis1 if dim1 is None else dim1
    axis2 = axis2 if dim2 is None else dim2
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs a tensor with at least 2 dimensions, got shape {x.shape}")
    axes = []
    for ax in (axis1, axis2):
        if not isinstance(ax, (int, np.integer)) or not -x.ndim <= ax < x.ndim:
            raise ValueError(f"diagonal: axis {ax!r} is out of range for a tensor of shape {x.shape}")
        axes.append(int(ax) % x.ndim)
    if axes[0] == axes[1]:
        raise ValueError(f"diagonal: axis1 and axis2 must differ, both are {axes[0]}")
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = x.permute(tuple(rest + axes))
    rows, cols = _diagonal_index(x.shape[axes[0]], x.shape[axes[1]], int(offset))
    return getitem(moved, (Ellipsis, rows, cols))


def diag(x, k=0, *, diagonal=None):
    """``np.diag``: a 1-D x → the square matrix with x on its k-th diagonal; 2-D → its k-th diagonal.

    ``k`` is PyTorch's ``diagonal=``. The matrix of a length-n vector has side n + |k|.
    """
    x = as_tensor(x)
    k = int(k if diagonal is None else diagonal)
    if x.ndim == 2:
        return _diagonal_of_matrix(x, k)
    if x.ndim != 1:
        raise ValueError(f"diag: needs a 1-D or 2-D tensor, got shape {x.shape}")
    side = x.shape[0] + abs(k)
    return scatter_add(x, _diagonal_index(side, side, k), (side, side))


def _diagonal_of_matrix(x, k):
    return getitem(x, _diagonal_index(x.shape[0], x.shape[1], k))

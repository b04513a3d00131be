"""PyTorch's spellings of things minigrad already does: view, expand, t, clone, numel, cat, long/int/bool, clamp.

Code written for PyTorch then runs unchanged. Each one is the minigrad op it
names, with PyTorch's argument conventions:

==============  ===============================================================
PyTorch         minigrad
==============  ===============================================================
x.view(2, 3)    ``reshape`` (a copy may be made; minigrad has no aliasing views)
x.expand(...)   ``broadcast_to``, where −1 keeps an axis's length
x.t()           ``transpose`` of a tensor with at most 2 axes
x.clone()       a copy that stays in the graph (gradient: the identity)
x.numel()       ``x.size``, the number of elements
mg.cat          ``mg.concat``
x.long() ...    ``astype(int64)``, ``int()`` → int32, ``bool()`` → bool
x.clamp(lo,hi)  ``clip`` (the out-of-place twin of ``clamp_``)
==============  ===============================================================
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.conversion import astype
from minigrad.ops.indexing import concat
from minigrad.ops.shape import broadcast_to, reshape, transpose
from minigrad.ops.unary import clip
from minigrad.tensor import as_tensor

# to_long, to_int and to_bool are the Tensor methods long(), int() and bool().
__all__ = ["numel", "clone", "t", "view", "expand", "cat", "clamp", "to_long", "to_int", "to_bool"]

cat = concat
clamp = clip


class Clone(Function):
    """A copy of the data, recorded in the graph: d(clone x)/dx = 1."""

    name = "clone"

    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return (g,)


def clone(x):
    """A differentiable copy: new data, same graph (``detach()`` cuts, ``clone()`` keeps)."""
    return Clone.apply(as_tensor(x))


def numel(x):
    """The number of elements (PyTorch's ``numel``; ``x.size`` in NumPy's terms)."""
    return as_tensor(x).data.size


def t(x):
    """Transpose of a tensor with at most 2 axes (0-d and 1-d come back unchanged), as PyTorch."""
    x = as_tensor(x)
    if x.ndim > 2:
        raise ValueError(
            f"t: expects a tensor with at most 2 dimensions, got shape {x.shape}; use transpose, permute or swapaxes"
        )
    return transpose(x)


def view(x, *shape):
    """PyTorch's ``view``: ``reshape`` (``x.view(2, 3)`` or ``x.view((2, 3))``, one length may be −1)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int, np.integer)):
        raise TypeError(f"view: expects a shape (ints or one tuple), got {shape[0]!r}; for a dtype use astype")
    return reshape(x, *shape)


def expand(x, *sizes):
    """PyTorch's ``expand``: broadcast to ``sizes``; −1 keeps an existing axis's length.

    New axes go in front; an existing axis can grow only from length 1.
    """
    x = as_tensor(x)
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(sizes)
    if len(sizes) < x.ndim:
        raise ValueError(f"expand: {len(sizes)} size(s) {sizes} for a tensor with {x.ndim} dimensions (shape {x.shape})")
    lead = len(sizes) - x.ndim
    target = []
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"expand: sizes must be ints, got {sizes!r}")
        old = x.shape[i - lead] if i >= lead else None
        if n == -1:
            if old is None:
                raise ValueError(f"expand: -1 is not allowed for the new leading dimension {i} (sizes {sizes})")
            n = old
        elif n < 0:
            raise ValueError(f"expand: negative size {n} in {sizes}")
        elif old is not None and old != 1 and old != n:
            raise ValueError(
                f"expand: dimension {i} has length {old}, which cannot expand to {n} (only length-1 axes expand; "
                f"shape {x.shape}, sizes {sizes})"
            )
        target.append(int(n))
    return broadcast_to(x, tuple(target))


def to_long(x):
    """``x`` as int64 (PyTorch's ``long``); not differentiable."""
    return astype(x, np.int64)


def to_int(x):
    """``x`` as int32 (PyTorch's ``int``); not differentiable."""
    return astype(x, np.int32)


def to_bool(x):
    """``x`` as booleans (nonzero → True; PyTorch's ``bool``); not differentiable."""
    return astype(x, np.bool_)

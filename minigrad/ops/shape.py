"""Shape ops: reshape, transpose/permute, broadcast_to, squeeze/unsqueeze, flatten.

They move elements around without changing values, so backward moves the
gradient back: reshape → reshape to the input shape, a permutation → the
inverse permutation, broadcasting → :func:`~minigrad.ops.broadcast.unbroadcast`.
Shapes are given as ints or one tuple: ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.axes import accepts_dim_aliases, normalize_axis, shape_arg
from minigrad.ops.broadcast import unbroadcast
from minigrad.tensor import as_tensor

__all__ = ["reshape", "flatten", "transpose", "permute", "swapaxes", "broadcast_to", "squeeze", "unsqueeze"]


class Reshape(Function):
    name = "reshape"

    def forward(self, a, shape):
        try:
            return a.reshape(shape)
        except ValueError:  # NumPy's message writes -1 as "newaxis"
            known = math.prod(n for n in shape if n != -1)
            n_unknown = sum(n == -1 for n in shape)
            why = ("only one length may be -1" if n_unknown > 1
                   else f"{a.size} is not a multiple of {known}" if n_unknown
                   else f"that shape holds {known}")
            raise ValueError(f"cannot reshape {a.size} element(s) into shape {shape}: {why}") from None

    def backward(self, g):
        return (g.reshape(self.inputs[0].shape),)


class Transpose(Function):
    name = "transpose"

    def forward(self, a, axes):
        self.axes = axes
        return a.transpose(axes)

    def backward(self, g):
        return (g.permute(tuple(np.argsort(self.axes))),)


class BroadcastTo(Function):
    name = "broadcast_to"

    def forward(self, a, shape):
        return np.broadcast_to(a, shape)

    def backward(self, g):
        return (unbroadcast(g, self.inputs[0].shape),)


def reshape(x, *shape):
    """The same elements in a new shape (one dimension may be -1)."""
    x = as_tensor(x)
    shape = shape_arg(shape)
    if shape == x.shape:
        return x
    return Reshape.apply(x, shape=shape)


@accepts_dim_aliases
def flatten(x, start_axis=0):
    """Merge the axes from ``start_axis`` on into one (``flatten(x, 1)`` keeps the batch axis)."""
    x = as_tensor(x)
    if x.ndim == 0:
        return reshape(x, 1)
    start = normalize_axis("flatten", start_axis, x.ndim)[0]
    return reshape(x, x.shape[:start] + (-1,))


def permute(x, *axes):
    """Reorder the axes: ``out.shape[i] == x.shape[axes[i]]``."""
    x = as_tensor(x)
    axes = shape_arg(axes)
    if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)) or len(axes) != x.ndim:
        raise ValueError(f"permute: {axes} is not a permutation of the {x.ndim} axes of a tensor of shape {x.shape}")
    axes = tuple(a % x.ndim for a in axes)
    if axes == tuple(range(x.ndim)):
        return x
    return Transpose.apply(x, axes=axes)


def transpose(x, *axes):
    """NumPy's transpose: reverse the axes, or permute them when ``axes`` are given."""
    x = as_tensor(x)
    if not axes or axes == (None,):
        if x.ndim < 2:
            return x
        return Transpose.apply(x, axes=tuple(range(x.ndim - 1, -1, -1)))
    return permute(x, *axes)


def swapaxes(x, axis1, axis2):
    """Exchange two axes (PyTorch's ``transpose(dim0, dim1)``)."""
    x = as_tensor(x)
    a1, a2 = (normalize_axis("swapaxes", a, x.ndim) for a in (axis1, axis2))
    if x.ndim == 0:  # axes 0/-1 of a 0-d tensor: nothing to exchange (as PyTorch)
        return x
    (a1,), (a2,) = a1, a2
    axes = list(range(x.ndim))
    axes[a1], axes[a2] = axes[a2], axes[a1]
    return permute(x, tuple(axes))


def broadcast_to(x, *shape):
    """Repeat ``x`` along new or length-1 axes to reach ``shape`` (NumPy broadcasting rules)."""
    x = as_tensor(x)
    shape = shape_arg(shape)
    if shape == x.shape:
        return x
    return BroadcastTo.apply(x, shape=shape)


@accepts_dim_aliases
def squeeze(x, axis=None):
    """Remove length-1 axes (all of them, or the given ones, which must have length 1)."""
    x = as_tensor(x)
    if axis is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    else:
        axes = normalize_axis("squeeze", axis, x.ndim)
        for ax in axes:
            if x.shape[ax] != 1:
                raise ValueError(f"squeeze: axis {ax} has length {x.shape[ax]}, not 1 (shape {x.shape})")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


@accepts_dim_aliases
def unsqueeze(x, axis):
    """Insert a length-1 axis at position ``axis`` (negative counts from the end of the result)."""
    x = as_tensor(x)
    nd = x.ndim + 1
    if not -nd <= axis < nd:
        raise ValueError(f"unsqueeze: axis {axis} is out of range for a result with {nd} dimensions")
    axis %= nd
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])

"""Padding: ``pad(x, pad_width, mode="constant", value=0.0)``, NumPy's ``np.pad``.

``pad_width`` takes NumPy's forms: one int (the same before and after every
axis), one ``(before, after)`` pair (for every axis), or one pair per axis
``((b0, a0), (b1, a1), ...)``. Three modes, as in NumPy (and PyTorch's
``constant``/``reflect``/``replicate``):

* ``constant``: the new cells hold ``value``. The output is the input
  surrounded by constants, so the gradient is the incoming gradient with the
  border cut off, ``g[b0:b0+n0, b1:b1+n1, ...]`` (the border does not depend on x);
* ``reflect``: the border mirrors the input without repeating the edge cell
  (``[1 2 3] → 3 2 | 1 2 3 | 2 1``);
* ``edge``: the border repeats the edge cell (``[1 2 3] → 1 1 | 1 2 3 | 3 3``).

In the last two modes every output cell is a copy of one input cell, so the
padded tensor is ``x[ix]`` for an index ``ix`` built by padding ``arange(n)``
with the same mode along each axis. Its gradient is the *scatter-add* of
``g`` back through that index: an input cell receives the sum of the
gradients of all its copies (the adjoint of a gather; Griewank & Walther,
*Evaluating Derivatives*, 2008, ch. 3). Indexing is already differentiable, so
these two modes are a composition and need no derivative of their own.
"""

from __future__ import annotations

import numpy as np

from minigrad import backend
from minigrad.autograd import Function
from minigrad.ops.indexing import getitem
from minigrad.tensor import Tensor, as_tensor

__all__ = ["pad"]

MODES = ("constant", "reflect", "edge")


class PadConstant(Function):
    """x surrounded by a constant; backward cuts the border off the gradient."""

    name = "pad"

    def forward(self, a, pad_width, value):
        self.inner = tuple(slice(b, b + n) for (b, _), n in zip(pad_width, a.shape))
        xp = backend.module_of(a)
        out = xp.full(tuple(n + b + e for n, (b, e) in zip(a.shape, pad_width)), value, dtype=a.dtype)
        out[self.inner] = a
        return out

    def backward(self, g):
        return (g[self.inner],)


def _pairs(pad_width, shape):
    """NumPy's pad_width forms as one ``(before, after)`` pair of ints per axis."""
    if isinstance(pad_width, Tensor):
        pad_width = pad_width.data
    try:
        widths = np.asarray(pad_width)
    except ValueError:  # ragged nesting
        raise ValueError(f"pad: pad_width {pad_width!r} is not an int, a (before, after) pair "
                         f"or one pair per axis of the input of shape {shape}") from None
    if widths.dtype.kind not in "iu" and not (widths.dtype.kind == "f" and np.all(widths == np.round(widths))):
        raise TypeError(f"pad: pad_width must hold ints, got {pad_width!r}")
    ndim = len(shape)
    try:
        pairs = np.broadcast_to(widths.astype(np.int64), (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} (shape {widths.shape}) is not an int, a (before, after) "
                         f"pair or {ndim} pairs for the input of shape {shape}") from None
    if (pairs < 0).any():
        raise ValueError(f"pad: pad_width {pad_width!r} has a negative width")
    return tuple((int(b), int(a)) for b, a in pairs)


def pad(x, pad_width, mode="constant", value=0.0):
    """``x`` padded along every axis by ``pad_width`` (NumPy's forms), as ``np.pad``.

    ``mode`` is ``"constant"`` (cells hold ``value``), ``"reflect"`` (mirror
    without the edge cell) or ``"edge"`` (repeat the edge cell). Reflect and edge
    need a non-empty axis wherever they pad. The gradient of a constant pad is
    the gradient with the border cut off; that of reflect/edge adds the
    gradients of each cell's copies (see the module docstring).
    """
    x = as_tensor(x)
    if mode not in MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(MODES)}, got {mode!r}")
    pairs = _pairs(pad_width, x.shape)
    if all(b == 0 and a == 0 for b, a in pairs):
        return x
    if mode == "constant":
        if isinstance(value, Tensor):
            value = value.item()
        return PadConstant.apply(x, pad_width=pairs, value=value)
    index = []
    for axis, (n, (before, after)) in enumerate(zip(x.shape, pairs)):
        if n == 0 and before + after > 0:
            raise ValueError(f"pad: mode {mode!r} cannot pad axis {axis} of length 0 (input shape {x.shape})")
        shape = [1] * x.ndim
        shape[axis] = -1
        index.append(np.pad(np.arange(n), (before, after), mode=mode).reshape(shape))
    return getitem(x, tuple(index))

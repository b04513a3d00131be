"""Rearranging and copying elements: flip, roll, tile, repeat, repeat_interleave.

None of these computes anything: each output element is a copy of one input
element. A permutation of the elements (flip, roll) sends the gradient back
through the inverse permutation, which for a flip is the flip itself and for a
roll by ``s`` is the roll by ``-s``. An op that copies elements (tile,
repeat_interleave) sends each input element the *sum* of the gradients of its
copies, the adjoint of copying (Griewank & Walther, *Evaluating Derivatives*,
2008, ch. 3); both are written as compositions of reshape/broadcast and
indexing, whose backward passes already do that sum.

Names, as NumPy and PyTorch use them (the two libraries disagree on "repeat"):

* ``tile(x, reps)`` is ``np.tile``: the whole tensor repeated as a block;
* ``x.repeat(*sizes)`` and ``mg.repeat(x, *sizes)`` are PyTorch's
  ``Tensor.repeat``, which is also a tile (``sizes`` must cover every axis);
* ``repeat_interleave(x, repeats, axis=None)`` is ``np.repeat``: each element
  repeated in place (``[1 2] → [1 1 2 2]``), PyTorch's ``repeat_interleave``.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.axes import accepts_dim_aliases, normalize_axis, shape_arg
from minigrad.ops.indexing import getitem
from minigrad.tensor import Tensor, as_tensor

__all__ = ["flip", "roll", "tile", "repeat", "repeat_interleave"]


class Flip(Function):
    """Reverse the order along ``axes``; the gradient is flipped back the same way."""

    name = "flip"

    def forward(self, a, axes):
        self.axes = axes
        return np.flip(a, axes)

    def backward(self, g):
        return (Flip.apply(g, axes=self.axes),)


class Roll(Function):
    """Shift elements cyclically; the gradient is rolled back by the opposite shift."""

    name = "roll"

    def forward(self, a, shift, axis):
        self.shift, self.axis = shift, axis
        return np.roll(a, shift, axis)

    def backward(self, g):
        back = tuple(-s for s in self.shift) if isinstance(self.shift, tuple) else -self.shift
        return (Roll.apply(g, shift=back, axis=self.axis),)


@accepts_dim_aliases
def flip(x, axis=None):
    """``np.flip``: reverse the order of elements along ``axis`` (all axes when None).

    PyTorch's ``flip(dims)`` is the same with the axes given (``dim=`` works too).
    """
    x = as_tensor(x)
    axes = normalize_axis("flip", axis, x.ndim)
    if not axes:
        return x
    return Flip.apply(x, axes=axes)


@accepts_dim_aliases
def roll(x, shift, axis=None):
    """``np.roll``: shift elements cyclically by ``shift`` along ``axis``.

    With ``axis=None`` the tensor is rolled as if flattened, then restored to its
    shape. ``shift`` and ``axis`` may be tuples of equal length (one shift per axis).
    """
    x = as_tensor(x)
    if axis is None:
        if not isinstance(shift, (int, np.integer)):
            raise TypeError(f"roll: with axis=None the shift must be one int, got {shift!r}")
        return Roll.apply(x, shift=int(shift), axis=None)
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    shifts = tuple(shift) if isinstance(shift, (tuple, list)) else (shift,) * len(axes)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: {len(shifts)} shifts {shifts} for {len(axes)} axes {axes}")
    span = max(x.ndim, 1)
    for ax in axes:
        if not isinstance(ax, (int, np.integer)) or not -span <= ax < span:
            raise ValueError(f"roll: axis {ax!r} is out of range for a tensor of shape {x.shape}")
    if x.ndim == 0:
        return x
    return Roll.apply(x, shift=tuple(int(s) for s in shifts), axis=tuple(int(a) % span for a in axes))


def tile(x, reps):
    """``np.tile``: ``x`` repeated ``reps[i]`` times along axis i, as a whole block.

    ``reps`` is an int or a tuple; when it is longer than ``x.ndim`` the input gets
    leading length-1 axes, when shorter it is padded with leading 1s (NumPy's rule).
    Written as reshape → broadcast → reshape: x of shape (n0, n1) is viewed as
    (1, n0, 1, n1), broadcast to (r0, n0, r1, n1) and merged to (r0·n0, r1·n1), so
    the gradient sums the copies (the broadcast's adjoint) with no formula of its own.
    """
    x = as_tensor(x)
    reps = (reps,) if isinstance(reps, (int, np.integer)) else shape_arg((reps,))
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: reps must be non-negative, got {reps}")
    nd = max(len(reps), x.ndim)
    reps = (1,) * (nd - len(reps)) + tuple(reps)
    shape = (1,) * (nd - x.ndim) + x.shape
    if all(r == 1 for r in reps):
        return x.reshape(shape)
    spread = tuple(v for n in shape for v in (1, n))
    copies = tuple(v for r, n in zip(reps, shape) for v in (r, n))
    return x.reshape(spread).broadcast_to(copies).reshape(tuple(r * n for r, n in zip(reps, shape)))


def repeat(x, *sizes):
    """PyTorch's ``Tensor.repeat(*sizes)``: a tile (``np.tile``), *not* ``np.repeat``.

    ``x.repeat(2, 3)`` repeats the whole tensor twice along axis 0 and three times
    along axis 1. ``sizes`` (ints or one tuple) must have at least ``x.ndim``
    entries, as in PyTorch; extra leading entries add axes. For NumPy's
    ``np.repeat`` (each element repeated in place) use :func:`repeat_interleave`.
    """
    x = as_tensor(x)
    sizes = shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: {len(sizes)} sizes {sizes} for a tensor of shape {x.shape}; give one per axis "
                         "(at least); for NumPy's np.repeat use repeat_interleave")
    return tile(x, sizes)


@accepts_dim_aliases
def repeat_interleave(x, repeats, axis=None):
    """``np.repeat``: each element repeated ``repeats`` times in place (``[1 2] → [1 1 2 2]``).

    ``repeats`` is an int or one count per element along ``axis`` (an int sequence or
    tensor). ``axis=None`` flattens first. The result is ``x`` indexed by
    ``repeat(arange(n), repeats)``, so the gradient of each element is the sum of
    those of its copies (a scatter-add).
    """
    x = as_tensor(x)
    if isinstance(repeats, Tensor):
        repeats = repeats.data
    counts = np.asarray(repeats)
    if counts.dtype.kind not in "iu" or counts.ndim > 1:
        raise TypeError(f"repeat_interleave: repeats must be an int or a 1-D sequence of ints, got {repeats!r}")
    if (counts < 0).any():
        raise ValueError(f"repeat_interleave: repeats must be non-negative, got {repeats!r}")
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    (axis,) = normalize_axis("repeat_interleave", axis, x.ndim) or (0,)
    if x.ndim == 0:
        x = x.reshape(1)
    n = x.shape[axis]
    if counts.ndim == 1 and counts.size not in (1, n):
        raise ValueError(f"repeat_interleave: {counts.size} repeats for axis {axis} of length {n} "
                         f"(input shape {x.shape})")
    index = np.repeat(np.arange(n), counts)
    return getitem(x, (slice(None),) * axis + (index,))

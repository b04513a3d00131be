"""Indexing and joining: ``x[index]``, concat, stack.

``x[index]`` picks elements; its backward puts each gradient element back where
it was picked from, *adding* when the same element was picked more than once
(``x[[0, 0]]`` sends two contributions to ``x[0]``). That scatter-add is itself
an op (:class:`ScatterAdd`) whose backward is indexing again, so indexing is
differentiable to any order.

Supported indices: ints, slices, ``None``, ``...``, integer arrays/lists/Tensors
(NumPy advanced indexing) and boolean masks.
"""

from __future__ import annotations

import numpy as np

from minigrad import backend
from minigrad.autograd import Function
from minigrad.ops.axes import accepts_dim_aliases, normalize_axis
from minigrad.tensor import Tensor, as_tensor

__all__ = ["getitem", "concat", "stack"]


def _plain_index(index):
    """Turn Tensors and lists inside an index into arrays NumPy understands."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        arr = np.asarray(index)
        # [] has no values to tell its type; NumPy reads an empty list index as integers
        return arr.astype(np.intp) if arr.size == 0 and arr.dtype.kind == "f" else arr
    return index


def _may_repeat(index):
    """True when the index can select one element twice (integer arrays)."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(hasattr(p, "dtype") and p.dtype.kind in "iu" and p.ndim > 0 for p in parts)


class GetItem(Function):
    name = "getitem"

    def forward(self, a, index):
        self.index = index
        return a[index]

    def backward(self, g):
        return (scatter_add(g, self.index, self.inputs[0].shape),)


class ScatterAdd(Function):
    """out = zeros(shape); out[index] += g (repeated positions accumulate)."""

    name = "scatter_add"

    def forward(self, g, index, shape):
        self.index = index
        xp = backend.module_of(g)
        out = xp.zeros(shape, dtype=g.dtype)
        if not _may_repeat(index):
            out[index] = g
        elif xp is np:
            np.add.at(out, index, g)
        else:  # CuPy
            import cupyx

            cupyx.scatter_add(out, index, g)
        return out

    def backward(self, gg):
        return (gg[self.index],)


def scatter_add(g, index, shape):
    """A tensor of ``shape`` with ``g`` added at ``index`` (the adjoint of ``x[index]``)."""
    return ScatterAdd.apply(as_tensor(g), index=index, shape=tuple(shape))


def getitem(x, index):
    """``x[index]`` with a scatter-add gradient."""
    x = as_tensor(x)
    return GetItem.apply(x, index=_plain_index(index))


class Concat(Function):
    name = "concat"

    def forward(self, *arrays, axis):
        self.axis = axis
        return np.concatenate(arrays, axis=axis)

    def backward(self, g):
        grads, start = [], 0
        lead = (slice(None),) * self.axis
        for t in self.inputs:
            stop = start + t.shape[self.axis]
            grads.append(g[lead + (slice(start, stop),)] if t.requires_grad else None)
            start = stop
        return tuple(grads)


class Stack(Function):
    name = "stack"

    def forward(self, *arrays, axis):
        self.axis = axis
        return np.stack(arrays, axis=axis)

    def backward(self, g):
        lead = (slice(None),) * self.axis
        return tuple(g[lead + (i,)] if t.requires_grad else None for i, t in enumerate(self.inputs))


def _tensors(op, tensors):
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: needs at least one tensor")
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    return [as_tensor(t, like=first) for t in tensors]


@accepts_dim_aliases
def concat(tensors, axis=0):
    """Join tensors along an existing axis (all other lengths must agree)."""
    tensors = _tensors("concat", tensors)
    if tensors[0].ndim == 0:
        raise ValueError("concat: 0-d tensors have no axis to join along; use stack")
    (axis,) = normalize_axis("concat", axis, tensors[0].ndim)
    return Concat.apply(*tensors, axis=axis)


@accepts_dim_aliases
def stack(tensors, axis=0):
    """Join equally shaped tensors along a new axis."""
    tensors = _tensors("stack", tensors)
    nd = tensors[0].ndim + 1
    if not -nd <= axis < nd:
        raise ValueError(f"stack: axis {axis} is out of range for a result with {nd} dimensions")
    return Stack.apply(*tensors, axis=axis % nd)

"""Gather and scatter along one axis, masked fill/select, nonzero (PyTorch semantics).

For a 3-D input and ``axis=1`` (PyTorch's ``dim``), with an integer ``index``
of the same number of dimensions:

* ``gather(x, 1, index)[i, j, k] = x[i, index[i, j, k], k]``;
* ``scatter(x, 1, index, src)``: a copy of x with ``out[i, index[i, j, k], k] = src[i, j, k]``;
* ``scatter_add(x, 1, index, src)``: the same, but *adding* ``src`` (repeated
  positions accumulate).

``index`` may be smaller than ``x`` (and ``src``) along every axis; only the
leading ``index.shape`` block of ``src`` is used. Indices must lie in
``[0, x.shape[axis])``.

Gradients. A gather reads elements, so its adjoint is a scatter-add: each
element of x receives the sum of the gradients of the outputs that read it (the
same scatter-add as ``x[index]``, :class:`~minigrad.ops.indexing.ScatterAdd`).
Conversely the gradient of ``scatter_add`` with respect to ``src`` is a gather
of g. ``scatter`` overwrites: the overwritten elements of x get gradient 0 and
each src element gets the gradient of the position it was written to,
``gather(g, axis, index)``. When ``index`` repeats a position, which src
element ends up there is undefined (as in PyTorch and NumPy's fancy
assignment), and so is the gradient: as in PyTorch, every src element aimed at
that position receives its gradient.

``masked_fill(x, mask, value)`` is ``where(mask, value, x)`` and
``masked_select(x, mask)`` is ``x[mask]`` after broadcasting the two (a 1-D
result); ``nonzero`` returns indices, which are not differentiable.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.axes import accepts_dim_aliases, normalize_axis
from minigrad.ops.indexing import getitem, scatter_add as _scatter_add_into
from minigrad.ops.mask import mask_grad
from minigrad.ops.selection import where
from minigrad.tensor import Tensor, as_tensor

__all__ = ["gather", "scatter", "scatter_add", "masked_fill", "masked_select", "nonzero"]


def _integer_index(op, index):
    data = index.data if isinstance(index, Tensor) else np.asarray(index)
    if data.dtype.kind not in "iu" and not (data.size == 0 and data.dtype.kind == "f"):
        raise TypeError(f"{op}: index must hold integers, got dtype {data.dtype}")
    return data.astype(np.intp, copy=False)


def _index_tuple(op, x, axis, index, src=None):
    """The NumPy advanced index that ``x[...]`` reads for ``gather(x, axis, index)``.

    One broadcastable ``arange`` per axis, ``index`` itself along ``axis`` (x has at
    least one dimension); checks the shapes and the range of the indices first.
    """
    (axis,) = normalize_axis(op, axis, x.ndim)
    shapes = f"input shape {x.shape}, index shape {index.shape}" + ("" if src is None else f", src shape {src.shape}")
    if index.ndim != x.ndim:
        raise ValueError(f"{op}: index must have as many dimensions as the input ({shapes})")
    if src is not None and src.ndim not in (0, index.ndim):
        raise ValueError(f"{op}: src must be a number, a 0-d tensor or have as many dimensions as index ({shapes})")
    for d, m in enumerate(index.shape):
        if d != axis and m > x.shape[d]:
            raise ValueError(f"{op}: index is larger than the input along axis {d} ({shapes})")
        if src is not None and src.ndim and m > src.shape[d]:
            raise ValueError(f"{op}: index is larger than src along axis {d} ({shapes})")
    if index.size:
        low, high = int(index.min()), int(index.max())
        if low < 0 or high >= x.shape[axis]:
            bad = low if low < 0 else high
            raise IndexError(f"{op}: index {bad} is out of range for axis {axis} of length {x.shape[axis]} ({shapes})")
    parts = []
    for d in range(index.ndim):
        if d == axis:
            parts.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = index.shape[d]
            parts.append(np.arange(index.shape[d]).reshape(shape))
    return tuple(parts)


def _operands(op, x, index, src=None):
    """x (and src) as tensors and index as an intp array; a 0-d call is made 1-D (one element)."""
    x = as_tensor(x)
    index = _integer_index(op, index)
    if src is not None:
        src = as_tensor(src, like=x)
    if x.ndim == 0:
        if index.ndim != 0:
            raise ValueError(f"{op}: index must have as many dimensions as the input "
                             f"(input shape (), index shape {index.shape})")
        x, index = x.reshape(1), index.reshape(1)
        src = src if src is None or src.ndim == 0 else src.reshape(1)
        return x, index, src, True
    return x, index, src, False


def _leading_block(t, shape):
    """``t[:shape[0], :shape[1], ...]``: the block of ``src`` that ``index`` addresses."""
    if t.ndim == 0 or t.shape == shape:
        return t
    return getitem(t, tuple(slice(0, n) for n in shape))


@accepts_dim_aliases
def gather(x, axis, index):
    """PyTorch's ``gather``: ``out[i, j] = x[index[i, j], j]`` for axis 0 (and so on).

    ``index`` has x's number of dimensions and is no larger than x along the other
    axes; the result has ``index``'s shape. Gradient: a scatter-add (repeated
    indices accumulate).
    """
    x, index, _, scalar = _operands("gather", x, index)
    out = getitem(x, _index_tuple("gather", x, axis, index))
    return out.reshape(()) if scalar else out


class Scatter(Function):
    """A copy of x with src written at ``parts`` (overwriting)."""

    name = "scatter"

    def forward(self, a, src, parts, block):
        self.parts = parts
        out = a.copy()
        out[parts] = src if src.ndim == 0 else src[tuple(slice(0, n) for n in block)]
        self.kept = np.ones(a.shape, dtype=bool)
        self.kept[parts] = False
        return out

    def backward(self, g):
        x, src = self.inputs
        grad_src = None
        if src.requires_grad:
            picked = getitem(g, self.parts)
            if src.ndim == 0:
                grad_src = picked.sum()
            elif picked.shape == src.shape:
                grad_src = picked
            else:
                grad_src = _scatter_add_into(picked, tuple(slice(0, n) for n in picked.shape), src.shape)
        return (mask_grad(g, x, self.kept) if x.requires_grad else None, grad_src)


@accepts_dim_aliases
def scatter(x, axis, index, src):
    """PyTorch's ``scatter``: a copy of x with ``out[index[i, j], j] = src[i, j]`` for axis 0.

    ``src`` is a tensor (its leading ``index.shape`` block is used) or a number.
    Overwritten elements of x get gradient 0; each src element gets the gradient of
    the position it was written to. Repeated positions in ``index``: which element
    wins is undefined (as in PyTorch), and so is the gradient.
    """
    x, index, src, scalar = _operands("scatter", x, index, src)
    parts = _index_tuple("scatter", x, axis, index, src)
    out = Scatter.apply(x, src, parts=parts, block=index.shape)
    return out.reshape(()) if scalar else out


@accepts_dim_aliases
def scatter_add(x, axis, index, src):
    """PyTorch's ``scatter_add``: a copy of x with ``out[index[i, j], j] += src[i, j]`` for axis 0.

    Repeated positions accumulate. The gradient of x is g, that of src is
    ``gather(g, axis, index)`` (zero outside the block ``index`` addresses).
    """
    x, index, src, scalar = _operands("scatter_add", x, index, src)
    parts = _index_tuple("scatter_add", x, axis, index, src)
    src = src.broadcast_to(index.shape) if src.ndim == 0 else _leading_block(src, index.shape)
    out = x + _scatter_add_into(src, parts, x.shape)
    return out.reshape(()) if scalar else out


def masked_fill(x, mask, value):
    """``x`` with ``value`` wherever ``mask`` (boolean, broadcast to x's shape) holds.

    ``value`` is a number (cast to x's dtype, as in PyTorch) or a 0-d tensor, which
    receives the sum of the gradient over the filled positions; x's gradient is g
    with the filled positions zeroed.
    """
    x = as_tensor(x)
    cond = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if cond.dtype != bool:
        raise TypeError(f"masked_fill: mask must be boolean, got dtype {cond.dtype}")
    try:
        cond = np.broadcast_to(cond, x.shape)
    except ValueError:
        raise ValueError(f"masked_fill: mask of shape {cond.shape} does not broadcast to the input "
                         f"shape {x.shape}") from None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
    else:
        value = Tensor.constant(np.asarray(value, dtype=x.dtype))
    return where(cond, value, x)


def masked_select(x, mask):
    """The elements of x where ``mask`` holds, as a 1-D tensor (x and mask broadcast together).

    Gradient: g put back at the selected positions (zero elsewhere), summed over
    any broadcasting of x.
    """
    x = as_tensor(x)
    cond = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if cond.dtype != bool:
        raise TypeError(f"masked_select: mask must be boolean, got dtype {cond.dtype}")
    try:
        shape = np.broadcast_shapes(x.shape, cond.shape)
    except ValueError:
        raise ValueError(f"masked_select: mask of shape {cond.shape} and input of shape {x.shape} "
                         "cannot be broadcast together") from None
    if x.ndim == 0 and cond.ndim == 0:
        return getitem(x.reshape(1), cond.reshape(1))
    return getitem(x.broadcast_to(shape), np.broadcast_to(cond, shape))


def nonzero(x, as_tuple=True):
    """The indices of the nonzero elements (not differentiable), in row-major order.

    ``as_tuple=True`` (the default) is ``np.nonzero``: one int64 tensor per axis,
    usable as an index (``x[mg.nonzero(x)]``). ``as_tuple=False`` is PyTorch's
    default form (``np.argwhere``): one row of indices per nonzero element, shape
    ``(count, x.ndim)``.
    """
    x = as_tensor(x)
    if x.ndim == 0:
        raise ValueError("nonzero: a 0-d tensor has no axes to index; reshape it to 1-D first")
    data = x.numpy()
    found = np.nonzero(data)
    if as_tuple:
        return tuple(Tensor.constant(i.astype(np.int64)) for i in found)
    return Tensor.constant(np.stack(found, axis=-1).astype(np.int64))

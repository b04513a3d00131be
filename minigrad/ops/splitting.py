"""Cutting a tensor into pieces: split, chunk (PyTorch's), and unflatten.

``split`` and ``chunk`` return a tuple of slices ``x[..., start:stop, ...]``
along one axis. Each piece is an ordinary indexing op, so the gradient of ``x``
is the pieces' gradients put back side by side (zeros for a piece that was not
used), the adjoint of slicing. ``unflatten`` is a reshape of one axis into several.

PyTorch semantics (NumPy's ``np.split``/``np.array_split`` count *sections* and
*cut points* instead):

* ``split(x, 3)``: pieces of length 3 along axis 0, the last one shorter if the
  length is not a multiple of 3; ``split(x, [2, 5])``: pieces of lengths 2 and 5,
  which must add up to the length of the axis;
* ``chunk(x, 3)``: at most 3 pieces of length ⌈n/3⌉ (the last one shorter; fewer
  pieces when the length runs out first);
* ``unflatten(x, axis, sizes)``: axis ``axis`` becomes the axes ``sizes`` (one of
  them may be -1).
"""

from __future__ import annotations

import numpy as np

from minigrad.ops.axes import accepts_dim_aliases, normalize_axis
from minigrad.ops.indexing import getitem
from minigrad.tensor import as_tensor

__all__ = ["split", "chunk", "unflatten"]


def _one_axis(op, x, axis):
    if x.ndim == 0:
        raise ValueError(f"{op}: a 0-d tensor has no axis to cut")
    (axis,) = normalize_axis(op, axis, x.ndim)
    return axis


def _pieces(x, axis, lengths):
    lead = (slice(None),) * axis
    out, start = [], 0
    for n in lengths:
        out.append(getitem(x, lead + (slice(start, start + n),)))
        start += n
    return tuple(out)


@accepts_dim_aliases
def split(x, split_size_or_sections, axis=0):
    """PyTorch's ``split``: pieces of one length (an int) or of the given lengths (a list).

    Returns a tuple of tensors. An int ``s`` cuts pieces of length ``s`` (the last
    one shorter); a list of lengths must add up to ``x.shape[axis]``.
    """
    x = as_tensor(x)
    axis = _one_axis("split", x, axis)
    n = x.shape[axis]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0 and not (size == 0 and n == 0):
            raise ValueError(f"split: split_size must be positive, got {size} (axis {axis} of shape {x.shape})")
        lengths = [min(size, n - start) for start in range(0, n, size)] if n else [0]
    else:
        try:
            lengths = [int(s) for s in split_size_or_sections]
        except (TypeError, ValueError):
            raise TypeError(f"split: split_size_or_sections must be an int or a list of ints, "
                            f"got {split_size_or_sections!r}") from None
        if any(s < 0 for s in lengths) or sum(lengths) != n:
            raise ValueError(f"split: sections {lengths} do not add up to the length {n} of axis {axis} "
                             f"(input shape {x.shape})")
    return _pieces(x, axis, lengths)


@accepts_dim_aliases
def chunk(x, chunks, axis=0):
    """PyTorch's ``chunk``: at most ``chunks`` pieces of length ⌈n / chunks⌉ along ``axis``."""
    x = as_tensor(x)
    axis = _one_axis("chunk", x, axis)
    if not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
    n = x.shape[axis]
    size = -(-n // int(chunks))
    return split(x, max(size, 1) if n else 0, axis)


@accepts_dim_aliases
def unflatten(x, axis, sizes):
    """PyTorch's ``unflatten``: axis ``axis`` becomes axes of lengths ``sizes`` (one may be -1)."""
    x = as_tensor(x)
    axis = _one_axis("unflatten", x, axis)
    sizes = tuple(int(s) for s in sizes)
    n = x.shape[axis]
    known = int(np.prod([s for s in sizes if s != -1]))
    free = sizes.count(-1)
    if not sizes or free > 1 or any(s < -1 for s in sizes) \
            or (free == 0 and known != n) or (free == 1 and (known == 0 or n % known)):
        raise ValueError(f"unflatten: sizes {sizes} do not fit axis {axis} of length {n} (input shape {x.shape})")
    if free:
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    return x.reshape(x.shape[:axis] + sizes + x.shape[axis + 1:])

"""Functions that create tensors: zeros, ones, full, randn, rand, arange, eye, ..._like.

Shapes are ints or one tuple (``mg.zeros(2, 3)`` == ``mg.zeros((2, 3))``). Floating
tensors default to float32. Random draws come from the generator seeded by
``mg.manual_seed``.
"""

from __future__ import annotations

import numpy as np

from minigrad import backend
from minigrad.ops.axes import shape_arg
from minigrad.rng import generator
from minigrad.tensor import DEFAULT_DTYPE, Tensor, _resolve_dtype

__all__ = ["zeros", "ones", "full", "randn", "rand", "arange", "eye", "zeros_like", "ones_like"]


def _make(array, requires_grad, device):
    t = Tensor._from_op(backend.to_device(array, backend.check_device(device)), None)
    return t.requires_grad_(True) if requires_grad else t


def _dtype(dtype):
    return DEFAULT_DTYPE if dtype is None else _resolve_dtype(dtype)


def _shape(shape):
    shape = shape_arg(shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"negative dimension in shape {shape}")
    return shape


def zeros(*shape, requires_grad=False, dtype=None, device="cpu"):
    """A tensor of zeros."""
    return _make(np.zeros(_shape(shape), dtype=_dtype(dtype)), requires_grad, device)


def ones(*shape, requires_grad=False, dtype=None, device="cpu"):
    """A tensor of ones."""
    return _make(np.ones(_shape(shape), dtype=_dtype(dtype)), requires_grad, device)


def full(shape, fill_value, requires_grad=False, dtype=None, device="cpu"):
    """A tensor of ``shape`` filled with ``fill_value``."""
    shape = _shape((shape,) if isinstance(shape, int) else (tuple(shape),))
    return _make(np.full(shape, fill_value, dtype=_dtype(dtype)), requires_grad, device)


def randn(*shape, requires_grad=False, dtype=None, device="cpu"):
    """Samples of the standard normal N(0, 1)."""
    draw = generator().standard_normal(_shape(shape))
    return _make(draw.astype(_dtype(dtype)), requires_grad, device)


def rand(*shape, requires_grad=False, dtype=None, device="cpu"):
    """Samples of the uniform distribution on [0, 1)."""
    draw = generator().random(_shape(shape))
    return _make(draw.astype(_dtype(dtype)), requires_grad, device)


def arange(start, stop=None, step=1, requires_grad=False, dtype=None, device="cpu"):
    """Evenly spaced values in [start, stop); integers stay integers unless ``dtype`` is given."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("arange: step must not be zero")
    values = np.arange(start, stop, step)
    if dtype is not None:
        values = values.astype(_resolve_dtype(dtype))
    elif values.dtype.kind == "f":
        values = values.astype(DEFAULT_DTYPE)
    return _make(values, requires_grad, device)


def eye(n, m=None, requires_grad=False, dtype=None, device="cpu"):
    """The n×m identity matrix (m defaults to n)."""
    return _make(np.eye(n, m, dtype=_dtype(dtype)), requires_grad, device)


def zeros_like(x, requires_grad=False, dtype=None):
    """Zeros with the shape, device and (by default) dtype of ``x``."""
    return zeros(x.shape, requires_grad=requires_grad, dtype=dtype or x.dtype, device=x.device)


def ones_like(x, requires_grad=False, dtype=None):
    """Ones with the shape, device and (by default) dtype of ``x``."""
    return ones(x.shape, requires_grad=requires_grad, dtype=dtype or x.dtype, device=x.device)

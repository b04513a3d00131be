"""Functions that create tensors: zeros, ones, full, empty, randn, rand, randint, arange, linspace, eye, ..._like.

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

__all__ = [
    "zeros", "ones", "full", "randn", "rand", "arange", "eye", "zeros_like", "ones_like",
    "linspace", "randint", "empty", "full_like", "rand_like", "randn_like",
]


def _make(array, requires_grad, device):
    t = Tensor._from_op(backend.to_device(array, backend.check_device(device)), None)
    return t.requires_grad_(True) if requires_grad else t


def _number(value):
    """A Tensor given where a number is expected (``arange(x.max())``, ``linspace(lo, hi, n)``)
    as its value: NumPy would otherwise see an opaque object and build an object array."""
    if isinstance(value, Tensor):
        return value.item() if value.data.size == 1 else value.numpy()
    return value


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
    """A tensor of ``shape`` filled with ``fill_value``.

    Without ``dtype`` the value decides, as in ``mg.tensor`` and PyTorch: a bool gives a
    bool tensor, an int an int64 one, a float the default float (float32).
    """
    shape = _shape((shape,) if isinstance(shape, int) else (tuple(shape),))
    if dtype is None and isinstance(fill_value, (bool, np.bool_)):
        dtype = "bool"
    elif dtype is None and isinstance(fill_value, (int, np.integer)):
        dtype = "int64"
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
    start, stop, step = _number(start), _number(stop), _number(step)
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
    return _make(np.eye(_number(n), _number(m), dtype=_dtype(dtype)), requires_grad, device)


def zeros_like(x, requires_grad=False, dtype=None):
    """Zeros with the shape, device and (by default) dtype of ``x``."""
    return zeros(x.shape, requires_grad=requires_grad, dtype=dtype or x.dtype, device=x.device)


def ones_like(x, requires_grad=False, dtype=None):
    """Ones with the shape, device and (by default) dtype of ``x``."""
    return ones(x.shape, requires_grad=requires_grad, dtype=dtype or x.dtype, device=x.device)


def linspace(start, stop, num=50, endpoint=True, requires_grad=False, dtype=None, device="cpu", steps=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` (NumPy's ``linspace``).

    ``stop`` is included unless ``endpoint=False``. PyTorch's name for ``num``,
    ``steps=``, is accepted too.
    """
    if steps is not None:
        if num != 50:
            raise TypeError("linspace: got both num= and steps= (the same argument); pass one")
        num = steps
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 0:
        raise ValueError(f"linspace: num must be a non-negative int, got {num!r}")
    values = np.linspace(_number(start), _number(stop), int(num), endpoint=endpoint)
    return _make(values.astype(_dtype(dtype)), requires_grad, device)


def randint(low, high=None, size=(), dtype=None, device="cpu"):
    """Uniform random integers in [low, high) (in [0, low) when ``high`` is None), int64 by default.

    NumPy's argument order; PyTorch's ``randint(high, (2, 3))`` works too (a shape
    in ``high``'s place is the size). Integers carry no gradient.
    """
    low, high = _number(low), _number(high)
    if isinstance(high, (tuple, list)):
        high, size = None, high
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    if size is None:
        size = ()
    shape = _shape((size,) if isinstance(size, (int, np.integer)) else (tuple(size),))
    draw = generator().integers(low, high, size=shape)
    return _make(draw.astype(np.int64 if dtype is None else _resolve_dtype(dtype)), False, device)


def empty(*shape, requires_grad=False, dtype=None, device="cpu"):
    """A tensor of ``shape`` whose values are unspecified (here zeros, so runs stay repeatable)."""
    return zeros(*shape, requires_grad=requires_grad, dtype=dtype, device=device)


def full_like(x, fill_value, requires_grad=False, dtype=None):
    """``fill_value`` with the shape, device and (by default) dtype of ``x``."""
    return full(x.shape, fill_value, requires_grad=requires_grad, dtype=dtype or x.dtype, device=x.device)


def _float_like(op, x, dtype):
    dtype = _resolve_dtype(dtype or x.dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: random floats need a floating dtype, got {dtype}; pass dtype=mg.float32")
    return dtype


def rand_like(x, requires_grad=False, dtype=None):
    """Uniform samples on [0, 1) with the shape, device and (by default) dtype of ``x``."""
    return rand(x.shape, requires_grad=requires_grad, dtype=_float_like("rand_like", x, dtype), device=x.device)


def randn_like(x, requires_grad=False, dtype=None):
    """Standard normal samples with the shape, device and (by default) dtype of ``x``."""
    return randn(x.shape, requires_grad=requires_grad, dtype=_float_like("randn_like", x, dtype), device=x.device)

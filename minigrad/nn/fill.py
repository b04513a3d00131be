"""The machinery behind :mod:`minigrad.nn.init`: checked shapes and dtypes, zero-mean
draws of a given variance, and the in-place ``name_(tensor)`` twin of an initializer.

:mod:`minigrad.nn.init` keeps the formulas (which variance, which distribution and
why); this module turns them into arrays and fills tensors with them.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from minigrad import backend
from minigrad.autograd import no_grad
from minigrad.rng import generator
from minigrad.tensor import Tensor, _resolve_dtype

__all__ = ["TRUNCATED_STD", "check_shape", "float_dtype", "check_choice", "truncated_standard_normal",
           "draw", "in_place"]

# Standard deviation of N(0, 1) truncated to [-2, 2]: Keras divides by it so that the
# truncated draw of variance_scaling keeps the intended variance.
TRUNCATED_STD = 0.87962566103423978


def check_shape(shape, where):
    """An int or a sequence of ints as a tuple; negative dimensions are an error."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in shape
    ):
        raise TypeError(f"{where}: a shape is an int or a tuple of ints, got {shape!r}")
    dims = tuple(int(n) for n in shape)
    if any(n < 0 for n in dims):
        raise ValueError(f"{where}: negative dimension in shape {dims}")
    return dims


def float_dtype(dtype, where, floating=True):
    """``dtype`` as a NumPy dtype; random initializers need a float one."""
    dt = _resolve_dtype(dtype)
    if floating and dt.kind != "f":
        raise TypeError(f"{where}: random initializers produce float32 or float64 arrays, got dtype {dt}")
    return dt


def check_choice(value, allowed, name, where):
    """``value`` if it is one of ``allowed``, else a ValueError that lists them."""
    if value not in allowed:
        raise ValueError(f"{where}: unknown {name} {value!r}; expected one of {', '.join(map(repr, allowed))}")
    return value


def truncated_standard_normal(shape):
    """N(0, 1) samples with every value beyond ±2 redrawn (TensorFlow's truncated normal)."""
    rng = generator()
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2.0
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2.0
    return z


def draw(shape, variance, distribution, dtype):
    """Zero-mean samples of the given variance: ``"normal"``, ``"uniform"`` U(-r, r) with
    r = √(3·variance), or ``"truncated_normal"`` rescaled so that the *truncated* draw has
    this variance (Keras)."""
    if distribution == "normal":
        values = math.sqrt(variance) * generator().standard_normal(shape)
    elif distribution == "uniform":
        limit = math.sqrt(3.0 * variance)
        values = generator().uniform(-limit, limit, shape)
    else:
        values = math.sqrt(variance) / TRUNCATED_STD * truncated_standard_normal(shape)
    return values.astype(dtype)


def in_place(init):
    """``init_(tensor, ...)``: fill ``tensor.data`` with ``init(tensor.shape, ..., dtype=tensor.dtype)``."""
    name = init.__name__

    def fill_(tensor, *args, **kwargs):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{name}_: expects a Tensor, got {type(tensor).__name__}")
        if "dtype" in kwargs:
            raise TypeError(f"{name}_: the tensor keeps its dtype ({tensor.dtype}); do not pass dtype")
        values = backend.to_device(init(tensor.shape, *args, dtype=tensor.dtype, **kwargs), tensor.device)
        with no_grad():
            if getattr(tensor.data, "flags", None) is not None and tensor.data.flags.writeable:
                tensor.data[...] = values
            else:
                tensor.data = values
            tensor._mark_changed()
        return tensor

    fill_.__name__ = fill_.__qualname__ = name + "_"
    fill_.__module__ = init.__module__  # documented beside the initializer it fills with
    fill_.__doc__ = (
        f"In place :func:`{name}`: fill ``tensor.data`` with ``{name}(tensor.shape, ...)``.\n\n"
        "No graph is recorded; the tensor keeps its dtype, device and ``requires_grad``.\n"
        "Returns the tensor.\n"
    )
    return fill_

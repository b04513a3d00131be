"""The dtypes minigrad computes in, and the rule that turns integers into floats.

Tensors hold float32 (the default), float64 (gradient checking), integers (class
labels, indices) or booleans (masks). Only floating tensors carry gradients.

An op whose result is not an integer in general -- e^x, √x, σ(x), x / y, a mean, a
softmax -- computes on integer or boolean inputs as floats, as PyTorch does:
``mg.tensor([0, 1, 3]).sigmoid()`` is ``[0.5, 0.731, 0.953]`` in float32, never
``[0, 0, 0]``. Ops that combine an integer tensor with a floating one compute in the
floating one's dtype (``int64 + float32 → float32``, where NumPy would pick float64).
:func:`promote` applies both rules to an op's input arrays.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "float32", "float64", "int64", "bool_", "DEFAULT_DTYPE", "FLOAT_DTYPES",
    "resolve_dtype", "promote", "SAME", "PROMOTE", "FLOAT",
]

float32 = np.dtype("float32")
float64 = np.dtype("float64")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")
DEFAULT_DTYPE = float32
FLOAT_DTYPES = (float32, float64)

# How an op treats integer and boolean inputs (``Function.dtype_rule``):
SAME = None          # compute on the arrays as they are (shape ops, sum, max, comparisons ...)
PROMOTE = "promote"  # integers join a floating operand's dtype; all-integer inputs stay integer (+, -, *)
FLOAT = "float"      # the result is a float whatever the inputs (exp, log, /, mean, softmax ...)


def resolve_dtype(dtype):
    """Turn a dtype spec ("float64", np.float64, mg.float64) into a supported ``np.dtype``."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unsupported dtype {dtype!r}: use float32, float64, an integer type or bool") from None
    if dt.kind == "f" and dt not in FLOAT_DTYPES:
        raise TypeError(f"unsupported dtype {dt}: minigrad computes in float32 (default) or float64")
    if dt.kind not in "fiub":
        raise TypeError(f"unsupported dtype {dt}: use float32, float64, an integer type or bool")
    return dt


def promote(arrays, rule):
    """``arrays`` with integer/boolean ones cast to the floating dtype ``rule`` asks for.

    The floating dtype is the widest one among the arrays, or float32 when none is
    floating. Arrays that are already floating are returned untouched (no copy).
    """
    target = None
    for a in arrays:
        if a.dtype.kind == "f" and (target is None or a.dtype.itemsize > target.itemsize):
            target = a.dtype
    if target is None:
        if rule != FLOAT:
            return arrays
        target = DEFAULT_DTYPE
    return [a if a.dtype.kind == "f" else a.astype(target) for a in arrays]

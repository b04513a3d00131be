"""Argument checks shared across minigrad (private): errors name the function, the argument and the value."""

from __future__ import annotations

import math
import numbers

__all__ = ["check_int", "check_number"]


def check_int(value, name, where, minimum=None):
    """An int (not a bool), optionally >= ``minimum``; else ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{where}: {name} must be an integer, got {name}={value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {name}={value!r}")
    return int(value)


def check_number(value, name, where, minimum=None, positive=False):
    """A finite real number (not a bool), optionally >= ``minimum`` or > 0; else ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {name}={value!r}")
    if positive and value <= 0:
        raise ValueError(f"{where}: {name} must be positive, got {name}={value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {name}={value!r}")
    return float(value)

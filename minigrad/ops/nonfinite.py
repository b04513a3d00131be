"""Tests for the special floating values: isnan, isinf, isfinite (IEEE 754 NaN and ±inf).

They return boolean tensors and are not differentiable (a predicate is piecewise
constant with no useful derivative), like the comparisons. Integer and boolean
tensors hold no NaN or inf: they give all-False, all-False and all-True.
"""

from __future__ import annotations

import numpy as np

from minigrad.tensor import Tensor, as_tensor

__all__ = ["isnan", "isinf", "isfinite"]


def _predicate(name, ufunc, doc):
    def predicate(x):
        return Tensor.constant(ufunc(as_tensor(x).data))

    predicate.__name__ = predicate.__qualname__ = name
    predicate.__doc__ = doc
    return predicate


isnan = _predicate("isnan", np.isnan, "True where x is NaN (a boolean tensor; not differentiable).")
isinf = _predicate("isinf", np.isinf, "True where x is +inf or −inf (a boolean tensor; not differentiable).")
isfinite = _predicate("isfinite", np.isfinite, "True where x is neither NaN nor ±inf (a boolean tensor).")

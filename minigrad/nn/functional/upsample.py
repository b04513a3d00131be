"""``interpolate``: resize NCHW feature maps by nearest-neighbour or (bi)linear interpolation.

Both modes are linear maps applied to each axis separately: along an axis of n
input and m output samples, output i reads the input at the source coordinate

    src(i) = (i + ½)·r − ½   (r = n/m, or 1/scale_factor; ``align_corners=False``)
    src(i) = i·(n − 1)/(m − 1)                                 (``align_corners=True``)

and takes either the sample ⌊i·r⌋ ("nearest", PyTorch's legacy rule) or the two
neighbours ⌊src⌋ and ⌊src⌋ + 1 weighted 1 − λ and λ, λ = src − ⌊src⌋, with
src clamped at 0 and the right neighbour at n − 1 ("linear", "bilinear"; Gonzalez
& Woods, "Digital Image Processing", §2.4.4). Each axis's map is an (m × n) matrix
A, and the resized image is A_h · x · A_wᵀ: two matrix products, whose gradients
(A_hᵀ · g · A_w) are those of the matrix product. As in PyTorch, the output size is
``size`` or ⌊n·scale_factor⌋.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.backend.device import module_of
from minigrad.tensor import Tensor, as_tensor

__all__ = ["interpolate", "interpolation_matrix"]

_MODES = {"nearest": (1, 2), "linear": (1,), "bilinear": (2,)}


def interpolation_matrix(n, m, mode, align_corners=False, scale=None):
    """The (m, n) matrix that resamples n samples to m along one axis (float64).

    ``scale``: the source step r per output sample (default n/m; PyTorch uses
    1/scale_factor when a scale factor is given).
    """
    a = np.zeros((m, n))
    rows = np.arange(m)
    if mode == "nearest":
        r = n / m if scale is None else scale
        a[rows, np.minimum(np.floor(rows * r).astype(np.int64), n - 1)] = 1.0
        return a
    if align_corners:
        src = rows * ((n - 1) / (m - 1) if m > 1 else 0.0)
    else:
        r = n / m if scale is None else scale
        src = np.maximum((rows + 0.5) * r - 0.5, 0.0)
    left = np.minimum(np.floor(src).astype(np.int64), n - 1)
    right = np.minimum(left + 1, n - 1)
    lam = src - left
    np.add.at(a, (rows, left), 1.0 - lam)
    np.add.at(a, (rows, right), lam)
    return a


def _pairs(value, ndim, name):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim
    if len(values) != ndim:
        raise ValueError(f"interpolate: {name} must be a number or {ndim} of them for a {ndim + 2}-D input, "
                         f"got {value!r}")
    return values


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Resize ``input`` (N, C, L) or (N, C, H, W) to ``size`` or by ``scale_factor``: PyTorch's
    ``interpolate`` for ``mode`` "nearest", "linear" (3-D) and "bilinear" (4-D).

    ``align_corners`` (interpolating modes only; default False): map the corner
    samples of input and output onto each other instead of their outer edges.
    """
    x = input if isinstance(input, Tensor) else as_tensor(input)
    if mode not in _MODES:
        raise ValueError(f"interpolate: mode must be one of {', '.join(_MODES)}, got {mode!r}")
    ndim = x.ndim - 2
    if ndim not in _MODES[mode]:
        want = " or ".join(f"{d + 2}-D" for d in _MODES[mode])
        raise ValueError(f"interpolate: mode {mode!r} needs a {want} input, got shape {x.shape}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("interpolate: align_corners can only be set with mode 'linear' or 'bilinear'")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    spatial = x.shape[2:]
    if size is not None:
        out = _pairs(size, ndim, "size")
        if not all(isinstance(m, (int, np.integer)) and m >= 1 for m in out):
            raise ValueError(f"interpolate: size must be positive ints, got {size!r}")
        scales = (None,) * ndim
    else:
        factors = _pairs(scale_factor, ndim, "scale_factor")
        if not all(isinstance(f, (int, float, np.number)) and f > 0 for f in factors):
            raise ValueError(f"interpolate: scale_factor must be positive, got {scale_factor!r}")
        out = tuple(int(math.floor(n * f)) for n, f in zip(spatial, factors))
        if not all(m >= 1 for m in out):
            raise ValueError(f"interpolate: scale_factor {scale_factor!r} leaves no output for shape {x.shape}")
        scales = tuple(1.0 / f for f in factors)
    if x.dtype.kind != "f":
        x = x.float()
    xp = module_of(x.data)
    mats = [Tensor.constant(xp.asarray(interpolation_matrix(n, int(m), mode, bool(align_corners), s),
                                       dtype=x.dtype))
            for n, m, s in zip(spatial, out, scales)]
    y = x @ mats[-1].T  # the last axis: (..., W) @ (W, Wo)
    if ndim == 2:
        y = mats[0] @ y  # the rows: (Ho, H) @ (N, C, H, Wo)
    return y

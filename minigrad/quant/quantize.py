"""Uniform quantization: real numbers ↔ n-bit integers (Jacob et al. 2018).

A quantizer maps a real x to an integer q with a *scale* s > 0 and an integer
*zero point* z, and back:

    q = clamp(round(x / s) + z, qmin, qmax)          (quantize)
    x̂ = (q − z) · s                                  (dequantize)

Two ways to choose (s, z) from the range [min, max] of the data:

symmetric (the course's formula; Nagel et al. 2021, "A White Paper on Neural Network Quantization")
    signed integers qmin = −2^(n−1), qmax = 2^(n−1) − 1, α = max|x|,
    s = α / qmax, z = 0. Zero is exact and the grid is centred on it; the natural
    choice for weights, whose distribution is roughly symmetric.

affine (asymmetric; Jacob et al. 2018, "Quantization and Training of Neural
Networks for Efficient Integer-Arithmetic-Only Inference")
    *unsigned* integers qmin = 0, qmax = 2^n − 1 (PyTorch's quint8 convention for
    activations), the range widened to contain 0 (min' = min(min, 0),
    max' = max(max, 0)) so that 0 -- ReLU's output, zero padding -- is exact:

        s = (max' − min') / (qmax − qmin),   z = clamp(qmin − round(min' / s), qmin, qmax)

    Every level is used even for one-sided data such as ReLU outputs.

Rounding is round-half-to-even (``np.rint``), like NumPy and ``torch.round``:
round(2.5) = 2, round(3.5) = 4; the zero point is added after rounding, as in
PyTorch's kernels (``nearbyint(x / s) + z``). Inside [(qmin − z)s, (qmax − z)s] the
round trip errs by at most s/2.

Degenerate ranges: when every value is 0 (max' = min' = 0) the scale is 1.0 --
any positive scale represents 0 exactly, and 1.0 never divides by zero. A range so
tiny that s would underflow is floored at the smallest normal float32.

Per-channel quantization (``axis=k``) computes one (s, z) per index along axis k
(e.g. one per output neuron of a weight matrix W ∈ R^{out × in} with ``axis=0``):
a channel of small weights is no longer crushed by another channel's large ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["QTensor", "quantize", "dequantize", "qparams", "qrange", "SCHEMES", "TERNARY_BITS"]

SCHEMES = ("symmetric", "affine")
# Information content of one ternary digit: log2(3) ≈ 1.58 bits (Ma et al. 2024, BitNet b1.58).
TERNARY_BITS = math.log2(3)
# A scale never goes below the smallest normal float32: dividing by it stays finite.
_MIN_SCALE = float(np.finfo(np.float32).tiny)


# --------------------------------------------------------------------------- checks

def check_bits(bits, where="quantize", low=2, high=16):
    """``bits`` as an int in [low, high], or a ValueError naming the value."""
    if isinstance(bits, (bool, np.bool_)) or not isinstance(bits, (int, np.integer)) or not low <= bits <= high:
        raise ValueError(f"{where}: bits must be an integer from {low} to {high}, got {bits!r}")
    return int(bits)


def check_scheme(scheme, where="quantize"):
    if scheme not in SCHEMES:
        raise ValueError(f"{where}: scheme must be 'symmetric' or 'affine', got {scheme!r}")
    return scheme


def check_finite(x, where="quantize", what="the tensor"):
    """Raise a ValueError naming the first NaN or ±inf in ``x`` (and its index)."""
    bad = ~np.isfinite(x)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        value = x[index] if x.ndim else x.item()
        where_ = f" at index {index}" if x.ndim else ""
        raise ValueError(
            f"{where}: {what} contains {float(value)}{where_}; quantization needs finite values"
        )


def check_scale(scale, where="quantize"):
    """``scale`` as a float64 array of positive finite values, or a ValueError naming the bad one."""
    s = np.asarray(scale, dtype=np.float64)
    bad = ~(np.isfinite(s) & (s > 0))
    if bad.any():
        value = s[tuple(np.argwhere(bad)[0])] if s.ndim else s.item()
        raise ValueError(f"{where}: the scale must be positive and finite, got {float(value)}")
    return s


def normalize_axis(axis, ndim, where="quantize"):
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"{where}: axis {axis!r} is out of range for an array with {ndim} dimension(s)")
    return int(axis) % ndim


def channel_shape(ndim, axis, length):
    """The broadcast shape of a per-channel vector along ``axis``: (1, C, 1) for ndim 3, axis 1."""
    shape = [1] * ndim
    shape[axis] = length
    return tuple(shape)


def _data(x):
    from minigrad.tensor import Tensor

    if isinstance(x, Tensor):
        return x.numpy()
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"quantize: expected real numbers, got an array of {arr.dtype}")
    return arr


# --------------------------------------------------------------------------- ranges

def qrange(bits, scheme="symmetric"):
    """The integer range (qmin, qmax) of an n-bit quantizer.

    symmetric: signed, −2^(n−1) … 2^(n−1) − 1 (n = 8 gives −128 … 127);
    affine: unsigned, 0 … 2^n − 1 (n = 8 gives 0 … 255, PyTorch's quint8).
    """
    bits = check_bits(bits, "qrange")
    check_scheme(scheme, "qrange")
    if scheme == "symmetric":
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2 ** bits - 1


def int_dtype(qmin, qmax):
    """The smallest NumPy integer dtype holding [qmin, qmax]: unsigned when qmin ≥ 0 (uint8 for 0 … 255)."""
    candidates = (np.uint8, np.uint16, np.uint32, np.uint64) if qmin >= 0 else (np.int8, np.int16, np.int32, np.int64)
    for dt in candidates:
        info = np.iinfo(dt)
        if info.min <= qmin and qmax <= info.max:
            return np.dtype(dt)
    raise ValueError(f"no integer dtype holds [{qmin}, {qmax}]")


def qparams(min_val, max_val, bits=8, scheme="symmetric"):
    """Scale and zero point for data in [min_val, max_val] (scalars or per-channel arrays).

    symmetric: s = max(|min|, |max|) / qmax, z = 0 (as in the course's worked example);
    affine: s = (max' − min') / (qmax − qmin), z = clamp(qmin − round(min'/s), qmin, qmax)
    with min' = min(min, 0), max' = max(max, 0).

    A zero range gives s = 1.0. Returns ``(scale, zero_point)``: a float and an int
    for scalar inputs, a float64 and an int64 array for arrays.
    """
    qmin, qmax = qrange(bits, scheme)
    lo = np.asarray(min_val, dtype=np.float64)
    hi = np.asarray(max_val, dtype=np.float64)
    check_finite(lo, "qparams", "min_val")
    check_finite(hi, "qparams", "max_val")
    if (lo > hi).any():
        raise ValueError(f"qparams: min_val {lo} is greater than max_val {hi}")
    if scheme == "symmetric":
        alpha = np.maximum(np.abs(lo), np.abs(hi))
        scale = alpha / qmax
        zero = np.zeros(scale.shape, dtype=np.int64)
    else:
        lo, hi = np.minimum(lo, 0.0), np.maximum(hi, 0.0)
        scale = (hi - lo) / (qmax - qmin)
    # All-zero data: any scale works, 1.0 avoids 0/0; underflowing scales are floored.
    scale = np.where(scale == 0, 1.0, np.maximum(scale, _MIN_SCALE))
    if scheme == "affine":
        zero = np.clip(qmin - np.rint(lo / scale), qmin, qmax).astype(np.int64)
    if scale.ndim == 0:
        return float(scale), int(zero)
    return scale, zero


# --------------------------------------------------------------------------- QTensor

@dataclass(frozen=True, eq=False)
class QTensor:
    """A quantized tensor: integers ``q`` with the ``scale`` and ``zero_point`` that decode them.

    ``x̂ = (q − zero_point) · scale``. Per tensor, ``scale`` is a float and
    ``zero_point`` an int; per channel (``axis`` set) both are 1-D arrays with one
    entry per index along ``axis``. ``q`` has the smallest integer dtype that holds
    [qmin, qmax] (int8 for 8-bit symmetric, uint8 for 8-bit affine, int16 up to 16
    bits). ``bits`` may be fractional for ternary codes (log2 3 ≈ 1.58).
    ``dtype`` is the floating dtype that :meth:`dequantize` returns.
    """

    q: np.ndarray
    scale: object
    zero_point: object
    bits: float
    scheme: str = "symmetric"
    axis: int | None = None
    dtype: np.dtype = np.dtype(np.float32)

    @property
    def shape(self):
        return self.q.shape

    @property
    def qmin(self):
        return -1 if self.scheme == "ternary" else qrange(int(self.bits), self.scheme)[0]

    @property
    def qmax(self):
        return 1 if self.scheme == "ternary" else qrange(int(self.bits), self.scheme)[1]

    def _broadcast(self, v):
        if self.axis is None:
            return v
        return np.asarray(v).reshape(channel_shape(self.q.ndim, self.axis, self.q.shape[self.axis]))

    def dequantize(self):
        """The real values x̂ = (q − z) · s as an array of ``self.dtype``."""
        s = self._broadcast(np.asarray(self.scale, dtype=np.float64))
        z = self._broadcast(np.asarray(self.zero_point, dtype=np.int64))
        return ((self.q.astype(np.int64) - z) * s).astype(self.dtype)

    def int_repr(self):
        """The integer codes (as PyTorch's ``Tensor.int_repr()``)."""
        return self.q

    @property
    def nbytes(self):
        """Storage if the codes were packed at ``bits`` each, plus float32 scales and zero points."""
        n_params = np.size(self.scale)
        zp_bytes = 0 if self.scheme in ("symmetric", "ternary") else 4 * n_params
        return math.ceil(self.q.size * self.bits / 8) + 4 * n_params + zp_bytes

    def __repr__(self):
        where = "per tensor" if self.axis is None else f"per channel, axis={self.axis}"
        if self.axis is None:
            params = f"scale={self.scale:.6g}, zero_point={self.zero_point}"
        else:
            params = f"scale={np.array2string(np.asarray(self.scale), precision=4, threshold=6)}, " \
                     f"zero_point={np.array2string(np.asarray(self.zero_point), threshold=6)}"
        bits = f"{self.bits:.3g}" if self.scheme == "ternary" else f"{int(self.bits)}"
        return f"QTensor(shape={self.q.shape}, bits={bits}, {self.scheme}, {where}, {params}, dtype={self.q.dtype})"


def quantize(x, bits=8, scheme="symmetric", axis=None, scale=None, zero_point=None):
    """Quantize ``x`` (an array or Tensor) to ``bits``-bit integers; returns a :class:`QTensor`.

    ``scheme``: "symmetric" (signed codes, z = 0, the course's formula) or "affine"
    (unsigned codes 0 … 2^n − 1 with a zero point); see the module docstring.
    ``axis``: None for one (s, z) for the whole tensor, or the channel axis for one
    per index along it. ``scale`` / ``zero_point``: use these instead of computing
    them from x's range (e.g. from an observer); ``scale`` must be positive.

    The course's worked example: x = [1.23, −0.87], n = 8 → s = 1.23/127 ≈ 0.009685,
    q = round([127, −89.83]) = [127, −90].
    """
    bits = check_bits(bits)
    check_scheme(scheme)
    arr = _data(x)
    check_finite(arr)
    axis = normalize_axis(axis, arr.ndim)
    dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    arr = arr.astype(np.float64)
    qmin, qmax = qrange(bits, scheme)
    n_channels = None if axis is None else arr.shape[axis]
    if scale is None:
        if zero_point is not None:
            raise ValueError("quantize: a zero_point was given without a scale")
        reduce = None if axis is None else tuple(i for i in range(arr.ndim) if i != axis)
        if arr.size == 0:
            lo = hi = np.zeros(() if axis is None else (n_channels,))
        else:
            lo, hi = arr.min(axis=reduce), arr.max(axis=reduce)
        scale, zero_point = qparams(lo, hi, bits, scheme)
    else:
        s = check_scale(scale)
        z = np.zeros(s.shape, dtype=np.int64) if zero_point is None else np.asarray(zero_point)
        if z.dtype.kind == "f" and not (z == np.rint(z)).all():
            raise ValueError(f"quantize: the zero point must be an integer, got {zero_point}")
        z = z.astype(np.int64)
        if (z < qmin).any() or (z > qmax).any():
            raise ValueError(
                f"quantize: zero point {zero_point} is outside the {bits}-bit {scheme} range [{qmin}, {qmax}]"
            )
        expected = () if axis is None else (n_channels,)
        if axis is None and (s.ndim or z.ndim):
            raise ValueError(
                f"quantize: a per-tensor scale and zero point must be scalars (got shapes {s.shape}, {z.shape}); "
                "pass axis for per-channel ones"
            )
        if axis is not None:
            s, z = np.broadcast_to(s, expected).copy(), np.broadcast_to(z, expected).copy()
        scale, zero_point = (float(s), int(z)) if axis is None else (s, z)
    s_b = np.asarray(scale) if axis is None else np.asarray(scale).reshape(channel_shape(arr.ndim, axis, n_channels))
    z_b = np.asarray(zero_point) if axis is None else np.asarray(zero_point).reshape(s_b.shape)
    q = np.clip(np.rint(arr / s_b) + z_b, qmin, qmax).astype(int_dtype(qmin, qmax))
    return QTensor(q, scale, zero_point, bits, scheme, axis, dtype)


def dequantize(qt):
    """x̂ = (q − zero_point) · scale, the real values a :class:`QTensor` stands for (an array)."""
    if not isinstance(qt, QTensor):
        raise TypeError(f"dequantize expects a QTensor (from quantize), got {type(qt).__name__}")
    return qt.dequantize()

"""Ternary weights: BitNet b1.58, a quantization of 1.58 bits (Ma et al. 2024).

Ma et al. 2024, "The Era of 1-bit LLMs: All Large Language Models are in 1.58
Bits", keep every weight in {−1, 0, +1} -- log2(3) ≈ 1.58 bits of information --
with one scale per matrix, the *absmean* γ:

    γ = (1/nm) Σ_ij |W_ij|
    W̃ = RoundClip(W / (γ + ε), −1, 1),   RoundClip(x, a, b) = max(a, min(b, round(x)))
    W ≈ γ · W̃

A weight smaller than γ/2 in magnitude becomes 0 (the "0" that plain 1-bit
BitNet lacks and that acts as feature selection); the others become ±γ. A
matrix multiply with W̃ needs only additions and subtractions.

Training uses the straight-through estimator (Bengio et al. 2013), as the paper's
code ``w + (quant(w) − w).detach()``: ∂Ŵ/∂W = 1, γ treated as a constant.
Compared with float32 (32 bits) the weights are 32/1.58 ≈ 20× smaller.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.quant.quantize import TERNARY_BITS, QTensor, check_finite
from minigrad.tensor import Tensor

__all__ = ["ternary", "quantize_ternary", "absmean"]

EPS = 1e-5


def absmean(w):
    """γ = mean |W|, BitNet b1.58's weight scale (a float; 0.0 for an empty array)."""
    w = w.numpy() if isinstance(w, Tensor) else np.asarray(w)
    return float(np.abs(w).mean(dtype=np.float64)) if w.size else 0.0


def _codes(w, eps):
    gamma = absmean(w)
    codes = np.clip(np.rint(w / (gamma + eps)), -1, 1).astype(np.int8)
    return codes, gamma


class Ternary(Function):
    """Ŵ = γ · RoundClip(W/(γ+ε), −1, 1) with a straight-through gradient."""

    name = "ternary"

    def forward(self, w, eps):
        codes, gamma = _codes(w, eps)
        return (codes * gamma).astype(w.dtype)

    def backward(self, g):
        return (g,)


def _check(w, eps):
    if not eps > 0:
        raise ValueError(f"ternary: eps must be positive, got {eps}")
    check_finite(w.numpy() if isinstance(w, Tensor) else np.asarray(w, dtype=np.float64), "ternary", "the weights")


def ternary(w, eps=EPS):
    """BitNet b1.58 absmean ternarization: values in {−1, 0, 1}·γ with γ = mean|W|.

    A Tensor gives a Tensor whose gradient passes straight through (∂Ŵ/∂W = 1);
    an array gives an array. :func:`quantize_ternary` returns the integer codes
    and γ instead.
    """
    _check(w, eps)
    if isinstance(w, Tensor):
        if w.dtype.kind != "f":
            w = w.astype(np.float32)
        return Ternary.apply(w, eps=eps)
    arr = np.asarray(w)
    arr = arr if arr.dtype.kind == "f" else arr.astype(np.float32)
    codes, gamma = _codes(arr, eps)
    return (codes * gamma).astype(arr.dtype)


def quantize_ternary(w, eps=EPS):
    """The ternary codes W̃ ∈ {−1, 0, 1} (int8) and γ as a :class:`QTensor`.

    ``qt.q`` holds the codes, ``qt.scale`` is γ, ``qt.bits`` is log2(3) ≈ 1.58 and
    ``qt.dequantize()`` gives γ·W̃.
    """
    _check(w, eps)
    arr = w.numpy() if isinstance(w, Tensor) else np.asarray(w)
    dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    codes, gamma = _codes(arr.astype(np.float64), eps)
    return QTensor(codes, gamma, 0, TERNARY_BITS, "ternary", None, dtype)

"""Quantization as a figure: float values against their quantized grid, and the error (Jacob et al. 2018)."""

from __future__ import annotations

import math

import numpy as np

from viz._mpl import new_figure
from viz.plots._arrays import _array

__all__ = ["plot_quantization", "plot_quantization_grid"]


def _levels(qt, q):
    """The integer range [qmin, qmax] of a QTensor: its own fields when it has them, else inferred."""
    bits = int(qt.bits)
    if getattr(qt, "qmin", None) is not None and getattr(qt, "qmax", None) is not None:
        return int(qt.qmin), int(qt.qmax)
    zero_point = np.asarray(qt.zero_point)
    if q.size and q.min() < 0 or np.all(zero_point == 0):  # signed, as the symmetric scheme
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2 ** bits - 1


def plot_quantization(x, qt, bins=100, max_points=5000, title=None):
    """Float values against their quantized version, and the quantization error.

    ``qt`` is a QTensor from :func:`minigrad.quant.quantize` (only its ``q``,
    ``scale``, ``zero_point`` and ``bits`` fields are used, plus ``dequantize()``
    when present). Symmetric uniform quantization: q = clamp(round(x/s)),
    x̂ = s·q, with s = max|x|/qmax.

    Left: histogram of the float values and of the dequantized values x̂, which
    can only take the 2ⁿ grid levels (drawn as thin lines when there are at most
    64 of them). Right: the error x − x̂ against x -- a sawtooth bounded by ±s/2
    (rounding), except where x was clipped to the range. The title gives the
    mean squared error and the signal-to-quantization-noise ratio in dB.
    """
    x = _array(x).astype(np.float64)
    q = np.asarray(_array(qt.q))
    scale = np.asarray(_array(qt.scale), dtype=np.float64)
    zero_point = np.asarray(_array(qt.zero_point), dtype=np.float64)
    if hasattr(qt, "dequantize") and callable(qt.dequantize):
        deq = _array(qt.dequantize()).astype(np.float64)
    else:
        deq = (q.astype(np.float64) - zero_point) * scale
    if deq.shape != x.shape:
        raise ValueError(f"plot_quantization: x has shape {x.shape} but the QTensor holds {deq.shape}")
    error = x - deq
    flat_x, flat_err, flat_deq = x.ravel(), error.ravel(), deq.ravel()
    qmin, qmax = _levels(qt, q)
    mse = float(np.mean(error ** 2)) if error.size else math.nan
    signal = float(np.mean(x ** 2)) if x.size else math.nan
    sqnr = 10 * math.log10(signal / mse) if mse > 0 and signal > 0 else math.inf

    fig = new_figure(figsize=(11.0, 4.2))
    ax_hist, ax_err = fig.subplots(1, 2)
    lo, hi = float(min(flat_x.min(), flat_deq.min())), float(max(flat_x.max(), flat_deq.max()))
    edges = np.linspace(lo, hi if hi > lo else lo + 1, bins + 1)
    ax_hist.hist(flat_x, bins=edges, histtype="stepfilled", alpha=0.4, color="tab:blue", label="float x")
    ax_hist.hist(flat_deq, bins=edges, histtype="step", linewidth=1.4, color="tab:orange",
                 label=f"dequantized x̂ ({qt.bits:g}-bit)")
    per_tensor = scale.size == 1
    if per_tensor and qmax - qmin + 1 <= 64:
        s, zp = float(scale.ravel()[0]), float(zero_point.ravel()[0])
        for k in range(qmin, qmax + 1):
            ax_hist.axvline((k - zp) * s, color="gray", linewidth=0.4, alpha=0.5)
    ax_hist.set_xlabel("value")
    ax_hist.set_ylabel("count")
    grid = (f"{qmax - qmin + 1} levels, step s = {float(scale.ravel()[0]):.3g}" if per_tensor
            else f"{qmax - qmin + 1} levels, {scale.size} per-channel scales")
    ax_hist.set_title(f"Float vs quantized ({grid})", fontsize=10)
    ax_hist.legend(fontsize=8)

    step = max(1, math.ceil(flat_x.size / max_points))
    ax_err.scatter(flat_x[::step], flat_err[::step], s=4, alpha=0.6, color="tab:purple", label="x − x̂")
    if per_tensor:
        half = float(scale.ravel()[0]) / 2
        ax_err.axhspan(-half, half, color="tab:green", alpha=0.12, label="±s/2 (rounding bound)")
    ax_err.axhline(0, color="k", linewidth=0.5)
    ax_err.set_xlabel("float value x")
    ax_err.set_ylabel("quantization error x − x̂")
    ax_err.set_title(f"Error: MSE {mse:.3g}, SQNR {sqnr:.1f} dB", fontsize=10)
    ax_err.legend(fontsize=8)
    fig.suptitle(title or f"{qt.bits:g}-bit quantization of {x.size} values (integers {qmin} … {qmax})")
    return fig


def plot_quantization_grid(x, qt, neighbours=3, title=None):
    """The values ``x`` on the number line with the quantization grid, and where each one rounds to.

    ``qt`` is the QTensor of ``x`` (its ``scale``, ``zero_point`` and ``bits``; a
    single scale). Top: the whole range, every level s·(q − z) a tick, the values
    and their dequantized x̂ on it. Below: one zoomed panel per value (up to 4)
    with ``neighbours`` levels on each side labelled with their integer code, the
    value x, the level x̂ = s·(q − z) it rounds to, and the error x − x̂, at most s/2
    in magnitude (Jacob et al. 2018, §2.1; the course's Exercise 1).
    """
    values = _array(x).astype(np.float64).ravel()
    scale = float(np.asarray(_array(qt.scale), dtype=np.float64).ravel()[0])
    zero_point = float(np.asarray(_array(qt.zero_point), dtype=np.float64).ravel()[0])
    if np.asarray(_array(qt.scale)).size != 1:
        raise ValueError("plot_quantization_grid: needs one scale for the whole tensor (per tensor, not per channel)")
    q = np.asarray(_array(qt.q)).ravel().astype(np.int64)
    if q.size != values.size:
        raise ValueError(f"plot_quantization_grid: x has {values.size} values but the QTensor holds {q.size}")
    qmin, qmax = _levels(qt, q)
    x_hat = (q - zero_point) * scale
    shown = min(len(values), 4)

    fig = new_figure(figsize=(3.4 * max(shown, 2), 4.6))
    grid = fig.add_gridspec(2, max(shown, 1), height_ratios=[1, 1.4])
    top = fig.add_subplot(grid[0, :])
    levels = (np.arange(qmin, qmax + 1) - zero_point) * scale
    top.vlines(levels, -0.3, 0.3, color="0.6", linewidth=0.4)
    top.axhline(0, color="k", linewidth=0.8)
    top.plot(values, np.zeros_like(values), "v", color="tab:red", markersize=9, label="x")
    top.plot(x_hat, np.zeros_like(x_hat), "|", color="tab:blue", markersize=22, markeredgewidth=2, label="x̂ = s·q")
    top.set_yticks([])
    top.set_xlabel("real value")
    top.set_title(f"{len(levels)} levels of {qt.bits}-bit codes {qmin} … {qmax}, one step s = {scale:.6g}",
                  fontsize=10)
    top.legend(fontsize=8, loc="upper left")
    for k in range(shown):
        ax = fig.add_subplot(grid[1, k])
        codes = np.arange(max(q[k] - neighbours, qmin), min(q[k] + neighbours, qmax) + 1)
        near = (codes - zero_point) * scale
        ax.vlines(near, -1, 1, color="0.5", linewidth=1)
        for c, level in zip(codes, near):
            ax.text(level, 1.08, str(int(c)), ha="center", fontsize=8, color="tab:blue" if c == q[k] else "0.3")
        ax.axhline(0, color="k", linewidth=0.8)
        ax.plot(values[k], 0, "v", color="tab:red", markersize=10)
        ax.plot(x_hat[k], 0, "o", color="tab:blue", markersize=7, fillstyle="none", markeredgewidth=2)
        ax.annotate("", xy=(x_hat[k], -0.35), xytext=(values[k], -0.35),
                    arrowprops=dict(arrowstyle="->", color="tab:red"))
        ax.set_ylim(-1.2, 1.4)
        ax.set_yticks([])
        ax.set_xlim(near[0] - scale / 2, near[-1] + scale / 2)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(f"x = {values[k]:.6g} → q = {q[k]}, x̂ = {x_hat[k]:.5f}\nerror {values[k] - x_hat[k]:+.5f}"
                     f" (|e| ≤ s/2 = {scale / 2:.5f})", fontsize=8)
    fig.suptitle(title or "Quantization: each value rounds to the nearest level of the grid")
    return fig

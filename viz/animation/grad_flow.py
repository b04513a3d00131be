"""Gradient flow over training, as a film: each layer's gradient norm, step after step.

The still picture (:func:`viz.plot_grad_flow`) summarizes a run; the animation
shows how it unfolds: a bar per layer (input on the left) of ‖g‖ at the current
recorded step, on a log scale fixed for the whole run, over a faint band of the
range each layer took over the run. A vanishing gradient shows as the left bars
decades below the right ones; an exploding one as bars that climb frame after
frame (Bengio, Simard & Frasconi 1994; Pascanu et al. 2013).
"""

from __future__ import annotations

import numpy as np

from viz.animation._style import LEGEND, TICK, Animation, animation_figure, style_axes
from viz.flow import _layer_types, _matrix, _tick_labels

__all__ = ["animate_grad_flow"]

_SYMBOLS = {"norm": "‖g‖", "mean_abs": "mean |g|", "max_abs": "max |g|", "grad_to_data": "‖g‖/‖w‖",
            "update_to_data": "‖Δw‖/‖w‖"}


def animate_grad_flow(recorder, statistic="norm", max_frames=120, interval=150, figsize=None):
    """Animate per-layer gradient statistics over the recorded steps of a run.

    ``recorder`` is a :class:`viz.GradientFlow` (``.record()`` after each backward)
    or a :class:`minigrad.train.GradientRecorder` (a ``fit`` callback). One frame per
    record, evenly thinned to at most ``max_frames``. Top: one bar per layer of
    ``statistic`` (‖g‖ by default) at that step, log scale, with the run's range per
    layer shaded; bottom: the norm of every layer over the steps with a cursor at the
    current one. Layers without a gradient at a step have no bar. The animation
    carries ``steps`` (the recorded step of each frame) and ``layers``.
    """
    names, steps, matrix = _matrix(recorder, statistic)
    if not steps:
        raise ValueError("animate_grad_flow: nothing recorded yet -- call flow.record() after loss.backward(), "
                         "or pass the GradientRecorder that fit(..., callbacks=[recorder]) filled")
    if not (isinstance(max_frames, (int, np.integer)) and max_frames >= 1):
        raise ValueError(f"animate_grad_flow: max_frames must be a positive integer, got {max_frames!r}")
    frames = np.unique(np.linspace(0, len(steps) - 1, min(len(steps), max_frames)).round().astype(int))
    positive = np.where(matrix > 0, matrix, np.nan)
    have = np.isfinite(positive)
    lo_all = np.nanmin(positive) if have.any() else 1e-8
    hi_all = np.nanmax(positive) if have.any() else 1.0
    with np.errstate(all="ignore"):
        low = np.where(have.any(axis=1), np.nanmin(np.where(have, positive, np.inf), axis=1), np.nan)
        high = np.where(have.any(axis=1), np.nanmax(np.where(have, positive, -np.inf), axis=1), np.nan)
    symbol = _SYMBOLS.get(statistic, statistic)
    x = np.arange(len(names))

    fig = animation_figure(figsize or (max(8.0, 0.7 * len(names) + 3), 8.0))
    top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    top.bar(x, np.nan_to_num(high - low), bottom=np.nan_to_num(low, nan=lo_all), width=0.8, color="0.85",
            label="range over the run")
    bars = top.bar(x, np.zeros(len(names)), bottom=lo_all / 10, width=0.55, color="tab:blue",
                   label=f"{symbol} at this step")
    top.set_yscale("log")
    top.set_ylim(lo_all / 10, hi_all * 10)
    top.set_xlim(-0.6, len(names) - 0.4)
    top.set_xticks(x, _tick_labels(names, _layer_types(recorder)), rotation=90 if len(names) > 8 else 0)
    style_axes(top, title="", ylabel=f"{symbol} (log)")
    top.tick_params(axis="x", labelsize=TICK - 1)
    top.legend(fontsize=LEGEND, loc="upper left")

    for i, name in enumerate(names):
        bottom.plot(steps, positive[i], linewidth=1.5, label=name)
    bottom.set_yscale("log")
    cursor = bottom.axvline(steps[0], color="k", linewidth=2)
    style_axes(bottom, xlabel="recorded step", ylabel=f"{symbol} (log)")
    if len(names) <= 8:
        # Beside the plot, titled: the lines fill the whole box, and "0", "2" alone say nothing.
        bottom.legend(fontsize=LEGEND - 2, title="layer", title_fontsize=LEGEND - 2, loc="upper left",
                      bbox_to_anchor=(1.01, 1.0))

    def draw(k):
        j = frames[k]
        base = lo_all / 10
        for bar, value in zip(bars, positive[:, j]):
            bar.set_y(base)
            bar.set_height(value - base if np.isfinite(value) else 0.0)
        cursor.set_xdata([steps[j], steps[j]])
        top.set_title(f"Gradient flow: step {steps[j]} ({k + 1}/{len(frames)})", fontsize=16)
        return ()

    anim = Animation(fig, draw, len(frames), interval)
    anim.steps = [steps[j] for j in frames]
    anim.layers = names
    return anim

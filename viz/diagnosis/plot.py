"""Drawing a :class:`~viz.diagnosis.Diagnosis`: gradient norms, activation std, dead and saturated units."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter

from viz._mpl import new_figure
from viz.diagnosis.diagnosis import Diagnosis

__all__ = ["plot_diagnosis"]


def plot_diagnosis(diagnosis, figsize=None):
    """Three panels over the layers (input → output) of a :class:`Diagnosis`, problems in red.

    1. gradient norm ‖g‖ per parametrized layer on a log scale, one series per
       layer type (Linear and BatchNorm gradients differ by decades by nature:
       joined in one line they would draw a meaningless sawtooth), with the
       vanishing line (vanish_ratio × the last layer's ‖g‖) and the exploding
       line (max_grad_norm): points below/above them are the problem
       (vanishing and exploding gradients);
    2. activation std per layer (log scale), one series per layer type (the
       outputs of Linear, BatchNorm, each activation...): each
       should stay roughly constant with depth (Glorot & Bengio
       2010); collapsing towards 0 or growing by decades is the
       forward-pass side of the same story;
    3. dead-unit % and saturation % per layer, with the threshold lines.

    Flagged layers have red tick labels (and a red ring in panel 1); the title
    sums up the findings.
    """
    if not isinstance(diagnosis, Diagnosis):
        raise TypeError(f"plot_diagnosis needs a Diagnosis (from viz.diagnose), got {type(diagnosis).__name__}")
    rows, t = diagnosis.rows, diagnosis.thresholds
    n = len(rows)
    x = np.arange(n)
    flagged = diagnosis.flagged_layers()
    fig = new_figure(figsize=figsize or (max(7.0, 0.45 * n + 3), 9.0))
    axes = fig.subplots(3, 1, sharex=True)

    def values(key):
        return np.array([np.nan if r.get(key) is None else r[key] for r in rows], dtype=float)

    types = list(dict.fromkeys(r["type"] for r in rows))
    markers = dict(zip(types, "osD^v<>ph*" * 3))

    ax = axes[0]
    grad = values("grad_norm")
    have = [i for i in range(n) if np.isfinite(grad[i]) and grad[i] > 0]  # connect only real points
    for kind in types:  # one line per layer type: never join a Linear's ‖g‖ to a BatchNorm's
        idx = [i for i in have if rows[i]["type"] == kind]
        if idx:
            ax.plot(idx, grad[idx], marker=markers[kind], linestyle="-", label=f"‖grad‖ of {kind} layers")
    ring = [i for i in have if rows[i]["layer"] in flagged]
    if ring:
        ax.plot(ring, grad[ring], "o", color="tab:red", markersize=11, fillstyle="none", markeredgewidth=2,
                label="flagged layer")
    zero = [i for i in range(n) if grad[i] == 0]
    _mark_zeros(ax, zero, "‖grad‖ = 0")
    if have:
        last = grad[have[-1]]
        if t.get("vanish_ratio"):
            ax.axhline(last * t["vanish_ratio"], color="tab:blue", linestyle="--", linewidth=1,
                       label=f"vanishing below {t['vanish_ratio']:g} × last layer")
        if t.get("max_grad_norm") and grad[have].max() > t["max_grad_norm"] / 100:  # only when near
            ax.axhline(t["max_grad_norm"], color="tab:red", linestyle="--", linewidth=1,
                       label=f"exploding above {t['max_grad_norm']:g}")
    else:
        ax.set_ylim(1e-8, 1.0)
    _finish_log_panel(ax, "‖grad‖ (log)", "Gradient norm per layer")

    ax = axes[1]
    std = values("act_std")
    for kind in types:
        idx = [i for i in range(n) if rows[i]["type"] == kind and np.isfinite(std[i]) and std[i] > 0]
        if idx:
            ax.plot(idx, std[idx], marker=markers[kind], linestyle="-", label=f"outputs of {kind}")
    zero = [i for i in range(n) if std[i] == 0]
    _mark_zeros(ax, zero, "std = 0 (all outputs equal)")
    if not (np.isfinite(std) & (std > 0)).any():
        ax.set_ylim(1e-8, 1.0)
    _finish_log_panel(ax, "std (log)", "Activation std per layer")

    ax = axes[2]
    width = 0.4
    ax.bar(x - width / 2, np.nan_to_num(values("dead_pct")), width, color="tab:gray", label="dead units %")
    ax.bar(x + width / 2, np.nan_to_num(values("saturation_pct")), width, color="tab:orange", label="saturated %")
    if "dead_fraction" in t:
        ax.axhline(100 * t["dead_fraction"], color="tab:gray", linestyle="--", linewidth=1,
                   label=f"dead threshold {100 * t['dead_fraction']:.0f}%")
    if "saturation_fraction" in t:
        ax.axhline(100 * t["saturation_fraction"], color="tab:orange", linestyle=":", linewidth=1,
                   label=f"saturation threshold {100 * t['saturation_fraction']:.0f}%")
    ax.set_ylim(0, 105)
    ax.set_ylabel("% of units / outputs")
    ax.set_title("Dead and saturated units")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_xticks(x, [f"{r['layer']}\n{r['type']}" for r in rows], rotation=90 if n > 10 else 0, fontsize=7)
    ax.set_xlabel("layer (input → output)")
    for tick, row in zip(ax.get_xticklabels(), rows):
        if row["layer"] in flagged:
            tick.set_color("tab:red")

    summary = ("; ".join(f"{f.kind} at layer {f.layer}" for f in diagnosis.findings) if diagnosis.findings
               else "no problems found")
    chance = (f", chance level {diagnosis.chance_label} = {diagnosis.chance_loss:.3g}"
              if getattr(diagnosis, "chance_loss", None) is not None else "")
    fig.suptitle(f"Diagnosis (loss {diagnosis.loss:.3g}{chance}): {summary}", fontsize=10,
                 color="tab:red" if diagnosis.findings else "tab:green")
    return fig


def _mark_zeros(ax, zero, label):
    """Put the panel on a log scale; the layers at exactly 0 (which cannot sit on a log
    axis) are red crosses at the bottom.
    """
    if zero:
        ax.plot(zero, [0.03] * len(zero), "x", color="tab:red", markersize=9, markeredgewidth=2,
                transform=ax.get_xaxis_transform(), label=label)
    ax.set_yscale("log")


def _finish_log_panel(ax, ylabel, title):
    _plain_log_ticks(ax)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7, loc="best")


def _plain_log_ticks(ax):
    """Plain tick labels (``1.4``, ``2``) on a log axis that spans less than a decade.

    There matplotlib labels the minor ticks ``1.4×10⁰``, ``2×10⁰`` ...: unreadable
    from the back of a room, and a ×10⁰ says nothing.
    """
    low, high = ax.get_ylim()  # after autoscaling to everything drawn, threshold lines included
    if 0 < low and high < 10 * low:
        plain = FuncFormatter(lambda y, _: f"{y:.2g}")
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(plain)

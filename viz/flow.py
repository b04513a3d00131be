"""Gradient flow: how much gradient reaches each layer, step after step.

Backpropagation multiplies the gradient by one Jacobian per layer on its way to
the input. When those factors are mostly below 1 the gradient *vanishes* -- the
first layers barely learn; when they are above 1 it *explodes* -- updates
overshoot and training diverges (Bengio, Simard & Frasconi 1994; Pascanu et al. 2013).
Watching the per-layer gradient size during training shows which is happening::

    flow = viz.GradientFlow(model)
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        opt.zero_grad(); loss.backward()
        flow.record()                       # after backward, before or after the step
        opt.step()
    viz.plot_grad_flow(flow)               # |g| per layer, log scale, spread over steps
    viz.plot_grad_heatmap(flow)            # layers × steps of log10 ‖g‖

Both plots also accept the :class:`minigrad.train.GradientRecorder` callback that
``fit`` feeds. Compared with the PyTorch forum's ``plot_grad_flow`` snippet, the
scale is logarithmic (gradients span many decades), the y-limits follow the data,
parameters without a gradient are marked instead of crashing the plot, and the
spread over recorded steps is drawn, not just the last step.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.train.gradient_stats import gradient_statistics
from viz._mpl import new_figure

__all__ = ["GradientFlow", "layer_statistics", "plot_grad_flow", "plot_grad_heatmap"]

#: Statistics a layer row carries (see :func:`layer_statistics`).
LAYER_STATS = ("mean_abs", "max_abs", "norm", "data_norm", "grad_to_data", "update_to_data")


def _split(name):
    """``"layers.2.weight"`` → ``("layers.2", "weight")``; a parameter of the root module → ``("", name)``."""
    module, _, param = name.rpartition(".")
    return module, param


def display_name(path):
    """How a module path is shown: the root module (path ``""``) is ``"(model)"``."""
    return path if path else "(model)"


def layer_statistics(param_rows, module_types=None):
    """Group per-parameter rows of :func:`~minigrad.train.gradient_statistics` by owning module.

    A "layer" is the module that owns the parameters (``0.weight`` and ``0.bias``
    form layer ``"0"``), in the order the rows come (definition order for
    ``model.named_parameters()``). For each layer:

    * ``norm`` = √Σ‖g_p‖², ``data_norm`` = √Σ‖w_p‖² over its parameters p, and
      ``grad_to_data`` = norm / data_norm;
    * ``mean_abs`` = mean |g| over all its gradient entries, ``max_abs`` = max |g|;
    * ``update_to_data`` = ‖Δw‖ / ‖w‖ when every parameter row has it;
    * ``has_grad`` -- False when none of its parameters has a gradient (the
      statistics are then None); ``params`` -- the per-parameter rows.

    ``module_types`` optionally maps module paths to type names (``"Linear"``).
    """
    groups = {}
    for row in param_rows:
        groups.setdefault(_split(row["name"])[0], []).append(row)
    layers = []
    for path, rows in groups.items():
        with_grad = [r for r in rows if r["has_grad"]]
        data_norm = math.sqrt(sum(r["data_norm"] ** 2 for r in rows))
        layer = {
            "layer": display_name(path),
            "path": path,
            "type": (module_types or {}).get(path),
            "has_grad": bool(with_grad),
            "data_norm": data_norm,
            "params": rows,
        }
        if with_grad:
            sizes = [int(np.prod(r["shape"])) for r in with_grad]
            norm = math.sqrt(sum(r["norm"] ** 2 for r in with_grad))
            layer.update(
                mean_abs=sum(r["mean_abs"] * s for r, s in zip(with_grad, sizes)) / max(sum(sizes), 1),
                max_abs=max(r["max_abs"] for r in with_grad),
                norm=norm,
                grad_to_data=norm / data_norm if data_norm > 0 else (math.inf if norm > 0 else 0.0),
            )
        else:
            layer.update(mean_abs=None, max_abs=None, norm=None, grad_to_data=None)
        layer["update_to_data"] = _update_ratio(rows, data_norm)
        layers.append(layer)
    return layers


def _update_ratio(rows, data_norm):
    """‖Δw‖/‖w‖ of a whole layer from its parameters' ratios (None unless all have one)."""
    if not rows or any(r.get("update_to_data") is None for r in rows):
        return None
    deltas = []
    for r in rows:
        ratio, norm = r["update_to_data"], r["data_norm"]
        if norm == 0:  # the ratio lost ‖Δw‖: only "zero" or "infinite" survive
            if ratio != 0:
                return math.inf
            deltas.append(0.0)
        else:
            deltas.append(ratio * norm)
    delta = math.sqrt(sum(d * d for d in deltas))
    return delta / data_norm if data_norm > 0 else (math.inf if delta > 0 else 0.0)


def _module_types(model):
    return {path: type(m).__name__ for path, m in model.named_modules()}


class GradientFlow:
    """Per-layer gradient statistics of ``model``, one record per :meth:`record` call.

    Call :meth:`record` after each ``loss.backward()``. A record holds, for every
    layer (the module owning the parameters, in definition order), the mean and
    max |g|, ‖g‖, ‖w‖, the grad:data ratio ‖g‖/‖w‖ and -- from the second record
    on -- the update:data ratio ‖Δw‖/‖w‖ of the change since the previous record
    (one optimizer step when you record every step; ~1e-3 is the classic healthy
    value). Per-parameter rows are kept under ``"params"``.

    ``track_updates=False`` skips the copy of the parameters that the update
    ratio needs (for big models).
    """

    def __init__(self, model, track_updates=True):
        if not hasattr(model, "named_parameters"):
            raise TypeError(f"GradientFlow needs an nn.Module, got {type(model).__name__}")
        self.model = model
        self.track_updates = bool(track_updates)
        self.records = []
        self._previous = None

    def record(self, step=None):
        """Store the current gradients' statistics (after backward); returns the new record.

        ``step`` labels the record (defaults to its index). A parameter whose
        ``.grad`` is None is recorded with ``has_grad=False``, never an error.
        """
        named = list(self.model.named_parameters())
        params = gradient_statistics(named, previous=self._previous)
        record = {
            "step": len(self.records) if step is None else step,
            "layers": layer_statistics(params, _module_types(self.model)),
            "params": params,
        }
        self.records.append(record)
        if self.track_updates:
            self._previous = {name: p.numpy().copy() for name, p in named}
        return record

    def clear(self):
        """Forget every record (and the parameter copy of the update ratio)."""
        self.records.clear()
        self._previous = None

    @property
    def layer_names(self):
        return _layer_names(_layer_records(self))

    def series(self, statistic="norm"):
        """``{layer: [value per record]}`` of one statistic (None where a layer had no gradient)."""
        names, _, matrix = _matrix(self, statistic)
        return {name: [None if np.isnan(v) else float(v) for v in row] for name, row in zip(names, matrix)}

    def matrix(self, statistic="norm"):
        """``(layer names, steps, array of shape (layers, records))``, NaN where there is no value."""
        return _matrix(self, statistic)

    def __len__(self):
        return len(self.records)

    def __repr__(self):
        return f"GradientFlow({type(self.model).__name__}, {len(self.records)} records)"


# ---------------------------------------------------------------------------- sources

def _layer_records(source):
    """``[(step, [layer rows])]`` from a GradientFlow, a GradientRecorder or a list of their records."""
    if isinstance(source, GradientFlow):
        return [(r["step"], r["layers"]) for r in source.records]
    records = getattr(source, "records", source)
    if not isinstance(records, (list, tuple)):
        raise TypeError(
            "expected a viz.GradientFlow, a minigrad.train.GradientRecorder or a list of their records, "
            f"got {type(source).__name__}"
        )
    model = getattr(source, "model", None)
    types = _module_types(model) if model is not None and hasattr(model, "named_modules") else None
    out = []
    for i, record in enumerate(records):
        if "layers" in record:  # a GradientFlow record
            out.append((record.get("step", i), record["layers"]))
        elif "stats" in record:  # a GradientRecorder record: per-parameter rows
            out.append((record.get("step", i), layer_statistics(record["stats"], types)))
        else:
            raise ValueError(f"record {i} has neither 'layers' nor 'stats': {sorted(record)}")
    return out


def _layer_names(records):
    names = {}
    for _, layers in records:
        for layer in layers:
            names.setdefault(layer["layer"], layer.get("type"))
    return list(names)


def _matrix(source, statistic):
    if statistic not in LAYER_STATS:
        raise ValueError(f"unknown statistic {statistic!r}; choose one of {', '.join(LAYER_STATS)}")
    records = _layer_records(source)
    names = _layer_names(records)
    index = {name: i for i, name in enumerate(names)}
    matrix = np.full((len(names), len(records)), np.nan)
    for j, (_, layers) in enumerate(records):
        for layer in layers:
            value = layer.get(statistic)
            if value is not None:
                matrix[index[layer["layer"]], j] = value
    return names, [step for step, _ in records], matrix


def _layer_types(source):
    types = {}
    for _, layers in _layer_records(source):
        for layer in layers:
            if layer.get("type"):
                types.setdefault(layer["layer"], layer["type"])
    return types


def _tick_labels(names, types):
    return [f"{name}\n{types[name]}" if types.get(name) else name for name in names]


# ---------------------------------------------------------------------------- plots

def plot_grad_flow(source, statistics=("mean_abs", "max_abs"), percentiles=(10, 90), title=None, figsize=None):
    """Mean and max |gradient| per layer on a log scale, with their spread over the recorded steps.

    ``source`` is a :class:`GradientFlow`, a :class:`minigrad.train.GradientRecorder`
    or a list of records. For each statistic the line is the median over the
    recorded steps and the band spans the given percentiles (10–90 % by default),
    so one noisy step does not hide the trend. Layers run left (input) to right
    (output): a curve that drops by decades towards the left is a vanishing
    gradient, one that climbs is exploding (Pascanu et al.
    2013). Layers that never got a gradient are marked "×" at the bottom
    (red: ``.grad`` was None -- unused or frozen; orange: exactly zero -- e.g.
    dead ReLUs upstream) and named in a note. The y-limits follow the data.
    """
    records = _layer_records(source)
    if not records:
        raise ValueError("plot_grad_flow: nothing recorded yet -- call flow.record() after loss.backward()")
    labels = {"mean_abs": "mean |g|", "max_abs": "max |g|", "norm": "‖g‖", "grad_to_data": "‖g‖/‖w‖",
              "update_to_data": "‖Δw‖/‖w‖", "data_norm": "‖w‖"}
    names = _layer_names(records)
    x = np.arange(len(names))
    fig = new_figure(figsize=figsize or (max(6.4, 0.55 * len(names) + 2), 4.8))
    ax = fig.add_subplot()
    lo_q, hi_q = percentiles
    any_positive = False
    for statistic, marker in zip(statistics, "o^sDv"):
        _, _, matrix = _matrix(source, statistic)
        positive = np.where(matrix > 0, matrix, np.nan)  # log scale: zeros are marked separately
        rows = [row[~np.isnan(row)] for row in positive]
        median = np.array([np.median(r) if r.size else np.nan for r in rows])
        lo = np.array([np.percentile(r, lo_q) if r.size else np.nan for r in rows])
        hi = np.array([np.percentile(r, hi_q) if r.size else np.nan for r in rows])
        any_positive |= bool(np.isfinite(median).any())
        (line,) = ax.plot(x, median, marker=marker, label=f"{labels.get(statistic, statistic)} (median)")
        if len(records) > 1:
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0,
                            label=f"{lo_q}–{hi_q} percentile over {len(records)} steps")

    ax.set_yscale("log")
    if not any_positive:  # nothing to scale to: give the log axis a sane range
        ax.set_ylim(1e-8, 1.0)
    _mark_missing(ax, source, names)
    types = _layer_types(source)
    ax.set_xticks(x, _tick_labels(names, types), rotation=90 if len(names) > 8 else 0, fontsize=8)
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_xlabel("layer (input → output)")
    ax.set_ylabel("|gradient| (log scale)")
    ax.set_title(title or f"Gradient flow over {len(records)} recorded step{'s' if len(records) != 1 else ''}")
    ax.grid(True, which="major", axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig


def _mark_missing(ax, source, names):
    """"×" at the bottom of the axis for layers whose gradient was always None or always zero."""
    _, _, norms = _matrix(source, "norm")
    never = [i for i, row in enumerate(norms) if np.isnan(row).all()]
    zero = [i for i, row in enumerate(norms) if i not in never and np.nan_to_num(row, nan=0.0).max() == 0]
    # x in data coordinates, y in axes coordinates: the marks stay at the bottom whatever the log range.
    transform = ax.get_xaxis_transform()
    notes = []
    if never:
        ax.plot(never, [0.03] * len(never), "x", color="tab:red", markersize=10, markeredgewidth=2,
                transform=transform, label="no gradient (.grad is None)", clip_on=False)
        notes.append("no gradient: " + ", ".join(names[i] for i in never))
    if zero:
        ax.plot(zero, [0.03] * len(zero), "x", color="tab:orange", markersize=10, markeredgewidth=2,
                transform=transform, label="gradient exactly 0", clip_on=False)
        notes.append("zero gradient: " + ", ".join(names[i] for i in zero))
    if notes:
        ax.text(0.01, 0.08, "\n".join(notes), transform=ax.transAxes, fontsize=8, color="tab:red",
                va="bottom", ha="left")


def plot_grad_heatmap(source, statistic="norm", cmap="viridis", title=None, figsize=None):
    """Layers × recorded steps heatmap of log10 of a gradient statistic (‖g‖ by default).

    TensorBoard-style overview of a whole run: a row per layer (input at the
    top), a column per record. Vanishing gradients show as rows that are
    decades darker than the output layers; an exploding run as a bright band
    that spreads with time. Grey cells have no value (no gradient, or exactly 0).
    The image data is the (layers, steps) array of log10 values.
    """
    names, steps, matrix = _matrix(source, statistic)
    if not steps:
        raise ValueError("plot_grad_heatmap: nothing recorded yet -- call flow.record() after loss.backward()")
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(matrix)
    logs = np.ma.masked_invalid(logs)  # None, 0 (→ -inf) and inf become grey cells
    fig = new_figure(figsize=figsize or (max(6.4, min(14.0, 0.08 * len(steps) + 5)), max(3.0, 0.35 * len(names) + 1.5)))
    ax = fig.add_subplot()
    colormap = _colormap(cmap).with_extremes(bad="lightgrey")
    image = ax.imshow(logs, aspect="auto", interpolation="nearest", cmap=colormap)
    types = _layer_types(source)
    ax.set_yticks(np.arange(len(names)), [f"{n} ({types[n]})" if types.get(n) else n for n in names], fontsize=8)
    ticks = np.unique(np.linspace(0, len(steps) - 1, min(len(steps), 8)).round().astype(int))
    ax.set_xticks(ticks, [str(steps[t]) for t in ticks])
    ax.set_xlabel("recorded step")
    ax.set_ylabel("layer (input at the top)")
    symbol = {"norm": "‖g‖", "mean_abs": "mean |g|", "max_abs": "max |g|"}.get(statistic, statistic)
    ax.set_title(title or f"log10 {symbol} per layer and step")
    fig.colorbar(image, ax=ax, label=f"log10 {symbol}")
    return fig


def _colormap(name):
    import matplotlib

    return matplotlib.colormaps[name] if isinstance(name, str) else name

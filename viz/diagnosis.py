"""``diagnose``: one forward and backward pass, read like a doctor reads a blood test.

``viz.diagnose(model, x, y, loss_fn)`` runs the model once on a batch with a
forward hook on every layer, backpropagates the loss, and tabulates per layer:

* the activations' mean and std (do signals keep their scale through depth? Glorot &
  Bengio 2010: keep the mean at zero and the variance the same across layers);
* the share of saturated outputs (|tanh| > 0.99, sigmoid outside [0.01, 0.99],
  ...), where the derivative is ≈ 0 (saturating activations;
  Glorot & Bengio 2010);
* the share of dead units (ReLU units that output 0 for every sample: "dying
  ReLUs"; Maas et al. 2013);
* the gradient norm ‖g‖, the grad:data ratio ‖g‖/‖w‖ and, given ``lr``, the
  update:data ratio lr·‖g‖/‖w‖ of one plain SGD step (≈1e-3 is healthy).

From those numbers it writes :class:`Finding` s -- ``vanishing``, ``exploding``,
``dead_relu``, ``saturation``, ``nan`` -- each naming the layer, the evidence and
what to try (vanishing and exploding gradients: Bengio, Simard & Frasconi 1994,
Pascanu et al. 2013; initialization: Glorot & Bengio 2010, He et al. 2015; batch
normalization: Ioffe & Szegedy 2015).

The thresholds are parameters of :func:`diagnose`; their defaults:

=====================  ======  ==========================================================
``vanish_ratio``       1e-3    vanishing if ‖g‖ of the first layer < 1e-3 × the last's
``min_grad_to_data``   1e-5    ... or if some layer's ‖g‖/‖w‖ < 1e-5 (steps cannot move it)
``explode_ratio``      1e3     exploding if ‖g‖ of the first layer > 1e3 × the last's
``max_grad_norm``      1e3     ... or if some layer's ‖g‖ > 1e3
``dead_fraction``      0.5     dead_relu if more than 50 % of a ReLU layer's units are dead
``saturation_fraction`` 0.5    saturation if more than 50 % of a layer's outputs saturate
=====================  ======  ==========================================================

The model is left as it was: parameters, gradients, buffers (BatchNorm running
statistics), train/eval modes and the random generator are restored.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.rng import generator
from minigrad.tensor import Tensor
from minigrad.train.gradient_stats import gradient_statistics
from viz._mpl import new_figure
from viz.flow import display_name, layer_statistics

__all__ = ["Finding", "Diagnosis", "diagnose", "plot_diagnosis", "KINDS"]

KINDS = ("vanishing", "exploding", "dead_relu", "saturation", "nan")

# Where a layer's output saturates: the derivative there is (nearly) zero.
# Each entry: (predicate on the output array and the module, words for the report).
_SATURATION = {
    nn.Tanh: (lambda a, m: np.abs(a) > 0.99, "|a| > 0.99"),
    nn.Sigmoid: (lambda a, m: (a < 0.01) | (a > 0.99), "a outside [0.01, 0.99]"),
    nn.Softsign: (lambda a, m: np.abs(a) > 0.99, "|a| > 0.99"),
    nn.HardTanh: (lambda a, m: (a <= m.min_val) | (a >= m.max_val), "a at min_val or max_val"),
    nn.HardSigmoid: (lambda a, m: (a <= 0) | (a >= 1), "a at 0 or 1"),
    nn.ReLU6: (lambda a, m: a >= 6, "a at 6"),
}
# ReLU-like layers: a unit whose output is 0 for every input passes no gradient back.
_DEAD = (nn.ReLU, nn.ReLU6)
_SATURATING_NAMES = ("Sigmoid", "Tanh", "HardSigmoid", "HardTanh", "Softsign")

_SEED_VANISH = 'Bengio, Simard & Frasconi 1994; Pascanu et al. 2013'
_SEED_INIT = 'Xavier/Glorot for tanh/sigmoid, He for ReLU (Glorot & Bengio 2010; He et al. 2015)'
_SEED_BN = 'Ioffe & Szegedy 2015'
_SEED_CLIP = 'clipping by norm, Pascanu et al. 2013'
_SEED_DYING = 'the dying ReLUs problem; leaky ReLUs never die, Maas et al. 2013'
_SEED_SATURATING = 'saturating activations; Glorot & Bengio 2010'


@dataclass
class Finding:
    """One problem :func:`diagnose` found.

    ``kind`` is one of ``vanishing``, ``exploding``, ``dead_relu``, ``saturation``,
    ``nan``; ``layer`` the layer's name (``"input"``/``"loss"`` for those);
    ``message`` plain-language advice; ``evidence`` the numbers behind it.
    """

    kind: str
    layer: str
    message: str
    evidence: str = ""

    def __str__(self):
        text = f"[{self.kind}] layer {self.layer}: {self.message}"
        return text + (f"\n    evidence: {self.evidence}" if self.evidence else "")


@dataclass
class Diagnosis:
    """What :func:`diagnose` measured: ``rows`` (one dict per layer call) and ``findings``.

    Row keys: ``layer``, ``type``, ``shape`` (output), ``act_mean``, ``act_std``,
    ``saturation_pct`` and ``dead_pct`` (None where the layer type cannot saturate /
    die), ``grad_norm``, ``grad_to_data``, ``update_to_data`` (None for layers
    without parameters; the last also without ``lr``), ``nonfinite`` (the output
    holds NaN/Inf), ``data_norm`` (‖w‖). ``str(diagnosis)`` is a text report, ``plot_diagnosis`` draws it.
    """

    rows: list
    findings: list
    loss: float = math.nan
    batch_size: int = 0
    thresholds: dict = field(default_factory=dict)

    @property
    def ok(self):
        """True when nothing was found."""
        return not self.findings

    @property
    def kinds(self):
        """The set of finding kinds, e.g. ``{"vanishing"}``."""
        return {f.kind for f in self.findings}

    def flagged_layers(self):
        """Names of the layers a finding names or whose dead/saturated share is over its threshold."""
        flagged = {f.layer for f in self.findings}
        for row in self.rows:
            for key, limit in (("dead_pct", "dead_fraction"), ("saturation_pct", "saturation_fraction")):
                if row.get(key) is not None and limit in self.thresholds and row[key] > 100 * self.thresholds[limit]:
                    flagged.add(row["layer"])
        return flagged

    def __str__(self):
        head = f"minigrad diagnosis: loss {self.loss:.4g} on a batch of {self.batch_size}"
        lines = [head, "", _table(self.rows), ""]
        if self.findings:
            lines.append(f"Findings ({len(self.findings)}):")
            lines += ["  " + str(f).replace("\n", "\n  ") for f in self.findings]
        else:
            lines.append("No problems found: gradients and activations look healthy at these thresholds.")
        lines.append("thresholds: " + ", ".join(f"{k}={v:g}" for k, v in self.thresholds.items()))
        return "\n".join(lines)

    def to_html(self):
        """The table and findings as an HTML fragment (used by ``viz.report`` and Jupyter)."""
        columns = [c for c, _ in _COLUMNS]
        head = "".join(f"<th>{html.escape(title)}</th>" for _, title in _COLUMNS)
        body = []
        flagged = self.flagged_layers()
        for row in self.rows:
            cells = "".join(f"<td>{html.escape(_fmt(c, row.get(c)))}</td>" for c in columns)
            cls = ' class="flagged"' if row["layer"] in flagged else ""
            body.append(f"<tr{cls}>{cells}</tr>")
        parts = [
            f"<p>loss {self.loss:.4g} on a batch of {self.batch_size}</p>",
            f'<table class="diagnosis"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>',
        ]
        if self.findings:
            items = "".join(
                f'<li class="finding {html.escape(f.kind)}"><b>[{html.escape(f.kind)}]</b> layer '
                f"<code>{html.escape(f.layer)}</code>: {html.escape(f.message)}"
                + (f"<br><small>evidence: {html.escape(f.evidence)}</small>" if f.evidence else "")
                + "</li>"
                for f in self.findings
            )
            parts.append(f'<ul class="findings">{items}</ul>')
        else:
            parts.append('<p class="healthy">No problems found.</p>')
        return "\n".join(parts)

    def _repr_html_(self):
        return self.to_html()


_COLUMNS = [
    ("layer", "layer"), ("type", "type"), ("act_mean", "act mean"), ("act_std", "act std"),
    ("saturation_pct", "sat %"), ("dead_pct", "dead %"), ("grad_norm", "‖grad‖"),
    ("grad_to_data", "grad:data"), ("update_to_data", "update:data"),
]


def _fmt(column, value):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if column.endswith("_pct"):
        return f"{value:.0f}"
    return f"{value:.3g}" if column.startswith("act_") else f"{value:.2e}"


def _table(rows):
    cells = [[title for _, title in _COLUMNS]] + [[_fmt(c, row.get(c)) for c, _ in _COLUMNS] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(_COLUMNS))]
    lines = ["  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


# ---------------------------------------------------------------------------- measuring

def _watched_modules(model):
    """Leaf modules and modules that own parameters: the "layers" whose outputs we record."""
    return [(name, m) for name, m in model.named_modules() if not m._modules or m._parameters]


def _units(array):
    """The output as (samples, units): units are the last axis, every other axis counts as samples."""
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array.reshape(-1, 1)
    return array.reshape(-1, array.shape[-1])


def _activation_row(name, module, out):
    out = np.asarray(out)
    finite = np.isfinite(out)
    values = out[finite].astype(np.float64)
    row = {
        "layer": display_name(name),
        "path": name,
        "type": type(module).__name__,
        "shape": tuple(out.shape),
        "act_mean": float(values.mean()) if values.size else math.nan,
        "act_std": float(values.std()) if values.size else math.nan,
        "nonfinite": bool(not finite.all()),
        "saturation_pct": None,
        "dead_pct": None,
    }
    for cls, (saturated, rule) in _SATURATION.items():
        if isinstance(module, cls) and out.size:
            row["saturation_pct"] = 100.0 * float(np.mean(saturated(out, module)))
            row["saturation_rule"] = rule
    if isinstance(module, _DEAD) and out.size:
        dead = np.all(_units(out) == 0, axis=0)  # 0 for *every* sample of the batch
        row["dead_pct"] = 100.0 * float(dead.mean())
        row["dead_units"] = (int(dead.sum()), int(dead.size))
    return row


class _Restore:
    """Save what one diagnostic pass could change and put it back afterwards."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        model = self.model
        self.params = list(model.parameters())
        self.grads = [p.grad for p in self.params]
        self.modes = [(m, m.training) for m in model.modules()]
        self.buffers = [(b, b.data.copy()) for b in model.buffers()]
        self.rng_state = generator().bit_generator.state  # Dropout masks draw from it
        for p in self.params:
            p.grad = None
        return self

    def __exit__(self, *exc):
        for p, g in zip(self.params, self.grads):
            p.grad = g
        for m, mode in self.modes:
            object.__setattr__(m, "training", mode)  # per module: mixed modes survive
        for b, data in self.buffers:
            b.data[...] = data
        generator().bit_generator.state = self.rng_state
        return False


def diagnose(model, x, y, loss_fn, *, vanish_ratio=1e-3, explode_ratio=1e3, min_grad_to_data=1e-5,
             max_grad_norm=1e3, dead_fraction=0.5, saturation_fraction=0.5, lr=None, training=True):
    """Check a model for vanishing/exploding gradients, dead ReLUs, saturation and NaNs on one batch.

    Parameters
    ----------
    model : nn.Module
    x, y : one batch of inputs and targets (arrays or Tensors); a few dozen samples
        or more, so that "dead for every sample" means something
    loss_fn : ``(output, target) -> scalar Tensor`` or a loss name ("cross_entropy", "mse", ...)
    vanish_ratio : vanishing when ‖g‖ of the first layer < vanish_ratio × ‖g‖ of the last
    min_grad_to_data : ... or when a layer's ‖g‖/‖w‖ falls below it
    explode_ratio : exploding when ‖g‖ of the first layer > explode_ratio × ‖g‖ of the last
    max_grad_norm : ... or when a layer's ‖g‖ exceeds it
    dead_fraction : dead_relu when more than this fraction of a ReLU layer's units are dead
    saturation_fraction : saturation when more than this fraction of a layer's outputs saturate
    lr : learning rate; adds the update:data ratio lr·‖g‖/‖w‖ of a plain SGD step
    training : run in training mode (Dropout, BatchNorm batch statistics) -- the
        gradients training would see; ``False`` uses eval mode

    Layers are the modules that own parameters or have no children, in the order
    they ran. Gradient checks compare parametrized layers: "first" is nearest the
    input, "last" nearest the loss. Activations computed with functions inside a
    custom ``forward`` (``h.relu()``) are not modules, so only their layer's
    output is seen. Returns a :class:`Diagnosis`; the model is unchanged.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"diagnose needs an nn.Module, got {type(model).__name__}")
    if isinstance(loss_fn, str):
        loss_fn = nn.losses.get(loss_fn)
    elif not callable(loss_fn):
        raise TypeError(f"diagnose: loss_fn must be a callable or a loss name, got {loss_fn!r}")
    for name, value in (("vanish_ratio", vanish_ratio), ("explode_ratio", explode_ratio),
                        ("min_grad_to_data", min_grad_to_data), ("max_grad_norm", max_grad_norm)):
        if not value > 0:
            raise ValueError(f"diagnose: {name} must be positive, got {value!r}")
    for name, value in (("dead_fraction", dead_fraction), ("saturation_fraction", saturation_fraction)):
        if not 0 <= value <= 1:
            raise ValueError(f"diagnose: {name} is a fraction in [0, 1], got {value!r}")
    thresholds = {"vanish_ratio": vanish_ratio, "explode_ratio": explode_ratio, "min_grad_to_data": min_grad_to_data,
                  "max_grad_norm": max_grad_norm, "dead_fraction": dead_fraction,
                  "saturation_fraction": saturation_fraction}
    params = model.parameters()
    dtype = params[0].dtype if params else np.float32
    x_array = x.numpy() if isinstance(x, Tensor) else np.asarray(x, dtype=dtype)

    calls = []
    handles = []

    def hook(module, inputs, output, name):
        if isinstance(output, Tensor):
            calls.append((name, module, output.numpy().copy()))

    for name, module in _watched_modules(model):
        handles.append(module.register_forward_hook(lambda m, i, o, name=name: hook(m, i, o, name)))
    try:
        # NaN/overflow is what we are looking for here, not something to warn about.
        with _Restore(model), mg.enable_grad(), np.errstate(all="ignore"):
            model.train(training)
            out = model(Tensor(x_array, dtype=dtype))
            loss = loss_fn(out, y)
            if loss.size != 1:
                raise ValueError(f"diagnose: loss_fn must return a scalar, got shape {loss.shape}")
            loss_value = float(loss.item())
            loss.backward()
            param_rows = gradient_statistics(model.named_parameters())
    finally:
        for handle in handles:
            handle.remove()

    rows = _rows(calls, param_rows, lr)
    findings = _findings(rows, x_array, loss_value, model, thresholds)
    return Diagnosis(rows=rows, findings=findings, loss=loss_value, batch_size=len(x_array) if x_array.ndim else 1,
                     thresholds=thresholds)


def _rows(calls, param_rows, lr):
    layers = {layer["path"]: layer for layer in layer_statistics(param_rows)}
    counts = {}
    rows = []
    for name, module, out in calls:
        row = _activation_row(name, module, out)
        counts[name] = counts.get(name, 0) + 1
        if counts[name] > 1:  # a module called twice (shared weights) gets a row per call
            row["layer"] = f"{row['layer']} (call {counts[name]})"
        layer = layers.get(name)
        row["grad_norm"] = layer["norm"] if layer else None
        row["grad_to_data"] = layer["grad_to_data"] if layer else None
        row["data_norm"] = layer["data_norm"] if layer else None
        row["update_to_data"] = (lr * row["grad_to_data"] if lr is not None and row["grad_to_data"] is not None
                                 else None)
        row["grad_nonfinite"] = bool(layer and any(
            r["has_grad"] and not math.isfinite(r["norm"]) for r in layer["params"]))
        if counts[name] > 1:  # gradients belong to the module, shown once
            row["grad_norm"] = row["grad_to_data"] = row["update_to_data"] = None
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------- findings

def _findings(rows, x, loss_value, model, t):
    nan = _nan_findings(rows, x, loss_value)
    if nan:  # every other number is meaningless until the NaN is gone
        return nan
    findings = []
    dead = _dead_findings(rows, t["dead_fraction"])
    findings += _gradient_findings(rows, model, t, dead)
    findings += dead
    findings += _saturation_findings(rows, t["saturation_fraction"])
    return findings


def _nan_findings(rows, x, loss_value):
    bad_input = ~np.isfinite(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    if bad_input.any():
        n = int(bad_input.sum())
        rows_hit = int(np.any(_units(bad_input), axis=1).sum())
        return [Finding(
            "nan", "input",
            "The input batch contains NaN/Inf values: every layer after them computes NaN and no "
            "gradient is usable. Clean the data first (drop or impute those samples, e.g. "
            "X[~np.isnan(X).any(axis=1)]) and standardize it (minigrad.data.StandardScaler).",
            f"{n} non-finite input values in {rows_hit} of {len(_units(x))} samples",
        )]
    for row in rows:
        if row["nonfinite"]:
            return [Finding(
                "nan", row["layer"],
                f"Layer {row['layer']} ({row['type']}) outputs NaN/Inf although its input is finite: its weights "
                "have overflowed (a learning rate too large for these gradients) or it computes an undefined "
                "value (log of 0, division by 0). Lower the learning rate and clip gradients by norm "
                f"({_SEED_CLIP}); check the parameters with np.isfinite.",
                f"first non-finite output: layer {row['layer']}, output shape {row['shape']}",
            )]
    if not math.isfinite(loss_value):
        return [Finding(
            "nan", "loss",
            "The loss is NaN/Inf although the outputs are finite: typically log(0) in a cross-entropy "
            "fed with probabilities of exactly 0 or 1. Give the loss logits (cross_entropy's default, "
            "binary_cross_entropy(..., from_logits=True)) instead of softmax/sigmoid outputs.",
            f"loss = {loss_value}",
        )]
    for row in rows:
        if row.get("grad_nonfinite"):
            return [Finding(
                "nan", row["layer"],
                f"The gradient of layer {row['layer']} is NaN/Inf: the backward pass overflowed. Clip the "
                f"gradients ({_SEED_CLIP}), lower the learning rate, and check custom ops for "
                "divisions by ~0 (sqrt at 0, log near 0).",
                f"‖grad‖ = {row['grad_norm']}",
            )]
    return []


def _param_rows_of(rows):
    """The rows of layers with a (finite) gradient, input side first."""
    return [r for r in rows if r["grad_norm"] is not None and math.isfinite(r["grad_norm"])]


def _activations_in(model):
    return {type(m).__name__ for m in model.modules() if isinstance(m, nn.ActivationModule)}


def _init_hint(model, row):
    """"its weights have std 0.10; Xavier would give 0.18, He 0.25" for a Linear layer, else ""."""
    module = dict(model.named_modules()).get(row["path"])
    if not isinstance(module, nn.Linear):
        return ""
    w = module.weight.numpy()
    fan_out, fan_in = w.shape
    xavier, he = math.sqrt(2.0 / (fan_in + fan_out)), math.sqrt(2.0 / fan_in)
    return f"its weights have std {w.std():.3g} where Xavier/Glorot gives {xavier:.3g} and He {he:.3g}"


def _advice_activation(model):
    acts = _activations_in(model)
    saturating = sorted(acts & set(_SATURATING_NAMES))
    if saturating:
        return (f"{' and '.join(saturating)} activations can saturate and their derivative is at most "
                f"{'0.25' if 'Sigmoid' in saturating else '1'}, so each layer can only shrink the gradient: "
                f"consider ReLU with He initialization ({_SEED_SATURATING})")
    return "use ReLU-family activations with He initialization"


def _gradient_findings(rows, model, t, dead):
    layers = _param_rows_of(rows)
    if not layers:
        return []
    findings = []
    first, last = layers[0], layers[-1]
    ratio = first["grad_norm"] / last["grad_norm"] if last["grad_norm"] > 0 else None
    stds = [r["act_std"] for r in rows if math.isfinite(r["act_std"])]
    act_note = f"; activation std goes from {stds[0]:.3g} to {stds[-1]:.3g} through the layers" if stds else ""

    # Vanishing: the input side gets a tiny fraction of the output side's gradient,
    # or some layer's gradient is too small for any step to move its weights.
    tiny = [r for r in layers if r["grad_to_data"] is not None and r["grad_to_data"] < t["min_grad_to_data"]]
    if len(layers) > 1 and ratio is not None and ratio < t["vanish_ratio"]:
        where = first
        evidence = (f"‖g‖ of first layer {first['layer']} = {first['grad_norm']:.2e}, of last layer "
                    f"{last['layer']} = {last['grad_norm']:.2e} (ratio {ratio:.1e} < {t['vanish_ratio']:g})")
    elif tiny:
        where = tiny[0]
        evidence = (f"‖g‖/‖w‖ of layer {where['layer']} = {where['grad_to_data']:.1e} "
                    f"< {t['min_grad_to_data']:g}")
    else:
        where = None
    if where is not None:
        if dead:  # the cause is known: say that instead of generic advice
            message = (
                f"Gradients vanish on the way to the input: layer {where['layer']} gets almost no gradient "
                f"because the dead ReLUs of layer {dead[0].layer} pass none back (a dead unit has derivative 0; "
                f"{_SEED_VANISH}). Fix the dead_relu finding first."
            )
        else:
            hint = _init_hint(model, where)
            message = (
                f"Gradients vanish on the way to the input: layer {where['layer']} gets almost no gradient, so "
                f"it barely learns and training stalls ({_SEED_VANISH}). Try: a proper initialization, "
                f"{_SEED_INIT}{' -- ' + hint if hint else ''}; {_advice_activation(model)}; "
                f"BatchNorm between layers ({_SEED_BN})."
            )
        findings.append(Finding("vanishing", where["layer"], message, evidence + act_note))

    # Exploding: the input side gets far more gradient than the output side, or
    # some gradient is simply huge.
    worst = max(layers, key=lambda r: r["grad_norm"])
    if len(layers) > 1 and ratio is not None and ratio > t["explode_ratio"]:
        where, evidence = first, (f"‖g‖ of first layer {first['layer']} = {first['grad_norm']:.2e}, of last "
                                  f"layer {last['layer']} = {last['grad_norm']:.2e} "
                                  f"(ratio {ratio:.1e} > {t['explode_ratio']:g})")
    elif worst["grad_norm"] > t["max_grad_norm"]:
        over = sum(r["grad_norm"] > t["max_grad_norm"] for r in layers)
        where, evidence = worst, (f"‖g‖ > {t['max_grad_norm']:g} in {over} of {len(layers)} layers; largest: layer "
                                  f"{worst['layer']} with {worst['grad_norm']:.2e}")
    else:
        where = None
    if where is not None:
        hint = _init_hint(model, where)
        findings.append(Finding(
            "exploding", where["layer"],
            f"Gradients explode: updates this large overshoot the minimum and the parameters diverge "
            f"({_SEED_VANISH}). Try: clip the gradient norm (optim.clip_grad_norm_, or "
            f"fit(..., clip_norm=1.0); {_SEED_CLIP}); a proper initialization, "
            f"{_SEED_INIT}{' -- ' + hint if hint else ''}; BatchNorm ({_SEED_BN}); "
            "lower the learning rate.",
            evidence + act_note,
        ))
    return findings


def _others(hits):
    """"; also layers 5, 7 (81%, 79%)" for the layers after the first that crossed a threshold."""
    if len(hits) < 2:
        return ""
    return "; also layers " + ", ".join(f"{r['layer']} ({pct:.0f}%)" for r, pct in hits[1:])


def _dead_findings(rows, fraction):
    """One dead_relu finding at the first layer over the threshold; later ones are listed in its evidence."""
    hits = [(i, r) for i, r in enumerate(rows) if r["dead_pct"] is not None and r["dead_pct"] > 100 * fraction]
    if not hits:
        return []
    i, row = hits[0]
    n_dead, n_units = row["dead_units"]
    before = rows[i - 1] if i > 0 else None
    pre = (f"; the layer before it ({before['layer']}, {before['type']}) outputs mean {before['act_mean']:.3g}, "
           f"std {before['act_std']:.3g}") if before else ""
    return [Finding(
        "dead_relu", row["layer"],
        f"{row['dead_pct']:.0f}% of the units of {row['type']} layer {row['layer']} output 0 for every sample: "
        f"a dead unit has zero gradient, so it never recovers ({_SEED_DYING}). Usual causes are large "
        "negative biases, a learning rate that was too high, or a poor initialization. Try: He "
        "initialization with zero biases, a lower learning rate, LeakyReLU/ELU instead of ReLU, or "
        f"BatchNorm before the activation ({_SEED_BN}).",
        f"{n_dead} of {n_units} units dead over the batch (threshold {100 * fraction:.0f}%){pre}"
        + _others([(r, r["dead_pct"]) for _, r in hits]),
    )]


def _saturation_findings(rows, fraction):
    """One saturation finding at the first layer over the threshold; later ones are listed in its evidence."""
    hits = [r for r in rows if r["saturation_pct"] is not None and r["saturation_pct"] > 100 * fraction]
    if not hits:
        return []
    row = hits[0]
    return [Finding(
        "saturation", row["layer"],
        f"{row['saturation_pct']:.0f}% of the outputs of {row['type']} layer {row['layer']} are saturated, "
        f"where the derivative is ≈ 0 and the gradient vanishes ({_SEED_SATURATING}). Try: Xavier/Glorot "
        "initialization (smaller weights keep pre-activations near 0; Glorot & Bengio 2010), "
        f"standardized inputs (minigrad.data.StandardScaler), BatchNorm before the activation ({_SEED_BN}), "
        "or ReLU.",
        f"{row['saturation_pct']:.1f}% of outputs with {row['saturation_rule']} (threshold {100 * fraction:.0f}%); "
        f"activation mean {row['act_mean']:.3g}, std {row['act_std']:.3g}"
        + _others([(r, r["saturation_pct"]) for r in hits]),
    )]


# ---------------------------------------------------------------------------- plot

def plot_diagnosis(diagnosis, figsize=None):
    """Three panels over the layers (input → output) of a :class:`Diagnosis`, problems in red.

    1. gradient norm ‖g‖ per parametrized layer on a log scale, with the
       vanishing line (vanish_ratio × the last layer's ‖g‖) and the exploding
       line (max_grad_norm): points below/above them are the problem
       (vanishing and exploding gradients);
    2. activation std per layer (log scale), separately for the outputs of
       parametrized layers (pre-activations) and of the others (activations): it
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

    ax = axes[0]
    grad = values("grad_norm")
    have = [i for i in range(n) if np.isfinite(grad[i]) and grad[i] > 0]  # connect only real points
    ax.plot(have, grad[have], "o-", label="‖grad‖ of the layer's parameters")
    ring = [i for i in have if rows[i]["layer"] in flagged]
    if ring:
        ax.plot(ring, grad[ring], "o", color="tab:red", markersize=11, fillstyle="none", markeredgewidth=2,
                label="flagged layer")
    zero = [i for i in range(n) if grad[i] == 0]
    if zero:  # 0 cannot sit on a log axis: mark it at the bottom
        ax.plot(zero, [0.03] * len(zero), "x", color="tab:red", markersize=9, markeredgewidth=2,
                transform=ax.get_xaxis_transform(), label="‖grad‖ = 0")
    ax.set_yscale("log")
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
    ax.set_ylabel("‖grad‖ (log)")
    ax.set_title("Gradient norm per layer")
    ax.legend(fontsize=7, loc="best")

    ax = axes[1]
    std = values("act_std")
    parametrized = np.array([r.get("data_norm") is not None for r in rows])
    for mask, marker, color, label in ((parametrized, "s-", "tab:green", "outputs of parametrized layers"),
                                       (~parametrized, "d-", "tab:purple", "outputs of other layers (activations)")):
        idx = [i for i in range(n) if mask[i] and np.isfinite(std[i]) and std[i] > 0]
        if idx:
            ax.plot(idx, std[idx], marker, color=color, label=label)
    zero = [i for i in range(n) if std[i] == 0]
    if zero:
        ax.plot(zero, [0.03] * len(zero), "x", color="tab:red", markersize=9, markeredgewidth=2,
                transform=ax.get_xaxis_transform(), label="std = 0 (all outputs equal)")
    ax.set_yscale("log")
    if not (np.isfinite(std) & (std > 0)).any():
        ax.set_ylim(1e-8, 1.0)
    ax.set_ylabel("std (log)")
    ax.set_title("Activation std per layer")
    ax.legend(fontsize=7, loc="best")

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

    summary = ("; ".join(f"{f.kind} at {f.layer}" for f in diagnosis.findings) if diagnosis.findings
               else "no problems found")
    fig.suptitle(f"Diagnosis (loss {diagnosis.loss:.3g}): {summary}", fontsize=10,
                 color="tab:red" if diagnosis.findings else "tab:green")
    return fig

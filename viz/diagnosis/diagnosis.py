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
* the gradient norm ‖g‖, the grad:data ratio ‖g‖/‖w‖ and, given ``lr`` or an
  ``optimizer``, the update:data ratio ‖Δw‖/‖w‖ of one step (≈1e-3 is healthy;
  Karpathy, "CS231n: Neural Networks Part 3");
* the loss next to its chance level -- ln C for cross-entropy over C classes, the
  loss of guessing uniformly, where an untrained network should start.

From those numbers it writes :class:`Finding` s -- ``vanishing``, ``exploding``,
``dead_relu``, ``saturation``, ``nan``, ``symmetry`` -- each naming the layer, the evidence and
what to try (vanishing and exploding gradients: Bengio, Simard & Frasconi 1994,
Pascanu et al. 2013; initialization: Glorot & Bengio 2010, He et al. 2015; batch
normalization: Ioffe & Szegedy 2015).

The thresholds are parameters of :func:`diagnose`; their defaults:

=====================  ======  ==========================================================
``vanish_ratio``       1e-3    vanishing if ‖g‖ of the first layer < 1e-3 × the last's (and ≤ max_grad_norm)
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
from minigrad.tensor import Tensor
from minigrad.train.gradient_stats import gradient_statistics
from viz.diagnosis.findings import _findings
from viz.diagnosis.measure import _Restore, _rows, _update_ratios, _watched_modules

__all__ = ["Diagnosis", "diagnose"]


@dataclass
class Diagnosis:
    """What :func:`diagnose` measured: ``rows`` (one dict per layer call) and ``findings``.

    Row keys: ``layer``, ``type``, ``shape`` (output), ``act_mean``, ``act_std``,
    ``saturation_pct`` and ``dead_pct`` (None where the layer type cannot saturate /
    die), ``grad_norm``, ``grad_to_data``, ``update_to_data`` (None for layers
    without parameters; all None without ``lr``/``optimizer``, and the column is then
    left out of the report), ``nonfinite`` (the output holds NaN/Inf), ``data_norm``
    (‖w‖). ``chance_loss`` is the loss of guessing (ln C for cross-entropy over C
    classes; None when unknown) and :attr:`loss_note` reads the loss against it.
    ``str(diagnosis)`` is a text report, ``plot_diagnosis`` draws it; in Jupyter it
    shows as an HTML table.
    """

    rows: list
    findings: list
    loss: float = math.nan
    batch_size: int = 0
    thresholds: dict = field(default_factory=dict)
    chance_loss: float | None = None
    chance_label: str = ""

    @property
    def loss_note(self):
        """One sentence reading the loss against its chance level ("" when the level is unknown)."""
        return _loss_note(self.loss, self.chance_loss, self.kinds)

    def _loss_line(self):
        text = f"loss {self.loss:.4g} on a batch of {self.batch_size}"
        if self.chance_loss is not None:
            text += f" (chance level {self.chance_label} = {self.chance_loss:.4g})"
        return text

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
        head = f"minigrad diagnosis: {self._loss_line()}"
        if self.loss_note:
            head += "\n" + self.loss_note
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
        shown = _columns(self.rows)
        columns = [c for c, _ in shown]
        head = "".join(f"<th>{html.escape(title)}</th>" for _, title in shown)
        body = []
        flagged = self.flagged_layers()
        for row in self.rows:
            cells = "".join(f"<td>{html.escape(_fmt(c, row.get(c)))}</td>" for c in columns)
            cls = ' class="flagged"' if row["layer"] in flagged else ""
            body.append(f"<tr{cls}>{cells}</tr>")
        note = f"<br>{html.escape(self.loss_note)}" if self.loss_note else ""
        parts = [
            f"<p>{html.escape(self._loss_line())}{note}</p>",
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
        """Jupyter's rich display: the table (flagged rows tinted) and the findings."""
        return _NOTEBOOK_STYLE + f'<div class="minigrad-diagnosis">{self.to_html()}</div>'


_NOTEBOOK_STYLE = (
    "<style>.minigrad-diagnosis table.diagnosis{border-collapse:collapse;font-size:.85em}"
    ".minigrad-diagnosis td,.minigrad-diagnosis th{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}"
    ".minigrad-diagnosis tr.flagged{background:#fde2e2}"
    ".minigrad-diagnosis li.finding{margin:.4em 0;max-width:60em}</style>"
)


def _loss_note(loss, chance, kinds=()):
    """One sentence: the loss against the chance level, and what that says about the start.

    At chance level with a ``symmetry`` finding the start is not neutral: the outputs
    are equal because the units are copies of each other, and they stay so.
    """
    if chance is None or not math.isfinite(loss) or not chance > 0:
        return ""
    ratio = loss / chance
    if ratio > 2:
        return (f"The loss is {ratio:.3g}× its chance level: the network is confidently wrong -- its outputs are far "
                "too large (exploding activations or an overscaled last layer); an untrained network should "
                "start near chance.")
    if ratio > 1.1:
        return ("The loss is somewhat above its chance level: the outputs already favour some classes without "
                "knowing which -- a mildly overconfident start.")
    if ratio >= 0.9 and "symmetry" in kinds:
        return ("The loss is at its chance level only because the units are identical copies (see the symmetry "
                "finding): every class gets the same output, and training cannot tell the units apart.")
    if ratio >= 0.9:
        return ("The loss is at its chance level, as an untrained network's should be: it guesses every "
                "class about equally, so training starts from a neutral point.")
    return "The loss is below its chance level: the model already does better than guessing."


def _chance_level(loss_fn, out, y):
    """``(value, label)`` of the loss of guessing, for the losses where it is well defined; else (None, "")."""
    name = getattr(loss_fn, "__name__", "")
    shape = tuple(out.shape)
    if name in ("cross_entropy", "nll") and len(shape) >= 2 and shape[-1] >= 2:
        classes = shape[-1]
        return math.log(classes), f"ln {classes}"
    if name == "binary_cross_entropy":
        return math.log(2.0), "ln 2"
    if name == "mse":
        target = np.asarray(y.numpy() if isinstance(y, Tensor) else y, dtype=np.float64)
        if target.size and target.shape == shape:  # predicting the mean of every output
            return float(np.mean(np.var(target.reshape(len(target), -1), axis=0))), "Var(y)"
    return None, ""


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


def _columns(rows):
    """The report's columns; update:data only when it was computed (``lr`` or ``optimizer`` given)."""
    if any(row.get("update_to_data") is not None for row in rows):
        return _COLUMNS
    return [c for c in _COLUMNS if c[0] != "update_to_data"]


def _table(rows):
    columns = _columns(rows)
    cells = [[title for _, title in columns]] + [[_fmt(c, row.get(c)) for c, _ in columns] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def diagnose(model, x, y, loss_fn, *, vanish_ratio=1e-3, explode_ratio=1e3, min_grad_to_data=1e-5,
             max_grad_norm=1e3, dead_fraction=0.5, saturation_fraction=0.5, lr=None, optimizer=None,
             training=True):
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
    optimizer : an optimizer name ("adam", ...), class (built with ``lr``) or an optimizer
        over the model's parameters; adds the update:data ratio ‖Δw‖/‖w‖ of one real step
        of it (taken on the diagnosed gradients and undone, optimizer state included)
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
    if lr is not None and not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"diagnose: lr must be a positive finite number, got {lr!r}")
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
            updates = _update_ratios(model, param_rows, optimizer, lr)
            chance, chance_label = _chance_level(loss_fn, out, y)
    finally:
        for handle in handles:
            handle.remove()

    rows = _rows(calls, param_rows, updates)
    findings = _findings(rows, x_array, loss_value, model, thresholds)
    return Diagnosis(rows=rows, findings=findings, loss=loss_value, batch_size=len(x_array) if x_array.ndim else 1,
                     thresholds=thresholds, chance_loss=chance, chance_label=chance_label)

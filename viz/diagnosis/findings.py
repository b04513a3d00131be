"""What :func:`~viz.diagnose` concludes from its measurements: :class:`Finding` s with advice.

Each rule reads the per-layer rows and, when a threshold is crossed, writes one
finding that names the layer, the evidence and what to try: ``nan`` first (every
other number is meaningless until the NaN is gone), then ``vanishing`` and
``exploding`` gradients (Bengio, Simard & Frasconi 1994; Pascanu et al. 2013),
``dead_relu`` (Maas et al. 2013), ``saturation`` (Glorot & Bengio 2010) and
``symmetry`` (a constant initialization: units that stay identical; Goodfellow et
al. 2016, "Deep Learning", §8.4).

A huge gradient is never called vanishing: the ratio of the first to the last
layer's gradient only says which end is larger, so a layer whose own ‖g‖ is over
``max_grad_norm`` is exploding even when the layers after it are larger still.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from minigrad import nn
from viz.diagnosis.measure import _units

__all__ = ["Finding", "KINDS"]

KINDS = ("vanishing", "exploding", "dead_relu", "saturation", "nan", "symmetry")
# The saturating units that are not rectifiers (the activation table's rows).
_SATURATING_NAMES = tuple(row.module for row in nn.functional.TRAITS.values() if row.saturates and not row.can_die)

_SEED_VANISH = 'Bengio, Simard & Frasconi 1994; Pascanu et al. 2013'
_SEED_INIT = 'Xavier/Glorot for tanh/sigmoid, He for ReLU (Glorot & Bengio 2010; He et al. 2015)'
_SEED_BN = 'Ioffe & Szegedy 2015'
_SEED_CLIP = 'clipping by norm, Pascanu et al. 2013'
_SEED_DYING = 'the dying ReLUs problem; leaky ReLUs never die, Maas et al. 2013'
_SEED_SATURATING = 'saturating activations; Glorot & Bengio 2010'
_SEED_SYMMETRY = 'breaking the symmetry between units; Goodfellow et al. 2016, "Deep Learning", §8.4'


@dataclass
class Finding:
    """One problem :func:`diagnose` found.

    ``kind`` is one of ``vanishing``, ``exploding``, ``dead_relu``, ``saturation``,
    ``nan``, ``symmetry``; ``layer`` the layer's name (``"input"``/``"loss"`` for those);
    ``message`` plain-language advice; ``evidence`` the numbers behind it.
    """

    kind: str
    layer: str
    message: str
    evidence: str = ""

    def __str__(self):
        text = f"[{self.kind}] layer {self.layer}: {self.message}"
        return text + (f"\n    evidence: {self.evidence}" if self.evidence else "")


def _findings(rows, x, loss_value, model, t):
    nan = _nan_findings(rows, x, loss_value)
    if nan:  # every other number is meaningless until the NaN is gone
        return nan
    findings = []
    symmetry = _symmetry_findings(rows, model)
    # Identical units output the same value; with zero weights a ReLU layer outputs 0
    # everywhere -- "dead", but the cause (and the cure) is the symmetric start.
    dead = [] if symmetry else _dead_findings(rows, t["dead_fraction"])
    findings += symmetry
    findings += _gradient_findings(rows, model, t, dead, symmetry)
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
    """"its weights have size (RMS) 0.1 where Xavier/Glorot gives 0.18 and He 0.25" for a Linear layer, else "".

    The size is the root mean square sqrt(mean w²), not the std: Xavier and He
    prescribe the variance of a zero-mean init, which for zero-mean weights is the
    mean square, but a constant init (all ones) has std 0 and is far too large.
    """
    module = dict(model.named_modules()).get(row["path"])
    if not isinstance(module, nn.Linear):
        return ""
    w = module.weight.numpy()
    fan_out, fan_in = w.shape
    xavier, he = math.sqrt(2.0 / (fan_in + fan_out)), math.sqrt(2.0 / fan_in)
    rms = float(np.sqrt(np.mean(np.square(w, dtype=np.float64))))
    return f"its weights have size (root mean square) {rms:.3g} where Xavier/Glorot gives {xavier:.3g} and He {he:.3g}"


def _advice_activation(model):
    acts = _activations_in(model)
    saturating = sorted(acts & set(_SATURATING_NAMES))
    if saturating:
        return (f"{' and '.join(saturating)} activations can saturate and their derivative is at most "
                f"{'0.25' if 'Sigmoid' in saturating else '1'}, so each layer can only shrink the gradient: "
                f"consider ReLU with He initialization ({_SEED_SATURATING})")
    return "use ReLU-family activations with He initialization"


def _gradient_findings(rows, model, t, dead, symmetry=()):
    layers = _param_rows_of(rows)
    if not layers:
        return []
    findings = []
    first, last = layers[0], layers[-1]
    ratio = first["grad_norm"] / last["grad_norm"] if last["grad_norm"] > 0 else None
    stds = [r["act_std"] for r in rows if math.isfinite(r["act_std"])]
    act_note = f"; activation std goes from {stds[0]:.3g} to {stds[-1]:.3g} through the layers" if stds else ""

    # Vanishing: the input side gets a tiny fraction of the output side's gradient,
    # or some layer's gradient is too small for any step to move its weights. The
    # ratio alone is relative: the input layer must also be small in absolute terms
    # (a layer with ‖g‖ over max_grad_norm is exploding, whatever comes after it).
    huge = [r for r in layers if r["grad_norm"] > t["max_grad_norm"]]
    tiny = [r for r in layers if r["grad_to_data"] is not None and r["grad_to_data"] < t["min_grad_to_data"]
            and r["grad_norm"] <= t["max_grad_norm"]]
    if (len(layers) > 1 and ratio is not None and ratio < t["vanish_ratio"]
            and first["grad_norm"] <= t["max_grad_norm"]):
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
        if symmetry:  # the cause is known: say that instead of generic advice
            message = (
                f"Gradients vanish on the way to the input: layer {where['layer']} gets almost no gradient "
                f"because its units start identical (layer {symmetry[0].layer}; {_SEED_SYMMETRY}). "
                "Fix the symmetry finding first."
            )
        elif dead:  # the cause is known: say that instead of generic advice
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
    # some gradient is simply huge -- named at the input layer when it is huge too.
    worst = max(layers, key=lambda r: r["grad_norm"])
    if len(layers) > 1 and ratio is not None and ratio > t["explode_ratio"]:
        where, evidence = first, (f"‖g‖ of first layer {first['layer']} = {first['grad_norm']:.2e}, of last "
                                  f"layer {last['layer']} = {last['grad_norm']:.2e} "
                                  f"(ratio {ratio:.1e} > {t['explode_ratio']:g})")
    elif huge:
        where = first if first in huge else worst
        evidence = (f"‖g‖ > {t['max_grad_norm']:g} in {len(huge)} of {len(layers)} layers; first layer "
                    f"{first['layer']}: {first['grad_norm']:.2e}; largest: layer {worst['layer']} with "
                    f"{worst['grad_norm']:.2e}")
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


def _constant(array, axis=None):
    """Whether every entry of ``array`` is the same (along ``axis``: every slice equal to the first)."""
    array = np.asarray(array)
    if array.size == 0:
        return True
    if axis is None:
        return bool(np.all(array == array.flat[0]))
    first = np.take(array, [0], axis=axis)
    return bool(np.all(array == first))


def _symmetry_findings(rows, model):
    """Layers whose units start identical and stay so: a ``symmetry`` finding at the first of them.

    Units i and j of a Linear layer compute the same function when their weight
    rows and biases are equal; they also receive the same gradient -- and so stay
    equal after every update -- when the next layer treats them alike (equal weight
    columns), with only constant-parameter layers (a fresh BatchNorm: γ = 1, β = 0)
    or activations in between. A zero or constant initialization does exactly
    that: the whole layer behaves like one unit (Goodfellow et al. 2016, §8.4).
    The output layer is exempt: each output unit gets its own error signal.
    """
    modules = dict(model.named_modules())
    chain, seen = [], set()
    for row in rows:
        module = modules.get(row.get("path"))
        if row.get("data_norm") is None or module is None or row["path"] in seen:
            continue
        seen.add(row["path"])
        chain.append((row, module))
    hits = []
    for i, (row, module) in enumerate(chain):
        weight = _weight(module)
        if weight is None or weight.shape[0] < 2:
            continue
        bias = getattr(module, "bias", None)
        if not _constant(weight, axis=0) or (bias is not None and not _constant(bias.numpy())):
            continue
        for _, after in chain[i + 1:]:
            next_weight = _weight(after)
            if next_weight is not None:
                if next_weight.shape[-1] == weight.shape[0] and _constant(next_weight, axis=1):
                    hits.append((row, weight))
                break
            if not all(_constant(p.numpy()) for p in after.parameters()):
                break  # e.g. a BatchNorm with varied γ treats the units differently
    if not hits:
        return []
    row, weight = hits[0]
    value = float(weight.flat[0]) if weight.size else 0.0
    others = "; also layers " + ", ".join(r["layer"] for r, _ in hits[1:]) if len(hits) > 1 else ""
    return [Finding(
        "symmetry", row["layer"],
        f"All {weight.shape[0]} units of {row['type']} layer {row['layer']} start with identical weights (a "
        "zero or constant initialization), so they compute the same output, receive the same gradient and stay "
        f"identical after every update: the layer works like a single unit ({_SEED_SYMMETRY}). "
        "Initialize the weights randomly -- Xavier/Glorot for tanh/sigmoid, He for ReLU (Glorot & Bengio 2010; "
        "He et al. 2015); biases may start at 0.",
        f"every weight row of layer {row['layer']} equals the first"
        + (f" (all weights {value:.3g})" if _constant(weight) else "") + ", and the next "
        f"layer's weight columns are equal too{others}",
    )]


def _weight(module):
    """The 2-D weight (units × inputs) of a Linear-like layer, else None."""
    if not isinstance(module, nn.Linear):
        return None
    return module.weight.numpy()

"""What :func:`~viz.diagnose` measures per layer: activation statistics, saturation, dead units, gradients.

A forward hook on every layer records its output; from it come the mean and std,
the share of saturated outputs (where the derivative is ≈ 0; Glorot & Bengio 2010)
and of dead units (ReLU units that output 0 for every sample; Maas et al. 2013).
The gradient columns come from :func:`minigrad.train.gradient_stats.gradient_statistics`
grouped per layer. :class:`_Restore` puts back everything one diagnostic pass changes.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad import nn
from minigrad.rng import generator
from viz.flow import display_name, layer_statistics

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
    # The activation table's row says where the derivative is ≈ 0 (saturation) and
    # whether a unit that outputs 0 for every input passes no gradient back (dead).
    traits = module.traits if isinstance(module, nn.ActivationModule) else None
    if traits is not None and out.size:
        if traits.saturates:
            row["saturation_pct"] = 100.0 * float(np.mean(traits.saturated(out, **module.settings)))
            row["saturation_rule"] = traits.saturation.rule
        if traits.can_die:
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


def _rows(calls, param_rows, updates):
    """One row per layer call; ``updates`` maps a module path to its update:data ratio (or is None)."""
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
        row["update_to_data"] = updates.get(name) if updates is not None and layer else None
        row["grad_nonfinite"] = bool(layer and any(
            r["has_grad"] and not math.isfinite(r["norm"]) for r in layer["params"]))
        if counts[name] > 1:  # gradients belong to the module, shown once
            row["grad_norm"] = row["grad_to_data"] = row["update_to_data"] = None
        rows.append(row)
    return rows


def _update_ratios(model, param_rows, optimizer, lr):
    """‖Δw‖/‖w‖ per layer path for one optimizer step from the current gradients, or None.

    With only ``lr`` it is the plain SGD step, lr·‖g‖/‖w‖. With ``optimizer`` (a
    name such as "adam", an optimizer class, or an optimizer over the model's
    parameters) one real step is taken, measured and undone: the parameters and
    the optimizer's own state (moments, step count) are put back.
    """
    from minigrad import optim

    layers = layer_statistics(param_rows)
    if optimizer is None:
        if lr is None:
            return None
        return {layer["path"]: lr * layer["grad_to_data"] for layer in layers if layer["grad_to_data"] is not None}
    named = list(model.named_parameters())
    if isinstance(optimizer, optim.Optimizer):
        opt, saved_state = optimizer, optimizer.state_dict()
    else:
        opt, saved_state = optim.get(optimizer, [p for _, p in named], **({} if lr is None else {"lr": lr})), None
    if isinstance(opt, optim.Newton):
        raise TypeError("diagnose: the update:data ratio of Newton's method needs a closure; give lr= or a "
                        "first-order optimizer")
    before = {name: p.data.copy() for name, p in named}
    try:
        opt.step()
        deltas = {name: p.data - before[name] for name, p in named}
    finally:
        for name, p in named:
            p.data[...] = before[name]
        if saved_state is not None:
            opt.load_state_dict(saved_state)
    squares, data = {}, {}
    for name, _ in named:
        path = name.rpartition(".")[0]
        squares[path] = squares.get(path, 0.0) + float(np.sum(np.square(deltas[name], dtype=np.float64)))
        data[path] = data.get(path, 0.0) + float(np.sum(np.square(before[name], dtype=np.float64)))
    return {path: (math.sqrt(sq) / math.sqrt(data[path]) if data[path] > 0 else (math.inf if sq > 0 else 0.0))
            for path, sq in squares.items()}

"""Per-parameter gradient statistics: the numbers behind gradient-flow plots.

For a parameter w with gradient g (vanishing and exploding gradients; Glorot & Bengio 2010;
Pascanu et al. 2013):

* ``mean_abs`` = mean |g| and ``max_abs`` = max |g| -- how much signal reaches the layer;
* ``norm`` = ‖g‖₂ and ``data_norm`` = ‖w‖₂;
* ``grad_to_data`` = ‖g‖ / ‖w‖ -- scale-free: ~1e-3 is healthy for SGD-like steps;
* ``update_to_data`` = ‖Δw‖ / ‖w‖ after an optimizer step (when the previous values
  are known) -- the ratio Karpathy recommends watching, ideally near 1e-3.

Gradients that shrink layer after layer towards the input signal vanishing
gradients; ones that grow signal exploding gradients.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["gradient_statistics"]


def _norm(array):
    return float(np.sqrt(np.sum(np.square(array, dtype=np.float64))))


def gradient_statistics(named_parameters, previous=None):
    """A list of dicts, one per parameter: name, shape and the statistics above.

    ``named_parameters`` is an iterable of ``(name, Parameter)`` (e.g.
    ``model.named_parameters()``); ``previous`` optionally maps names to the values
    before the last update, which adds ``update_to_data``. A parameter without a
    gradient gets ``None`` statistics (and ``has_grad=False``) instead of failing.
    """
    rows = []
    for name, p in named_parameters:
        data = p.numpy()
        data_norm = _norm(data)
        row = {"name": name, "shape": tuple(p.shape), "data_norm": data_norm, "has_grad": p.grad is not None}
        if p.grad is None:
            row.update(mean_abs=None, max_abs=None, norm=None, grad_to_data=None)
        else:
            g = p.grad.numpy()
            norm = _norm(g)
            row.update(
                mean_abs=float(np.mean(np.abs(g))) if g.size else 0.0,
                max_abs=float(np.max(np.abs(g))) if g.size else 0.0,
                norm=norm,
                grad_to_data=norm / data_norm if data_norm > 0 else math.inf if norm > 0 else 0.0,
            )
        if previous is not None and name in previous:
            delta = _norm(data - previous[name])
            row["update_to_data"] = delta / data_norm if data_norm > 0 else (math.inf if delta > 0 else 0.0)
        rows.append(row)
    return rows

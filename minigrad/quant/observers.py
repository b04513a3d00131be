"""Observers: watch the values flowing through a layer and choose the quantization range.

Weights are known in advance, so their range is simply computed; activations are
not, so before quantizing them one *calibrates*: runs representative data
through the network and records a range [min, max] at each point (Jacob et al.
2018, §3.1; PyTorch's ``torch.ao.quantization.observer``). The range then gives
the scale and zero point (:func:`minigrad.quant.qparams`).

=================================  =============================================
observer                           range after batches x₁, x₂, …
=================================  =============================================
MinMaxObserver                     min and max of everything seen
MovingAverageMinMaxObserver(c)     m ← m + c·(min(x_t) − m), likewise for max
                                   (the first batch sets m); follows a drifting
                                   range during QAT
PercentileObserver(p)              the (100−p)-th and p-th percentiles, averaged
                                   over batches weighted by their size; ignores
                                   rare outliers that would waste levels
=================================  =============================================

Each is a :class:`~minigrad.nn.Module` that returns its input unchanged, so it
can sit inside a network: ``x = observer(x)``. ``axis=k`` keeps one range per
index along axis k (per channel). ``qparams(bits, scheme)`` turns the range into
``(scale, zero_point)``; asking before anything was observed is an error.
"""

from __future__ import annotations

import numpy as np

from minigrad.nn.module import Module
from minigrad.quant.quantize import check_finite, normalize_axis, qparams
from minigrad.tensor import Tensor

__all__ = ["Observer", "MinMaxObserver", "MovingAverageMinMaxObserver", "PercentileObserver", "get_observer"]


class Observer(Module):
    """Base class: records ``min_val`` / ``max_val`` (None until the first ``observe``)."""

    def __init__(self, axis=None):
        super().__init__()
        if axis is not None and (isinstance(axis, bool) or not isinstance(axis, (int, np.integer))):
            raise ValueError(f"{type(self).__name__}: axis must be an integer or None, got {axis!r}")
        self.axis = axis
        self.reset()

    def reset(self):
        """Forget everything observed."""
        self.min_val = None
        self.max_val = None
        self.num_batches = 0
        self.num_values = 0

    @property
    def observed(self):
        return self.min_val is not None

    def _prepare(self, x):
        arr = x.numpy() if isinstance(x, Tensor) else np.asarray(x)
        if arr.size == 0:
            raise ValueError(f"{type(self).__name__}: cannot observe an empty array (shape {arr.shape})")
        arr = arr.astype(np.float64, copy=False)
        check_finite(arr, f"{type(self).__name__}.observe", "the observed tensor")
        axis = normalize_axis(self.axis, arr.ndim, f"{type(self).__name__}.observe")
        if axis is None:
            return arr.reshape(-1, 1)  # (values, 1 channel)
        if self.min_val is not None and np.size(self.min_val) != arr.shape[axis]:
            raise ValueError(
                f"{type(self).__name__}.observe: {np.size(self.min_val)} channels were observed before, "
                f"this tensor has {arr.shape[axis]} along axis {self.axis}"
            )
        return np.moveaxis(arr, axis, -1).reshape(-1, arr.shape[axis])  # (values, channels)

    def _batch_range(self, values):
        return values.min(axis=0), values.max(axis=0)

    def _update(self, lo, hi, count):
        if self.min_val is None:
            self.min_val, self.max_val = lo, hi
        else:
            self.min_val, self.max_val = np.minimum(self.min_val, lo), np.maximum(self.max_val, hi)

    def observe(self, x):
        """Record the range of ``x`` (an array or Tensor); returns ``x`` unchanged."""
        values = self._prepare(x)
        lo, hi = self._batch_range(values)
        if self.axis is None:
            lo, hi = lo[0], hi[0]
        self._update(lo, hi, values.shape[0])
        self.num_batches += 1
        self.num_values += values.size
        return x

    def forward(self, x):
        return self.observe(x)

    def qparams(self, bits=8, scheme="affine"):
        """``(scale, zero_point)`` for the observed range (see :func:`minigrad.quant.qparams`).

        Affine by default, the usual choice for activations.
        """
        if self.min_val is None:
            raise RuntimeError(
                f"{type(self).__name__} has not observed any data yet: call observe(x) on "
                "calibration batches before asking for qparams"
            )
        return qparams(self.min_val, self.max_val, bits, scheme)

    def extra_repr(self):
        parts = [] if self.axis is None else [f"axis={self.axis}"]
        if self.min_val is not None and self.axis is None:
            parts.append(f"min={self.min_val:.4g}, max={self.max_val:.4g}")
        return ", ".join(parts)


class MinMaxObserver(Observer):
    """Range = the smallest and largest value seen over all batches (PyTorch's MinMaxObserver)."""


class MovingAverageMinMaxObserver(Observer):
    """Exponential moving average of each batch's min and max (PyTorch's default for QAT).

    m ← m + c · (min(x_t) − m) with ``averaging_constant`` c; the first batch sets m.
    """

    def __init__(self, averaging_constant=0.01, axis=None):
        if not 0.0 < averaging_constant <= 1.0:
            raise ValueError(
                f"MovingAverageMinMaxObserver: averaging_constant must be in (0, 1], got {averaging_constant}"
            )
        super().__init__(axis)
        self.averaging_constant = float(averaging_constant)

    def _update(self, lo, hi, count):
        if self.min_val is None:
            self.min_val, self.max_val = lo, hi
        else:
            c = self.averaging_constant
            self.min_val = self.min_val + c * (lo - self.min_val)
            self.max_val = self.max_val + c * (hi - self.max_val)

    def extra_repr(self):
        base = super().extra_repr()
        return f"averaging_constant={self.averaging_constant}" + (f", {base}" if base else "")


class PercentileObserver(Observer):
    """Range = the (100 − p)-th and p-th percentiles instead of min and max.

    Clipping the rare extreme values spends the 2^n levels on where the data is
    (percentile calibration, as in TensorRT). Over several batches the percentiles
    of each batch are averaged, weighted by its number of values (exact for a
    single calibration batch).
    """

    def __init__(self, percentile=99.99, axis=None):
        if not 50.0 < percentile <= 100.0:
            raise ValueError(f"PercentileObserver: percentile must be in (50, 100], got {percentile}")
        super().__init__(axis)
        self.percentile = float(percentile)

    def _batch_range(self, values):
        return (np.percentile(values, 100.0 - self.percentile, axis=0),
                np.percentile(values, self.percentile, axis=0))

    def _update(self, lo, hi, count):
        if self.min_val is None:
            self.min_val, self.max_val, self._weight = lo, hi, count
        else:
            total = self._weight + count
            self.min_val = (self.min_val * self._weight + lo * count) / total
            self.max_val = (self.max_val * self._weight + hi * count) / total
            self._weight = total

    def extra_repr(self):
        base = super().extra_repr()
        return f"percentile={self.percentile}" + (f", {base}" if base else "")


_BY_NAME = {
    "minmax": MinMaxObserver,
    "moving_average": MovingAverageMinMaxObserver,
    "percentile": PercentileObserver,
}


def get_observer(spec, **kwargs):
    """A fresh observer from a name ("minmax", "moving_average", "percentile"), a class, or a factory."""
    if isinstance(spec, str):
        cls = _BY_NAME.get(spec.lower())
        if cls is None:
            raise ValueError(f"unknown observer {spec!r}; valid names: {', '.join(_BY_NAME)}")
        return cls(**kwargs)
    if isinstance(spec, Observer):
        raise TypeError(
            "pass an observer class or factory (e.g. MinMaxObserver), not an instance: each point needs its own"
        )
    if callable(spec):
        obs = spec(**kwargs)
        if not isinstance(obs, Observer):
            raise TypeError(f"the observer factory returned {type(obs).__name__}, not an Observer")
        return obs
    raise TypeError(f"observer must be a name, an Observer class or a factory, got {spec!r}")

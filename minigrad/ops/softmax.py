"""logsumexp, softmax and log_softmax, computed stably.

softmax(x)_i = e^{x_i} / Σ_j e^{x_j} turns scores (logits) into probabilities
(the output layer for classification). Computed literally, e^{1000}
overflows; subtracting the maximum first changes nothing mathematically
(the factor e^{-m} cancels) and keeps every exponent ≤ 0:

    logsumexp(x) = m + ln Σ_j e^{x_j - m},   m = max_j x_j
    log_softmax(x) = x - logsumexp(x)
    softmax(x) = e^{x - m} / Σ_j e^{x_j - m}

Derivatives (s = softmax(x), g = dC/d output):

    d logsumexp / dx = s
    softmax backward:      s ⊙ (g - Σ_j g_j s_j)
    log_softmax backward:  g - s · Σ_j g_j

A 0-d tensor is a single score: softmax 1, log_softmax 0 (both with gradient 0)
and logsumexp the score itself, as in PyTorch. Over an empty axis logsumexp is
ln 0 = -inf.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.axes import accepts_dim_aliases, normalize_axis
from minigrad.ops.reduction import _kept_shape, _spread
from minigrad.tensor import as_tensor

__all__ = ["logsumexp", "softmax", "log_softmax"]


def _stable_max(a, axes):
    """max over ``axes`` with ±inf replaced by 0, so that x - m never gives inf - inf."""
    if a.size == 0:  # any shift will do, and max would refuse an empty axis: zeros of the kept shape
        return a.sum(axis=axes, keepdims=True)
    m = a.max(axis=axes, keepdims=True)
    return np.where(np.isfinite(m), m, 0)


class LogSumExp(Function):
    name = "logsumexp"
    saves_output = True

    def forward(self, a, axes, keepdims):
        self.axes = axes
        m = _stable_max(a, axes)
        with np.errstate(divide="ignore"):  # all -inf → log 0 = -inf, the right answer
            out = np.log(np.exp(a - m).sum(axis=axes, keepdims=True)) + m
        return out if keepdims else out.reshape([n for i, n in enumerate(out.shape) if i not in axes])

    def backward(self, g):
        (a,) = self.inputs
        lse = self.output().reshape(_kept_shape(a.shape, self.axes))
        return (_spread(g, a.shape, self.axes) * (a - lse).exp(),)


class Softmax(Function):
    name = "softmax"
    saves_output = True

    def forward(self, a, axis):
        self.axis = axis
        e = np.exp(a - _stable_max(a, axis))
        return e / e.sum(axis=axis, keepdims=True)

    def backward(self, g):
        s = self.output()
        return (s * (g - (g * s).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Function):
    name = "log_softmax"
    saves_output = True

    def forward(self, a, axis):
        self.axis = axis
        shifted = a - _stable_max(a, axis)
        with np.errstate(divide="ignore"):  # an empty axis sums to 0: ln 0 = -inf, the right answer
            return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(self, g):
        out = self.output()
        return (g - out.exp() * g.sum(axis=self.axis, keepdims=True),)


def _one_or_all(axes):
    """One axis as an int; several as a tuple; none (a 0-d tensor, one element) as None."""
    return axes[0] if len(axes) == 1 else axes or None


@accepts_dim_aliases
def logsumexp(x, axis=None, keepdims=False):
    """ln Σ e^x over ``axis``, without overflow (-inf over an empty axis: ln 0)."""
    x = as_tensor(x)
    return LogSumExp.apply(x, axes=normalize_axis("logsumexp", axis, x.ndim), keepdims=keepdims)


@accepts_dim_aliases
def softmax(x, axis=-1):
    """Probabilities e^x / Σ e^x along ``axis`` (default: the last; 1.0 for a 0-d tensor)."""
    x = as_tensor(x)
    axes = normalize_axis("softmax", axis, x.ndim)
    return Softmax.apply(x, axis=_one_or_all(axes))


@accepts_dim_aliases
def log_softmax(x, axis=-1):
    """ln softmax(x) along ``axis``, computed as x - logsumexp(x)."""
    x = as_tensor(x)
    axes = normalize_axis("log_softmax", axis, x.ndim)
    return LogSoftmax.apply(x, axis=_one_or_all(axes))

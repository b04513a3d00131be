"""Fake quantization: quantize → dequantize in floating point, differentiably.

Quantization-aware training (Jacob et al. 2018: QAT simulates quantization
during training to reduce the accuracy loss) runs the float network
but passes weights and activations through

    q = round(x / s) + z,    x̂ = (clamp(q, qmin, qmax) − z) · s

so the loss sees exactly the values integer inference will see. round() has
derivative 0 almost everywhere, which would stop all learning; the
*straight-through estimator* (Bengio et al. 2013, "Estimating or Propagating
Gradients Through Stochastic Neurons") pretends it is the identity:

    ∂x̂/∂x = 1   where qmin ≤ q ≤ qmax,
            0   where q was clamped                 (PyTorch's mask)

The forward pass and the mask are those of PyTorch's
``fake_quantize_per_tensor_affine`` / ``fake_quantize_per_channel_affine``.
(PyTorch multiplies by a float32 reciprocal 1/s where this divides by s; the two
differ only when x/s lies within a rounding error of a half-integer.)

The scale can be learned too (LSQ, Esser et al. 2020, "Learned Step Size
Quantization"): with the same straight-through rule for round(),

    ∂x̂/∂s = round(x/s) − x/s    inside the range,
            qmin − z or qmax − z   where x is clamped below or above,

which for z = 0 is LSQ's formula (−Q_N or Q_P outside). LSQ also scales this
gradient by g = 1/√(N · Q_P) (N values share the scale) so that the step size
learns at the pace of the weights: see :func:`lsq_grad_scale`.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd import Function
from minigrad.backend import kernels
from minigrad.ops.broadcast import unbroadcast
from minigrad.quant.quantize import channel_shape, check_finite, check_scale, normalize_axis
from minigrad.tensor import Tensor, as_tensor

__all__ = ["fake_quantize", "lsq_grad_scale", "scale_gradient"]


class FakeQuantize(Function):
    """x̂ = (clamp(round(x/s) + z, qmin, qmax) − z)·s; STE gradient for x, LSQ gradient for s."""

    name = "fake_quantize"

    def forward(self, x, scale, zero_point, qmin, qmax, scale_grad):
        if not scale_grad:  # the fused kernel (or its NumPy twin): values and the STE mask
            out, self.inside = kernels.fake_quantize(x, scale, zero_point, qmin, qmax)
            return out
        ratio = x / scale
        rounded = np.rint(ratio)
        q = rounded + zero_point
        clamped = np.clip(q, qmin, qmax)
        self.inside = (q >= qmin) & (q <= qmax)
        if scale_grad:
            # LSQ: round(x/s) − x/s inside; (qmin − z) or (qmax − z) where clamped.
            self.dscale = np.where(self.inside, rounded - ratio, clamped - zero_point).astype(scale.dtype)
        return ((clamped - zero_point) * scale).astype(x.dtype)

    def backward(self, g):
        x, scale = self.inputs
        gx = g * Tensor.constant(self.inside, g.dtype) if x.requires_grad else None
        gs = None
        if scale.requires_grad:
            gs = unbroadcast(g * Tensor.constant(self.dscale, scale.dtype), scale.shape)
        return gx, gs


class GradScale(Function):
    """Identity forward; multiplies the gradient by a constant (LSQ's ``grad_scale``)."""

    name = "grad_scale"

    def forward(self, x, factor):
        self.factor = factor
        return x.copy()

    def backward(self, g):
        return (g * self.factor,)


def scale_gradient(x, factor):
    """y = x in the forward pass, ∂C/∂x = factor · ∂C/∂y in the backward pass (Esser et al. 2020)."""
    return GradScale.apply(as_tensor(x), factor=float(factor))


def lsq_grad_scale(num_elements, qmax):
    """LSQ's step-size gradient scale g = 1/√(N · Q_P) (Esser et al. 2020, §2.2).

    N is the number of values that share one scale (the weights of a layer, or
    the features of an activation), Q_P = qmax the largest positive code.
    """
    if num_elements < 1 or qmax < 1:
        raise ValueError(f"lsq_grad_scale: need num_elements ≥ 1 and qmax ≥ 1, got {num_elements} and {qmax}")
    return 1.0 / math.sqrt(num_elements * qmax)


def _check_range(zero_point, qmin, qmax):
    for name, v in (("qmin", qmin), ("qmax", qmax)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"fake_quantize: {name} must be an integer, got {v!r}")
    if not qmin < qmax:
        raise ValueError(f"fake_quantize: qmin ({qmin}) must be less than qmax ({qmax})")
    z = np.asarray(zero_point)
    if z.dtype.kind not in "iuf" or (z.dtype.kind == "f" and not (z == np.rint(z)).all()):
        raise ValueError(f"fake_quantize: the zero point must be an integer, got {zero_point}")
    if (z < qmin).any() or (z > qmax).any():
        raise ValueError(f"fake_quantize: zero point {zero_point} is outside [qmin, qmax] = [{qmin}, {qmax}]")
    return z.astype(np.int64)


def fake_quantize(x, scale, zero_point=0, qmin=-128, qmax=127, axis=None, grad_scale=None):
    """Differentiable quantize→dequantize: x̂ = (clamp(round(x/s) + z, qmin, qmax) − z)·s.

    Forward and gradient match PyTorch's ``fake_quantize_per_tensor_affine``
    (``axis=None``) and ``fake_quantize_per_channel_affine`` (``axis=k``, with
    ``scale`` and ``zero_point`` holding one entry per index along axis k):
    ∂x̂/∂x = 1 where qmin ≤ round(x/s) + z ≤ qmax and 0 elsewhere (the
    straight-through estimator, Bengio et al. 2013).

    ``x``: an array or Tensor. ``scale``: a number, an array that broadcasts
    against x (e.g. one scale per row), or a Tensor; a Tensor that requires
    grad is *learned* with the LSQ gradient (Esser et al. 2020) -- see the
    module docstring -- optionally multiplied by ``grad_scale`` (e.g.
    :func:`lsq_grad_scale`). ``zero_point``: integer(s), not learned.
    Returns a Tensor of x's dtype. NaN or ±inf in x raise a ValueError naming the
    first one, as :func:`~minigrad.quant.quantize` does: no integer code represents
    them, so a simulation that passed them through would disagree with real
    integer inference.
    """
    x = as_tensor(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    check_finite(x.numpy(), "fake_quantize", "the input")
    zero = _check_range(zero_point, qmin, qmax)
    s = scale if isinstance(scale, Tensor) else None
    check_scale(scale.data if s is not None else scale, "fake_quantize")
    if s is None:
        s = Tensor.constant(scale, np.float64)
    axis = normalize_axis(axis, x.ndim, "fake_quantize")
    if axis is not None:
        n = x.shape[axis]
        if s.size not in (1, n) or zero.size not in (1, n):
            raise ValueError(
                f"fake_quantize: per-channel scale and zero point need {n} entries along axis {axis} "
                f"(got {s.size} and {zero.size})"
            )
        shape = channel_shape(x.ndim, axis, n)
        s = s.reshape(shape) if s.size == n else s.reshape((1,) * x.ndim)
        zero = zero.reshape(shape) if zero.size == n else zero.reshape((1,) * x.ndim)
    if grad_scale is not None:
        if not s.requires_grad:
            raise ValueError(
                "fake_quantize: grad_scale only applies to a learnable scale (a Tensor with requires_grad=True)"
            )
        s = scale_gradient(s, grad_scale)
    return FakeQuantize.apply(x, s, zero_point=zero, qmin=int(qmin), qmax=int(qmax), scale_grad=s.requires_grad)

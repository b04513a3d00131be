"""Integer-only inference: the layers a post-training-quantized model runs, and their arithmetic.

Jacob et al. 2018, "Quantization and Training of Neural Networks for Efficient
Integer-Arithmetic-Only Inference". :func:`~minigrad.quant.quantize_model`
(:mod:`minigrad.quant.ptq`) calibrates a float model and builds these steps; here
is what they compute once built. Activations are affine n-bit codes x ≈ s·(x_q − z);
weights are symmetric per output channel, W_c ≈ s_w,c · Q_c, with an int32 bias
b_q = round(b / (s_x s_w,c)).

1. **Run in integers.** A Linear layer computes

       acc = (x_q − z_x) · Qᵀ + b_q              int8 × int8 → int32 accumulate (np.matmul on int32)

   whose real value is s_x·s_w,c·acc. The worst case |acc| ≤ n_in·max|x_q − z_x|·max|Q| + max|b_q|
   is checked when the layer is built: int32 when it fits, int64 otherwise.
   **Requantization** to the next layer's (s_y, z_y):

       y_q = clamp(round(M_c · acc) + z_y, qmin, qmax),   M_c = s_x s_w,c / s_y

   with M_c as a fixed-point number, M_c ≈ M0_c · 2^(−shift_c), M0_c a 31-bit
   integer (Jacob et al. 2018, §2.2): y = (acc · M0) >> shift with rounding half
   away from zero (gemmlowp's rounding shift), all in int64. ``requantize="float"``
   uses round(acc · M_c) in float64 instead (the two rarely differ by one code).
2. **ReLU in integers.** A ReLU after a Linear is applied to the accumulator,
   acc ← max(acc, 0) (the real value s·acc has the same sign), and its output range
   is calibrated after the ReLU, so z_y = 0; a ReLU elsewhere is y_q ← max(y_q, z).
   Flatten, Identity and Dropout (eval) only reshape or pass the codes along.
   Any other layer (Tanh, GELU, LayerNorm, Softmax, …) falls back to float:
   dequantize → the float layer → requantize over its calibrated output range.
3. **Output.** The last Linear is not requantized: its int32 accumulator is
   dequantized, s_x·s_w,c·acc, giving float logits (argmax and softmax want floats,
   and n-bit logits would tie).

A :class:`QuantizedModel` chains the steps: call it like the float model (it takes
and returns floats), inspect ``model.steps``, and read ``last_accumulator`` on its
integer layers to see the int32 sums.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd import no_grad
from minigrad.nn.module import Module, ModuleList
from minigrad.quant.quantize import TERNARY_BITS, QTensor, int_dtype, qrange, quantize
from minigrad.tensor import Tensor

__all__ = [
    "fixed_point_multiplier", "rounding_right_shift",
    "QuantizeInput", "IntegerLinear", "IntegerReLU", "Reshape", "FloatFallback", "QuantizedModel",
]

_INT32_MAX = 2**31 - 1


# --------------------------------------------------------------------------- fixed point

def fixed_point_multiplier(M, precision=31):
    """Write each real multiplier M > 0 as M ≈ M0 · 2^(−shift) with an integer M0 ∈ [2^(p−1), 2^p).

    Jacob et al. 2018, §2.2: M = 2^(−n)·M0 with M0 ∈ [0.5, 1) held as a
    ``precision``-bit integer, so the requantization multiply needs no floats.
    Returns ``(M0, shift)`` as int64 arrays.
    """
    M = np.asarray(M, dtype=np.float64)
    if not (np.isfinite(M) & (M > 0)).all():
        raise ValueError(f"fixed_point_multiplier: multipliers must be positive and finite, got {M}")
    mantissa, exponent = np.frexp(M)  # M = mantissa · 2^exponent, mantissa ∈ [0.5, 1)
    M0 = np.rint(np.ldexp(mantissa, precision)).astype(np.int64)
    carry = M0 == 2**precision  # the mantissa rounded up to 1.0
    M0 = np.where(carry, M0 // 2, M0)
    shift = precision - (exponent + carry).astype(np.int64)
    if (shift < 1).any() or (shift > 62).any():
        raise ValueError(f"fixed_point_multiplier: multiplier {M} is out of the representable range")
    return M0, shift


def rounding_right_shift(x, shift):
    """round(x / 2^shift) on integers, ties away from zero (gemmlowp's ``RoundingDivideByPOT``)."""
    mask = (np.int64(1) << shift) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> shift) + (remainder > threshold)


# --------------------------------------------------------------------------- integer steps

class QuantizeInput(Module):
    """float → n-bit affine codes with the calibrated input range."""

    def __init__(self, scale, zero_point, bits):
        super().__init__()
        self.scale, self.zero_point, self.bits = float(scale), int(zero_point), bits

    def forward(self, x):
        return quantize(x, self.bits, "affine", scale=self.scale, zero_point=self.zero_point)

    def quantized_nbytes(self):
        return 8  # a float32 scale and an int32 zero point

    def extra_repr(self):
        return f"bits={self.bits}, scale={self.scale:.4g}, zero_point={self.zero_point}"


class IntegerLinear(Module):
    """A Linear layer in integer arithmetic: int8 weights, int32 accumulation, requantized output.

    Built by :func:`~minigrad.quant.quantize_model`; see the module docstring for the formulas.
    Attributes: ``weight_q`` (int, (out, in)), ``weight_scale`` (out,), ``bias_q``
    (int32/int64 or None), ``input_scale`` / ``input_zero_point``,
    ``output_scale`` / ``output_zero_point`` (None for the last layer, which
    returns floats), ``accumulator_dtype``, ``multiplier`` / ``shift`` (fixed
    point), ``relu`` and, after a call, ``last_accumulator``.
    """

    def __init__(self, weight_q, weight_scale, bias, bits, in_qparams, out_qparams=None, relu=False,
                 requantize="fixed_point", weight_bits=None):
        super().__init__()
        self.bits = bits
        self.weight_bits = bits if weight_bits is None else weight_bits
        self.out_features, self.in_features = weight_q.shape
        self.weight_q = weight_q
        self.weight_scale = np.asarray(weight_scale, dtype=np.float64)
        self.input_scale, self.input_zero_point = float(in_qparams[0]), int(in_qparams[1])
        self.relu = bool(relu)
        self.requantize = requantize
        self.acc_scale = self.input_scale * self.weight_scale  # real value of one unit of acc, per channel
        self.bias_q = None if bias is None else np.rint(np.asarray(bias, dtype=np.float64) / self.acc_scale)

        # Worst case of |acc|: decides the accumulator width (no silent wrap-around).
        qmin, qmax = qrange(bits, "affine")
        x_span = max(self.input_zero_point - qmin, qmax - self.input_zero_point)
        w_max = int(np.abs(weight_q.astype(np.int64)).max()) if weight_q.size else 0
        b_max = 0 if self.bias_q is None or not self.bias_q.size else float(np.abs(self.bias_q).max())
        bound = self.in_features * x_span * w_max + b_max
        if bound >= 2**62:
            raise OverflowError(f"IntegerLinear: accumulator bound {bound:.3g} does not fit in int64")
        self.accumulator_bound = bound
        self.accumulator_dtype = np.dtype(np.int32 if bound <= _INT32_MAX else np.int64)
        self._weight_t = np.ascontiguousarray(weight_q.T.astype(self.accumulator_dtype))
        if self.bias_q is not None:
            self.bias_q = self.bias_q.astype(self.accumulator_dtype)

        self.final = out_qparams is None
        self.output_scale = self.output_zero_point = None
        if not self.final:
            self.output_scale, self.output_zero_point = float(out_qparams[0]), int(out_qparams[1])
            M = self.acc_scale / self.output_scale
            self.real_multiplier = M
            # acc·M0 must stay below 2^63: spend on M0 the bits the accumulator leaves free.
            precision = min(31, 62 - math.ceil(math.log2(bound + 1)))
            self.multiplier, self.shift = fixed_point_multiplier(M, precision)
        self.last_accumulator = None

    def forward(self, qt):
        xc = qt.q.astype(self.accumulator_dtype) - self.input_zero_point
        acc = np.matmul(xc, self._weight_t)  # integer matmul: int32 × int32 → int32
        if self.bias_q is not None:
            acc += self.bias_q
        if self.relu:
            acc = np.maximum(acc, 0)  # sign(s·acc) = sign(acc): ReLU without leaving the integers
        self.last_accumulator = acc
        if self.final:
            return (acc * self.acc_scale).astype(np.float32)
        if self.requantize == "fixed_point":
            y = rounding_right_shift(acc.astype(np.int64) * self.multiplier, self.shift)
        else:
            y = np.rint(acc * self.real_multiplier).astype(np.int64)
        qmin, qmax = qrange(self.bits, "affine")
        y = np.clip(y + self.output_zero_point, qmin, qmax).astype(int_dtype(qmin, qmax))
        return QTensor(y, self.output_scale, self.output_zero_point, self.bits, "affine", None, np.dtype(np.float32))

    def quantized_nbytes(self):
        """Weights packed at their bits, float32 scales, int32 bias, output scale and zero point."""
        size = math.ceil(self.weight_q.size * self.weight_bits / 8) + 4 * self.out_features
        if self.bias_q is not None:
            size += 4 * self.out_features
        return size + (0 if self.final else 8)

    def extra_repr(self):
        bits = "ternary" if self.weight_bits == TERNARY_BITS else f"{self.weight_bits}-bit"
        out = ("float output" if self.final
               else f"out scale={self.output_scale:.4g}, zero_point={self.output_zero_point}")
        relu = ", relu" if self.relu else ""
        return (f"in_features={self.in_features}, out_features={self.out_features}, {bits} weights, "
                f"{self.bits}-bit activations, {self.accumulator_dtype} accumulator{relu}, {out}")


class IntegerReLU(Module):
    """ReLU on codes: y_q = max(q, z) (z is where the real 0 lies); on floats, max(x, 0)."""

    def forward(self, v):
        if isinstance(v, QTensor):
            return QTensor(np.maximum(v.q, v.q.dtype.type(v.zero_point)), v.scale, v.zero_point, v.bits,
                           v.scheme, v.axis, v.dtype)
        return np.maximum(v, 0)


class Reshape(Module):
    """Flatten from ``start_axis`` on: moves codes (or floats) without touching them."""

    def __init__(self, start_axis=1):
        super().__init__()
        self.start_axis = start_axis

    def _reshape(self, a):
        axis = self.start_axis % a.ndim if a.ndim else 0
        return a.reshape(a.shape[:axis] + (-1,))

    def forward(self, v):
        if isinstance(v, QTensor):
            return QTensor(self._reshape(v.q), v.scale, v.zero_point, v.bits, v.scheme, v.axis, v.dtype)
        return self._reshape(v)

    def quantized_nbytes(self):
        return 0

    def extra_repr(self):
        return f"start_axis={self.start_axis}"


class FloatFallback(Module):
    """A layer with no integer kernel: dequantize → float layer → requantize (or float output)."""

    def __init__(self, layer, bits, out_qparams=None):
        super().__init__()
        self.layer = layer
        self.bits = bits
        self.final = out_qparams is None
        self.output_scale, self.output_zero_point = (None, None) if self.final else (
            float(out_qparams[0]), int(out_qparams[1]))

    def forward(self, v):
        x = v.dequantize() if isinstance(v, QTensor) else v
        with no_grad():
            y = self.layer(Tensor(np.asarray(x, dtype=np.float32))).numpy()
        if self.final:
            return y.astype(np.float32)
        return quantize(y, self.bits, "affine", scale=self.output_scale, zero_point=self.output_zero_point)

    def extra_repr(self):
        return "float output" if self.final else f"requantized to {self.bits} bits"


class QuantizedModel(Module):
    """The integer-arithmetic model :func:`~minigrad.quant.quantize_model` returns: float in, float out.

    ``steps`` lists what runs, in order (QuantizeInput, IntegerLinear,
    IntegerReLU, Reshape, FloatFallback). It has no learnable parameters.
    """

    def __init__(self, steps, bits, requantize):
        super().__init__()
        self.steps = ModuleList(steps)
        self.bits = bits
        self.requantize = requantize

    def forward(self, x):
        v = x.numpy() if isinstance(x, Tensor) else np.asarray(x)
        for step in self.steps:
            v = step(v)
        if isinstance(v, QTensor):
            v = v.dequantize()
        return Tensor(np.asarray(v, dtype=np.float32))

    def integer_layers(self):
        """The :class:`IntegerLinear` steps."""
        return [s for s in self.steps if isinstance(s, IntegerLinear)]

    def extra_repr(self):
        return f"bits={self.bits}, requantize={self.requantize!r}"

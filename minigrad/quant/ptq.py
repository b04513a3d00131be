"""Post-training quantization: a trained float network → a network that computes in integers.

Post-training quantization (PTQ) quantizes a model that is already trained. This follows
integer-only inference (Jacob et al. 2018, "Quantization and Training of Neural
Networks for Efficient Integer-Arithmetic-Only Inference"):

1. **Calibrate.** Run ``calibration_data`` through the float model (eval mode)
   and let an observer record the range of the input and of every layer output
   (:mod:`minigrad.quant.observers`); each range gives an activation scale s and
   zero point z, affine over unsigned n-bit codes (uint8 for 8 bits).
2. **Quantize weights** per output channel, symmetric: W_c ≈ s_w,c · Q_c with
   Q ∈ int8 (one scale per row). A BatchNorm1d right after a
   Linear is folded into it first (W' = W·γ/σ, b' = (b − μ)·γ/σ + β).
   The bias becomes int32 with scale s_x·s_w,c: b_q = round(b / (s_x s_w,c)).
3. **Run in integers.** A Linear layer computes

       acc = (x_q − z_x) · Qᵀ + b_q              int8 × int8 → int32 accumulate (np.matmul on int32)

   whose real value is s_x·s_w,c·acc. The worst case |acc| ≤ n_in·max|x_q − z_x|·max|Q| + max|b_q|
   is checked when the layer is built: int32 when it fits, int64 otherwise.
   **Requantization** to the next layer's (s_y, z_y):

       y_q = clamp(round(M_c · acc) + z_y, qmin, qmax),   M_c = s_x s_w,c / s_y

   with M_c as a fixed-point number, M_c ≈ M0_c · 2^(−shift_c), M0_c a 31-bit
   integer (Jacob et al. 2018, §2.2): y = (acc · M0) >> shift with rounding half
   away from zero (gemmlowp's rounding shift), all in int64. ``requantize="float"``
   uses round(acc · M_c) in float64 instead (the two rarely differ by one code).
4. **ReLU in integers.** A ReLU after a Linear is applied to the accumulator,
   acc ← max(acc, 0) (the real value s·acc has the same sign), and its output range
   is calibrated after the ReLU, so z_y = 0; a ReLU elsewhere is y_q ← max(y_q, z).
   Flatten, Identity and Dropout (eval) only reshape or pass the codes along.
   Any other layer (Tanh, GELU, LayerNorm, Softmax, …) falls back to float:
   dequantize → the float layer → requantize over its calibrated output range.
5. **Output.** The last Linear is not requantized: its int32 accumulator is
   dequantized, s_x·s_w,c·acc, giving float logits (argmax and softmax want floats,
   and n-bit logits would tie).

The result is a :class:`QuantizedModel`: call it like the float model (it takes
and returns floats), inspect ``model.steps``, and read ``last_accumulator`` on its
integer layers to see the int32 sums. ``model_size_bytes`` compares sizes and
``ptq_report`` puts accuracy and size side by side.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.autograd import no_grad
from minigrad.nn.activations import ReLU
from minigrad.nn.layers import BatchNorm1d, Dropout, Flatten, Identity, Linear
from minigrad.nn.module import Module, ModuleList, Sequential
from minigrad.quant.observers import get_observer
from minigrad.quant.qat import BitLinear, QuantLinear, prepare_qat
from minigrad.quant.quantize import (
    TERNARY_BITS,
    QTensor,
    check_bits,
    int_dtype,
    qrange,
    quantize,
)
from minigrad.tensor import Tensor

__all__ = [
    "quantize_model", "QuantizedModel", "IntegerLinear", "model_size_bytes", "ptq_report", "QuantizationReport",
    "fixed_point_multiplier", "rounding_right_shift",
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

    Built by :func:`quantize_model`; see the module docstring for the formulas.
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
    """The integer-arithmetic model :func:`quantize_model` returns: float in, float out.

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


# --------------------------------------------------------------------------- building

_PASS = (Dropout, Identity)
_LINEARS = (Linear,)  # QuantLinear and BitLinear are Linear subclasses


def _layers(model):
    """The model as a flat list of layers (nested Sequentials unrolled)."""
    if isinstance(model, Sequential):
        out = []
        for layer in model:
            out.extend(_layers(layer))
        return out
    if isinstance(model, _LINEARS):
        return [model]
    if model._modules:
        raise ValueError(
            f"quantize_model needs a Sequential of layers (Linear, activations, Flatten, ...); "
            f"{type(model).__name__} has its own forward, which cannot be rewritten in integers: "
            "build the network as nn.Sequential"
        )
    return [model]


def _fold_batchnorm(W, b, bn):
    """W' = W·γ/σ, b' = (b − μ)·γ/σ + β with σ = √(running_var + ε) (Jacob et al. 2018, §3.2)."""
    if bn.running_mean is None:
        raise ValueError("quantize_model: a BatchNorm1d without running statistics cannot be folded")
    sigma = np.sqrt(bn.running_var.numpy().astype(np.float64) + bn.eps)
    gamma = bn.weight.numpy().astype(np.float64) if bn.weight is not None else 1.0
    beta = bn.bias.numpy().astype(np.float64) if bn.bias is not None else 0.0
    factor = gamma / sigma
    b = np.zeros(W.shape[0]) if b is None else b
    return W * factor[:, None], (b - bn.running_mean.numpy()) * factor + beta


class _Group:
    """One planned step: the float layers it replaces, and what it becomes."""

    def __init__(self, kind, layers):
        self.kind, self.layers = kind, layers
        self.relu = False
        self.observer = None

    def float_forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def _plan(layers):
    groups, i = [], 0
    while i < len(layers):
        layer = layers[i]
        i += 1
        if isinstance(layer, _LINEARS):
            group = _Group("linear", [layer])
            if i < len(layers) and isinstance(layers[i], BatchNorm1d) and not isinstance(layer, BitLinear):
                group.layers.append(layers[i])
                i += 1
            while i < len(layers) and isinstance(layers[i], _PASS + (ReLU,)):
                group.relu |= isinstance(layers[i], ReLU)
                group.layers.append(layers[i])
                i += 1
        elif isinstance(layer, ReLU):
            group = _Group("relu", [layer])
        elif isinstance(layer, _PASS):
            continue
        elif isinstance(layer, Flatten):
            group = _Group("reshape", [layer])
        else:
            group = _Group("float", [layer])
        groups.append(group)
    return groups


def _batches(data, batch_size=256):
    """Calibration batches from an array, a Tensor, an (X, y) tuple, or an iterable of batches
    (arrays, Tensors or (xb, yb) pairs, e.g. a DataLoader)."""
    if isinstance(data, tuple) and len(data) == 2 and all(hasattr(d, "shape") for d in data):
        data = data[0]  # (X, y): the inputs
    if isinstance(data, Tensor):
        data = data.numpy()
    batch_types = (np.ndarray, Tensor, tuple)
    if isinstance(data, np.ndarray) or (isinstance(data, list) and data and not isinstance(data[0], batch_types)):
        arr = np.asarray(data, dtype=np.float32)
        if arr.ndim == 0 or len(arr) == 0:
            raise ValueError(f"quantize_model: calibration_data is empty (shape {arr.shape})")
        return [arr[k:k + batch_size] for k in range(0, len(arr), batch_size)]
    batches = []
    for batch in data:
        if isinstance(batch, (tuple, list)):
            batch = batch[0]
        batches.append(batch.numpy() if isinstance(batch, Tensor) else np.asarray(batch, dtype=np.float32))
    if not batches:
        raise ValueError("quantize_model: calibration_data has no batches")
    return batches


def _weights(group, bits):
    """(integer codes, per-channel scales, float bias, weight bits) for a linear group."""
    layer = group.layers[0]
    W = layer.weight.numpy().astype(np.float64)
    b = None if layer.bias is None else layer.bias.numpy().astype(np.float64)
    if isinstance(layer, BitLinear):
        qt = layer.ternary_codes()
        return qt.q, np.full(W.shape[0], qt.scale), b, TERNARY_BITS
    folded = len(group.layers) > 1 and isinstance(group.layers[1], BatchNorm1d)
    if folded:
        W, b = _fold_batchnorm(W, b, group.layers[1])
    if isinstance(layer, QuantLinear) and layer.weight_bits == bits and not folded:
        # Keep the grid the layer was trained on (max-based or learned scales).
        qt = quantize(W, bits, "symmetric", axis=0, scale=layer.weight_qparams())
    else:
        qt = quantize(W, bits, "symmetric", axis=0)
    return qt.q, qt.scale, b, bits


def quantize_model(model, calibration_data, bits=8, observer="minmax", requantize="fixed_point"):
    """Post-training quantization to a model that runs integer arithmetic (see the module docstring).

    ``model``: a trained ``nn.Sequential`` (nested ones are unrolled) or a single
    Linear; QAT models from :func:`prepare_qat` convert too, keeping the weight
    grids and activation ranges they were trained with (when their bits equal
    ``bits``; BitLinear keeps its ternary weights). ``calibration_data``:
    inputs (an array, a Tensor, an (X, y) pair, or an iterable of batches) that
    look like the data the model will see -- a few hundred examples suffice.
    ``bits``: weights and activations (2 … 16). ``observer``: how activation
    ranges are calibrated ("minmax", "moving_average", "percentile" or an
    Observer class). ``requantize``: "fixed_point" (integer multiplier and
    shift) or "float". Returns a :class:`QuantizedModel`; ``model`` is unchanged.
    """
    bits = check_bits(bits, "quantize_model")
    if requantize not in ("fixed_point", "float"):
        raise ValueError(f"quantize_model: requantize must be 'fixed_point' or 'float', got {requantize!r}")
    if not isinstance(model, Module):
        raise TypeError(f"quantize_model expects an nn.Module, got {type(model).__name__}")
    layers = _layers(model)
    if not any(isinstance(layer, _LINEARS) for layer in layers):
        kinds = ", ".join(sorted({type(layer).__name__ for layer in layers})) or "nothing"
        raise ValueError(f"quantize_model: the model has no Linear layer to quantize (it contains {kinds})")
    groups = _plan(layers)
    last = max(k for k, g in enumerate(groups) if g.kind in ("linear", "float"))
    input_observer = get_observer(observer)
    for k, g in enumerate(groups):
        if g.kind in ("linear", "float") and k != last:
            g.observer = get_observer(observer)

    # 1. Calibrate: the float model, in eval mode, observed at every quantization point.
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            for batch in _batches(calibration_data):
                x = input_observer(Tensor(batch))
                for g in groups[:last + 1]:
                    x = g.float_forward(x)
                    if g.observer is not None:
                        g.observer(x)
    finally:
        model.train(was_training)

    # 2. Quantization points: the input, then each group's output. A QuantLinear
    #    trained with a range for its input keeps that range.
    points = [input_observer.qparams(bits, "affine")]
    for g in groups:
        g.in_point = len(points) - 1
        layer = g.layers[0]
        if (g.kind == "linear" and isinstance(layer, QuantLinear) and layer.act_bits == bits
                and layer.act_observer.observed):
            points[g.in_point] = layer.activation_qparams()
        if g.observer is not None:
            points.append(g.observer.qparams(bits, "affine"))
        g.out_point = len(points) - 1 if g.observer is not None else None

    # 3. The integer model.
    steps = [QuantizeInput(*points[0], bits)]
    for g in groups:
        out = points[g.out_point] if g.out_point is not None else None
        if g.kind == "linear":
            q, scale, b, wbits = _weights(g, bits)
            steps.append(IntegerLinear(q, scale, b, bits, points[g.in_point], out, g.relu, requantize, wbits))
        elif g.kind == "relu":
            steps.append(IntegerReLU())
        elif g.kind == "reshape":
            steps.append(Reshape(g.layers[0].start_axis))
        else:
            steps.append(FloatFallback(g.layers[0], bits, out))
    return QuantizedModel(steps, bits, requantize).eval()


# --------------------------------------------------------------------------- size and report

def model_size_bytes(model):
    """Bytes needed to store ``model`` for inference.

    Float parameters (and floating buffers such as BatchNorm statistics) count
    their itemsize: 4 bytes each for float32. Quantized layers (QuantLinear,
    BitLinear, the steps of a QuantizedModel) count their deployed form: each
    weight at ``bits``/8 bytes as if packed (log2 3 ≈ 1.58 bits for ternary),
    plus 4 bytes per float32 scale, per int32 bias and per zero point.
    """
    if not isinstance(model, Module):
        raise TypeError(f"model_size_bytes expects an nn.Module, got {type(model).__name__}")
    seen = set()

    def size(m):
        if id(m) in seen:
            return 0
        seen.add(id(m))
        if hasattr(m, "quantized_nbytes"):
            for p in m._parameters.values():
                if p is not None:
                    seen.add(id(p))
            return m.quantized_nbytes()
        total = 0
        floating_buffers = [b for b in m._buffers.values() if b is not None and b.dtype.kind == "f"]
        for t in list(m._parameters.values()) + floating_buffers:
            if t is not None and id(t) not in seen:
                seen.add(id(t))
                total += t.data.nbytes
        return total + sum(size(c) for c in m._modules.values() if c is not None)

    return size(model)


def _weight_count(model):
    return sum(m.weight.size for m in model.modules() if isinstance(m, Linear))


class QuantizationReport(dict):
    """The figures of :func:`ptq_report` as a dict; ``str(report)`` (or ``.text``) reads as a table."""

    @property
    def text(self):
        r = self
        lines = [
            f"Post-training quantization: {r['bits']}-bit weights and activations",
            f"  {'model':<22}{'accuracy':>10}{'size':>14}",
            f"  {'float32':<22}{r['float_accuracy']:>9.2%}{r['float_bytes']:>12,} B",
            f"  {str(r['bits']) + '-bit integer (PTQ)':<22}{r['quant_accuracy']:>9.2%}{r['quant_bytes']:>12,} B"
            f"   ({r['size_ratio']:.2f}× smaller)",
            f"  accuracy change: {100 * r['accuracy_change']:+.2f} points",
            f"  weights alone: 32 bits → {r['bits']} bits = {r['weight_ratio']:.0f}× smaller "
            f"(scales, zero points and int32 biases make the whole model {r['size_ratio']:.2f}×)",
            f"  ternary (1.58-bit, BitNet b1.58) weights would be 32/1.58 ≈ "
            f"{r['ternary_weight_ratio']:.0f}× smaller: "
            f"{r['ternary_bytes']:,} B for the whole model ({r['ternary_ratio']:.1f}×)",
            "  (8 bits = 1 byte and FP32 = 4 bytes; float32 → 1 bit would be 32× cheaper)",
        ]
        return "\n".join(lines)

    def __str__(self):
        return self.text


def _accuracy(model, X, y):
    from minigrad.train import predict

    out = predict(model, X)
    y = y.numpy() if isinstance(y, Tensor) else np.asarray(y)
    if y.ndim > 1:
        y = y.argmax(axis=-1)
    return float((out.argmax(axis=-1) == y).mean())


def ptq_report(float_model, quant_model, X, y):
    """Accuracy and size of a float model and its quantized version on (X, y).

    Returns a :class:`QuantizationReport` (a dict: ``float_accuracy``,
    ``quant_accuracy``, ``accuracy_change``, ``float_bytes``, ``quant_bytes``,
    ``size_ratio``, ``bits``, ``weight_ratio`` = 32/bits, ``ternary_bytes``,
    ``ternary_ratio``, ``ternary_weight_ratio`` = 32/1.58, ``text``); print it
    for a table. The point in numbers: 8-bit weights are 4× smaller than
    float32, 1.58-bit ones ≈ 20×.
    """
    float_acc = _accuracy(float_model, X, y)
    quant_acc = _accuracy(quant_model, X, y)
    float_bytes = model_size_bytes(float_model)
    quant_bytes = model_size_bytes(quant_model)
    bits = getattr(quant_model, "bits", None)
    if bits is None:
        qbits = [m.weight_bits for m in quant_model.modules() if hasattr(m, "weight_bits")]
        bits = qbits[0] if qbits else 32
    ternary_bytes = model_size_bytes(prepare_qat(float_model, weight_bits="ternary"))
    report = QuantizationReport(
        bits=bits,
        float_accuracy=float_acc,
        quant_accuracy=quant_acc,
        accuracy_change=quant_acc - float_acc,
        float_bytes=int(float_bytes),
        quant_bytes=int(quant_bytes),
        size_ratio=float_bytes / quant_bytes,
        weight_ratio=32 / bits,
        weights=int(_weight_count(float_model)),
        ternary_bytes=int(ternary_bytes),
        ternary_ratio=float_bytes / ternary_bytes,
        ternary_weight_ratio=32 / TERNARY_BITS,
    )
    report["text"] = report.text
    return report

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
3. **Run in integers** (:mod:`minigrad.quant.integer`): each Linear becomes an
   :class:`~minigrad.quant.integer.IntegerLinear` -- int8 × int8 → int32 accumulate,
   requantized to the next layer's codes with a fixed-point multiplier; a ReLU
   after it clamps the accumulator; layers without an integer kernel fall back to
   float between a dequantize and a requantize; the last layer returns float logits.

The result is a :class:`QuantizedModel`: call it like the float model (it takes
and returns floats), inspect ``model.steps``, and read ``last_accumulator`` on its
integer layers to see the int32 sums. ``model_size_bytes`` compares sizes and
``ptq_report`` puts accuracy and size side by side (:mod:`minigrad.quant.report`).
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import no_grad
from minigrad.nn.activations import ReLU
from minigrad.nn.layers import BatchNorm1d, Dropout, Flatten, Identity, Linear
from minigrad.nn.module import Module, Sequential
from minigrad.quant.integer import FloatFallback, IntegerLinear, IntegerReLU, QuantizedModel, QuantizeInput, Reshape
from minigrad.quant.observers import get_observer
from minigrad.quant.qat import BitLinear, QuantLinear
from minigrad.quant.quantize import TERNARY_BITS, check_bits, quantize
from minigrad.tensor import Tensor

__all__ = ["quantize_model"]


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

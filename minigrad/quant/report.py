"""How big and how accurate a quantized model is: sizes, the PTQ report, the command line's tables.

* :func:`model_size_bytes` -- bytes to store a model for inference, quantized
  layers counted in their deployed (packed) form;
* :func:`ptq_report` -- accuracy and size of a float model next to its
  post-training-quantized version (:func:`~minigrad.quant.quantize_model`);
* :func:`quantization_report` and :func:`quantization_table` -- what
  ``minigrad train --quantize`` and ``minigrad quantize`` print: one call does the
  whole post-training quantization of a trained classifier (calibrate on the
  training split, convert to integer arithmetic, compare accuracy on the test split
  and size with the float model), including the point in numbers: 8-bit weights are
  4× smaller than float32, 1.58-bit ones ≈ 20× (Jacob et al. 2018; Ma et al. 2024).
"""

from __future__ import annotations

import numpy as np

from minigrad import budget
from minigrad.nn.layers import Linear
from minigrad.nn.module import Module
from minigrad.quant.ptq import quantize_model
from minigrad.quant.qat import prepare_qat
from minigrad.quant.quantize import TERNARY_BITS
from minigrad.tensor import Tensor

__all__ = ["model_size_bytes", "ptq_report", "QuantizationReport", "quantization_report", "quantization_table",
           "check_quantization_memory"]

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


# --------------------------------------------------------------------------- the command line

def check_quantization_memory(model, n_samples):
    """Raise ``ValueError`` when quantizing ``model`` on ``n_samples`` calibration rows would
    need more than :data:`minigrad.budget.MEMORY_BUDGET` bytes beyond the model itself.

    The estimate, per Linear layer of ``n_in·n_out`` weights: the float64 copy the
    quantizer rounds from (8 bytes a weight, one layer at a time) and the integer
    weights it keeps (at most 4 bytes a weight, for every layer); plus the
    calibration activations, ``n_samples`` rows of every layer's width in float64.
    Returns the estimate in bytes when it fits.
    """
    layers = [m for m in model.modules() if isinstance(m, Linear)]
    if not layers:
        return 0
    weights = [m.weight.size for m in layers]
    widths = sum(m.in_features + m.out_features for m in layers)
    needed = 8 * max(weights) + 4 * sum(weights) + 8 * int(n_samples) * widths
    if needed > budget.MEMORY_BUDGET:
        raise ValueError(
            f"quantizing this model ({sum(weights):,} weights) on {int(n_samples):,} calibration samples needs "
            f"about {budget.format_bytes(needed)}, over the {budget.format_bytes(budget.MEMORY_BUDGET)} memory "
            "budget (minigrad.budget.MEMORY_BUDGET); use a smaller model or fewer calibration samples"
        )
    return needed


def quantization_report(model, splits, bits=8, observer="minmax"):
    """Quantize ``model`` to ``bits`` and return the report as text.

    ``splits``: a dict of ``(X, y)`` pairs with a "train" entry (calibration) and
    a "test" entry (accuracy; "val" when there is no "test"), as
    :func:`minigrad.train.recipe.split_dataset` returns.
    """
    if "train" not in splits:
        raise ValueError(f"quantization_report: splits needs a 'train' entry for calibration, got {sorted(splits)}")
    evaluation = splits.get("test", splits.get("val"))
    if evaluation is None:
        raise ValueError(f"quantization_report: splits needs a 'test' or 'val' entry, got {sorted(splits)}")
    X_cal = splits["train"][0]
    check_quantization_memory(model, max(len(X_cal), len(evaluation[0])))
    quant_model = quantize_model(model, X_cal, bits=bits, observer=observer)
    return ptq_report(model, quant_model, *evaluation).text


def quantization_table(model, splits, bits_list=(8, 4, 2), observer="minmax"):
    """One line per bit width: accuracy and size after PTQ, next to float32 and ternary sizes.

    Shows where post-training quantization stops being free: accuracy holds at
    8 bits and falls apart at a few bits (which is why quantization-aware
    training exists; Jacob et al. 2018).
    """
    evaluation = splits.get("test", splits.get("val"))
    check_quantization_memory(model, max(len(splits["train"][0]), len(evaluation[0])))
    rows = []
    for bits in bits_list:
        quant_model = quantize_model(model, splits["train"][0], bits=bits, observer=observer)
        rows.append(ptq_report(model, quant_model, *evaluation))
    first = rows[0]
    lines = [f"{'model':<24}{'accuracy':>10}{'size':>12}{'smaller':>10}",
             f"{'float32':<24}{first['float_accuracy']:>9.2%}{first['float_bytes']:>10,} B{'1.00×':>10}"]
    for r in rows:
        lines.append(f"{str(r['bits']) + '-bit PTQ (integer)':<24}{r['quant_accuracy']:>9.2%}"
                     f"{r['quant_bytes']:>10,} B{r['size_ratio']:>9.2f}×")
    lines.append(f"{'ternary weights (1.58)':<24}{'':>10}{first['ternary_bytes']:>10,} B"
                 f"{first['ternary_ratio']:>9.2f}×")
    return "\n".join(lines)

"""The quantization report of ``minigrad train --quantize`` and ``minigrad quantize``.

One call does the whole post-training quantization of a trained classifier:
calibrate on the training split, convert to integer arithmetic
(:func:`~minigrad.quant.quantize_model`), and compare accuracy on the test split
and size with the float model (:func:`~minigrad.quant.ptq_report`), including
the point in numbers: 8-bit weights are 4× smaller than float32, 1.58-bit ones ≈ 20×.
"""

from __future__ import annotations

from minigrad.quant.ptq import ptq_report, quantize_model

__all__ = ["quantization_report", "quantization_table"]


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
    quant_model = quantize_model(model, X_cal, bits=bits, observer=observer)
    return ptq_report(model, quant_model, *evaluation).text


def quantization_table(model, splits, bits_list=(8, 4, 2), observer="minmax"):
    """One line per bit width: accuracy and size after PTQ, next to float32 and ternary sizes.

    Shows where post-training quantization stops being free: accuracy holds at
    8 bits and falls apart at a few bits (which is why quantization-aware
    training exists; Jacob et al. 2018).
    """
    evaluation = splits.get("test", splits.get("val"))
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

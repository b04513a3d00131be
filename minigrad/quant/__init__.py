"""Quantization (Jacob et al. 2018): fewer bits per number, same network.

*Quantization reduces the precision of weights and activations, for instance
from Float32 to INT8* -- 8 bits = 1 byte against FP32's 4 bytes. This package
covers the course's list of quantization types:

=======================  =======================================================
module                   what it gives
=======================  =======================================================
quantize                 ``quantize`` / ``dequantize`` / ``QTensor``: n-bit
                         symmetric (the course's worked example) and affine, per tensor
                         or per channel; ``qparams``, ``qrange``
fake                     ``fake_quantize``: differentiable quantize→dequantize
                         (straight-through estimator; LSQ learnable scale)
ternary                  ``ternary``: BitNet b1.58 weights in {−1, 0, 1}·γ
observers                ``MinMaxObserver``, ``MovingAverageMinMaxObserver``,
                         ``PercentileObserver``: activation ranges
qat                      quantization-aware training: ``QuantLinear``,
                         ``BitLinear``, ``prepare_qat``
ptq                      post-training quantization to integer arithmetic:
                         ``quantize_model`` (calibrate, fold, build)
integer                  the integer-only layers it builds: ``IntegerLinear``
                         (int8 × int8 → int32, fixed-point requantization),
                         ``QuantizedModel``
report                   ``model_size_bytes``, ``ptq_report``: size and accuracy
=======================  =======================================================

A tour::

    from minigrad import quant
    qt = quant.quantize([1.23, -0.87], bits=8)       # the course's worked example
    qt.q, qt.scale                                   # [127, -90], 1.23/127

    int_model = quant.quantize_model(model, X_calib, bits=8)    # PTQ
    print(quant.ptq_report(model, int_model, X_test, y_test))

    qat_model = quant.prepare_qat(model, weight_bits=4, act_bits=4)   # QAT
    fit(qat_model, "cross_entropy", optim.Adam(qat_model.parameters()), ...)
    int4_model = quant.quantize_model(qat_model, X_calib, bits=4)
"""

from minigrad.quant.fake import fake_quantize, lsq_grad_scale, scale_gradient
from minigrad.quant.observers import (
    MinMaxObserver,
    MovingAverageMinMaxObserver,
    Observer,
    PercentileObserver,
    get_observer,
)
from minigrad.quant.integer import IntegerLinear, QuantizedModel
from minigrad.quant.ptq import quantize_model
from minigrad.quant.qat import (
    BitLinear,
    QuantLinear,
    absmax_quantize,
    freeze_observers,
    prepare_qat,
)
from minigrad.quant.quantize import (
    TERNARY_BITS,
    QTensor,
    dequantize,
    qparams,
    qrange,
    quantize,
)
from minigrad.quant.report import QuantizationReport, model_size_bytes, ptq_report
from minigrad.quant.ternary import absmean, quantize_ternary, ternary

__all__ = [
    "QTensor", "quantize", "dequantize", "qparams", "qrange", "TERNARY_BITS",
    "fake_quantize", "lsq_grad_scale", "scale_gradient",
    "ternary", "quantize_ternary", "absmean",
    "Observer", "MinMaxObserver", "MovingAverageMinMaxObserver", "PercentileObserver", "get_observer",
    "QuantLinear", "BitLinear", "prepare_qat", "freeze_observers", "absmax_quantize",
    "quantize_model", "QuantizedModel", "IntegerLinear", "model_size_bytes", "ptq_report", "QuantizationReport",
]

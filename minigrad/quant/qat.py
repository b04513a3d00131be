"""Quantization-aware training: layers that train through simulated quantization.

Quantization-aware training (QAT) simulates quantization during training to reduce
the accuracy loss (Jacob et al. 2018). The forward pass uses fake-quantized weights
and activations (:func:`~minigrad.quant.fake_quantize`), so the loss -- and
therefore the gradient -- sees the rounding that integer inference will do; the
straight-through estimator (Bengio et al. 2013) lets gradients through the rounding.
The float weights remain the learned parameters ("shadow weights"); only their
quantized image is used in the forward pass. Every optimizer in
:mod:`minigrad.optim` works unchanged.

* :class:`QuantLinear` -- z = Q_a(x) Q_w(W)ᵀ + Q_b(b):
  weights fake-quantized per output channel, symmetric, s_c = max|W_c| / qmax
  (one scale per row of W ∈ R^{out × in}), or with a
  learned scale (LSQ, Esser et al. 2020); input activations fake-quantized
  affine (unsigned 0 … 2^n − 1) over the range an observer tracks while training
  (moving average of batch min/max, as PyTorch's QAT default) and frozen in
  ``eval()``; optionally the bias, symmetric per tensor with its own bits.
* :class:`BitLinear` -- BitNet b1.58 (Ma et al. 2024): ternary weights
  {−1, 0, 1}·γ with γ = mean|W| and 8-bit activations quantized *absmax per
  token*: s = max|x_t| / 127 for each row x_t.
* :func:`prepare_qat` -- a copy of a float model with every ``nn.Linear``
  swapped for one of these, carrying the trained weights (fine-tuning starts
  from them).
"""

from __future__ import annotations

import copy
import math

import numpy as np

from minigrad.nn.functional import affine
from minigrad.nn.layers import Linear
from minigrad.nn.module import Module, Parameter
from minigrad.quant.fake import fake_quantize, lsq_grad_scale
from minigrad.quant.observers import get_observer
from minigrad.quant.quantize import TERNARY_BITS, check_bits, qparams, qrange
from minigrad.quant.ternary import EPS, quantize_ternary, ternary
from minigrad.tensor import as_tensor

__all__ = ["QuantLinear", "BitLinear", "prepare_qat", "freeze_observers", "absmax_quantize"]

_MIN_LEARNED_SCALE = 1e-8


def _check_input(layer, x):
    if x.ndim == 0 or x.shape[-1] != layer.in_features:
        where = f" (layer '{layer._scope}')" if layer._scope else ""
        raise ValueError(
            f"{layer!r}{where} got input of shape {x.shape}: the last axis must have {layer.in_features} features"
        )


def _apply_activity_regularizer(layer, out):
    if layer.activity_regularizer is not None:
        batch = out.shape[0] if out.ndim > 1 else 1
        layer._activity_penalty = layer.activity_regularizer(out) * (1.0 / batch)


def _adopt(new, linear):
    """Give ``new`` the parameters and regularizers of ``linear`` (the same Parameter objects)."""
    new.weight = linear.weight
    new.bias = linear.bias
    new.weight_regularizer = linear.weight_regularizer
    new.bias_regularizer = linear.bias_regularizer
    new.activity_regularizer = linear.activity_regularizer
    return new


def absmax_quantize(x, bits=8, eps=EPS):
    """BitNet's activation quantization, absmax per token (Ma et al. 2024; Wang et al. 2023).

    For each row x_t (the last axis): s_t = max(|x_t|, ε) / qmax and
    x̂ = clamp(round(x / s_t), qmin, qmax) · s_t with qmin = −2^(n−1),
    qmax = 2^(n−1) − 1. Gradient straight through (|x/s_t| ≤ qmax, nothing clips).
    """
    x = as_tensor(x)
    bits = check_bits(bits, "absmax_quantize")
    qmin, qmax = qrange(bits, "symmetric")
    gamma = np.maximum(np.abs(x.numpy()).max(axis=-1, keepdims=True), eps) if x.ndim else max(abs(x.item()), eps)
    return fake_quantize(x, np.asarray(gamma, dtype=np.float64) / qmax, 0, qmin, qmax)


class QuantLinear(Linear):
    """A Linear layer trained with fake-quantized weights, activations and (optionally) bias.

    ``weight_bits``: weights per output channel, symmetric (2 … 16).
    ``act_bits``: input activations, affine unsigned over the observed range
    (None: not quantized). ``bias_bits``: the bias, symmetric per tensor (2 … 32;
    None: float). ``observer``: what tracks the activation range ("moving_average"
    by default, "minmax", "percentile", or an Observer class). In training mode the
    observer updates on every batch; in ``eval()`` the range is frozen (if nothing
    was observed yet, the first batch seen calibrates it).
    ``learn_weight_scale``: learn the per-channel weight scales with LSQ (Esser et
    al. 2020), starting from max|W_c| / qmax, gradient scaled by 1/√(in · qmax); the
    step size used is |s| (an adaptive optimizer may push a small s below zero).
    Other keyword arguments go to :class:`~minigrad.nn.Linear`.
    """

    def __init__(self, in_features, out_features, bias=True, weight_bits=8, act_bits=8, bias_bits=None,
                 observer="moving_average", learn_weight_scale=False, **linear_kwargs):
        super().__init__(in_features, out_features, bias=bias, **linear_kwargs)
        self.weight_bits = check_bits(weight_bits, "QuantLinear (weight_bits)")
        self.act_bits = None if act_bits is None else check_bits(act_bits, "QuantLinear (act_bits)")
        self.bias_bits = None if bias_bits is None else check_bits(bias_bits, "QuantLinear (bias_bits)", 2, 32)
        self.act_observer = get_observer(observer) if self.act_bits is not None else None
        self.observer_enabled = True
        self.weight_scale = None
        if learn_weight_scale:
            self.weight_scale = Parameter(self._max_scale(), dtype=self.weight.dtype)

    @classmethod
    def from_linear(cls, linear, **kwargs):
        """A QuantLinear using ``linear``'s parameters (the same Parameter objects) and regularizers."""
        learn = kwargs.pop("learn_weight_scale", False)
        new = cls(linear.in_features, linear.out_features, bias=linear.bias is not None,
                  weight_init="zeros", **kwargs)
        _adopt(new, linear)
        if learn:
            new.weight_scale = Parameter(new._max_scale(), dtype=new.weight.dtype)
        return new

    # ------------------------------------------------------------------ weights
    def _max_scale(self):
        w = self.weight.numpy()
        return qparams(w.min(axis=1), w.max(axis=1), self.weight_bits, "symmetric")[0]

    def weight_qparams(self):
        """The per-output-channel weight scales (float64, shape (out,)); zero points are 0."""
        if self.weight_scale is not None:
            return self._learned_scale().numpy().astype(np.float64)
        return self._max_scale()

    def _learned_scale(self):
        # An adaptive optimizer can step a small scale past zero; |s| keeps it a valid step size.
        return self.weight_scale.abs().clip(min=_MIN_LEARNED_SCALE)

    def quantized_weight(self):
        """Q_w(W): the fake-quantized weight matrix the forward pass uses (a Tensor)."""
        qmin, qmax = qrange(self.weight_bits, "symmetric")
        if self.weight_scale is not None:
            g = lsq_grad_scale(self.in_features, qmax)
            return fake_quantize(self.weight, self._learned_scale(), 0, qmin, qmax, axis=0, grad_scale=g)
        return fake_quantize(self.weight, self._max_scale(), 0, qmin, qmax, axis=0)

    def quantized_bias(self):
        """Q_b(b), symmetric per tensor with ``bias_bits`` (the float bias when bias_bits is None)."""
        if self.bias is None or self.bias_bits is None:
            return self.bias
        qmax = 2 ** (self.bias_bits - 1) - 1
        alpha = float(np.abs(self.bias.numpy()).max())
        scale = alpha / qmax if alpha > 0 else 1.0
        return fake_quantize(self.bias, scale, 0, -qmax - 1, qmax)

    # ------------------------------------------------------------------ activations
    def activation_qparams(self):
        """(scale, zero_point) of the input activations from the observer's range."""
        if self.act_observer is None:
            raise RuntimeError(f"{self!r} does not quantize its input (act_bits=None)")
        return self.act_observer.qparams(self.act_bits, "affine")

    def quantize_input(self, x):
        """Q_a(x): fake-quantize the input over the observed range (updated in training mode)."""
        obs = self.act_observer
        if (self.training and self.observer_enabled) or not obs.observed:
            obs.observe(x)
        scale, zero = self.activation_qparams()
        qmin, qmax = qrange(self.act_bits, "affine")
        return fake_quantize(x, scale, zero, qmin, qmax)

    def forward(self, x):
        x = as_tensor(x, like=self.weight)
        _check_input(self, x)
        if self.act_bits is not None:
            x = self.quantize_input(x)
        out = affine(x, self.quantized_weight(), self.quantized_bias())
        _apply_activity_regularizer(self, out)
        return out

    def quantized_nbytes(self):
        """Deployed size: weights at weight_bits (packed) + float32 scales, bias, activation qparams."""
        n = self.weight.size
        size = math.ceil(n * self.weight_bits / 8) + 4 * self.out_features
        if self.bias is not None:
            size += math.ceil(self.out_features * self.bias_bits / 8) + 4 if self.bias_bits else 4 * self.out_features
        if self.act_bits is not None:
            size += 8  # one float32 scale and one int32 zero point
        return size

    def extra_repr(self):
        bits = f"weight_bits={self.weight_bits}, act_bits={self.act_bits}"
        if self.bias_bits is not None:
            bits += f", bias_bits={self.bias_bits}"
        if self.weight_scale is not None:
            bits += ", learn_weight_scale=True"
        return f"{super().extra_repr()}, {bits}"


class BitLinear(Linear):
    """BitNet b1.58's linear layer (Ma et al. 2024): ternary weights, 8-bit absmax activations.

    z = absmax_quantize(x) · ternary(W)ᵀ + b, with W ∈ {−1, 0, 1}·γ, γ = mean|W|
    (:func:`~minigrad.quant.ternary`), each input row quantized with its own
    scale max|x_t| / 127 (:func:`absmax_quantize`). Both quantizers pass gradients
    straight through. The paper's layers have no bias and are preceded by a
    normalization (add a LayerNorm); ``bias=True`` (the default here) keeps it a
    drop-in replacement for ``nn.Linear``.
    """

    def __init__(self, in_features, out_features, bias=True, act_bits=8, eps=EPS, **linear_kwargs):
        super().__init__(in_features, out_features, bias=bias, **linear_kwargs)
        self.act_bits = None if act_bits is None else check_bits(act_bits, "BitLinear (act_bits)")
        if not eps > 0:
            raise ValueError(f"BitLinear: eps must be positive, got {eps}")
        self.eps = float(eps)

    weight_bits = TERNARY_BITS

    @classmethod
    def from_linear(cls, linear, **kwargs):
        """A BitLinear using ``linear``'s parameters (the same Parameter objects) and regularizers."""
        new = cls(linear.in_features, linear.out_features, bias=linear.bias is not None,
                  weight_init="zeros", **kwargs)
        return _adopt(new, linear)

    def quantized_weight(self):
        """γ · W̃, the ternary weights the forward pass uses (a Tensor, straight-through gradient)."""
        return ternary(self.weight, self.eps)

    def ternary_codes(self):
        """The codes W̃ ∈ {−1, 0, 1} (int8) and γ, as a QTensor."""
        return quantize_ternary(self.weight, self.eps)

    def forward(self, x):
        x = as_tensor(x, like=self.weight)
        _check_input(self, x)
        if self.act_bits is not None:
            x = absmax_quantize(x, self.act_bits, self.eps)
        out = affine(x, self.quantized_weight(), self.bias)
        _apply_activity_regularizer(self, out)
        return out

    def quantized_nbytes(self):
        """Deployed size: log2(3) ≈ 1.58 bits per weight, one float32 γ, float32 bias."""
        size = math.ceil(self.weight.size * TERNARY_BITS / 8) + 4
        return size + (4 * self.out_features if self.bias is not None else 0)

    def extra_repr(self):
        return f"{super().extra_repr()}, weights=ternary, act_bits={self.act_bits}"


def _is_ternary(weight_bits):
    return (isinstance(weight_bits, str) and weight_bits.lower() in ("ternary", "1.58")) or (
        isinstance(weight_bits, float) and round(weight_bits, 2) == 1.58
    )


def _replace_child(parent, name, new):
    """Put ``new`` in ``parent`` under ``name``, keeping its place in the layer order."""
    parent._modules[name] = new  # an existing key keeps its position (Sequential order)
    object.__setattr__(parent, name, new)
    new._rescope(f"{parent._scope}.{name}" if parent._scope else name)


def prepare_qat(model, weight_bits=8, act_bits=8, bias_bits=None, observer="moving_average",
                learn_weight_scale=False):
    """A deep copy of ``model`` with every ``nn.Linear`` replaced for quantization-aware training.

    ``weight_bits`` 2 … 16 gives :class:`QuantLinear` layers (``act_bits``,
    ``bias_bits``, ``observer``, ``learn_weight_scale`` as there);
    ``weight_bits="ternary"`` (or 1.58) gives :class:`BitLinear` layers
    (BitNet b1.58, ``act_bits``-bit absmax activations). The new layers start
    from the trained weights; ``model`` itself is not changed. Train the copy
    with any optimizer over its ``parameters()``, then convert it to integer
    arithmetic with :func:`~minigrad.quant.quantize_model`.

    A model without any Linear layer raises a ValueError.
    """
    if not isinstance(model, Module):
        raise TypeError(f"prepare_qat expects an nn.Module, got {type(model).__name__}")
    if _is_ternary(weight_bits):
        if bias_bits is not None:
            raise ValueError(f"prepare_qat: ternary (BitLinear) layers keep a float bias; got bias_bits={bias_bits}")

        def make(linear):
            return BitLinear.from_linear(linear, act_bits=act_bits)
    else:
        weight_bits = check_bits(weight_bits, "prepare_qat (weight_bits)")
        act_bits = None if act_bits is None else check_bits(act_bits, "prepare_qat (act_bits)")

        def make(linear):
            return QuantLinear.from_linear(linear, weight_bits=weight_bits, act_bits=act_bits,
                                           bias_bits=bias_bits, observer=observer,
                                           learn_weight_scale=learn_weight_scale)

    model = copy.deepcopy(model)
    for p in model.parameters():
        p.grad = None
    if type(model) is Linear:
        return make(model)
    swapped = {}  # id(Linear) -> its replacement, so a shared layer stays shared
    for _, parent in list(model.named_modules()):
        for name, child in list(parent._modules.items()):
            if type(child) is Linear:
                if id(child) not in swapped:
                    swapped[id(child)] = make(child)
                _replace_child(parent, name, swapped[id(child)])
    if not swapped:
        kinds = sorted({type(m).__name__ for m in model.modules()})
        raise ValueError(
            f"prepare_qat: the model has no nn.Linear layer to quantize (it contains {', '.join(kinds)})"
        )
    return model


def freeze_observers(model, frozen=True):
    """Stop (or restart) the activation-range updates of every QuantLinear in ``model``; returns model.

    Late in QAT, freezing the ranges lets the weights settle on fixed grids
    (PyTorch's ``disable_observer``).
    """
    for m in model.modules():
        if isinstance(m, QuantLinear):
            m.observer_enabled = not frozen
    return model

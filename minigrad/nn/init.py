"""Weight initializers: functions of a shape that return NumPy arrays.

Every initializer is ``name(shape, ..., dtype="float32") -> np.ndarray`` (``shape`` an
int or a tuple) and has an in-place twin ``name_(tensor, ...) -> tensor`` that fills
``tensor.data`` (no graph is recorded, the tensor keeps its dtype, device and
``requires_grad``) and returns the tensor::

    >>> import minigrad as mg
    >>> from minigrad.nn import init
    >>> _ = mg.manual_seed(0)
    >>> W = init.he_normal((64, 32))          # W ∈ R^{n_out × n_in}: fan_in = 32
    >>> W.shape, W.dtype
    ((64, 32), dtype('float32'))
    >>> b = init.zeros_(mg.ones(64))          # in place

Why it matters (Goodfellow et al. 2016, "Deep Learning", §8.4): a constant start never breaks
the symmetry between units, and a random start with the wrong scale makes the
activations -- and so the gradients -- shrink or grow layer after layer. The
variance-preserving rules keep the variance of the activations (forward) or of the
gradients (backward) the same across layers:

===============  ==============================  ==============================
rule             Var(W)                          paper
===============  ==============================  ==============================
Glorot / Xavier  2 / (fan_in + fan_out)          Glorot & Bengio, 2010
He / Kaiming     2 / fan_in                      He et al., 2015
LeCun            1 / fan_in                      LeCun et al., 1998
===============  ==============================  ==============================

The ``*_normal`` variants draw from the plain (untruncated) normal N(0, Var); the
``*_uniform`` variants from U(-r, r) with the same variance, r = sqrt(3 · Var)
(the variance of U(-r, r) is r²/3).
:func:`variance_scaling` reproduces Keras' ``VarianceScaling`` exactly, truncated
normal included.

Fans follow the weight layout ``W ∈ R^{n_out × n_in}`` (``nn.Linear``'s
weight): for shape ``(out, in)``, fan_in = in and fan_out = out; see
:func:`compute_fans`.

``normal`` is the standard normal N(0, 1) by default, as PyTorch's ``normal_``; the
classic "small random numbers" N(0, 0.01²) is :func:`small_normal`, whose docstring
shows why it makes deep networks vanish.

Every random draw comes from :func:`minigrad.rng.generator`, so ``mg.manual_seed(n)``
makes initialization repeatable.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad._checks import check_number
from minigrad.nn.fill import (
    check_choice as _choice, check_shape as _shape, draw as _draw, float_dtype as _dtype, in_place as _in_place,
    truncated_standard_normal as _truncated_standard_normal,
)
from minigrad.nn.functional.table import TRAITS
from minigrad.registry import Registry, normalize_name
from minigrad.rng import generator

__all__ = [
    "compute_fans", "calculate_gain", "get", "INITIALIZERS",
    "zeros", "ones", "constant", "normal", "small_normal", "uniform", "truncated_normal",
    "glorot_normal", "glorot_uniform", "xavier_normal", "xavier_uniform",
    "he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform",
    "lecun_normal", "lecun_uniform", "orthogonal", "identity", "variance_scaling",
    "zeros_", "ones_", "constant_", "normal_", "small_normal_", "uniform_", "truncated_normal_",
    "glorot_normal_", "glorot_uniform_", "xavier_normal_", "xavier_uniform_",
    "he_normal_", "he_uniform_", "kaiming_normal_", "kaiming_uniform_",
    "lecun_normal_", "lecun_uniform_", "orthogonal_", "identity_", "variance_scaling_",
]

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


# ---------------------------------------------------------------------- fans and gains
def compute_fans(shape):
    """``(fan_in, fan_out)`` of a weight of ``shape`` in the (out, in) layout of ``nn.Linear``.

    * ``()`` (a scalar): 1 and 1;
    * ``(n,)``: n and n;
    * ``(out, in)``: ``in`` and ``out`` -- W ∈ R^{n_out × n_in}, so fan_in = n^{[l-1]}
      (the layer's inputs) and fan_out = n^{[l]} (its units), as in Glorot &
      Bengio (2010);
    * ``(out, in, k1, k2, ...)``: both multiplied by the receptive field k1·k2·…
      (PyTorch's convolution layout).
    """
    shape = _shape(shape, "compute_fans")
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(shape, mode, where):
    fan_in, fan_out = compute_fans(shape)
    mode = _choice(mode, _MODES, "mode", where)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    return max(1.0, fan)  # an empty weight has no fan; avoid dividing by zero (as Keras)


# Layers without a nonlinearity: PyTorch's gain 1.
_LINEAR_LAYERS = ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
_LINEAR_KEYS = {normalize_name(name) for name in _LINEAR_LAYERS}


def calculate_gain(nonlinearity, param=None):
    """The recommended gain g for a nonlinearity (PyTorch's table); Std(W) is scaled by g.

    ==========================================  ===========================
    nonlinearity                                gain
    ==========================================  ===========================
    linear, identity, conv1d/2d/3d,             1
    conv_transpose1d/2d/3d, sigmoid
    tanh                                        5/3
    relu                                        √2
    leaky_relu (``param`` = negative slope,     √(2 / (1 + slope²))
    default 0.01)
    selu                                        3/4
    ==========================================  ===========================

    ReLU zeroes half of its inputs, halving the second moment, so He et al. (2015)
    double the variance: gain √2. For SELU the self-normalizing choice is LeCun's variance, i.e.
    gain 1; PyTorch's 3/4 trades exact self-normalization for a steadier gradient flow.
    Every other activation of ``nn.functional`` has its gain in the activation table
    (:mod:`minigrad.nn.functional.table`): √2 for the rectifiers, 1 for the rest.
    Names are looked up as everywhere (``"LeakyReLU"``, ``"swish"``).
    """
    if isinstance(nonlinearity, str) and normalize_name(nonlinearity) in _LINEAR_KEYS:
        return 1.0
    if nonlinearity not in TRAITS:
        names = ", ".join((*TRAITS, *_LINEAR_LAYERS))
        raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; valid names: {names}")
    if param is not None:
        param = check_number(param, "param (negative slope)", "calculate_gain")
    return TRAITS[nonlinearity].gain_for(param)


# ---------------------------------------------------------------------- constant
def zeros(shape, dtype="float32"):
    """All zeros: W = 0.

    Right for biases; wrong for weights: every unit of a layer computes the same
    function and receives the same gradient, so they never become different
    ("failing to break symmetry", Goodfellow et al. 2016, "Deep Learning",
    §8.4).
    """
    return np.zeros(_shape(shape, "zeros"), dtype=_dtype(dtype, "zeros", floating=False))


def ones(shape, dtype="float32"):
    """All ones: W = 1 (e.g. the scale γ of a normalization layer).

    As a weight initializer it has the symmetry problem of every constant
    (Goodfellow et al. 2016, "Deep Learning", §8.4).
    """
    return np.ones(_shape(shape, "ones"), dtype=_dtype(dtype, "ones", floating=False))


def constant(shape, value=0.0, dtype="float32"):
    """Every entry equal to ``value``: W = c.

    Any constant fails to break symmetry (Goodfellow et al. 2016, "Deep
    Learning", §8.4).
    """
    shape = _shape(shape, "constant")
    check_number(value, "value", "constant")
    return np.full(shape, value, dtype=_dtype(dtype, "constant", floating=False))


# ---------------------------------------------------------------------- plain random
def normal(shape, mean=0.0, std=1.0, dtype="float32"):
    """Samples of the normal distribution: W ~ N(mean, std²).

    The general normal initialization (Goodfellow et al. 2016, "Deep Learning",
    §8.4). Choosing σ well is
    the whole point of the Glorot/He/LeCun rules below.
    """
    shape = _shape(shape, "normal")
    mean = check_number(mean, "mean", "normal")
    std = check_number(std, "std", "normal", minimum=0.0)
    dt = _dtype(dtype, "normal")
    return (mean + std * generator().standard_normal(shape)).astype(dt)


def small_normal(shape, std=0.01, dtype="float32"):
    """Small random numbers: W ~ N(0, 0.01²), the classic "small random weights" initialization.

    Fine for a shallow network, and the textbook way to see why a deep one fails
    (Glorot & Bengio 2010, "Understanding the difficulty of training deep feedforward
    neural networks"; Goodfellow et al. 2016, "Deep Learning", §8.4): each layer
    multiplies the activations' standard deviation by about std·√fan_in (times the
    activation's slope), 0.01·√64 = 0.08 for 64 inputs, so after ten tanh layers the
    signal -- and the gradient flowing back -- is ~10⁻¹¹ of its size: it vanishes.
    The variance-preserving rules below choose std from the fans instead.
    ``small_normal(shape)`` is ``normal(shape, std=0.01)``.
    """
    std = check_number(std, "std", "small_normal", minimum=0.0)
    return normal(shape, std=std, dtype=dtype)


def uniform(shape, low=-0.05, high=0.05, dtype="float32"):
    """Samples of the uniform distribution: W ~ U(low, high), low < high.

    The general uniform initialization W ~ U(-r, r) (Goodfellow et al. 2016,
    "Deep Learning", §8.4). Defaults are Keras' RandomUniform.
    """
    shape = _shape(shape, "uniform")
    low = check_number(low, "low", "uniform")
    high = check_number(high, "high", "uniform")
    if low >= high:
        raise ValueError(f"uniform: low must be smaller than high, got low={low!r}, high={high!r}")
    dt = _dtype(dtype, "uniform")
    return generator().uniform(low, high, shape).astype(dt)


def truncated_normal(shape, mean=0.0, stddev=0.05, dtype="float32"):
    """Normal samples with the tails cut: W ~ N(mean, stddev²) restricted to |W - mean| ≤ 2·stddev.

    Values more than two standard deviations from the mean are drawn again (Keras'
    TruncatedNormal), so no weight starts in a tail. The cut shrinks the standard
    deviation to ≈ 0.8796·stddev. One of the Keras initializers.
    """
    shape = _shape(shape, "truncated_normal")
    mean = check_number(mean, "mean", "truncated_normal")
    stddev = check_number(stddev, "stddev", "truncated_normal", minimum=0.0)
    dt = _dtype(dtype, "truncated_normal")
    return (mean + stddev * _truncated_standard_normal(shape)).astype(dt)


# ---------------------------------------------------------------------- variance-preserving
def glorot_normal(shape, gain=1.0, dtype="float32"):
    """Glorot (Xavier) normal: W ~ N(0, σ²), σ² = gain² · 2 / (fan_in + fan_out) = gain² / fan_avg.

    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks": keeping Var(W) = 1/fan_in preserves the variance
    of the activations going forward, 1/fan_out that of the gradients going
    backward; the compromise is the average of the two fans. Suited to tanh and
    sigmoid (Glorot & Bengio 2010, "Understanding the difficulty of training deep
    feedforward neural networks"). Plain, untruncated
    normal (Keras' GlorotNormal truncates; use :func:`variance_scaling` for that).
    """
    shape = _shape(shape, "glorot_normal")
    gain = check_number(gain, "gain", "glorot_normal", minimum=0.0)
    return _draw(shape, gain**2 / _fan(shape, "fan_avg", "glorot_normal"), "normal", _dtype(dtype, "glorot_normal"))


def glorot_uniform(shape, gain=1.0, dtype="float32"):
    """Glorot (Xavier) uniform: W ~ U(-r, r), r = gain · sqrt(6 / (fan_in + fan_out)) = gain · sqrt(3 / fan_avg).

    Same variance as :func:`glorot_normal`, 2/(fan_in + fan_out) (Glorot & Bengio,
    2010): r = sqrt(3/fan_avg).
    """
    shape = _shape(shape, "glorot_uniform")
    gain = check_number(gain, "gain", "glorot_uniform", minimum=0.0)
    return _draw(shape, gain**2 / _fan(shape, "fan_avg", "glorot_uniform"), "uniform", _dtype(dtype, "glorot_uniform"))


def _he_variance(shape, negative_slope, mode, where):
    slope = check_number(negative_slope, "negative_slope", where)
    return 2.0 / ((1.0 + slope**2) * _fan(shape, mode, where))


def he_normal(shape, negative_slope=0.0, mode="fan_in", dtype="float32"):
    """He (Kaiming) normal: W ~ N(0, σ²), σ² = 2 / ((1 + a²) · fan), fan = fan_in by default.

    He et al. (2015), "Delving deep into rectifiers": a ReLU passes on only half of
    the second moment, so doubling LeCun's 1/fan_in keeps the activations' variance
    constant through a deep ReLU network (a = ``negative_slope`` generalizes to leaky
    ReLU; ``mode="fan_out"`` preserves the gradients' variance instead). He et
    al. (2015), "Delving deep into rectifiers" (σ² = 2/n). Plain, untruncated normal.
    """
    shape = _shape(shape, "he_normal")
    variance = _he_variance(shape, negative_slope, mode, "he_normal")
    return _draw(shape, variance, "normal", _dtype(dtype, "he_normal"))


def he_uniform(shape, negative_slope=0.0, mode="fan_in", dtype="float32"):
    """He (Kaiming) uniform: W ~ U(-r, r), r = sqrt(3σ²) = sqrt(6 / ((1 + a²) · fan_in)).

    Same variance as :func:`he_normal` (He et al., 2015): r = sqrt(3σ²).
    """
    shape = _shape(shape, "he_uniform")
    variance = _he_variance(shape, negative_slope, mode, "he_uniform")
    return _draw(shape, variance, "uniform", _dtype(dtype, "he_uniform"))


def lecun_normal(shape, dtype="float32"):
    """LeCun normal: W ~ N(0, σ²), σ² = 1 / fan_in.

    LeCun, Bottou, Orr & Müller (1998), "Efficient BackProp": with inputs of unit
    variance, Var(Σ w x) = fan_in · Var(w) = 1. The initializer that keeps SELU
    networks self-normalizing (Klambauer et al. 2017). Plain, untruncated
    normal.
    """
    shape = _shape(shape, "lecun_normal")
    return _draw(shape, 1.0 / _fan(shape, "fan_in", "lecun_normal"), "normal", _dtype(dtype, "lecun_normal"))


def lecun_uniform(shape, dtype="float32"):
    """LeCun uniform: W ~ U(-r, r), r = sqrt(3 / fan_in) (variance 1/fan_in).

    LeCun et al. (1998), "Efficient BackProp".
    """
    shape = _shape(shape, "lecun_uniform")
    return _draw(shape, 1.0 / _fan(shape, "fan_in", "lecun_uniform"), "uniform", _dtype(dtype, "lecun_uniform"))


def variance_scaling(shape, scale=1.0, mode="fan_in", distribution="truncated_normal", dtype="float32"):
    """Keras' VarianceScaling: samples of variance ``scale / n``.

    n is fan_in, fan_out or fan_avg = (fan_in + fan_out)/2 by ``mode`` (at least 1).

    * ``"truncated_normal"``: N(0, σ²) cut at ±2σ with σ = sqrt(scale/n) / 0.87962566103423978,
      so that the truncated samples have standard deviation sqrt(scale/n);
    * ``"untruncated_normal"``: N(0, scale/n);
    * ``"uniform"``: U(-r, r) with r = sqrt(3 · scale/n).

    Every rule of this module is a special case: Glorot is (1, fan_avg), He is
    (2, fan_in), LeCun is (1, fan_in) (Glorot & Bengio 2010; He et al. 2015;
    LeCun et al. 1998).
    """
    shape = _shape(shape, "variance_scaling")
    scale = check_number(scale, "scale", "variance_scaling", positive=True)
    variance = scale / _fan(shape, mode, "variance_scaling")
    _choice(distribution, _DISTRIBUTIONS, "distribution", "variance_scaling")
    kind = {"untruncated_normal": "normal"}.get(distribution, distribution)
    return _draw(shape, variance, kind, _dtype(dtype, "variance_scaling"))


# ---------------------------------------------------------------------- structured
def orthogonal(shape, gain=1.0, dtype="float32"):
    """A (semi-)orthogonal matrix times ``gain``: W Wᵀ = gain² I (rows ≤ cols) or WᵀW = gain² I.

    Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear dynamics of
    learning in deep linear neural networks": orthogonal weights preserve the norm
    of every vector, so a deep linear network neither shrinks nor blows up signals
    and gradients. Drawn as the Q of the QR decomposition of a Gaussian matrix, with
    each column multiplied by the sign of R's diagonal so that Q is uniformly
    (Haar) distributed. Shapes with more than two dimensions are flattened to
    ``(shape[0], prod(shape[1:]))``. One of the Keras initializers.
    """
    shape = _shape(shape, "orthogonal")
    if len(shape) < 2:
        raise ValueError(f"orthogonal: needs at least 2 dimensions, got shape {shape}")
    gain = check_number(gain, "gain", "orthogonal")
    dt = _dtype(dtype, "orthogonal")
    rows, cols = shape[0], math.prod(shape[1:])
    if rows * cols == 0:
        return np.zeros(shape, dtype=dt)
    flat = generator().standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T  # QR of the tall matrix; transposed back below
    q, r = np.linalg.qr(flat)
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
    if rows < cols:
        q = q.T
    return (gain * q).reshape(shape).astype(dt)


def identity(shape, gain=1.0, dtype="float32"):
    """The identity matrix times ``gain``: W = gain · I (2-D only; non-square: ones on the diagonal).

    With W = I a layer starts as the identity map, as Keras' Identity and PyTorch's
    ``eye_``.
    """
    shape = _shape(shape, "identity")
    if len(shape) != 2:
        raise ValueError(f"identity: needs a 2-D shape, got shape {shape}")
    gain = check_number(gain, "gain", "identity")
    return (gain * np.eye(*shape)).astype(_dtype(dtype, "identity"))


# ---------------------------------------------------------------------- aliases
xavier_normal = glorot_normal
xavier_uniform = glorot_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform


# ---------------------------------------------------------------------- in place
zeros_ = _in_place(zeros)
ones_ = _in_place(ones)
constant_ = _in_place(constant)
normal_ = _in_place(normal)
small_normal_ = _in_place(small_normal)
uniform_ = _in_place(uniform)
truncated_normal_ = _in_place(truncated_normal)
glorot_normal_ = _in_place(glorot_normal)
glorot_uniform_ = _in_place(glorot_uniform)
he_normal_ = _in_place(he_normal)
he_uniform_ = _in_place(he_uniform)
lecun_normal_ = _in_place(lecun_normal)
lecun_uniform_ = _in_place(lecun_uniform)
orthogonal_ = _in_place(orthogonal)
identity_ = _in_place(identity)
variance_scaling_ = _in_place(variance_scaling)
xavier_normal_ = glorot_normal_
xavier_uniform_ = glorot_uniform_
kaiming_normal_ = he_normal_
kaiming_uniform_ = he_uniform_


# ---------------------------------------------------------------------- lookup
#: name → initializer; also Keras' class names ("GlorotUniform", "RandomNormal").
INITIALIZERS = Registry("initializer", {
    fn.__name__: fn for fn in (
        zeros, ones, constant, normal, small_normal, uniform, truncated_normal, glorot_normal, glorot_uniform,
        he_normal, he_uniform, lecun_normal, lecun_uniform, orthogonal, identity, variance_scaling,
    )
}, aliases={
    "xavier_normal": "glorot_normal", "xavier_uniform": "glorot_uniform", "kaiming_normal": "he_normal",
    "kaiming_uniform": "he_uniform", "random_normal": "normal", "random_uniform": "uniform",
})


def get(identifier):
    """An initializer from a name or a callable: a function ``shape -> np.ndarray``.

    Names are those of this module, their aliases (``xavier_*``, ``kaiming_*``,
    ``random_normal``, ``random_uniform``) and Keras' class names (``"GlorotUniform"``,
    ``"HeNormal"``, ``"RandomNormal"``, …); case, ``-``, ``_`` and spaces do not matter.
    ``"normal"`` is N(0, 1), as PyTorch's ``normal_``; ``"small_normal"`` is N(0, 0.01²).
    A callable is returned unchanged; anything else raises ValueError.
    """
    return INITIALIZERS.resolve(identifier)

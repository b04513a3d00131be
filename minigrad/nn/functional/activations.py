"""Activation functions g(z), composed from differentiable Tensor ops.

Each function takes a Tensor (or anything :func:`minigrad.tensor.as_tensor`
accepts) and returns a Tensor. Except for ``sparsemax``, they are built from the
engine's ops, so their gradients -- and gradients of gradients -- come from the
chain rule with nothing written by hand.

Why a network needs them (Goodfellow et al. 2016, "Deep Learning", §6.3):
without a non-linearity between layers, a stack of layers is one linear map.
The *saturating* ones (sigmoid, tanh) have gradients that vanish for large |z|;
the *non-saturating* ones (ReLU and its family) keep a gradient of 1 for z > 0.
The output layer's activation matches the loss (Goodfellow et al. 2016, §6.2.2;
Bishop 2006, §5.2): softmax for classes, linear for regression. The rest of
the list is Keras' catalogue of activations.

Numerical care: apart from ``exponential`` itself, nothing here exponentiates a
positive number (e^-|z|, e^min(z, 0), softmax's e^(z - max z)), so sigmoid, softplus,
log_sigmoid, softmax, mish, silu, gelu, elu, selu and celu stay finite -- values and
gradients -- at z = ±1000, in float32 as in float64.

Kinks: where a function has a corner, the gradient there follows the op that
makes the corner (relu: 0 at 0, the left derivative; clip: 1 on the closed interval).
Between kinks the piecewise-linear ones (relu, leaky_relu, hard_tanh, relu6,
threshold, hard_shrink, soft_shrink, hard_sigmoid, sparsemax) have second derivative 0,
returned as a zero gradient rather than an error (see :mod:`minigrad.ops.mask`).

Integer and boolean inputs: an activation whose values are not integers
(everything except relu, linear and maxout, which only pick input values)
computes in the default float dtype (float32), so ``silu(tensor([0, 1, 3]))``
is never truncated to integers.

What else the package knows about each activation -- its module class, the
initializer and gain that suit it, when it saturates, whether its units can die --
is one row of :mod:`minigrad.nn.functional.table`.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad import backend
from minigrad.autograd import Function
from minigrad.ops.axes import accepts_dim_aliases, normalize_axis
from minigrad.ops.mask import mask_grad
from minigrad.ops.unary import softplus as _softplus
from minigrad.tensor import DEFAULT_DTYPE, Tensor, as_tensor


# Klambauer et al. 2017: the fixed point (mean 0, variance 1) of SELU networks.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _one_axis(op, axis, x):
    """``axis`` as one non-negative int; these activations need at least one dimension."""
    if x.ndim == 0:
        raise ValueError(f"{op}: needs a tensor with at least one dimension, got a 0-d tensor")
    (axis,) = normalize_axis(op, axis, x.ndim)
    return axis


def _floating(x):
    """``x`` as a Tensor, integer and boolean data converted to the default float dtype.

    For the activations whose values are not integers: e.g. silu on int64 would
    otherwise multiply by a float and keep (or truncate to) the wrong type. Float
    tensors pass through untouched (float64 stays float64).
    """
    x = as_tensor(x)
    return x if x.dtype.kind == "f" else x.astype(DEFAULT_DTYPE)


# --------------------------------------------------------------------------- the ReLU family

def relu(x):
    """ReLU g(z) = max(0, z); g'(z) = 1 if z > 0 else 0 (0 at the kink).

    Nair & Hinton (2010); Glorot, Bordes & Bengio (2011); Goodfellow et al. 2016, §6.3.1.
    """
    return as_tensor(x).relu()


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU g(z) = z if z > 0 else ε·z, ε = ``negative_slope``; g' = 1 or ε: it never dies.

    Maas, Hannun & Ng (2013), "Rectifier nonlinearities improve neural network acoustic models".
    """
    x = _floating(x)
    return x.where(x > 0, x * negative_slope)


def elu(x, alpha=1.0):
    """ELU g(z) = z if z > 0 else α(e^z − 1); g'(z) = 1 or α·e^z (smooth at 0 when α = 1).

    Clevert, Unterthiner & Hochreiter (2015), "Fast and accurate deep network learning by
    exponential linear units (ELUs)". Computed as
    relu(z) + α·expm1(min(z, 0)), so e^z is never taken of a large positive z.
    """
    x = _floating(x)
    return x.relu() + x.clip(max=0.0).expm1() * alpha


def selu(x):
    """SELU g(z) = λ·elu(z, α), α ≈ 1.6733, λ ≈ 1.0507: self-normalizing (Klambauer et al. 2017).

    Pair it with LeCun-normal initialization (LeCun et al. 1998; Klambauer et al. 2017).
    """
    return elu(x, SELU_ALPHA) * SELU_SCALE


def celu(x, alpha=1.0):
    """CELU g(z) = max(0, z) + min(0, α(e^(z/α) − 1)); g' is continuous for every α (Barron 2017)."""
    if alpha == 0:
        raise ValueError("celu: alpha must be nonzero (it divides z)")
    x = _floating(x)
    return x.relu() + (x.clip(max=0.0) * (1.0 / alpha)).expm1() * alpha


def relu6(x):
    """ReLU6 g(z) = min(max(0, z), 6) (Krizhevsky 2010): ReLU capped at 6, i.e. hard_tanh(z, 0, 6)."""
    return hard_tanh(x, 0.0, 6.0)


def threshold(x, threshold, value):
    """Threshold g(z) = z if z > ``threshold`` else ``value``; g' = 1 above the threshold, 0 below.

    ``threshold(z, 0, 0)`` is ReLU.
    """
    x = _floating(x)
    return x.where(x > threshold, value)


# --------------------------------------------------------------------------- smooth rectifiers

def gelu(x, approximate="none"):
    """GELU g(z) = z·Φ(z) = ½z(1 + erf(z/√2)), Φ the standard normal CDF (Hendrycks & Gimpel 2016).

    ``approximate="tanh"``: ½z(1 + tanh(√(2/π)(z + 0.044715z³))).
    """
    x = _floating(x)
    if approximate == "none":
        return x * ((x * (1.0 / math.sqrt(2.0))).erf() + 1.0) * 0.5
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2.0 / math.pi)
        return x * (inner.tanh() + 1.0) * 0.5
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def softplus(x, beta=1.0, threshold=20.0):
    """Softplus g(z) = (1/β)·ln(1 + e^(βz)); g'(z) = σ(βz) (Dugas et al. 2001).

    A smooth ReLU, computed by the softplus op (ln(1 + e^-|βz|) + max(βz, 0), whose
    backward uses the sigmoid op, so g''(z) = β·σ'(βz) -- ¼ at 0 for β = 1 -- and
    every higher derivative is exact). Where βz > ``threshold`` it returns z itself,
    as PyTorch does.
    """
    if beta == 0:
        raise ValueError("softplus: beta must be nonzero (it divides the result)")
    x = _floating(x)
    bx = x * beta
    return x.where(bx > threshold, _softplus(bx) * (1.0 / beta))


def silu(x):
    """SiLU / swish g(z) = z·σ(z); g' = σ(z)(1 + z(1 − σ(z))) (Ramachandran et al. 2017; Elfwing et al. 2018)."""
    x = _floating(x)
    return x * x.sigmoid()


def mish(x):
    """Mish g(z) = z·tanh(softplus(z)) (Misra 2019); g''(0) = 2·(1 − tanh²(ln 2))·½ = 0.64."""
    x = _floating(x)
    return x * _softplus(x).tanh()


def squareplus(x, b=4.0):
    """Squareplus g(z) = (z + √(z² + b))/2: an algebraic softplus (Barron 2021); b = 0 gives ReLU."""
    if b < 0:
        raise ValueError(f"squareplus: b must be ≥ 0, got {b}")
    x = _floating(x)
    root = (x * x + b).sqrt()
    if b == 0:
        return (x + root) * 0.5
    # For z < 0, z + √(z² + b) cancels; the equal form b / (2(√(z² + b) − z)) does not.
    return ((x + root) * 0.5).where(x >= 0, b / ((root - x) * 2.0))


def sparse_plus(x):
    """SparsePlus g(z) = 0 for z ≤ −1, (z + 1)²/4 for |z| < 1, z for z ≥ 1 (Keras, JAX).

    A softplus that is exactly 0 and exactly linear outside [−1, 1]; g' = (z + 1)/2 inside.
    """
    x = _floating(x)
    return x.where(x >= 1.0, (x + 1.0).relu() ** 2 * 0.25)


# --------------------------------------------------------------------------- saturating

def sigmoid(x):
    """Sigmoid σ(z) = 1/(1 + e^-z); σ'(z) = σ(z)(1 − σ(z)) ≤ ¼: it saturates.

    Goodfellow et al. 2016, "Deep Learning", §6.3.2; Bishop 2006, §4.3.2 (logistic sigmoid).
    """
    return _floating(x).sigmoid()


def tanh(x):
    """tanh z = (e^z − e^-z)/(e^z + e^-z) = 2σ(2z) − 1; tanh' = 1 − tanh² (saturates).

    Goodfellow et al. 2016, "Deep Learning", §6.3.2; LeCun et al. (1998), "Efficient BackProp".
    """
    return as_tensor(x).tanh()  # the op itself computes integers as floats


def softsign(x):
    """Softsign g(z) = z/(1 + |z|); g'(z) = 1/(1 + |z|)².

    Like tanh, but it saturates polynomially, not exponentially (studied by Glorot & Bengio 2010).
    """
    x = _floating(x)
    return x / (x.abs() + 1.0)


def hard_sigmoid(x):
    """Hard sigmoid g(z) = relu6(z + 3)/6: 0 below −3, 1 above 3, z/6 + ½ between (Howard et al. 2019)."""
    return relu6(_floating(x) + 3.0) * (1.0 / 6.0)


def hard_silu(x):
    """Hard SiLU / hard swish g(z) = z·hard_sigmoid(z) (Howard et al. 2019, MobileNetV3)."""
    x = _floating(x)
    return x * hard_sigmoid(x)


def hard_tanh(x, min_val=-1.0, max_val=1.0):
    """Hard tanh g(z) = min(max(z, min_val), max_val); g' = 1 inside, 0 outside."""
    if min_val > max_val:
        raise ValueError(f"hard_tanh: min_val ({min_val}) is greater than max_val ({max_val})")
    return _floating(x).clip(min_val, max_val)


def log_sigmoid(x):
    """Log-sigmoid g(z) = ln σ(z) = −softplus(−z); g'(z) = σ(−z) = 1 − σ(z), g''(0) = −¼. Stable for z ≪ 0."""
    return -_softplus(-_floating(x))


# --------------------------------------------------------------------------- shrinkage

def hard_shrink(x, lambd=0.5):
    """Hard shrinkage g(z) = z if |z| > λ else 0: small values are zeroed, large kept."""
    if lambd < 0:
        raise ValueError(f"hard_shrink: lambd must be ≥ 0, got {lambd}")
    x = _floating(x)
    return x.where(x.abs() > lambd, 0.0)


def soft_shrink(x, lambd=0.5):
    """Soft shrinkage g(z) = z − clip(z, −λ, λ); g' = 0 on [−λ, λ], else 1.

    z − λ above λ, z + λ below −λ, 0 between: soft thresholding (Donoho 1995).
    """
    if lambd < 0:
        raise ValueError(f"soft_shrink: lambd must be ≥ 0, got {lambd}")
    x = _floating(x)
    return x - x.clip(-lambd, lambd)


def tanh_shrink(x):
    """Tanh shrinkage g(z) = z − tanh z; g'(z) = tanh² z."""
    x = _floating(x)
    return x - x.tanh()


# --------------------------------------------------------------------------- output layer

@accepts_dim_aliases
def softmax(x, axis=-1):
    """Softmax S(z)_i = e^(z_i) / Σ_j e^(z_j): probabilities over ``axis``, computed stably.

    Goodfellow et al. 2016, "Deep Learning", §6.2.2.3; Bishop 2006, §4.3.4 (multiclass logistic).
    """
    return _floating(x).softmax(axis=axis)


@accepts_dim_aliases
def log_softmax(x, axis=-1):
    """ln softmax(z)_i = z_i − ln Σ_j e^(z_j) (pairs with the negative log-likelihood loss)."""
    return _floating(x).log_softmax(axis=axis)


def linear(x):
    """Identity g(z) = z, g' = 1: the output unit for regression.

    Goodfellow et al. 2016, "Deep Learning", §6.2.2.1 (linear units for Gaussian outputs).
    """
    return as_tensor(x)


def exponential(x):
    """Exponential g(z) = e^z = g'(z) (Keras). Unbounded: overflows for z ≳ 88 in float32."""
    return _floating(x).exp()


class Sparsemax(Function):
    """Euclidean projection of z onto the probability simplex, along ``axis``.

    forward:  sort z descending, z_(1) ≥ z_(2) ≥ …; the support size is
              k = max{k : 1 + k·z_(k) > Σ_{j≤k} z_(j)}, the threshold
              τ = (Σ_{j≤k} z_(j) − 1)/k, and sparsemax(z) = max(z − τ, 0).
    backward: with S the support (outputs > 0), the Jacobian is diag(s) − s sᵀ/|S|, so
              dC/dz = s ⊙ (g − Σ_{j∈S} g_j / |S|).
    """

    name = "sparsemax"

    def forward(self, a, axis):
        z = np.moveaxis(a, axis, -1)
        z = z - z.max(axis=-1, keepdims=True)  # shift invariant; keeps the sums small
        z_sorted = -np.sort(-z, axis=-1)
        cumsum = np.cumsum(z_sorted, axis=-1)
        k = backend.module_of(a).arange(1, z.shape[-1] + 1, dtype=a.dtype)  # NumPy or CuPy
        support_size = (1 + k * z_sorted > cumsum).sum(axis=-1, keepdims=True)  # ≥ 1: the max is in it
        tau = (np.take_along_axis(cumsum, support_size - 1, axis=-1) - 1) / support_size.astype(a.dtype)
        out = np.moveaxis(np.maximum(z - tau, 0), -1, axis)
        self.axis = axis
        self.support = out > 0
        return out

    def backward(self, g):
        # h = s ⊙ g, recorded with x so that the (piecewise zero) second derivative
        # exists; since s ⊙ s = s, s ⊙ (g − Σ s g/|S|) = h − s ⊙ Σ h/|S|.
        h = mask_grad(g, self.inputs[0], self.support)
        s = Tensor.constant(self.support, dtype=g.dtype)
        size = Tensor.constant(self.support.sum(axis=self.axis, keepdims=True), dtype=g.dtype)
        return (h - s * (h.sum(axis=self.axis, keepdims=True) / size),)


@accepts_dim_aliases
def sparsemax(x, axis=-1):
    """Sparsemax(z) = argmin_{p ∈ Δ} ‖p − z‖² = max(z − τ(z), 0) along ``axis`` (Martins & Astudillo 2016).

    Like softmax it outputs a probability vector, but the projection onto the
    simplex Δ sets low scores to exactly 0. τ and the Jacobian: :class:`Sparsemax`.
    """
    x = _floating(x)
    return Sparsemax.apply(x, axis=_one_axis("sparsemax", axis, x))


@accepts_dim_aliases
def glu(x, axis=-1):
    """Gated linear unit: split z in halves (a, b) along ``axis``; g(z) = a ⊙ σ(b) (Dauphin et al. 2017).

    The result is half as long along ``axis``; that axis must have even length.
    """
    x = _floating(x)
    axis = _one_axis("glu", axis, x)
    n = x.shape[axis]
    if n % 2:
        raise ValueError(f"glu: axis {axis} has odd length {n}; it must split into two equal halves")
    lead = (slice(None),) * axis
    return x[lead + (slice(0, n // 2),)] * x[lead + (slice(n // 2, n),)].sigmoid()


@accepts_dim_aliases
def maxout(x, pieces, axis=-1):
    """Maxout g(z)_i = max_{j<p} z_{i·p + j}: the max of each group of p = ``pieces`` units.

    Groups are consecutive along ``axis``, whose length k·p becomes k.
    max(W₁x + b₁, W₂x + b₂) is maxout with
    p = 2 after a layer of 2k units (Goodfellow et al. 2013). The gradient goes to
    each group's winner (ties share it).
    """
    x = as_tensor(x)
    axis = _one_axis("maxout", axis, x)
    if isinstance(pieces, bool) or not isinstance(pieces, (int, np.integer)) or pieces < 1:
        raise ValueError(f"maxout: pieces must be a positive int, got {pieces!r}")
    n = x.shape[axis]
    if n % pieces:
        raise ValueError(f"maxout: axis {axis} has length {n}, which is not divisible by pieces={pieces}")
    grouped = x.reshape(x.shape[:axis] + (n // pieces, int(pieces)) + x.shape[axis + 1:])
    return grouped.max(axis=axis + 1)


# Every public function (and Function) defined here, so that adding an activation is
# its function and its row in the table, with no list to keep up to date.
__all__ = [name for name, obj in list(globals().items())
           if not name.startswith("_") and getattr(obj, "__module__", None) == __name__] + ["SELU_ALPHA", "SELU_SCALE"]

"""Weight regularizers: callables ``tensor -> scalar Tensor`` added to the loss.

Regularization adds a complexity term to the cost (Goodfellow et al. 2016, "Deep
Learning", §7.1):

    J_λ(w) = J(w) + λ R(w)

so that the optimizer trades fitting the training data against keeping the weights
simple. Each penalty here is built from Tensor ops, so it is differentiable and its
gradient flows into the weights with the data loss::

    >>> import minigrad as mg
    >>> from minigrad.nn import regularizers
    >>> W = mg.tensor([[1.0, -2.0], [0.5, 0.0]], requires_grad=True)
    >>> penalty = regularizers.L2(0.01)(W)      # 0.01 · Σ w²
    >>> round(penalty.item(), 6)
    0.0525
    >>> penalty.backward(); W.grad.numpy()      # 2 · 0.01 · W: weight decay
    array([[ 0.02, -0.04],
           [ 0.01,  0.  ]], dtype=float32)

The formulas follow Keras (``l1 · Σ|w|``, ``l2 · Σw²``, no factor ½), which is also
how the course writes them (L² regularization: J + λ Σ w²).

=================  ==========================================  ===========================
regularizer        penalty                                     effect
=================  ==========================================  ===========================
L1(l1)             l1 · Σ |w|                                  sparse weights (Lasso)
L2(l2)             l2 · Σ w²                                   small weights (Ridge, decay)
L1L2(l1, l2)       l1 · Σ |w| + l2 · Σ w²                      both
ElasticNet(λ, β)   λ · Σ (β |w| + (1 − β)/2 · w²)              both, one strength λ
Orthogonal(f, m)   f · mean over pairs i<j of |ŵ_i · ŵ_j|      orthogonal rows/columns
=================  ==========================================  ===========================
"""

from __future__ import annotations

import math
import numbers

from minigrad.creation import eye
from minigrad.ops import maximum, sqrt
from minigrad.registry import Registry
from minigrad.tensor import Tensor, as_tensor

__all__ = ["Regularizer", "L1", "L2", "L1L2", "ElasticNet", "Orthogonal", "get", "REGULARIZERS"]


def _coefficient(value, name, where):
    """A finite, non-negative real number as a float; otherwise ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: {name} must be a non-negative finite number, got {name}={value!r}")
    return float(value)


def _as_tensor(x):
    return x if isinstance(x, Tensor) else as_tensor(x)


class Regularizer:
    """Base class: a callable ``tensor -> scalar Tensor`` penalty.

    Subclasses implement :meth:`__call__` with Tensor ops (so the penalty is
    differentiable) and list their constructor arguments in :meth:`get_config`,
    which also gives the ``repr`` (``L2(l2=0.01)``). Any plain function
    ``tensor -> scalar Tensor`` works wherever a regularizer is expected.
    """

    def __call__(self, x):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(x)")

    def get_config(self):
        """The constructor arguments as a dict: ``type(r)(**r.get_config())`` rebuilds ``r``."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """L1 penalty (Lasso): R(w) = l1 · Σ |w_j|.

    Its gradient l1 · sign(w) shrinks every weight by the same amount whatever its
    size, which drives small weights to exactly zero: sparse models, implicit
    feature selection (Tibshirani 1996; Goodfellow et al. 2016, §7.1.2:
    W ← W − ηλ sgn(W) − …). The derivative at w = 0 is taken as 0.
    """

    def __init__(self, l1=0.01):
        self.l1 = _coefficient(l1, "l1", "L1")

    def __call__(self, x):
        return self.l1 * _as_tensor(x).abs().sum()

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """L2 penalty (Ridge, weight decay): R(w) = l2 · Σ w_j² = l2 · wᵀw.

    Its gradient 2 · l2 · w shrinks each weight in proportion to its size: plain
    gradient descent becomes w ← (1 − 2ηλ) w − η ∇J, i.e. weight decay (Krogh &
    Hertz 1992; Goodfellow et al. 2016, "Deep Learning", §7.1.1). No factor ½, as in
    Keras: the decay factor is 2ηλ.
    """

    def __init__(self, l2=0.01):
        self.l2 = _coefficient(l2, "l2", "L2")

    def __call__(self, x):
        return self.l2 * (_as_tensor(x) ** 2).sum()

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """L1 and L2 together (Keras' L1L2): R(w) = l1 · Σ |w_j| + l2 · Σ w_j².

    Both coefficients default to 0 (as Keras' class); the name ``"l1_l2"`` in
    :func:`get` gives l1 = l2 = 0.01 (as Keras' ``l1_l2``). A zero coefficient
    drops its term. Complexity = Σ|w|^q, q = 1, 2 (Bishop 2006, §3.1.4).
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _coefficient(l1, "l1", "L1L2")
        self.l2 = _coefficient(l2, "l2", "L1L2")

    def __call__(self, x):
        x = _as_tensor(x)
        penalty = None
        if self.l1:
            penalty = self.l1 * x.abs().sum()
        if self.l2:
            term = self.l2 * (x**2).sum()
            penalty = term if penalty is None else penalty + term
        return (x * 0.0).sum() if penalty is None else penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class ElasticNet(Regularizer):
    """Elastic net: R(w) = λ · Σ_j (β |w_j| + (1 − β)/2 · w_j²), 0 ≤ β ≤ 1.

    β balances the L1 part (sparsity) against the L2 part (small, spread-out
    weights): β = 1 is ``L1(λ)``, β = 0 is ``L2(λ/2)``. The elastic net of
    Zou & Hastie (2005). Unlike :class:`L1L2`, the
    overall strength λ and the mix β are separate knobs.
    """

    def __init__(self, lam=0.01, beta=0.5):
        self.lam = _coefficient(lam, "lam", "ElasticNet")
        if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or not 0.0 <= beta <= 1.0:
            raise ValueError(f"ElasticNet: beta must lie in [0, 1], got beta={beta!r}")
        self.beta = float(beta)

    def __call__(self, x):
        x = _as_tensor(x)
        l1 = self.lam * self.beta
        l2 = self.lam * (1.0 - self.beta) / 2.0
        if l2 == 0.0:
            return l1 * x.abs().sum()
        if l1 == 0.0:
            return l2 * (x**2).sum()
        return (l1 * x.abs() + l2 * x**2).sum()

    def get_config(self):
        return {"lam": self.lam, "beta": self.beta}


class Orthogonal(Regularizer):
    """Keras' OrthogonalRegularizer: pushes the rows (or columns) of a 2-D weight towards orthogonality.

    With ``mode="rows"``, each row w_i is scaled to unit length, ŵ_i = w_i / ‖w_i‖
    (‖w_i‖ floored at 1e-6 so zero rows stay finite), and the penalty is ``factor``
    times the mean absolute cosine between distinct rows::

        R(W) = factor · Σ_{i<j} |ŵ_i · ŵ_j| / (n(n − 1)/2)
             = factor · ½ · Σ_{i≠j} |(Ŵ Ŵᵀ)_ij| / (n(n − 1)/2)

    for n rows -- exactly Keras' formula (``factor * 0.5 * sum(|P ⊙ (1 − I)|) /
    num_pairs``); it lies in [0, factor]. ``mode="columns"`` does the same with the
    columns (Ŵᵀ Ŵ). A single row (n = 1) has no pairs: the penalty is 0 (Keras
    divides by zero).

    Layout note: minigrad weights are (out, in), so on an ``nn.Linear`` weight
    ``mode="rows"`` decorrelates the units' weight vectors -- what Keras'
    ``"columns"`` does on its (in, out) kernel. Related to the orthogonal
    initialization of Saxe et al. (2014) (:func:`minigrad.nn.init.orthogonal`).
    """

    _EPS = 1e-12  # floor of the squared norm (TensorFlow's l2_normalize)

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _coefficient(factor, "factor", "Orthogonal")
        if mode not in ("rows", "columns"):
            raise ValueError(f"Orthogonal: unknown mode {mode!r}; expected 'rows' or 'columns'")
        self.mode = mode

    def __call__(self, x):
        x = _as_tensor(x)
        if x.ndim != 2:
            raise ValueError(f"Orthogonal: needs a 2-D weight, got shape {x.shape}")
        axis = 1 if self.mode == "rows" else 0
        unit = x / sqrt(maximum((x**2).sum(axis=axis, keepdims=True), self._EPS))
        product = unit @ unit.T if self.mode == "rows" else unit.T @ unit
        n = product.shape[0]
        if n < 2:
            return (x * 0.0).sum()
        off_diagonal = product * (1.0 - eye(n, dtype=x.dtype))
        return (self.factor * 0.5 / (n * (n - 1) / 2.0)) * off_diagonal.abs().sum()

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


#: name → a function that makes the regularizer with the default coefficients.
REGULARIZERS = Registry("regularizer", {
    "l1": L1, "l2": L2, "l1_l2": lambda: L1L2(l1=0.01, l2=0.01), "elastic_net": ElasticNet, "orthogonal": Orthogonal,
}, aliases={"orthogonal_regularizer": "orthogonal"}, none=None)


def get(identifier):
    """A regularizer from ``None``, a callable or a name.

    ``None`` → ``None`` (no penalty); a :class:`Regularizer` or any callable is
    returned as is; a name (case, ``-``, ``_`` and spaces ignored) gives the regularizer with
    default coefficients: ``"l1"`` → ``L1(0.01)``, ``"l2"`` → ``L2(0.01)``, ``"l1_l2"`` /
    ``"L1L2"`` → ``L1L2(0.01, 0.01)``, ``"elastic_net"`` → ``ElasticNet(0.01, 0.5)``,
    ``"orthogonal"`` → ``Orthogonal(0.01, "rows")``. Anything else raises ValueError.
    """
    make = REGULARIZERS.resolve(identifier)
    return make() if isinstance(identifier, str) else make

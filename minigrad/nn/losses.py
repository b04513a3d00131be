"""Loss functions: how far the network's outputs are from the targets.

Training minimises a loss L(ŷ, y) averaged over the data (Goodfellow et al.
2016, "Deep Learning", §6.2.1; Bishop 2006, §5.2). Each function here computes the
loss of every element or sample and then *reduces* it:

    reduction="mean"   the average of all the per-element / per-sample losses
    reduction="sum"    their sum
    reduction="none"   the unreduced losses (elementwise losses keep the input's
                       shape; classification losses give one value per sample)

Every loss is composed from Tensor ops, so it is differentiable to any order.
Inputs and targets must have exactly the shapes the loss expects: nothing is
broadcast, because mse((N, 1), (N,)) silently becoming an N×N matrix is a classic
bug. Targets may be NumPy arrays, lists or Tensors.

==================================  ===================================================
loss                                per element / per sample
==================================  ===================================================
mse                                 (ŷ − y)²
mae                                 |ŷ − y|
huber                               ½(ŷ − y)² if |ŷ − y| < δ, else δ(|ŷ − y| − ½δ)
binary_cross_entropy                −[y ln p + (1 − y) ln(1 − p)]
cross_entropy                       −Σ_c y_c ln softmax(z)_c
nll                                 −ln p_t   (given ln p)
hinge                               max(1 − y·ŷ, 0),  y ∈ {−1, 1}
categorical_hinge                   max(max_c (1 − y_c) ŷ_c − Σ_c y_c ŷ_c + 1, 0)
multiclass_hinge                    Σ_{j≠t} max(0, ŷ_j − ŷ_t + Δ)
classification_error  (a metric)    [argmax ŷ ≠ t]
==================================  ===================================================

Example::

    >>> import minigrad as mg
    >>> from minigrad.nn import losses
    >>> logits = mg.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
    >>> loss = losses.cross_entropy(logits, [0])
    >>> loss.backward()          # logits.grad = softmax(logits) − onehot
"""

from __future__ import annotations

import numpy as np

from minigrad import backend
from minigrad.ops import where
from minigrad.ops.loss import softmax_cross_entropy, squared_error
from minigrad.ops.unary import softplus
from minigrad.registry import Registry
from minigrad.tensor import FLOAT_DTYPES, Tensor, as_tensor, float32

__all__ = [
    "mse", "mae", "huber", "binary_cross_entropy", "cross_entropy", "nll",
    "hinge", "categorical_hinge", "classification_error", "get", "LOSSES", "EPSILON",
    "multiclass_hinge",
]

EPSILON = 1e-7
"""Probabilities are clipped to [EPSILON, 1 − EPSILON] before taking logs (as Keras
does), so a confident wrong prediction costs −ln(1e-7) ≈ 16.1 instead of ∞."""

_REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- helpers

def _reduce(loss, reduction, name):
    """Apply ``reduction`` ("mean" | "sum" | "none") to a tensor of losses."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{name}: unknown reduction {reduction!r}; use one of {', '.join(map(repr, _REDUCTIONS))}")


def _weighted_mean_or_reduce(loss, sample_weights, reduction, name):
    """``_reduce``, except that with per-sample weights w (the class weights of each sample's
    target) "mean" is Σ ℓᵢ / Σ wᵢ: the weighted average PyTorch's cross_entropy and nll_loss
    take (ℓᵢ already carries its factor wᵢ)."""
    if sample_weights is not None and reduction == "mean":
        return loss.sum() / float(sample_weights.sum())
    return _reduce(loss, reduction, name)


def _masked_mean_or_reduce(loss, sample_weights, kept, reduction, name):
    """``_weighted_mean_or_reduce`` of the samples ``kept`` (a 0/1 mask; None: all): the others'
    losses become 0 and their weights leave the mean's denominator."""
    if kept is None:
        return _weighted_mean_or_reduce(loss, sample_weights, reduction, name)
    loss = loss * as_tensor(kept, like=loss)
    sample_weights = kept if sample_weights is None else sample_weights * kept
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0/0 = NaN, as PyTorch
            return loss.sum() / np.float64(sample_weights.sum())
    return _reduce(loss, reduction, name)


def _class_weights(weight, x, axis, name):
    """``weight`` (one number per class) as a constant Tensor lined up with the class axis of ``x``,
    and as a NumPy array; (None, None) when no weight is given."""
    if weight is None:
        return None, None
    w = _labels(weight).astype(np.float64)
    if w.shape != (x.shape[axis],):
        raise ValueError(f"{name}: weight must have one entry per class, shape ({x.shape[axis]},), got {w.shape}")
    shape = (-1,) + (1,) * (x.ndim - axis - 1)
    return as_tensor(w.reshape(shape), like=x), w


def _input(x):
    """The prediction as a floating Tensor (arrays keep float64; other data becomes float32)."""
    if isinstance(x, Tensor):
        return x if x.dtype.kind == "f" else x.astype(float32)
    arr = np.asarray(x)
    return Tensor(arr, dtype=arr.dtype if arr.dtype in FLOAT_DTYPES else float32)


def _target(target, like, name):
    """A value target as a Tensor of ``like``'s dtype and device, shaped exactly like it.

    A Tensor target stays in the graph (so a loss between two learned tensors
    differentiates both); anything else becomes a constant.
    """
    if isinstance(target, Tensor):
        t = target.to(like.device).astype(like.dtype)
    else:
        t = as_tensor(np.asarray(target), like=like)
    if t.shape != like.shape:
        raise ValueError(
            f"{name}: input shape {like.shape} and target shape {t.shape} differ; "
            "losses do not broadcast, reshape one of them (e.g. target.reshape(input.shape))"
        )
    return t


def _labels(target):
    """Target values as a NumPy array (labels are constants: no gradient)."""
    return target.numpy() if isinstance(target, Tensor) else np.asarray(target)


def _class_axis(x):
    """Classes lie along axis 1 of an (N, C, ...) input, axis 0 of a single sample (C,)."""
    return 1 if x.ndim >= 2 else 0


def _indices(labels, n_classes, name, ignore_index=None):
    """Check that ``labels`` are class indices in [0, n_classes) and return them as int64
    (entries equal to ``ignore_index`` pass, replaced by class 0: the caller masks them)."""
    if labels.dtype.kind == "f" and np.all(np.isfinite(labels)) and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)  # whole-number floats (e.g. read from a CSV) are fine
    if ignore_index is not None and labels.dtype.kind in "iu":
        labels = np.where(labels == ignore_index, 0, labels)
    if labels.dtype.kind not in "iu":
        sample = labels.ravel()[:3].tolist()
        raise ValueError(
            f"{name}: class-index targets must be integers, got {labels.dtype} values such as {sample}; "
            "pass integer class indices or one-hot/probability targets shaped like the input"
        )
    bad = (labels < 0) | (labels >= n_classes)
    if bad.any():
        raise ValueError(
            f"{name}: class index {labels[bad].ravel()[0]} is out of range for {n_classes} classes "
            f"(valid indices are 0 … {n_classes - 1})"
        )
    return labels.astype(np.int64, copy=False)


def _split_target(x, target, name, ignore_index=None):
    """Interpret a classification target for input ``x`` (classes along ``_class_axis``).

    Returns ``(indices, None)`` for integer class indices shaped like ``x`` without
    its class axis, or ``(None, probabilities)`` for a one-hot/probability target
    shaped like ``x``.
    """
    axis = _class_axis(x)
    if x.ndim == 0:
        raise ValueError(f"{name}: input must have a class axis, shape (N, C) or (C,); got shape ()")
    batch_shape = x.shape[:axis] + x.shape[axis + 1:]
    shape = tuple(target.shape) if hasattr(target, "shape") else np.shape(target)
    if shape == x.shape:
        return None, _target(target, x, name)
    if shape == batch_shape:
        return _indices(_labels(target), x.shape[axis], name, ignore_index), None
    raise ValueError(
        f"{name}: input shape {x.shape} and target shape {shape} do not match; expected class indices "
        f"of shape {batch_shape} or one-hot/probabilities of shape {x.shape}"
    )


def _kept(target, ignore_index):
    """The samples whose class index is not ``ignore_index``, as a float mask (None: all are kept)."""
    if ignore_index is None:
        return None
    kept = _labels(target) != ignore_index
    return None if kept.all() else kept.astype(np.float64)


def _pick(x, indices, axis):
    """x[…, indices, …] along ``axis``: each sample's entry for its class (scatter-add gradient)."""
    grids = list(np.indices(indices.shape, sparse=True))  # one broadcastable arange per batch axis
    grids.insert(axis, indices)
    return x[tuple(backend.to_device(g, x.device) for g in grids)]


def _one_hot(x, indices, probs, axis):
    """The target as a constant one-hot Tensor shaped like ``x`` (from indices, or ``probs`` as given)."""
    if indices is None:
        return probs
    xp = backend.array_module(x.device)
    eye = xp.eye(x.shape[axis], dtype=x.dtype)
    return Tensor.constant(xp.moveaxis(eye[backend.to_device(indices, x.device)], -1, axis))


def _check_unit_interval(values, what, name, hint=""):
    """Raise a ValueError naming the first value of ``values`` outside [0, 1] (NaN included)."""
    data = values.numpy()
    bad = ~((data >= 0) & (data <= 1))  # NaN compares false both ways, so it is caught too
    if bad.any():
        raise ValueError(f"{name}: {what} must lie in [0, 1], got {data[bad].ravel()[0]}{hint}")


# --------------------------------------------------------------------------- regression

def mse(input, target, reduction="mean"):
    """Mean squared error: ℓᵢ = (ŷᵢ − yᵢ)², averaged over every element.

    The squared error C = ½‖y − t‖², whose gradient y − t is the delta of a linear
    output (Bishop 2006, §5.2). "mean" divides by the number of elements, as
    PyTorch does; the course's worked table instead sums each row and averages
    over rows, i.e.
    ``mse(p, y, reduction="sum") / N``.
    """
    x = _input(input)
    t = _target(target, x, "mse")
    if reduction in ("mean", "sum"):
        return squared_error(x, t, mean=reduction == "mean")  # one fused op
    d = x - t
    return _reduce(d * d, reduction, "mse")


def mae(input, target, reduction="mean"):
    """Mean absolute error: ℓᵢ = |ŷᵢ − yᵢ| (the L1 loss).

    Less sensitive to outliers than MSE; its gradient ±1 (0 at a perfect fit)
    does not shrink as the error does.
    """
    x = _input(input)
    return _reduce((x - _target(target, x, "mae")).abs(), reduction, "mae")


def huber(input, target, delta=1.0, reduction="mean"):
    """Huber loss: quadratic for small errors, linear for large ones.

        ℓᵢ = ½ dᵢ²            if |dᵢ| < δ
        ℓᵢ = δ (|dᵢ| − ½ δ)   otherwise,          dᵢ = ŷᵢ − yᵢ

    (PyTorch's HuberLoss.) It behaves like MSE near the target and like δ·MAE far
    from it, so outliers pull with a bounded force δ. A robust variant of the
    squared error (Huber 1964).
    """
    if not delta > 0:
        raise ValueError(f"huber: delta must be positive, got {delta}")
    x = _input(input)
    d = x - _target(target, x, "huber")
    a = d.abs()
    loss = where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return _reduce(loss, reduction, "huber")


# --------------------------------------------------------------------------- classification

def binary_cross_entropy(input, target, from_logits=False, reduction="mean", weight=None, pos_weight=None):
    """Binary cross-entropy for targets y ∈ [0, 1] (usually 0 or 1).

        ℓᵢ = −[yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)]

    Cross entropy as maximum likelihood (Goodfellow et al. 2016, "Deep Learning",
    §6.2.2.2; Bishop 2006, §4.3.2): for a sigmoid output this is −ln p(t | y), and
    its delta is simply σ(z) − t.

    ``from_logits=False``: ``input`` holds probabilities p, clipped to
    [EPSILON, 1 − EPSILON] (EPSILON = 1e-7, as Keras) so the log stays finite.
    ``from_logits=True``: ``input`` holds logits z with p = σ(z), computed stably as

        ℓᵢ = max(zᵢ, 0) − zᵢ yᵢ + ln(1 + e^{−|zᵢ|})

    i.e. softplus(z) − z·y with the softplus op: it never overflows (finite at
    z = ±1000), is exact where σ(z) rounds to 0 or 1, and its second derivative
    σ'(z) is exact everywhere, z = 0 included.

    Targets outside [0, 1] (or NaN) raise a ValueError, and so do probabilities
    outside [0, 1] when ``from_logits=False`` (logits passed by mistake would
    otherwise be silently clipped).

    ``weight`` (as PyTorch): a factor wᵢ on each element's loss, broadcast to the
    input's shape; "mean" stays the plain average. ``pos_weight`` (logits only, as
    PyTorch's BCEWithLogitsLoss): a factor π on the positive term,
    ℓᵢ = −[π yᵢ ln σ(zᵢ) + (1 − yᵢ) ln(1 − σ(zᵢ))], computed as the stable form above
    plus (π − 1)·yᵢ·softplus(−zᵢ) (since −ln σ(z) = softplus(−z)).
    """
    x = _input(input)
    y = _target(target, x, "binary_cross_entropy")
    _check_unit_interval(y, "targets", "binary_cross_entropy")
    if pos_weight is not None and not from_logits:
        raise ValueError("binary_cross_entropy: pos_weight needs from_logits=True (it is BCEWithLogitsLoss's option)")
    if from_logits:
        loss = softplus(x) - x * y
        if pos_weight is not None:
            loss = loss + (as_tensor(np.asarray(_labels(pos_weight), dtype=np.float64), like=x) - 1.0) * y * softplus(-x)
    else:
        _check_unit_interval(
            x, "probabilities", "binary_cross_entropy", " (pass from_logits=True for logits)"
        )
        p = x.clip(EPSILON, 1.0 - EPSILON)
        loss = -(y * p.log() + (1.0 - y) * (1.0 - p).log())
    if weight is not None:
        w = as_tensor(np.asarray(_labels(weight), dtype=np.float64), like=x)
        try:
            fits = np.broadcast_shapes(w.shape, x.shape) == x.shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"binary_cross_entropy: weight of shape {w.shape} does not broadcast to the input "
                             f"shape {x.shape}")
        loss = loss * w
    return _reduce(loss, reduction, "binary_cross_entropy")


def cross_entropy(input, target, from_logits=True, label_smoothing=0.0, reduction="mean", weight=None,
                  ignore_index=None):
    """Categorical cross-entropy ("average cross entropy", ACE).

        ℓᵢ = −Σ_c y_{ic} ln p_{ic},    p_i = softmax(z_i)

    The average cross entropy ACE = −(1/n) Σᵢ Σⱼ yᵢʲ ln Sʲ(zᵢ); with a softmax output the
    delta is softmax(z) − t (Bishop 2006, §4.3.4; Goodfellow et al. 2016, §6.2.2.3).

    ``input``: logits of shape (N, C) or (C,) for one sample, or (N, C, d₁, …) with
    classes on axis 1. By default (``from_logits=True``) ln p = log_softmax(z),
    stable for logits of any size; with ``from_logits=False`` the input holds
    probabilities, clipped below at EPSILON before the log (not renormalised).

    ``target``: integer class indices of shape (N,) (then ℓᵢ = −ln p_{i,tᵢ}) or
    one-hot/probabilities of shape (N, C). Label smoothing ε replaces the target by
    (1 − ε)·y + ε/C. Returns one loss per sample before reduction.

    ``weight``: one factor w_c per class, as PyTorch: ln p_c is weighted by w_c
    (ℓᵢ = −w_{tᵢ} ln p_{i,tᵢ} for class indices), and then "mean" with class indices
    is the weighted average Σᵢ ℓᵢ / Σᵢ w_{tᵢ} (the plain mean over samples for
    probability targets).

    ``ignore_index``: with class indices, samples whose target is this value (PyTorch's
    −100 for padding, say) have loss 0 and leave the "mean" (Σ over the others / their
    count or weight; NaN when every sample is ignored, as in PyTorch).
    """
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    x = _input(input)
    axis = _class_axis(x)
    indices, probs = _split_target(x, target, "cross_entropy", ignore_index)
    kept = None if indices is None else _kept(target, ignore_index)
    w, w_array = _class_weights(weight, x, axis, "cross_entropy")
    if indices is not None and from_logits and x.ndim == 2 and reduction in _REDUCTIONS and w is None and kept is None:
        return softmax_cross_entropy(x, indices, label_smoothing, reduction)  # one fused op
    logp = x.log_softmax(axis=axis) if from_logits else x.clip(min=EPSILON).log()
    if w is not None:
        logp = logp * w
    if indices is not None:
        # (1 − ε)·(−ln p_t) + ε·mean_c(−ln p_c): smoothing without building a one-hot matrix
        loss = -_pick(logp, indices, axis)
        if label_smoothing:
            loss = (1.0 - label_smoothing) * loss - label_smoothing * logp.mean(axis=axis)
        return _masked_mean_or_reduce(loss, None if w is None else w_array[indices], kept, reduction, "cross_entropy")
    if label_smoothing:
        probs = (1.0 - label_smoothing) * probs + label_smoothing / x.shape[axis]
    loss = -(probs * logp).sum(axis=axis)
    return _reduce(loss, reduction, "cross_entropy")


def nll(log_probs, target, reduction="mean", weight=None, ignore_index=None):
    """Negative log-likelihood of class indices: ℓᵢ = −ln p_{i,tᵢ}, given ln p.

    Maximum likelihood (Goodfellow et al. 2016, "Deep Learning", §5.5):
    J = −(1/n) Σᵢ ln p(tᵢ | y(xᵢ)).
    ``log_probs`` is (N, C) (or (C,), or (N, C, d₁, …)), e.g. from ``log_softmax``;
    ``target`` holds integer class indices shaped like it without the class axis.
    ``nll(log_softmax(z), t)`` equals ``cross_entropy(z, t)``. ``weight``: one factor per
    class, as in :func:`cross_entropy` (ℓᵢ = −w_{tᵢ} ln p_{i,tᵢ}; "mean" = Σᵢ ℓᵢ / Σᵢ w_{tᵢ});
    ``ignore_index`` as there.
    """
    x = _input(log_probs)
    axis = _class_axis(x)
    indices, probs = _split_target(x, target, "nll", ignore_index)
    if indices is None:
        raise ValueError(
            f"nll: target must hold class indices of shape {x.shape[:axis] + x.shape[axis + 1:]}, "
            f"got shape {probs.shape}; use cross_entropy for one-hot or probability targets"
        )
    w, w_array = _class_weights(weight, x, axis, "nll")
    loss = -_pick(x if w is None else x * w, indices, axis)
    kept = _kept(target, ignore_index)
    return _masked_mean_or_reduce(loss, None if w is None else w_array[indices], kept, reduction, "nll")


def hinge(input, target, reduction="mean"):
    """Hinge loss (Keras's Hinge): ℓᵢ = max(1 − yᵢ·ŷᵢ, 0), with yᵢ ∈ {−1, 1}.

    The loss of support vector machines (Bishop 2006, §7.1.2).
    The output ŷ is linear (a score, not a probability); samples beyond the
    margin (y·ŷ ≥ 1) cost nothing and give no gradient. Labels given as {0, 1}
    are mapped to {−1, 1}. "none" returns one loss per element.
    """
    x = _input(input)
    y = _target(_labels(target), x, "hinge")
    values = set(np.unique(y.numpy()).tolist())
    if values <= {0.0, 1.0}:
        y = 2.0 * y - 1.0
    elif not values <= {-1.0, 1.0}:
        raise ValueError(f"hinge: labels must be in {{-1, 1}} or {{0, 1}}, got values {sorted(values)[:5]}")
    return _reduce((1.0 - y * x).relu(), reduction, "hinge")


def categorical_hinge(input, target, reduction="mean"):
    """Categorical hinge (Keras's CategoricalHinge), one value per sample:

        pos = Σ_c y_c ŷ_c,   neg = max_c (1 − y_c) ŷ_c,   ℓ = max(neg − pos + 1, 0)

    With a one-hot y this is max(ŷ_best wrong − ŷ_true + 1, 0): the true class
    must beat every other score by a margin of 1. (The multi-class hinge of
    Weston & Watkins (1999), Σ_{j≠o} max(0, z_j − z_o + Δ), sums over the wrong classes;
    Keras, like Crammer & Singer (2001), takes the largest.) ``target`` is one-hot of
    the input's shape or class indices; ``input`` is (N, C) or (C,).
    """
    x = _input(input)
    axis = _class_axis(x)
    indices, probs = _split_target(x, target, "categorical_hinge")
    probs = _one_hot(x, indices, probs, axis)
    pos = (probs * x).sum(axis=axis)
    neg = ((1.0 - probs) * x).max(axis=axis)
    return _reduce((neg - pos + 1.0).relu(), reduction, "categorical_hinge")


def multiclass_hinge(input, target, margin=1.0, p=1, weight=None, reduction="mean"):
    """Multi-class hinge loss of Weston & Watkins (1999), one value per sample:

        ℓ = Σ_{j≠t} max(0, z_j − z_t + Δ)^p,       Δ = ``margin``, p ∈ {1, 2}

    Every wrong class j whose score comes within Δ of the true class t's score adds
    its violation; once each wrong score is at least Δ below z_t the loss and its
    gradient are exactly 0 (the SVM loss of Bishop 2006, §7.1.3; CS231n's "multiclass
    SVM loss"). "mean" averages over samples: the sum is *not* divided by the number
    of classes (PyTorch's MultiMarginLoss, which does, is ``nn.MultiMarginLoss``).
    For p = 1 the gradient is +1 for each violating z_j and −(their count) for z_t.

    Worked example: z = (2, 1.5, 1.8, −1), t = 0, Δ = 1 gives
    max(0, 0.5) + max(0, 0.8) + max(0, −2) = 1.3 and ∂ℓ/∂z = (−2, 1, 1, 0).

    ``target``: class indices (N,) or one-hot (N, C) for ``input`` (N, C), or one index
    for a single sample (C,). ``weight``: one factor per class; sample i's loss is
    multiplied by w_{tᵢ} (and "mean" stays the plain average over samples, as PyTorch).
    Compare :func:`categorical_hinge` (Crammer & Singer 2001), which takes only the
    largest violation.
    """
    if p not in (1, 2):
        raise ValueError(f"multiclass_hinge: p must be 1 or 2, got {p!r}")
    x = _input(input)
    axis = _class_axis(x)
    indices, probs = _split_target(x, target, "multiclass_hinge")
    if probs is not None:
        data = probs.numpy()
        if not (np.isin(data, (0.0, 1.0)).all() and np.all(data.sum(axis=axis) == 1)):
            raise ValueError("multiclass_hinge: a target shaped like the input must be one-hot (0/1, one 1 per sample); "
                             "pass class indices otherwise")
    onehot = _one_hot(x, indices, probs, axis)
    z_true = (onehot * x).sum(axis=axis, keepdims=True)
    violation = (x - z_true + margin).relu()
    if p == 2:
        violation = violation * violation
    loss = ((1.0 - onehot) * violation).sum(axis=axis)  # the true class's own term (Δ) left out
    if weight is not None:
        w, _ = _class_weights(weight, x, axis, "multiclass_hinge")
        loss = loss * (onehot * w).sum(axis=axis)
    return _reduce(loss, reduction, "multiclass_hinge")


def classification_error(input, target):
    """Fraction of samples whose predicted class (argmax) differs from the target.

        CE = (1/n) Σᵢ [argmax_c ŷ_{ic} ≠ tᵢ]

    The classification error is a metric, not a loss, since
    it is piecewise constant (zero gradient almost everywhere) and "too coarse":
    it cannot tell a confident right answer from a lucky one. ``input`` holds scores
    or probabilities, (N, C) or (C,); ``target`` class indices or one-hot. Returns
    a Python float.
    """
    x = _input(input)
    axis = _class_axis(x)
    indices, probs = _split_target(x, target, "classification_error")
    predicted = x.numpy().argmax(axis=axis)
    if indices is None:
        indices = probs.numpy().argmax(axis=axis)
    return float(np.mean(predicted != indices))


# --------------------------------------------------------------------------- lookup

#: name → loss function (with Keras' names as aliases).
LOSSES = Registry("loss", {
    fn.__name__: fn for fn in (mse, mae, huber, binary_cross_entropy, cross_entropy, nll, hinge, categorical_hinge,
                               multiclass_hinge)
}, aliases={
    "mean_squared_error": "mse", "mean_absolute_error": "mae", "bce": "binary_cross_entropy",
    "binary_crossentropy": "binary_cross_entropy", "categorical_crossentropy": "cross_entropy",
})


def get(name):
    """The loss function called ``name`` (e.g. "mse", "bce", "cross_entropy").

    A callable is returned unchanged, so ``loss=...`` arguments accept both.
    Note that "categorical_crossentropy" maps to :func:`cross_entropy`, which expects
    logits unless called with ``from_logits=False``.
    """
    return LOSSES.resolve(name)

"""Classification metrics: how good are the predictions, in numbers a person can read.

Goodfellow et al. 2016, "Deep Learning", §11.1: a metric judges a model like a loss
does, but its value is not used to train it (accuracy has zero gradient almost
everywhere). Everything here is counted from four numbers per class, taking that class
as "positive" and every other class as "negative" (one-vs-rest)::

    TP  true positives    predicted positive, truly positive
    FP  false positives   predicted positive, truly negative
    FN  false negatives   predicted negative, truly positive
    TN  true negatives    predicted negative, truly negative

    accuracy      = (TP + TN) / (TP + TN + FP + FN)    fraction of correct predictions
    precision     = TP / (TP + FP)     of the samples called positive, how many are
    recall        = TP / (TP + FN)     of the positive samples, how many were found
                                       (also called sensitivity)
    specificity   = TN / (TN + FP)     of the negative samples, how many were left alone
    f1            = 2·P·R / (P + R)    harmonic mean of precision and recall
                  = 2·TP / (2·TP + FP + FN)

Inputs (``y_true``, ``y_pred``) may be NumPy arrays, lists or Tensors:

* ``y_true``: integer class labels 0 … C−1 of shape (N,), or one-hot rows (N, C)
  (turned into labels with argmax).
* ``y_pred``: class labels (N,); or scores / probabilities (N, C), whose argmax
  over axis 1 is the predicted class; or, for a binary problem, probabilities of
  the positive class (N,) or (N, 1), e.g. sigmoid outputs: 1-D floats that are not
  all whole numbers are thresholded, **class 1 where p > 0.5** (as Keras's
  ``binary_accuracy``). Raw logits must go through ``sigmoid`` first, or be
  thresholded by hand (``logits > 0``).

A ratio whose denominator is 0 (e.g. precision when nothing was predicted
positive) is reported as 0.0, like scikit-learn's ``zero_division=0``.

``average`` says how the per-class numbers of a multi-class problem are combined:

* ``"binary"``  only class ``pos_label`` (default 1) is "positive"; needs ≤ 2 classes.
* ``"macro"``   the unweighted mean of the one-vs-rest value of every class, so a
                rare class counts as much as a common one.
* ``"micro"``   the formula applied to TP, FP, FN, TN summed over the classes. For
                single-label data micro precision = micro recall = micro f1 = accuracy.

"macro" and "micro" use the classes that occur in ``y_true`` or ``y_pred`` (as
scikit-learn does): a class that never appears has nothing to measure.

Example::

    >>> from minigrad import metrics
    >>> y_true = [1, 0, 1, 1, 0]
    >>> y_prob = [0.9, 0.4, 0.3, 0.8, 0.6]      # sigmoid outputs → [1, 0, 0, 1, 1]
    >>> metrics.precision(y_true, y_prob)        # TP = 2, FP = 1
    0.6666666666666666
    >>> print(metrics.classification_report(y_true, y_prob))
"""

from __future__ import annotations

import numpy as np

from minigrad.registry import Registry
from minigrad.tensor import Tensor

__all__ = [
    "accuracy", "precision", "recall", "sensitivity", "specificity", "f1",
    "confusion_matrix", "classification_report", "get", "METRICS",
]

_AVERAGES = ("binary", "macro", "micro")


# --------------------------------------------------------------------------- input handling

def _array(x):
    """``x`` as a NumPy array (Tensors are copied back from their device)."""
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def _is_whole(a):
    return np.all(np.isfinite(a)) and np.all(a == np.round(a))


def _columns(a, name, expected):
    """``(argmax per row, C)`` for an (N, C) array, else ``(a as (N,), 0)``; (N, 1) counts as (N,)."""
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim == 2:
        return a.argmax(axis=1), a.shape[1]
    if a.ndim != 1:
        raise ValueError(f"{name}: {expected}, got shape {a.shape}")
    return a, 0


def _true_labels(y_true, name):
    """Class labels from labels (N,) or one-hot (N, C); also returns C for one-hot (else 0)."""
    t, classes = _columns(_array(y_true), name, "y_true must be labels (N,) or one-hot (N, C)")
    if classes:
        return t, classes
    if t.dtype.kind == "b":
        t = t.astype(np.int64)
    if t.dtype.kind == "f" and _is_whole(t):
        t = t.astype(np.int64)  # whole-number floats (e.g. read from a CSV) are fine
    if t.size and t.dtype.kind not in "iu":
        raise ValueError(
            f"{name}: y_true must hold integer class labels, got {t.dtype} values such as "
            f"{t[:3].tolist()}; pass labels 0 … C−1 or one-hot rows"
        )
    return t.astype(np.int64), 0


def _pred_labels(y_pred, name):
    """Predicted labels from labels (N,), scores (N, C) or binary probabilities (N,) / (N, 1)."""
    p, classes = _columns(_array(y_pred), name, "y_pred must be labels (N,), probabilities (N,) or scores (N, C)")
    if classes:
        return p, classes
    if p.dtype.kind == "b":
        return p.astype(np.int64), 0
    if p.dtype.kind == "f":
        if np.any(np.isnan(p)):
            raise ValueError(f"{name}: y_pred contains NaN at index {int(np.flatnonzero(np.isnan(p))[0])}")
        if not _is_whole(p):
            return (p > 0.5).astype(np.int64), 0  # binary probabilities: threshold 0.5
        p = p.astype(np.int64)
    if p.size and p.dtype.kind not in "iu":
        raise ValueError(f"{name}: y_pred must hold numbers, got {p.dtype} values such as {p[:3].tolist()}")
    return p.astype(np.int64), 0


def _labels(y_true, y_pred, name, num_classes=None):
    """``(t, p, C)``: integer label arrays of equal length and the number of classes."""
    t, width_t = _true_labels(y_true, name)
    p, width_p = _pred_labels(y_pred, name)
    if len(t) != len(p):
        raise ValueError(f"{name}: y_true has {len(t)} samples but y_pred has {len(p)}; they must match")
    if len(t) == 0:
        raise ValueError(f"{name}: y_true and y_pred are empty ({len(t)} and {len(p)} samples)")
    for which, labels in (("y_true", t), ("y_pred", p)):
        if labels.min() < 0:
            raise ValueError(f"{name}: {which} has the negative class label {labels.min()}; labels are 0 … C−1")
    if width_t and width_p and width_t != width_p:
        raise ValueError(f"{name}: y_true has {width_t} columns (classes) but y_pred has {width_p}")
    top_t = max(int(t.max()) + 1, width_t)  # classes needed by each side
    top_p = max(int(p.max()) + 1, width_p)
    if num_classes is None:
        return t, p, max(top_t, top_p)
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"{name}: num_classes must be a positive integer, got {num_classes!r}")
    for which, top in (("y_true", top_t), ("y_pred", top_p)):
        if top > num_classes:
            raise ValueError(
                f"{name}: num_classes={num_classes} but {which} has class {top - 1}; "
                f"labels must lie in 0 … {num_classes - 1}"
            )
    return t, p, int(num_classes)


def _counts(cm):
    """Per-class one-vs-rest (TP, FP, FN, TN) arrays from a confusion matrix (rows = true)."""
    tp = np.diag(cm)
    fp = cm.sum(axis=0) - tp   # predicted as the class, truly another one
    fn = cm.sum(axis=1) - tp   # truly the class, predicted as another one
    tn = cm.sum() - tp - fp - fn
    return tp, fp, fn, tn


def _ratio(num, den):
    """num / den elementwise, with 0/0 (any x/0) reported as 0.0 (zero_division=0)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den != 0)


def _score(formula, y_true, y_pred, average, pos_label, name):
    """Apply ``formula(tp, fp, fn, tn)`` as ``average`` asks, returning a Python float."""
    if average not in _AVERAGES:
        raise ValueError(f"{name}: unknown average {average!r}; use one of {', '.join(map(repr, _AVERAGES))}")
    t, p, k = _labels(y_true, y_pred, name)
    if average == "binary":
        if k > 2:
            raise ValueError(
                f"{name}: average='binary' needs two classes but the labels have {k} "
                f"(classes 0 … {k - 1}); pass average='macro' or average='micro'"
            )
        if pos_label not in (0, 1):
            raise ValueError(f"{name}: pos_label must be 0 or 1 for a binary problem, got {pos_label!r}")
        tp, fp, fn, tn = (c[pos_label] for c in _counts(_matrix(t, p, 2)))
        return float(formula(tp, fp, fn, tn))
    present = np.union1d(t, p)
    tp, fp, fn, tn = (c[present] for c in _counts(_matrix(t, p, k)))
    if average == "macro":
        return float(np.mean(formula(tp, fp, fn, tn)))
    return float(formula(tp.sum(), fp.sum(), fn.sum(), tn.sum()))


def _matrix(t, p, k):
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


# --------------------------------------------------------------------------- formulas

def _precision(tp, fp, fn, tn):
    return _ratio(tp, tp + fp)


def _recall(tp, fp, fn, tn):
    return _ratio(tp, tp + fn)


def _specificity(tp, fp, fn, tn):
    return _ratio(tn, tn + fp)


def _f1(tp, fp, fn, tn):
    return _ratio(2 * tp, 2 * tp + fp + fn)  # = 2PR/(P+R), and 0 when TP = 0


# --------------------------------------------------------------------------- public metrics

def confusion_matrix(y_true, y_pred, num_classes=None):
    """The C × C table of counts: ``cm[i, j]`` = samples of true class i predicted as j.

    Rows are the true class and columns the predicted class, as in scikit-learn;
    the correct predictions lie on the diagonal. The course
    draws the binary table the other way round (rows = predicted, columns =
    ground truth); ``confusion_matrix(...).T`` gives that layout. For a binary
    problem with positive class 1::

        cm = [[TN, FP],
              [FN, TP]]

    ``num_classes`` defaults to the largest label seen + 1 (or the width of
    one-hot / score inputs). Returns an int64 array.
    """
    t, p, k = _labels(y_true, y_pred, "confusion_matrix", num_classes)
    return _matrix(t, p, k)


def accuracy(y_true, y_pred):
    """Fraction of correct predictions.

        accuracy = correct predictions / number of examples = (TP + TN) / (TP + TN + FP + FN)

    Works for any number of classes (it is the trace of the confusion matrix over N).
    Misleading on unbalanced data: predicting "negative" for everything scores 0.99
    when 99% of the samples are negative, which is why precision and recall exist.
    """
    t, p, _ = _labels(y_true, y_pred, "accuracy")
    return float(np.mean(t == p))


def precision(y_true, y_pred, average="binary", pos_label=1):
    """Precision = TP / (TP + FP): of the samples predicted positive, the fraction
    that truly are. 0.0 when nothing is predicted
    positive. ``average`` is "binary" (class ``pos_label``), "macro" or "micro"
    (see the module docstring).
    """
    return _score(_precision, y_true, y_pred, average, pos_label, "precision")


def recall(y_true, y_pred, average="binary", pos_label=1):
    """Recall (sensitivity) = TP / (TP + FN): of the truly positive samples, the
    fraction the model found. 0.0 when there are
    no positive samples. ``average`` is "binary", "macro" or "micro".
    """
    return _score(_recall, y_true, y_pred, average, pos_label, "recall")


sensitivity = recall
"""Sensitivity is another name for recall: TP / (TP + FN)."""


def specificity(y_true, y_pred, average="binary", pos_label=1):
    """Specificity = TN / (TN + FP): of the truly negative samples, the fraction
    predicted negative; recall of the negative
    class. 0.0 when there are no negative samples. ``average`` is "binary",
    "macro" or "micro".
    """
    return _score(_specificity, y_true, y_pred, average, pos_label, "specificity")


def f1(y_true, y_pred, average="binary", pos_label=1):
    """F1 score, the harmonic mean of precision P and recall R:

        F1 = 2·P·R / (P + R) = 2·TP / (2·TP + FP + FN)

    High only when both are high (Goodfellow et al. 2016, "Deep Learning", §11.1).
    0.0 when TP = 0. "macro" averages the per-class F1 scores (scikit-learn's
    definition, not F1 of the averaged P and R); "micro" uses the summed counts.
    """
    return _score(_f1, y_true, y_pred, average, pos_label, "f1")


def classification_report(y_true, y_pred, target_names=None, digits=3):
    """A text table of precision, recall, specificity, f1 and support for every
    class (one-vs-rest), followed by their macro and micro averages and the accuracy.

    ``support`` is the number of samples of the class in ``y_true``. Classes that
    occur in neither ``y_true`` nor ``y_pred`` are left out. ``target_names``
    gives a name for each class index (``target_names[c]`` for class c). Print it::

        >>> print(classification_report([0, 1, 2, 2], [0, 2, 2, 2], target_names=["cat", "dog", "fox"]))
    """
    t, p, k = _labels(y_true, y_pred, "classification_report")
    if target_names is not None and len(target_names) < k:
        raise ValueError(
            f"classification_report: {len(target_names)} target_names for {k} classes (0 … {k - 1})"
        )
    present = np.union1d(t, p)
    tp, fp, fn, tn = (c[present] for c in _counts(_matrix(t, p, k)))
    columns = (_precision, _recall, _specificity, _f1)
    per_class = np.stack([f(tp, fp, fn, tn) for f in columns], axis=1)
    support = tp + fn
    micro = [float(f(tp.sum(), fp.sum(), fn.sum(), tn.sum())) for f in columns]

    names = [str(target_names[c]) if target_names is not None else str(c) for c in present]
    width = max(len(n) for n in names + ["macro avg"])
    header = ["precision", "recall", "specificity", "f1", "support"]
    col = max(len(h) for h in header)
    lines = [" " * width + "".join(f"  {h:>{col}}" for h in header), ""]

    def row(name, values, count):
        cells = "".join(f"  {v:>{col}.{digits}f}" for v in values)
        return f"{name:>{width}}{cells}  {count:>{col}d}"

    for name, values, count in zip(names, per_class, support):
        lines.append(row(name, values, int(count)))
    lines.append("")
    lines.append(row("macro avg", per_class.mean(axis=0), len(t)))
    lines.append(row("micro avg", micro, len(t)))
    correct = int(np.sum(t == p))
    lines.append(f"{'accuracy':>{width}}  {correct / len(t):>{col}.{digits}f}  ({correct} of {len(t)} correct)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- lookup

#: name → metric function.
METRICS = Registry("metric", {fn.__name__: fn for fn in (accuracy, precision, recall, specificity, f1)},
                   aliases={"acc": "accuracy", "sensitivity": "recall"})


def get(name):
    """The metric function called ``name`` ("accuracy"/"acc", "precision", "recall",
    "sensitivity", "specificity", "f1"); a callable is returned unchanged."""
    return METRICS.resolve(name)

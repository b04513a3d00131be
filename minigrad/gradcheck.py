"""Gradient checking: compare backpropagation with numerical differentiation.

For a function f and an input element x_i, the central difference

    ∂f/∂x_i ≈ (f(x + ε e_i) - f(x - ε e_i)) / (2ε)

has error O(ε²), so in float64 with ε = 1e-6 it agrees with the true derivative
to about 1e-9 relative -- far more closely than a wrong backward formula could.
:func:`gradcheck` computes this for every element of every input that requires a
gradient and compares it with what ``backward`` produced:

    |analytic - numeric| ≤ atol + rtol · |numeric|

A function with a non-scalar output is reduced to a scalar with a fixed random
projection f ↦ Σ r ⊙ f(x), which checks every output's gradient at once.
:func:`gradgradcheck` applies the same test to the *gradient* (computed with
``create_graph=True``), verifying second derivatives.

Both work with ``Tensor`` inputs (checked in float64) and with ``Value`` inputs
(``gradcheck`` only: Value gradients are plain floats).
"""

from __future__ import annotations

import numpy as np

from minigrad import autograd
from minigrad.scalar import Value
from minigrad.tensor import Tensor, float64

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]

_PROJECTION_SEED = 20240601


class GradcheckError(AssertionError):
    """Raised when analytic and numerical gradients disagree.

    ``rows`` holds the mismatches as ``(input, index, analytic, numeric, error)``;
    the message shows them as a table.
    """

    def __init__(self, message, rows=()):
        super().__init__(message)
        self.rows = list(rows)


def _projection(shape):
    """The fixed random weights r used to reduce an output of ``shape`` to a scalar."""
    rng = np.random.default_rng(_PROJECTION_SEED + int(np.prod(shape, dtype=np.int64)))
    return rng.standard_normal(shape)


def _as_scalar(out):
    """Reduce fn's result (a Tensor or a sequence of them) to one scalar Tensor."""
    outs = out if isinstance(out, (tuple, list)) else (out,)
    total = None
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: the function must return Tensors, got {type(o).__name__}")
        if o.dtype.kind != "f":
            continue
        term = o.sum() if o.size == 1 else (o * _projection(o.shape)).sum()
        total = term if total is None else total + term
    if total is None:
        raise TypeError("gradcheck: the function returned no floating-point tensor")
    return total


def _format_table(rows, total, checked, max_rows):
    header = f"{'input':<12} {'index':<14} {'analytic':>14} {'numeric':>14} {'error':>11}"
    lines = [header, "-" * len(header)]
    for name, index, a, n, err in rows[:max_rows]:
        lines.append(f"{name:<12} {str(index):<14} {a:>14.6g} {n:>14.6g} {err:>11.3g}")
    if len(rows) > max_rows:
        lines.append(f"... and {len(rows) - max_rows} more")
    return (
        f"gradient check failed: {len(rows)} of {total} element(s) of {checked} differ\n" + "\n".join(lines)
    )


def _compare(named, analytic, numeric, atol, rtol, max_rows, what):
    rows, total = [], 0
    for name, a_arr, n_arr in zip(named, analytic, numeric):
        for index in np.ndindex(n_arr.shape):
            total += 1
            a, n = float(a_arr[index]), float(n_arr[index])
            err = abs(a - n)
            if not err <= atol + rtol * abs(n):  # also catches NaN
                rows.append((name, index if index else "()", a, n, err))
    if rows:
        raise GradcheckError(_format_table(rows, total, what, max_rows), rows)
    return True


# --------------------------------------------------------------------------- tensors

def _prepare(inputs, dtype=float64):
    """Copies (same memory layout, ``dtype``) of the inputs; returns (inputs, checked positions)."""
    prepared, checked = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.dtype.kind == "f":
            data = np.array(x.numpy(), dtype=dtype, order="K", copy=True)
            t = Tensor._from_op(data, None)
            t.label = x.label or f"input {i}"
            if x.requires_grad:
                t.requires_grad = True
                checked.append(i)
            prepared.append(t)
        else:
            prepared.append(x)
    if not checked:
        raise ValueError("gradcheck: no input requires grad; create the inputs with requires_grad=True")
    return prepared, checked


def _analytic(fn, xs, checked):
    with autograd.enable_grad():
        s = _as_scalar(fn(*xs))
        if not s.requires_grad:  # the output does not depend on any checked input
            return [np.zeros(xs[i].shape) for i in checked]
        grads = autograd.grad(s, [xs[i] for i in checked], allow_unused=True)
    return [np.zeros(xs[i].shape) if g is None else np.asarray(g.numpy(), dtype=float64) for i, g in zip(checked, grads)]


def _numeric(fn, xs, checked, eps, needs_grad):
    mode = autograd.enable_grad() if needs_grad else autograd.no_grad()
    results = []
    with mode:
        for i in checked:
            data = xs[i].data
            numeric = np.zeros(data.shape)
            for index in np.ndindex(data.shape):
                orig = data[index]
                data[index] = orig + eps
                f_plus = _as_scalar(fn(*xs)).item()
                data[index] = orig - eps
                f_minus = _as_scalar(fn(*xs)).item()
                data[index] = orig
                numeric[index] = (f_plus - f_minus) / (2 * eps)
            results.append(numeric)
    return results


def _check_tensors(fn, inputs, eps, atol, rtol, max_rows, dtype=float64):
    xs, checked = _prepare(inputs, dtype)
    analytic = _analytic(fn, xs, checked)
    numeric = _numeric(fn, xs, checked, eps, needs_grad=False)
    return _compare([xs[i].label for i in checked], analytic, numeric, atol, rtol, max_rows, "the gradient")


# --------------------------------------------------------------------------- values

def _check_values(fn, inputs, eps, atol, rtol, max_rows):
    checked = [i for i, v in enumerate(inputs) if isinstance(v, Value)]

    def scalar(out):
        outs = out if isinstance(out, (tuple, list)) else (out,)
        if len(outs) == 1:
            return outs[0]
        weights = _projection((len(outs),))
        return sum((o * float(w) for o, w in zip(outs, weights)), Value(0.0))

    saved = [inputs[i].grad for i in checked]
    for i in checked:
        inputs[i].grad = 0.0
    out = scalar(fn(*inputs))
    out.backward()
    analytic = [np.array(inputs[i].grad) for i in checked]
    for i, g in zip(checked, saved):
        inputs[i].grad = g
    numeric = []
    for i in checked:
        v = inputs[i]
        orig = v.data
        v.data = orig + eps
        f_plus = scalar(fn(*inputs)).data
        v.data = orig - eps
        f_minus = scalar(fn(*inputs)).data
        v.data = orig
        numeric.append(np.array((f_plus - f_minus) / (2 * eps)))
    names = [inputs[i].label or f"input {i}" for i in checked]
    return _compare(names, analytic, numeric, atol, rtol, max_rows, "the gradient")


# --------------------------------------------------------------------------- public

def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, max_rows=20, dtype="float64"):
    """Check ``fn``'s gradients against central differences; True or :class:`GradcheckError`.

    ``inputs`` are passed to ``fn`` as they are, except that floating Tensors are
    replaced by float64 copies; those with ``requires_grad=True`` (or every
    ``Value``) are checked element by element. The originals are not modified.

    ``dtype="float32"`` runs the check in single precision -- instructive rather
    than reliable: rounding errors of ~1e-7/ε swamp the differences unless ``eps``
    and the tolerances are raised (e.g. eps=1e-3, atol=rtol=1e-2).

    Example::

        >>> x = mg.randn(3, 4, requires_grad=True)
        >>> mg.gradcheck(lambda x: x.tanh().sum(axis=1), x)
        True
    """
    if not inputs:
        raise ValueError("gradcheck: give at least one input")
    if any(isinstance(x, Value) for x in inputs):
        return _check_values(fn, inputs, eps, atol, rtol, max_rows)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"gradcheck: dtype must be float32 or float64, got {dtype}")
    return _check_tensors(fn, inputs, eps, atol, rtol, max_rows, dtype)


def gradgradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, max_rows=20):
    """Check second derivatives: :func:`gradcheck` applied to fn's gradient.

    The gradient g(x) = ∇(r · fn(x)) is computed with ``create_graph=True`` and
    projected with fixed random weights v; then ∇(v · g(x)) -- a Hessian-vector
    product -- is compared with central differences of v · g(x).
    """
    if any(isinstance(x, Value) for x in inputs):
        raise TypeError("gradgradcheck needs Tensor inputs: Value gradients are plain floats without a graph")
    xs, checked = _prepare(inputs)
    weights = {i: _projection(xs[i].shape) * 0.5 + 1.0 for i in checked}

    def projected_gradient(*args):
        s = _as_scalar(fn(*args))
        if not s.requires_grad:
            return Tensor._from_op(np.zeros((), dtype=float64), None)
        grads = autograd.grad(s, [args[i] for i in checked], create_graph=True, allow_unused=True)
        total = None
        for i, g in zip(checked, grads):
            if g is None:
                continue
            term = (g * weights[i]).sum()
            total = term if total is None else total + term
        return total if total is not None else Tensor._from_op(np.zeros((), dtype=float64), None)

    analytic = _analytic(projected_gradient, xs, checked)
    numeric = _numeric(projected_gradient, xs, checked, eps, needs_grad=True)
    names = [xs[i].label for i in checked]
    return _compare(names, analytic, numeric, atol, rtol, max_rows, "the second derivative")

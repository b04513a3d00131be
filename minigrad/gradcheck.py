"""Gradient checking: compare backpropagation with numerical differentiation.

For a function f and an input element x_i, the central difference

    ∂f/∂x_i ≈ (f(x + ε e_i) - f(x - ε e_i)) / (2ε)

has error O(ε²), so in float64 with ε = 1e-6 it agrees with the true derivative
to about 1e-9 relative -- far more closely than a wrong backward formula could
(Nocedal & Wright, *Numerical Optimization*, 2nd ed., §8.1).
:func:`gradcheck` computes this for every element of every input that requires a
gradient and compares it with what ``backward`` produced:

    |analytic - numeric| ≤ atol + rtol · |numeric|

A function with a non-scalar output is reduced to a scalar with a fixed random
projection f ↦ r · f(x) = Σ r ⊙ f(x), which checks every output's gradient at once.

**Fast mode.** Checking element by element costs two forward passes per element:
hopeless for a model with 10⁵ weights. With ``fast_mode=True`` each input x_j is
instead checked along one fixed random unit direction u_j (as PyTorch's fast
gradcheck does; PyTorch documentation, "Fast Gradcheck and Gradgradcheck"):

    analytic = ⟨∇_{x_j}(r · f), u_j⟩
    numeric  = (r · f(x_j + εu_j) - r · f(x_j - εu_j)) / (2ε)

i.e. vᵀJu with v = r -- one backward pass and two forward passes per input. To
slip through, a wrong backward formula would have to be wrong (almost) exactly
orthogonally to a random u_j, which a random direction practically never is.

**Second derivatives.** :func:`gradgradcheck` differentiates the gradient computed
with ``create_graph=True``. That gradient is what second derivatives stand on, so
it is checked *first*, against central differences of f, like any gradient; an op
whose backward computes something else when it is being recorded is caught there.
Then the Hessian-vector products ∇(w · g(x)) (w a fixed random weight, g the
recorded gradient; Pearlmutter 1994, "Fast exact multiplication by the Hessian")
are compared with central differences of w · g(x), where g at the displaced points
is the ordinary gradient (``create_graph=False``) -- the one :func:`gradcheck`
vouches for. The numerical side therefore never relies on the
recorded backward graph being right.

Both functions work with ``Tensor`` inputs (checked in float64: floating Tensors are
replaced by float64 copies, so the caller's tensors are never touched) and
:func:`gradcheck` also with ``Value`` inputs (perturbed in place and always
restored, also when ``fn`` raises).
"""

from __future__ import annotations

import numbers

import numpy as np

from minigrad import autograd
from minigrad.scalar import Value
from minigrad.tensor import Tensor, float64

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]

_PROJECTION_SEED = 20240601
_DIRECTION_SEED = 20240602


class GradcheckError(AssertionError):
    """Raised when analytic and numerical gradients disagree.

    ``rows`` holds the mismatches as ``(input, index, analytic, numeric, error)``;
    the message shows them as a table. In fast mode ``index`` is ``"direction"``.
    """

    def __init__(self, message, rows=()):
        super().__init__(message)
        self.rows = list(rows)


# --------------------------------------------------------------------------- helpers

def _projection(shape, stream=0):
    """The fixed random weights r used to reduce an output of ``shape`` to a scalar.

    ``stream`` tells apart projections of equal shapes: the second-derivative check
    gives each input its own weights, or the parts of two inputs whose gradients are
    opposite (x and t in (x − t)²) would cancel and hide a wrong sign.
    """
    rng = np.random.default_rng([_PROJECTION_SEED, int(np.prod(shape, dtype=np.int64)), stream])
    return rng.standard_normal(shape)


def _direction(shape, position):
    """The fixed random unit-norm direction u along which input ``position`` is checked in fast mode."""
    size = int(np.prod(shape, dtype=np.int64))
    u = np.random.default_rng([_DIRECTION_SEED, position, size]).standard_normal(shape)
    return u / np.linalg.norm(u)


def _check_arguments(where, eps, atol, rtol):
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"{where}: eps must be a positive finite number, got {eps!r}")
    for name, tol in (("atol", atol), ("rtol", rtol)):
        if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0:
            raise ValueError(f"{where}: {name} must be a number ≥ 0, got {tol!r}")


def _non_floating(o):
    """True for results that are numbers or arrays, but not floating-point ones."""
    if isinstance(o, (bool, np.bool_, numbers.Integral)):
        return True
    return isinstance(o, (np.ndarray, np.generic)) and o.dtype.kind != "f"


def _reject_output(o, where, expected):
    """The error for an output that cannot be checked: a number or integer array, or another type."""
    if _non_floating(o):
        raise ValueError(f"{where}: the function returned a non-floating result ({type(o).__name__} {o!r}); "
                         "only floating-point outputs have gradients")
    raise TypeError(f"{where}: {expected}, got {type(o).__name__}")


def _as_scalar(out, where="gradcheck"):
    """Reduce fn's result (a Tensor or a sequence of them) to one scalar Tensor r · f."""
    outs = out if isinstance(out, (tuple, list)) else (out,)
    total, seen = None, []
    for o in outs:
        if not isinstance(o, Tensor):
            _reject_output(o, where, "the function must return Tensors")
        if o.dtype.kind != "f":  # e.g. an argmax returned alongside the value: nothing to check
            seen.append(str(o.dtype))
            continue
        term = o.sum() if o.size == 1 else (o * _projection(o.shape)).sum()
        total = term if total is None else total + term
    if total is None:
        raise ValueError(f"{where}: the function returned no floating-point tensor "
                         f"(got dtype {', '.join(seen) or 'nothing'}); only floating-point outputs have gradients")
    return total


def _format_table(rows, total, unit, what, max_rows):
    header = f"{'input':<12} {'index':<14} {'analytic':>14} {'numeric':>14} {'error':>11}"
    lines = [header, "-" * len(header)]
    for name, index, a, n, err in rows[:max_rows]:
        lines.append(f"{name:<12} {str(index):<14} {a:>14.6g} {n:>14.6g} {err:>11.3g}")
    if len(rows) > max_rows:
        lines.append(f"... and {len(rows) - max_rows} more")
    return f"gradient check failed: {len(rows)} of {total} {unit}(s) of {what} differ\n" + "\n".join(lines)


def _compare(names, analytic, numeric, atol, rtol, max_rows, what, fast_mode):
    """Compare per-input arrays (or, in fast mode, per-input numbers); True or GradcheckError."""
    rows, total = [], 0
    for name, a_arr, n_arr in zip(names, analytic, numeric):
        a_arr, n_arr = np.asarray(a_arr, dtype=float64), np.asarray(n_arr, dtype=float64)
        for index in np.ndindex(n_arr.shape):
            total += 1
            a, n = float(a_arr[index]), float(n_arr[index])
            err = abs(a - n)
            if not err <= atol + rtol * abs(n):  # also catches NaN
                label = "direction" if fast_mode else (index if index else "()")
                rows.append((name, label, a, n, err))
    if rows:
        unit = "direction" if fast_mode else "element"
        raise GradcheckError(_format_table(rows, total, unit, what, max_rows), rows)
    return True


def _central_differences(f, arrays, eps, fast_mode, directions):
    """Central differences of the scalar function ``f()`` w.r.t. each array (changed in place).

    Element by element, or -- in fast mode -- along ``directions``. Every array is
    restored bitwise, also when ``f`` raises.
    """
    results = []
    for k, data in enumerate(arrays):
        if fast_mode:
            orig, u = data.copy(), directions[k]
            try:
                data[...] = orig + eps * u
                f_plus = f()
                data[...] = orig - eps * u
                f_minus = f()
            finally:
                data[...] = orig
            results.append(np.array((f_plus - f_minus) / (2 * eps)))
            continue
        numeric = np.zeros(data.shape)
        for index in np.ndindex(data.shape):
            orig = data[index]
            try:
                data[index] = orig + eps
                f_plus = f()
                data[index] = orig - eps
                f_minus = f()
            finally:
                data[index] = orig
            numeric[index] = (f_plus - f_minus) / (2 * eps)
        results.append(numeric)
    return results


def _project(gradients, directions, fast_mode):
    """Full gradients, or in fast mode their components ⟨g, u⟩ along the directions."""
    if not fast_mode:
        return gradients
    return [np.array(np.vdot(g, u)) for g, u in zip(gradients, directions)]


# --------------------------------------------------------------------------- tensors

def _prepare(inputs, dtype=float64, where="gradcheck"):
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
        raise ValueError(f"{where}: no input requires grad; create the inputs with requires_grad=True")
    return prepared, checked


def _gradients(fn, xs, checked, create_graph, where):
    """d(r · fn)/d(checked inputs) as Tensors (None where unused or constant)."""
    with autograd.enable_grad():
        s = _as_scalar(fn(*xs), where)
        if not s.requires_grad:  # the output does not depend on any checked input
            return [None] * len(checked)
        return list(autograd.grad(s, [xs[i] for i in checked], create_graph=create_graph, allow_unused=True))


def _arrays(grads, xs, checked):
    return [np.zeros(xs[i].shape) if g is None else np.asarray(g.numpy(), dtype=float64)
            for i, g in zip(checked, grads)]


def _projected_value(fn, xs, where):
    """r · fn(xs) as a float, recording no graph."""
    with autograd.no_grad():
        return _as_scalar(fn(*xs), where).item()


def _setup(where, inputs, eps, atol, rtol, fast_mode, dtype):
    _check_arguments(where, eps, atol, rtol)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"{where}: dtype must be float32 or float64, got {dtype}")
    xs, checked = _prepare(inputs, dtype, where)
    if not fast_mode:
        return xs, checked, None
    # A zero-size input has nothing to check, and no unit direction to check it along.
    checked = [i for i in checked if xs[i].size > 0]
    return xs, checked, [_direction(xs[i].shape, i) for i in checked]


def _check_tensors(fn, inputs, eps, atol, rtol, max_rows, dtype, fast_mode):
    xs, checked, directions = _setup("gradcheck", inputs, eps, atol, rtol, fast_mode, dtype)
    analytic = _arrays(_gradients(fn, xs, checked, False, "gradcheck"), xs, checked)
    numeric = _central_differences(lambda: _projected_value(fn, xs, "gradcheck"), [xs[i].data for i in checked],
                                   eps, fast_mode, directions)
    return _compare([xs[i].label for i in checked], _project(analytic, directions, fast_mode), numeric,
                    atol, rtol, max_rows, "the gradient", fast_mode)


# --------------------------------------------------------------------------- values

def _value_scalar(out):
    """fn's result (a Value or a sequence of them) as one Value r · f."""
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for o in outs:
        if not isinstance(o, Value):
            _reject_output(o, "gradcheck", "a function of Values must return Values")
    if len(outs) == 1:
        return outs[0]
    weights = _projection((len(outs),))
    return sum((o * float(w) for o, w in zip(outs, weights)), Value(0.0))


class _ValueData:
    """A Value's ``data`` seen as a 0-d array, so Values share the central-difference loop."""

    def __init__(self, value):
        self.value = value
        self.shape = ()

    def copy(self):
        return self.value.data

    def __getitem__(self, index):
        return self.value.data

    def __setitem__(self, index, x):
        self.value.data = float(x)


def _check_values(fn, inputs, eps, atol, rtol, max_rows, fast_mode):
    _check_arguments("gradcheck", eps, atol, rtol)
    positions = [i for i, v in enumerate(inputs) if isinstance(v, Value)]
    values = [inputs[i] for i in positions]
    saved = [(v.data, v.grad) for v in values]
    directions = [_direction((), i) for i in positions] if fast_mode else None
    try:
        for v in values:
            v.grad = 0.0
        out = _value_scalar(fn(*inputs))
        out.backward()
        analytic = [np.array(v.grad) for v in values]
        for v, (_, grad) in zip(values, saved):
            v.grad = grad
        numeric = _central_differences(lambda: float(_value_scalar(fn(*inputs)).data),
                                       [_ValueData(v) for v in values], eps, fast_mode, directions)
    finally:
        for v, (data, grad) in zip(values, saved):
            v.data, v.grad = data, grad
    names = [inputs[i].label or f"input {i}" for i in positions]
    return _compare(names, _project(analytic, directions, fast_mode), numeric, atol, rtol, max_rows,
                    "the gradient", fast_mode)


# --------------------------------------------------------------------------- public

def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=False, max_rows=20, dtype="float64"):
    """Check ``fn``'s gradients against central differences; True or :class:`GradcheckError`.

    ``inputs`` are passed to ``fn`` as they are, except that floating Tensors are
    replaced by float64 copies; those with ``requires_grad=True`` (or every
    ``Value``) are checked element by element. The caller's tensors are not
    modified; ``Value`` inputs get their ``data`` and ``grad`` back, also when
    ``fn`` raises.

    ``fast_mode=True`` checks one fixed random directional derivative per input
    instead of every element (a few forward passes for a whole model); the error
    table then has one row per input, with index ``"direction"``.

    ``dtype="float32"`` runs the check in single precision -- instructive rather
    than reliable: rounding errors of ~1e-7/ε swamp the differences unless ``eps``
    and the tolerances are raised (e.g. eps=1e-3, atol=rtol=1e-2).

    Raises ValueError when no input requires grad, when ``eps`` ≤ 0, or when ``fn``
    returns no floating-point result.

    Example::

        >>> x = mg.randn(3, 4, requires_grad=True)
        >>> mg.gradcheck(lambda x: x.tanh().sum(axis=1), x)
        True
    """
    if not inputs:
        raise ValueError("gradcheck: give at least one input")
    if any(isinstance(x, Value) for x in inputs):
        return _check_values(fn, inputs, eps, atol, rtol, max_rows, fast_mode)
    return _check_tensors(fn, inputs, eps, atol, rtol, max_rows, dtype, fast_mode)


def gradgradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=False, max_rows=20, dtype="float64"):
    """Check second derivatives, after checking the gradient they are built on.

    1. The gradient g = ∇(r · fn) is computed without and with ``create_graph=True``;
       both are compared with central differences of r · fn (error table "the
       gradient computed with create_graph=True" for the second).
    2. The Hessian-vector product ∇(w · g(x)), obtained by differentiating the
       recorded g, is compared with central differences of w · g where g is the
       ordinary gradient (w: fixed random weights) -- "the second derivative".

    Keywords as in :func:`gradcheck`; ``fast_mode=True`` checks both stages along
    one random direction per input.
    """
    if not inputs:
        raise ValueError("gradgradcheck: give at least one input")
    if any(isinstance(x, Value) for x in inputs):
        raise TypeError("gradgradcheck needs Tensor inputs: Value gradients are plain floats without a graph")
    where = "gradgradcheck"
    xs, checked, directions = _setup(where, inputs, eps, atol, rtol, fast_mode, dtype)
    names = [xs[i].label for i in checked]
    arrays = [xs[i].data for i in checked]

    def compare(analytic, numeric, what):
        return _compare(names, _project(analytic, directions, fast_mode), numeric, atol, rtol, max_rows,
                        what, fast_mode)

    # Stage 1: the first derivative, computed both ways, against central differences.
    plain = _arrays(_gradients(fn, xs, checked, False, where), xs, checked)
    recorded = _gradients(fn, xs, checked, True, where)
    numeric = _central_differences(lambda: _projected_value(fn, xs, where), arrays, eps, fast_mode, directions)
    compare(plain, numeric, "the gradient")
    compare(_arrays(recorded, xs, checked), numeric, "the gradient computed with create_graph=True")

    # Stage 2: differentiate w · g through the recorded backward graph ...
    weights = [_projection(xs[i].shape, stream=1 + i) * 0.5 + 1.0 for i in checked]
    with autograd.enable_grad():
        terms = [(g * w).sum() for g, w in zip(recorded, weights) if g is not None and g.requires_grad]
        h = sum(terms[1:], terms[0]) if terms else None
        second = [None] * len(checked)
        if h is not None:
            second = autograd.grad(h, [xs[i] for i in checked], allow_unused=True)

    # ... and compare with central differences of w · g, g the ordinary gradient.
    def weighted_gradient():
        grads = _arrays(_gradients(fn, xs, checked, False, where), xs, checked)
        return float(sum(np.vdot(g, w) for g, w in zip(grads, weights)))

    numeric2 = _central_differences(weighted_gradient, arrays, eps, fast_mode, directions)
    return compare(_arrays(second, xs, checked), numeric2, "the second derivative")

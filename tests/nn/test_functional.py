import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.nn import functional as F
from tests.helpers import NONEMPTY_SHAPES, arrays, check_gradients, seeds, values

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
np_erf = np.vectorize(math.erf)


# --------------------------------------------------------------------------- NumPy references

def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def np_hard_sigmoid(x):
    return np.clip(x / 6 + 0.5, 0, 1)


def np_sparse_plus(x):
    return np.select([x <= -1, x >= 1], [0.0, x], (x + 1) ** 2 / 4)


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_sparsemax_1d(z):
    """Martins & Astudillo 2016, Algorithm 1, one vector at a time."""
    zs = np.sort(z)[::-1]
    cs = np.cumsum(zs)
    k = max(j for j in range(1, len(z) + 1) if 1 + j * zs[j - 1] > cs[j - 1])
    return np.maximum(z - (cs[k - 1] - 1) / k, 0)


def np_sparsemax(x, axis=-1):
    return np.apply_along_axis(np_sparsemax_1d, axis, x)


# id: (function, NumPy reference, input range, kinks to keep away from); second derivatives are
# checked for all of them: between kinks the piecewise-linear ones have an exact zero one
ELEMENTWISE = {
    "relu": (F.relu, lambda x: np.maximum(x, 0), (-3, 3), [0]),
    "leaky_relu": (F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), (-3, 3), [0]),
    "leaky_relu_0.2": (lambda t: F.leaky_relu(t, 0.2), lambda x: np.where(x > 0, x, 0.2 * x), (-3, 3), [0]),
    "elu": (F.elu, np_elu, (-3, 3), [0]),
    "elu_0.5": (lambda t: F.elu(t, alpha=0.5), lambda x: np_elu(x, 0.5), (-3, 3), [0]),
    "selu": (F.selu, lambda x: SELU_SCALE * np_elu(x, SELU_ALPHA), (-3, 3), [0]),
    "celu": (F.celu, lambda x: np_elu(x, 1.0), (-3, 3), [0]),
    "celu_2": (
        lambda t: F.celu(t, alpha=2.0),
        lambda x: np.maximum(x, 0) + np.minimum(0, 2 * (np.exp(x / 2) - 1)), (-3, 3), [0],
    ),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + np_erf(x / np.sqrt(2))), (-4, 4), []),
    "gelu_tanh": (
        lambda t: F.gelu(t, approximate="tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))), (-4, 4), [],
    ),
    "sigmoid": (F.sigmoid, np_sigmoid, (-5, 5), []),
    "tanh": (F.tanh, np.tanh, (-3, 3), []),
    "softplus": (F.softplus, np_softplus, (-5, 5), []),
    "softplus_beta2_thr5": (
        lambda t: F.softplus(t, beta=2.0, threshold=5.0), lambda x: np_softplus(x, 2.0, 5.0), (-4, 4), [2.5],
    ),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x)), (-3, 3), [0]),
    "silu": (F.silu, lambda x: x * np_sigmoid(x), (-5, 5), []),
    "mish": (F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))), (-5, 5), []),
    "hard_sigmoid": (F.hard_sigmoid, np_hard_sigmoid, (-5, 5), [-3, 3]),
    "hard_tanh": (F.hard_tanh, lambda x: np.clip(x, -1, 1), (-3, 3), [-1, 1]),
    "hard_tanh_-2_0.5": (lambda t: F.hard_tanh(t, -2.0, 0.5), lambda x: np.clip(x, -2, 0.5), (-3, 3), [-2, 0.5]),
    "hard_silu": (F.hard_silu, lambda x: x * np_hard_sigmoid(x), (-5, 5), [-3, 3]),
    "relu6": (F.relu6, lambda x: np.minimum(np.maximum(x, 0), 6), (-2, 8), [0, 6]),
    "hard_shrink": (F.hard_shrink, lambda x: np.where(np.abs(x) > 0.5, x, 0), (-2, 2), [-0.5, 0.5]),
    "hard_shrink_1": (lambda t: F.hard_shrink(t, 1.0), lambda x: np.where(np.abs(x) > 1, x, 0), (-3, 3), [-1, 1]),
    "soft_shrink": (
        F.soft_shrink, lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0), (-2, 2), [-0.5, 0.5],
    ),
    "tanh_shrink": (F.tanh_shrink, lambda x: x - np.tanh(x), (-3, 3), []),
    "threshold": (lambda t: F.threshold(t, 0.5, -2.0), lambda x: np.where(x > 0.5, x, -2.0), (-2, 2), [0.5]),
    "log_sigmoid": (F.log_sigmoid, lambda x: np.log(np_sigmoid(x)), (-6, 6), []),
    "exponential": (F.exponential, np.exp, (-3, 3), []),
    "linear": (F.linear, lambda x: x, (-3, 3), []),
    "squareplus": (F.squareplus, lambda x: (x + np.sqrt(x * x + 4)) / 2, (-4, 4), []),
    "squareplus_1": (lambda t: F.squareplus(t, b=1.0), lambda x: (x + np.sqrt(x * x + 1)) / 2, (-4, 4), []),
    "sparse_plus": (F.sparse_plus, np_sparse_plus, (-3, 3), [-1, 1]),
}


def away_from(x, kinks, margin=0.05):
    """``x`` with every value within ``margin`` of a kink pushed out to kink ± margin."""
    for k in kinks:
        d = x - k
        x = np.where(np.abs(d) < margin, k + np.where(d >= 0, margin, -margin), x)
    return x


@pytest.mark.parametrize("name", list(ELEMENTWISE))
@given(seed=seeds, shape=SHAPES)
def test_elementwise_values_and_gradients(name, seed, shape):
    fn, ref, (low, high), kinks = ELEMENTWISE[name]
    x = away_from(values(seed, shape, low, high), kinks)
    out = fn(mg.tensor(x, dtype="float64"))
    assert out.shape == x.shape and out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-10, atol=1e-12)
    check_gradients(fn, [x], second_order=True)


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_keeps_float32_and_accepts_array_likes(name):
    fn, ref, (low, high), kinks = ELEMENTWISE[name]
    x = away_from(np.linspace(low, high, 7), kinks)
    out = fn(x.astype(np.float32))  # a plain array is converted
    assert isinstance(out, mg.Tensor) and out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-5, atol=1e-6)
    assert fn(list(x)).shape == (7,)


# --------------------------------------------------------------------------- stability at ±1000

# name -> (function, value at -1000, value at +1000, derivative at -1000, derivative at +1000)
EXTREMES = {
    "sigmoid": (F.sigmoid, 0.0, 1.0, 0.0, 0.0),
    "tanh": (F.tanh, -1.0, 1.0, 0.0, 0.0),
    "softplus": (F.softplus, 0.0, 1000.0, 0.0, 1.0),
    "softplus_thr_inf": (lambda t: F.softplus(t, threshold=math.inf), 0.0, 1000.0, 0.0, 1.0),
    "log_sigmoid": (F.log_sigmoid, -1000.0, 0.0, 1.0, 0.0),
    "silu": (F.silu, 0.0, 1000.0, 0.0, 1.0),
    "mish": (F.mish, 0.0, 1000.0, 0.0, 1.0),
    "gelu": (F.gelu, 0.0, 1000.0, 0.0, 1.0),
    "gelu_tanh": (lambda t: F.gelu(t, approximate="tanh"), 0.0, 1000.0, 0.0, 1.0),
    "elu": (F.elu, -1.0, 1000.0, 0.0, 1.0),
    "selu": (F.selu, -SELU_SCALE * SELU_ALPHA, SELU_SCALE * 1000.0, 0.0, SELU_SCALE),
    "celu": (F.celu, -1.0, 1000.0, 0.0, 1.0),
    "softsign": (F.softsign, -1000 / 1001, 1000 / 1001, 1 / 1001**2, 1 / 1001**2),
    "squareplus": (F.squareplus, 2 / (math.sqrt(1e6 + 4) + 1000), 1000.0, 0.0, 1.0),
    "sparse_plus": (F.sparse_plus, 0.0, 1000.0, 0.0, 1.0),
    "hard_silu": (F.hard_silu, 0.0, 1000.0, 0.0, 1.0),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(EXTREMES))
def test_stable_and_correct_at_plus_minus_1000(name, dtype):
    fn, lo, hi, dlo, dhi = EXTREMES[name]
    x = mg.tensor([-1000.0, 1000.0], dtype=dtype, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        y = fn(x)
        y.sum().backward()
    assert y.dtype == np.dtype(dtype) and x.grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.numpy(), [lo, hi], rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(x.grad.numpy(), [dlo, dhi], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax, F.sparsemax, F.glu, lambda t: F.maxout(t, 2)])
def test_axis_functions_are_finite_at_plus_minus_1000(fn, dtype):
    x = mg.tensor([[-1000.0, 1000.0, 0.0, 999.0], [-1000.0, -1000.0, -1000.0, -1000.0]], dtype=dtype, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        y = fn(x)
        (y * mg.tensor(np.arange(y.size).reshape(y.shape), dtype=dtype)).sum().backward()
    assert np.all(np.isfinite(y.numpy())) and np.all(np.isfinite(x.grad.numpy()))


# --------------------------------------------------------------------------- specific values and kinks

def test_known_values():
    x = mg.tensor([-4.0, -3.0, 0.0, 3.0, 4.0], dtype="float64")
    np.testing.assert_allclose(F.hard_sigmoid(x).numpy(), [0, 0, 0.5, 1, 1])
    np.testing.assert_allclose(F.hard_silu(x).numpy(), [0, 0, 0, 3, 4])
    np.testing.assert_allclose(F.relu6(mg.tensor([-1.0, 3.0, 7.0])).numpy(), [0, 3, 6])
    np.testing.assert_allclose(F.sparse_plus(mg.tensor([-1.0, 0.0, 1.0])).numpy(), [0, 0.25, 1])
    np.testing.assert_allclose(F.selu(mg.tensor([1.0], dtype="float64")).numpy(), [1.0507009873554805])
    np.testing.assert_allclose(F.gelu(mg.tensor([1.0], dtype="float64")).numpy(), [0.8413447460685429], rtol=1e-12)
    np.testing.assert_allclose(F.softplus(mg.tensor([0.0], dtype="float64")).numpy(), [math.log(2)], rtol=1e-15)
    np.testing.assert_allclose(F.squareplus(mg.tensor([0.0]), b=0.0).numpy(), [0.0])
    np.testing.assert_allclose(F.soft_shrink(mg.tensor([-1.0, 0.2, 2.0])).numpy(), [-0.5, 0, 1.5])
    np.testing.assert_allclose(F.hard_shrink(mg.tensor([-1.0, 0.2, 0.5, 2.0])).numpy(), [-1, 0, 0, 2])
    np.testing.assert_allclose(F.threshold(mg.tensor([-1.0, 0.5, 2.0]), 0.5, 9.0).numpy(), [9, 9, 2])


@given(x=arrays(low=-4, high=4))
def test_activation_identities(x):
    t = mg.tensor(x, dtype="float64")
    # activation identities (Goodfellow et al. 2016, §6.3; Klambauer et al. 2017):
    # tanh(z) = 2σ(2z) − 1; threshold(z, 0, 0) is ReLU; SELU is a scaled ELU
    np.testing.assert_allclose(F.tanh(t).numpy(), (2 * F.sigmoid(t * 2.0) - 1).numpy(), atol=1e-12)
    np.testing.assert_array_equal(F.threshold(t, 0.0, 0.0).numpy(), F.relu(t).numpy())
    np.testing.assert_allclose(F.log_sigmoid(t).numpy(), -F.softplus(-t).numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(F.hard_silu(t).numpy(), (t * F.hard_sigmoid(t)).numpy())


@pytest.mark.parametrize(
    "fn, expected",
    [
        (F.relu, 0.0),  # the derivative at 0 is taken from the left (a subgradient)
        (F.leaky_relu, 0.01),
        (lambda t: F.elu(t, alpha=0.5), 0.5),  # PyTorch: α·e^0 at 0
        (F.softplus, 0.5),  # σ(0)
        (F.log_sigmoid, 0.5),
        (F.mish, math.tanh(math.log(2))),
        (F.softsign, 1.0),
        (F.silu, 0.5),
        (F.gelu, 0.5),
        (F.hard_shrink, 0.0),
        (F.soft_shrink, 0.0),
    ],
)
def test_derivative_at_zero(fn, expected):
    x = mg.tensor([0.0], dtype="float64", requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [expected], rtol=1e-12)


def second_derivative_at(fn, points, dtype):
    """(f'(x), f''(x)) elementwise, f'' differentiated from the create_graph=True gradient."""
    x = mg.tensor(points, dtype=dtype, requires_grad=True)
    (g,) = mg.autograd.grad(fn(x).sum(), x, create_graph=True)
    (h,) = mg.autograd.grad(g.sum(), x)
    return g, h


# mish'' = 2t' + z·t'' for t = tanh(softplus(z)); at 0: t' = (1 − tanh²(ln 2))·σ(0) = 0.64·½
MISH_SECOND_AT_0 = 2 * (1 - math.tanh(math.log(2)) ** 2) * 0.5


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softplus_family_second_derivatives_at_zero(dtype):
    _, h = second_derivative_at(F.softplus, [0.0], dtype)
    assert h.dtype == np.dtype(dtype) and h.tolist() == [0.25]  # σ'(0), exactly
    _, h = second_derivative_at(F.log_sigmoid, [0.0], dtype)
    assert h.tolist() == [-0.25]  # −σ'(0)
    _, h = second_derivative_at(lambda t: F.softplus(t, beta=2.0), [0.0], dtype)
    assert h.tolist() == [0.5]  # β·σ'(0)
    _, h = second_derivative_at(F.mish, [0.0], dtype)
    np.testing.assert_allclose(h.numpy(), [MISH_SECOND_AT_0], rtol=1e-6)


def test_softplus_family_second_derivatives_match_finite_differences():
    # gradgradcheck compares the create_graph gradient and its derivative with central
    # differences; at 0 itself, f'' is also estimated from f' at ±h
    x = np.array([-2.0, -0.3, 0.0, 0.4, 1.7])
    h = 1e-5
    for fn, exact in [(F.softplus, 0.25), (F.log_sigmoid, -0.25), (F.mish, MISH_SECOND_AT_0)]:
        check_gradients(fn, [x], second_order=True)
        g, second = second_derivative_at(fn, [-h, 0.0, h], "float64")
        numeric = (g.numpy()[2] - g.numpy()[0]) / (2 * h)
        assert second.numpy()[1] == pytest.approx(numeric, abs=1e-8)
        assert second.numpy()[1] == pytest.approx(exact, rel=1e-12)
    check_gradients(lambda t: F.softplus(t, beta=0.5), [x], second_order=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "fn, second",
    [(F.softplus, [0.0, 0.0]), (F.log_sigmoid, [0.0, 0.0]), (F.mish, [0.0, 0.0])],
    ids=["softplus", "log_sigmoid", "mish"],
)
def test_softplus_family_second_derivatives_are_finite_at_plus_minus_1000(fn, second, dtype):
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        g, h = second_derivative_at(fn, [-1000.0, 1000.0], dtype)
    assert np.all(np.isfinite(g.numpy())) and np.all(np.isfinite(h.numpy()))
    np.testing.assert_allclose(h.numpy(), second, atol=1e-6)


def test_softplus_threshold_switches_to_identity():
    x = mg.tensor([10.0, 10.5, 30.0], dtype="float64", requires_grad=True)
    y = F.softplus(x, beta=2.0, threshold=20.0)
    np.testing.assert_allclose(y.numpy(), [np.log1p(np.exp(20.0)) / 2, 10.5, 30.0], rtol=1e-14)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [np_sigmoid(20.0), 1, 1], rtol=1e-14)


# --------------------------------------------------------------------------- softmax, log_softmax

@st.composite
def array_axis(draw, low=-3.0, high=3.0, shapes=NONEMPTY_SHAPES):
    x = draw(arrays(shape=shapes, low=low, high=high))
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


@given(case=array_axis())
def test_softmax_and_log_softmax(case):
    x, axis = case
    t = mg.tensor(x, dtype="float64")
    np.testing.assert_allclose(F.softmax(t, axis).numpy(), np_softmax(x, axis), rtol=1e-12)
    np.testing.assert_allclose(F.log_softmax(t, axis=axis).numpy(), np.log(np_softmax(x, axis)), rtol=1e-10, atol=1e-12)
    check_gradients(lambda t: F.softmax(t, axis=axis), [x], second_order=True)
    check_gradients(lambda t: F.log_softmax(t, axis=axis), [x], second_order=True)


# --------------------------------------------------------------------------- sparsemax

@given(case=array_axis(low=-2.0, high=2.0))
def test_sparsemax_is_a_projection_onto_the_simplex(case):
    x, axis = case
    p = F.sparsemax(mg.tensor(x, dtype="float64"), axis=axis).numpy()
    assert p.shape == x.shape
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(p, np_sparsemax(x, axis), rtol=1e-12, atol=1e-14)
    # KKT conditions of argmin ‖p − z‖² on the simplex: z − p = τ on the support, z ≤ τ off it
    z, q = np.moveaxis(x, axis, -1).reshape(-1, x.shape[axis]), np.moveaxis(p, axis, -1).reshape(-1, x.shape[axis])
    for zi, qi in zip(z, q):
        tau = (zi - qi)[qi > 0]
        np.testing.assert_allclose(tau, tau[0], atol=1e-12)
        assert np.all(zi[qi == 0] <= tau[0] + 1e-12)


@given(case=array_axis(low=-2.0, high=2.0))
def test_sparsemax_gradients(case):
    x, axis = case
    p = np_sparsemax(x, axis)
    tau = np.max(np.where(p > 0, x - p, -np.inf), axis=axis, keepdims=True)
    assume(np.all(np.abs(x - tau) > 1e-3))  # no element on the edge of the support
    check_gradients(lambda t: F.sparsemax(t, axis=axis), [x], second_order=True)


def test_sparsemax_known_values_and_jacobian():
    x = mg.tensor([[1.0, 2.0, 0.1], [0.3, 0.2, 0.25], [5.0, 5.0, -1.0], [1.0, 0.005, -3.0]], dtype="float64")
    expected = [[0, 1, 0], [0.3 + 1 / 12, 0.2 + 1 / 12, 0.25 + 1 / 12], [0.5, 0.5, 0], [0.9975, 0.0025, 0]]
    np.testing.assert_allclose(F.sparsemax(x).numpy(), expected, atol=1e-15)
    # Jacobian diag(s) − s sᵀ/|S| (Martins & Astudillo 2016, Prop. 2), one output row at a time
    z = mg.tensor([0.9, 0.1, 0.6, -1.0], dtype="float64", requires_grad=True)
    np.testing.assert_allclose(F.sparsemax(z).numpy(), [0.65, 0, 0.35, 0], atol=1e-15)
    s = np.array([1.0, 0.0, 1.0, 0.0])
    expected = np.diag(s) - np.outer(s, s) / s.sum()
    for i in range(4):
        z.grad = None
        F.sparsemax(z)[i].backward()
        np.testing.assert_allclose(z.grad.numpy(), expected[i], atol=1e-15)
    # shift invariance, and large inputs keep the answer exact
    np.testing.assert_allclose(F.sparsemax(z + 1000.0).numpy(), F.sparsemax(z).numpy(), atol=1e-12)


# --------------------------------------------------------------------------- glu and maxout

@st.composite
def array_axis_multiple(draw, factor):
    """An array whose length along the drawn axis is a multiple of ``factor``."""
    shape = list(draw(NONEMPTY_SHAPES))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    shape[axis] *= factor
    return values(draw(seeds), tuple(shape), -3, 3), axis


@given(case=array_axis_multiple(2))
def test_glu(case):
    x, axis = case
    out = F.glu(mg.tensor(x, dtype="float64"), axis=axis)
    a, b = np.split(x, 2, axis=axis)
    assert out.shape == a.shape
    np.testing.assert_allclose(out.numpy(), a * np_sigmoid(b), rtol=1e-12)
    check_gradients(lambda t: F.glu(t, axis=axis), [x], second_order=True)


@given(case=array_axis_multiple(3))
def test_maxout(case):
    x, axis = case
    # Replace values by their ranks (spaced 0.1 apart): a near-tie closer than
    # gradcheck's step would make the numerical derivative meaningless.
    x = np.argsort(np.argsort(x, axis=None)).reshape(x.shape) * 0.1 - 1.0
    out = F.maxout(mg.tensor(x, dtype="float64"), 3, axis=axis)
    ax = axis % x.ndim
    grouped = x.reshape(x.shape[:ax] + (x.shape[ax] // 3, 3) + x.shape[ax + 1:])
    np.testing.assert_array_equal(out.numpy(), grouped.max(axis=ax + 1))
    assert out.shape[ax] == x.shape[ax] // 3
    check_gradients(lambda t: F.maxout(t, 3, axis=axis), [x])


def test_maxout_groups_consecutive_units_like_the_paper_formula():
    # maxout (Goodfellow et al. 2013): max(W₁x + b₁, W₂x + b₂) with units laid out as [u₁, v₁, u₂, v₂]
    x = mg.tensor([[1.0, -2.0, 0.5, 4.0]], requires_grad=True)
    out = F.maxout(x, 2)
    np.testing.assert_array_equal(out.numpy(), [[1.0, 4.0]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 0, 0, 1]])


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: F.glu(mg.ones((2, 3))), "odd length 3"),
        (lambda: F.glu(mg.ones((3, 2)), axis=0), "odd length 3"),
        (lambda: F.glu(mg.tensor(1.0)), "at least one dimension"),
        (lambda: F.maxout(mg.ones((2, 5)), 2), "not divisible by pieces=2"),
        (lambda: F.maxout(mg.ones((2, 4)), 0), "positive int"),
        (lambda: F.maxout(mg.ones((2, 4)), 1.5), "positive int"),
        (lambda: F.maxout(mg.ones((2, 4)), 2, axis=2), "out of range"),
        (lambda: F.sparsemax(mg.tensor(1.0)), "at least one dimension"),
        (lambda: F.sparsemax(mg.ones((2, 3)), axis=-3), "out of range"),
        (lambda: F.gelu(mg.ones(2), approximate="erf"), "'none' or 'tanh'"),
        (lambda: F.hard_tanh(mg.ones(2), 1.0, -1.0), "min_val"),
        (lambda: F.hard_shrink(mg.ones(2), -0.1), "lambd"),
        (lambda: F.soft_shrink(mg.ones(2), -0.1), "lambd"),
        (lambda: F.celu(mg.ones(2), alpha=0.0), "alpha"),
        (lambda: F.softplus(mg.ones(2), beta=0.0), "beta"),
        (lambda: F.squareplus(mg.ones(2), b=-1.0), "b must be"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_maxout_with_one_piece_is_the_identity():
    x = mg.randn(3, 4)
    np.testing.assert_array_equal(F.maxout(x, 1).numpy(), x.numpy())


# --------------------------------------------------------------------------- registry

def test_registry_has_every_activation():
    expected = {
        "relu", "leaky_relu", "elu", "selu", "celu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax",
        "softplus", "softsign", "silu", "mish", "hard_sigmoid", "hard_tanh", "hard_silu", "relu6",
        "hard_shrink", "soft_shrink", "tanh_shrink", "threshold", "log_sigmoid", "exponential", "linear",
        "glu", "sparsemax", "squareplus", "sparse_plus", "maxout",
    }
    assert set(F.ACTIVATIONS) == expected
    for name, fn in F.ACTIVATIONS.items():
        assert F.get(name) is fn is getattr(F, name)
        assert "=" in fn.__doc__.splitlines()[0]  # the docstring opens with the formula


@pytest.mark.parametrize(
    "alias, name",
    [
        ("swish", "silu"), ("hard_swish", "hard_silu"), ("hardswish", "hard_silu"), ("identity", "linear"),
        ("LeakyReLU", "leaky_relu"), ("hardtanh", "hard_tanh"), ("logsigmoid", "log_sigmoid"),
        ("Softmax", "softmax"), (" ReLU6 ", "relu6"), ("GELU", "gelu"), ("tanhshrink", "tanh_shrink"),
    ],
)
def test_get_accepts_aliases_and_other_spellings(alias, name):
    assert F.get(alias) is F.ACTIVATIONS[name]


def test_get_passes_callables_and_none_through():
    def custom(t):
        return t * 2

    assert F.get(custom) is custom
    assert F.get(None) is F.linear


def test_get_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'relu7'") as info:
        F.get("relu7")
    for name in ("relu", "leaky_relu", "sparsemax", "swish"):
        assert name in str(info.value)
    with pytest.raises(TypeError, match="string"):
        F.get(3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_squareplus_is_accurate_for_large_negative_inputs(dtype):
    x = np.array([-1000.0, -30.0, -1.0, 0.0, 2.0])
    expected = 4.0 / (np.sqrt(x * x + 4.0) - x) / 2.0  # the cancellation-free form, in float64
    out = F.squareplus(mg.tensor(x, dtype=dtype)).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-6)


# --------------------------------------------------------------------------- every registered activation

# settings for the activations that need them, and points at least 0.1 away from every kink
# (0, ±0.5, ±1, ±3, 6, the threshold 0.2, the sparsemax support and maxout ties)
REGISTRY_KWARGS = {"threshold": {"threshold": 0.2, "value": -0.7}, "maxout": {"pieces": 2}}
POINTS = np.array([[-3.4, -1.6, -0.7, -0.25, 0.35, 0.8, 1.3, 7.2], [2.4, -2.1, 0.6, -0.35, 4.5, -1.2, 0.15, -0.1]])


def registered(name):
    fn, kwargs = F.ACTIVATIONS[name], REGISTRY_KWARGS.get(name, {})
    return lambda t: fn(t, **kwargs)


@pytest.mark.parametrize("name", sorted(F.ACTIVATIONS))
def test_every_activation_passes_gradcheck_and_gradgradcheck(name):
    check_gradients(registered(name), [POINTS], second_order=True)


PIECEWISE_LINEAR = [
    "relu", "leaky_relu", "hard_tanh", "relu6", "threshold", "hard_shrink", "soft_shrink",
    "hard_sigmoid", "sparsemax", "linear",
]


@pytest.mark.parametrize("name", PIECEWISE_LINEAR)
def test_piecewise_linear_activations_have_an_exact_zero_second_derivative(name):
    fn = registered(name)
    x = mg.tensor(POINTS, dtype="float64", requires_grad=True)
    w = np.linspace(-1.0, 2.0, POINTS.size).reshape(POINTS.shape)
    (g,) = mg.autograd.grad((fn(x) * w).sum(), x, create_graph=True)
    if name == "linear":
        assert not g.requires_grad  # the identity's gradient is the seed itself
        return
    (h,) = mg.autograd.grad((g * w).sum(), x)  # an error before the fix: "does not require grad"
    assert h is not None and h.shape == POINTS.shape
    np.testing.assert_array_equal(h.numpy(), np.zeros_like(POINTS))


@pytest.mark.parametrize("name", sorted(F.ACTIVATIONS))
def test_integer_and_boolean_inputs_compute_in_float32(name):
    fn = registered(name)
    ints = np.array([[-3, -1, 0, 1], [2, 3, 5, 7]])
    out = fn(mg.tensor(ints))
    reference = fn(mg.tensor(ints.astype(np.float32)))
    if name in ("relu", "linear", "maxout"):  # they only pick input values: integers stay integers
        assert out.dtype == np.int64
    else:
        assert out.dtype == np.float32, f"{name} returned {out.dtype}"
    np.testing.assert_allclose(out.numpy(), reference.numpy(), rtol=1e-6, atol=1e-7)
    flags = np.array([[True, False, True, True]])
    np.testing.assert_allclose(
        fn(mg.tensor(flags)).numpy().astype(np.float32), fn(mg.tensor(flags.astype(np.float32))).numpy(), rtol=1e-6
    )
    assert fn(mg.tensor(ints, dtype="float64")).dtype == np.float64  # float64 is kept as it is


def test_integer_inputs_are_not_truncated():
    silu = F.silu(mg.tensor([0, 1, 3]))
    assert silu.dtype == np.float32
    np.testing.assert_allclose(silu.numpy(), [0.0, 1 / (1 + math.exp(-1)), 3 / (1 + math.exp(-3))], rtol=1e-6)
    np.testing.assert_allclose(F.softsign([0, 1, 3]).numpy(), [0.0, 0.5, 0.75])
    np.testing.assert_allclose(F.log_sigmoid(mg.tensor([0])).numpy(), [-math.log(2)], rtol=1e-6)
    np.testing.assert_allclose(F.softplus(mg.tensor([0, 30])).numpy(), [math.log(2), 30.0], rtol=1e-6)
    np.testing.assert_allclose(F.elu(mg.tensor([-1, 2])).numpy(), [math.expm1(-1), 2.0], rtol=1e-6)
    np.testing.assert_allclose(F.gelu(mg.tensor([1])).numpy(), [0.8413447460685429], rtol=1e-6)
    np.testing.assert_allclose(F.mish(mg.tensor([1])).numpy(), [math.tanh(math.log1p(math.e))], rtol=1e-6)


def test_one_hot_is_in_functional_where_pytorch_keeps_it():
    out = F.one_hot(mg.tensor([0, 2, 1]), num_classes=3)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), np.eye(3, dtype=np.int64)[[0, 2, 1]])
    assert F.one_hot is mg.one_hot

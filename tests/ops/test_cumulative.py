"""cumsum, cumprod, cummax, cummin, logcumsumexp: NumPy's values, PyTorch's (values, indices), exact gradients."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import NONEMPTY_SHAPES, arrays, check_gradients


def np_logcumsumexp(x, axis):
    return np.logaddexp.accumulate(x, axis=axis)


REFERENCES = {
    "cumsum": np.cumsum,
    "cumprod": np.cumprod,
    "logcumsumexp": np_logcumsumexp,
    "cummax": lambda x, axis: np.maximum.accumulate(x, axis=axis),
    "cummin": lambda x, axis: np.minimum.accumulate(x, axis=axis),
}


def values_of(out):
    return out.values if isinstance(out, tuple) else out


@pytest.mark.parametrize("name", sorted(REFERENCES))
@settings(max_examples=6, deadline=None)
@given(x=arrays(shape=NONEMPTY_SHAPES, low=-1.5, high=1.5, margin=0.1), data=st.data())
def test_values_and_gradients_on_drawn_shapes(name, x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    fn = getattr(mg, name)
    out = values_of(fn(mg.tensor(x, dtype="float64"), axis=axis))
    np.testing.assert_allclose(out.numpy(), REFERENCES[name](x, axis=axis), rtol=1e-12)
    check_gradients(lambda t: values_of(fn(t, axis)), [x], second_order=True)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_axis_none_flattens_and_the_method_and_dim_spellings_agree(name):
    x = np.arange(6.0).reshape(2, 3) / 4 - 0.3
    t = mg.tensor(x, dtype="float64")
    flat = values_of(getattr(mg, name)(t))
    assert flat.shape == (6,)
    ref = REFERENCES[name](x.ravel(), axis=0)
    np.testing.assert_allclose(flat.numpy(), ref, rtol=1e-12)
    by_dim = values_of(getattr(t, name)(dim=1))
    np.testing.assert_array_equal(by_dim.numpy(), values_of(getattr(mg, name)(t, axis=1)).numpy())
    np.testing.assert_array_equal(values_of(getattr(t, name)(1)).numpy(), by_dim.numpy())


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_zero_d_and_empty_inputs(name):
    fn = getattr(mg, name)
    assert values_of(fn(mg.tensor(2.0), axis=0)).shape == ()
    assert values_of(fn(mg.tensor(2.0))).shape == (1,)  # NumPy flattens a 0-d input with axis=None
    empty = mg.tensor(np.zeros((0, 3)), requires_grad=True)
    out = values_of(fn(empty, axis=0))
    assert out.shape == (0, 3)
    out.sum().backward()
    assert empty.grad.shape == (0, 3)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_axis_errors(name):
    fn = getattr(mg, name)
    with pytest.raises(ValueError, match=rf"{name}: axis 2 is out of range"):
        fn(mg.ones(2, 3), axis=2)
    with pytest.raises(TypeError, match=rf"{name}: axis must be one int or None"):
        fn(mg.ones(2, 3), axis=(0, 1))
    with pytest.raises(TypeError, match="got both axis= and dim="):
        fn(mg.ones(2, 3), 0, dim=0)


def test_integer_dtypes():
    ints = mg.tensor([[1, 2], [3, 4]])
    assert ints.cumsum(1).dtype == np.int64 and ints.cumsum(1).tolist() == [[1, 3], [3, 7]]
    assert ints.cumprod(0).tolist() == [[1, 2], [3, 8]]
    assert ints.cummax(0).values.dtype == np.int64
    out = ints.logcumsumexp(1)
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), np_logcumsumexp(np.array([[1.0, 2], [3, 4]]), 1), rtol=1e-6)


def test_cumsum_gradient_is_a_reverse_cumsum():
    x = mg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    x.cumsum().backward(mg.tensor([1.0, 10.0, 100.0, 1000.0]))
    assert x.grad.tolist() == [1111.0, 1110.0, 1100.0, 1000.0]


# --------------------------------------------------------------------------- cumprod with zeros

def brute_cumprod_gradient(x, g):
    """Σ_{i≥k} g_i Π_{j≤i, j≠k} x_j, term by term (1-D)."""
    n = len(x)
    return np.array([sum(g[i] * np.prod([x[j] for j in range(i + 1) if j != k]) for i in range(k, n))
                     for k in range(n)])


@pytest.mark.parametrize("x", [
    [2.0, 0.0, 3.0, 4.0], [0.0, 2.0, 3.0], [2.0, 3.0, 0.0], [2.0, 0.0, 3.0, 0.0, 5.0], [0.0, 0.0, 0.0],
    [1.5, -2.0, 0.5],
])
def test_cumprod_gradient_with_zeros_is_exact(x):
    x = np.array(x)
    g = np.arange(1.0, len(x) + 1)
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    t.cumprod().backward(mg.tensor(g, dtype="float64"))
    np.testing.assert_allclose(t.grad.numpy(), brute_cumprod_gradient(x, g), rtol=1e-12, atol=1e-15)
    assert mg.gradcheck(lambda a: a.cumprod(), t)
    assert mg.gradgradcheck(lambda a: a.cumprod(), t)


def test_cumprod_with_zeros_in_some_slices_only():
    x = np.array([[1.0, 0.0, 2.0, 3.0], [0.5, 1.5, -2.0, 1.0], [0.0, 2.0, 0.0, 4.0]])
    check_gradients(lambda t: t.cumprod(axis=1), [x], second_order=True)
    check_gradients(lambda t: t.cumprod(axis=0), [x], second_order=True)


# --------------------------------------------------------------------------- cummax / cummin

def test_cummax_returns_values_and_indices_like_pytorch():
    x = mg.tensor([1.0, 3.0, 2.0, 3.0, 5.0, 0.0], requires_grad=True)
    out = x.cummax(axis=0)
    values, indices = out
    assert out.values is values and out.indices is indices and type(out).__name__ == "ValuesIndices"
    assert values.tolist() == [1, 3, 3, 3, 5, 5]
    assert indices.tolist() == [0, 1, 1, 3, 4, 4]  # a tie moves to the later element
    assert indices.dtype == np.int64 and not indices.requires_grad
    values.backward(mg.ones(6))
    assert x.grad.tolist() == [1.0, 2.0, 0.0, 1.0, 2.0, 0.0]
    low = mg.tensor([[3.0, 1.0], [2.0, 1.0], [4.0, 0.0]]).cummin(0)
    assert low.values.tolist() == [[3.0, 1.0], [2.0, 1.0], [2.0, 0.0]]
    assert low.indices.tolist() == [[0, 0], [1, 1], [1, 2]]


def test_cummax_indices_gather_the_values():
    x = np.random.default_rng(3).integers(0, 4, (3, 5)).astype(float)
    for fn in (mg.cummax, mg.cummin):
        values, indices = fn(mg.tensor(x), axis=1)
        np.testing.assert_array_equal(np.take_along_axis(x, indices.numpy(), axis=1), values.numpy())


def test_a_nan_stays_the_running_extreme():
    values, indices = mg.tensor([1.0, np.nan, 5.0, np.nan, 7.0]).cummax(0)
    np.testing.assert_array_equal(values.numpy(), [1.0, np.nan, np.nan, np.nan, np.nan])
    assert indices.tolist() == [0, 1, 1, 3, 3]


# --------------------------------------------------------------------------- logcumsumexp

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logcumsumexp_is_stable_for_a_wide_range(dtype):
    x = mg.tensor([-1000.0, 1000.0, 0.0, -500.0], dtype=dtype, requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        y = x.logcumsumexp()
        y.backward(mg.tensor([1.0, -2.0, 3.0, 0.5], dtype=dtype))
    assert y.tolist() == [-1000.0, 1000.0, 1000.0, 1000.0]
    # g_k e^{x_k − y_i} summed: x_0 only in y_0, x_1 is all of y_1..y_3
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.5, 0.0, 0.0], rtol=1e-4 if dtype == "float32" else 1e-12)


def test_logcumsumexp_with_minus_infinity():
    x = mg.tensor([-np.inf, 1.0, -np.inf], dtype="float64", requires_grad=True)
    y = x.logcumsumexp()
    assert y.tolist() == [-np.inf, 1.0, 1.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 0.0]


def test_cumprod_with_many_zeros_is_exact_to_second_order_and_cheap():
    x = np.array([1.5, 0.0, -2.0, 0.0, 0.5, 0.0, 3.0, 0.0])
    g = np.linspace(1.0, 2.0, x.size)
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    t.cumprod().backward(mg.tensor(g, dtype="float64"))
    np.testing.assert_allclose(t.grad.numpy(), brute_cumprod_gradient(x, g), rtol=1e-12, atol=1e-15)
    check_gradients(lambda a: a.cumprod(), [x], second_order=True)
    # a relu-like input with about a thousand zeros in one slice: no deep recursion
    many = mg.tensor(np.maximum(np.random.default_rng(0).standard_normal(2000), 0), dtype="float64",
                     requires_grad=True)
    many.cumprod().sum().backward()
    assert many.grad.shape == (2000,) and np.isfinite(many.grad.numpy()).all()

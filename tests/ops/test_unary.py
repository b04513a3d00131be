import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.ops.mask import MaskedGrad, mask_grad
from minigrad.ops.unary import Softplus, softplus
from tests.helpers import LAYOUTS, arrays, check_gradients


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


# name -> (minigrad function, NumPy reference, input range, margin from 0, smooth)
UNARY = {
    "exp": (mg.exp, np.exp, (-2, 2), 0, True),
    "log": (mg.log, np.log, (0.2, 3), 0, True),
    "log1p": (mg.log1p, np.log1p, (-0.8, 3), 0, True),
    "expm1": (mg.expm1, np.expm1, (-2, 2), 0, True),
    "erf": (mg.erf, np.vectorize(math.erf), (-2.5, 2.5), 0, True),
    "sqrt": (mg.sqrt, np.sqrt, (0.2, 3), 0, True),
    "sin": (mg.sin, np.sin, (-3, 3), 0, True),
    "cos": (mg.cos, np.cos, (-3, 3), 0, True),
    "tanh": (mg.tanh, np.tanh, (-3, 3), 0, True),
    "sigmoid": (mg.sigmoid, np_sigmoid, (-4, 4), 0, True),
    # piecewise linear: second derivatives are 0 away from the kink, and checked too
    "abs": (mg.abs, np.abs, (-2, 2), 0.05, True),
    "relu": (mg.relu, lambda x: np.maximum(x, 0), (-2, 2), 0.05, True),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(seed=st.integers(0, 2**32 - 1), layout=st.sampled_from(LAYOUTS), data=st.data())
def test_unary_forward_and_gradients(name, seed, layout, data):
    fn, ref, (low, high), margin, smooth = UNARY[name]
    x = data.draw(arrays(low=low, high=high, margin=margin))
    out = fn(mg.tensor(x, dtype="float64"))
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-12, atol=1e-15)
    assert out.shape == x.shape
    check_gradients(fn, [x], layouts=[layout], second_order=smooth)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_is_a_tensor_method(name):
    x = mg.tensor([0.5, 1.5])
    np.testing.assert_array_equal(getattr(x, name)().numpy(), UNARY[name][0](x).numpy())


@given(x=arrays(margin=0.05), bounds=st.sampled_from([(-1.0, 1.0), (None, 0.5), (-0.5, None), (0.0, 0.0)]))
def test_clip(x, bounds):
    lo, hi = bounds
    out = mg.tensor(x, dtype="float64").clip(lo, hi)
    np.testing.assert_array_equal(out.numpy(), np.clip(x, lo, hi))
    check_gradients(lambda t: t.clip(lo, hi), [x])


def test_clip_gradient_mask_is_inclusive_like_pytorch():
    x = mg.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1, 1, 1, 0])


def test_clip_needs_a_bound_and_ordered_bounds():
    with pytest.raises(ValueError, match="min"):
        mg.ones(2).clip()
    with pytest.raises(ValueError, match="greater than max"):
        mg.ones(2).clip(1.0, -1.0)


def test_relu_derivative_at_zero_is_zero():
    x = mg.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 1])


def test_abs_derivative_at_zero_is_zero():
    x = mg.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [-1, 0, 1])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_and_tanh_are_stable_for_large_inputs(dtype):
    x = mg.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = x.sigmoid()
        s.sum().backward()
    np.testing.assert_allclose(s.numpy(), [0, np_sigmoid(-50.0), 0.5, 1, 1], rtol=1e-6)
    assert np.all(np.isfinite(x.grad.numpy()))
    assert s.dtype == np.dtype(dtype)
    t = mg.tensor([-1000.0, 1000.0], dtype=dtype).tanh()
    np.testing.assert_array_equal(t.numpy(), [-1, 1])


def test_log1p_and_expm1_are_accurate_for_tiny_inputs():
    x = mg.tensor([1e-12, -1e-12], dtype="float64")
    np.testing.assert_allclose(x.log1p().numpy(), [1e-12 - 5e-25, -1e-12 - 5e-25], rtol=1e-15)
    np.testing.assert_allclose(x.expm1().numpy(), [1e-12 + 5e-25, -1e-12 + 5e-25], rtol=1e-15)
    assert mg.erf(mg.tensor([0.0, 10.0])).tolist() == [0.0, 1.0]


# --------------------------------------------------------------------------- second derivatives of piecewise-linear ops

def second_derivative(fn, x, weights=None):
    """d/dx of (w · fn'(x)) with the gradient built by create_graph=True."""
    x = mg.tensor(x, dtype="float64", requires_grad=True)
    out = fn(x)
    w = np.linspace(0.5, 1.5, out.data.size).reshape(out.shape) if weights is None else weights
    (g,) = mg.autograd.grad((out * w).sum(), x, create_graph=True)
    assert g.requires_grad  # the gradient is still a function of x in the graph
    (h,) = mg.autograd.grad((g * np.linspace(1.0, 2.0, g.data.size).reshape(g.shape)).sum(), x)
    return g, h


@pytest.mark.parametrize(
    "fn",
    [mg.abs, mg.relu, lambda t: t.clip(-1.0, 1.5), lambda t: t.clip(max=0.25), lambda t: t.clip(min=0.25)],
    ids=["abs", "relu", "clip", "clip_max", "clip_min"],
)
def test_piecewise_linear_second_derivative_is_an_exact_zero(fn):
    x = np.array([[-2.5, -0.7, 0.4], [1.2, 3.0, -1.1]])
    g, h = second_derivative(fn, x)
    assert h is not None and h.shape == x.shape and h.dtype == np.float64
    np.testing.assert_array_equal(h.numpy(), np.zeros_like(x))
    assert mg.gradgradcheck(fn, mg.tensor(x, dtype="float64", requires_grad=True))


def test_masked_grad_is_linear_in_g_and_constant_in_x():
    g = mg.tensor([1.0, 2.0, 3.0], dtype="float64", requires_grad=True)
    x = mg.tensor([-1.0, 0.5, 2.0], dtype="float64", requires_grad=True)
    mask = np.array([0.0, 0.5, 1.0])
    out = mask_grad(g, x, mask)
    assert isinstance(out._ctx, MaskedGrad) and out.dtype == np.float64
    np.testing.assert_array_equal(out.numpy(), [0.0, 1.0, 3.0])
    dg, dx = mg.autograd.grad((out * np.array([1.0, 2.0, 4.0])).sum(), [g, x], create_graph=True)
    np.testing.assert_array_equal(dg.numpy(), [0.0, 1.0, 4.0])  # the same mask applied to the seed
    np.testing.assert_array_equal(dx.numpy(), [0.0, 0.0, 0.0])  # an explicit zero, not None
    assert mg.gradcheck(lambda a, b: mask_grad(a, b, mask), g, x)
    # a boolean mask keeps g's dtype
    f32 = mask_grad(mg.tensor([1.0, 2.0]), mg.tensor([0.0, 0.0]), np.array([True, False]))
    assert f32.dtype == np.float32 and f32.tolist() == [1.0, 0.0]


def test_third_derivative_through_abs_is_still_zero():
    x = mg.tensor([-1.5, 0.5], dtype="float64", requires_grad=True)
    (g,) = mg.autograd.grad((x.abs() * x * x).sum(), x, create_graph=True)  # 3x|x|
    (h,) = mg.autograd.grad(g.sum(), x, create_graph=True)  # 6|x|
    (k,) = mg.autograd.grad(h.sum(), x)  # 6 sign(x)
    np.testing.assert_array_equal(h.numpy(), [9.0, 3.0])
    np.testing.assert_array_equal(k.numpy(), [-6.0, 6.0])


# --------------------------------------------------------------------------- softplus

def np_softplus(x):
    return np.logaddexp(0.0, x)


def test_softplus_op_values_and_derivatives():
    x = np.array([-30.0, -3.0, -0.5, 0.0, 0.5, 3.0, 30.0])
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    out = softplus(t)
    assert isinstance(out._ctx, Softplus)
    np.testing.assert_allclose(out.numpy(), np_softplus(x), rtol=1e-14, atol=0)
    check_gradients(softplus, [x], second_order=True)
    (g,) = mg.autograd.grad(out.sum(), t, create_graph=True)
    np.testing.assert_allclose(g.numpy(), np_sigmoid(x), rtol=1e-14)
    (h,) = mg.autograd.grad(g.sum(), t)
    np.testing.assert_allclose(h.numpy(), np_sigmoid(x) * (1 - np_sigmoid(x)), rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softplus_op_derivatives_at_zero_and_far_away(dtype):
    x = mg.tensor([0.0, -1000.0, 1000.0], dtype=dtype, requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = softplus(x)
        (g,) = mg.autograd.grad(out.sum(), x, create_graph=True)
        (h,) = mg.autograd.grad(g.sum(), x)
    assert out.dtype == g.dtype == h.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.numpy(), [math.log(2.0), 0.0, 1000.0], rtol=1e-6)
    assert g.tolist() == [0.5, 0.0, 1.0]
    assert h.tolist() == [0.25, 0.0, 0.0]


def test_abs_of_a_boolean_tensor_is_itself_as_numpy():
    mask = mg.tensor([True, False, True])
    out = mask.abs()
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.numpy(), np.abs(mask.numpy()))
    np.testing.assert_array_equal(mg.abs(mg.tensor([-3, 0, 2])).numpy(), [3, 0, 2])


def test_clip_of_an_integer_tensor_to_fractional_bounds_is_the_default_float():
    xi = mg.tensor([1, 2, 3])
    out = xi.clip(0.5, 2.5)
    assert out.dtype == mg.float32
    np.testing.assert_array_equal(out.numpy(), [1.0, 2.0, 2.5])
    assert xi.clip(max=1.5).dtype == mg.float32
    assert xi.clip(1, 2).dtype == np.int64

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, NONEMPTY_SHAPES, arrays, check_gradients, values


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@st.composite
def array_axis(draw):
    x = draw(arrays(shape=NONEMPTY_SHAPES, low=-3, high=3))
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


@given(case=array_axis(), layout=st.sampled_from(LAYOUTS))
def test_softmax(case, layout):
    x, axis = case
    out = mg.tensor(x, dtype="float64").softmax(axis=axis)
    np.testing.assert_allclose(out.numpy(), np_softmax(x, axis), rtol=1e-12)
    np.testing.assert_allclose(out.numpy().sum(axis=axis), 1.0)
    check_gradients(lambda t: t.softmax(axis=axis), [x], layouts=[layout], second_order=True)


@given(case=array_axis(), layout=st.sampled_from(LAYOUTS))
def test_log_softmax(case, layout):
    x, axis = case
    out = mg.log_softmax(mg.tensor(x, dtype="float64"), axis=axis)
    np.testing.assert_allclose(out.numpy(), np.log(np_softmax(x, axis)), rtol=1e-10, atol=1e-12)
    check_gradients(lambda t: t.log_softmax(axis=axis), [x], layouts=[layout], second_order=True)


@given(x=arrays(shape=NONEMPTY_SHAPES, low=-3, high=3), keepdims=st.booleans(), data=st.data())
def test_logsumexp(x, keepdims, data):
    axis = data.draw(st.sampled_from([None] + list(range(x.ndim))))
    out = mg.tensor(x, dtype="float64").logsumexp(axis=axis, keepdims=keepdims)
    expected = np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    check_gradients(lambda t: t.logsumexp(axis=axis, keepdims=keepdims), [x], second_order=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_stable_at_extreme_logits(dtype):
    x = mg.tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]], dtype=dtype, requires_grad=True)
    s = x.softmax()
    np.testing.assert_allclose(s.numpy(), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-7)
    ls = x.log_softmax()
    assert np.all(np.isfinite(ls.numpy()[1]))
    np.testing.assert_allclose(ls.numpy()[0], [0, -2000, -1000], rtol=1e-6)
    lse = x.logsumexp(axis=1)
    np.testing.assert_allclose(lse.numpy(), [1000, -1000 + np.log(3)], rtol=1e-6)
    (s.sum() + ls.sum() + lse.sum()).backward()
    assert np.all(np.isfinite(x.grad.numpy()))


def test_logsumexp_of_all_minus_infinity_is_minus_infinity():
    out = mg.tensor([-np.inf, -np.inf]).logsumexp()
    assert out.item() == -np.inf


# --------------------------------------------------------------------------- 0-d and zero-size tensors

ZERO_D = {
    "softmax": (lambda t: t.softmax(), 1.0, 0.0),
    "softmax dim=0": (lambda t: mg.softmax(t, dim=0), 1.0, 0.0),
    "log_softmax": (lambda t: t.log_softmax(), 0.0, 0.0),
    "log_softmax axis=0": (lambda t: mg.log_softmax(t, axis=0), 0.0, 0.0),
    "logsumexp axis=-1": (lambda t: t.logsumexp(axis=-1), 0.5, 1.0),
    "logsumexp": (lambda t: mg.logsumexp(t, keepdims=True), 0.5, 1.0),
}


@pytest.mark.parametrize("name", sorted(ZERO_D))
def test_softmax_family_on_a_0d_tensor(name):
    # one score is a distribution over one outcome: probability 1, log-probability 0
    fn, value, grad = ZERO_D[name]
    t = mg.tensor(0.5, dtype="float64", requires_grad=True)
    out = fn(t)
    assert out.shape == () and out.item() == pytest.approx(value)
    out.backward()
    assert t.grad.shape == () and t.grad.item() == pytest.approx(grad)
    assert mg.gradcheck(fn, t) and mg.gradgradcheck(fn, t)


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "logsumexp"])
def test_a_0d_tensor_takes_only_axis_0_and_minus_1(op):
    with pytest.raises(ValueError, match=f"{op}: axis 1 is out of range for a tensor with 0 dimension"):
        getattr(mg.tensor(0.5), op)(axis=1)
    with pytest.raises(ValueError, match=f"{op}: axis -2 is out of range"):
        getattr(mg, op)(mg.tensor(0.5), dim=-2)


def test_softmax_over_several_axes_at_once():
    x = values(0, (2, 3, 4))
    out = mg.tensor(x, dtype="float64").softmax(axis=(0, 2))
    np.testing.assert_allclose(out.numpy(), np_softmax(x, (0, 2)), rtol=1e-12)
    check_gradients(lambda t: t.log_softmax(dim=(0, 2)), [x], second_order=True)


def test_logsumexp_over_an_empty_axis_is_minus_infinity():
    t = mg.zeros((2, 0), dtype="float64", requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = t.logsumexp(axis=1)
        out.sum().backward()
    np.testing.assert_array_equal(out.numpy(), [-np.inf, -np.inf])
    assert t.grad.shape == (2, 0)
    assert mg.logsumexp(mg.zeros(0)).item() == -np.inf


@pytest.mark.parametrize("shape, axis", [((2, 0), -1), ((0, 3), -1), ((0, 3), 0), ((0,), 0)])
def test_softmax_of_an_empty_tensor_is_empty(shape, axis):
    t = mg.zeros(shape, dtype="float64", requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, ls = t.softmax(axis=axis), t.log_softmax(dim=axis)
        (s.sum() + ls.sum()).backward()
    assert s.shape == ls.shape == shape
    assert t.grad.shape == shape
    assert mg.gradcheck(lambda a: a.softmax(axis=axis), t)

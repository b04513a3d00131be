import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, NONEMPTY_SHAPES, arrays, check_gradients


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

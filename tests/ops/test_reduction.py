import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, NONEMPTY_SHAPES, SHAPES, arrays, check_gradients


@st.composite
def array_and_axis(draw, shapes=SHAPES):
    x = draw(arrays(shape=shapes))
    choices = [None] + list(range(-x.ndim, x.ndim))
    if x.ndim >= 2:
        choices.append((0, x.ndim - 1))
    return x, draw(st.sampled_from(choices)), draw(st.booleans())


REDUCTIONS = {
    "sum": (lambda t, ax, kd: t.sum(axis=ax, keepdims=kd), lambda x, ax, kd: x.sum(axis=ax, keepdims=kd)),
    "mean": (lambda t, ax, kd: t.mean(axis=ax, keepdims=kd), lambda x, ax, kd: x.mean(axis=ax, keepdims=kd)),
    "var": (lambda t, ax, kd: t.var(axis=ax, keepdims=kd), lambda x, ax, kd: x.var(axis=ax, keepdims=kd)),
    "max": (lambda t, ax, kd: t.max(axis=ax, keepdims=kd), lambda x, ax, kd: x.max(axis=ax, keepdims=kd)),
    "min": (lambda t, ax, kd: t.min(axis=ax, keepdims=kd), lambda x, ax, kd: x.min(axis=ax, keepdims=kd)),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(case=array_and_axis(), layout=st.sampled_from(LAYOUTS))
def test_reductions_match_numpy_and_gradcheck(name, case, layout):
    fn, ref = REDUCTIONS[name]
    x, axis, keepdims = case
    out = fn(mg.tensor(x, dtype="float64"), axis, keepdims)
    expected = ref(x, axis, keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-14)
    check_gradients(lambda t: fn(t, axis, keepdims), [x], layouts=[layout], second_order=name in ("sum", "mean", "var"))


@given(case=array_and_axis(), ddof=st.sampled_from([0, 1]))
def test_std_with_ddof(case, ddof):
    x, axis, keepdims = case
    n = x.size if axis is None else x.shape[axis] if isinstance(axis, int) else x.shape[0] * x.shape[-1]
    if n - ddof <= 0 or n < 2:
        return
    out = mg.tensor(x, dtype="float64").std(axis=axis, ddof=ddof, keepdims=keepdims)
    np.testing.assert_allclose(out.numpy(), x.std(axis=axis, ddof=ddof, keepdims=keepdims), rtol=1e-12)
    check_gradients(lambda t: t.std(axis=axis, ddof=ddof, keepdims=keepdims), [x], second_order=True)


def test_var_default_is_biased_like_numpy():
    x = mg.tensor([1.0, 2.0, 3.0, 4.0])
    assert x.var().item() == pytest.approx(1.25)
    assert x.var(ddof=1).item() == pytest.approx(5 / 3)
    with pytest.raises(ValueError, match="degrees of freedom"):
        mg.tensor([1.0]).var(ddof=1)


def test_max_ties_share_the_gradient_equally():
    x = mg.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    y = mg.tensor([5.0, 1.0, 5.0], requires_grad=True)
    y.min().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [0, 1, 0])


@given(x=arrays(shape=NONEMPTY_SHAPES))
def test_argmax_argmin(x):
    t = mg.tensor(x)
    assert t.argmax().item() == x.argmax()
    np.testing.assert_array_equal(t.argmin(axis=-1).numpy(), x.argmin(axis=-1))
    assert mg.argmax(t, axis=0, keepdims=True).shape == (1,) + x.shape[1:]


def test_reduction_axis_errors_are_clear():
    x = mg.ones(2, 3)
    with pytest.raises(ValueError, match="sum: axis 2 is out of range for a tensor with 2"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match="repeated axis"):
        x.mean(axis=(0, 0))
    with pytest.raises(TypeError, match="axis must be an int"):
        x.max(axis="rows")


def test_mean_of_batch_gives_averaged_gradient():
    # seed 003: mini-batch gradient descent averages the per-example gradients
    w = mg.tensor([2.0], requires_grad=True)
    xs = mg.tensor([[1.0], [2.0], [3.0], [4.0]])
    ((xs * w) ** 2).mean().backward()
    assert w.grad.item() == pytest.approx(np.mean(2 * 2.0 * np.array([1, 4, 9, 16])))

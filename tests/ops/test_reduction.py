import warnings

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
    # mini-batch gradient descent (Goodfellow et al. 2016, §8.1.3) averages the per-example gradients
    w = mg.tensor([2.0], requires_grad=True)
    xs = mg.tensor([[1.0], [2.0], [3.0], [4.0]])
    ((xs * w) ** 2).mean().backward()
    assert w.grad.item() == pytest.approx(np.mean(2 * 2.0 * np.array([1, 4, 9, 16])))


# --------------------------------------------------------------------------- 0-d tensors

# NumPy's sum/max take axis 0/-1 on a 0-d array but its mean/var refuse it; PyTorch takes it
# everywhere (a 0-d tensor is one element: its mean is itself, its variance 0).
ZERO_D = {
    "sum axis=-1": (lambda t: t.sum(axis=-1), lambda x: x.sum(axis=-1)),
    "sum axis=0": (lambda t: t.sum(axis=0), lambda x: x.sum(axis=0)),
    "sum keepdims": (lambda t: t.sum(axis=-1, keepdims=True), lambda x: x.sum(axis=-1, keepdims=True)),
    "mean axis=-1": (lambda t: t.mean(axis=-1), lambda x: x),
    "mean dim=0": (lambda t: t.mean(dim=0), lambda x: x),
    "max axis=-1": (lambda t: t.max(axis=-1), lambda x: x.max(axis=-1)),
    "min axis=(0,)": (lambda t: t.min(axis=(0,)), lambda x: x),
    "var axis=-1": (lambda t: t.var(axis=-1), lambda x: 0.0),
}


@pytest.mark.parametrize("name", sorted(ZERO_D))
def test_reductions_of_a_0d_tensor_take_axis_0_and_minus_1(name):
    fn, ref = ZERO_D[name]
    x = np.array(0.5)
    out = fn(mg.tensor(x, dtype="float64"))
    expected = ref(x)
    assert out.shape == np.shape(expected) == ()
    assert out.item() == pytest.approx(float(expected))
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    assert mg.gradcheck(fn, t) and mg.gradgradcheck(fn, t)
    fn(t).backward()
    assert t.grad.shape == () and t.grad.item() == pytest.approx(0.0 if name.startswith("var") else 1.0)


def test_argmax_of_a_0d_tensor_and_axis_errors():
    t = mg.tensor(-2.0)
    assert t.argmax(axis=-1).item() == 0 and t.argmin(dim=0).item() == 0 and t.argmax().item() == 0
    with pytest.raises(ValueError, match="sum: axis 1 is out of range for a tensor with 0 dimension"):
        t.sum(axis=1)
    with pytest.raises(ValueError, match="argmax: axis -2 is out of range"):
        t.argmax(axis=-2)
    with pytest.raises(TypeError, match="argmax: axis must be one int or None"):
        mg.ones(2, 2).argmax(axis=(0, 1))


# --------------------------------------------------------------------------- zero-size tensors

@pytest.mark.parametrize("shape, axis", [((0, 3), 0), ((0, 3), None), ((2, 0, 3), (0, 1)), ((0,), -1)])
def test_mean_over_an_empty_axis_is_nan_without_a_warning(shape, axis):
    x = np.zeros(shape)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = x.mean(axis=axis)
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's "Mean of empty slice" must not show
        out = t.mean(axis=axis)
        out.sum().backward()
    assert out.shape == np.shape(expected)
    assert np.isnan(out.numpy()).all() and out.dtype == np.float64
    assert t.grad.shape == shape and t.grad.dtype == np.float64
    assert mg.gradcheck(lambda a: a.mean(axis=axis), t) and mg.gradgradcheck(lambda a: a.mean(axis=axis), t)
    assert np.isnan(mg.zeros(shape).mean(axis=axis).numpy()).all()  # float32 too
    assert mg.zeros(shape).mean(axis=axis).dtype == np.float32


def test_mean_over_a_nonempty_axis_of_an_empty_tensor_is_empty():
    t = mg.zeros((0, 3), dtype="float64", requires_grad=True)
    out = t.mean(axis=1, keepdims=True)
    assert out.shape == (0, 1)
    out.sum().backward()
    assert t.grad.shape == (0, 3)


def test_var_and_std_over_an_empty_axis_are_nan():
    t = mg.zeros((0, 2), dtype="float64", requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v, s = t.var(axis=0), t.std(axis=0, ddof=1)
        (v.sum() + s.sum()).backward()
    assert v.shape == s.shape == (2,)
    assert np.isnan(v.numpy()).all() and np.isnan(s.numpy()).all()
    assert t.grad.shape == (0, 2)


@pytest.mark.parametrize(
    "shape, axis, keepdims", [((0, 3), 0, False), ((0, 3), 1, True), ((0,), None, False), ((2, 0), -1, True)]
)
def test_sum_of_empty_arrays_as_numpy(shape, axis, keepdims):
    x = np.zeros(shape)
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    out = t.sum(axis=axis, keepdims=keepdims)
    expected = x.sum(axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_array_equal(out.numpy(), expected)
    out.sum().backward()
    assert t.grad.shape == shape
    assert mg.gradcheck(lambda a: a.sum(axis=axis, keepdims=keepdims), t)


def test_max_and_min_over_a_nonempty_axis_of_an_empty_tensor_are_empty():
    t = mg.zeros((0, 3), dtype="float64", requires_grad=True)
    out = t.max(axis=1)
    assert out.shape == np.zeros((0, 3)).max(axis=1).shape == (0,)
    (out.sum() + t.min(axis=-1, keepdims=True).sum()).backward()
    assert t.grad.shape == (0, 3)
    assert t.argmax(axis=1).shape == (0,)


@pytest.mark.parametrize(
    "call, message",
    [(lambda t: t.max(axis=0), "max: zero-size reduction: axis 0 has length 0, so there is no maximum"),
     (lambda t: t.max(), "max: zero-size reduction: axis 0 has length 0"),
     (lambda t: mg.min(t, dim=0), "min: zero-size reduction: axis 0 has length 0, so there is no minimum"),
     (lambda t: t.argmax(axis=0), r"argmax: zero-size reduction: axis 0 has length 0.*\(input shape: \(0, 3\)\)"),
     (lambda t: t.argmin(), "argmin: zero-size reduction: axis 0 has length 0, so there is no minimum")],
)
def test_max_over_an_empty_axis_is_a_one_line_value_error(call, message):
    with pytest.raises(ValueError, match=message) as info:
        call(mg.zeros(0, 3))
    assert "\n" not in str(info.value)


def test_max_and_min_with_a_nan_send_the_gradient_to_the_nan_without_a_warning():
    x = mg.tensor([[3.0, np.nan, 1.0], [2.0, 5.0, 4.0]], dtype="float64", requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x.max(axis=1)
        out.sum().backward()
        assert np.isnan(out.numpy()[0]) and out.numpy()[1] == 5.0
        np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
        x.grad = None
        x.min().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])

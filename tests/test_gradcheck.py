import numpy as np
import pytest

import minigrad as mg
from minigrad import GradcheckError, Value
from minigrad.ops.function import Function


class WrongSquare(Function):
    """x² with a deliberately wrong derivative (x instead of 2x)."""

    name = "wrong_square"

    def forward(self, a):
        return a * a

    def backward(self, g):
        return (g * self.inputs[0],)


class WrongSecondDerivative(Function):
    """x³ whose backward uses a constant copy of x: first derivative right, second wrong."""

    name = "cube"

    def forward(self, a):
        return a**3

    def backward(self, g):
        x = self.inputs[0].detach()
        return (g * 3.0 * x * x,)


def test_gradcheck_passes_for_correct_gradients():
    x = mg.randn(3, 4, requires_grad=True)
    assert mg.gradcheck(lambda t: (t * t).tanh().sum(axis=0), x)


def test_gradcheck_reports_a_readable_table():
    x = mg.tensor([1.0, 2.0, -3.0], requires_grad=True)
    x.label = "x"
    with pytest.raises(GradcheckError) as info:
        mg.gradcheck(lambda t: WrongSquare.apply(t).sum(), x)
    message = str(info.value)
    assert "3 of 3 element(s)" in message
    for column in ("input", "index", "analytic", "numeric", "error"):
        assert column in message
    rows = info.value.rows
    assert [r[1] for r in rows] == [(0,), (1,), (2,)]
    assert rows[1][0] == "x"
    assert rows[1][2] == pytest.approx(2.0) and rows[1][3] == pytest.approx(4.0)


def test_gradcheck_checks_only_inputs_that_require_grad_and_leaves_them_untouched():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    before = x.numpy().copy()
    assert mg.gradcheck(lambda a, b: a * b, x, c)
    np.testing.assert_array_equal(x.numpy(), before)
    assert x.grad is None
    with pytest.raises(ValueError, match="no input requires grad"):
        mg.gradcheck(lambda a: a * 2.0, c)


def test_gradcheck_accepts_non_tensor_arguments_and_tuple_outputs():
    x = mg.randn(2, 2, requires_grad=True)
    assert mg.gradcheck(lambda t, k: (t * k, t.exp()), x, 3.0)


def test_gradcheck_on_values():
    assert mg.gradcheck(lambda a, b: (a * b).tanh() + a**2, Value(0.3), Value(-1.2))
    v = Value(1.5)

    def wrong(a):
        out = a * a
        out._local = (a.data, 0.0)  # drop one of the two paths of d(a·a)/da
        return out

    with pytest.raises(GradcheckError, match="differ"):
        mg.gradcheck(wrong, v)
    assert v.grad == 0.0  # restored


def test_gradcheck_of_value_with_several_outputs():
    assert mg.gradcheck(lambda a: [a * 2, a.exp()], Value(0.4))


def test_gradgradcheck_detects_a_wrong_second_derivative():
    x = mg.tensor([0.5, -1.5], dtype="float64", requires_grad=True)
    assert mg.gradcheck(lambda t: WrongSecondDerivative.apply(t), x)
    with pytest.raises(GradcheckError, match="second derivative"):
        mg.gradgradcheck(lambda t: WrongSecondDerivative.apply(t), x)
    assert mg.gradgradcheck(lambda t: t**3, x)


def test_gradgradcheck_rejects_values():
    with pytest.raises(TypeError, match="Tensor inputs"):
        mg.gradgradcheck(lambda a: a * a, Value(1.0))


def test_gradcheck_uses_float64_even_for_float32_inputs():
    x = mg.tensor([0.1, 0.2, 0.3], requires_grad=True)
    seen = []

    def fn(t):
        seen.append(t.dtype)
        return (t * 1e3).sin()

    assert mg.gradcheck(fn, x)
    assert set(seen) == {np.dtype("float64")}

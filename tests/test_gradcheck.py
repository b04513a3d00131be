import numpy as np
import pytest

import minigrad as mg
from minigrad import GradcheckError, Value, nn
from minigrad.autograd import is_grad_enabled
from minigrad.autograd import Function


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


class Sin(Function):
    """sin x with derivative cos x times ``factor`` (1: correct)."""

    name = "sin"
    factor = 1.0

    def forward(self, a):
        return np.sin(a)

    def backward(self, g):
        return (g * self.inputs[0].cos() * self.factor,)


class OffByAFactorSin(Sin):
    name = "off_by_a_factor_sin"
    factor = 1.1


class CubeWrongWhenRecorded(Function):
    """x³ whose backward is right with grad mode off (3x²) but wrong when recorded (2x²).

    Ordinary backward runs with grad mode off; ``create_graph=True`` runs it with grad
    mode on -- so only the gradient that second derivatives are built on is wrong.
    """

    name = "cube"

    def forward(self, a):
        return a**3

    def backward(self, g):
        x = self.inputs[0]
        k = 2.0 if is_grad_enabled() else 3.0
        return (g * k * x * x,)


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


# --------------------------------------------------------------------------- fast mode

def test_fast_mode_passes_for_a_correct_op_and_fails_for_a_wrong_one():
    mg.manual_seed(0)
    x = mg.randn(4, 5, dtype="float64", requires_grad=True)
    w = mg.randn(5, 3, dtype="float64", requires_grad=True)
    assert mg.gradcheck(lambda a, b: Sin.apply(a @ b), x, w, fast_mode=True)
    with pytest.raises(GradcheckError) as info:
        mg.gradcheck(lambda a, b: OffByAFactorSin.apply(a @ b), x, w, fast_mode=True)
    rows = info.value.rows
    assert [(r[0], r[1]) for r in rows] == [("input 0", "direction"), ("input 1", "direction")]
    for _, _, analytic, numeric, _ in rows:  # the directional derivative is off by the same factor
        assert analytic == pytest.approx(1.1 * numeric, rel=1e-6)
    assert "2 of 2 direction(s) of the gradient differ" in str(info.value)


def test_fast_mode_on_values():
    assert mg.gradcheck(lambda a, b: (a * b).tanh() + a**2, Value(0.3), Value(-1.2), fast_mode=True)
    v = Value(1.5)

    def wrong(a):
        out = a * a
        out._local = (a.data, 0.0)
        return out

    with pytest.raises(GradcheckError, match="1 of 1 direction"):
        mg.gradcheck(wrong, v, fast_mode=True)
    assert (v.data, v.grad) == (1.5, 0.0)


def _call_with(model, params, x):
    """``model(x)`` with its parameters replaced, for the duration of the call, by ``params``."""
    slots = []
    for name, _ in model.named_parameters():
        *path, attr = name.split(".")
        owner = model
        for part in path:
            owner = getattr(owner, part)
        slots.append((owner, attr, getattr(owner, attr)))
    try:
        for (owner, attr, _), p in zip(slots, params):
            object.__setattr__(owner, attr, p)  # bypass registration: the model's parameters stay as they are
        return model(x)
    finally:
        for owner, attr, original in slots:
            object.__setattr__(owner, attr, original)


def test_fast_mode_checks_a_model_with_a_hundred_thousand_parameters():
    mg.manual_seed(0)
    model = nn.MLP([64, 256, 256, 64], activation="tanh").double()
    params = model.parameters()
    assert 90_000 <= sum(p.size for p in params) <= 110_000
    x = mg.randn(8, 64, dtype="float64")
    before = [p.numpy().copy() for p in params]
    assert mg.gradcheck(lambda *ps: _call_with(model, ps, x), *params, fast_mode=True)
    assert mg.gradgradcheck(lambda *ps: _call_with(model, ps, x), *params, fast_mode=True)
    for p, b in zip(params, before):
        assert p.grad is None and np.array_equal(p.numpy(), b)


# --------------------------------------------------------------------------- second derivatives

def test_gradgradcheck_catches_a_wrong_create_graph_gradient():
    x = mg.tensor([0.5, -1.5, 2.0], dtype="float64", requires_grad=True)
    fn = lambda t: CubeWrongWhenRecorded.apply(t).sum()  # noqa: E731
    assert mg.gradcheck(fn, x)  # the ordinary gradient is right
    for fast_mode in (False, True):
        with pytest.raises(GradcheckError, match="gradient computed with create_graph=True differ") as info:
            mg.gradgradcheck(fn, x, fast_mode=fast_mode)
        rows = info.value.rows
        if not fast_mode:
            assert [r[1] for r in rows] == [(0,), (1,), (2,)]
            for (_, index, analytic, numeric, _), xi in zip(rows, [0.5, -1.5, 2.0]):
                assert analytic == pytest.approx(2 * xi**2) and numeric == pytest.approx(3 * xi**2)


def test_gradgradcheck_catches_a_wrong_second_derivative_in_fast_mode():
    x = mg.tensor([[0.5, -1.5], [1.0, 0.7]], dtype="float64", requires_grad=True)
    with pytest.raises(GradcheckError, match="1 of 1 direction.* the second derivative"):
        mg.gradgradcheck(lambda t: WrongSecondDerivative.apply(t), x, fast_mode=True)
    assert mg.gradgradcheck(lambda t: (t**3).tanh(), x, fast_mode=True)


def test_gradgradcheck_of_several_inputs_and_a_non_scalar_output():
    mg.manual_seed(1)
    a = mg.randn(3, 4, dtype="float64", requires_grad=True)
    b = mg.randn(4, 2, dtype="float64", requires_grad=True)
    c = mg.randn(2, dtype="float64")  # not checked
    assert mg.gradgradcheck(lambda p, q, r: ((p @ q).tanh() + r) * p.sum(), a, b, c)


def test_gradgradcheck_of_an_op_that_is_linear():
    # The gradient of a linear function is a constant without a graph: zero second derivative.
    x = mg.tensor([1.0, -2.0], dtype="float64", requires_grad=True)
    assert mg.gradgradcheck(lambda t: t * 3.0 + 1.0, x)
    assert mg.gradgradcheck(lambda t: mg.relu(t), x, fast_mode=True)


# --------------------------------------------------------------------------- inputs are restored

class _Boom(Exception):
    pass


def _raising_after(calls, fn):
    """``fn``, but raising on call number ``calls`` (1 is the first)."""
    count = [0]

    def wrapped(*args):
        count[0] += 1
        if count[0] >= calls:
            raise _Boom
        return fn(*args)

    return wrapped


@pytest.mark.parametrize("calls", [1, 2, 3, 4])
@pytest.mark.parametrize("fast_mode", [False, True])
def test_value_inputs_are_restored_when_fn_raises(calls, fast_mode):
    a, b = Value(0.3), Value(-1.2)
    a.grad, b.grad = 0.25, -4.0
    with pytest.raises(_Boom):
        mg.gradcheck(_raising_after(calls, lambda p, q: p * q + p.exp()), a, b, fast_mode=fast_mode)
    assert (a.data, a.grad, b.data, b.grad) == (0.3, 0.25, -1.2, -4.0)


def test_value_grads_are_restored_after_a_check():
    a = Value(0.3)
    a.grad = 7.0
    assert mg.gradcheck(lambda p: p * p, a)
    assert (a.data, a.grad) == (0.3, 7.0)


@pytest.mark.parametrize("calls", [1, 2, 3])
@pytest.mark.parametrize("check", [mg.gradcheck, mg.gradgradcheck])
@pytest.mark.parametrize("fast_mode", [False, True])
def test_tensor_inputs_are_untouched_when_fn_raises(calls, check, fast_mode):
    x = mg.tensor([[0.1, 0.2], [0.3, 1 / 3]], requires_grad=True)  # float32: checked on float64 copies
    y = mg.tensor([0.7, -0.25], dtype="float64", requires_grad=True)
    before = (x.numpy().tobytes(), y.numpy().tobytes())
    seen = []

    def fn(p, q):
        seen.append((p, q))
        return (p * q).sin()

    with pytest.raises(_Boom):
        check(_raising_after(calls, fn), x, y, fast_mode=fast_mode)
    assert (x.numpy().tobytes(), y.numpy().tobytes()) == before
    assert x.dtype == np.float32 and x.grad is None and y.grad is None
    assert all(p is not x and q is not y for p, q in seen)


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("check", [mg.gradcheck, mg.gradgradcheck])
def test_clear_errors(check):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    name = check.__name__
    cases = [
        (lambda: check(lambda t: t * 2.0, mg.tensor([1.0, 2.0])), "no input requires grad"),
        (lambda: check(lambda t: t * t, x, eps=0.0), "eps must be a positive"),
        (lambda: check(lambda t: t * t, x, eps=-1e-6), "eps must be a positive"),
        (lambda: check(lambda t: t > 1.0, x), "no floating-point tensor"),
        (lambda: check(lambda t: t.argmax(), x), "no floating-point tensor"),
        (lambda: check(lambda t: 3, x), "non-floating result"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message) as info:
            call()
        text = str(info.value)
        assert text.startswith(f"{name}: ") and "\n" not in text
    with pytest.raises(TypeError, match="must return Tensors"):
        check(lambda t: t.numpy(), x)


def test_clear_errors_for_values():
    with pytest.raises(ValueError, match="eps must be a positive"):
        mg.gradcheck(lambda a: a * a, Value(1.0), eps=0)
    with pytest.raises(ValueError, match="non-floating result"):
        mg.gradcheck(lambda a: int(a.data > 0), Value(1.0))
    with pytest.raises(TypeError, match="must return Values"):
        mg.gradcheck(lambda a: mg.tensor([a.data]), Value(1.0))


def test_max_rows_and_float32_keywords():
    x = mg.tensor([1.0, 2.0, -3.0], requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        mg.gradcheck(lambda t: WrongSquare.apply(t), x, max_rows=1)
    assert "... and 2 more" in str(info.value) and len(info.value.rows) == 3
    assert mg.gradcheck(lambda t: t.tanh(), x, dtype="float32", eps=1e-3, atol=1e-2, rtol=1e-2)
    with pytest.raises(ValueError, match="float32 or float64"):
        mg.gradcheck(lambda t: t.tanh(), x, dtype="float16")

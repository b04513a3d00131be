import math

import pytest

from minigrad import Value, gradcheck


def sanity_expression(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def test_micrograd_sanity_check():
    # micrograd's first engine test, with its expected values
    x = Value(-4.0)
    y = sanity_expression(x)
    y.backward()
    assert y.data == pytest.approx(-20.0)
    assert x.grad == pytest.approx(46.0)
    assert gradcheck(sanity_expression, Value(-4.0))


def test_micrograd_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    # the values micrograd's README quotes for this expression
    assert g.data == pytest.approx(24.70408163265306, abs=1e-12)
    assert a.grad == pytest.approx(138.83381924198252, abs=1e-9)
    assert b.grad == pytest.approx(645.5772594752186, abs=1e-9)


def test_reused_node_counted_once_but_receives_every_contribution():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0


def test_deep_chain_backpropagates_without_recursion_error():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


UNARY = {
    "relu": lambda v: v.relu(),
    "tanh": lambda v: v.tanh(),
    "sigmoid": lambda v: v.sigmoid(),
    "exp": lambda v: v.exp(),
    "log": lambda v: v.log(),
    "neg": lambda v: -v,
    "pow3": lambda v: v**3,
    "pow-0.5": lambda v: v**-0.5,
    "rpow": lambda v: 2.0**v,
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("x", [0.3, 1.7, 2.5])
def test_unary_ops_against_central_differences(name, x):
    assert gradcheck(UNARY[name], Value(x))
    if name in ("relu", "tanh", "sigmoid", "exp", "neg", "pow3", "rpow"):
        assert gradcheck(UNARY[name], Value(-x))


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "radd": lambda a, b: 2.0 + a * b,
    "rsub": lambda a, b: 2.0 - a * b,
    "rmul": lambda a, b: 2.0 * a * b,
    "rdiv": lambda a, b: 2.0 / (a * b),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("a,b", [(0.7, 1.3), (2.0, -0.4), (1.5, 2.5)])
def test_binary_ops_against_central_differences(name, a, b):
    if name == "pow" and a < 0:
        return
    assert gradcheck(BINARY[name], Value(a), Value(b))


def test_results_are_python_floats_equal_to_float64_arithmetic():
    a, b = Value(0.1), Value(0.2)
    c = (a + b) * a / b - b**2
    assert type(c.data) is float
    assert c.data == (0.1 + 0.2) * 0.1 / 0.2 - 0.2**2.0
    t = Value(0.5).tanh()
    assert t.data == math.tanh(0.5)
    c.backward()
    # d/da [(a + b) a / b] = (2a + b) / b; evaluated the way the chain rule does it
    assert a.grad == pytest.approx((2 * 0.1 + 0.2) / 0.2, rel=1e-15)


def test_local_derivatives_are_exact_formulas():
    x = Value(0.8)
    assert x.tanh().local_grads == (1 - math.tanh(0.8) ** 2,)
    s = 1 / (1 + math.exp(-0.8))
    assert x.sigmoid().local_grads[0] == pytest.approx(s * (1 - s), rel=1e-15)
    assert (x * 3.0).local_grads == (3.0, 0.8)
    assert (x / 2.0).local_grads == (0.5, -((0.8 / 2.0) / 2.0))


def test_sigmoid_and_exp_extreme_inputs():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).exp().data == math.inf


def test_graph_protocol_and_micrograd_attributes():
    a = Value(2.0, label="a")
    b = Value(3.0)
    c = a * b
    c.label = "c"
    assert c.parents == (a, b)
    assert c._prev == {a, b}
    assert c.op == c._op == "*"
    assert a.op == "" and a.parents == ()
    assert c.label == "c" and c.data == 6.0 and c.grad == 0.0
    assert repr(c) == "Value(data=6.0, grad=0.0)"
    legacy = Value(1.0, _children=(a,), _op="custom")
    assert legacy._prev == {a} and legacy.op == "custom"


def test_gradients_accumulate_across_backward_calls():
    x = Value(2.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 8.0


def test_clear_errors_for_bad_input():
    with pytest.raises(TypeError, match="real number"):
        Value("abc")
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Value(1.0) / 0.0
    with pytest.raises(ValueError, match="positive number"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="not real"):
        Value(-2.0) ** 0.5
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** "x"


def test_backward_twice_accumulates_into_inputs_and_recomputes_intermediates():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    d.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == (-2.0, 2.0, 1.0, 1.0)
    d.backward()
    # inputs accumulate like PyTorch leaves; every computed node holds this pass's derivative
    assert (a.grad, b.grad, c.grad, d.grad) == (-4.0, 4.0, 1.0, 1.0)


def test_power_of_zero_names_the_undefined_case_and_has_an_infinite_slope():
    a = Value(0.0)
    y = a**0.5
    y.backward()
    assert (y.data, a.grad) == (0.0, float("inf"))
    assert (Value(0.0) ** 0.0).data == 1.0
    assert (Value(0.0) ** 2).local_grads == (0.0,)
    with pytest.raises(ZeroDivisionError, match=r"0 \*\* -0.5 is undefined"):
        Value(0.0) ** -0.5
    with pytest.raises(ZeroDivisionError, match=r"0 \*\* -1 is undefined"):
        Value(0.0) ** Value(-1.0)

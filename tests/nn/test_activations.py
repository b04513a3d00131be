import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import activations as A
from minigrad.nn import functional as F
from minigrad import nn
from minigrad.nn.module import Module, Sequential

# name -> (non-default constructor arguments, the same as function keywords)
SETTINGS = {
    "leaky_relu": {"negative_slope": 0.2},
    "elu": {"alpha": 0.5},
    "celu": {"alpha": 2.0},
    "gelu": {"approximate": "tanh"},
    "softmax": {"axis": 0},
    "log_softmax": {"axis": 0},
    "softplus": {"beta": 2.0, "threshold": 1.0},
    "hard_tanh": {"min_val": -0.5, "max_val": 2.0},
    "hard_shrink": {"lambd": 1.0},
    "soft_shrink": {"lambd": 1.0},
    "threshold": {"threshold": 0.3, "value": -5.0},
    "glu": {"axis": 0},
    "sparsemax": {"axis": 0},
    "squareplus": {"b": 1.0},
    "maxout": {"pieces": 2, "axis": 0},
}


def test_one_module_per_function():
    assert set(A.MODULES) == set(F.ACTIVATIONS)
    for name, cls in A.MODULES.items():
        assert issubclass(cls, Module) and cls.function is F.ACTIVATIONS[name]
        assert getattr(A, cls.__name__) is cls
        assert cls.__doc__.startswith(F.ACTIVATIONS[name].__doc__.splitlines()[0])


@pytest.mark.parametrize("name", sorted(A.MODULES))
@pytest.mark.parametrize("with_settings", [False, True])
def test_module_equals_function_forward_and_backward(name, with_settings):
    kwargs = SETTINGS.get(name, {}) if with_settings else {}
    if name == "threshold" and not with_settings:
        kwargs = {"threshold": 0.0, "value": 0.0}
    if name == "maxout" and not with_settings:
        kwargs = {"pieces": 2}
    module = A.MODULES[name](**kwargs)
    x = np.random.default_rng(0).uniform(-3, 3, (4, 6))
    xm = mg.tensor(x, dtype="float64", requires_grad=True)
    xf = mg.tensor(x, dtype="float64", requires_grad=True)
    ym, yf = module(xm), F.ACTIVATIONS[name](xf, **kwargs)
    np.testing.assert_array_equal(ym.numpy(), yf.numpy())
    weights = np.random.default_rng(1).standard_normal(ym.shape)
    (ym * weights).sum().backward()
    (yf * weights).sum().backward()
    np.testing.assert_array_equal(xm.grad.numpy(), xf.grad.numpy())
    assert module.parameters() == []
    for key, value in kwargs.items():
        assert getattr(module, key) == value


def test_settings_change_the_result():
    x = mg.tensor([-2.0, 1.0])
    np.testing.assert_allclose(A.LeakyReLU()(x).numpy(), [-0.02, 1.0])
    np.testing.assert_allclose(A.LeakyReLU(0.5)(x).numpy(), [-1.0, 1.0])
    m = A.LeakyReLU()
    m.negative_slope = 0.25  # an attribute, read at every call
    np.testing.assert_allclose(m(x).numpy(), [-0.5, 1.0])
    np.testing.assert_allclose(A.Maxout(2)(mg.tensor([[1.0, 3.0, 2.0, -1.0]])).numpy(), [[3.0, 2.0]])
    assert A.GLU(axis=0)(mg.ones((4, 3))).shape == (2, 3)


@pytest.mark.parametrize(
    "module, text",
    [
        (A.ReLU(), "ReLU()"),
        (A.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
        (A.ELU(alpha=0.5), "ELU(alpha=0.5)"),
        (A.CELU(), "CELU(alpha=1.0)"),
        (A.GELU(), "GELU(approximate='none')"),
        (A.GELU("tanh"), "GELU(approximate='tanh')"),
        (A.Softmax(), "Softmax(axis=-1)"),
        (A.LogSoftmax(axis=1), "LogSoftmax(axis=1)"),
        (A.Softplus(beta=2), "Softplus(beta=2, threshold=20.0)"),
        (A.HardTanh(), "HardTanh(min_val=-1.0, max_val=1.0)"),
        (A.HardShrink(), "HardShrink(lambd=0.5)"),
        (A.SoftShrink(0.1), "SoftShrink(lambd=0.1)"),
        (A.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"),
        (A.GLU(), "GLU(axis=-1)"),
        (A.Sparsemax(), "Sparsemax(axis=-1)"),
        (A.Squareplus(), "Squareplus(b=4.0)"),
        (A.Maxout(3), "Maxout(pieces=3, axis=-1)"),
        (A.LinearActivation(), "LinearActivation()"),
        (A.SELU(), "SELU()"),
        (A.SparsePlus(), "SparsePlus()"),
    ],
)
def test_repr_shows_the_settings(module, text):
    assert repr(module) == text


def test_modules_compose_in_sequential_with_scope():
    model = Sequential(A.Softplus(), A.LeakyReLU(0.1), A.Softmax())
    assert "(1): LeakyReLU(negative_slope=0.1)" in repr(model)
    x = mg.tensor([[-1.0, 0.0, 2.0]], requires_grad=True)
    y = model(x)
    np.testing.assert_allclose(y.numpy(), F.softmax(F.leaky_relu(F.softplus(x), 0.1)).numpy())
    assert y.scope == "2"
    y[0, 0].backward()
    assert x.grad.shape == (1, 3)


def test_module_errors_are_the_function_errors():
    with pytest.raises(ValueError, match="odd length"):
        A.GLU()(mg.ones((2, 3)))
    with pytest.raises(ValueError, match="not divisible"):
        A.Maxout(4)(mg.ones((2, 6)))
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        A.GELU("exact")(mg.ones(2))
    with pytest.raises(TypeError):
        A.Threshold(0.5)  # threshold and value are both required, as in PyTorch


@pytest.mark.parametrize(
    "name, kwargs, cls",
    [
        ("relu", {}, A.ReLU),
        ("leaky_relu", {"negative_slope": 0.3}, A.LeakyReLU),
        ("LeakyReLU", {}, A.LeakyReLU),
        ("swish", {}, A.SiLU),
        ("hard_swish", {}, A.HardSiLU),
        ("hardsigmoid", {}, A.HardSigmoid),
        ("linear", {}, A.LinearActivation),
        ("LinearActivation", {}, A.LinearActivation),
        ("maxout", {"pieces": 4}, A.Maxout),
        ("threshold", {"threshold": 1.0, "value": 0.0}, A.Threshold),
    ],
)
def test_get_module_builds_a_new_instance(name, kwargs, cls):
    a, b = A.get_module(name, **kwargs), A.get_module(name, **kwargs)
    assert type(a) is cls and a is not b
    for key, value in kwargs.items():
        assert getattr(a, key) == value


def test_get_module_errors():
    with pytest.raises(ValueError, match="unknown activation 'relu7'") as info:
        A.get_module("relu7")
    assert "leaky_relu" in str(info.value) and "swish" in str(info.value)
    with pytest.raises(TypeError, match="ReLU: .*alpha"):
        A.get_module("relu", alpha=1.0)  # ReLU has no settings
    with pytest.raises(TypeError, match="string"):
        A.get_module(A.ReLU)


@pytest.mark.parametrize("module, x", [
    (lambda: nn.Softmax(dim=0), (2, 3)), (lambda: nn.LogSoftmax(dim=0), (2, 3)),
    (lambda: nn.GLU(dim=0), (4, 3)), (lambda: nn.Sparsemax(dim=0), (2, 3)), (lambda: nn.Maxout(2, dim=0), (4, 3)),
])
def test_axis_modules_take_pytorchs_dim(module, x):
    t = mg.randn(*x)
    a, b = module(), type(module())(**({"pieces": 2} if isinstance(module(), nn.Maxout) else {}), axis=0)
    np.testing.assert_array_equal(a(t).numpy(), b(t).numpy())
    with pytest.raises(TypeError, match="pass one"):
        type(a)(**({"pieces": 2} if isinstance(a, nn.Maxout) else {}), axis=0, dim=0)

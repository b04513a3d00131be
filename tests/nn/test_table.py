"""The activation table and what is derived from it."""

import inspect
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import activations as A
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.functional import activations as activation_functions
from minigrad.nn.functional.table import TRAITS, Activation
from minigrad.nn.mlp import default_init


def test_every_function_of_the_activations_module_has_a_row():
    module = activation_functions.__name__
    functions = {name for name, obj in vars(activation_functions).items()
                 if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == module}
    assert functions == set(TRAITS) == set(F.ACTIVATIONS)


@pytest.mark.parametrize("name", list(TRAITS))
def test_every_row_gives_a_function_a_module_class_an_initializer_and_a_gain(name):
    row = TRAITS[name]
    assert isinstance(row, Activation) and row.name == name
    assert F.ACTIVATIONS[name] is row.function is getattr(F, name) is F.get(name)
    cls = A.MODULES[name]
    assert cls.__name__ == row.module and cls.traits is row and cls.function is row.function
    assert getattr(nn, row.module) is cls is getattr(A, row.module) and row.module in nn.__all__
    assert TRAITS.canonical(row.module) == name  # the class name is a spelling of the name
    assert init.get(row.init) is getattr(init, row.init) and default_init(name) == row.init
    gain = init.calculate_gain(name)
    assert isinstance(gain, float) and gain > 0 and gain == row.gain_for()
    assert isinstance(row.can_die, bool)


@pytest.mark.parametrize("name", list(TRAITS))
def test_module_constructor_takes_the_function_parameters_and_defaults(name):
    row = TRAITS[name]
    params = inspect.signature(A.MODULES[name]).parameters
    for p in row.parameters:
        assert params[p.name].default == p.default
    if not any(p.default is p.empty for p in row.parameters):
        assert A.MODULES[name]().settings == row.defaults


# PyTorch's torch.nn.init.calculate_gain, for every nonlinearity PyTorch lists.
PYTORCH_GAINS = [
    ("linear", None, 1.0), ("identity", None, 1.0), ("sigmoid", None, 1.0), ("tanh", None, 5.0 / 3),
    ("relu", None, math.sqrt(2.0)), ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))),
    ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)), ("selu", None, 0.75),
    ("conv1d", None, 1.0), ("conv_transpose2d", None, 1.0),
]


@pytest.mark.parametrize("name, param, gain", PYTORCH_GAINS)
def test_calculate_gain_is_pytorchs_where_pytorch_has_the_nonlinearity(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain, rel=1e-15)


def test_gains_of_the_other_activations_follow_their_family():
    for name, row in TRAITS.items():
        if name in {"relu", "leaky_relu", "selu", "tanh", "sigmoid", "linear"}:
            continue
        assert row.gain_for() == (math.sqrt(2.0) if row.init == "he_normal" else 1.0), name
    assert init.calculate_gain("Swish") == init.calculate_gain("silu") == math.sqrt(2.0)
    assert init.calculate_gain("LeakyReLU", 0.0) == math.sqrt(2.0)


def test_initializers_follow_the_family():
    assert TRAITS["relu"].init == TRAITS["gelu"].init == "he_normal"
    assert TRAITS["tanh"].init == TRAITS["sigmoid"].init == "glorot_normal"
    assert TRAITS["selu"].init == "lecun_normal"


@pytest.mark.parametrize("name, out, settings, expected", [
    ("tanh", [0.995, -0.999, 0.5, 0.98], {}, [True, True, False, False]),
    ("sigmoid", [0.005, 0.995, 0.5, 0.011], {}, [True, True, False, False]),
    ("softsign", [-0.995, 0.2], {}, [True, False]),
    ("hard_tanh", [-1.0, 1.0, 0.3], {}, [True, True, False]),
    ("hard_tanh", [-0.5, 2.0, 1.0], {"min_val": -0.5, "max_val": 2.0}, [True, True, False]),
    ("hard_sigmoid", [0.0, 1.0, 0.5], {}, [True, True, False]),
    ("relu6", [6.0, 5.9, 0.0], {}, [True, False, False]),
])
def test_saturation_tests(name, out, settings, expected):
    row = TRAITS[name]
    assert row.saturates
    np.testing.assert_array_equal(row.saturated(np.array(out), **settings), expected)
    np.testing.assert_array_equal(row.saturated(mg.tensor(out), **settings), expected)


def test_saturation_follows_a_modules_settings():
    m = nn.HardTanh(-0.5, 0.5)
    np.testing.assert_array_equal(m.traits.saturated([0.5, 0.2], **m.settings), [True, False])


def test_which_activations_saturate_and_which_can_die():
    saturating = {name for name, row in TRAITS.items() if row.saturates}
    assert {"tanh", "sigmoid", "softsign", "hard_tanh", "hard_sigmoid", "relu6"} <= saturating
    assert not saturating & {"relu", "leaky_relu", "elu", "gelu", "silu", "linear", "softmax"}
    dying = {name for name, row in TRAITS.items() if row.can_die}
    assert {"relu", "relu6", "sparse_plus", "hard_silu"} <= dying
    assert not dying & {"leaky_relu", "elu", "selu", "gelu", "silu", "tanh", "sigmoid", "linear"}
    # the saturating units that are not rectifiers: what a diagnosis calls "saturating activations"
    assert {"Tanh", "Sigmoid", "Softsign", "HardTanh", "HardSigmoid"} <= {
        row.module for row in TRAITS.values() if row.saturates and not row.can_die}
    with pytest.raises(ValueError, match="relu has no saturation test"):
        TRAITS["relu"].saturated([1.0])


def test_can_die_means_zero_output_and_zero_gradient_far_below():
    for name, row in TRAITS.items():
        if not row.can_die:
            continue
        x = mg.tensor([-50.0, -10.0], requires_grad=True)
        y = row.function(x)
        y.sum().backward()
        np.testing.assert_array_equal(y.numpy(), 0.0)
        np.testing.assert_array_equal(x.grad.numpy(), 0.0)


def test_adding_an_activation_is_a_function_and_a_row():
    # What CONTRIBUTING.md shows, done on a copy of the table.
    from minigrad.nn.activations import _module_class

    def bent_identity(x):
        """Bent identity g(z) = (√(z² + 1) − 1)/2 + z."""
        x = mg.tensor(x) if not isinstance(x, mg.Tensor) else x
        return ((x * x + 1.0).sqrt() - 1.0) * 0.5 + x

    row = Activation(bent_identity, "BentIdentity", "glorot_normal", 1.0)
    cls = _module_class(row)
    assert cls.__name__ == "BentIdentity" and repr(cls()) == "BentIdentity()"
    np.testing.assert_allclose(cls()(mg.tensor([0.0, 2.0])).numpy(), [0.0, (math.sqrt(5) - 1) / 2 + 2], rtol=1e-6)

"""Ftrl against Keras' update rule written out by hand (McMahan et al. 2013, FTRL-Proximal)."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

TARGET = np.array([[1.5, -2.0, 0.05], [0.0, 3.0, -0.02]])
SCALE = np.array([[1.0, 0.5, 2.0], [3.0, 1.0, 0.25]])


def loss_fn(w):
    """A separable quadratic Σ s·(w − target)² (+ a coupling term): gradients of every sign and size."""
    return ((w - mg.tensor(TARGET, dtype=w.dtype)) ** 2 * mg.tensor(SCALE, dtype=w.dtype)).sum() + (w.sum()) ** 2 * 0.1


def numpy_grad(w):
    return 2 * SCALE * (w - TARGET) + 0.2 * w.sum()


def keras_ftrl(w, steps, lr=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
               l1_regularization_strength=0.0, l2_regularization_strength=0.0,
               l2_shrinkage_regularization_strength=0.0, beta=0.0):
    """keras.optimizers.Ftrl.update_step, line by line, in NumPy float64."""
    w = w.copy()
    accum = np.full_like(w, initial_accumulator_value)
    linear = np.zeros_like(w)
    trajectory = []
    for _ in range(steps):
        gradient = numpy_grad(w)
        lr_power = learning_rate_power
        l2_reg = l2_regularization_strength + beta / (2.0 * lr)
        grad_to_use = gradient + 2 * l2_shrinkage_regularization_strength * w
        new_accum = accum + np.square(gradient)
        linear = linear + (grad_to_use - (np.power(new_accum, -lr_power) - np.power(accum, -lr_power)) / lr * w)
        quadratic = np.power(new_accum, -lr_power) / lr + 2 * l2_reg
        linear_clipped = np.clip(linear, -l1_regularization_strength, l1_regularization_strength)
        w = (linear_clipped - linear) / quadratic
        accum = new_accum
        trajectory.append(w.copy())
    return trajectory


SETTINGS = [
    dict(),
    dict(lr=0.3),
    dict(lr=0.2, l1_regularization_strength=0.5, l2_regularization_strength=0.1),
    dict(lr=0.1, learning_rate_power=-0.7, initial_accumulator_value=0.5, l2_shrinkage_regularization_strength=0.05,
         beta=0.2),
    dict(lr=0.5, learning_rate_power=0.0, l1_regularization_strength=0.1),
]


@pytest.mark.parametrize("settings", SETTINGS)
def test_twenty_steps_follow_keras_update_rule(settings):
    w0 = np.array([[0.3, -0.1, 0.8], [-1.0, 0.2, 0.0]])
    w = nn.Parameter(w0, dtype="float64")
    opt = optim.Ftrl([w], **settings)
    expected = keras_ftrl(w0, 20, **settings)
    for step in range(20):
        opt.zero_grad()
        loss_fn(w).backward()
        opt.step()
        np.testing.assert_allclose(w.numpy(), expected[step], rtol=1e-12, atol=1e-15, err_msg=f"step {step + 1}")


def test_l1_gives_exact_zeros_where_the_accumulated_gradient_is_small():
    w = nn.Parameter(np.zeros((2, 3)), dtype="float64")
    opt = optim.Ftrl([w], lr=0.5, l1_regularization_strength=0.5)
    separable = ((w - mg.tensor(TARGET, dtype="float64")) ** 2 * mg.tensor(SCALE, dtype="float64")).sum()
    separable.backward()  # |g| = 2·s·|target|: 3, 2, 0.2 / 0, 18, 0.01
    opt.step()
    zero = np.abs(2 * SCALE * TARGET) <= 0.5
    assert zero.sum() == 3
    assert np.all(w.numpy()[zero] == 0.0) and np.all(w.numpy()[~zero] != 0.0)
    first = loss_fn(w).item()
    for _ in range(100):
        opt.zero_grad()
        loss = loss_fn(w)
        loss.backward()
        opt.step()
    assert loss.item() < first / 2


def test_state_dict_round_trip_and_float32():
    w = nn.Parameter(np.array([[0.3, -0.1, 0.8], [-1.0, 0.2, 0.0]], dtype=np.float32))
    opt = optim.Ftrl([w], lr=0.1, l1_regularization_strength=0.01)
    for _ in range(3):
        opt.zero_grad()
        loss_fn(w).backward()
        opt.step()
    assert w.dtype == np.float32 and opt.state[w]["accumulator"].dtype == np.float32
    saved = opt.state_dict()
    assert set(saved["state"][0]) == {"accumulator", "linear"}
    assert saved["param_groups"][0]["learning_rate_power"] == -0.5
    w2 = nn.Parameter(w.numpy().copy())
    opt2 = optim.Ftrl([w2], lr=0.1, l1_regularization_strength=0.01)
    opt2.load_state_dict(saved)
    for a, b in ((w, opt), (w2, opt2)):
        b.zero_grad()
        loss_fn(a).backward()
        b.step()
    np.testing.assert_array_equal(w.numpy(), w2.numpy())
    assert type(optim.get("ftrl", [w2])) is optim.Ftrl


@pytest.mark.parametrize("kwargs, match", [
    (dict(lr=0.0), "invalid lr: 0.0"),
    (dict(learning_rate_power=0.5), "invalid learning_rate_power: 0.5"),
    (dict(initial_accumulator_value=-0.1), "invalid initial_accumulator_value: -0.1"),
    (dict(l1_regularization_strength=-1.0), "invalid l1_regularization_strength: -1.0"),
    (dict(l2_regularization_strength=-1.0), "invalid l2_regularization_strength"),
])
def test_bad_hyperparameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        optim.Ftrl([nn.Parameter(mg.ones(2))], **kwargs)

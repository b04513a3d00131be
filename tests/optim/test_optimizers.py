"""Optimizers against NumPy references of PyTorch's documented algorithms.

The references below are the oracle: each is the algorithm box of the PyTorch
documentation written out in NumPy, independent of minigrad's implementation
(except that, like PyTorch's code, ``maximize`` negates the gradient first).
"""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.optim import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, Newton, RMSprop

# ----------------------------------------------------------------------------- the problem
# A one-layer tanh regression: J(W, b) = mean((tanh(X Wᵀ + b) − Y)²), float64.

_rng = np.random.default_rng(0)
X = _rng.normal(size=(6, 3))
Y = np.tanh(X @ _rng.normal(size=(2, 3)).T) + 0.1 * _rng.normal(size=(6, 2))
W0 = _rng.normal(scale=0.5, size=(2, 3))
B0 = _rng.normal(scale=0.5, size=2)
STEPS = 25


def numpy_grads(W, b):
    A = np.tanh(X @ W.T + b)
    dZ = 2 * (A - Y) / A.size * (1 - A**2)
    return [dZ.T @ X, dZ.sum(axis=0)]


def minigrad_loss(W, b):
    return (((mg.tensor(X, dtype="float64") @ W.T + b).tanh() - mg.tensor(Y, dtype="float64")) ** 2).mean()


def params(dtype="float64"):
    return [nn.Parameter(W0, dtype=dtype), nn.Parameter(B0, dtype=dtype)]


def train(opt, ps, steps=STEPS, exact_grads=False):
    """Run ``steps`` updates; return the trajectory (steps × n parameters).

    Gradients come from backward, or with ``exact_grads`` from ``numpy_grads`` (the
    reference's own gradients, so only the optimizers' arithmetic can differ).
    """
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        if exact_grads:
            for p, g in zip(ps, numpy_grads(*[p.numpy() for p in ps])):
                p.grad = mg.tensor(g, dtype=p.dtype)
        else:
            minigrad_loss(*ps).backward()
        opt.step()
        trajectory.append(np.concatenate([p.numpy().ravel() for p in ps]))
    return np.array(trajectory)


def reference(rule, steps=STEPS, **hp):
    theta, states, trajectory = [W0.copy(), B0.copy()], [{}, {}], []
    for t in range(1, steps + 1):
        for th, g, s in zip(theta, numpy_grads(*theta), states):
            rule(th, g, s, t, **hp)
        trajectory.append(np.concatenate([th.ravel() for th in theta]))
    return np.array(trajectory)


# ----------------------------------------------------------------------------- references

def ref_sgd(th, g, s, t, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
    g = (-g if maximize else g) + weight_decay * th
    if momentum:
        s["b"] = g.copy() if t == 1 else momentum * s["b"] + (1 - dampening) * g
        g = g + momentum * s["b"] if nesterov else s["b"]
    th -= lr * g


def ref_adagrad(th, g, s, t, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                maximize=False):
    g = (-g if maximize else g) + weight_decay * th
    s["sum"] = s.get("sum", initial_accumulator_value) + g**2
    th -= lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s["sum"]) + eps)


def ref_rmsprop(th, g, s, t, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                maximize=False):
    g = (-g if maximize else g) + weight_decay * th
    s["v"] = alpha * s.get("v", 0) + (1 - alpha) * g**2
    v = s["v"]
    if centered:
        s["gbar"] = alpha * s.get("gbar", 0) + (1 - alpha) * g
        v = v - s["gbar"] ** 2
    if momentum > 0:
        s["b"] = momentum * s.get("b", 0) + g / (np.sqrt(v) + eps)
        th -= lr * s["b"]
    else:
        th -= lr * g / (np.sqrt(v) + eps)


def ref_adadelta(th, g, s, t, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
    g = (-g if maximize else g) + weight_decay * th
    s["v"] = rho * s.get("v", 0) + (1 - rho) * g**2
    dx = np.sqrt(s.get("u", 0) + eps) / np.sqrt(s["v"] + eps) * g
    s["u"] = rho * s.get("u", 0) + (1 - rho) * dx**2
    th -= lr * dx


def ref_adam(th, g, s, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False,
             decoupled_weight_decay=False):
    b1, b2 = betas
    g = -g if maximize else g
    if decoupled_weight_decay:
        th *= 1 - lr * weight_decay
    else:
        g = g + weight_decay * th
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g**2
    if amsgrad:
        s["vmax"] = np.maximum(s.get("vmax", 0), s["v"])
        v_hat = s["vmax"] / (1 - b2**t)
    else:
        v_hat = s["v"] / (1 - b2**t)
    th -= lr * (s["m"] / (1 - b1**t)) / (np.sqrt(v_hat) + eps)


def ref_adamax(th, g, s, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False):
    b1, b2 = betas
    g = (-g if maximize else g) + weight_decay * th
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0), np.abs(g) + eps)
    th -= lr * s["m"] / ((1 - b1**t) * s["u"])


def ref_nadam(th, g, s, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
              decoupled_weight_decay=False, maximize=False):
    b1, b2 = betas
    g = -g if maximize else g
    if decoupled_weight_decay:
        th *= 1 - lr * weight_decay
    else:
        g = g + weight_decay * th

    def mu(k):
        return b1 * (1 - 0.5 * 0.96 ** (k * momentum_decay))

    prod_t = math.prod(mu(k) for k in range(1, t + 1))
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g**2
    m_hat = mu(t + 1) * s["m"] / (1 - prod_t * mu(t + 1)) + (1 - mu(t)) * g / (1 - prod_t)
    th -= lr * m_hat / (np.sqrt(s["v"] / (1 - b2**t)) + eps)


# (optimizer, its kwargs, reference, extra reference kwargs)
CASES = [
    (SGD, dict(lr=0.3), ref_sgd, {}),
    (SGD, dict(lr=0.1, momentum=0.9), ref_sgd, {}),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.05), ref_sgd, {}),
    (SGD, dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.05), ref_sgd, {}),
    (SGD, dict(lr=0.1, momentum=0.5, weight_decay=0.05, maximize=True), ref_sgd, {}),
    (Adagrad, dict(lr=0.2), ref_adagrad, {}),
    (Adagrad, dict(lr=0.2, lr_decay=0.05, weight_decay=0.05, initial_accumulator_value=0.1, eps=1e-6), ref_adagrad, {}),
    (Adagrad, dict(lr=0.2, maximize=True), ref_adagrad, {}),
    (RMSprop, dict(lr=0.01), ref_rmsprop, {}),
    (RMSprop, dict(lr=0.01, alpha=0.9, centered=True, weight_decay=0.05), ref_rmsprop, {}),
    (RMSprop, dict(lr=0.005, momentum=0.9, eps=1e-6), ref_rmsprop, {}),
    (RMSprop, dict(lr=0.005, momentum=0.5, centered=True, maximize=True), ref_rmsprop, {}),
    (Adadelta, dict(), ref_adadelta, {}),
    (Adadelta, dict(lr=0.5, rho=0.95, eps=1e-4, weight_decay=0.05, maximize=True), ref_adadelta, {}),
    (Adam, dict(lr=0.05), ref_adam, {}),
    (Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05, amsgrad=True), ref_adam, {}),
    (Adam, dict(lr=0.05, maximize=True, weight_decay=0.05), ref_adam, {}),
    (AdamW, dict(lr=0.05), ref_adam, dict(weight_decay=1e-2, decoupled_weight_decay=True)),
    (AdamW, dict(lr=0.05, weight_decay=0.2, amsgrad=True), ref_adam, dict(decoupled_weight_decay=True)),
    (Adamax, dict(), ref_adamax, {}),
    (Adamax, dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.05, maximize=True), ref_adamax, {}),
    (NAdam, dict(), ref_nadam, {}),
    (NAdam, dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.05, momentum_decay=0.01), ref_nadam, {}),
    (NAdam, dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True), ref_nadam, {}),
]


def _case_id(case):
    cls, kwargs, _, _ = case
    return cls.__name__ + "(" + ",".join(f"{k}={v}" for k, v in kwargs.items()) + ")"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_trajectory_matches_the_reference(case):
    cls, kwargs, rule, extra = case
    expected = reference(rule, **{**kwargs, **extra})
    assert np.abs(expected[-1] - expected[0]).max() > 1e-2  # the parameters really moved
    ps = params()
    np.testing.assert_allclose(train(cls(ps, **kwargs), ps), expected, rtol=0, atol=1e-6)
    ps = params()  # with the reference's gradients: equal up to rounding
    np.testing.assert_allclose(train(cls(ps, **kwargs), ps, exact_grads=True), expected, rtol=0, atol=1e-13)


def test_defaults_are_pytorchs():
    p = [nn.Parameter(np.zeros(2))]
    expected = {
        SGD: dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False),
        Adagrad: dict(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10),
        RMSprop: dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False),
        Adadelta: dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0),
        Adam: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False),
        AdamW: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
        Adamax: dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0),
        NAdam: dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3),
        Newton: dict(lr=1.0, damping=1e-4),
    }
    for cls, defaults in expected.items():
        group = cls(p).param_groups[0]
        assert {k: group[k] for k in defaults} == defaults, cls.__name__


# ----------------------------------------------------------------------------- convergence

QUADRATIC_A = np.array([0.5, 1.0, 1.5, 2.0, 1.0])
QUADRATIC_C = np.array([1.0, -2.0, 0.5, 3.0, -1.0])


@pytest.mark.parametrize("cls, kwargs, steps", [
    (SGD, dict(lr=0.1), 100),
    (SGD, dict(lr=0.05, momentum=0.9, nesterov=True), 150),
    (Adagrad, dict(lr=0.5), 200),
    (RMSprop, dict(lr=0.01, momentum=0.5), 400),
    (Adadelta, dict(lr=5.0), 300),
    (Adam, dict(lr=0.05), 300),
    (AdamW, dict(lr=0.05, weight_decay=0.0), 300),
    (Adamax, dict(lr=0.1), 300),
    (NAdam, dict(lr=0.05), 300),
])
def test_converges_on_a_quadratic(cls, kwargs, steps):
    # J(w) = Σ aᵢ (wᵢ − cᵢ)²: minimum 0 at w = c.
    w = nn.Parameter(np.zeros(5), dtype="float64")
    opt = cls([w], **kwargs)
    a, c = mg.tensor(QUADRATIC_A, dtype="float64"), mg.tensor(QUADRATIC_C, dtype="float64")
    initial = None
    for _ in range(steps):
        opt.zero_grad()
        loss = (a * (w - c) ** 2).sum()
        initial = loss.item() if initial is None else initial
        loss.backward()
        opt.step()
    assert (QUADRATIC_A * (w.numpy() - QUADRATIC_C) ** 2).sum() < 1e-4 * initial
    np.testing.assert_allclose(w.numpy(), QUADRATIC_C, atol=0.01)


# ----------------------------------------------------------------------------- mechanics

ALL = [SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam]


@pytest.mark.parametrize("cls", ALL)
def test_parameters_without_grad_are_skipped(cls):
    used, unused = nn.Parameter(np.ones(3)), nn.Parameter(np.ones(2))
    opt = cls([used, unused], lr=0.1)
    (used * used).sum().backward()
    opt.step()
    assert unused.grad is None
    np.testing.assert_array_equal(unused.numpy(), np.ones(2))
    assert unused not in opt.state
    assert not np.allclose(used.numpy(), 1.0)


@pytest.mark.parametrize("cls", ALL)
def test_updates_are_in_place_and_keep_float32(cls):
    ps = params(dtype="float32")
    arrays = [p.data for p in ps]
    opt = cls(ps, lr=0.05)
    ours = train(opt, ps, steps=10)
    for p, arr in zip(ps, arrays):
        assert p.data is arr and p.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))
    # float32 follows the float64 trajectory to float32 accuracy
    ps64 = params()
    np.testing.assert_allclose(ours, train(cls(ps64, lr=0.05), ps64, steps=10), atol=1e-4)


def test_param_groups_have_their_own_hyperparameters():
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))
    opt = SGD([{"params": [a]}, {"params": b, "lr": 0.01, "momentum": 0.9}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert [g["momentum"] for g in opt.param_groups] == [0, 0.9]
    for _ in range(2):
        a.grad, b.grad = mg.ones(2, dtype="float64"), mg.ones(3, dtype="float64")
        opt.step()
    np.testing.assert_allclose(a.numpy(), 1 - 2 * 0.1)
    np.testing.assert_allclose(b.numpy(), 1 - 0.01 * (1 + 1.9))  # velocity 1, then 0.9·1 + 1
    c = nn.Parameter(np.ones(1))
    opt.add_param_group({"params": [c], "lr": 0.5})
    c.grad = mg.ones(1, dtype="float64")
    opt.step()
    np.testing.assert_allclose(c.numpy(), [0.5])


def test_zero_grad():
    w = nn.Parameter(np.ones(2))
    opt = SGD([w], lr=0.1)
    (w * 3).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.numpy(), [0, 0])
    opt.zero_grad()
    assert w.grad is None


def test_step_calls_the_closure_with_recording_on():
    w = nn.Parameter(np.array([2.0]), dtype="float64")
    opt = SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with mg.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0
    np.testing.assert_allclose(w.numpy(), [2.0 - 0.25 * 4.0])


def test_constructor_errors():
    w = nn.Parameter(np.ones(2))
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam(iter(()))
    with pytest.raises(ValueError, match="more than once"):
        SGD([w, w], lr=0.1)
    with pytest.raises(ValueError, match="already in an earlier group"):
        SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 of group 0 is a ndarray"):
        SGD([w, np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="not a leaf.*'mul'"):
        SGD([w * 2], lr=0.1)
    with pytest.raises(TypeError, match="int64"):
        SGD([mg.tensor([1, 2])], lr=0.1)


@pytest.mark.parametrize("cls, kwargs, message", [
    (SGD, dict(lr=-0.1), r"invalid lr: -0\.1"),
    (SGD, dict(lr=float("nan")), "invalid lr: nan"),
    (SGD, dict(momentum=-0.5), r"invalid momentum: -0\.5"),
    (SGD, dict(weight_decay=-1e-4), "invalid weight_decay: -0.0001"),
    (SGD, dict(nesterov=True), "Nesterov momentum requires momentum > 0.*momentum=0"),
    (SGD, dict(nesterov=True, momentum=0.9, dampening=0.1), r"dampening=0\.1"),
    (Adagrad, dict(lr_decay=-1), "invalid lr_decay: -1"),
    (Adagrad, dict(initial_accumulator_value=-0.1), r"invalid initial_accumulator_value: -0\.1"),
    (Adagrad, dict(eps=-1e-10), "invalid eps: -1e-10"),
    (RMSprop, dict(alpha=-0.9), r"invalid alpha: -0\.9"),
    (RMSprop, dict(momentum=-1), "invalid momentum: -1"),
    (Adadelta, dict(rho=1.5), r"invalid rho: 1\.5"),
    (Adam, dict(betas=(1.0, 0.999)), r"beta parameter at index 0: 1\.0"),
    (Adam, dict(betas=(0.9, -0.1)), r"beta parameter at index 1: -0\.1"),
    (Adam, dict(eps=-1e-8), "invalid eps: -1e-08"),
    (AdamW, dict(weight_decay=-0.01), r"invalid weight_decay: -0\.01"),
    (Adamax, dict(betas=(0.9, 1.0)), r"index 1: 1\.0"),
    (NAdam, dict(momentum_decay=-0.004), r"invalid momentum_decay: -0\.004"),
    (Newton, dict(damping=-1.0), r"invalid damping: -1\.0"),
    (Newton, dict(lr=-1.0), r"invalid lr: -1\.0"),
])
def test_invalid_hyperparameters(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls([nn.Parameter(np.ones(2))], **kwargs)


def test_invalid_hyperparameter_in_a_group():
    with pytest.raises(ValueError, match=r"invalid lr: -0\.5"):
        Adam([{"params": [nn.Parameter(np.ones(2))], "lr": -0.5}])


def test_gradient_of_the_wrong_shape():
    w = nn.Parameter(np.ones(3))
    w.grad = mg.ones(2)
    with pytest.raises(ValueError, match=r"shape \(3,\) has a gradient of shape \(2,\)"):
        Adam([w]).step()


def test_get_builds_by_name():
    w = [nn.Parameter(np.ones(2))]
    for name, cls in [("sgd", SGD), ("Adam", Adam), ("ADAMW", AdamW), ("rmsprop", RMSprop), ("adagrad", Adagrad),
                      ("adadelta", Adadelta), ("adamax", Adamax), ("nadam", NAdam), ("newton", Newton)]:
        assert type(optim.get(name, w)) is cls
    assert optim.get("sgd", w, lr=0.5).param_groups[0]["lr"] == 0.5
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'; valid names: adadelta, adagrad, adam, "):
        optim.get("adamm", w)


# ----------------------------------------------------------------------------- checkpoints

STATEFUL = [
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (Adagrad, dict(lr=0.2, lr_decay=0.01)),
    (RMSprop, dict(lr=0.01, momentum=0.9, centered=True)),
    (Adadelta, dict()),
    (Adam, dict(lr=0.05, amsgrad=True)),
    (AdamW, dict(lr=0.05)),
    (Adamax, dict(lr=0.05)),
    (NAdam, dict(lr=0.05)),
]


@pytest.mark.parametrize("cls, kwargs", STATEFUL, ids=[c.__name__ for c, _ in STATEFUL])
def test_state_dict_round_trip_continues_exactly(cls, kwargs):
    ps = params()
    opt = cls(ps, **kwargs)
    train(opt, ps, steps=5)
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1] and sd["param_groups"][0]["params"] == [0, 1]

    copies = [nn.Parameter(p.numpy(), dtype="float64") for p in ps]
    resumed = cls(copies, lr=123.0)  # hyperparameters come from the state dict
    resumed.load_state_dict(sd)
    assert resumed.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    expected = train(opt, ps, steps=5)
    np.testing.assert_array_equal(train(resumed, copies, steps=5), expected)

    # Without the state the continuation differs: the state really matters.
    fresh = [nn.Parameter(a.reshape(p.shape), dtype="float64") for a, p in zip(np.split(expected[0], [6]), ps)]
    assert not np.allclose(train(cls(fresh, **kwargs), fresh, steps=4), expected[1:])


def test_state_dict_is_a_copy_and_numbers_survive_array_conversion():
    ps = params()
    opt = NAdam(ps, lr=0.05)
    train(opt, ps, steps=3)
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"][...] = 99.0  # must not reach the optimizer
    assert not np.any(opt.state[ps[0]]["exp_avg"] == 99.0)

    # What an .npz file gives back: numbers as 0-d arrays, tuples as arrays.
    def as_arrays(x):
        if isinstance(x, dict):
            return {k: as_arrays(v) for k, v in x.items()}
        if isinstance(x, list) and x and not isinstance(x[0], dict) and not isinstance(x[0], int):
            return [as_arrays(v) for v in x]
        if isinstance(x, (int, float, tuple)) and not isinstance(x, bool):
            return np.asarray(x)
        return x

    sd = as_arrays(opt.state_dict())
    copies = [nn.Parameter(p.numpy(), dtype="float64") for p in ps]
    resumed = NAdam(copies)
    resumed.load_state_dict(sd)
    assert resumed.param_groups[0]["betas"] == (0.9, 0.999)
    assert isinstance(resumed.state[copies[0]]["step"], int) and resumed.state[copies[0]]["step"] == 3
    np.testing.assert_array_equal(train(resumed, copies, steps=3), train(opt, ps, steps=3))


def test_state_dict_numbers_parameters_across_groups():
    a, b, c = (nn.Parameter(np.ones(n)) for n in (1, 2, 3))
    opt = SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    for p in (a, c):
        p.grad = mg.ones(p.shape, dtype=p.dtype)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sorted(sd["state"]) == [0, 2]  # b had no gradient: no state
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["momentum"] == 0.9


def _loaded_adam():
    ps = params()
    opt = Adam(ps, lr=0.05)
    train(opt, ps, steps=2)
    return opt, ps


@pytest.mark.parametrize("corrupt, message", [
    (lambda sd: sd["param_groups"].append({"params": []}), "2 parameter group.*this optimizer has 1"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), "group 0 has 1 parameter.*but 2"),
    (lambda sd: sd["state"][1].__setitem__("exp_avg", np.zeros(3)), r"'exp_avg' of parameter 1 has shape \(3,\).*\(2,\)"),
    (lambda sd: sd["state"].__setitem__(7, {"step": 1}), "parameter index 7, which no group lists"),
    (lambda sd: sd["param_groups"][0].pop("betas"), r"lacks the hyperparameter\(s\) \['betas'\]"),
    (lambda sd: sd["param_groups"][0].__setitem__("lr", -1.0), r"invalid lr: -1\.0"),
    (lambda sd: sd.pop("state"), "exactly the keys 'state' and 'param_groups'"),
])
def test_load_state_dict_errors_change_nothing(corrupt, message):
    opt, ps = _loaded_adam()
    sd = opt.state_dict()
    corrupt(sd)
    target, target_ps = _loaded_adam()
    target.param_groups[0]["lr"] = 0.01
    before = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in target.state[target_ps[1]].items()}
    with pytest.raises(ValueError, match=message):
        target.load_state_dict(sd)
    assert target.param_groups[0]["lr"] == 0.01
    after = target.state[target_ps[1]]
    assert set(after) == set(before)
    for k in before:
        np.testing.assert_array_equal(after[k], before[k])


def test_loading_another_optimizers_state_is_refused():
    ps = params()
    adam = Adam(ps)
    train(adam, ps, steps=1)
    with pytest.raises(ValueError, match="different optimizer"):
        SGD(ps, lr=0.1).load_state_dict(adam.state_dict())


# ----------------------------------------------------------------------------- Newton

def test_newton_solves_a_quadratic_in_one_step():
    # J(w) = ½ wᵀAw − bᵀw + ‖V‖²-coupling: the minimum solves A w = b.
    rng = np.random.default_rng(1)
    M = rng.normal(size=(4, 4))
    A = M @ M.T + 4 * np.eye(4)
    b = rng.normal(size=4)
    w = nn.Parameter(rng.normal(size=(2, 2)), dtype="float64")  # a matrix parameter, flattened
    At, bt = mg.tensor(A, dtype="float64"), mg.tensor(b, dtype="float64")

    def closure():
        v = w.reshape(4)
        return 0.5 * (v * (At @ v)).sum() - (bt * v).sum()

    opt = Newton([w], lr=1.0, damping=0.0)
    loss = opt.step(closure)
    assert isinstance(loss, mg.Tensor) and opt.last_loss == pytest.approx(loss.item())
    np.testing.assert_allclose(w.numpy().ravel(), np.linalg.solve(A, b), atol=1e-10)
    opt.step(closure)
    assert opt.last_grad_norm < 1e-10 and opt.last_damping == 0.0


def test_newton_logistic_regression_converges_in_a_few_steps():
    # A sigmoid unit with cross-entropy (Bishop 2006, §4.3.3): the Hessian is Xᵀ diag(p(1−p)) X / n.
    # Labels are drawn from the model itself, so the classes overlap and the minimum is finite.
    rng = np.random.default_rng(2)
    Xl = rng.normal(size=(40, 2))
    yl = (rng.random(40) < 1 / (1 + np.exp(-(Xl @ np.array([1.5, -1.0]) + 0.3)))).astype(np.float64)
    model = nn.Linear(2, 1)
    model.weight.data = np.zeros((1, 2))
    model.bias.data = np.zeros(1)
    Xt, yt = mg.tensor(Xl, dtype="float64"), mg.tensor(yl[:, None], dtype="float64")
    opt = Newton(model.parameters(), damping=0.0)
    norms = []
    for _ in range(7):
        opt.step(lambda: nn.losses.binary_cross_entropy(model(Xt), yt, from_logits=True))
        norms.append(opt.last_grad_norm)  # ‖g‖ before each step
    assert norms[0] > 0.1 and norms[-1] < 1e-10
    assert norms[5] < 100 * norms[4] ** 2  # quadratic convergence: the digits double
    # The optimum: gradient Xᵀ(σ(Xw + b) − y) / n = 0.
    z = Xl @ model.weight.numpy().ravel() + model.bias.numpy()[0]
    residual = 1 / (1 + np.exp(-z)) - yl
    np.testing.assert_allclose(np.r_[Xl.T @ residual, residual.sum()] / 40, 0, atol=1e-12)


def test_newton_damping_grows_where_the_hessian_is_not_positive_definite():
    w = nn.Parameter(np.array([0.1, 0.2]), dtype="float64")

    def closure():  # J = Σ w⁴ − w²: a maximum at 0, H = 12w² − 2 < 0 at the start
        return ((w**2) ** 2 - w**2).sum()

    opt = Newton([w], damping=1e-4)
    before = closure().item()
    opt.step(closure)
    assert opt.last_damping >= 1.0  # 12·0.2² − 2 = −1.52 needs damping above 1.52
    assert closure().item() < before  # the damped step still goes downhill


def test_newton_hessian_helper():
    w = nn.Parameter(np.array([1.0, 2.0]), dtype="float64")
    u = nn.Parameter(np.array(3.0), dtype="float64")
    from minigrad.optim.optimizers import hessian

    g, H = hessian((w[0] ** 2 * w[1] + u * w[1]).sum() + u**3, [w, u])
    # J = w0² w1 + u w1 + u³
    np.testing.assert_allclose(g, [2 * 1 * 2, 1 + 3, 2 + 27])
    np.testing.assert_allclose(H, [[2 * 2, 2 * 1, 0], [2 * 1, 0, 1], [0, 1, 18]])


def test_newton_errors():
    w = nn.Parameter(np.ones(3))
    with pytest.raises(TypeError, match="needs a closure that returns the loss"):
        Newton([w]).step()
    with pytest.raises(ValueError, match="small models: 3000 parameters.*max_params=2000"):
        Newton([nn.Parameter(np.ones(3000))])
    assert Newton([nn.Parameter(np.ones(3000))], max_params=3000).max_params == 3000
    with pytest.raises(ValueError, match="share one damping"):
        Newton([{"params": [w]}, {"params": [nn.Parameter(np.ones(1))], "damping": 1.0}])
    with pytest.raises(ValueError, match=r"single number.*\(3,\)"):
        Newton([w]).step(lambda: w * 2)
    with pytest.raises(RuntimeError, match="no graph"):
        Newton([w]).step(lambda: mg.tensor(1.0))


# ----------------------------------------------------------------------------- a new optimizer is one class

def _documented_code(after, before=None):
    """The code block of optim.optimizer's docstring that follows the text ``after``."""
    import textwrap

    from minigrad.optim import optimizer

    doc = optimizer.__doc__
    start = doc.index(after) + len(after)
    return textwrap.dedent(doc[start:doc.index(before, start) if before else len(doc)])


def documented_lion():
    """The example optimizer of optim.optimizer's docstring, defined from the docstring itself."""
    from minigrad.optim import optimizer

    namespace = {name: getattr(optimizer, name) for name in optimizer.__all__}
    namespace.update(np=np, kernels=mg.backend.kernels)
    exec(_documented_code('"Symbolic Discovery of Optimization Algorithms"), complete::', "Optionally,"), namespace)
    return namespace["Lion"]


def ref_lion(th, g, s, t, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
    """Chen et al. (2023), Algorithm 2: the interpolated sign step, then the momentum update."""
    m = s.get("m", np.zeros_like(th))
    th *= 1 - lr * weight_decay
    th -= lr * np.sign(betas[0] * m + (1 - betas[0]) * g)
    s["m"] = betas[1] * m + (1 - betas[1]) * g


def test_the_documented_example_optimizer_is_one_class_that_trains():
    Lion = documented_lion()
    kwargs = dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.1)
    expected = reference(ref_lion, **kwargs)
    assert np.abs(expected[-1] - expected[0]).max() > 1e-2
    ps = params()
    np.testing.assert_allclose(train(Lion(ps, **kwargs), ps, exact_grads=True), expected, rtol=0, atol=1e-12)
    opt = Lion(params(), lr=0.01)
    assert sorted(opt.state_dict()["param_groups"][0]) == ["betas", "lr", "maximize", "params", "weight_decay"]
    with pytest.raises(ValueError, match="invalid lr"):
        Lion(params(), lr=-1.0)


def test_the_documented_fused_update_runs_a_kernel_equal_to_the_numpy_update(monkeypatch):
    numba = pytest.importorskip("numba")
    from minigrad.backend import kernels

    @numba.njit
    def lion_update(param, grad, exp_avg, numbers, maximize):  # the Lion kernel, as update_kernels would hold it
        lr, decay, beta1, beta1_keep, beta2, beta2_keep = numbers
        for i in range(param.size):
            g = -grad[i] if maximize else grad[i]
            m = exp_avg[i]
            param[i] = param[i] * decay - lr * np.sign(beta1 * m + beta1_keep * g)
            exp_avg[i] = m * beta2 + beta2_keep * g

    nb = kernels._load()
    for target in (nb, nb.serial):
        monkeypatch.setattr(target, "lion_update", lion_update, raising=False)
    monkeypatch.setattr(kernels, "MIN_SIZE", dict(kernels.MIN_SIZE, optimizer=0))
    Lion = documented_lion()
    namespace = {"kernels": kernels}
    exec(_documented_code("checks each optimizer)::"), namespace)
    Fused = type("FusedLion", (Lion,), {"_fused_update": namespace["_fused_update"]})
    results = []
    for cls in (Lion, Fused):
        ps = params(dtype="float32")
        opt = cls(ps, lr=0.01, betas=(0.8, 0.95), weight_decay=0.1, maximize=True)
        with kernels.enabled(True):
            trajectory = train(opt, ps, steps=5, exact_grads=True)
            results.append((trajectory, [opt.state[p]["exp_avg"].copy() for p in ps]))
            assert opt._fused_update(ps[0].data, ps[0].data.copy(), opt.state[ps[0]], opt.param_groups[0]) == (
                cls is Fused)
    (numpy_trajectory, numpy_state), (fused_trajectory, fused_state) = results
    np.testing.assert_array_equal(fused_trajectory, numpy_trajectory)
    for fused, plain in zip(fused_state, numpy_state):
        np.testing.assert_array_equal(fused, plain)


@pytest.mark.parametrize("state_dict, message", [
    ([1, 2], r"Adam.load_state_dict: expected a mapping .* got list"),
    ({"state": {}, "param_groups": {"lr": 1}}, "'param_groups' must be a list of mappings"),
    ({"state": {}, "param_groups": [1]}, "'param_groups' must be a list of mappings"),
    ({"state": [1], "param_groups": []}, "'state' must map parameter indices to mappings"),
    ({"state": {0: 5}, "param_groups": []}, "'state' must map parameter indices to mappings"),
])
def test_load_state_dict_of_the_wrong_type_is_a_type_error(state_dict, message):
    opt, ps = _loaded_adam()
    before = opt.state_dict()
    with pytest.raises(TypeError, match=message):
        opt.load_state_dict(state_dict)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for i, entries in before["state"].items():
        for k, v in entries.items():
            np.testing.assert_array_equal(after["state"][i][k], v)

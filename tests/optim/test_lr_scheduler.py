import math

import numpy as np
import pytest

from minigrad import nn, optim
from minigrad.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LRScheduler, ReduceLROnPlateau, StepLR

BASE = [0.1, 0.02]


def two_group_sgd(lrs=BASE):
    return optim.SGD([{"params": [nn.Parameter(np.ones(1))], "lr": lr} for lr in lrs], lr=1.0)


def lrs_over(sched, epochs):
    """The learning rates in force at epochs 0..epochs-1 (step() after each epoch)."""
    seen = []
    for _ in range(epochs):
        seen.append([g["lr"] for g in sched.optimizer.param_groups])
        assert sched.get_last_lr() == seen[-1]
        sched.step()
    return np.array(seen)


@pytest.mark.parametrize("make, closed_form", [
    (lambda o: StepLR(o, step_size=3, gamma=0.5), lambda b, t: b * 0.5 ** (t // 3)),
    (lambda o: StepLR(o, step_size=1), lambda b, t: b * 0.1**t),
    (lambda o: ExponentialLR(o, gamma=0.9), lambda b, t: b * 0.9**t),
    (lambda o: CosineAnnealingLR(o, T_max=8), lambda b, t: b * (1 + math.cos(math.pi * t / 8)) / 2),
    (lambda o: CosineAnnealingLR(o, T_max=5, eta_min=0.01),
     lambda b, t: 0.01 + (b - 0.01) * (1 + math.cos(math.pi * t / 5)) / 2),
])
def test_learning_rates_follow_the_closed_form(make, closed_form):
    opt = two_group_sgd()
    sched = make(opt)
    assert sched.last_epoch == 0 and [g["initial_lr"] for g in opt.param_groups] == BASE
    got = lrs_over(sched, 12)
    expected = [[closed_form(b, t) for b in BASE] for t in range(12)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    assert sched.last_epoch == 12


def test_cosine_reaches_eta_min_at_t_max_and_is_monotone_before():
    opt = two_group_sgd([1.0])
    lrs = lrs_over(CosineAnnealingLR(opt, T_max=10, eta_min=0.1), 11)[:, 0]
    assert lrs[0] == 1.0 and lrs[10] == pytest.approx(0.1)
    assert np.all(np.diff(lrs) < 0)
    assert lrs[5] == pytest.approx(0.55)  # halfway: the mean of the two ends


def test_scheduler_state_dict_round_trip():
    opt = two_group_sgd()
    sched = StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        sched.step()
    sd = sched.state_dict()
    assert sd["last_epoch"] == 3 and sd["base_lrs"] == BASE and "optimizer" not in sd

    # PyTorch's order: create the scheduler (it sets the lr), then restore both.
    opt2 = two_group_sgd()
    sched2 = StepLR(opt2, step_size=99)
    opt2.load_state_dict(opt.state_dict())
    sched2.load_state_dict(sd)
    assert sched2.step_size == 2 and sched2.get_last_lr() == sched.get_last_lr()
    np.testing.assert_array_equal(lrs_over(sched2, 6), lrs_over(sched, 6))


def test_resuming_with_last_epoch_needs_initial_lr():
    with pytest.raises(ValueError, match=r"needs 'initial_lr' in param_groups\[0\]"):
        ExponentialLR(two_group_sgd(), gamma=0.5, last_epoch=4)
    opt = two_group_sgd()
    for g in opt.param_groups:
        g["initial_lr"] = g["lr"]
    sched = ExponentialLR(opt, gamma=0.5, last_epoch=4)
    assert sched.last_epoch == 5 and sched.get_last_lr() == pytest.approx([b * 0.5**5 for b in BASE])


def test_scheduler_load_state_dict_errors():
    sched = StepLR(two_group_sgd(), step_size=2)
    with pytest.raises(ValueError, match="expected keys"):
        sched.load_state_dict({"last_epoch": 3})
    bad = sched.state_dict()
    bad["base_lrs"] = [0.1]
    with pytest.raises(ValueError, match="'base_lrs' has 1 entries but the optimizer has 2"):
        sched.load_state_dict(bad)
    assert sched.base_lrs == BASE


@pytest.mark.parametrize("make, message", [
    (lambda o: StepLR(o, step_size=0), "invalid step_size: 0"),
    (lambda o: StepLR(o, step_size=2.5), r"invalid step_size: 2\.5"),
    (lambda o: StepLR(o, step_size=2, gamma=-0.1), r"invalid gamma: -0\.1"),
    (lambda o: ExponentialLR(o, gamma=0), "invalid gamma: 0"),
    (lambda o: CosineAnnealingLR(o, T_max=0), "invalid T_max: 0"),
    (lambda o: CosineAnnealingLR(o, T_max=5, eta_min=-1), "invalid eta_min: -1"),
    (lambda o: ReduceLROnPlateau(o, mode="mean"), "invalid mode: 'mean'"),
    (lambda o: ReduceLROnPlateau(o, threshold_mode="relative"), "invalid threshold_mode: 'relative'"),
    (lambda o: ReduceLROnPlateau(o, factor=1.0), r"invalid factor: 1\.0"),
    (lambda o: ReduceLROnPlateau(o, patience=-1), "invalid patience: -1"),
    (lambda o: ReduceLROnPlateau(o, cooldown=1.5), r"invalid cooldown: 1\.5"),
    (lambda o: ReduceLROnPlateau(o, min_lr=[0.0]), "min_lr has 1 entries but the optimizer has 2"),
    (lambda o: ReduceLROnPlateau(o, min_lr=-1e-3), "invalid min_lr: -0.001"),
])
def test_scheduler_validation(make, message):
    with pytest.raises(ValueError, match=message):
        make(two_group_sgd())


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="needs an optim.Optimizer, got list"):
        StepLR([], step_size=1)
    with pytest.raises(TypeError, match="got dict"):
        ReduceLROnPlateau({})
    assert isinstance(ReduceLROnPlateau(two_group_sgd()), LRScheduler)


# ----------------------------------------------------------------------------- ReduceLROnPlateau

def run_plateau(sched, metrics):
    """The first group's lr after each step(metric)."""
    out = []
    for m in metrics:
        sched.step(m)
        out.append(sched.optimizer.param_groups[0]["lr"])
    return out


def test_plateau_reduces_after_patience_bad_epochs():
    opt = two_group_sgd([1.0, 0.5])
    sched = ReduceLROnPlateau(opt, factor=0.5, patience=2)
    lrs = run_plateau(sched, [5, 4, 4, 4, 4, 4, 4, 4, 3])
    # best 4 at epoch 2; bad epochs 3, 4, 5 -> the third (> patience) reduces, then the count restarts
    assert lrs == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert opt.param_groups[1]["lr"] == 0.125 and sched.get_last_lr() == [0.25, 0.125]
    assert sched.best == 3 and sched.num_bad_epochs == 0 and sched.last_epoch == 9


def test_plateau_cooldown_and_min_lr():
    opt = two_group_sgd([1.0, 0.5])
    sched = ReduceLROnPlateau(opt, factor=0.1, patience=0, cooldown=2, min_lr=[0.05, 0.0])
    lrs = run_plateau(sched, [1, 1, 1, 1, 1, 1, 1])
    # epoch 2 reduces; epochs 3-4 cool down; epoch 5 reduces (group 0 to its floor 0.05); 6-7 cool down
    assert lrs == [1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05]
    assert opt.param_groups[1]["lr"] == pytest.approx(0.005)
    sched.step(1)  # a third reduction leaves group 0 at its floor
    assert sched.get_last_lr() == pytest.approx([0.05, 0.0005])


def test_plateau_threshold_modes_and_max_mode():
    # rel: 0.95 is not 10 % better than 1.0, so it is a bad epoch; abs with 0.01: it is better.
    rel = ReduceLROnPlateau(two_group_sgd([1.0, 1.0]), patience=0, threshold=0.1, threshold_mode="rel")
    assert run_plateau(rel, [1.0, 0.95]) == [1.0, 0.1]
    abs_ = ReduceLROnPlateau(two_group_sgd([1.0, 1.0]), patience=0, threshold=0.01, threshold_mode="abs")
    assert run_plateau(abs_, [1.0, 0.95, 0.945]) == [1.0, 1.0, 0.1]
    mx = ReduceLROnPlateau(two_group_sgd([1.0, 1.0]), mode="max", patience=1, threshold=0.0)
    assert run_plateau(mx, [0.5, 0.6, 0.6, 0.55, 0.7]) == [1.0, 1.0, 1.0, 0.1, 0.1]


def test_plateau_eps_skips_tiny_changes():
    sched = ReduceLROnPlateau(two_group_sgd([1e-9, 1.0]), patience=0, eps=1e-8)
    run_plateau(sched, [1, 1])
    assert sched.get_last_lr() == [1e-9, 0.1]


def test_plateau_state_dict_round_trip():
    opt = two_group_sgd([1.0, 0.5])
    sched = ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1)
    run_plateau(sched, [3, 2, 2, 2])
    sd = sched.state_dict()
    opt2 = two_group_sgd([1.0, 0.5])
    sched2 = ReduceLROnPlateau(opt2)
    opt2.load_state_dict(opt.state_dict())
    sched2.load_state_dict(sd)
    assert sched2.patience == 1 and sched2.best == 2
    more = [2, 2, 2, 1, 1, 1, 1]
    assert run_plateau(sched2, more) == run_plateau(sched, more)


def test_scheduler_load_state_dict_needs_a_mapping():
    sched = StepLR(two_group_sgd(), step_size=3)
    with pytest.raises(TypeError, match=r"StepLR.load_state_dict: expected a mapping .* got list"):
        sched.load_state_dict([1, 2])

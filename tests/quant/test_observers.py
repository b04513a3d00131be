import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.quant import (
    MinMaxObserver,
    MovingAverageMinMaxObserver,
    PercentileObserver,
    get_observer,
    qparams,
)


def test_minmax_over_batches():
    obs = MinMaxObserver()
    x1, x2 = np.array([0.5, -1.0, 2.0]), mg.tensor([[3.0, 0.0], [-0.5, 1.0]])
    assert obs(x1) is x1 and obs.observe(x2) is x2  # returns its input unchanged
    assert (obs.min_val, obs.max_val) == (-1.0, 3.0)
    assert obs.num_batches == 2 and obs.num_values == 7
    assert obs.qparams(8, "affine") == qparams(-1.0, 3.0, 8, "affine") == (pytest.approx(4 / 255), 64)
    assert obs.qparams(8, "symmetric") == (pytest.approx(3 / 127), 0)
    assert "min=-1, max=3" in repr(obs)
    obs.reset()
    assert not obs.observed


def test_per_channel():
    obs = MinMaxObserver(axis=1)
    obs.observe(np.array([[1.0, -2.0, 0.0], [3.0, 0.5, 0.0]]))
    obs.observe(np.array([[-1.0, 0.0, 0.0]]))
    np.testing.assert_array_equal(obs.min_val, [-1.0, -2.0, 0.0])
    np.testing.assert_array_equal(obs.max_val, [3.0, 0.5, 0.0])
    scale, zero = obs.qparams(8, "symmetric")
    np.testing.assert_allclose(scale, [3 / 127, 2 / 127, 1.0])  # an all-zero channel gets scale 1
    np.testing.assert_array_equal(zero, 0)
    with pytest.raises(ValueError, match="3 channels were observed before, this tensor has 2 along axis 1"):
        obs.observe(np.ones((4, 2)))


def test_moving_average():
    obs = MovingAverageMinMaxObserver(averaging_constant=0.5)
    obs.observe(np.array([0.0, 1.0]))       # the first batch sets the range
    obs.observe(np.array([-2.0, 3.0]))      # m ← m + c (x − m)
    assert (obs.min_val, obs.max_val) == (-1.0, 2.0)
    default = MovingAverageMinMaxObserver()
    assert default.averaging_constant == 0.01


def test_percentile_ignores_outliers():
    x = np.concatenate([np.linspace(-1, 1, 10_000), [1000.0]])
    minmax, pct = MinMaxObserver(), PercentileObserver(percentile=99.9)
    minmax(x), pct(x)
    assert minmax.max_val == 1000.0
    assert pct.max_val == pytest.approx(np.percentile(x, 99.9)) and pct.max_val < 1.0
    assert pct.min_val == pytest.approx(np.percentile(x, 0.1))
    assert PercentileObserver().percentile == 99.99
    # several batches: percentiles averaged, weighted by batch size
    obs = PercentileObserver(percentile=100.0)
    obs(np.array([0.0, 1.0])), obs(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 4.0]))
    assert obs.max_val == pytest.approx((1.0 * 2 + 4.0 * 6) / 8)


def test_asking_before_observing_is_a_clear_error():
    for obs in (MinMaxObserver(), MovingAverageMinMaxObserver(), PercentileObserver()):
        with pytest.raises(RuntimeError, match="has not observed any data yet"):
            obs.qparams()


def test_an_observer_is_a_layer():
    obs = MinMaxObserver()
    model = nn.Sequential(nn.Linear(3, 2), obs)
    out = model(mg.ones(4, 3))
    assert obs.min_val == out.numpy().min() and obs.max_val == out.numpy().max()
    assert model.parameters() == model[0].parameters()


def test_bad_input():
    with pytest.raises(ValueError, match="contains nan"):
        MinMaxObserver().observe(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="empty"):
        MinMaxObserver().observe(np.ones((0, 3)))
    with pytest.raises(ValueError, match="averaging_constant must be in \\(0, 1\\], got 0"):
        MovingAverageMinMaxObserver(averaging_constant=0)
    with pytest.raises(ValueError, match="percentile must be in \\(50, 100\\], got 40"):
        PercentileObserver(percentile=40)
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        MinMaxObserver(axis=3).observe(np.ones((2, 2)))
    with pytest.raises(ValueError, match="unknown observer 'max'"):
        get_observer("max")
    assert isinstance(get_observer("percentile", percentile=99.0), PercentileObserver)
    assert isinstance(get_observer(MinMaxObserver), MinMaxObserver)

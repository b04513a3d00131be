"""The course's experiments: what the initialization sweep measures (the numbers viz draws)."""

import numpy as np
import pytest

from minigrad.course.experiments import init_sweep
from minigrad.rng import generator


@pytest.fixture(scope="module")
def sweep():
    return init_sweep(inits=("zeros", "small_normal", "he_normal"), activations=("tanh", "relu"),
                      depth=10, width=100, n=300, seed=0)


def test_zero_init_fails_to_break_symmetry(sweep):
    for act in ("tanh", "relu"):
        std = sweep[("zeros", act)]["std"]
        assert std.shape == (10,)
        assert np.all(std == 0)  # every unit of every layer computes the same value


def test_he_relu_keeps_the_scale_and_small_normal_tanh_collapses(sweep):
    he = sweep[("he_normal", "relu")]["std"]
    assert 0.5 < he[-1] / he[0] < 2.0 and np.all((he > 0.3) & (he < 3.0))
    small = sweep[("small_normal", "tanh")]["std"]
    assert small[-1] < 1e-6 * small[0]
    assert np.all(np.diff(small) < 0)  # shrinks layer after layer


def test_init_sweep_is_repeatable_and_leaves_the_global_generator_alone():
    state = generator().bit_generator.state
    a = init_sweep(inits=("glorot_normal",), activations=("tanh",), depth=3, width=20, n=50, seed=3)
    b = init_sweep(inits={"xavier": "glorot_normal"}, activations=("tanh",), depth=3, width=20, n=50, seed=3)
    np.testing.assert_array_equal(a[("glorot_normal", "tanh")]["std"], b[("xavier", "tanh")]["std"])
    assert generator().bit_generator.state == state
    with pytest.raises(ValueError, match="normal_0.01"):
        init_sweep(inits=("gaussian_0.1",), depth=1, width=2, n=2)

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.mlp import default_init


def test_layers_follow_the_sizes():
    m = nn.MLP([2, 16, 8, 3], activation="tanh", batchnorm=True, dropout=0.2)
    kinds = [type(layer).__name__ for layer in m]
    assert kinds == ["Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear"]
    assert m(mg.ones(5, 2)).shape == (5, 3)
    assert nn.MLP("4,1").num_parameters() == 5


def test_default_initializer_follows_the_activation():
    assert default_init("relu") == "he_normal"
    assert default_init("tanh") == "glorot_normal"
    assert default_init("selu") == "lecun_normal"
    mg.manual_seed(0)
    w = nn.MLP([400, 1000, 1], activation="tanh")[0].weight.numpy()
    assert w.var() == pytest.approx(2 / 1400, rel=0.05)


@pytest.mark.parametrize("sizes,message", [([3], "at least"), ("2,x", "integers"), ([2, 0, 1], "positive")])
def test_bad_sizes(sizes, message):
    with pytest.raises(ValueError, match=message):
        nn.MLP(sizes)


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match="swoosh"):
        nn.MLP([2, 1], activation="swoosh")


def test_repr_mentions_sizes():
    assert "sizes=[2, 4, 1]" in repr(nn.MLP([2, 4, 1]))
    assert np.isfinite(nn.MLP([2, 4, 1])(mg.ones(1, 2)).numpy()).all()

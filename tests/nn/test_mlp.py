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


def test_batchnorm_before_the_activation_drops_the_redundant_bias():
    m = nn.MLP([2, 16, 8, 3], batchnorm=True)
    assert m.batchnorm == "before"
    assert [layer.bias is None for layer in m if isinstance(layer, nn.Linear)] == [True, True, False]
    names = [name for name, _ in m.named_parameters()]
    assert names == ["0.weight", "1.weight", "1.bias", "3.weight", "4.weight", "4.bias", "6.weight", "6.bias"]
    assert nn.MLP([2, 16, 8, 3], batchnorm="before").num_parameters() == m.num_parameters()
    # the output of a hidden Linear is normalized: a bias there would be cancelled by the batch mean
    x = np.random.default_rng(0).normal(size=(6, 2))
    assert m(x).shape == (6, 3)


def test_batchnorm_after_the_activation_keeps_the_bias():
    m = nn.MLP([2, 16, 8, 3], activation="tanh", batchnorm="after", dropout=0.1)
    kinds = [type(layer).__name__ for layer in m]
    assert kinds == ["Linear", "Tanh", "BatchNorm1d", "Dropout", "Linear", "Tanh", "BatchNorm1d", "Dropout", "Linear"]
    assert all(layer.bias is not None for layer in m if isinstance(layer, nn.Linear))
    assert "batchnorm='after'" in repr(m)
    assert [type(layer).__name__ for layer in nn.MLP([2, 4, 1], batchnorm=False)] == ["Linear", "ReLU", "Linear"]
    with pytest.raises(ValueError, match=r"batchnorm must be True/\"before\", \"after\" or False, got 'middle'"):
        nn.MLP([2, 4, 1], batchnorm="middle")


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

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.nn.functional import affine, batch_norm, dropout, layer_norm
from minigrad.nn.layers import BatchNorm1d, Dropout, Flatten, Identity, LayerNorm, Linear
from minigrad.nn.module import Sequential
from minigrad.nn.regularizers import L1, L2
from tests.helpers import check_gradients


# ----------------------------------------------------------------------------- Linear

def test_linear_uses_the_seed_weight_layout():
    layer = Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    out = layer(x)
    np.testing.assert_allclose(out.numpy(), x @ layer.weight.numpy().T + layer.bias.numpy(), rtol=1e-6)
    assert out.shape == (5, 2) and out.dtype == np.float32
    assert layer(mg.ones(3)).shape == (2,)
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=True)"


def test_linear_initializers_by_name_or_callable():
    mg.manual_seed(0)
    big = Linear(400, 1000)  # he_normal by default: Var = 2 / fan_in
    assert big.weight.numpy().var() == pytest.approx(2 / 400, rel=0.05)
    np.testing.assert_array_equal(big.bias.numpy(), np.zeros(1000))
    layer = Linear(2, 3, weight_init=lambda shape: np.full(shape, 0.5), bias_init="ones")
    np.testing.assert_array_equal(layer.weight.numpy(), np.full((3, 2), 0.5))
    np.testing.assert_array_equal(layer.bias.numpy(), np.ones(3))
    assert Linear(2, 3, bias=False).bias is None
    with pytest.raises(ValueError, match="no_such_init"):
        Linear(2, 3, weight_init="no_such_init")


def test_linear_rejects_a_wrong_input_width_naming_the_layer():
    model = Sequential(Linear(3, 4), Linear(4, 2))
    with pytest.raises(ValueError, match=r"in_features=4.*layer '1'.*shape \(5, 3\).*4 features"):
        model[1](mg.ones(5, 3))
    with pytest.raises(ValueError, match="in_features must be a positive integer, got 0"):
        Linear(0, 2)


@given(batch=st.integers(1, 4), n_in=st.integers(1, 4), n_out=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_linear_gradients(batch, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    x, W, b = rng.normal(size=(batch, n_in)), rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
    check_gradients(affine, [x, W, b], second_order=True)


def test_linear_regularizers_are_collected():
    layer = Linear(3, 2, weight_regularizer=L2(0.1), bias_regularizer="l1", activity_regularizer=L1(0.5))
    layer.bias.data[...] = [1.0, -2.0]
    x = mg.ones(4, 3)
    out = layer(x)
    expected = 0.1 * (layer.weight.numpy() ** 2).sum() + 0.01 * 3.0 + 0.5 * np.abs(out.numpy()).sum() / 4
    total = layer.regularization_loss()
    assert total.item() == pytest.approx(expected, rel=1e-5)
    total.backward()
    np.testing.assert_allclose(layer.weight.grad.numpy()[:, 0], (0.2 * layer.weight.numpy()
                               + 0.5 / 4 * (np.sign(out.numpy()).T @ x.numpy())) [:, 0], rtol=1e-5)


# ----------------------------------------------------------------------------- Dropout

def test_inverted_dropout_scales_in_training_and_is_identity_in_eval():
    mg.manual_seed(1)
    layer = Dropout(0.25)
    x = mg.ones(200, 100)
    out = layer(x).numpy()
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.75], rtol=1e-6)
    assert (out == 0).mean() == pytest.approx(0.25, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.02)
    layer.eval()
    assert layer(x) is x


def test_vanilla_dropout_matches_the_test_time_expectation():
    # dropout at test time (Srivastava et al. 2014; CS231n notes): E_train[a] = keep · E_test-unscaled[a]; vanilla dropout
    # multiplies by the keep probability at test time so both agree.
    mg.manual_seed(2)
    layer = Dropout(0.5, inverted=False)
    w = np.array([0.7, -1.3])
    x = mg.tensor(np.tile([2.0, 3.0], (20000, 1)))
    train_a = (layer(x).numpy() @ w).mean()
    layer.eval()
    test_a = (layer(x).numpy() @ w).mean()
    assert test_a == pytest.approx(0.5 * (2.0 * 0.7 + 3.0 * -1.3), rel=1e-6)
    assert train_a == pytest.approx(test_a, abs=0.03)
    assert repr(layer) == "Dropout(p=0.5, inverted=False)"


def test_dropout_gradient_flows_through_kept_units_only():
    mg.manual_seed(3)
    x = mg.ones(50, requires_grad=True)
    out = dropout(x, 0.4, training=True)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), out.numpy())  # mask · 1/(1-p)


def test_dropout_edge_probabilities_and_errors():
    x = mg.ones(5)
    np.testing.assert_array_equal(dropout(x, 0.0).numpy(), x.numpy())
    np.testing.assert_array_equal(dropout(x, 1.0).numpy(), np.zeros(5))
    with pytest.raises(ValueError, match="1.5"):
        Dropout(1.5)
    mg.manual_seed(4)
    a = dropout(mg.ones(100), 0.5).numpy()
    mg.manual_seed(4)
    np.testing.assert_array_equal(a, dropout(mg.ones(100), 0.5).numpy())


# ----------------------------------------------------------------------------- BatchNorm

def test_batchnorm_training_normalizes_and_updates_running_stats_like_pytorch():
    rng = np.random.default_rng(0)
    x = rng.normal(loc=3.0, scale=2.0, size=(32, 4)).astype(np.float32)
    bn = BatchNorm1d(4)
    out = bn(x).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=0), 1, atol=1e-3)  # biased variance normalizes
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * x.var(axis=0, ddof=1), rtol=1e-5)
    assert int(bn.num_batches_tracked.item()) == 1
    bn.eval()
    expected = (x - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + 1e-5)
    np.testing.assert_allclose(bn(x).numpy(), expected, rtol=1e-5, atol=1e-5)
    assert set(bn.state_dict()) == {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}


def test_batchnorm_3d_input_and_cumulative_momentum():
    rng = np.random.default_rng(1)
    bn = BatchNorm1d(3, momentum=None)
    batches = [rng.normal(size=(4, 3, 5)) for _ in range(3)]
    for b in batches:
        out = bn(b)
    assert out.shape == (4, 3, 5)
    means = [b.mean(axis=(0, 2)) for b in batches]
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean(means, axis=0), rtol=1e-5)


@pytest.mark.parametrize("shape", [(6, 3), (4, 2, 3)])
@given(seed=st.integers(0, 2**32 - 1))
def test_batch_norm_gradients(shape, seed):
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=shape), rng.normal(size=shape[1]), rng.normal(size=shape[1])
    check_gradients(lambda x, w, b: batch_norm(x, None, None, w, b, training=True), [x, w, b], second_order=True)
    rm, rv = mg.tensor(rng.normal(size=shape[1]), dtype="float64"), mg.tensor(rng.uniform(0.5, 2, size=shape[1]), dtype="float64")
    check_gradients(lambda x, w, b: batch_norm(x, rm, rv, w, b, training=False), [x, w, b])


def test_batchnorm_errors_name_the_problem():
    with pytest.raises(ValueError, match="more than one value per channel"):
        BatchNorm1d(3)(mg.ones(1, 3))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(4.*\(N, 4\).*\(8, 3\)"):
        BatchNorm1d(4)(mg.ones(8, 3))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm1d(3, momentum=2.0)


# ----------------------------------------------------------------------------- LayerNorm, Flatten, Identity

def test_layernorm_normalizes_each_example():
    x = np.random.default_rng(0).normal(loc=5, size=(3, 8))
    out = LayerNorm(8)(x).numpy()
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=1), 1, atol=1e-3)
    with pytest.raises(ValueError, match=r"\(4,\).*\(3, 8\)"):
        LayerNorm(4)(x)


@given(seed=st.integers(0, 2**32 - 1))
def test_layer_norm_gradients(seed):
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=(3, 2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    check_gradients(lambda x, w, b: layer_norm(x, (2, 4), w, b), [x, w, b], second_order=True)


def test_flatten_and_identity():
    x = mg.ones(4, 2, 3)
    assert Flatten()(x).shape == (4, 6)
    assert Flatten(0)(x).shape == (24,)
    assert Identity()(x) is x


# ----------------------------------------------------------------------------- a network learns

def test_mlp_learns_xor_with_plain_gradient_descent():
    mg.manual_seed(0)
    X = mg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = mg.tensor([[0.0], [1.0], [1.0], [0.0]])
    model = Sequential(Linear(2, 8, weight_init="glorot_uniform"), BatchNorm1d(8), Linear(8, 1, weight_init="glorot_uniform"))
    losses = []
    for _ in range(300):
        h = model[1](model[0](X)).tanh()
        loss = ((model[2](h) - y) ** 2).mean()
        model.zero_grad()
        loss.backward()
        with mg.no_grad():
            for p in model.parameters():
                p.data -= 0.1 * p.grad.data
        losses.append(loss.item())
    assert losses[-1] < 0.02 < losses[0]

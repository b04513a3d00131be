import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import make_moons
from minigrad.quant import (
    BitLinear,
    QuantLinear,
    absmax_quantize,
    fake_quantize,
    freeze_observers,
    prepare_qat,
    qrange,
)


def _rng(seed=0):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- QuantLinear

def test_quantlinear_forward_is_fake_quantized_input_weight_and_bias():
    mg.manual_seed(0)
    layer = QuantLinear(4, 3, weight_bits=4, act_bits=6, bias_bits=5)
    layer.bias.data[...] = [0.3, -0.11, 0.061]
    x = _rng().normal(size=(8, 4)).astype(np.float32)
    out = layer(x).numpy()
    W, b = layer.weight.numpy(), layer.bias.numpy()
    s_w = np.abs(W).max(axis=1) / 7  # per output channel, symmetric (Jacob et al. 2018)
    Wq = fake_quantize(W, s_w, 0, -8, 7, axis=0).numpy()
    lo, hi = min(x.min(), 0), max(x.max(), 0)  # affine, range widened to 0
    s_x = (hi - lo) / 63
    z_x = int(np.rint(-lo / s_x))
    xq = fake_quantize(x, s_x, z_x, 0, 63).numpy()
    bq = fake_quantize(b, 0.3 / 15, 0, -16, 15).numpy()
    np.testing.assert_allclose(out, xq @ Wq.T + bq, rtol=1e-5, atol=1e-6)
    for row in layer.quantized_weight().numpy():  # at most 2^4 levels per row
        assert len(np.unique(row)) <= 16
    assert repr(layer).startswith(
        "QuantLinear(in_features=4, out_features=3, bias=True, weight_bits=4, act_bits=6, bias_bits=5\n"
        "  (act_observer): MovingAverageMinMaxObserver(averaging_constant=0.01, min=")


def test_observer_tracks_the_range_in_training_and_is_frozen_in_eval():
    layer = QuantLinear(2, 2, act_bits=8, observer="minmax")
    layer(np.array([[0.0, 1.0]]))
    assert layer.act_observer.max_val == 1.0
    layer(np.array([[0.0, 5.0]]))
    assert layer.act_observer.max_val == 5.0
    layer.eval()
    layer(np.array([[0.0, 50.0]]))
    assert layer.act_observer.max_val == 5.0  # frozen
    fresh = QuantLinear(2, 2).eval()
    fresh(np.array([[0.0, 2.0]]))  # nothing observed yet: the first batch calibrates
    assert fresh.act_observer.max_val == 2.0
    layer.train()
    freeze_observers(layer)
    layer(np.array([[0.0, 80.0]]))
    assert layer.act_observer.max_val == 5.0


def test_straight_through_weight_gradient_equals_the_float_one():
    # ∂(x Q(W)ᵀ)/∂W = gᵀx with Q's gradient passed straight through (max-based scales never clip)
    mg.manual_seed(1)
    q = QuantLinear(5, 3, weight_bits=3, act_bits=None)
    f = nn.Linear(5, 3)
    f.weight.data[...] = q.weight.data
    x = _rng(1).normal(size=(7, 5))
    g = mg.tensor(_rng(2).normal(size=(7, 3)))
    (q(x) * g).sum().backward()
    (f(x) * g).sum().backward()
    np.testing.assert_allclose(q.weight.grad.numpy(), f.weight.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(q.bias.grad.numpy(), f.bias.grad.numpy(), rtol=1e-5)


def test_learned_weight_scale_gets_the_lsq_gradient():
    mg.manual_seed(2)
    layer = QuantLinear(6, 2, weight_bits=4, act_bits=None, learn_weight_scale=True)
    W = layer.weight.numpy()
    np.testing.assert_allclose(layer.weight_scale.numpy(), np.abs(W).max(axis=1) / 7, rtol=1e-6)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias", "weight_scale"]
    x = _rng(3).normal(size=(4, 6))
    layer(x).sum().backward()
    s = layer.weight_scale.numpy().astype(np.float64)[:, None]
    v = W / s
    d = np.where(np.rint(v) > 7, 7, np.where(np.rint(v) < -8, -8, np.rint(v) - v))
    g_w = np.ones((4, 2)).T @ x  # ∂C/∂Ŵ
    expected = (g_w * d).sum(axis=1) / np.sqrt(6 * 7)  # LSQ gradient scale 1/√(N·Q_P)
    np.testing.assert_allclose(layer.weight_scale.grad.numpy(), expected, rtol=1e-4, atol=1e-6)


def test_bad_bits():
    with pytest.raises(ValueError, match="weight_bits.*got 1"):
        QuantLinear(2, 2, weight_bits=1)
    with pytest.raises(ValueError, match="act_bits.*got 17"):
        QuantLinear(2, 2, act_bits=17)
    with pytest.raises(ValueError, match="bias_bits.*from 2 to 32, got 33"):
        QuantLinear(2, 2, bias_bits=33)


# ----------------------------------------------------------------------------- BitLinear

def test_absmax_quantization_per_token():
    x = np.array([[1.0, -0.5, 0.25], [100.0, 3.0, -50.0]])
    out = absmax_quantize(mg.tensor(x, dtype="float64")).numpy()
    for row_in, row_out in zip(x, out):  # each row its own scale max|x_t| / 127
        s = np.abs(row_in).max() / 127
        np.testing.assert_allclose(row_out, np.rint(row_in / s) * s)
    assert np.abs(out - x).max(axis=1)[0] < 0.01  # the small row is not crushed by the large one


def test_bitlinear_uses_ternary_weights_and_trains():
    mg.manual_seed(0)
    layer = BitLinear(4, 3)
    x = _rng(4).normal(size=(5, 4))
    W = layer.weight.numpy()
    gamma = np.abs(W).mean()
    w_used = layer.quantized_weight().numpy()
    codes = np.clip(np.rint(W / (gamma + 1e-5)), -1, 1)
    np.testing.assert_allclose(w_used, codes * gamma, rtol=1e-6)
    assert set(np.unique(layer.ternary_codes().q)) <= {-1, 0, 1}
    out = layer(x)
    xq = absmax_quantize(mg.tensor(x)).numpy()
    np.testing.assert_allclose(out.numpy(), xq @ w_used.T + layer.bias.numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    assert layer.weight.grad is not None and np.abs(layer.weight.grad.numpy()).sum() > 0
    assert "weights=ternary, act_bits=8" in repr(layer)


# ----------------------------------------------------------------------------- prepare_qat

def _mlp():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Sequential(nn.Linear(16, 16), nn.Tanh()), nn.Linear(16, 2))


def test_prepare_qat_swaps_every_linear_in_a_copy():
    model = _mlp()
    before = model.state_dict()
    qat = prepare_qat(model, weight_bits=4, act_bits=8, bias_bits=8)
    kinds = [type(m).__name__ for m in qat.modules() if isinstance(m, nn.Linear)]
    assert kinds == ["QuantLinear"] * 3
    assert [type(m).__name__ for m in model.modules() if isinstance(m, nn.Linear)] == ["Linear"] * 3
    assert isinstance(qat[1], nn.ReLU) and isinstance(qat[2][1], nn.Tanh)  # order kept
    assert qat[2][0].weight_bits == 4 and qat[2][0].act_bits == 8 and qat[2][0].bias_bits == 8
    for (name, p), (qname, qp) in zip(model.named_parameters(), qat.named_parameters()):
        assert name == qname and p is not qp
        np.testing.assert_array_equal(p.numpy(), qp.numpy())
    assert qat[2][0].weight.scope == "2.0"
    # the original is untouched by training the copy
    opt = optim.SGD(qat.parameters(), lr=0.5)
    qat(mg.ones(3, 2)).sum().backward()
    opt.step()
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    # same parameter names: a float checkpoint loads into the QAT model
    qat.load_state_dict(model.state_dict())


def test_prepare_qat_on_a_single_linear_and_shared_layers():
    assert isinstance(prepare_qat(nn.Linear(3, 2)), QuantLinear)
    shared = nn.Linear(4, 4)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    qat = prepare_qat(model)
    assert qat[0] is qat[2] and isinstance(qat[0], QuantLinear)


def test_prepare_qat_ternary_gives_bitlinear():
    qat = prepare_qat(_mlp(), weight_bits="ternary")
    assert [type(m).__name__ for m in qat.modules() if isinstance(m, nn.Linear)] == ["BitLinear"] * 3
    assert isinstance(prepare_qat(_mlp(), weight_bits=1.58)[0], BitLinear)


def test_prepare_qat_rejects_a_model_without_linear_layers():
    with pytest.raises(ValueError, match="no nn.Linear layer to quantize.*contains ReLU, Sequential, Tanh"):
        prepare_qat(nn.Sequential(nn.ReLU(), nn.Tanh()))
    with pytest.raises(ValueError, match="weight_bits.*got 1"):
        prepare_qat(_mlp(), weight_bits=1)
    with pytest.raises(TypeError, match="expects an nn.Module"):
        prepare_qat(lambda x: x)


OPTIMIZERS = [
    (optim.SGD, dict(lr=0.1, momentum=0.9)), (optim.Adagrad, dict(lr=0.1)), (optim.RMSprop, dict(lr=0.01)),
    (optim.Adadelta, dict(lr=1.0)), (optim.Adam, dict(lr=0.01)), (optim.AdamW, dict(lr=0.01)),
    (optim.Adamax, dict(lr=0.02)), (optim.NAdam, dict(lr=0.01)),
]


@pytest.mark.parametrize("opt_cls, kwargs", OPTIMIZERS, ids=[c.__name__ for c, _ in OPTIMIZERS])
@pytest.mark.parametrize("weight_bits", [4, "ternary"])
def test_qat_trains_with_every_optimizer(opt_cls, kwargs, weight_bits):
    X, y = make_moons(200, noise=0.1, seed=0)
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    qat = prepare_qat(model, weight_bits=weight_bits, act_bits=8, learn_weight_scale=weight_bits == 4)
    opt = opt_cls(qat.parameters(), **kwargs)
    losses = []
    for _ in range(40):
        loss = nn.losses.cross_entropy(qat(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.isfinite(losses).all()
    assert np.mean(losses[-5:]) < 0.8 * losses[0]


def test_qat_bits_ranges():
    layer = QuantLinear(3, 2, weight_bits=2, act_bits=2)
    assert qrange(layer.weight_bits, "symmetric") == (-2, 1)
    levels = np.unique(layer.quantized_weight().numpy())
    assert len(levels) <= 4

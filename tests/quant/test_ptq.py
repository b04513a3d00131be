import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.quant import (
    IntegerLinear,
    QTensor,
    QuantizedModel,
    model_size_bytes,
    prepare_qat,
    ptq_report,
    quantize_model,
)
from minigrad.quant.integer import fixed_point_multiplier, rounding_right_shift
from minigrad.train import evaluate, fit, predict
from tests.quant.conftest import accuracy

# ----------------------------------------------------------------------------- digits, 8 bits

def test_ptq_8_bit_keeps_accuracy_within_2_points(digits_mlp):
    model, (X_tr, _), (X_te, y_te) = digits_mlp
    qmodel = quantize_model(model, X_tr, bits=8)
    float_acc, quant_acc = accuracy(model, X_te, y_te), accuracy(qmodel, X_te, y_te)
    assert float_acc > 0.95
    assert abs(quant_acc - float_acc) <= 0.02
    assert isinstance(qmodel, QuantizedModel) and qmodel.parameters() == []
    logits, float_logits = predict(qmodel, X_te), predict(model, X_te)
    assert logits.dtype == np.float32
    assert np.abs(logits - float_logits).max() < 0.05 * np.abs(float_logits).max()


def test_the_quantized_model_computes_in_integers(digits_mlp):
    model, (X_tr, _), (X_te, _) = digits_mlp
    qmodel = quantize_model(model, X_tr, bits=8)
    seen = []
    for step in qmodel.steps:
        step.register_forward_hook(lambda m, inputs, out: seen.append((type(m).__name__, inputs[0], out)))
    qmodel(X_te[:50])
    names = [name for name, _, _ in seen]
    assert names == ["QuantizeInput", "IntegerLinear", "IntegerLinear"]
    # activations between layers: uint8 codes (affine, 0 … 255)
    for name, inp, out in seen[1:]:
        assert isinstance(inp, QTensor) and inp.q.dtype == np.uint8 and inp.scheme == "affine"
    hidden = seen[1][2]
    assert isinstance(hidden, QTensor) and hidden.q.dtype == np.uint8
    assert hidden.zero_point == 0  # the ReLU's output range starts at 0
    for layer in qmodel.integer_layers():
        assert layer.weight_q.dtype == np.int8
        assert layer.bias_q.dtype == np.int32
        assert layer.last_accumulator.dtype == np.int32  # int8 × int8 → int32 accumulate
        assert layer.accumulator_bound < 2**31
    # the int32 accumulator is the exact integer sum (no wrap-around): recompute in int64
    first = qmodel.integer_layers()[0]
    xq = seen[1][1].q.astype(np.int64) - first.input_zero_point
    exact = np.maximum(xq @ first.weight_q.T.astype(np.int64) + first.bias_q, 0)
    np.testing.assert_array_equal(first.last_accumulator, exact)
    # requantization multipliers are fixed point: M ≈ M0 · 2^-shift with a 31-bit M0
    assert first.multiplier.dtype == np.int64 and (first.multiplier < 2**31).all()
    np.testing.assert_allclose(first.multiplier * 2.0 ** -first.shift, first.real_multiplier, rtol=2**-30)
    assert qmodel.integer_layers()[-1].final and first.relu


def test_fixed_point_and_float_requantization_agree(digits_mlp):
    model, (X_tr, _), (X_te, _) = digits_mlp
    fixed = quantize_model(model, X_tr, bits=8)
    flt = quantize_model(model, X_tr, bits=8, requantize="float")
    codes = []
    for qm in (fixed, flt):
        qm.steps[1].register_forward_hook(lambda m, i, out: codes.append(out.q.astype(int)))
        qm(X_te)
    assert np.abs(codes[0] - codes[1]).max() <= 1
    assert (predict(fixed, X_te).argmax(1) == predict(flt, X_te).argmax(1)).mean() > 0.99


def test_fixed_point_helpers():
    M = np.array([0.75, 1e-4, 0.0123456789, 3.5])
    M0, shift = fixed_point_multiplier(M)
    assert ((M0 >= 2**30) & (M0 < 2**31)).all()
    np.testing.assert_allclose(M0 * 2.0 ** -shift, M, rtol=2**-30)
    x = np.arange(-20, 21, dtype=np.int64)
    for s in (1, 2, 3):
        expected = np.sign(x) * np.floor(np.abs(x) / 2**s + 0.5)  # round half away from zero
        np.testing.assert_array_equal(rounding_right_shift(x, np.int64(s)), expected)
    with pytest.raises(ValueError, match="positive"):
        fixed_point_multiplier([0.0])


# ----------------------------------------------------------------------------- why QAT exists

def test_qat_at_4_bits_recovers_what_ptq_at_4_bits_loses(digits_mlp):
    model, (X_tr, y_tr), (X_te, y_te) = digits_mlp
    float_acc = accuracy(model, X_te, y_te)
    ptq4 = accuracy(quantize_model(model, X_tr, bits=4), X_te, y_te)
    mg.manual_seed(0)
    qat = prepare_qat(model, weight_bits=4, act_bits=4)
    fit(qat, "cross_entropy", optim.Adam(qat.parameters(), lr=1e-3), (X_tr, y_tr),
        epochs=10, batch_size=64, progress=False, seed=0)
    qat4 = accuracy(quantize_model(qat, X_tr, bits=4), X_te, y_te)  # the same integer pipeline
    print(f"\ndigits 64-64-10: float {float_acc:.2%}, PTQ-4 {ptq4:.2%}, QAT-4 {qat4:.2%}")
    # measured: float 98.33%, PTQ-4 84.40%, QAT-4 98.33%
    assert ptq4 < float_acc - 0.05        # 4-bit PTQ loses several points ...
    assert qat4 > ptq4 + 0.05             # ... which training through the quantizer wins back
    assert qat4 >= float_acc - 0.03
    assert abs(accuracy(qat, X_te, y_te) - qat4) <= 0.01  # fake-quant simulation ≈ integer model


# ----------------------------------------------------------------------------- size and report

def test_model_size_bytes(digits_mlp):
    model, (X_tr, _), _ = digits_mlp
    n_weights, n_bias = 64 * 64 + 64 * 10, 64 + 10
    assert model_size_bytes(model) == 4 * (n_weights + n_bias)  # float32: 4 bytes per parameter
    assert model_size_bytes(nn.Linear(3, 2).double()) == 8 * (6 + 2)  # float64: 8 bytes
    bn = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    assert model_size_bytes(bn) == 4 * (6 + 2) + 4 * (2 + 2) + 4 * (2 + 2)  # + γ, β and running mean/var
    q8 = quantize_model(model, X_tr, bits=8)
    #            weights     per-channel scales   int32 biases   activation scale + zero point (input, hidden)
    assert model_size_bytes(q8) == n_weights + 4 * n_bias + 4 * n_bias + 8 + 8
    q4 = quantize_model(model, X_tr, bits=4)
    assert model_size_bytes(q4) == n_weights // 2 + 8 * n_bias + 16
    ternary = prepare_qat(model, weight_bits="ternary")
    assert model_size_bytes(ternary) == np.ceil(4096 * np.log2(3) / 8) + np.ceil(640 * np.log2(3) / 8) + 8 + 4 * n_bias
    qat8 = prepare_qat(model, weight_bits=8, act_bits=8)
    assert model_size_bytes(qat8) == n_weights + 8 * n_bias + 16


def test_ptq_report(digits_mlp):
    model, (X_tr, _), (X_te, y_te) = digits_mlp
    report = ptq_report(model, quantize_model(model, X_tr, bits=8), X_te, y_te)
    assert report["float_accuracy"] == pytest.approx(accuracy(model, X_te, y_te))
    assert report["float_bytes"] == 19240 and report["quant_bytes"] == 5344
    assert report["size_ratio"] == pytest.approx(19240 / 5344)
    assert report["weight_ratio"] == 4.0                                # 8 bits vs FP32 (Jacob et al. 2018)
    assert report["ternary_weight_ratio"] == pytest.approx(32 / 1.585, rel=1e-3)  # ≈ 20×
    assert report["ternary_bytes"] == 1243
    text = str(report)
    assert text == report["text"]
    for phrase in ("float32", "8-bit integer (PTQ)", "4× smaller", "≈ 20× smaller", "32×", "points"):
        assert phrase in text
    print("\n" + text)


# ----------------------------------------------------------------------------- other layers

def test_flatten_batchnorm_fallback_dropout_identity():
    mg.manual_seed(3)
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(32, 16), nn.Tanh(), nn.Identity(), nn.Linear(16, 10),
    )
    X = np.random.default_rng(0).normal(size=(300, 8, 8)).astype(np.float32)
    model.train()
    for _ in range(3):  # give BatchNorm running statistics
        model(X)
    model.eval()
    qmodel = quantize_model(model, X, bits=8)
    kinds = [type(s).__name__ for s in qmodel.steps]
    assert kinds == ["QuantizeInput", "Reshape", "IntegerLinear", "IntegerLinear", "FloatFallback", "IntegerLinear"]
    assert qmodel.steps[2].relu  # BatchNorm folded, ReLU fused
    ref, out = predict(model, X), predict(qmodel, X)
    assert np.abs(out - ref).max() < 0.05 * np.abs(ref).max()
    assert (out.argmax(1) == ref.argmax(1)).mean() > 0.9


def test_bitlinear_model_converts_with_ternary_weights(digits_mlp):
    model, (X_tr, y_tr), (X_te, y_te) = digits_mlp
    mg.manual_seed(0)
    bit = prepare_qat(model, weight_bits="ternary")
    fit(bit, "cross_entropy", optim.Adam(bit.parameters(), lr=1e-3), (X_tr, y_tr),
        epochs=5, batch_size=64, progress=False, seed=0)
    qmodel = quantize_model(bit, X_tr, bits=8)
    for layer in qmodel.integer_layers():
        assert set(np.unique(layer.weight_q)) <= {-1, 0, 1}
    assert accuracy(qmodel, X_te, y_te) > 0.85
    assert "ternary weights" in repr(qmodel)


def test_sixteen_bits_accumulates_in_int64(digits_mlp):
    model, (X_tr, _), (X_te, _) = digits_mlp
    q16 = quantize_model(model, X_tr, bits=16)
    assert all(layer.accumulator_dtype == np.int64 for layer in q16.integer_layers())
    q16(X_te[:5])
    assert q16.integer_layers()[0].last_accumulator.dtype == np.int64
    np.testing.assert_allclose(predict(q16, X_te), predict(model, X_te), atol=1e-2)


def test_quantized_model_works_with_the_training_tools(digits_mlp):
    model, (X_tr, y_tr), (X_te, y_te) = digits_mlp
    before = model.state_dict()
    qmodel = quantize_model(model, (X_tr[:200], y_tr[:200]), bits=8, observer="percentile")
    logs = evaluate(qmodel, "cross_entropy", X_te, y_te, metrics=["accuracy"])
    assert logs["accuracy"] > 0.95
    for k, v in model.state_dict().items():  # the float model is unchanged
        np.testing.assert_array_equal(v, before[k])
    batches = [(X_tr[k:k + 100], y_tr[k:k + 100]) for k in range(0, 300, 100)]  # an iterable of batches
    assert accuracy(quantize_model(model, batches, bits=8), X_te, y_te) > 0.95


# ----------------------------------------------------------------------------- bad input

def test_bad_input(digits_mlp):
    model, (X_tr, _), _ = digits_mlp
    with pytest.raises(ValueError, match="bits must be an integer from 2 to 16, got 1"):
        quantize_model(model, X_tr, bits=1)
    with pytest.raises(ValueError, match="got 17"):
        quantize_model(model, X_tr, bits=17)
    with pytest.raises(ValueError, match="no Linear layer to quantize.*ReLU"):
        quantize_model(nn.Sequential(nn.ReLU()), X_tr)

    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            return self.fc(x) * 2

    with pytest.raises(ValueError, match="Custom has its own forward.*nn.Sequential"):
        quantize_model(Custom(), X_tr)
    with pytest.raises(ValueError, match="calibration_data is empty"):
        quantize_model(model, X_tr[:0])
    with pytest.raises(ValueError, match="requantize must be 'fixed_point' or 'float'"):
        quantize_model(model, X_tr, requantize="double")
    bad = X_tr[:10].copy()
    bad[3, 5] = np.nan
    with pytest.raises(ValueError, match=r"contains nan at index \(3, 5\)"):
        quantize_model(model, bad)
    assert isinstance(quantize_model(nn.Linear(64, 10), X_tr).steps[1], IntegerLinear)


def test_quantization_report_for_the_command_line(digits_mlp):
    from minigrad.quant.report import quantization_report

    model, train, test = digits_mlp
    text = quantization_report(model, {"train": train, "test": test}, bits=8)
    assert "8-bit integer (PTQ)" in text and "19,240 B" in text and "5,344 B" in text
    with pytest.raises(ValueError, match="needs a 'train' entry"):
        quantization_report(model, {"test": test})


def test_quantization_refuses_a_model_over_the_memory_budget_with_its_estimate(monkeypatch):
    from minigrad import budget
    from minigrad.quant.report import check_quantization_memory, quantization_report

    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    # 8·2048 (the largest layer in float64) + 4·2368 (integer weights) + 8·100·(96 + 42) (activations)
    assert check_quantization_memory(model, 100) == 8 * 2048 + 4 * 2368 + 8 * 100 * 138
    monkeypatch.setattr(budget, "MEMORY_BUDGET", 100_000)
    X = np.zeros((100, 64), dtype=np.float32)
    y = np.zeros(100, dtype=np.int64)
    with pytest.raises(ValueError, match=r"2,368 weights.*100 calibration samples.*over the 97\.7 KiB memory budget"):
        quantization_report(model, {"train": (X, y), "test": (X, y)}, bits=8)

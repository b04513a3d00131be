import dataclasses

import numpy as np
import pytest
from matplotlib.figure import Figure

import minigrad as mg
from minigrad import nn
from minigrad.rng import generator
from viz.diagnosis import KINDS, Diagnosis, Finding, diagnose, plot_diagnosis

WIDTH = 32


def batch(n=64, features=WIDTH, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, features)), rng.integers(0, 2, n)


def normal_init(std_of_fan_in, seed=1):
    """Initializer N(0, σ²) with σ = std_of_fan_in(fan_in), from its own generator."""
    rng = np.random.default_rng(seed)
    return lambda shape: rng.normal(0.0, std_of_fan_in(shape[1]), shape).astype(np.float32)


def deep_net(activation, init, depth=12, width=WIDTH, outputs=2):
    """``depth`` Linear layers with ``activation`` between them (none after the last)."""
    layers = []
    for i in range(depth):
        last = i == depth - 1
        layers.append(nn.Linear(width, outputs if last else width, weight_init=init))
        if not last:
            layers.append(activation())
    return nn.Sequential(*layers)


def healthy_net(seed=0):
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(WIDTH, 64, weight_init="he_normal"), nn.ReLU(),
                         nn.Linear(64, 2, weight_init="he_normal"))


# ---------------------------------------------------------------------------- the four required cases

def test_vanishing_in_a_deep_sigmoid_net_with_small_weights():
    x, y = batch()
    d = diagnose(deep_net(nn.Sigmoid, normal_init(lambda fan_in: 0.1)), x, y, "cross_entropy")
    assert d.kinds == {"vanishing"}
    (finding,) = d.findings
    assert finding.layer == "0"  # the layer nearest the input suffers
    assert "He" in finding.message and "Xavier" in finding.message and "BatchNorm" in finding.message
    assert "ReLU" in finding.message  # switch sigmoid → ReLU
    assert "Bengio, Simard & Frasconi 1994" in finding.message  # cites the vanishing-gradient source
    assert "ratio" in finding.evidence
    grads = [r["grad_norm"] for r in d.rows if r["grad_norm"] is not None]
    assert len(grads) == 12 and grads[0] < 1e-6 * grads[-1]


def test_exploding_in_a_deep_linear_net_with_large_weights():
    x, y = batch()
    # σ = 3/√fan_in multiplies the signal's scale by ~3 per layer: 3¹² ≈ 5·10⁵.
    model = deep_net(nn.Identity, normal_init(lambda fan_in: 3.0 / np.sqrt(fan_in)))
    d = diagnose(model, x, y, "cross_entropy")
    assert "exploding" in d.kinds and "vanishing" not in d.kinds
    finding = next(f for f in d.findings if f.kind == "exploding")
    assert "clip" in finding.message and "learning rate" in finding.message
    stds = [r["act_std"] for r in d.rows]
    assert stds[-1] > 1e4 * stds[0]


def test_dead_relu_after_a_large_negative_bias():
    x, y = batch()
    model = healthy_net()
    model[0].bias.data[...] = -100.0
    d = diagnose(model, x, y, "cross_entropy")
    assert "dead_relu" in d.kinds
    finding = next(f for f in d.findings if f.kind == "dead_relu")
    assert finding.layer == "1"
    assert "64 of 64 units dead" in finding.evidence
    assert "LeakyReLU" in finding.message
    assert d.rows[1]["dead_pct"] == 100.0
    # The first layer gets no gradient through dead units; the report says why.
    vanishing = [f for f in d.findings if f.kind == "vanishing"]
    assert all("dead ReLUs" in f.message for f in vanishing)


def test_dead_units_are_counted_per_unit_over_the_batch():
    x, y = batch()
    model = healthy_net()
    model[0].bias.data[:48] = -100.0  # 48 of the 64 hidden units can never fire
    d = diagnose(model, x, y, "cross_entropy")
    assert d.rows[1]["dead_pct"] == 75.0 and "dead_relu" in d.kinds
    assert "48 of 64 units dead" in d.findings[-1].evidence
    model[0].bias.data[:48] = 0.0
    model[0].bias.data[:16] = -100.0
    d = diagnose(model, x, y, "cross_entropy")
    assert d.rows[1]["dead_pct"] == 25.0 and "dead_relu" not in d.kinds  # under the 50 % threshold


def test_nothing_found_in_a_healthy_two_layer_relu_net():
    x, y = batch()
    d = diagnose(healthy_net(), x, y, "cross_entropy", lr=0.01)
    assert d.findings == [] and d.ok
    assert "No problems found" in str(d)


def test_nan_in_the_input():
    x, y = batch()
    x[5, 3] = np.nan
    d = diagnose(healthy_net(), x, y, "cross_entropy")
    assert [(f.kind, f.layer) for f in d.findings] == [("nan", "input")]
    assert "1 non-finite input values in 1 of 64 samples" == d.findings[0].evidence


def test_nan_in_a_layer_is_traced_to_that_layer():
    x, y = batch()
    model = healthy_net()
    model[2].weight.data[0, 0] = np.inf
    d = diagnose(model, x, y, "cross_entropy")
    assert [(f.kind, f.layer) for f in d.findings] == [("nan", "2")]


def test_saturation_in_tanh_with_large_weights():
    x, y = batch()
    model = deep_net(nn.Tanh, normal_init(lambda fan_in: 1.0), depth=4)
    d = diagnose(model, x, y, "cross_entropy", explode_ratio=1e12, max_grad_norm=1e12)
    assert d.kinds == {"saturation"}
    (finding,) = d.findings
    assert finding.layer == "1" and "|a| > 0.99" in finding.evidence
    assert "also layers 3" in finding.evidence  # later saturated layers are listed, not repeated
    assert d.rows[1]["saturation_pct"] > 50


def test_thresholds_are_parameters():
    x, y = batch()
    model = deep_net(nn.Sigmoid, normal_init(lambda fan_in: 0.1))
    assert "vanishing" not in diagnose(model, x, y, "cross_entropy", vanish_ratio=1e-30,
                                       min_grad_to_data=1e-30).kinds
    relu = healthy_net()
    assert "exploding" in diagnose(relu, x, y, "cross_entropy", max_grad_norm=1e-6).kinds
    with pytest.raises(ValueError, match="dead_fraction"):
        diagnose(relu, x, y, "cross_entropy", dead_fraction=2)
    with pytest.raises(ValueError, match="vanish_ratio"):
        diagnose(relu, x, y, "cross_entropy", vanish_ratio=0)
    with pytest.raises(TypeError, match="nn.Module"):
        diagnose(lambda v: v, x, y, "cross_entropy")


# ---------------------------------------------------------------------------- rows

def test_rows_describe_every_layer_in_forward_order():
    x, y = batch()
    model = healthy_net()
    d = diagnose(model, x, y, nn.losses.cross_entropy, lr=0.1)
    assert [(r["layer"], r["type"]) for r in d.rows] == [("0", "Linear"), ("1", "ReLU"), ("2", "Linear")]
    hidden = x @ model[0].weight.numpy().T + model[0].bias.numpy()
    assert d.rows[0]["act_mean"] == pytest.approx(hidden.mean(), rel=1e-4)
    assert d.rows[0]["act_std"] == pytest.approx(hidden.std(), rel=1e-4)
    relu = d.rows[1]
    assert relu["dead_pct"] == pytest.approx(100 * np.mean(np.all(hidden <= 0, axis=0)))
    assert relu["saturation_pct"] is None and relu["grad_norm"] is None
    first = d.rows[0]
    assert first["update_to_data"] == pytest.approx(0.1 * first["grad_to_data"])
    assert d.batch_size == 64 and np.isfinite(d.loss)


def test_diagnose_leaves_the_model_as_it_was():
    x, y = batch()
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(WIDTH, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))
    model.eval()
    model[1].train()  # mixed modes survive
    state = {k: v.copy() for k, v in model.state_dict().items()}
    model[0].weight.grad = mg.ones(16, WIDTH)  # an accumulated gradient the user still needs
    rng_state = generator().bit_generator.state
    d = diagnose(model, x, y, "cross_entropy")
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, state[k])  # parameters and BatchNorm running stats
    np.testing.assert_array_equal(model[0].weight.grad.numpy(), np.ones((16, WIDTH)))
    assert model[4].weight.grad is None
    assert [m.training for m in model.modules()] == [False, False, True, False, False, False]
    assert generator().bit_generator.state == rng_state
    assert d.rows[0]["grad_norm"] > 0  # ...while the diagnosis saw real gradients
    assert len(model[0]._forward_hooks) == 0


def test_finding_is_a_dataclass_with_evidence():
    assert [f.name for f in dataclasses.fields(Finding)] == ["kind", "layer", "message", "evidence"]
    f = Finding("nan", "input", "clean the data", "3 NaN")
    assert str(f) == "[nan] layer input: clean the data\n    evidence: 3 NaN"
    assert set(KINDS) == {"vanishing", "exploding", "dead_relu", "saturation", "nan", "symmetry"}


def test_str_is_a_table_and_the_findings():
    x, y = batch()
    d = diagnose(deep_net(nn.Sigmoid, normal_init(lambda fan_in: 0.1)), x, y, "cross_entropy", lr=0.01)
    text = str(d)
    header = next(line for line in text.splitlines() if line.startswith("layer "))
    for column in ("layer", "type", "act mean", "act std", "sat %", "dead %", "‖grad‖", "grad:data", "update:data"):
        assert column in header
    assert text.count("Sigmoid") >= 11
    assert "Findings (1):" in text and "[vanishing] layer 0:" in text and "evidence:" in text
    assert "vanish_ratio=0.001" in text
    assert "No problems found" not in text
    html = d.to_html()
    assert "<table" in html and 'class="flagged"' in html and "[vanishing]" in html


# ---------------------------------------------------------------------------- plot

def test_plot_diagnosis_draws_three_panels():
    x, y = batch()
    model = healthy_net()
    model[0].bias.data[...] = -100.0
    d = diagnose(model, x, y, "cross_entropy")
    fig = plot_diagnosis(d)
    assert isinstance(fig, Figure)
    grad_ax, std_ax, unit_ax = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["Gradient norm per layer", "Activation std per layer",
                                                  "Dead and saturated units"]
    assert grad_ax.get_yscale() == "log" and std_ax.get_yscale() == "log"
    assert len(unit_ax.patches) == 2 * len(d.rows)  # dead and saturation bars per layer
    assert unit_ax.patches[1].get_height() == 100.0  # the dead ReLU layer
    assert any(line.get_label() == "‖grad‖ = 0" for line in grad_ax.get_lines())  # first layer: no gradient
    red = [t.get_text() for t in unit_ax.get_xticklabels() if t.get_color() == "tab:red"]
    assert "1\nReLU" in red
    assert "dead_relu at 1" in fig._suptitle.get_text()


def test_plot_diagnosis_of_a_healthy_net():
    x, y = batch()
    fig = plot_diagnosis(diagnose(healthy_net(), x, y, "cross_entropy"))
    assert "no problems found" in fig._suptitle.get_text()
    grad_ax = fig.axes[0]
    (line,) = [ln for ln in grad_ax.get_lines() if ln.get_label() == "‖grad‖ of the layer's parameters"]
    assert list(line.get_xdata()) == [0, 2]
    with pytest.raises(TypeError, match="Diagnosis"):
        plot_diagnosis("not a diagnosis")
    assert isinstance(Diagnosis(rows=[], findings=[]).ok, bool)

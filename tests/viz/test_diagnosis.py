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
    assert "dead_relu at layer 1" in fig._suptitle.get_text()


def test_plot_diagnosis_of_a_healthy_net():
    x, y = batch()
    fig = plot_diagnosis(diagnose(healthy_net(), x, y, "cross_entropy"))
    assert "no problems found" in fig._suptitle.get_text()
    grad_ax = fig.axes[0]
    (line,) = [ln for ln in grad_ax.get_lines() if ln.get_label() == "‖grad‖ of Linear layers"]
    assert list(line.get_xdata()) == [0, 2]
    with pytest.raises(TypeError, match="Diagnosis"):
        plot_diagnosis("not a diagnosis")
    assert isinstance(Diagnosis(rows=[], findings=[]).ok, bool)


# ---------------------------------------------------------------------------- verdicts that hold

def test_a_huge_gradient_is_exploding_never_vanishing():
    # 12 ReLU layers with every weight 1: the input layer's ‖g‖ is ~1e13, the last's
    # larger still -- the first/last ratio is tiny, but nothing here is vanishing.
    mg.manual_seed(0)
    model = nn.MLP([16] * 13 + [10], activation="relu", weight_init="ones")
    x, y = batch(features=16)
    d = diagnose(model, x, np.arange(len(x)) % 10, "cross_entropy")
    grads = [r["grad_norm"] for r in d.rows if r["grad_norm"] is not None]
    assert grads[0] > 1e6 and grads[0] < 1e-3 * grads[-1]  # the ratio that used to say "vanishing"
    assert "exploding" in d.kinds and "vanishing" not in d.kinds
    exploding = next(f for f in d.findings if f.kind == "exploding")
    assert exploding.layer == "0" and "first layer 0" in exploding.evidence


def test_a_small_ratio_with_a_small_input_gradient_is_still_vanishing():
    x, y = batch()
    d = diagnose(deep_net(nn.Tanh, normal_init(lambda fan_in: 0.05)), x, y, "cross_entropy")
    assert d.kinds == {"vanishing"}


@pytest.mark.parametrize("init", ["zeros", "ones"])
def test_constant_initialization_is_a_symmetry_finding_not_dead_relus(init):
    mg.manual_seed(0)
    model = nn.MLP([8, 8, 8, 3], activation="relu", weight_init=init)
    x, y = batch(features=8)
    d = diagnose(model, x * 0.01, y, "cross_entropy")
    assert "symmetry" in d.kinds and "dead_relu" not in d.kinds
    (finding,) = [f for f in d.findings if f.kind == "symmetry"]
    assert finding.layer == "0" and "identical" in finding.message and "Goodfellow" in finding.message
    assert "also layers 2" in finding.evidence


def test_random_initialization_or_a_random_next_layer_is_not_symmetric():
    x, y = batch(features=8)
    mg.manual_seed(0)
    assert "symmetry" not in diagnose(nn.MLP([8, 8, 3], activation="tanh"), x, y, "cross_entropy").kinds
    # Equal rows in the first layer, but the next layer's columns differ: the units
    # get different gradients and drift apart after the first step.
    model = nn.Sequential(nn.Linear(8, 4, weight_init="ones"), nn.Tanh(), nn.Linear(4, 3, weight_init="he_normal"))
    assert "symmetry" not in diagnose(model, x, y, "cross_entropy").kinds


def test_dead_relus_without_symmetry_are_still_reported():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(WIDTH, 16, weight_init="he_normal"), nn.ReLU(), nn.Linear(16, 2))
    model[0].bias.data[...] = -100.0  # every unit below zero for every sample
    x, y = batch()
    assert "dead_relu" in diagnose(model, x, y, "cross_entropy").kinds


def test_update_to_data_from_lr_or_a_real_optimizer_step_or_no_column():
    x, y = batch()
    model = healthy_net()
    before = [p.numpy().copy() for p in model.parameters()]
    plain = diagnose(model, x, y, "cross_entropy")
    assert all(r["update_to_data"] is None for r in plain.rows)
    assert "update:data" not in str(plain) and "update:data" not in plain.to_html()

    sgd = diagnose(model, x, y, "cross_entropy", lr=0.1)
    first = sgd.rows[0]
    assert first["update_to_data"] == pytest.approx(0.1 * first["grad_to_data"])
    assert "update:data" in str(sgd)

    # Adam's first step moves every weight by ≈ lr (m̂/√v̂ = ±1): ‖Δw‖/‖w‖ ≈ lr·√n/‖w‖.
    opt = mg.optim.Adam(model.parameters(), lr=1e-3)
    adam = diagnose(model, x, y, "cross_entropy", optimizer=opt)
    w, b = model[0].weight.numpy(), model[0].bias.numpy()
    expected = 1e-3 * np.sqrt(w.size + b.size) / np.sqrt((w ** 2).sum() + (b ** 2).sum())
    assert adam.rows[0]["update_to_data"] == pytest.approx(expected, rel=1e-2)
    assert adam.rows[1]["update_to_data"] is None  # ReLU: no parameters
    assert opt.state_dict()["state"] == {}  # the optimizer's step was undone, state included
    by_name = diagnose(model, x, y, "cross_entropy", optimizer="adam", lr=1e-3)
    assert by_name.rows[0]["update_to_data"] == pytest.approx(expected, rel=1e-2)
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.numpy(), old)
    with pytest.raises(ValueError, match="lr"):
        diagnose(model, x, y, "cross_entropy", lr=-1.0)


def test_the_loss_is_shown_next_to_its_chance_level():
    x, _ = batch()
    y = np.arange(len(x)) % 5
    mg.manual_seed(0)
    quiet = nn.Sequential(nn.Linear(WIDTH, 5, weight_init="small_normal"))
    d = diagnose(quiet, x, y, "cross_entropy")
    assert d.chance_loss == pytest.approx(np.log(5)) and d.chance_label == "ln 5"
    assert d.loss == pytest.approx(np.log(5), rel=0.05)
    assert "at its chance level" in d.loss_note
    assert "chance level ln 5 = 1.609" in str(d) and d.loss_note in str(d)
    loud = nn.Sequential(nn.Linear(WIDTH, 5, weight_init=normal_init(lambda fan_in: 3.0)))
    d = diagnose(loud, x, y, "cross_entropy")
    assert d.loss > 2 * np.log(5) and "confidently wrong" in d.loss_note
    assert "chance level" in d._repr_html_()
    d = diagnose(healthy_net(), x, np.ones((len(x), 2)), "mse")
    assert d.chance_label == "Var(y)" and d.chance_loss == 0.0 and d.loss_note == ""


def test_repr_html_is_a_styled_table_with_the_findings():
    x, y = batch()
    d = diagnose(deep_net(nn.Sigmoid, normal_init(lambda fan_in: 0.1)), x, y, "cross_entropy")
    page = d._repr_html_()
    assert page.startswith("<style>") and '<table class="diagnosis">' in page
    assert page.count("<tr") == len(d.rows) + 1 and "[vanishing]" in page and "tr.flagged" in page


def test_plot_draws_one_series_per_layer_type():
    mg.manual_seed(0)
    model = nn.MLP([WIDTH, 16, 16, 16, 2], activation="relu", batchnorm=True)
    x, y = batch()
    d = diagnose(model, x, y, "cross_entropy")
    fig = plot_diagnosis(d)
    types = [r["type"] for r in d.rows]
    for ax in fig.axes[:2]:
        series = [line for line in ax.lines if line.get_label().startswith(("‖grad‖ of", "outputs of"))]
        labels = [line.get_label() for line in series]
        assert any("Linear" in label for label in labels) and any("BatchNorm1d" in label for label in labels)
        for line in series:  # a series never mixes layer types (no Linear/BatchNorm sawtooth)
            kinds = {types[int(i)] for i in line.get_xdata()}
            assert len(kinds) == 1 and next(iter(kinds)) in line.get_label()


def test_a_constant_init_is_reported_by_its_size_and_its_chance_loss_is_not_neutral():
    # All-ones weights: std 0, yet far too large -- the advice must compare their size
    # (root mean square 1), not their std, with Xavier/He; and the loss sits at ln C only
    # because every output is equal, not because the start is neutral.
    mg.manual_seed(0)
    model = nn.MLP([16] * 13 + [10], activation="relu", weight_init="ones")
    x, _ = batch(features=16)
    d = diagnose(model, x, np.arange(len(x)) % 10, "cross_entropy")
    exploding = next(f for f in d.findings if f.kind == "exploding")
    assert "size (root mean square) 1 where Xavier/Glorot gives 0.25 and He 0.354" in exploding.message
    assert "std 0 " not in exploding.message
    assert d.loss == pytest.approx(np.log(10), rel=1e-3)
    assert "neutral" not in d.loss_note and "symmetry" in d.loss_note


def test_log_axes_spanning_less_than_a_decade_have_plain_tick_labels():
    # matplotlib would label such an axis's minor ticks "1.4×10⁰": unreadable when projected.
    x, y = batch()
    model = deep_net(nn.ReLU, normal_init(lambda fan_in: np.sqrt(2.0 / fan_in)), depth=4)
    d = diagnose(model, x, y, "cross_entropy")
    stds = [r["act_std"] for r in d.rows]
    assert max(stds) < 10 * min(stds)
    fig = plot_diagnosis(d)
    fig.canvas.draw()
    ax = fig.axes[1]
    labels = [t.get_text() for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True) if t.get_text()]
    assert len(labels) >= 2
    for text in labels:
        float(text)  # "1.4", never "$\\mathdefault{1.4\\times10^{0}}$"
    if d.findings:
        assert f"at layer {d.findings[0].layer}" in fig._suptitle.get_text()

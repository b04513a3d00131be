import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import minigrad as mg
from minigrad import nn, optim
from minigrad.train import GradientRecorder, fit
from viz.flow import GradientFlow, layer_statistics, plot_grad_flow, plot_grad_heatmap

LR = 0.1


def data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)), rng.integers(0, 3, n)


def mlp(seed=0):
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))


def train(model, flow, steps=4):
    x, y = data()
    opt = optim.SGD(model.parameters(), lr=LR)
    for _ in range(steps):
        opt.zero_grad()
        nn.losses.cross_entropy(model(x), y).backward()
        flow.record()
        opt.step()
    return flow


def norm(a):
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


class WithUnusedLayer(nn.Module):
    """A model whose ``spare`` layer never runs: its parameters keep ``grad = None``."""

    def __init__(self):
        super().__init__()
        self.first = nn.Linear(4, 8)
        self.spare = nn.Linear(8, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        return self.out(self.first(x).relu())


# ---------------------------------------------------------------------------- records

def test_record_groups_weight_and_bias_by_layer_in_definition_order():
    model = mlp()
    x, y = data()
    flow = GradientFlow(model)
    nn.losses.cross_entropy(model(x), y).backward()
    record = flow.record()
    layers = record["layers"]
    assert [layer["layer"] for layer in layers] == ["0", "2", "4"]
    assert [layer["type"] for layer in layers] == ["Linear"] * 3
    for layer, module in zip(layers, (model[0], model[2], model[4])):
        gw, gb = module.weight.grad.numpy(), module.bias.grad.numpy()
        assert layer["norm"] == pytest.approx(math.hypot(norm(gw), norm(gb)))
        assert layer["max_abs"] == pytest.approx(max(np.abs(gw).max(), np.abs(gb).max()))
        assert layer["mean_abs"] == pytest.approx(np.abs(np.concatenate([gw.ravel(), gb.ravel()])).mean())
        data_norm = math.hypot(norm(module.weight.numpy()), norm(module.bias.numpy()))
        assert layer["grad_to_data"] == pytest.approx(layer["norm"] / data_norm)
        assert [p["name"] for p in layer["params"]] == [f"{layer['layer']}.weight", f"{layer['layer']}.bias"]
    assert [p["name"] for p in record["params"]] == [name for name, _ in model.named_parameters()]
    assert flow.layer_names == ["0", "2", "4"]


def test_update_to_data_is_the_change_since_the_previous_record():
    model = mlp()
    x, y = data()
    opt = optim.SGD(model.parameters(), lr=LR)
    flow = GradientFlow(model)
    nn.losses.cross_entropy(model(x), y).backward()
    assert flow.record()["layers"][0]["update_to_data"] is None  # nothing to compare with yet
    before = {name: p.numpy().copy() for name, p in model.named_parameters()}
    opt.step()
    opt.zero_grad()
    nn.losses.cross_entropy(model(x), y).backward()
    layer = flow.record()["layers"][0]
    delta = math.hypot(norm(model[0].weight.numpy() - before["0.weight"]),
                       norm(model[0].bias.numpy() - before["0.bias"]))
    assert delta > 0
    assert layer["update_to_data"] == pytest.approx(delta / layer["data_norm"])
    assert GradientFlow(model, track_updates=False).record()["layers"][0]["update_to_data"] is None


def test_series_and_matrix_have_one_value_per_record():
    model = mlp()
    flow = train(model, GradientFlow(model), steps=3)
    assert len(flow) == 3
    series = flow.series("norm")
    assert list(series) == ["0", "2", "4"] and all(len(v) == 3 for v in series.values())
    names, steps, matrix = flow.matrix("max_abs")
    assert names == ["0", "2", "4"] and steps == [0, 1, 2] and matrix.shape == (3, 3)
    assert matrix[1, 2] == flow.records[2]["layers"][1]["max_abs"]
    with pytest.raises(ValueError, match="unknown statistic"):
        flow.series("nope")
    flow.clear()
    assert len(flow) == 0


def test_layer_statistics_of_a_parameter_without_gradient_is_none():
    rows = [{"name": "a.weight", "shape": (2,), "data_norm": 1.0, "has_grad": False,
             "mean_abs": None, "max_abs": None, "norm": None, "grad_to_data": None}]
    (layer,) = layer_statistics(rows)
    assert layer["has_grad"] is False and layer["norm"] is None and layer["layer"] == "a"


def test_flow_rejects_non_modules():
    with pytest.raises(TypeError, match="nn.Module"):
        GradientFlow([1, 2])


# ---------------------------------------------------------------------------- plot_grad_flow

def test_plot_grad_flow_draws_median_per_layer_on_a_log_axis():
    model = mlp()
    flow = train(model, GradientFlow(model), steps=4)
    fig = plot_grad_flow(flow)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "layer (input → output)"
    lines = {line.get_label(): line for line in ax.get_lines()}
    _, _, mean_abs = flow.matrix("mean_abs")
    np.testing.assert_allclose(lines["mean |g| (median)"].get_ydata(), np.median(mean_abs, axis=1))
    _, _, max_abs = flow.matrix("max_abs")
    np.testing.assert_allclose(lines["max |g| (median)"].get_ydata(), np.median(max_abs, axis=1))
    assert len(ax.collections) == 2  # one percentile band per statistic
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["0", "2", "4"]
    # No fixed ylim: the axis covers the data.
    low, high = ax.get_ylim()
    assert low <= mean_abs.min() and high >= max_abs.max()


def test_plot_grad_flow_limits_follow_tiny_gradients():
    model = mlp()
    flow = train(model, GradientFlow(model), steps=2)
    for record in flow.records:
        for layer in record["layers"]:
            layer["mean_abs"] *= 1e-9
            layer["max_abs"] *= 1e-9
    _, high = plot_grad_flow(flow).axes[0].get_ylim()
    assert high < 1e-6  # the forum snippet's hard-coded ylim would show an empty plot


def test_plot_grad_flow_marks_a_layer_without_gradient():
    model = WithUnusedLayer()
    flow = train(model, GradientFlow(model), steps=3)
    assert [layer["has_grad"] for layer in flow.records[0]["layers"]] == [True, False, True]
    fig = plot_grad_flow(flow)
    ax = fig.axes[0]
    (marker,) = [line for line in ax.get_lines() if line.get_label().startswith("no gradient")]
    assert list(marker.get_xdata()) == [1] and marker.get_marker() == "x"
    assert any("no gradient: spare" in t.get_text() for t in ax.texts)
    mean_line = next(line for line in ax.get_lines() if line.get_label() == "mean |g| (median)")
    assert np.isnan(mean_line.get_ydata()[1]) and np.isfinite(mean_line.get_ydata()[[0, 2]]).all()


def test_plot_grad_flow_marks_zero_gradients_and_survives_no_gradients_at_all():
    model = mlp()
    x, y = data()
    nn.losses.cross_entropy(model(x), y).backward()
    model[2].weight.grad = mg.zeros(8, 8)
    model[2].bias.grad = mg.zeros(8)
    flow = GradientFlow(model)
    flow.record()
    ax = plot_grad_flow(flow).axes[0]
    (marker,) = [line for line in ax.get_lines() if line.get_label() == "gradient exactly 0"]
    assert list(marker.get_xdata()) == [1]

    model.zero_grad()  # every .grad is None
    empty = GradientFlow(model)
    empty.record()
    ax = plot_grad_flow(empty).axes[0]
    assert ax.get_yscale() == "log"
    (marker,) = [line for line in ax.get_lines() if line.get_label().startswith("no gradient")]
    assert list(marker.get_xdata()) == [0, 1, 2]


def test_plot_grad_flow_needs_records():
    with pytest.raises(ValueError, match="record"):
        plot_grad_flow(GradientFlow(mlp()))
    with pytest.raises(TypeError, match="GradientRecorder"):
        plot_grad_flow(42)


# ---------------------------------------------------------------------------- heatmap

def test_heatmap_is_layers_by_steps_of_log10_norm():
    model = mlp()
    flow = train(model, GradientFlow(model), steps=5)
    fig = plot_grad_heatmap(flow)
    ax, colorbar = fig.axes
    image = ax.images[0].get_array()
    assert image.shape == (3, 5)
    _, _, norms = flow.matrix("norm")
    np.testing.assert_allclose(image, np.log10(norms))
    assert colorbar.get_ylabel() == "log10 ‖g‖"
    assert ax.get_xlabel() == "recorded step"


def test_heatmap_masks_missing_gradients():
    model = WithUnusedLayer()
    flow = train(model, GradientFlow(model), steps=2)
    image = plot_grad_heatmap(flow).axes[0].images[0].get_array()
    assert image.shape == (3, 2)
    assert image.mask[1].all() and not image.mask[[0, 2]].any()


def test_plots_accept_a_gradient_recorder_from_fit():
    model = mlp()
    x, y = data(n=48)
    recorder = GradientRecorder()
    fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=LR), (x, y), epochs=2, batch_size=16,
        callbacks=[recorder], progress=False)
    assert len(recorder.records) == 6
    heat = plot_grad_heatmap(recorder)
    assert heat.axes[0].images[0].get_array().shape == (3, 6)
    assert [t.get_text() for t in heat.axes[0].get_yticklabels()] == ["0 (Linear)", "2 (Linear)", "4 (Linear)"]
    ax = plot_grad_flow(recorder).axes[0]
    assert ax.get_yscale() == "log"
    assert "6 recorded steps" in ax.get_title()

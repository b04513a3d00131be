from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import make_moons
from minigrad.metrics import confusion_matrix
from minigrad.train import EarlyStopping, History, fit
from minigrad.course.experiments import (
    activation_statistics, elongated_quadratic, init_sweep, optimizer_trajectories, rosenbrock,
)
from viz.plots import (
    plot_activation_stats, plot_confusion_matrix, plot_decision_boundary, plot_init_sweep, plot_learning_curves,
    plot_optimizer_trajectories, plot_quantization,
)


@pytest.fixture(scope="module")
def sweep():
    return init_sweep(inits=("zeros", "small_normal", "he_normal"), activations=("tanh", "relu"),
                      depth=10, width=100, n=300, seed=0)


# ---------------------------------------------------------------------------- activations and init sweep

def test_plot_init_sweep_draws_a_grid_of_panels(sweep):
    fig = plot_init_sweep(sweep)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == 6 and len(fig.axes) == 7  # 3 inits × 2 activations + a depth colorbar
    assert [ax.get_title() for ax in panels[:2]] == ["zeros · tanh", "zeros · relu"]
    assert len(panels[0].patches) == 10  # one histogram per layer
    assert any("σ: 0 → 0" in t.get_text() for t in panels[0].texts)

    fig = plot_init_sweep(sweep, kind="std")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["tanh", "relu"] and axes[0].get_yscale() == "log"
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert "zeros (std 0: symmetric)" in labels and "he_normal" in labels
    # The legend shows the zeros entry with the "x" it is drawn with, once.
    (legend,) = fig.legends  # one, below the panels
    fig.draw_without_rendering()
    assert not any(legend.get_window_extent().overlaps(ax.get_window_extent()) for ax in axes)
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts.count("zeros (std 0: symmetric)") == 1
    handle = legend.legend_handles[texts.index("zeros (std 0: symmetric)")]
    assert handle.get_marker() == "x"
    with pytest.raises(ValueError, match="kind"):
        plot_init_sweep(sweep, kind="pie")


def test_activation_statistics_and_plot_from_a_model():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
    model.train()
    x = np.random.default_rng(0).normal(size=(40, 5))
    stats = activation_statistics(model, x)
    assert [(s["layer"], s["type"]) for s in stats] == [("1", "Tanh"), ("3", "Tanh")]
    expected = np.tanh(x @ model[0].weight.numpy().T + model[0].bias.numpy())
    assert stats[0]["std"] == pytest.approx(expected.std(), rel=1e-4)
    assert model.training  # mode restored
    assert len(activation_statistics(model, x, which="all")) == 5

    fig = plot_activation_stats(model, x)
    *hists, depth_ax = fig.axes
    assert len(hists) == 2 and hists[0].get_title().startswith("1 Tanh")
    std_line = next(line for line in depth_ax.get_lines() if line.get_label() == "std")
    np.testing.assert_allclose(std_line.get_ydata(), [s["std"] for s in stats])
    with pytest.raises(ValueError, match="input batch"):
        plot_activation_stats(model)


def test_plot_activation_stats_accepts_a_sweep_entry_and_limits_panels(sweep):
    fig = plot_activation_stats(sweep[("he_normal", "relu")], max_layers=4)
    assert len(fig.axes) == 5  # 4 histograms + the depth panel


# ---------------------------------------------------------------------------- learning curves

def scripted_history(val_loss):
    history = History()
    for epoch, v in enumerate(val_loss):
        history.append(epoch, {"loss": 1.0 / (epoch + 1), "val_loss": v, "accuracy": 0.5 + 0.04 * epoch,
                               "val_accuracy": 0.6, "lr": 0.1})
    return history


def test_learning_curves_mark_the_early_stopping_epochs():
    val = [1.0, 0.7, 0.5, 0.6, 0.65, 0.7]
    es = EarlyStopping(patience=3)
    es.model = nn.Linear(1, 1)
    es.on_train_begin()
    for epoch, v in enumerate(val):
        es.on_epoch_end(epoch, {"val_loss": v})
    assert es.best_epoch == 2 and es.stopped_epoch == 5

    fig = plot_learning_curves(scripted_history(val), early_stopping=es)
    loss_ax, acc_ax = fig.axes  # "lr" is not a panel
    assert loss_ax.get_title() == "Loss" and acc_ax.get_ylabel() == "accuracy"
    lines = {line.get_label(): line for line in loss_ax.get_lines()}
    np.testing.assert_allclose(lines["validation"].get_ydata(), val)
    np.testing.assert_allclose(lines["train"].get_xdata(), np.arange(1, 7))  # epochs from 1
    best = lines["best epoch 3 (val_loss)"]
    assert list(best.get_xdata()) == [3, 3]
    assert list(lines["stopped (epoch 6)"].get_xdata()) == [6, 6]
    assert any(p.get_label() == "after the best epoch" for p in loss_ax.patches)


def test_learning_curves_without_callback_mark_min_val_loss():
    fig = plot_learning_curves({"loss": [3.0, 2.0, 1.0, 0.5], "val_loss": [3.0, 1.0, 2.0, 2.5]})
    (ax,) = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["train", "validation", "min val_loss (epoch 2)"]
    fig.draw_without_rendering()
    assert all(float(t).is_integer() for t in ax.get_xticks())  # whole epochs, never 1.5
    with pytest.raises(ValueError, match="History"):
        plot_learning_curves({})


# ---------------------------------------------------------------------------- classifiers

def test_decision_boundary_on_moons_after_a_quick_fit():
    X, y = make_moons(120, noise=0.1, seed=0)
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=30, batch_size=32,
        progress=False, seed=0)
    model.train()
    fig = plot_decision_boundary(model, X, y, resolution=60)
    ax = fig.axes[0]
    assert model.training  # evaluated in eval mode, then restored
    assert any(isinstance(c, ContourSet) and c.filled for c in ax.collections)
    (points,) = [c for c in ax.collections if not isinstance(c, ContourSet)]
    np.testing.assert_allclose(points.get_offsets(), X)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < X[:, 0].min() and x1 > X[:, 0].max() and y0 < X[:, 1].min() and y1 > X[:, 1].max()
    accuracy = float(ax.get_title().split()[-1].rstrip("%)")) / 100
    assert accuracy > 0.9
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plot_decision_boundary(model, np.zeros((4, 3)), np.zeros(4))


def test_decision_boundary_colours_are_named_beside_the_plot():
    X, y = make_moons(40, noise=0.1, seed=0)
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2))
    fig = plot_decision_boundary(model, X, y, resolution=10)
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1"]
    fig.draw_without_rendering()
    assert not legend.get_window_extent().overlaps(fig.axes[0].get_window_extent())
    # On a caller's axes the legend is the caller's business.
    from viz._mpl import new_figure
    other = new_figure()
    plot_decision_boundary(model, X, y, resolution=10, ax=other.add_subplot())
    assert not other.legends


def test_decision_boundary_of_a_single_logit():
    X, y = make_moons(40, seed=1)
    model = nn.Linear(2, 1)
    model.weight.data[...] = [[1.0, 0.0]]
    model.bias.data[...] = [-0.5]  # predicts class 1 right of x₁ = 0.5
    ax = plot_decision_boundary(model, X, y, resolution=30).axes[0]
    filled = next(c for c in ax.collections if isinstance(c, ContourSet) and c.filled)
    assert filled.levels[0] == -0.5


def test_confusion_matrix_values_are_in_the_image():
    y_true = [0, 0, 1, 1, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 0, 2, 2, 1, 2]
    fig = plot_confusion_matrix(y_true, y_pred, labels=["a", "b", "c"])
    ax = fig.axes[0]
    cm = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(ax.images[0].get_array(), cm)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in cm.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert "accuracy 66.7%" in ax.get_title()

    normalized = plot_confusion_matrix(y_true, y_pred, normalize=True).axes[0].images[0].get_array()
    np.testing.assert_allclose(normalized.sum(axis=1), 1.0)
    np.testing.assert_allclose(normalized[2], [0, 0.25, 0.75])
    with pytest.raises(ValueError, match="num_classes=2"):  # fewer labels than classes
        plot_confusion_matrix(y_true, y_pred, labels=["a", "b"])


# ---------------------------------------------------------------------------- optimizers

def test_optimizer_trajectories_one_line_per_optimizer():
    optimizers = {
        "SGD": (optim.SGD, {"lr": 0.05}),
        "Momentum": (optim.SGD, {"lr": 0.02, "momentum": 0.9}),
        "Adam": (optim.Adam, {"lr": 0.2}),
    }
    fig = plot_optimizer_trajectories(elongated_quadratic, optimizers, start=(-3.0, 1.0), steps=30)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"SGD", "Momentum", "Adam"}
    sgd = np.column_stack([lines["SGD"].get_xdata(), lines["SGD"].get_ydata()])
    assert sgd.shape == (31, 2) and tuple(sgd[0]) == (-3.0, 1.0)
    # Plain gradient descent on x²/2 + 10y²: x ← (1 − lr)x, y ← (1 − 20 lr)y.
    k = np.arange(31)
    np.testing.assert_allclose(sgd[:, 0], -3.0 * 0.95 ** k)
    np.testing.assert_allclose(sgd[:, 1], 1.0 * (1 - 20 * 0.05) ** k, atol=1e-12)
    assert any(isinstance(c, ContourSet) for c in ax.collections)


def test_optimizer_trajectories_newton_and_divergence():
    paths = optimizer_trajectories(rosenbrock, {"Newton": (optim.Newton, {}), "SGD": (optim.SGD, {"lr": 0.1})},
                                   start=(-1.5, 2.0), steps=20)
    np.testing.assert_allclose(paths["Newton"][-1], [1.0, 1.0], atol=1e-6)  # Newton finds the minimum
    assert len(paths["SGD"]) < 21  # this step size blows up on Rosenbrock's steep walls
    ax = plot_optimizer_trajectories(rosenbrock, {"SGD": (optim.SGD, {"lr": 0.1})}, start=(-1.5, 2.0),
                                     steps=20).axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["SGD (diverged)"]


# ---------------------------------------------------------------------------- quantization

def symmetric(x, bits):
    """The course's symmetric quantization (Jacob et al. 2018), as a stand-in QTensor with only the contract's fields."""
    qmax = 2 ** (bits - 1) - 1
    s = np.abs(x).max() / qmax
    q = np.clip(np.round(x / s), -qmax - 1, qmax).astype(np.int8)
    return SimpleNamespace(q=q, scale=s, zero_point=0, bits=bits)


def test_plot_quantization_histograms_and_error():
    x = np.random.default_rng(0).normal(size=500)
    qt = symmetric(x, 3)
    deq = qt.q * qt.scale
    fig = plot_quantization(x, qt)
    hist_ax, err_ax = fig.axes
    assert hist_ax.get_title().startswith("Float vs quantized (8 levels")
    grid_lines = [line for line in hist_ax.get_lines() if line.get_linestyle() == "-"]
    assert len(grid_lines) == 8  # one per quantization level
    np.testing.assert_allclose(sorted(line.get_xdata()[0] for line in grid_lines), np.arange(-4, 4) * qt.scale)
    (scatter,) = err_ax.collections
    np.testing.assert_allclose(scatter.get_offsets(), np.column_stack([x, x - deq]))
    assert np.abs(x - deq).max() <= qt.scale / 2 + 1e-12
    assert err_ax.get_ylabel() == "quantization error x − x̂" and "SQNR" in err_ax.get_title()
    with pytest.raises(ValueError, match="shape"):
        plot_quantization(x[:10], qt)


def test_plot_quantization_with_minigrad_quant():
    quant = pytest.importorskip("minigrad.quant")
    w = np.random.default_rng(1).normal(size=(8, 16)).astype(np.float32)
    qt = quant.quantize(w, bits=8)
    fig = plot_quantization(w, qt)
    assert "256 levels" in fig.axes[0].get_title()
    err = fig.axes[1].collections[0].get_offsets()[:, 1]
    np.testing.assert_allclose(err, (w - quant.dequantize(qt)).ravel(), atol=1e-6)


# ---------------------------------------------------------------------------- no display side effects

def test_figures_bypass_pyplot_and_headless_runs_select_agg():
    import os
    import subprocess
    import sys

    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plot_learning_curves({"loss": [1.0, 0.5]})
    assert plt.get_fignums() == before  # not registered with pyplot: nothing to show or leak

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    code = ("import sys, matplotlib, viz.plots, viz.flow, viz.diagnosis, viz.html_report; "
            "print('matplotlib.pyplot' in sys.modules, matplotlib.get_backend().lower())")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "agg"]

"""The lessons' new pictures: L1/L2 geometry, error curves, bars, activation drift, the quantization grid."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import viz
from minigrad import quant
from viz.plots.regularization import penalty_optima


def test_penalty_optima_l1_lands_on_a_corner_and_l2_on_the_circle():
    A = np.array([[1.0, 0.3], [0.3, 1.5]])
    optima = penalty_optima((2.0, 0.5), A, radius=1.0)
    np.testing.assert_allclose(optima["L1"], [1.0, 0.0])                  # a corner: w₂ = 0 exactly
    w = optima["L2"]
    assert np.isclose(np.linalg.norm(w), 1.0) and w[1] > 0.3              # on the circle, both weights alive
    # KKT on the circle: the loss gradient points into the ball along w
    grad = A @ (w - np.array([2.0, 0.5]))
    assert abs(grad[0] * w[1] - grad[1] * w[0]) < 1e-3 and grad @ w < 0
    # the minimum inside the ball is its own answer
    inside = penalty_optima((0.2, 0.1), A, radius=1.0)
    np.testing.assert_allclose(inside["L1"], [0.2, 0.1]) and np.testing.assert_allclose(inside["L2"], [0.2, 0.1])
    assert inside["L1 loss"] == 0.0
    with pytest.raises(ValueError, match="positive definite"):
        penalty_optima((1.0, 1.0), [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="radius"):
        penalty_optima((1.0, 1.0), np.eye(2), radius=0)


def test_plot_penalty_geometry_draws_two_panels_with_the_solutions():
    fig = viz.plot_penalty_geometry()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    legends = [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
    assert "L1 solution (1.00, 0.00)" in legends and any(t.startswith("L2 solution (0.9") for t in legends)


def test_plot_error_curves_marks_the_lowest_validation_error_and_checks_lengths():
    fig = viz.plot_error_curves([1, 2, 4, 8], [0.5, 0.3, 0.1, 0.01], [[0.6, 0.4, 0.35, 0.5], [0.6, 0.5, 0.25, 0.4]],
                                xlabel="width", logx=True)
    ax = fig.axes[0]
    (best,) = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert best.get_xdata()[0] == 4 and ax.get_xscale() == "log"
    assert len(ax.collections) == 1          # a ±std band for the repeated validation runs only
    with pytest.raises(ValueError, match="3 values for 4"):
        viz.plot_error_curves([1, 2, 4, 8], [1, 2, 3], [1, 2, 3, 4], xlabel="n")


def test_plot_comparison_bars_one_bar_per_group_and_series():
    fig = viz.plot_comparison_bars(["a", "b", "c"], {"without": [0.3, 0.2, 0.1], "with": [0.2, 0.1, 0.05]})
    assert len(fig.axes[0].patches) == 6
    with pytest.raises(ValueError, match="one value per group"):
        viz.plot_comparison_bars(["a", "b"], {"x": [1.0]})


def test_plot_activation_drift_one_panel_per_run_and_layer():
    rng = np.random.default_rng(0)
    runs = {"plain": [[rng.normal(e, 1, 50), rng.normal(2 * e, 1, 50)] for e in range(4)],
            "batchnorm": [[rng.normal(0, 1, 50), rng.normal(0, 1, 50)] for _ in range(4)]}
    fig = viz.plot_activation_drift(runs, epochs=[0, 5, 10, 15])
    assert len(fig.axes) == 4
    median = fig.axes[1].get_lines()[1].get_ydata()          # plain run, layer 2: the median drifts by ~2 per record
    assert median[-1] - median[0] > 4
    with pytest.raises(ValueError, match="one array per layer"):
        viz.plot_activation_drift({"x": [[np.zeros(3)], [np.zeros(3), np.zeros(3)]]})
    with pytest.raises(ValueError, match="empty"):
        viz.plot_activation_drift({})


def test_plot_quantization_grid_zooms_on_each_value_with_its_code():
    x = [1.23, -0.87]
    fig = viz.plot_quantization_grid(x, quant.quantize(x, bits=8))
    assert len(fig.axes) == 3
    titles = [ax.get_title() for ax in fig.axes]
    assert "256 levels of 8-bit codes -128 … 127" in titles[0]
    assert titles[1].startswith("x = 1.23 → q = 127") and titles[2].startswith("x = -0.87 → q = -90")
    labels = [t.get_text() for t in fig.axes[2].texts if t.get_text()]
    assert labels == [str(c) for c in range(-93, -86)]
    with pytest.raises(ValueError, match="holds 2"):
        viz.plot_quantization_grid([1.0, 2.0, 3.0], quant.quantize(x, bits=8))

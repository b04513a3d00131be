"""viz: pictures of minigrad graphs and training.

* computation graphs -- :func:`draw_graph`, :func:`save` (by suffix: .svg .png .pdf .dot);
* a step-through of backpropagation -- :func:`step_through` (inline in Jupyter, or one HTML
  page), :func:`backprop_frames`, :func:`save_frames`;
* gradient flow per layer -- :class:`GradientFlow`, :func:`plot_grad_flow`, :func:`plot_grad_heatmap`;
* diagnostics of vanishing/exploding gradients, dead units and saturation -- :func:`diagnose`,
  :func:`plot_diagnosis`;
* the course's plots -- activation statistics and initialization sweeps, learning curves, the
  L1/L2 geometry, error against capacity or data size, activation drift, the quantization grid,
  decision boundaries, confusion matrices, optimizer trajectories, quantization
  (:mod:`viz.plots`; the experiments ``activation_statistics``, ``init_sweep`` and
  ``optimizer_trajectories`` run in :mod:`minigrad.course.experiments` and are
  re-exported here);
* :func:`report` -- one self-contained HTML page;
* animations -- :func:`animate_training`, :func:`animate_perceptron`, :func:`animate_optimizers`,
  :func:`animate_grad_flow`, saved with :func:`save_animation` (.gif .mp4 .html).

Every function returns a matplotlib Figure, a graphviz Digraph or an animation (or writes
the file it is asked to) and never opens a window. ``viz`` imports ``minigrad``; never the reverse.
"""

from minigrad.course.experiments import activation_statistics, init_sweep, optimizer_trajectories
from viz.diagnosis import Diagnosis, Finding, diagnose, plot_diagnosis
from viz.flow import GradientFlow, plot_grad_flow, plot_grad_heatmap
from viz.frames import backprop_frames, save_frames
from viz.graph import draw_graph, save
from viz.stepping import StepThrough, step_through
from viz.plots import (
    plot_activation_stats, plot_confusion_matrix, plot_decision_boundary, plot_init_sweep, plot_learning_curves,
    plot_optimizer_trajectories, plot_quantization,
)
from viz.plots import (
    plot_activation_drift, plot_comparison_bars, plot_error_curves, plot_penalty_geometry, plot_quantization_grid,
)
from viz.html_report import report
from viz.plots.search import plot_search
from viz.animation import (
    animate_grad_flow, animate_optimizers, animate_perceptron, animate_training, save_animation,
)
from viz.plots import plot_feature_maps, plot_filters

__all__ = [
    "draw_graph", "save", "backprop_frames", "save_frames", "step_through", "StepThrough",
    "GradientFlow", "plot_grad_flow", "plot_grad_heatmap",
    "diagnose", "Diagnosis", "Finding", "plot_diagnosis",
    "activation_statistics", "plot_activation_stats", "init_sweep", "plot_init_sweep",
    "plot_learning_curves", "plot_decision_boundary", "plot_confusion_matrix",
    "optimizer_trajectories", "plot_optimizer_trajectories", "plot_quantization", "report",
    "plot_quantization_grid", "plot_penalty_geometry", "plot_error_curves", "plot_comparison_bars",
    "plot_activation_drift",
    "plot_search",
    "animate_training", "animate_perceptron", "animate_optimizers", "animate_grad_flow", "save_animation",
    "plot_filters", "plot_feature_maps",
]

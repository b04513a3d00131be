"""The course's figures, drawn from minigrad objects, one topic per module.

* :mod:`viz.plots.activations` -- :func:`plot_activation_stats`, :func:`plot_init_sweep`
  (Glorot & Bengio 2010; He et al. 2015);
* :mod:`viz.plots.curves` -- :func:`plot_learning_curves` with the early-stopping
  point (Goodfellow et al. 2016, "Deep Learning", §7.8);
* :mod:`viz.plots.classifiers` -- :func:`plot_decision_boundary`, :func:`plot_confusion_matrix`;
* :mod:`viz.plots.optimizers` -- :func:`plot_optimizer_trajectories` (§8.3 and §8.5);
* :mod:`viz.plots.quantization` -- :func:`plot_quantization`, :func:`plot_quantization_grid` (Jacob et al. 2018);
* :mod:`viz.plots.regularization` -- :func:`plot_penalty_geometry` (the L1 diamond and the L2 circle),
  :func:`plot_error_curves` (error against capacity or data size), :func:`plot_comparison_bars`;
* :mod:`viz.plots.normalization` -- :func:`plot_activation_drift` (Ioffe & Szegedy 2015);
* :mod:`viz.plots.search` -- :func:`plot_search`, a hyperparameter search's scores over the grid;
* :mod:`viz.plots.conv` -- :func:`plot_filters`, :func:`plot_feature_maps` (Zeiler & Fergus 2014).

The experiments behind some of them (``init_sweep``, ``optimizer_trajectories``)
run in :mod:`minigrad.course.experiments`. Each function returns a matplotlib
Figure and shows nothing (see :mod:`viz._mpl`).
"""

from viz.plots.activations import plot_activation_stats, plot_init_sweep
from viz.plots.classifiers import plot_confusion_matrix, plot_decision_boundary
from viz.plots.curves import plot_learning_curves
from viz.plots.optimizers import plot_optimizer_trajectories
from viz.plots.quantization import plot_quantization, plot_quantization_grid
from viz.plots.regularization import plot_comparison_bars, plot_error_curves, plot_penalty_geometry
from viz.plots.normalization import plot_activation_drift
from viz.plots.search import plot_search
from viz.plots.conv import plot_feature_maps, plot_filters

__all__ = [
    "plot_activation_stats", "plot_init_sweep", "plot_learning_curves", "plot_decision_boundary",
    "plot_confusion_matrix", "plot_optimizer_trajectories", "plot_quantization",
    "plot_quantization_grid", "plot_penalty_geometry", "plot_error_curves", "plot_comparison_bars",
    "plot_activation_drift",
    "plot_search",
    "plot_filters", "plot_feature_maps",
]

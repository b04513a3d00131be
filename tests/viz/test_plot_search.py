"""viz.plot_search: a heatmap for a two-hyperparameter grid, one panel per hyperparameter otherwise."""

import math

import numpy as np
import pytest

from minigrad.data import grid_search, log_uniform, random_search
from viz import plot_search

X = np.arange(24.0).reshape(12, 2)
Y = np.arange(12) % 2


def peaked(params, *arrays):
    return -abs(math.log10(params["lr"]) + 2) - abs(params.get("hidden", 16) - 16) / 100


def test_two_hyperparameters_give_a_heatmap_with_every_cell_and_the_best_outlined():
    res = grid_search(peaked, {"lr": [1e-3, 1e-2, 1e-1], "hidden": [8, 16]}, X, Y, k=2)
    fig = plot_search(res)
    ax = fig.axes[0]
    (image,) = ax.images
    grid = image.get_array()
    assert grid.shape == (3, 2)
    assert grid[1, 1] == pytest.approx(res.best_score)  # lr=1e-2 (row 1), hidden=16 (column 1)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["8", "16"]
    assert len(ax.texts) == 6 and len(ax.patches) == 1  # a value in each cell, one outline
    assert ax.get_xlabel() == "hidden" and ax.get_ylabel() == "lr"


def test_one_or_three_hyperparameters_give_one_panel_each():
    res = grid_search(peaked, {"lr": [1e-3, 1e-2, 1e-1]}, X, Y, k=2)
    assert len(plot_search(res).axes) == 1
    res = grid_search(peaked, {"lr": [1e-3, 1e-1], "hidden": [8, 16], "act": ["relu", "tanh"]}, X, Y, k=2)
    fig = plot_search(res)
    assert [ax.get_xlabel() for ax in fig.axes] == ["lr", "hidden", "act"]
    assert [t.get_text() for t in fig.axes[2].get_xticklabels()] == ["relu", "tanh"]


def test_a_random_search_gets_panels_with_a_log_axis_for_the_learning_rate():
    res = random_search(peaked, {"lr": log_uniform(1e-4, 1.0), "hidden": [8, 16]}, X, Y, n_iter=15, k=2, seed=0)
    fig = plot_search(res)
    assert len(fig.axes) == 2 and fig.axes[0].get_xscale() == "log"


def test_anything_else_is_refused():
    with pytest.raises(ValueError, match="plot_search: expected the SearchResults"):
        plot_search({"lr": [1]})

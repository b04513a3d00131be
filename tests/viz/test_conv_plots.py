"""viz.plot_filters and viz.plot_feature_maps: one panel per filter or channel, values as drawn."""

import numpy as np
import pytest

import minigrad as mg
import viz
from minigrad import nn


def _images(fig):
    return [ax.images[0] for ax in fig.axes if ax.images]


def test_plot_filters_draws_each_filter_on_a_symmetric_scale():
    conv = nn.Conv2d(2, 5, 3)
    fig = viz.plot_filters(conv.weight, in_channel=1, title="filters")
    images = _images(fig)
    assert len(images) == 5 and len(fig.axes) == 6  # a 3 × 2 grid, one panel left empty
    w = conv.weight.numpy()
    np.testing.assert_allclose(images[3].get_array(), w[3, 1])
    low, high = images[3].get_clim()
    assert low == pytest.approx(-high) and high == pytest.approx(np.abs(w[3, 1]).max())
    assert fig._suptitle.get_text() == "filters"


def test_plot_feature_maps_of_one_example():
    maps = mg.randn(2, 4, 6, 6)
    fig = viz.plot_feature_maps(maps, index=1, columns=4)
    images = _images(fig)
    assert len(images) == 4
    np.testing.assert_allclose(images[2].get_array(), maps.numpy()[1, 2])


def test_errors():
    with pytest.raises(ValueError, match=r"plot_filters: weight must be \(out, in, kH, kW\)"):
        viz.plot_filters(np.ones((3, 3)))
    with pytest.raises(ValueError, match="plot_filters: in_channel 2 is out of range for 1 input channels"):
        viz.plot_filters(np.ones((4, 1, 3, 3)), in_channel=2)
    with pytest.raises(ValueError, match="plot_feature_maps: index 3 is out of range for a batch of 2"):
        viz.plot_feature_maps(np.ones((2, 3, 4, 4)), index=3)

"""Pictures of a convolutional network: its filters and its feature maps.

A convolution layer's weight (out, in, kH, kW) is a bank of small images, one per
(output, input) channel pair; the first layer's filters, which look at pixels,
are often edge and blob detectors (Zeiler & Fergus, 2014, "Visualizing and
Understanding Convolutional Networks"). A feature map is one output channel of a
layer for one input: where in the image that filter responded.
"""

from __future__ import annotations

import math

import numpy as np

from viz._mpl import new_figure
from viz.plots._arrays import _array

__all__ = ["plot_filters", "plot_feature_maps"]


def _grid(images, titles, cmap, symmetric, columns, title, size):
    count = len(images)
    columns = max(1, min(columns or math.ceil(math.sqrt(count)), count))
    rows = math.ceil(count / columns)
    fig = new_figure(figsize=(size * columns, size * rows + (0.4 if title else 0)))
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for k, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= count:
            ax.axis("off")
            continue
        image = images[k]
        if symmetric:
            bound = float(np.abs(image).max()) or 1.0
            ax.imshow(image, cmap=cmap, vmin=-bound, vmax=bound)
        else:
            ax.imshow(image, cmap=cmap)
        if titles is not None:
            ax.set_title(titles[k], fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def plot_filters(weight, in_channel=0, columns=None, title=None, cmap="RdBu_r", size=1.2):
    """The filters of a convolution weight (out, in, kH, kW) as a grid of small images.

    Each image is ``weight[o, in_channel]``, drawn on a colour scale symmetric around 0
    (red positive, blue negative), so that a filter's sign pattern -- an edge, a
    bar, a blob -- is what you see. A 3-D weight (out, kH, kW) is drawn as it is.
    """
    w = _array(weight).astype(np.float64)
    if w.ndim == 3:
        w = w[:, None]
    if w.ndim != 4:
        raise ValueError(f"plot_filters: weight must be (out, in, kH, kW) or (out, kH, kW), got shape {w.shape}")
    if not 0 <= in_channel < w.shape[1]:
        raise ValueError(f"plot_filters: in_channel {in_channel} is out of range for {w.shape[1]} input channels")
    return _grid(w[:, in_channel], [f"filter {o}" for o in range(w.shape[0])], cmap, True, columns, title, size)


def plot_feature_maps(maps, index=0, columns=None, title=None, cmap="viridis", size=1.2):
    """The feature maps of one example: ``maps`` (N, C, H, W) (example ``index``) or (C, H, W).

    One image per channel, each on its own colour scale (bright: the filter
    responded strongly there).
    """
    m = _array(maps).astype(np.float64)
    if m.ndim == 4:
        if not 0 <= index < m.shape[0]:
            raise ValueError(f"plot_feature_maps: index {index} is out of range for a batch of {m.shape[0]}")
        m = m[index]
    if m.ndim != 3:
        raise ValueError(f"plot_feature_maps: maps must be (N, C, H, W) or (C, H, W), got shape {m.shape}")
    return _grid(m, [f"channel {c}" for c in range(m.shape[0])], cmap, False, columns, title, size)

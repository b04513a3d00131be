"""Computation graphs as Graphviz diagrams: :func:`draw_graph` and :func:`save`.

* :mod:`viz.graph.draw` -- :func:`draw_graph`: boxes and op ovals, clusters per module;
* :mod:`viz.graph.records` -- the graph read as numbered nodes with roles and wiring;
* :mod:`viz.graph.labels` -- colours, box labels, edge ramp, legend;
* :mod:`viz.graph.folding` -- repeated structure folded into "×N" boxes;
* :mod:`viz.graph.save` -- :func:`save` by suffix, :func:`render_bytes` with Graphviz.
"""

from viz.graph.draw import draw_graph
from viz.graph.labels import (
    FOLD_COLOR, HIGHLIGHT_COLOR, NAN_COLOR, ROLE_COLORS, UNKNOWN_GRAD_COLOR, ZERO_GRAD_COLOR,
)
from viz.graph.save import SUPPORTED_SUFFIXES, render_bytes, save

__all__ = [
    "draw_graph", "save", "render_bytes", "SUPPORTED_SUFFIXES",
    "ROLE_COLORS", "FOLD_COLOR", "HIGHLIGHT_COLOR", "NAN_COLOR", "ZERO_GRAD_COLOR", "UNKNOWN_GRAD_COLOR",
]

"""Backpropagation step by step: :func:`backprop_frames` and :func:`save_frames`.

Reverse-mode differentiation (backpropagation, Rumelhart, Hinton & Williams 1986) visits the
nodes of a graph in reverse topological order. At each node it knows dL/d(node)
-- every consumer has already sent its share -- and sends to each parent

    local derivative × dL/d(node)  =  d(node)/d(parent) · dL/d(node)

which the parent adds to what it has received so far. ``backprop_frames`` draws
one picture per such step so a learner can watch gradients flow back from the
loss; ``save_frames`` writes them as numbered SVGs or as one HTML page with a
slider.
"""

from __future__ import annotations

import re
from pathlib import Path

from viz.backprop_states import backprop_states
from viz.graph.draw import _draw
from viz.graph.save import render_bytes

__all__ = ["backprop_frames", "save_frames"]


def backprop_frames(root, rankdir="LR"):
    """One ``graphviz.Digraph`` per step of backpropagation from ``root``.

    Frame 1 is the forward graph: every gradient unknown ("grad ?") except the
    root's, set to 1 (dL/dL). Then one frame per non-leaf node, in reverse
    topological order -- the order ``backward()`` uses -- so there are
    ``N = 1 + (number of non-leaf nodes)`` frames. In frame k:

    * the node being processed (and its op) is highlighted in yellow;
    * the edges into its op are labelled with what it sends each parent: for a
      ``Value``, the local derivative and the contribution ``local × grad``; for
      a ``Tensor``, the norm and shape of the contribution (the local derivative
      of a tensor op is a Jacobian, too big to print);
    * every node shows the gradient it has received so far -- marked "(so far)"
      while some consumer has yet to send its share -- or "grad ?" before any;
    * the caption (drawn in the graph's label, and kept as ``frame.caption``)
      reads "Step k of N: node 'c' (op '*'): dL/dc = …; sends …".

    The steps come from :func:`minigrad.autograd.backward_steps`, the very driver
    that ``backward()`` runs, so after the last frame every gradient equals what
    ``backward()`` computes. No ``.grad`` is read or changed.

    A non-scalar ``Tensor`` root starts from a gradient of ones (the gradient of
    ``root.sum()``). Tensor contributions come from each op's own backward, so
    **the graph must not have been freed**: pass the root of a forward pass that
    has not been backpropagated, or one backpropagated with
    ``backward(retain_graph=True)``; otherwise a RuntimeError says so. Meant for
    small graphs: the frames grow with the square of the number of nodes.
    """
    graph, states = backprop_states(root, who="backprop_frames")
    total = len(states)
    return [_draw(graph, state.grads, rankdir=rankdir, caption=f"Step {k} of {total}: {state.caption}",
                  color_edges=True, partial=state.partial, highlight=state.highlight,
                  edge_labels=state.labels, show_unknown=True)
            for k, state in enumerate(states, 1)]


# --------------------------------------------------------------------------- saving

def save_frames(frames, target):
    """Write frames as ``target/frame_001.svg, ...`` or, for a ``.html`` target, one page.

    The page is the one :class:`viz.StepThrough` writes (inline SVG, no external
    scripts or styles): a slider, Prev/Next buttons and the arrow keys step
    through the frames, "Step k of N" and each frame's caption shown above it.
    Each frame is laid out on its own here; :func:`viz.step_through` lays them
    out once, so nothing moves. Both need the Graphviz ``dot``
    program (a RuntimeError explains how to install it). Returns the list of SVG
    paths, or the HTML path. Missing folders are created.
    """
    frames = list(frames)
    if not frames:
        raise ValueError("save_frames: no frames to save (backprop_frames returns at least one)")
    target = Path(target)
    if target.suffix.lower() == ".html":
        # The page shows "Step k of N" and the caption above the picture: draw them once.
        svgs = [render_bytes(_without_caption(f), "svg").decode("utf-8") for f in frames]
        captions = [re.sub(r"^Step \d+ of \d+: ", "", getattr(f, "caption", "")) for f in frames]
        from viz.stepping import StepThrough  # (imported when a page is written: Graphviz pages are heavier)

        return StepThrough(svgs, captions, {}).save(target)
    svgs = [render_bytes(f, "svg").decode("utf-8") for f in frames]
    target.mkdir(parents=True, exist_ok=True)
    digits = max(3, len(str(len(frames))))
    paths = []
    for k, svg in enumerate(svgs, 1):
        path = target / f"frame_{k:0{digits}d}.svg"
        path.write_text(svg, encoding="utf-8")
        paths.append(path)
    return paths


def _without_caption(frame):
    """A copy of ``frame`` whose label is only the legend."""
    copy = frame.copy()
    copy.graph_attr = dict(frame.graph_attr)
    legend = getattr(frame, "legend_label", None)
    if legend:
        copy.graph_attr["label"] = legend
    else:
        copy.graph_attr.pop("label", None)
    return copy

"""Backpropagation as a step-through: :func:`step_through` and :class:`StepThrough`.

The frames of :func:`viz.backprop_frames` -- the graph after each step of
reverse-mode differentiation (Rumelhart, Hinton & Williams 1986), the node being
processed highlighted, what it sends each parent on the edges -- shown one at a
time, inline in Jupyter or as one self-contained HTML page, with Prev/Next
buttons, the arrow keys and a slider.

A learner follows the gradient by where it is on the page, so nothing may move
between frames: the layout is computed **once**. One ``dot -Tjson`` run lays out
a drawing that holds, for every node, its widest label over all frames and, for
every edge, the label it gets in its step; each frame is then drawn with those
positions pinned (node and cluster boxes, edge splines, label places) and
rendered by ``neato -n2``, which lays out nothing. Every box keeps its position
and its size from the first frame to the last.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from pathlib import Path

from viz.backprop_states import backprop_states
from viz.graph.draw import _draw
from viz.graph.labels import _grad_text
from viz.graph.save import render_bytes

__all__ = ["step_through", "StepThrough"]

#: Point size of the text in the step-through's drawings: 14 pt is 18.7 px at the page's
#: natural scale, readable from the back of a room on a projector.
FONT_SIZE = 14

_ids = itertools.count(1)


def step_through(root, rankdir="LR"):
    """Backpropagation from ``root`` (a ``Value`` or ``Tensor``) as a :class:`StepThrough`.

    One frame per step of :func:`viz.backprop_frames` (the same states, driven by
    the engine's own backward driver ``minigrad.autograd.backward_steps``), laid
    out once so every node stays where it is. Needs the Graphviz programs
    ``dot`` and ``neato`` (a RuntimeError explains how to install them). The
    same rules as ``backprop_frames`` apply: a Tensor graph must not have been
    freed by ``backward()``; meant for small graphs.
    """
    graph, states = backprop_states(root, who="step_through")
    common = {"rankdir": rankdir, "color_edges": True, "show_unknown": True, "fontsize": FONT_SIZE}

    # The legend lists every kind of edge any frame draws, so it is the same in all frames.
    kinds = set()
    for state in states:
        kinds |= _draw(graph, state.grads, partial=state.partial, highlight=state.highlight,
                       edge_labels=state.labels, legend=False, **common).edge_kinds
    legend_for = (kinds, True)

    # The drawing laid out once: each node with its widest label, each edge with its label.
    widest = [None] * len(graph.nodes)
    partial, labels = set(), {}
    for state in states:
        partial |= state.partial
        labels.update(state.labels)
        for i, g in enumerate(state.grads):
            if g is not None and (widest[i] is None or len(_grad_text(g)) >= len(_grad_text(widest[i]))):
                widest[i] = g
    sizing = _draw(graph, widest, partial=partial, edge_labels=labels, legend_for=legend_for, **common)
    layout = _layout(render_bytes(sizing, "json"))

    svgs = []
    for state in states:
        dot = _draw(graph, state.grads, partial=state.partial, highlight=state.highlight,
                    edge_labels=state.labels, legend_for=legend_for, layout=layout, **common)
        svgs.append(render_bytes(dot, "svg", engine="neato").decode("utf-8"))
    return StepThrough(_same_canvas(svgs), [state.caption for state in states],
                       {name: attrs["pos"] for name, attrs in layout["nodes"].items()})


def _layout(json_bytes):
    """Positions and sizes from ``dot -Tjson`` as :func:`viz.graph.draw._draw` pins them."""
    data = json.loads(json_bytes)
    nodes, clusters, sizes = {}, {}, {}
    for obj in data.get("objects", []):
        name = obj.get("name", "")
        if "pos" in obj:
            width, height = float(obj["width"]) * 72, float(obj["height"]) * 72
            nodes[name] = {"pos": obj["pos"]}
            if name.startswith("n"):  # a value box: its table keeps this size in every frame
                sizes[name] = (round(width), round(height))
            else:
                nodes[name].update(width=obj["width"], height=obj["height"], fixedsize="true")
        elif "bb" in obj:
            clusters[name] = {k: obj[k] for k in ("bb", "lp") if k in obj}
    names = [obj.get("name", "") for obj in data.get("objects", [])]
    edges, seen = {}, {}
    for e in sorted(data.get("edges", []), key=lambda e: e["_gvid"]):
        pair = names[e["tail"]], names[e["head"]]
        k = seen[pair] = seen.get(pair, -1) + 1  # the k-th edge between the same two nodes (a*a)
        edges[(*pair, k)] = {key: e[key] for key in ("pos", "lp", "head_lp") if key in e}
    graph = {k: data[k] for k in ("bb", "lp") if k in data}
    return {"graph": graph, "nodes": nodes, "edges": edges, "clusters": clusters, "sizes": sizes}


_CANVAS = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="[^"]*"')
_ORIGIN = re.compile(r'transform="scale\(1 1\) rotate\(0\) translate\(([\d.]+) ([\d.]+)\)"')


def _same_canvas(svgs):
    """Give every frame the same canvas and origin.

    ``neato -n2`` keeps every pinned coordinate, but grows a frame's canvas when
    something pokes out (a thicker border, an edge label), which would shift that
    whole picture on the page; the biggest canvas, for all, keeps it still.
    """
    sizes = [_CANVAS.search(svg) for svg in svgs]
    origins = [_ORIGIN.search(svg) for svg in svgs]
    if not all(sizes) or not all(origins):
        return svgs
    width = max(float(m.group(1)) for m in sizes)
    height = max(float(m.group(2)) for m in sizes)
    x = max(float(m.group(1)) for m in origins)
    y = max(float(m.group(2)) for m in origins)
    canvas = f'<svg width="{width:g}pt" height="{height:g}pt" viewBox="0.00 0.00 {width:.2f} {height:.2f}"'
    origin = f'transform="scale(1 1) rotate(0) translate({x:g} {y:g})"'
    return [_ORIGIN.sub(origin, _CANVAS.sub(canvas, svg, 1), 1) for svg in svgs]


class StepThrough:
    """The frames of a backpropagation step-through; shows itself in Jupyter, saves as one page.

    Attributes
    ----------
    svgs : list of str
        One SVG drawing per frame.
    captions : list of str
        What happens in each frame ("node 'o' (op 'tanh'): dL/do = 1; sends ...").
    positions : dict
        Node name ("n3", "o3") → its position ``"x,y"`` in points, shared by every frame.
    """

    def __init__(self, svgs, captions, positions):
        self.svgs = list(svgs)
        self.captions = list(captions)
        self.positions = dict(positions)

    def __len__(self):
        return len(self.svgs)

    def __repr__(self):
        return f"<StepThrough: {len(self)} steps>"

    def _repr_html_(self):
        """The step-through inline in a notebook; the arrow keys work once it has the focus."""
        return _widget(self.svgs, self.captions, f"mg-step-{next(_ids)}", keys_on_document=False)

    def html(self, title="Backpropagation, step by step"):
        """One self-contained HTML page (inline SVG, style and script; nothing loaded from a network)."""
        return _PAGE.format(title=html.escape(title), style=_STYLE,
                            widget=_widget(self.svgs, self.captions, "mg-step", keys_on_document=True))

    def save(self, path):
        """Write :meth:`html` to ``path`` (missing folders are created); return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.html(), encoding="utf-8")
        return path


def _widget(svgs, captions, uid, keys_on_document):
    n = len(svgs)
    figures = []
    for k, svg in enumerate(svgs):
        svg = svg[svg.find("<svg"):]  # no XML prolog or DOCTYPE inside HTML
        svg = svg.replace(' id="', f' id="{uid}-{k + 1}-')  # ids stay unique across frames
        hidden = "" if k == 0 else " hidden"
        figures.append(f'<figure class="mg-frame" data-step="{k + 1}"{hidden}>\n{svg}\n</figure>')
    return _WIDGET.format(
        uid=uid, n=n, first=html.escape(captions[0]), figures="\n".join(figures),
        style="" if keys_on_document else f"<style>{_STYLE}</style>",
        captions=json.dumps(captions).replace("</", "<\\/"),  # safe inside <script>
        document="true" if keys_on_document else "false",
    )


_STYLE = """
.mg-step { font-family: system-ui, sans-serif; font-size: 20px; color: #212529; outline: none; }
.mg-step .mg-controls { display: flex; gap: 0.6em; align-items: center; margin: 0.4em 0; }
.mg-step button { font-size: 20px; padding: 0.2em 0.8em; }
.mg-step input[type=range] { flex: 1; max-width: 30em; }
.mg-step .mg-counter { font-weight: bold; min-width: 8em; }
.mg-step .mg-caption { font-family: ui-monospace, monospace; font-size: 20px; background: #fff9db;
  padding: 0.5em 0.8em; border-left: 5px solid #f08c00; white-space: pre-wrap; margin: 0.4em 0;
  min-height: 3.6em; }  /* room for three lines: the picture stays put as captions change */
.mg-step .mg-hint { color: #495057; font-size: 18px; }
.mg-step figure { margin: 0; overflow: auto; }
.mg-step figure svg { max-width: none; height: auto; }
"""

_WIDGET = """<div class="mg-step" id="{uid}" tabindex="0">{style}
<div class="mg-controls">
  <button class="mg-prev" type="button">&#9664; Prev</button>
  <input class="mg-slider" type="range" min="1" max="{n}" value="1" aria-label="step">
  <button class="mg-next" type="button">Next &#9654;</button>
  <span class="mg-counter" aria-live="polite">Step 1 of {n}</span>
</div>
<p class="mg-caption">{first}</p>
<p class="mg-hint">Slider, buttons or the &larr; &rarr; keys.</p>
{figures}
</div>
<script>
(function (root, onDocument) {{
  var captions = {captions};
  var frames = root.querySelectorAll(".mg-frame");
  var slider = root.querySelector(".mg-slider");
  var prev = root.querySelector(".mg-prev"), next = root.querySelector(".mg-next");
  var current = 0;
  function show(k) {{
    k = Math.max(0, Math.min(frames.length - 1, k));
    frames[current].hidden = true;
    frames[k].hidden = false;
    current = k;
    slider.value = k + 1;
    root.querySelector(".mg-counter").textContent = "Step " + (k + 1) + " of " + frames.length;
    root.querySelector(".mg-caption").textContent = captions[k];
    prev.disabled = k === 0;
    next.disabled = k === frames.length - 1;
  }}
  prev.onclick = function () {{ show(current - 1); }};
  next.onclick = function () {{ show(current + 1); }};
  slider.oninput = function () {{ show(parseInt(slider.value, 10) - 1); }};
  (onDocument ? document : root).addEventListener("keydown", function (e) {{
    if (e.target === slider) return;  // the slider moves itself and fires "input"
    var keys = {{ArrowLeft: current - 1, ArrowRight: current + 1, Home: 0, End: frames.length - 1}};
    if (e.key in keys) {{ show(keys[e.key]); e.preventDefault(); }}
  }});
  show(0);
}})(document.getElementById("{uid}"), {document});
</script>"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ margin: 1.5em; }}
h1 {{ font-family: system-ui, sans-serif; font-size: 28px; }}
{style}
</style>
</head>
<body>
<h1>{title}</h1>
{widget}
</body>
</html>
"""

"""What the boxes, ovals, edges and legend of a graph drawing look like.

Colours by role, the HTML-like labels Graphviz renders (value boxes, op ovals,
folded "×N" boxes), NaN/Inf badges, and the edge colour ramp over log10 of the
mean |gradient| an edge carries (pale and thin at 1e-6, red and thick at 1e2).
"""

from __future__ import annotations

import html
import math

import graphviz
import numpy as np

from viz.graph.records import _host, _shape_text

__all__ = ["format_number", "ROLE_COLORS", "FOLD_COLOR", "HIGHLIGHT_COLOR", "NAN_COLOR", "ZERO_GRAD_COLOR", "UNKNOWN_GRAD_COLOR"]

# Box fill per role (see :mod:`viz.graph.draw`); the legend lists them in this order.
ROLE_COLORS = {
    "input": "#d0ebff",
    "parameter": "#d3f9d8",
    "constant": "#e9ecef",
    "intermediate": "#ffffff",
    "loss": "#ffd8a8",
}
ROLE_NAMES = {"loss": "loss / output"}
FOLD_COLOR = "#e5dbff"
HIGHLIGHT_COLOR = "#ffe066"      # the node being processed in a backprop frame
HIGHLIGHT_BORDER = "#f08c00"
NAN_COLOR = "#e03131"            # NaN/Inf badges, borders and edges
ZERO_GRAD_COLOR = "#adb5bd"      # edges whose gradient is exactly zero
UNKNOWN_GRAD_COLOR = "#495057"   # edges whose gradient is not known (not computed, not retained)
BORDER_COLOR = "#343a40"
MUTED = "#868e96"

# Edge colour ramp over log10(mean |grad|): (log10, colour) stops.
_GRAD_STOPS = ((-6.0, "#c5dcef"), (-1.0, "#1c4e9c"), (2.0, "#c92a2a"))
_PEN_MIN, _PEN_MAX = 0.6, 4.0


#: Longest text shown in one label, title or tooltip; longer text is cut with an ellipsis
#: (Graphviz refuses labels past a fixed buffer size, and such a box is unreadable anyway).
MAX_LABEL_CHARS = 120


def _short(text, limit=MAX_LABEL_CHARS):
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _esc(text):
    """Text for inside an HTML-like label: shortened, then ``& < >`` escaped (no markup gets through)."""
    return html.escape(_short(text), quote=False)


def _plain(text, keep_escapes=False, limit=MAX_LABEL_CHARS):
    """Text for a plain (non-HTML) attribute -- a cluster title, tooltip, op or edge label.

    The graphviz package would pass a value of the form ``<...>`` through as an
    HTML-like label (able to embed images); :func:`graphviz.nohtml` marks it as
    plain text. Backslashes are doubled so ``\\N``-style escapes stay literal,
    unless ``keep_escapes`` (text built here with ``\\n`` line breaks).
    """
    text = _short(text, limit)
    if keep_escapes:
        return graphviz.nohtml(text.rstrip("\\"))  # a cut must not leave a backslash before the closing quote
    return graphviz.escape(text)


def format_number(x, digits=4):
    """``x`` with ``digits`` significant digits: ``0.7071``, ``-1.5``, ``3.5e-05``, ``1.235e+04``.

    Fixed decimals would print a gradient of 3.5e-05 as ``0.0000`` -- indistinguishable
    from zero, the very thing a learner looks for -- so every number in a drawing keeps
    its significant digits. Exactly zero prints ``0``; NaN and infinities print as such.
    """
    x = float(x)
    if x == 0.0:
        return "0"
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return f"{x:.{digits}g}"


def _value_label(graph, i, grad, show_data, show_grad, partial, highlighted, show_unknown, size=None):
    """The HTML-like label of a value box (at least ``size`` = (width, height) points, when given)."""
    node = graph.nodes[i]
    name = graph.name(i)
    if node.label:
        title = f"<B>{_esc(node.label)}</B>"
    elif name != f"n{i}":  # what it is in its layer ("Linear(2→16) output")
        title = _esc(name)
    else:
        title = f'<FONT COLOR="{MUTED}">{name}</FONT>'
    badges = []
    if graph.is_tensor:
        data = _host(node)
        cells = [title, _esc(_shape_text(node))]
        if show_data:
            cells.append(_esc(_data_text(data)))
        badges += _badges(data, "data")
    else:
        data = node.data
        cells = [title]
        if show_data:
            cells.append(f"data {format_number(data)}")
        badges += _badges(data, "data")
    if show_grad and graph.gets_grad(i):
        if grad is not None:
            cells.append(_esc(_grad_text(grad) + (" (so far)" if partial else "")))
            badges += _badges(grad, "grad")
        elif show_unknown:
            cells.append("grad ?")
    cells += [f'<FONT COLOR="{NAN_COLOR}"><B>{b}</B></FONT>' for b in badges]

    fill, border, width = ROLE_COLORS[graph.roles[i]], BORDER_COLOR, 1
    if badges:
        border, width = NAN_COLOR, 2
    if highlighted:
        fill, border, width = HIGHLIGHT_COLOR, HIGHLIGHT_BORDER, 3
    fixed = f' WIDTH="{size[0]}" HEIGHT="{size[1]}"' if size else ""
    table = (f'<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
             f'BGCOLOR="{fill}" COLOR="{border}"{fixed}>')
    if graph.is_tensor:  # a tall box: one fact per row (as wide as the box, when it has a size)
        td = f'<TD WIDTH="{size[0] - 2}">' if size else "<TD>"
        rows = "<HR/>".join(f"<TR>{td}{c}</TD></TR>" for c in cells)
    else:  # micrograd's record: label | data | grad in one row
        rows = "<TR>" + "<VR/>".join(f"<TD>{c}</TD>" for c in cells) + "</TR>"
    return f"<{table}{rows}</TABLE>>"


def _grad_text(grad):
    """``grad -3`` for scalars (significant digits: ``grad 3.5e-05``); norm and mean |g| for tensors."""
    g = np.asarray(grad, dtype=np.float64)
    if g.size == 1:
        return f"grad {format_number(g.reshape(()))}"
    with np.errstate(all="ignore"):
        return f"grad norm {format_number(np.sqrt(np.sum(g * g)))}  mean|g| {format_number(np.mean(np.abs(g)), 3)}"


def _data_text(data):
    if data.size == 0:
        return "empty"
    if data.size == 1:
        return f"data {format_number(data.reshape(-1)[0])}"
    x = data.astype(np.float64, copy=False)
    with np.errstate(all="ignore"):
        return (f"mean {format_number(x.mean())}  std {format_number(x.std())}  "
                f"norm {format_number(np.sqrt(np.sum(x * x)))}")


def _badges(x, where):
    """Red "NaN in data" / "Inf in grad" warnings for non-finite values."""
    a = np.asarray(x)
    if a.dtype.kind not in "fc":
        return []
    out = []
    if np.isnan(a).any():
        out.append(f"NaN in {where}")
    if np.isinf(a).any():
        out.append(f"Inf in {where}")
    return out


def _tooltip(graph, i):
    node = graph.nodes[i]
    what = graph.roles[i] if not node.op else f"{graph.roles[i]} = {node.op}(...)"
    scope = f" in {graph.scopes[i]}" if graph.scopes[i] else ""
    return _plain(f"{graph.name(i)}: {what}{scope}")


def _op_attrs(op, highlighted, fontsize=10):
    attrs = {"label": _plain(op), "shape": "ellipse", "style": "filled", "fillcolor": "#f8f9fa", "color": MUTED,
             "fontsize": str(fontsize), "height": "0.3", "margin": "0.04,0.02"}
    if highlighted:
        attrs.update(fillcolor=HIGHLIGHT_COLOR, color=HIGHLIGHT_BORDER, penwidth="3")
    return attrs


def _fold_label(fold):
    head, *rest = fold.lines
    rows = [f'<TR><TD><FONT POINT-SIZE="16"><B>{_esc(head)}</B></FONT></TD></TR>']
    rows += [f"<TR><TD>{_esc(line)}</TD></TR>" for line in rest]
    table = (f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{FOLD_COLOR}" '
             f'COLOR="{BORDER_COLOR}">')
    return f"<{table}{''.join(rows)}</TABLE>>"


def _edge_attrs(grad, color_edges):
    """Colour and width of an edge from the mean |grad| of the value it carries."""
    if not color_edges or grad is None:
        return {"color": UNKNOWN_GRAD_COLOR}
    g = np.abs(np.asarray(grad, dtype=np.float64))
    if not np.isfinite(g).all():
        return {"color": NAN_COLOR, "penwidth": "2.5", "style": "dashed", "tooltip": "gradient is NaN/Inf"}
    m = float(g.mean()) if g.size else 0.0
    if m == 0.0:
        return {"color": ZERO_GRAD_COLOR, "tooltip": "gradient is zero"}
    log = math.log10(m)
    lo, hi = _GRAD_STOPS[0][0], _GRAD_STOPS[-1][0]
    t = min(max((log - lo) / (hi - lo), 0.0), 1.0)
    return {"color": _ramp(log), "penwidth": f"{_PEN_MIN + t * (_PEN_MAX - _PEN_MIN):.2f}",
            "tooltip": f"mean |grad| {format_number(m, 3)}"}


def _ramp(log):
    """Interpolate the edge colour stops at ``log`` (clamped to the ends)."""
    stops = _GRAD_STOPS
    if log <= stops[0][0]:
        return stops[0][1]
    for (x0, c0), (x1, c1) in zip(stops, stops[1:]):
        if log <= x1:
            t = (log - x0) / (x1 - x0)
            rgb0 = [int(c0[k:k + 2], 16) for k in (1, 3, 5)]
            rgb1 = [int(c1[k:k + 2], 16) for k in (1, 3, 5)]
            return "#" + "".join(f"{round(a + t * (b - a)):02x}" for a, b in zip(rgb0, rgb1))
    return stops[-1][1]


def _edge_kind(attrs):
    """Which legend entry an edge drawn with ``attrs`` belongs to."""
    color = attrs.get("color")
    if color == NAN_COLOR:
        return "nan"
    if color == ZERO_GRAD_COLOR:
        return "zero"
    if color == UNKNOWN_GRAD_COLOR:
        return "unknown"
    return "ramp"


def _legend_rows(roles, edge_kinds, folded, highlighted):
    """The legend as rows of an HTML-like table: only what the drawing shows, two lines at most.

    Drawn inside the graph's own label (not as a subgraph or a node of the layout),
    so it costs ``dot`` nothing to place however big the graph is.
    """
    swatch = ('<TD BGCOLOR="{}" BORDER="1" COLOR="{}" WIDTH="14" HEIGHT="10" FIXEDSIZE="TRUE"></TD>'
              '<TD ALIGN="LEFT">{}   </TD>')
    line = '<TD><FONT COLOR="{}" POINT-SIZE="14"><B>{}</B></FONT></TD><TD ALIGN="LEFT">{}   </TD>'
    boxes = [swatch.format(color, BORDER_COLOR, ROLE_NAMES.get(role, role))
             for role, color in ROLE_COLORS.items() if role in roles]
    if folded:
        boxes.append(swatch.format(FOLD_COLOR, BORDER_COLOR, "×N folded repeats"))
    if highlighted:
        boxes.append(swatch.format(HIGHLIGHT_COLOR, HIGHLIGHT_BORDER, "being processed"))
    edges = []
    if "ramp" in edge_kinds:
        edges.append(line.format(_GRAD_STOPS[0][1], "━━", "mean |grad| 1e-6 (pale, thin) … ") + "\0"
                     + line.format(_GRAD_STOPS[-1][1], "━━", "1e2 (red, thick)"))
    if "zero" in edge_kinds:
        edges.append(line.format(ZERO_GRAD_COLOR, "━━", "gradient exactly 0"))
    if "unknown" in edge_kinds:
        edges.append(line.format(UNKNOWN_GRAD_COLOR, "━━", "gradient not known (not computed or not kept)"))
    if "nan" in edge_kinds:
        edges.append(line.format(NAN_COLOR, "╍╍", "NaN / Inf gradient"))
    # One grid (a nested table per line would be stretched to the widest line, gaps and all).
    edges = [cell for entry in edges for cell in entry.split("\0")]
    width = max(len(boxes), len(edges))
    return ["<TR>" + "".join(cells) + "<TD></TD><TD></TD>" * (width - len(cells)) + "</TR>"
            for cells in (boxes, edges) if cells]


def _graph_label(caption, legend_rows):
    """The graph's label: the caption (a step's explanation, a folding note) above the legend."""
    rows = list(legend_rows)
    if caption:
        span = max((row.count("<TD") for row in rows), default=1)
        rows.insert(0, f'<TR><TD ALIGN="LEFT" COLSPAN="{span}"><FONT POINT-SIZE="12">{_esc_long(caption)}</FONT>'
                       "</TD></TR>")
    if not rows:
        return None
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1" ALIGN="LEFT">'
            + "".join(rows) + "</TABLE>>")


def _esc_long(text, limit=1000):
    return html.escape(_short(text, limit), quote=False)

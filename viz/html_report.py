"""``report``: one self-contained HTML page about a training run.

Everything is inline -- figures as base64 PNG (or inline SVG), the computation
graph as inline SVG, the diagnosis as an HTML table -- so the single file can be
mailed, attached to an issue or opened offline, and it loads nothing from the
network::

    viz.report("run.html", title="moons MLP", graph=viz.draw_graph(loss),
               flow=flow, diagnosis=viz.diagnose(model, X, y, "cross_entropy"),
               history=history, figures={"boundary": viz.plot_decision_boundary(model, X, y)})
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import os
import re
import shutil
import tempfile
from collections.abc import Mapping

import minigrad
from viz.diagnosis import plot_diagnosis
from viz.flow import plot_grad_flow, plot_grad_heatmap
from viz.plots import plot_learning_curves

__all__ = ["report"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #444; padding-bottom: .2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
figure { margin: 1em 0; }
figure img, figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: .9em; }
table.diagnosis { border-collapse: collapse; font-size: .85em; font-variant-numeric: tabular-nums; }
table.diagnosis th, table.diagnosis td { border: 1px solid #ddd; padding: .2em .6em; text-align: right; }
table.diagnosis td:nth-child(-n+2), table.diagnosis th:nth-child(-n+2) { text-align: left; }
table.diagnosis tr.flagged td { background: #fde8e8; }
ul.findings li { margin-bottom: .6em; }
.healthy { color: #1a7f37; font-weight: bold; }
pre { background: #f6f8fa; padding: 1em; overflow-x: auto; font-size: .8em; }
.note { color: #8a5a00; }
footer { margin-top: 3em; color: #777; font-size: .8em; }
"""


def _clean_svg(svg):
    """An SVG document as an inline fragment: no XML prolog, DOCTYPE, metadata or namespace URLs.

    HTML5 parsers know the SVG (and xlink) namespaces, so the ``xmlns``
    attributes are redundant inline -- and dropping them keeps the page free of
    any URL at all.
    """
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    return svg.strip()


def _figure_html(fig, caption, image_format, dpi):
    buffer = io.BytesIO()
    if image_format == "svg":
        fig.savefig(buffer, format="svg", bbox_inches="tight")
        body = _clean_svg(buffer.getvalue().decode("utf-8"))
    else:
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        body = f'<img alt="{html.escape(caption or "figure")}" src="data:image/png;base64,{data}">'
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{body}{cap}</figure>"


def _graph_html(graph, caption=None):
    """A graphviz graph as inline SVG when the ``dot`` binary exists, else its DOT source."""
    source = graph.source if hasattr(graph, "source") else str(graph)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    if shutil.which("dot"):
        import graphviz

        from viz.graph.save import render_bytes

        try:  # with the node limit and the time limit of every rendering
            svg = render_bytes(graph if hasattr(graph, "pipe") else graphviz.Source(source), "svg")
            return f"<figure>{_clean_svg(svg.decode('utf-8'))}{cap}</figure>"
        except RuntimeError as exc:
            if shutil.which("dot"):  # too big, too slow or failed: say so, and show the source
                return f'<p class="note">{html.escape(str(exc))}</p><pre>{html.escape(source)}</pre>{cap}'
    return (
        '<p class="note">The Graphviz <code>dot</code> program is not installed, so the graph is shown as '
        "DOT source. Install Graphviz (e.g. <code>apt install graphviz</code>, <code>brew install graphviz</code> "
        "or <code>conda install graphviz</code>) to see it drawn, or paste the source into any Graphviz viewer.</p>"
        f"<pre>{html.escape(source)}</pre>{cap}"
    )


def _is_figure(obj):
    from matplotlib.figure import Figure

    return isinstance(obj, Figure)


def _item_html(obj, caption, image_format, dpi):
    if _is_figure(obj):
        return _figure_html(obj, caption, image_format, dpi)
    if hasattr(obj, "pipe") and hasattr(obj, "source"):  # a graphviz Digraph/Graph/Source
        return _graph_html(obj, caption)
    if hasattr(obj, "to_html"):  # a Diagnosis
        return obj.to_html()
    raise TypeError(f"report: cannot embed {type(obj).__name__}; give matplotlib Figures or graphviz graphs")


def _items(objs):
    """``[(caption, obj)]`` from one object, a list of them or a ``{caption: obj}`` dict."""
    if objs is None:
        return []
    if isinstance(objs, Mapping):
        return [(str(k), v) for k, v in objs.items()]
    if isinstance(objs, (list, tuple)):
        return [(None, v) for v in objs]
    return [(None, objs)]


def _text_html(text):
    """Notes as paragraphs; a block laid out in columns (a table printed as text: several
    lines, aligned with runs of spaces) stays preformatted, or its columns would collapse."""
    if isinstance(text, (list, tuple)):
        text = "\n\n".join(text)
    blocks = [p.strip("\n") for p in re.split(r"\n\s*\n", str(text)) if p.strip()]
    out = []
    for block in blocks:
        lines = block.splitlines()
        if len(lines) > 1 and sum("  " in line.strip() for line in lines) >= 2:
            out.append(f'<pre class="table">{html.escape(block)}</pre>')
        else:
            out.append(f"<p>{html.escape(block.strip())}</p>".replace("\n", "<br>"))
    return "\n".join(out)


def report(path, *, title="minigrad report", graph=None, flow=None, diagnosis=None, history=None, figures=None,
           text=None, early_stopping=None, image_format="png", dpi=100):
    """Write one self-contained HTML page gathering a run's pictures; returns ``path``.

    Sections appear for what is given, in this order:

    * ``text`` -- notes (a string or list of strings; blank lines split paragraphs);
    * ``graph`` -- a ``graphviz.Digraph`` (e.g. ``viz.draw_graph(loss)``), a list or
      ``{caption: graph}``: inline SVG when Graphviz' ``dot`` is installed, else the
      DOT source with a note on installing it;
    * ``diagnosis`` -- a :class:`viz.diagnosis.Diagnosis`: its table, findings and plot;
    * ``flow`` -- a :class:`viz.GradientFlow` or ``GradientRecorder``: gradient flow
      and the layers × steps heatmap;
    * ``history`` -- a ``History``: learning curves (with ``early_stopping``'s marks);
    * ``figures`` -- more matplotlib Figures (or graphs): one, a list or ``{caption: figure}``.

    Figures are PNG (``dpi``) in base64 ``<img>`` tags, or inline SVG with
    ``image_format="svg"``. The page references no external file or URL. The
    file is written atomically (a temporary file in the same folder, then
    ``os.replace``), so a reader never sees half a report.
    """
    if image_format not in ("png", "svg"):
        raise ValueError(f"report: image_format must be 'png' or 'svg', got {image_format!r}")
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"report: the folder {directory!r} does not exist")

    sections = []
    if text is not None:
        sections.append(("Notes", _text_html(text)))
    if graph is not None:
        sections.append(("Computation graph", "\n".join(_graph_html(g, c) for c, g in _items(graph))))
    if diagnosis is not None:
        sections.append(("Diagnosis", diagnosis.to_html() + _figure_html(
            plot_diagnosis(diagnosis), "Gradient norm, activation std, dead and saturated units per layer",
            image_format, dpi)))
    if flow is not None:
        sections.append(("Gradient flow", "\n".join([
            _figure_html(plot_grad_flow(flow), "Mean and max |gradient| per layer (log scale)", image_format, dpi),
            _figure_html(plot_grad_heatmap(flow), "log10 ‖gradient‖ per layer and recorded step", image_format, dpi),
        ])))
    if history is not None:
        sections.append(("Learning curves", _figure_html(
            plot_learning_curves(history, early_stopping), "Training vs validation", image_format, dpi)))
    if figures is not None:
        sections.append(("Figures", "\n".join(_item_html(obj, caption, image_format, dpi)
                                              for caption, obj in _items(figures))))

    toc = "".join(f'<li><a href="#s{i}">{html.escape(name)}</a></li>' for i, (name, _) in enumerate(sections))
    body = "\n".join(f'<section id="s{i}"><h2>{html.escape(name)}</h2>\n{content}</section>'
                     for i, (name, content) in enumerate(sections))
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        + (f"<nav><ul>{toc}</ul></nav>\n" if len(sections) > 1 else "")
        + (body or "<p>Nothing to report: pass graph=, flow=, diagnosis=, history= or figures=.</p>")
        + f"\n<footer>minigrad {html.escape(minigrad.__version__)} · {stamp}</footer>\n</body>\n</html>\n"
    )
    _write_atomically(target, page)
    return path


def _write_atomically(target, content):
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a report is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

"""Writing a graph drawing to a file: DOT source without Graphviz, SVG/PNG/PDF with its ``dot`` program."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import graphviz

__all__ = ["save", "render_bytes", "count_nodes", "SUPPORTED_SUFFIXES", "RENDER_TIMEOUT", "MAX_RENDER_NODES"]

SUPPORTED_SUFFIXES = (".dot", ".gv", ".svg", ".png", ".pdf")

#: Seconds Graphviz may take to lay out and render one drawing before it is stopped.
RENDER_TIMEOUT = 30.0
#: Most nodes (value boxes, op ovals, folded boxes) rendered in one drawing; larger graphs
#: take minutes in ``dot`` and are unreadable anyway (fold them with ``draw_graph(max_nodes=...)``).
MAX_RENDER_NODES = 2_000

# One node statement of DOT source as the graphviz package writes it: ``\tname [attrs]``.
_NODE_LINE = re.compile(r'^\s*(?!(?:graph|node|edge|subgraph)\b)("(?:[^"\\]|\\.)*"|\w+)\s*\[')


def save(dot, path):
    """Write ``dot`` to exactly ``path``, in the format its suffix names; return the path.

    ``.dot`` / ``.gv`` write the DOT source (no Graphviz program needed);
    ``.svg``, ``.png`` and ``.pdf`` are rendered with the Graphviz ``dot`` program
    and raise a RuntimeError that explains how to install it when it is missing.
    Missing parent folders are created.
    """
    if not isinstance(dot, (graphviz.Digraph, graphviz.Graph)):
        raise TypeError(f"save: expected a graphviz.Digraph (from draw_graph), got {type(dot).__name__}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(
            f"save: cannot tell the format of {str(path)!r} from its suffix {suffix or '(none)'!r}; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if suffix in (".dot", ".gv"):
        content = dot.source.encode("utf-8")
    else:
        # pipe() instead of render(): render() appends its own suffixes to the file name.
        content = render_bytes(dot, suffix[1:])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def count_nodes(dot):
    """Number of node statements in ``dot`` (clusters' nodes included, edges not)."""
    lines = dot.body if hasattr(dot, "body") else dot.source.splitlines()  # a graphviz.Source has no body
    return sum(1 for line in lines if "->" not in line and _NODE_LINE.match(line))


def render_bytes(dot, fmt, timeout=None, max_nodes=None, engine="dot"):
    """Render ``dot`` to ``fmt`` ("svg", "png", "pdf", "json") with the Graphviz program; return the bytes.

    ``engine="neato"`` renders a drawing whose positions are all given (``neato -n2``:
    nothing is laid out again; see :mod:`viz.stepping`).

    A drawing with more than ``max_nodes`` (default :data:`MAX_RENDER_NODES`) nodes is
    refused before ``dot`` starts, and ``dot`` is stopped after ``timeout`` seconds
    (default :data:`RENDER_TIMEOUT`); both raise a one-line RuntimeError.
    """
    timeout = RENDER_TIMEOUT if timeout is None else timeout
    max_nodes = MAX_RENDER_NODES if max_nodes is None else max_nodes
    nodes = count_nodes(dot)
    if nodes > max_nodes:
        raise RuntimeError(
            f"the drawing has {nodes:,} nodes, more than the {max_nodes:,} Graphviz renders here; "
            "save it as .dot, or fold its repeated structure: draw_graph(..., max_nodes=300) "
            "or `minigrad graph ... --max-nodes 300`"
        )
    if engine not in ("dot", "neato"):
        raise ValueError(f"render_bytes: engine must be 'dot' or 'neato', got {engine!r}")
    program = shutil.which(engine)
    if program is None:
        raise RuntimeError(_missing_graphviz(fmt, engine))
    args = [program, f"-T{fmt}"] + (["-n2"] if engine == "neato" else [])
    try:
        done = subprocess.run(args, input=dot.source.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"Graphviz did not finish rendering {nodes:,} nodes to .{fmt} within {timeout:g} s; "
            "save it as .dot, or draw a smaller graph"
        ) from None
    except FileNotFoundError:  # on PATH a moment ago, gone now
        raise RuntimeError(_missing_graphviz(fmt, engine)) from None
    except OSError as exc:
        raise RuntimeError(f"could not run Graphviz's {engine}: {exc}") from None
    if done.returncode < 0:
        raise RuntimeError(
            f"Graphviz's {engine} crashed (signal {-done.returncode}) rendering {nodes:,} nodes to .{fmt}; "
            "save it as .dot, or draw a smaller graph"
        )
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(
            f"Graphviz failed to render .{fmt} (exit {done.returncode}): {message[0] if message else 'no output'}"
        )
    return done.stdout


def _missing_graphviz(fmt, engine="dot"):
    return (
        f"rendering to .{fmt} needs the Graphviz program '{engine}', which is not on PATH. "
        "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
        "(macOS), `conda install graphviz`, or see https://graphviz.org/download/. "
        "Saving to a .dot file works without it (render it later with `dot -Tsvg graph.dot -o graph.svg`)."
    )

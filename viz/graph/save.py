"""Writing a graph drawing to a file: DOT source without Graphviz, SVG/PNG/PDF with its ``dot`` program."""

from __future__ import annotations

import shutil
from pathlib import Path

import graphviz

__all__ = ["save", "render_bytes", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = (".dot", ".gv", ".svg", ".png", ".pdf")


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


def render_bytes(dot, fmt):
    """Render ``dot`` to ``fmt`` ("svg", "png", "pdf") with the Graphviz program; return the bytes."""
    if shutil.which("dot") is None:
        raise RuntimeError(_missing_graphviz(fmt))
    try:
        return dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(_missing_graphviz(fmt)) from None


def _missing_graphviz(fmt):
    return (
        f"rendering to .{fmt} needs the Graphviz program 'dot', which is not on PATH. "
        "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
        "(macOS), `conda install graphviz`, or see https://graphviz.org/download/. "
        "Saving to a .dot file works without it (render it later with `dot -Tsvg graph.dot -o graph.svg`)."
    )

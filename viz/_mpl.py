"""Matplotlib without side effects: the one place ``viz`` touches the backend.

Every plotting function of ``viz`` returns a :class:`matplotlib.figure.Figure`
built here. Such a figure is *not* registered with pyplot: nothing pops up,
nothing is shown, pyplot's "more than 20 figures" warning never fires, and the
figure is freed like any Python object once it is no longer referenced. Save it
with ``fig.savefig("plot.png")``; in Jupyter it displays when it is the last
expression of a cell.

On a machine without a display (a CI runner, an SSH session, a server) the
non-interactive "Agg" backend is selected before pyplot is first imported, so
code that does use pyplot (a tutorial's ``plt.plot``) cannot fail trying to open
a window. A backend the user chose (``MPLBACKEND``, Jupyter's inline backend, an
earlier ``matplotlib.use``) is left alone.
"""

from __future__ import annotations

import os
import sys

import matplotlib

__all__ = ["has_display", "ensure_backend", "new_figure"]


def has_display():
    """Whether a window could be opened: macOS and Windows always can; elsewhere X11/Wayland must be set."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def ensure_backend():
    """Select "Agg" when there is no display and nobody chose a backend yet; returns True if it did.

    Must run before ``matplotlib.pyplot`` is imported to have an effect, which is
    why ``viz`` calls it at import time and never imports pyplot itself.
    """
    chosen = (
        "matplotlib.pyplot" in sys.modules  # pyplot already picked its backend
        or os.environ.get("MPLBACKEND")  # the user said which one
        or "ipykernel" in sys.modules  # Jupyter sets its inline backend itself
    )
    if chosen or has_display():
        return False
    # Not matplotlib.get_backend(): resolving the automatic backend imports pyplot.
    matplotlib.use("Agg")
    return True


def new_figure(figsize=(6.4, 4.8), **kwargs):
    """A new, pyplot-free :class:`~matplotlib.figure.Figure` (``constrained`` layout by default).

    No pyplot means no global figure list to leak into and no ``show()``; the
    figure renders through the Agg canvas when saved.
    """
    from matplotlib.figure import Figure

    kwargs.setdefault("layout", "constrained")
    return Figure(figsize=figsize, **kwargs)


ensure_backend()

"""What every animation shares: a projector-readable figure and the animation object it returns.

Font sizes are set on each artist explicitly (titles 16 pt, axis labels 14 pt,
ticks and legends 12 pt) rather than through ``rcParams``: an animation draws its
frames later, when it is saved, and tick labels created then would otherwise take
whatever the global defaults are at that moment.
"""

from __future__ import annotations

from matplotlib.animation import FuncAnimation

from viz._mpl import new_figure

__all__ = ["TITLE", "LABEL", "TICK", "LEGEND", "animation_figure", "style_axes", "Animation"]

TITLE, LABEL, TICK, LEGEND = 16, 14, 12, 12


def animation_figure(figsize):
    """A pyplot-free figure (see :func:`viz._mpl.new_figure`) sized for a projector."""
    return new_figure(figsize=figsize)


def style_axes(ax, title=None, xlabel=None, ylabel=None):
    """Large tick labels, and the title and axis labels in the projector sizes."""
    ax.tick_params(labelsize=TICK)
    if title is not None:
        ax.set_title(title, fontsize=TITLE)
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=LABEL)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=LABEL)
    return ax


class Animation(FuncAnimation):
    """A :class:`matplotlib.animation.FuncAnimation` that also plays inline in Jupyter.

    Creating one draws and shows nothing; it renders its frames only when saved
    (:func:`viz.save_animation`) or displayed as the last expression of a notebook
    cell (``_repr_html_`` is the self-contained JavaScript player of
    :meth:`~matplotlib.animation.Animation.to_jshtml`). ``n_frames`` is the number of
    frames; the function that made it attaches what each frame shows (``history``,
    ``paths``, ...).
    """

    def __init__(self, fig, draw, n_frames, interval):
        self.n_frames = int(n_frames)
        # Lay the figure out once, on the first frame, then keep it: the constrained
        # layout would otherwise be solved again for every frame (most of the cost of
        # a frame), and the axes would shift as titles and labels change length.
        draw(0)
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
        super().__init__(fig, draw, frames=self.n_frames, interval=interval, blit=False, repeat=True,
                         cache_frame_data=False)
        # Nothing is drawn until the animation is saved or shown; matplotlib would warn
        # when such an object is garbage-collected unused, which is normal here
        # (a test that only inspects the frames, a cell that only saves a .gif).
        self._draw_was_started = True

    def _repr_html_(self):
        return self.to_jshtml()

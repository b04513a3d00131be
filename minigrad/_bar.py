"""The text of a progress bar, ``=========>..........``: one drawing for every bar minigrad shows
(the training loop's, a search's, the command line's)."""

from __future__ import annotations


def bar(done, total, width=30):
    """``done`` of ``total`` as ``width`` characters: ``=`` for the part done, ``>`` at its tip, ``.`` after."""
    filled = int(width * done / max(total, 1))
    return "=" * max(filled - 1, 0) + (">" if filled < width else "=") + "." * (width - filled)

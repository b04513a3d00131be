"""``Function``, the base of every differentiable op, lives in :mod:`minigrad.autograd`
(public as ``mg.autograd.Function``); the ops import it from here."""

from minigrad.autograd import Function

__all__ = ["Function"]

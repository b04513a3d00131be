"""Grad mode and module scopes: the switches every tensor op reads, one set per thread.

``no_grad``/``enable_grad``/``set_grad_enabled`` decide whether tensor ops record a
graph; ``scope`` stamps the module path ("layers.2") on tensors created inside a
module so a graph can be clustered by layer. Both are thread-local, as in PyTorch:
a ``no_grad`` block in one thread does not switch recording off in another.
"""

from __future__ import annotations

import contextlib
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "scope", "current_scope"]


class _State(threading.local):
    """The switches every tensor op reads, one set per thread (class values are the defaults)."""

    grad_enabled = True
    scope = ""


_state = _State()


def is_grad_enabled() -> bool:
    """True when tensor ops record the graph needed for ``backward`` (in this thread)."""
    return _state.grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Shared machinery: enter sets the mode, exit restores what was there before.

    Each ``with`` (and each call of a decorated function) works on its own copy, so
    nested, recursive and concurrent uses each restore exactly their own previous
    state -- a shared instance would let one block overwrite another's memory and
    leave grad mode off for good.
    """

    mode = True

    def _recreate_cm(self):
        fresh = object.__new__(type(self))
        fresh.mode = self.mode
        return fresh

    def __enter__(self):
        self.prev = _state.grad_enabled
        _state.grad_enabled = self.mode
        return self

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


class no_grad(_GradMode):
    """Record nothing inside the block: results have no graph and ``requires_grad=False``.

    Use it for evaluation and for parameter updates::

        with mg.no_grad():
            prediction = model(x_test)
            p -= lr * p.grad          # an in-place update of a parameter
    """

    mode = False


class enable_grad(_GradMode):
    """Record the graph inside the block even within an enclosing ``no_grad``."""

    mode = True


class set_grad_enabled(_GradMode):
    """Turn graph recording on or off, as a context manager or a decorator.

    Outside a ``with`` block the call takes effect at once (like PyTorch):
    ``set_grad_enabled(False)`` disables recording in this thread until re-enabled.
    """

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._before = _state.grad_enabled
        _state.grad_enabled = self.mode

    def __enter__(self):
        # ``with set_grad_enabled(m):`` switched already in __init__: the block must
        # restore what was there before that (a decorator's fresh copy has no _before).
        self.prev = self.__dict__.pop("_before", _state.grad_enabled)
        _state.grad_enabled = self.mode
        return self

    def __call__(self, function):
        # As a decorator it acts only while the function runs: undo the switch of __init__.
        _state.grad_enabled = self.__dict__.pop("_before", _state.grad_enabled)
        return super().__call__(function)


@contextlib.contextmanager
def scope(name: str, absolute: bool = False):
    """Stamp ``name`` (joined to any enclosing scope with ".") on tensors created inside.

    ``nn.Module`` enters the scope of its attribute path, so the tensors of the third
    layer of a ``Sequential`` carry ``scope == "2"`` (or ``"layers.2"`` when the
    Sequential is an attribute called ``layers``). With ``absolute=True`` the name
    replaces the enclosing scope instead of extending it.
    """
    prev = _state.scope
    if absolute:
        _state.scope = name
    else:
        _state.scope = f"{prev}.{name}" if prev and name else (name or prev)
    try:
        yield _state.scope
    finally:
        _state.scope = prev


def current_scope() -> str:
    """The scope string that newly created tensors receive ("" outside any module)."""
    return _state.scope

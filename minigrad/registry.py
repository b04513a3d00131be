"""``Registry``: one name → object table behind every ``get(name)`` of the package.

Activations, initializers, losses, metrics, regularizers and optimizers are all
looked up by name, and all with the same rule: case, spaces, ``-`` and ``_`` do not
matter, so ``"leaky_relu"``, ``"LeakyReLU"`` and ``"leaky-relu"`` name the same entry,
and each entry may have aliases (``"swish"`` for ``silu``, ``"xavier_normal"`` for
``glorot_normal``)::

    >>> from minigrad.registry import Registry
    >>> sizes = Registry("size", {"small": 1, "large": 3}, aliases={"big": "large"})
    >>> sizes["LARGE"], sizes["big"], sizes.canonical("Big")
    (3, 3, 'large')
    >>> sizes.resolve(len) is len          # a callable passes through
    True
    >>> sizes["huge"]
    Traceback (most recent call last):
    ...
    minigrad.registry.UnknownNameError: unknown size 'huge'; valid names: large, small (aliases: big)

A Registry is a read-only :class:`~collections.abc.Mapping` from the canonical names
(in registration order) to the entries; indexing accepts every spelling.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Registry", "UnknownNameError", "NotANameError", "normalize_name"]

_RAISE = object()  # resolve(None) is an error unless the registry says what None means


def normalize_name(name):
    """The lookup key of ``name``: lower case, without spaces, ``-`` and ``_``."""
    return "".join(name.split()).replace("_", "").replace("-", "").lower()


class UnknownNameError(ValueError, KeyError):
    """A string that names no entry. A ValueError (a bad value) and a KeyError (a missing key)."""

    def __str__(self):  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


class NotANameError(TypeError, ValueError):
    """Something that is neither a name nor (where allowed) a callable, e.g. the number 3."""


class Registry(Mapping):
    """Entries of one ``kind`` ("activation", "initializer", ...) by name.

    ``entries`` maps canonical names to objects; ``aliases`` maps other names to
    canonical ones. ``none`` is what :meth:`resolve` returns for ``None`` (by default
    ``None`` is an error). Two names that normalise to the same key must mean the
    same entry; anything else is a mistake in the table and raises at import time.
    """

    def __init__(self, kind, entries=None, aliases=None, *, none=_RAISE):
        self.kind = kind
        self.none = none
        self._entries = {}  # canonical name -> object
        self._aliases = {}  # alias -> canonical name
        self._keys = {}  # normalised spelling -> canonical name
        for name, obj in (entries or {}).items():
            self.register(name, obj)
        for alias, name in (aliases or {}).items():
            self.alias(alias, name)

    # ------------------------------------------------------------------ building
    def register(self, name, obj, aliases=()):
        """Add ``obj`` under the canonical ``name`` (and ``aliases``); returns ``obj``."""
        if name in self._entries:
            raise ValueError(f"{self.kind} registry: {name!r} is registered twice")
        self._claim(name, name)
        self._entries[name] = obj
        for alias in aliases:
            self.alias(alias, name)
        return obj

    def alias(self, alias, name):
        """Let ``alias`` name the entry ``name``. An alias that is already a spelling of it is ignored."""
        if name not in self._entries:
            raise ValueError(f"{self.kind} registry: alias {alias!r} points to unknown {name!r}")
        if self._keys.get(normalize_name(alias)) == name:
            return
        self._claim(alias, name)
        self._aliases[alias] = name

    def _claim(self, spelling, name):
        key = normalize_name(spelling)
        taken = self._keys.setdefault(key, name)
        if taken != name:
            raise ValueError(f"{self.kind} registry: {spelling!r} would name both {taken!r} and {name!r}")

    def derive(self, transform, *, kind=None, none=_RAISE):
        """A registry with the same names and aliases whose entries are ``transform(entry)``."""
        out = Registry(kind or self.kind, none=none)
        for name, obj in self._entries.items():
            out.register(name, transform(obj))
        for alias, name in self._aliases.items():
            out.alias(alias, name)
        return out

    # ------------------------------------------------------------------ lookup
    @property
    def aliases(self):
        """``{alias: canonical name}`` (a copy)."""
        return dict(self._aliases)

    def canonical(self, name):
        """The canonical name for any spelling or alias of it; an error that lists the names otherwise."""
        if not isinstance(name, str):
            raise NotANameError(
                f"{self.kind} must be a name (a string), got {name!r} of type {type(name).__name__}; "
                f"valid names: {self._listing()}"
            )
        found = self._keys.get(normalize_name(name))
        if found is None:
            raise UnknownNameError(f"unknown {self.kind} {name!r}; valid names: {self._listing()}")
        return found

    def resolve(self, identifier):
        """The entry for a name; a callable passes through; ``None`` gives the registry's ``none``.

        This is the body of every ``get(name)``: ``activation=``, ``weight_init=``,
        ``loss=`` ... accept a name, a function of one's own, or (where meaningful) None.
        """
        if identifier is None and self.none is not _RAISE:
            return self.none
        if callable(identifier) and not isinstance(identifier, str):
            return identifier
        if identifier is None or not isinstance(identifier, str):
            raise NotANameError(
                f"{self.kind} must be a name (a string) or a callable, got {identifier!r}; "
                f"valid names: {self._listing()}"
            )
        return self._entries[self.canonical(identifier)]

    def _listing(self):
        names = ", ".join(sorted(self._entries))
        if self._aliases:
            names += f" (aliases: {', '.join(sorted(self._aliases))})"
        return names

    # ------------------------------------------------------------------ Mapping
    def __getitem__(self, name):
        return self._entries[self.canonical(name)]

    def __contains__(self, name):
        return isinstance(name, str) and normalize_name(name) in self._keys

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def __repr__(self):
        return f"Registry({self.kind!r}, {len(self)} entries)"

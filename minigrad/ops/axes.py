"""Axis and shape arguments: checking them (:func:`normalize_axis`, :func:`shape_arg`)
and PyTorch's spellings of them (:func:`accepts_dim_aliases`).

minigrad follows NumPy's names, ``axis=`` and ``keepdims=``; PyTorch calls the
same arguments ``dim=`` and ``keepdim=`` (and ``flatten``'s ``start_axis``
``start_dim``). :func:`accepts_dim_aliases` lets one function take both
spellings, so code written for either library runs unchanged:

    x.sum(axis=1, keepdims=True)  ==  x.sum(dim=1, keepdim=True)

Giving both spellings of one argument is a TypeError, as a repeated keyword is
in Python. A spelling neither library uses for the argument (``dims=``, ``axes=``,
``keep_dims=``) is a TypeError that names the one to write.

A 0-d tensor accepts ``axis`` 0 and -1 and reduces over nothing, as in NumPy and
PyTorch: ``tensor(0.5).sum(axis=-1)`` is 0.5.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

__all__ = ["normalize_axis", "shape_arg", "accepts_dim_aliases", "takes_axis", "DIM_ALIASES"]

# PyTorch's name → minigrad's (NumPy's) name.
DIM_ALIASES = {"dim": "axis", "keepdim": "keepdims", "start_dim": "start_axis"}
# Near misses (other libraries' or misremembered names) → the argument they mean.
_MISSPELLINGS = {"dims": "axis", "axes": "axis", "keep_dims": "keepdims"}


def shape_arg(shape):
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike; returns a tuple of ints."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        return tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise TypeError(f"a shape is a sequence of ints, got {shape!r}") from None


def normalize_axis(op, axis, ndim):
    """``axis`` as a sorted tuple of non-negative ints (None → all axes), or a clear error.

    A 0-d tensor has no axes, but 0 and -1 are accepted for it (NumPy and PyTorch
    do the same) and give the empty tuple: nothing to reduce.
    """
    if axis is None:
        return tuple(range(ndim))
    if axis.__class__ is int and 0 <= axis < ndim:  # the common case, checked cheaply
        return (axis,)
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    span = ndim or 1  # a 0-d tensor takes axis 0 / -1 as if it had one axis
    out = []
    for ax in axes:
        if isinstance(ax, (bool, np.bool_)) or not isinstance(ax, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -span <= ax < span:
            raise ValueError(f"{op}: axis {ax} is out of range for a tensor with {ndim} dimension(s)")
        out.append(int(ax) % span)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out)) if ndim else ()


def takes_axis(fn):
    """True when ``fn`` is a plain function with an ``axis``/``keepdims``/``start_axis`` parameter."""
    if not inspect.isfunction(fn):
        return False
    return any(name in DIM_ALIASES.values() for name in inspect.signature(fn).parameters)


def accepts_dim_aliases(fn):
    """Decorate ``fn`` so that it also takes PyTorch's ``dim=``/``keepdim=`` (and ``start_dim=``).

    Only the aliases of parameters ``fn`` has are added. The alias is renamed to the
    NumPy name before ``fn`` runs; passing both names (``axis`` positionally or by
    keyword, and ``dim``) raises TypeError. A call without aliases costs one dict test.
    """
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    table = {}  # alias -> (name, position when it can be passed positionally, else None)
    for alias, name in DIM_ALIASES.items():
        if name in sig.parameters:
            p = sig.parameters[name]
            positional = p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            table[alias] = (name, params.index(p) if positional else None)
    if not table:
        raise TypeError(f"accepts_dim_aliases: {fn.__qualname__} has none of {sorted(DIM_ALIASES.values())}")
    op = fn.__name__
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params)
    hints = {} if takes_any else {
        wrong: name for wrong, name in _MISSPELLINGS.items() if name in sig.parameters and wrong not in sig.parameters
    }

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs:
            for wrong in hints.keys() & kwargs.keys():
                name = hints[wrong]
                alias = next(a for a, n in DIM_ALIASES.items() if n == name)
                raise TypeError(f"{op}() got an unexpected keyword argument '{wrong}': write {name}= (or {alias}=)")
            for alias, (name, pos) in table.items():
                if alias in kwargs:
                    if name in kwargs or (pos is not None and len(args) > pos):
                        raise TypeError(f"{op}: got both {name}= and {alias}= (the same argument); pass one")
                    kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    # help() and inspect show the aliases as keyword-only parameters
    extra = [inspect.Parameter(a, inspect.Parameter.KEYWORD_ONLY, default=None) for a in table]
    var_kw = [p for p in params if p.kind is p.VAR_KEYWORD]
    wrapper.__signature__ = sig.replace(parameters=[p for p in params if p.kind is not p.VAR_KEYWORD] + extra + var_kw)
    return wrapper

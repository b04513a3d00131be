"""``einsum(subscripts, *operands)``: Einstein summation, as ``np.einsum``.

``einsum("ij,jk->ik", a, b)`` is ``a @ b``: every letter names an axis, letters
shared by operands are multiplied along, letters missing from the output are
summed over. Without ``->`` the output is the letters that appear once, in
alphabetical order (``"ij,jk"`` → ``"ik"``); ``...`` stands for the remaining
axes, which broadcast and come first in an implicit output. A letter may repeat
within one operand (``"ii->i"`` is the diagonal, ``"ii"`` the trace), and a
length-1 axis broadcasts against its letter's length, as in NumPy.

The gradient has the same form. The output is linear in each operand, so
∂C/∂A for ``out = einsum("ij,jk->ik", A, B)`` is ``einsum("ik,jk->ij", g, B)``:
swap the operand's subscripts with the output's (Laue, Mitterreiter & Giesen,
"Computing Higher Order Derivatives of Matrix and Tensor Expressions",
NeurIPS 2018). Two cases need one more step:

* a letter of the operand that appears nowhere else was summed away, so the
  gradient is constant along it: the einsum leaves it out, and the result is
  broadcast back along that axis;
* a letter repeated within the operand (``"ii"``) reads only its diagonal: the
  einsum produces that diagonal, and a scatter puts it on the diagonal of zeros.

The gradient is itself an einsum (and a broadcast or scatter), so it can be
differentiated again. The interleaved ``einsum(a, [0, 1], b, [1, 2])`` form of
NumPy is not supported (a TypeError says so).
"""

from __future__ import annotations

import string
from collections import Counter

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.indexing import scatter_add
from minigrad.tensor import Tensor, as_tensor

__all__ = ["einsum"]

_LETTERS = string.ascii_letters


class Einsum(Function):
    """An einsum in explicit form (``terms`` → ``output``), no ellipsis, no broadcasting."""

    name = "einsum"

    def forward(self, *arrays, terms, output):
        self.terms, self.output = terms, output
        spec = ",".join(terms) + "->" + output
        return np.einsum(spec, *arrays, optimize=len(arrays) > 2)

    def backward(self, g):
        return tuple(_gradient(g, self.inputs, self.terms, self.output, i) if t.requires_grad else None
                     for i, t in enumerate(self.inputs))


def _gradient(g, tensors, terms, output, i):
    """∂C/∂(operand i): the einsum of g with the other operands, onto operand i's subscripts."""
    target = terms[i]
    sizes = dict(zip(target, tensors[i].shape))
    unique = "".join(dict.fromkeys(target))
    others = [j for j in range(len(terms)) if j != i]
    reachable = set(output).union(*(terms[j] for j in others))
    present = "".join(c for c in unique if c in reachable)
    grad = Einsum.apply(g, *(tensors[j] for j in others),
                        terms=(output,) + tuple(terms[j] for j in others), output=present)
    if present != unique:  # summed-away letters: the gradient is constant along them
        lone = tuple(sizes[c] if c in present else 1 for c in unique)
        grad = grad.reshape(lone).broadcast_to(tuple(sizes[c] for c in unique))
    if unique != target:  # repeated letters: only the diagonal was read
        index = tuple(np.arange(sizes[c]).reshape([-1 if u == c else 1 for u in unique]) for c in target)
        grad = scatter_add(grad, index, tensors[i].shape)
    return grad


def _explicit(subscripts, shapes):
    """``subscripts`` as one letter string per operand and one for the output, '...' replaced."""
    spec = subscripts.replace(" ", "")
    if spec.count("->") > 1:
        raise ValueError(f"einsum: subscripts {subscripts!r} have more than one '->'")
    lhs, arrow, out = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operand(s), got {len(shapes)}")
    for term in terms + ([out] if arrow else []):
        named = term.replace("...", "", 1)
        bad = [c for c in named if c not in _LETTERS]
        if bad:
            raise ValueError(f"einsum: {bad[0]!r} in subscripts {subscripts!r} is not a letter (or one '...')")
    free = [c for c in _LETTERS if c not in spec]
    ellipsis_ndim = 0
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        named = len(term) - 3 if "..." in term else len(term)
        if named > len(shape) or ("..." not in term and named != len(shape)):
            raise ValueError(f"einsum: operand {k} has shape {shape} but its subscripts {term!r} name "
                             f"{named} axes")
        if "..." in term:
            ellipsis_ndim = max(ellipsis_ndim, len(shape) - named)
    ellipsis = "".join(free[:ellipsis_ndim])
    # the ellipsis axes of each operand are aligned on the right, as in broadcasting
    terms = [t.replace("...", ellipsis[ellipsis_ndim - (len(s) - len(t) + 3):]) for t, s in zip(terms, shapes)]
    if not arrow:
        counts = Counter("".join(terms))
        out = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ellipsis))
    elif "..." in out:
        out = out.replace("...", ellipsis)
    elif ellipsis_ndim:
        raise ValueError(f"einsum: subscripts {subscripts!r} use '...' in the operands but not in the output")
    seen = set("".join(terms))
    for c in out:
        if c not in seen:
            raise ValueError(f"einsum: output letter {c!r} of {subscripts!r} is in no operand")
    if len(set(out)) != len(out):
        raise ValueError(f"einsum: output subscripts {out!r} repeat a letter")
    return terms, out


def einsum(subscripts, *operands):
    """``np.einsum(subscripts, *operands)``, differentiable in every operand.

    ``subscripts`` is a string such as ``"bij,bjk->bik"`` (implicit output, ``...``
    and repeated letters allowed); operands may also be given as one list.
    """
    if not isinstance(subscripts, str):
        raise TypeError("einsum: only the subscripts-string form is supported, e.g. einsum('ij,jk->ik', a, b); "
                        f"got {type(subscripts).__name__} as the first argument")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum: needs at least one operand")
    first = next((t for t in operands if isinstance(t, Tensor)), None)
    tensors = [as_tensor(t, like=first) for t in operands]
    terms, out = _explicit(subscripts, [t.shape for t in tensors])
    # one length per letter; length-1 axes broadcast to it (as NumPy allows)
    length = {}
    for k, (term, t) in enumerate(zip(terms, tensors)):
        for c, n in zip(term, t.shape):
            if length.get(c, 1) not in (1, n) and n != 1:
                raise ValueError(f"einsum: letter {c!r} has length {length[c]} in one operand and {n} in operand "
                                 f"{k} (shapes {[u.shape for u in tensors]}, subscripts {subscripts!r})")
            if n != 1 or c not in length:
                length[c] = n
    for k, (term, t) in enumerate(zip(terms, tensors)):
        full = tuple(length[c] for c in term)
        if full != t.shape:
            if any(len({n for c2, n in zip(term, t.shape) if c2 == c}) > 1 for c in term):
                raise ValueError(f"einsum: repeated letter in {term!r} has different lengths in shape {t.shape}")
            tensors[k] = t.broadcast_to(full)
    return Einsum.apply(*tensors, terms=tuple(terms), output=out)

"""``Value``: a scalar that remembers how it was computed, micrograd style.

Every operation creates a new ``Value`` holding its result, the operands it came
from (``parents``) and the *local derivative* of the result with respect to each
operand. ``backward()`` then applies the chain rule (backpropagation, Rumelhart,
Hinton & Williams 1986) from the output back to the inputs::

    dC/d(parent) += d(node)/d(parent) * dC/d(node)

visiting nodes in reverse topological order (see :mod:`minigrad.autograd`).

Storing local derivatives as plain floats at forward time -- instead of one
closure per op -- keeps each op small and fast. All arithmetic is on Python
floats, so a result equals PyTorch's float64 result on the same expression.

The class is a drop-in for ``micrograd.engine.Value``: ``.data``, ``.grad``,
``._prev`` (set of parents), ``._op``, ``relu()``, ``backward()`` behave the same.

Example::

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + b ** 2
    >>> c.backward()
    >>> a.grad, b.grad          # dc/da = b, dc/db = a + 2b
    (-3.0, -4.0)
"""

from __future__ import annotations

import math

from minigrad.autograd import backward_steps

__all__ = ["Value"]


class Value:
    """A scalar node of a computation graph.

    Parameters
    ----------
    data : float
        The value (stored as a Python ``float``).
    label : str
        A name shown in graph drawings.
    _children, _op :
        Accepted for compatibility with micrograd's constructor.
    """

    __slots__ = ("data", "grad", "label", "_parents", "_local", "_op")

    def __init__(self, data, label="", _children=(), _op=""):
        if isinstance(data, Value):
            data = data.data
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"Value needs a real number, got {type(data).__name__} {data!r}") from None
        self.grad = 0.0
        self.label = label
        self._parents = tuple(_children)
        self._local = (0.0,) * len(self._parents)
        self._op = _op

    @classmethod
    def _node(cls, data, parents, local, op):
        """Create the result of an op: ``local[i]`` is d(result)/d(parents[i])."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out._parents = parents
        out._local = local
        out._op = op
        return out

    # ------------------------------------------------------------------ graph protocol
    @property
    def parents(self):
        """The operands this value was computed from (empty for an input)."""
        return self._parents

    @property
    def op(self):
        """The operation that produced this value ("" for an input)."""
        return self._op

    @property
    def _prev(self):
        """micrograd's name for the set of parents."""
        return set(self._parents)

    @property
    def local_grads(self):
        """d(self)/d(parent) for each parent, as used by ``backward``."""
        return self._local

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other):
        """a + b;  d/da = 1, d/db = 1."""
        other = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        """a * b;  d/da = b, d/db = a."""
        other = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __truediv__(self, other):
        """a / b;  d/da = 1/b, d/db = -a/b^2 (computed as -(a/b)/b, as PyTorch does)."""
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"Value division by zero: {a!r} / 0.0")
        return Value._node(a / b, (self, other), (1.0 / b, -((a / b) / b)), "/")

    def __pow__(self, other):
        """a ** p;  d/da = p * a^(p-1), and for a Value exponent d/dp = a^p * ln(a).

        At a = 0 the power is defined for p >= 0 (0^0 = 1, as in IEEE 754 ``pow``)
        but d/da = p * 0^(p-1) is infinite when 0 < p < 1 (the square root's
        vertical tangent); the local derivative is then ``inf``, the one-sided
        limit, as PyTorch reports for ``sqrt`` at 0. A negative p at a = 0 is a
        division by zero.
        """
        if isinstance(other, Value):
            a, p = self.data, other.data
            out = _power(a, p, "Value ** Value")
            dp = out * math.log(a) if a > 0 else 0.0
            return Value._node(out, (self, other), (_power_derivative(a, p), dp), "**")
        if not isinstance(other, (int, float)):
            raise TypeError(f"Value ** {type(other).__name__}: the exponent must be a number or a Value")
        p = float(other)
        out = _power(self.data, p, f"Value ** {p:g}")
        return Value._node(out, (self,), (_power_derivative(self.data, p),), f"**{p:g}")

    def __rpow__(self, base):
        """c ** a for a number c;  d/da = c^a * ln(c)."""
        return Value(base) ** self

    def __neg__(self):
        """-a;  d/da = -1."""
        return Value._node(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other):
        """a - b;  d/da = 1, d/db = -1."""
        other = other if isinstance(other, Value) else Value(other)
        return Value._node(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return Value(other) - self

    def __rtruediv__(self, other):
        return Value(other) / self

    # ------------------------------------------------------------------ activations and functions
    def relu(self):
        """max(0, a);  d/da = 1 if a > 0 else 0 (the left derivative at 0)."""
        out = 0.0 if self.data < 0 else self.data
        return Value._node(out, (self,), (1.0 if out > 0 else 0.0,), "ReLU")

    def tanh(self):
        """tanh(a);  d/da = 1 - tanh(a)^2."""
        t = math.tanh(self.data)
        return Value._node(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self):
        """σ(a) = 1 / (1 + e^-a);  d/da = σ(a)(1 - σ(a)). Stable for large |a|."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value._node(s, (self,), ((1.0 - s) * s,), "sigmoid")

    def exp(self):
        """e^a;  d/da = e^a."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            e = math.inf
        return Value._node(e, (self,), (e,), "exp")

    def log(self):
        """ln(a) for a > 0;  d/da = 1/a."""
        if self.data <= 0:
            raise ValueError(f"Value.log: the logarithm needs a positive number, got {self.data!r}")
        return Value._node(math.log(self.data), (self,), (1.0 / self.data,), "log")

    # ------------------------------------------------------------------ backward
    def backward(self):
        """Fill ``.grad`` with d(self)/d(node): set on every computed node, accumulated on inputs.

        The chain rule runs through :func:`minigrad.autograd.backward_steps`, the
        driver the tensor engine uses too. As in PyTorch, the gradients of the
        *inputs* (leaves) accumulate: calling ``backward()`` twice doubles them, so
        reset them with ``v.grad = 0.0`` between passes (as an optimizer's
        ``zero_grad`` does). Every computed node's ``.grad`` is recomputed on each
        call, so it always holds d(self)/d(node) for this pass.
        """
        for node, g, _, _ in backward_steps([self], [1.0], value_parents, value_vjp):
            if node._parents:
                node.grad = g
            else:
                node.grad += g

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


def _power(a, p, op):
    """a ** p as a real float, with the two undefined cases named."""
    if a == 0.0 and p < 0:
        raise ZeroDivisionError(f"{op}: 0 ** {p:g} is undefined (a negative power of zero divides by zero)")
    out = a**p
    if isinstance(out, complex):
        raise ValueError(f"{op}: a negative base {a!r} with a fractional exponent {p:g} is not real")
    return float(out)


def _power_derivative(a, p):
    """d(a^p)/da = p * a^(p-1); at a = 0 with 0 < p < 1 this is +inf (the one-sided limit)."""
    if p == 0:
        return 0.0
    if a == 0.0 and p < 1:
        return math.inf
    return p * a ** (p - 1)


def value_parents(node):
    """The nodes a Value was computed from (what the backward driver follows)."""
    return node._parents


def value_vjp(node, g):
    """A Value's backward step: it sends each parent local derivative × g (a leaf sends nothing)."""
    return node._parents, [local * g for local in node._local]

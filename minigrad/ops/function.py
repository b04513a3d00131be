"""``Function``: the base of every differentiable tensor op.

An op is split in two halves, side by side in one small class:

* ``forward(self, *arrays, **params)`` computes on raw arrays (NumPy or CuPy) and
  may keep on ``self`` whatever the backward pass needs (masks, shapes, ...);
* ``backward(self, g)`` receives dC/d(output) as a ``Tensor`` and returns one
  gradient per input (a ``Tensor`` or ``None`` for inputs that get none), written
  with Tensor ops.

Because backward is made of Tensor ops, it is itself differentiable: when
``backward(create_graph=True)`` runs, those ops record a graph, and gradients of
gradients (Hessian-vector products, ``gradgradcheck``, Newton's method) come for
free. Otherwise the backward ops run with grad mode off and record nothing.

``Function.apply(*tensors, **params)`` runs forward and, when grad mode is on and
some input requires a gradient, links the output to this Function so that
:func:`minigrad.autograd.backward` can find it.
"""

from __future__ import annotations

import weakref

import numpy as np

from minigrad.autograd import _state

__all__ = ["Function"]

_ndarray = np.ndarray
_from_op = None  # Tensor._from_op, bound when minigrad.tensor finishes importing


class Function:
    """One application of an op: the node that created a Tensor.

    Class attributes a subclass sets:

    ``name``
        what graphs, errors and ``Tensor.op`` call the op;
    ``saves_output``
        True when ``backward`` uses the output tensor (``self.output()``), e.g.
        d/dx e^x = e^x. The output is held by a weak reference: the graph owns its
        tensors, and a Function never keeps its own result alive.
    """

    name = "function"
    saves_output = False
    # inputs: the parent tensors; everything an op saves lives in __dict__ and is
    # dropped by release() once backward has used it.
    __slots__ = ("inputs", "released", "_out", "__dict__")

    @classmethod
    def apply(cls, *inputs, **params):
        fn = cls.__new__(cls)
        try:
            out = fn.forward(*[t.data for t in inputs], **params)
        except (ValueError, IndexError, TypeError) as exc:
            shapes = ", ".join(str(t.shape) for t in inputs)
            raise type(exc)(f"{cls.name}: {exc} (input shapes: {shapes})") from None
        if out.__class__ is not _ndarray and isinstance(out, np.generic):
            out = np.asarray(out)  # NumPy reductions return scalars; keep arrays
        if _state.grad_enabled:
            for t in inputs:
                if t.requires_grad:
                    fn.inputs = inputs
                    fn.released = False
                    result = _from_op(out, fn)
                    if cls.saves_output:
                        fn._out = weakref.ref(result)
                    return result
        return _from_op(out, None)

    def forward(self, *arrays, **params):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, g):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def output(self):
        """The Tensor this Function produced (only for ops with ``saves_output``)."""
        return self._out()

    def release(self):
        """Free what forward saved; a later backward through this node is an error."""
        self.__dict__.clear()
        self.released = True

    def __repr__(self):
        return f"<{self.name}>"

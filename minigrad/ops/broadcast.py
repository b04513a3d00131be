"""``unbroadcast``: the one place where broadcasting is undone in backward passes.

NumPy broadcasting lets ``x`` of shape (3,) be added to ``y`` of shape (4, 3): x is
implicitly copied to every row. Each copy contributes to the output, so by the
chain rule dC/dx is the *sum* of dC/d(output) over the copies. Concretely, for a
gradient of the broadcast shape and an input of shape ``shape``:

1. the leading axes that broadcasting prepended are summed away;
2. the axes where the input had length 1 (and the output more) are summed with
   ``keepdims`` so the length-1 axis stays.

This is how a bias ``b`` in ``z = x @ W.T + b`` receives the sum of the batch's
deltas (mini-batch gradient descent: b ← b − η/m Σ δ).
"""

from __future__ import annotations

__all__ = ["unbroadcast"]


def unbroadcast(grad, shape):
    """Sum the Tensor ``grad`` down to ``shape`` (the adjoint of broadcasting to grad.shape)."""
    shape = tuple(shape)
    gshape = grad.shape
    if gshape == shape:
        return grad
    extra = len(gshape) - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and gshape[extra + i] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


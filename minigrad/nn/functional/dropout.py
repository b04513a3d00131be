"""Dropout as a function: ``dropout(x, p, training, inverted)``, the computation of ``nn.Dropout``."""

from __future__ import annotations

from minigrad.autograd import Function
from minigrad.backend import kernels, to_device
from minigrad.rng import generator
from minigrad.tensor import as_tensor

__all__ = ["dropout"]


def dropout(x, p=0.5, training=True, inverted=True):
    """Zero each unit with probability ``p`` during training (Srivastava et al. 2014).

    *Inverted* dropout (the default, as in PyTorch and Keras) scales the kept units
    by 1/(1−p) while training, so nothing changes at test time. *Vanilla* dropout
    (``inverted=False``, as in Srivastava et al. 2014) keeps units unscaled while
    training and multiplies by the keep probability 1−p at test time, which gives
    the same expectation: E_train[a] = (1−p)·E_test-unscaled[a].
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    x = as_tensor(x)
    keep = 1.0 - p
    if not training:
        return x if inverted or p == 0 else x * keep
    if p == 0:
        return x
    if p == 1:
        return x * 0.0
    mask = to_device(generator().random(x.shape) < keep, x.device)
    scale = 1.0 / keep if inverted else 1.0
    return _Dropout.apply(x, mask=mask, scale=scale)


class _Dropout(Function):
    """x ⊙ m · s for a fixed boolean mask m: linear in x, so its backward is the same op on g.

    The mask is drawn by NumPy from minigrad's generator (the same numbers with or
    without Numba) and kept as booleans; the kernel applies mask and scale in one pass.
    """

    name = "dropout"

    def forward(self, x, mask, scale):
        self.mask, self.scale = mask, scale
        return kernels.dropout(x, mask, scale)

    def backward(self, g):
        return (_Dropout.apply(g, mask=self.mask, scale=self.scale),)

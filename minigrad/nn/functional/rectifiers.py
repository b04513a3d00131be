"""Rectifiers whose negative slope is learned (PReLU) or random (RReLU).

Both are leaky ReLUs, g(z) = z for z > 0 and a·z below, that differ in where the
slope a comes from (Xu et al. 2015, "Empirical Evaluation of Rectified Activations
in Convolutional Network", compare the three):

* leaky ReLU: a fixed (``nn.functional.leaky_relu``, in the activation table);
* PReLU: a is a parameter, learned with the weights, one per channel or shared
  (He et al. 2015, "Delving Deep into Rectifiers");
* RReLU: in training each element draws its own a ~ U(lower, upper); at test time
  a is the mean (lower + upper)/2 (Xu et al. 2015).

They are not rows of the activation table (:mod:`minigrad.nn.functional.table`),
whose layers are parameter-free and behave the same in training and evaluation:
PReLU holds a parameter and RReLU depends on the mode, so their layers
(``nn.PReLU``, ``nn.RReLU``) are written out in :mod:`minigrad.nn.rectifiers`.
"""

from __future__ import annotations

from minigrad.backend import to_device
from minigrad.nn.functional.activations import _floating, leaky_relu
from minigrad.rng import generator
from minigrad.tensor import Tensor, as_tensor

__all__ = ["prelu", "rrelu"]


def prelu(x, weight):
    """PReLU g(z) = z if z > 0 else a·z, with learned slopes a = ``weight`` (He et al. 2015).

    ``weight`` holds one slope shared by every channel, or one per channel: C entries
    lined up with axis 1 of an (N, C, *) input (as PyTorch; an input of fewer than
    two dimensions has one channel). ∂g/∂z = 1 or a; ∂g/∂a = z below 0 (and 0 above),
    summed over the positions that share the slope. At z = 0 the slope is a's side.
    """
    x = _floating(x)
    weight = as_tensor(weight, like=x)
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be a vector of slopes, got shape {weight.shape}")
    c = weight.size
    if c != 1:
        channels = x.shape[1] if x.ndim >= 2 else 1
        if c != channels:
            raise ValueError(f"prelu: weight has {c} slopes but the input {x.shape} has {channels} channels "
                             "(axis 1); give 1 shared slope or one per channel")
        weight = weight.reshape((c,) + (1,) * (x.ndim - 2))
    else:
        weight = weight.reshape(())
    return x.where(x > 0, x * weight)


def rrelu(x, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """RReLU g(z) = z if z ≥ 0 else a·z, a ~ U(lower, upper) in training, (lower + upper)/2 otherwise.

    Randomized leaky ReLU (Xu et al. 2015): while training, every element draws its
    own slope from minigrad's generator (``mg.manual_seed`` makes it repeatable), a
    kind of noise that regularizes like dropout; the gradient is 1 or that element's
    a. In evaluation the slope is the expected one, which is a leaky ReLU with
    negative slope (lower + upper)/2.
    """
    if not lower <= upper:
        raise ValueError(f"rrelu: lower must be <= upper, got lower={lower}, upper={upper}")
    if not training:
        return leaky_relu(x, (lower + upper) / 2.0)
    x = _floating(x)
    slopes = generator().uniform(lower, upper, size=x.shape).astype(x.dtype)
    return x.where(x >= 0, x * Tensor.constant(to_device(slopes, x.device)))

"""``nn.functional`` (``F``): the computations of the network, as functions of tensors.

The base of :mod:`minigrad.nn`: the layers and activation modules hold parameters
and settings and call these functions; here every tensor is an argument, which is
handy for gradient checks and for writing a network by hand (as
``torch.nn.functional``)::

    from minigrad.nn import functional as F
    h = F.relu(F.affine(x, W1, b1))
    y = F.softmax(F.affine(F.dropout(h, 0.5), W2, b2))

* :mod:`~minigrad.nn.functional.activations` -- every activation g(z) with its formula;
* :mod:`~minigrad.nn.functional.table` -- the activation table (``TRAITS``): module
  class, default initializer, gain, saturation, dying units; ``ACTIVATIONS`` and
  ``get(name)`` come from it;
* :func:`affine` (z = x Wᵀ + b, the Linear layer), :mod:`~minigrad.nn.functional.dropout`,
  :mod:`~minigrad.nn.functional.normalization` (``batch_norm``, ``layer_norm``,
  ``group_norm``, ``instance_norm``);
* :mod:`~minigrad.nn.functional.rectifiers` -- ``prelu`` and ``rrelu`` (a learned or random slope);
* :mod:`~minigrad.nn.functional.loss` -- the losses under PyTorch's names (``cross_entropy``,
  ``nll_loss``, ``mse_loss``, ``l1_loss``, ``huber_loss``, ``binary_cross_entropy``,
  ``binary_cross_entropy_with_logits``, ``multi_margin_loss``);
* convolution and pooling of NCHW batches: :mod:`~minigrad.nn.functional.conv` (``conv1d``,
  ``conv2d``, ``conv_transpose2d``, ``unfold``, ``fold``), :mod:`~minigrad.nn.functional.pooling` (``max_pool1d/2d``,
  ``avg_pool1d/2d``), :mod:`~minigrad.nn.functional.upsample` (``interpolate``),
  :mod:`~minigrad.nn.functional.embedding`, :mod:`~minigrad.nn.functional.attention`
  (``scaled_dot_product_attention``).
"""

from minigrad.nn.functional.activations import *  # noqa: F403 -- relu, leaky_relu, ..., Sparsemax, SELU_*
from minigrad.nn.functional.dropout import dropout
from minigrad.nn.functional.loss import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss, l1_loss, mse_loss,
    multi_margin_loss, nll_loss,
)
from minigrad.nn.functional.normalization import batch_norm, group_norm, instance_norm, layer_norm
from minigrad.nn.functional.rectifiers import prelu, rrelu
from minigrad.nn.functional.table import ACTIVATIONS, ALIASES, TRAITS, Activation, canonical_name, get
from minigrad.ops.linalg import affine
from minigrad.ops.one_hot import one_hot  # PyTorch keeps it in torch.nn.functional
from minigrad.nn.functional.attention import scaled_dot_product_attention
from minigrad.nn.functional.conv import conv1d, conv2d, conv_transpose2d, fold, unfold
from minigrad.nn.functional.embedding import embedding
from minigrad.nn.functional.pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from minigrad.nn.functional.upsample import interpolate

__all__ = [
    *ACTIVATIONS, "Sparsemax", "SELU_ALPHA", "SELU_SCALE",
    "ACTIVATIONS", "ALIASES", "TRAITS", "Activation", "canonical_name", "get",
    "affine", "dropout", "batch_norm", "layer_norm",
    "group_norm", "instance_norm",
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "multi_margin_loss",
    "prelu", "rrelu",
    "one_hot",
    "conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "interpolate", "embedding", "scaled_dot_product_attention", "unfold", "fold",
]

"""Normalization layers for (N, C, *) inputs: BatchNorm2d, GroupNorm, InstanceNorm1d/2d.

``BatchNorm1d`` and ``LayerNorm`` are in :mod:`minigrad.nn.layers`; these complete
PyTorch's set for feature maps (NCHW). Each layer holds γ (``weight``), β (``bias``)
and, where it tracks them, the buffers ``running_mean``, ``running_var`` and
``num_batches_tracked`` (PyTorch's state_dict keys), and calls a function of
:mod:`minigrad.nn.functional.normalization`, where the formulas are.

Which values share one mean and variance, for an (N, C, H, W) batch (Wu & He 2018, Fig. 2):

* ``BatchNorm2d`` -- one channel over the batch and all positions (Ioffe & Szegedy 2015);
* ``GroupNorm`` -- one sample, one group of channels, all positions (Wu & He 2018);
* ``InstanceNorm2d`` -- one sample, one channel, all positions (Ulyanov et al. 2016);
* ``LayerNorm`` -- one sample, everything (Ba, Kiros & Hinton 2016).
"""

from __future__ import annotations

import numpy as np

from minigrad.nn.functional.normalization import group_norm, instance_norm
from minigrad.nn.layers import _BatchNorm, _NormBase, _positive_int
from minigrad.nn.module import Module, Parameter
from minigrad.tensor import as_tensor

__all__ = ["BatchNorm2d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d"]


class BatchNorm2d(_BatchNorm):
    """Batch normalization of image batches (N, C, H, W), per channel over N, H and W.

    Ioffe & Szegedy (2015), §3.2: in a convolutional layer every position of a
    feature map shares the channel's γ and β, so the statistics of a channel are
    taken over the batch *and* the positions (n = N·H·W values). The same layer as
    :class:`~minigrad.nn.layers.BatchNorm1d` otherwise -- the same fused op and
    backward, biased batch variance to normalize, unbiased for ``running_var``,
    running statistics in ``eval()``, ``momentum=None`` for a cumulative average.
    """

    _ndims = (4,)
    _shapes = "(N, {c}, H, W)"


class GroupNorm(Module):
    """Group normalization (Wu & He 2018): each sample's ``num_groups`` groups of channels
    normalized over their channels and positions (see :func:`~minigrad.nn.functional.group_norm`).

    Input (N, C, *) with C = ``num_channels``, divisible by ``num_groups``. γ (``weight``,
    ones) and β (``bias``, zeros) have one entry per channel when ``affine``. No running
    statistics: training and evaluation compute the same thing.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True):
        super().__init__()
        self.num_groups = _positive_int(num_groups, "num_groups", "GroupNorm")
        self.num_channels = _positive_int(num_channels, "num_channels", "GroupNorm")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} must be divisible by num_groups={num_groups}")
        self.eps = eps
        self.affine = affine
        self.weight = Parameter(np.ones(self.num_channels)) if affine else None
        self.bias = Parameter(np.zeros(self.num_channels)) if affine else None

    def forward(self, x):
        x = as_tensor(x, like=self.weight)
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"{self!r} expects input of shape (N, {self.num_channels}, *), got {x.shape}")
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class _InstanceNorm(_NormBase):
    """Instance normalization (Ulyanov et al. 2016): each sample's channel normalized over
    its positions (see :func:`~minigrad.nn.functional.instance_norm`).

    PyTorch's defaults: no γ, β (``affine=False``) and no running statistics
    (``track_running_stats=False``), so evaluation also uses each instance's own
    statistics. With ``track_running_stats=True`` the buffers ``running_mean``,
    ``running_var`` and ``num_batches_tracked`` are kept as in BatchNorm (the
    per-instance statistics averaged over the batch) and used in ``eval()``.
    An input without the batch axis is treated as a batch of one.
    """

    _batched_ndim = None  # 3 for InstanceNorm1d (N, C, L), 4 for InstanceNorm2d (N, C, H, W)
    _shapes = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)

    def forward(self, x):
        x = as_tensor(x, like=self.weight)
        d = self._batched_ndim
        if x.ndim not in (d - 1, d) or x.shape[x.ndim - d + 1] != self.num_features:
            raise ValueError(f"{self!r} expects input of shape {self._shapes.format(c=self.num_features)}, "
                             f"got {x.shape}")
        unbatched = x.ndim == d - 1
        if unbatched:
            x = x.unsqueeze(0)
        use_input_stats, momentum = self._running_step()
        out = instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            use_input_stats=use_input_stats, momentum=momentum, eps=self.eps)
        return out.squeeze(0) if unbatched else out

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class InstanceNorm1d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__.replace("its positions", "its positions, for (N, C, L) or (C, L) input", 1)
    _batched_ndim = 3
    _shapes = "(N, {c}, L) or ({c}, L)"


class InstanceNorm2d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__.replace("its positions", "its positions, for (N, C, H, W) or (C, H, W) input", 1)
    _batched_ndim = 4
    _shapes = "(N, {c}, H, W) or ({c}, H, W)"

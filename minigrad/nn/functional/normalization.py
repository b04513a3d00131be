"""Normalization as functions: ``batch_norm``, ``layer_norm``, ``group_norm`` and
``instance_norm``, the computations of ``nn.BatchNorm1d``/``BatchNorm2d``, ``nn.LayerNorm``,
``nn.GroupNorm`` and ``nn.InstanceNorm1d``/``2d``, taking every tensor (statistics, γ, β)
as an argument.

They differ only in the set of values that share one mean and variance, for an
input (N, C, *) (Wu & He 2018, "Group Normalization", §3, Fig. 2):

===============  =====================================================
batch_norm       per channel: over N and every spatial axis
layer_norm       per sample: over the trailing ``normalized_shape`` axes
group_norm       per sample and group of C/G channels: over those and space
instance_norm    per sample and channel: over the spatial axes
===============  =====================================================

Group and instance normalization are batch normalization of a reshaped input: with
x viewed as (1, N·G, C/G·H·W), the batch-norm statistics of its "channels" are those
of each (sample, group). So they run as the one fused batch-norm op
(:mod:`minigrad.ops.normalization`), with its one backward formula (and that
formula's own backward), and γ, β are applied per channel afterwards.
"""

from __future__ import annotations

import numpy as np

from minigrad.backend.device import module_of
from minigrad.ops.normalization import batch_norm_train
from minigrad.tensor import Tensor, as_tensor

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm"]


def _channel_shape(x, axis_len):
    """Shape that lines a per-channel vector up with axis 1 of ``x`` ((C,) → (1, C[, 1]))."""
    return (1, axis_len) + (1,) * (x.ndim - 2)


def batch_norm(x, running_mean=None, running_var=None, weight=None, bias=None,
               training=True, momentum=0.1, eps=1e-5):
    """Batch normalization over axis 1 (Ioffe & Szegedy 2015) of x (N, C, *).

    For each channel c, with μ_B and σ²_B the mean and *biased* variance over the
    batch (and length, or height and width) axes:

        x̂ = (x − μ_B) / √(σ²_B + ε),   y = γ x̂ + β

    In training the running statistics are updated in place (momentum m):
    running_mean ← (1−m)·running_mean + m·μ_B and
    running_var ← (1−m)·running_var + m·σ²_B·n/(n−1) (the *unbiased* variance,
    as PyTorch). In evaluation the running statistics replace μ_B and σ²_B.
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"batch_norm expects input of shape (N, C, *) such as (N, C) or (N, C, H, W), got {x.shape}")
    if training or running_mean is None:
        n = x.size // x.shape[1] if x.shape[1] else 0
        if n < 2:
            raise ValueError(
                f"batch_norm in training needs more than one value per channel, got input of shape {x.shape}"
            )
        # One fused op (statistics, normalization, affine; closed-form backward).
        return batch_norm_train(x, weight, bias, eps,
                                None if running_mean is None else running_mean.data,
                                None if running_var is None else running_var.data, momentum)
    shape = _channel_shape(x, x.shape[1])
    out = (x - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
    return _per_channel_affine(out, weight, bias)


def _per_channel_affine(x, weight, bias):
    """γ·x + β with γ, β of shape (C,) lined up with axis 1 (left out where None)."""
    shape = _channel_shape(x, x.shape[1])
    if weight is not None:
        x = x * weight.reshape(shape)
    if bias is not None:
        x = x + bias.reshape(shape)
    return x


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalization over the trailing ``normalized_shape`` axes of each example.

    x̂ = (x − μ) / √(σ² + ε) with μ, σ² (biased) over those axes; y = γ x̂ + β.
    Unlike BatchNorm it needs no batch statistics, so train and eval agree.
    """
    x = as_tensor(x)
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    if x.shape[x.ndim - k:] != normalized_shape:
        raise ValueError(f"layer_norm over {normalized_shape} needs input ending in that shape, got {x.shape}")
    axes = tuple(range(x.ndim - k, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    out = (x - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(x, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalization (Wu & He 2018, "Group Normalization") of x (N, C, *).

    The C channels are split into G = ``num_groups`` groups of C/G consecutive
    channels; each sample's group is normalized over its channels and spatial
    positions, with μ and the biased σ² of those values:

        x̂ = (x − μ_{n,g}) / √(σ²_{n,g} + ε),   y = γ_c x̂ + β_c

    γ (``weight``) and β (``bias``) have one entry per channel. It needs no batch
    statistics (train and eval agree, any batch size works): G = 1 is layer
    normalization over (C, *) (Ba et al. 2016) with per-channel γ, β, and G = C is
    instance normalization (Ulyanov et al. 2016).
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"group_norm expects input of shape (N, C, *), got {x.shape}")
    if isinstance(num_groups, bool) or not isinstance(num_groups, (int, np.integer)) or num_groups < 1:
        raise ValueError(f"group_norm: num_groups must be a positive integer, got {num_groups!r}")
    n, c = x.shape[:2]
    if c % num_groups:
        raise ValueError(f"group_norm: the {c} channels of input {x.shape} cannot be split into "
                         f"num_groups={num_groups} equal groups")
    _check_channel_vectors("group_norm", c, weight=weight, bias=bias)
    per_group = x.size // (n * num_groups) if n else 0
    y = batch_norm_train(x.reshape(1, n * num_groups, per_group), eps=eps).reshape(x.shape)
    return _per_channel_affine(y, weight, bias)


def instance_norm(x, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Instance normalization (Ulyanov, Vedaldi & Lempitsky 2016, "Instance Normalization:
    The Missing Ingredient for Fast Stylization") of x (N, C, L) or (N, C, H, W).

    Each sample's channel is normalized over its spatial positions alone:

        x̂ = (x − μ_{n,c}) / √(σ²_{n,c} + ε),   y = γ_c x̂ + β_c   (σ² biased)

    ``use_input_stats=False`` (a layer in eval mode that tracks running statistics)
    normalizes with ``running_mean`` / ``running_var`` instead. When
    ``use_input_stats`` and running statistics are given, they are updated in place
    as PyTorch does, with the per-instance statistics averaged over the batch:
    r_μ ← (1 − m)·r_μ + m·mean_n μ_{n,c} and r_σ² ← (1 − m)·r_σ² + m·mean_n σ²_{n,c}·L/(L − 1)
    (the unbiased variance over the L spatial positions).
    """
    x = as_tensor(x)
    if x.ndim < 3:
        raise ValueError(f"instance_norm expects input of shape (N, C, L) or (N, C, H, W), got {x.shape}")
    n, c = x.shape[:2]
    _check_channel_vectors("instance_norm", c, weight=weight, bias=bias, running_mean=running_mean,
                           running_var=running_var)
    if (running_mean is None) != (running_var is None):
        raise ValueError("instance_norm: give both running_mean and running_var, or neither")
    if not use_input_stats:
        if running_mean is None:
            raise ValueError("instance_norm: use_input_stats=False needs running_mean and running_var")
        return batch_norm(x, running_mean, running_var, weight, bias, training=False, eps=eps)
    spatial = x.size // (n * c) if n * c else int(np.prod(x.shape[2:]))
    if spatial < 2:
        raise ValueError(f"instance_norm: expected more than 1 spatial element per channel, got input of shape {x.shape}")
    mean_rows = var_rows = None
    if running_mean is not None:
        xp = module_of(x.data)
        # one copy of the running statistics per sample: the op updates them from each
        # instance's statistics; their average over the batch is the new value
        mean_rows, var_rows = (xp.tile(_array(r), n) for r in (running_mean, running_var))
    y = batch_norm_train(x.reshape(1, n * c, spatial), eps=eps, running_mean=mean_rows, running_var=var_rows,
                         momentum=momentum).reshape(x.shape)
    if running_mean is not None and n:
        _array(running_mean)[...] = mean_rows.reshape(n, c).mean(axis=0)
        _array(running_var)[...] = var_rows.reshape(n, c).mean(axis=0)
    return _per_channel_affine(y, weight, bias)


def _array(t):
    """The array of a Tensor buffer (or the array itself)."""
    return t.data if isinstance(t, Tensor) else t


def _check_channel_vectors(op, c, **vectors):
    for name, v in vectors.items():
        if v is not None and tuple(v.shape) != (c,):
            raise ValueError(f"{op}: {name} must have shape ({c},) (one entry per channel), got {tuple(v.shape)}")

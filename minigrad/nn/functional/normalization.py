"""Normalization as functions: ``batch_norm`` and ``layer_norm``, the computations of
``nn.BatchNorm1d`` and ``nn.LayerNorm``, taking every tensor (statistics, γ, β) as an argument."""

from __future__ import annotations

from minigrad.ops.normalization import batch_norm_train
from minigrad.tensor import as_tensor

__all__ = ["batch_norm", "layer_norm"]


def _channel_shape(x, axis_len):
    """Shape that lines a per-channel vector up with axis 1 of ``x`` ((C,) → (1, C[, 1]))."""
    return (1, axis_len) + (1,) * (x.ndim - 2)


def batch_norm(x, running_mean=None, running_var=None, weight=None, bias=None,
               training=True, momentum=0.1, eps=1e-5):
    """Batch normalization over axis 1 (Ioffe & Szegedy 2015).

    For each channel c, with μ_B and σ²_B the mean and *biased* variance over the
    batch (and length) axes:

        x̂ = (x − μ_B) / √(σ²_B + ε),   y = γ x̂ + β

    In training the running statistics are updated in place (momentum m):
    running_mean ← (1−m)·running_mean + m·μ_B and
    running_var ← (1−m)·running_var + m·σ²_B·n/(n−1) (the *unbiased* variance,
    as PyTorch). In evaluation the running statistics replace μ_B and σ²_B.
    """
    x = as_tensor(x)
    if x.ndim not in (2, 3):
        raise ValueError(f"batch_norm expects input of shape (N, C) or (N, C, L), got {x.shape}")
    if training or running_mean is None:
        n = x.shape[0] * (x.shape[2] if x.ndim == 3 else 1)
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
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


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

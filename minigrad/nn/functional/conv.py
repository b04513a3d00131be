"""``conv1d``, ``conv2d``, ``conv_transpose2d``: convolutions of NCHW batches, PyTorch's arguments.

Cross-correlation, as in every deep-learning library (Goodfellow, Bengio &
Courville, "Deep Learning", 2016, §9.1): for an input (N, C_in, H, W) and a
weight (C_out, C_in/groups, kH, kW),

    out[n, o] = bias[o] + Σ_c Σ_{i,j} weight[o, c, i, j] · x[n, c, p·s + i·d − pad, q·s + j·d − pad]

with output size ⌊(H + 2·pad − d·(kH − 1) − 1)/s⌋ + 1 (Dumoulin & Visin, 2016, "A
guide to convolution arithmetic for deep learning", §2–§5). ``groups`` splits the
channels into groups that are convolved separately (``groups = C_in`` is the
depthwise convolution). The transposed convolution is the convolution's adjoint
with respect to its input (the gradient of a convolution, used as a layer that
upsamples); its weight is (C_in, C_out/groups, kH, kW) and its output size
(H − 1)·s − 2·pad + d·(kH − 1) + output_padding + 1.

The computation is im2col and one matrix product (:mod:`minigrad.ops.conv`, which
also explains why each op's gradient is another of these ops). 1-D convolutions
are 2-D ones on an image of height 1. :func:`unfold` and :func:`fold` expose im2col
and its adjoint col2im themselves (each the other's gradient).
"""

from __future__ import annotations

import numpy as np

from minigrad.ops.conv import Conv2d, ConvTranspose2d, Fold, Unfold, conv_output_size
from minigrad.tensor import Tensor, as_tensor

__all__ = ["conv1d", "conv2d", "conv_transpose2d", "unfold", "fold"]


# ---------------------------------------------------------------------- arguments

def _ints(value, n, name, op, minimum):
    """``value`` (an int or a sequence of n ints, each ≥ minimum) as a tuple of n ints."""
    values = (value,) * n if isinstance(value, (int, np.integer)) else value
    try:
        values = tuple(values)
    except TypeError:
        values = None
    if (values is None or len(values) != n
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum
                       for v in values)):
        kind = "positive" if minimum > 0 else "non-negative"
        raise ValueError(f"{op}: {name} must be a {kind} int or a tuple of {n} of them, got {value!r}")
    return tuple(int(v) for v in values)


def _padding(padding, n, op, kernel, stride, dilation):
    """PyTorch's ``padding`` (an int, n ints, "valid" or "same") as (before, after) per axis."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding != "same":
            raise ValueError(f"{op}: padding must be an int, a tuple, 'valid' or 'same', got {padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' needs stride 1, got stride={stride}")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)  # the odd one on the right, as PyTorch
    return tuple((p, p) for p in _ints(padding, n, "padding", op, 0))


def _flat(pads):
    """((pt, pb), (pl, pr)) → (pt, pb, pl, pr)."""
    return tuple(p for pair in pads for p in pair)


def _groups(groups, op):
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    return int(groups)


def _check(op, x, weight, bias, groups, ndim, transposed):
    """One clear error for a mismatch of the input, weight and bias shapes."""
    spatial = "(N, C, L)" if ndim == 1 else "(N, C, H, W)"
    if x.ndim != ndim + 2:
        raise ValueError(f"{op}: input must be {ndim + 2}-D {spatial}, got shape {x.shape}")
    if weight.ndim != ndim + 2:
        layout = "(in, out/groups, kH, kW)" if transposed else "(out, in/groups" + (", k)" if ndim == 1 else ", kH, kW)")
        raise ValueError(f"{op}: weight must be {ndim + 2}-D {layout}, got shape {weight.shape}")
    c_in = x.shape[1]
    if transposed:
        c_out = weight.shape[1] * groups
        if weight.shape[0] != c_in or c_in % groups:
            raise ValueError(
                f"{op}: input has {c_in} channels but weight of shape {weight.shape} with groups={groups} "
                f"expects {weight.shape[0]} (groups must divide them) (input shape {x.shape})")
    else:
        c_out = weight.shape[0]
        if c_in % groups or c_out % groups:
            raise ValueError(
                f"{op}: groups={groups} must divide both in_channels ({c_in}) and out_channels ({c_out}) "
                f"(input shape {x.shape}, weight shape {weight.shape})")
        if weight.shape[1] * groups != c_in:
            raise ValueError(
                f"{op}: input has {c_in} channels but weight of shape {weight.shape} with groups={groups} "
                f"expects {weight.shape[1] * groups} (input shape {x.shape})")
    if bias is not None and bias.shape != (c_out,):
        raise ValueError(f"{op}: bias must have shape ({c_out},), got {bias.shape}")


def check_window(op, size, kernel, pads, dilation, what="kernel"):
    """Refuse a window (kernel·dilation) larger than the padded input, naming the shapes."""
    for n, k, (before, after), d in zip(size, kernel, pads, dilation):
        if d * (k - 1) + 1 > n + before + after:
            raise ValueError(
                f"{op}: {what} size {tuple(kernel)} (dilation {tuple(dilation)}) is larger than the padded input: "
                f"input size {tuple(size)}, padding {tuple(pads)}")


def _tensors(x, weight, bias):
    weight = weight if isinstance(weight, Tensor) else as_tensor(weight)
    x = x if isinstance(x, Tensor) else as_tensor(x, like=weight)
    if bias is not None and not isinstance(bias, Tensor):
        bias = as_tensor(bias, like=weight)
    return x, weight, bias


def _arguments(op, input, weight, bias, groups, stride, dilation, ndim, transposed):
    """The checked arguments every convolution starts from: tensors, groups, stride and dilation tuples."""
    x, weight, bias = _tensors(input, weight, bias)
    groups = _groups(groups, op)
    _check(op, x, weight, bias, groups, ndim, transposed)
    return (x, weight, bias, groups, _ints(stride, ndim, "stride", op, 1),
            _ints(dilation, ndim, "dilation", op, 1))


def _transposed_size(size, kernel, stride, padding, dilation, output_padding):
    """Per axis, (n − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1: the output
    size of a transposed convolution."""
    return tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1
                 for n, k, s, p, d, e in zip(size, kernel, stride, padding, dilation, output_padding))


# ---------------------------------------------------------------------- the functions

def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) of ``input`` (N, C_in, H, W) with ``weight``
    (C_out, C_in/groups, kH, kW), plus ``bias`` (C_out,): PyTorch's ``conv2d``.

    ``stride``, ``dilation``: ints or pairs; ``padding``: an int, a pair, ``"valid"``
    (none) or ``"same"`` (output as large as the input; stride 1).
    """
    op = "conv2d"
    x, weight, bias, groups, stride, dilation = _arguments(op, input, weight, bias, groups, stride, dilation, 2,
                                                           transposed=False)
    kernel = weight.shape[2:]
    pads = _padding(padding, 2, op, kernel, stride, dilation)
    check_window(op, x.shape[2:], kernel, pads, dilation)
    args = (x, weight) if bias is None else (x, weight, bias)
    return Conv2d.apply(*args, stride=stride, padding=_flat(pads), dilation=dilation, groups=groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of ``input`` (N, C_in, L) with ``weight`` (C_out, C_in/groups, k):
    PyTorch's ``conv1d`` (computed as a 2-D convolution of height 1)."""
    op = "conv1d"
    x, weight, bias, groups, (stride,), (dilation,) = _arguments(op, input, weight, bias, groups, stride, dilation,
                                                                 1, transposed=False)
    (pads,) = _padding(padding, 1, op, weight.shape[2:], (stride,), (dilation,))
    check_window(op, x.shape[2:], weight.shape[2:], (pads,), (dilation,))
    x4 = x.unsqueeze(2)
    args = (x4, weight.unsqueeze(2)) + (() if bias is None else (bias,))
    y = Conv2d.apply(*args, stride=(1, stride), padding=(0, 0) + pads, dilation=(1, dilation), groups=groups)
    return y.squeeze(2)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution of ``input`` (N, C_in, H, W) with ``weight``
    (C_in, C_out/groups, kH, kW), plus ``bias`` (C_out,): PyTorch's ``conv_transpose2d``
    (same argument order). Output size (H − 1)·stride − 2·padding + dilation·(kH − 1)
    + output_padding + 1; ``output_padding`` (< stride) picks among the sizes that a
    convolution with these settings maps to the input's size.
    """
    op = "conv_transpose2d"
    x, weight, bias, groups, stride, dilation = _arguments(op, input, weight, bias, groups, stride, dilation, 2,
                                                           transposed=True)
    kernel = weight.shape[2:]
    pad = _ints(padding, 2, "padding", op, 0)
    extra = _ints(output_padding, 2, "output_padding", op, 0)
    if any(e >= s for e, s in zip(extra, stride)):
        raise ValueError(f"{op}: output_padding {extra} must be smaller than stride {stride}")
    size = _transposed_size(x.shape[2:], kernel, stride, pad, dilation, extra)
    if any(n < 1 for n in size):
        raise ValueError(f"{op}: padding {pad} leaves no output for input shape {x.shape} and weight shape "
                         f"{weight.shape} (output size {size})")
    padding4 = (pad[0], pad[0], pad[1], pad[1])
    assert conv_output_size(size, kernel, stride, padding4, dilation) == tuple(x.shape[2:])
    args = (x, weight) if bias is None else (x, weight, bias)
    return ConvTranspose2d.apply(*args, stride=stride, padding=padding4, dilation=dilation, groups=groups,
                                 size=size)


def _window_args(op, kernel_size, dilation, padding, stride):
    kernel = _ints(kernel_size, 2, "kernel_size", op, 1)
    dilation = _ints(dilation, 2, "dilation", op, 1)
    pad = _ints(padding, 2, "padding", op, 0)
    stride = _ints(stride, 2, "stride", op, 1)
    return kernel, dilation, ((pad[0], pad[0]), (pad[1], pad[1])), stride


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding kH × kW blocks of ``input`` (N, C, H, W) as columns: (N, C·kH·kW, L), L the
    number of block positions (im2col; PyTorch's ``unfold``). ``F.unfold(x, k)`` followed by a
    matrix product with a (C_out, C·kH·kW) weight is a convolution."""
    op = "unfold"
    x = input if isinstance(input, Tensor) else as_tensor(input)
    if x.ndim != 4:
        raise ValueError(f"{op}: input must be 4-D (N, C, H, W), got shape {x.shape}")
    kernel, dilation, pads, stride = _window_args(op, kernel_size, dilation, padding, stride)
    check_window(op, x.shape[2:], kernel, pads, dilation)
    return Unfold.apply(x, kernel=kernel, stride=stride, padding=_flat(pads), dilation=dilation)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns (N, C·kH·kW, L) summed back into an (N, C, *output_size) image (col2im; PyTorch's
    ``fold``): where blocks overlap, their entries add up. The adjoint of :func:`unfold`."""
    op = "fold"
    cols = input if isinstance(input, Tensor) else as_tensor(input)
    kernel, dilation, pads, stride = _window_args(op, kernel_size, dilation, padding, stride)
    size = _ints(output_size, 2, "output_size", op, 1)
    if cols.ndim != 3 or cols.shape[1] % (kernel[0] * kernel[1]):
        raise ValueError(f"{op}: input must be 3-D (N, C·kH·kW, L) with C·kH·kW divisible by {kernel[0] * kernel[1]}, "
                         f"got shape {cols.shape}")
    check_window(op, size, kernel, pads, dilation)
    blocks = conv_output_size(size, kernel, stride, _flat(pads), dilation)
    if cols.shape[2] != blocks[0] * blocks[1]:
        raise ValueError(f"{op}: input has {cols.shape[2]} blocks but output_size {size} with kernel {kernel} holds "
                         f"{blocks[0]}×{blocks[1]} = {blocks[0] * blocks[1]} (input shape {cols.shape})")
    return Fold.apply(cols, size=size, kernel=kernel, stride=stride, padding=_flat(pads), dilation=dilation)

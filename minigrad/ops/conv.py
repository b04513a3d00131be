"""2-D convolution, its transpose and its weight gradient: three ops, each the others' backward.

For x (N, C, H, W) and a weight W (O, C/G, kh, kw) in G groups (cross-correlation, as
in every deep-learning library; Goodfellow, Bengio & Courville, "Deep Learning",
2016, §9.1 and §9.5), with o in group γ and c running over that group's C/G input
channels,

    conv(x, W)[n, o, p, q] = Σ_{c,i,j} W[o, c, i, j] · x[n, γ·C/G + c, p·sh + i·dh − pt, q·sw + j·dw − pl]

(zero outside x; stride s, dilation d, padding (pt, pb, pl, pr)). The map is bilinear
in (x, W), and three linear maps make its calculus (Dumoulin & Visin, 2016, "A guide
to convolution arithmetic for deep learning", §4):

* ``conv(x, W)``: the convolution, im2col(x) multiplied by W as a matrix;
* ``conv_transpose(u, W)``: its adjoint in x, ⟨conv_transpose(u, W), x⟩ = ⟨u, conv(x, W)⟩,
  i.e. Wᵀ times u, put back with col2im (the "transposed convolution", whose weight
  (C_u, C_out/G, kh, kw) is therefore laid out (in, out/G, kh, kw), as in PyTorch);
* ``conv_weight_grad(x, g)``: its adjoint in W, ⟨conv_weight_grad(x, g), V⟩ = ⟨g, conv(x, V)⟩,
  i.e. g times im2col(x)ᵀ.

With upstream gradients, every derivative is one of the three again:

    y = conv(x, W):            dx = conv_transpose(g, W),   dW = conv_weight_grad(x, g)
    z = conv_transpose(u, W):  du = conv(g, W),             dW = conv_weight_grad(g, u)
    V = conv_weight_grad(x, g): dx = conv_transpose(g, H),  dg = conv(x, H)     (H = dC/dV)

and a bias b adds Σ_{n,p,q} g to its gradient. So gradients of gradients are exact
to any order with no second formula. Each op takes its geometry as keyword
parameters: ``stride`` (sh, sw), ``padding`` (pt, pb, pl, pr), ``dilation`` (dh, dw),
``groups`` G; the transposed op also the output ``size`` (H, W) (one input size maps
to several output sizes: PyTorch's ``output_padding`` picks one), and the weight
gradient the ``kernel`` (kh, kw).

im2col and col2im are also ops of their own, :class:`Unfold` and :class:`Fold`
(PyTorch's ``unfold``/``fold``): both linear, each the other's adjoint, so each is
the other's gradient.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import Function
from minigrad.backend import conv as backend
from minigrad.backend import pool
from minigrad.backend.blas import matmul
from minigrad.dtypes import PROMOTE

__all__ = ["Conv2d", "ConvTranspose2d", "ConvWeightGrad", "Unfold", "Fold", "conv_output_size"]


def conv_output_size(size, kernel, stride, padding, dilation):
    """(Ho, Wo) of a convolution of an (H, W) image (``padding`` top, bottom, left, right)."""
    return (backend.output_size(size[0], kernel[0], stride[0], padding[0], padding[1], dilation[0]),
            backend.output_size(size[1], kernel[1], stride[1], padding[2], padding[3], dilation[1]))


def _geometry(op):
    return dict(stride=op.stride, padding=op.padding, dilation=op.dilation, groups=op.groups)


def _keep(op, stride, padding, dilation, groups):
    op.stride, op.padding, op.dilation, op.groups = stride, padding, dilation, groups


def _by_group(a, groups):
    """(rows, cols) → (G, rows/G, cols): one matrix per group, for one batched product."""
    return a.reshape(groups, a.shape[0] // groups, a.shape[1])


def _copy(a):
    """A C-contiguous copy of ``a``; of a NumPy array, into a pooled buffer (no page faults)."""
    if a.__class__ is not np.ndarray:
        return a.copy()
    out = pool.empty(a.shape, a.dtype)
    np.copyto(out, a)
    return out


def _channels_first(g):
    """(N, O, Ho, Wo) → (O, N·Ho·Wo): the layout im2col's columns are in."""
    n, o = g.shape[:2]
    return _copy(g.transpose(1, 0, 2, 3)).reshape(o, -1)


# Columns with fewer rows than this (C·kh·kw: a one-channel input) make products too thin
# for OpenBLAS to run fast; one product per example (NumPy's batched matmul) is then faster,
# and lays the convolution out as (N, O, Ho·Wo) without a transpose. Measured for the
# 1 → 16 channel 3 × 3 convolution of 256 8 × 8 images (one thread): forward with its
# transpose 0.20 → 0.05 ms, weight gradient with the copy of g it spares 0.26 → 0.11 ms;
# for 16 → 32 channels (C·kh·kw = 144) the batched products are slower (0.51 vs 0.43 ms).
THIN = 16


def _conv_by_example(w2, cols, n):
    """w2 (O, C·kh·kw) @ cols[:, n] (C·kh·kw, Ho·Wo) for each example n: the convolution as
    (N, O, Ho·Wo), for cols (C·kh·kw, N·Ho·Wo)."""
    return matmul(w2, cols.reshape(cols.shape[0], n, -1).transpose(1, 0, 2))


def _weight_grad_by_example(g, cols):
    """Σ_n g[n] (O, Ho·Wo) @ cols[:, n]ᵀ (Ho·Wo, C·kh·kw) → (O, C·kh·kw): the weight gradient
    as one small product per example (batched), for g (N, O, Ho, Wo) and cols (C·kh·kw, N·Ho·Wo)."""
    n, o = g.shape[:2]
    return matmul(g.reshape(n, o, -1), cols.reshape(cols.shape[0], n, -1).transpose(1, 2, 0)).sum(axis=0)


def _bias_grad(g):
    """Σ_{n,p,q} g: over the batch first (whole planes added at once), then over each plane --
    five times faster in NumPy than one reduction over the axes (0, 2, 3)."""
    return g.sum(axis=0).sum(axis=(1, 2))


class Conv2d(Function):
    """y = conv(x, W) (+ b): x (N, C, H, W), W (O, C/G, kh, kw), b (O,) → y (N, O, Ho, Wo)."""

    name = "conv2d"
    dtype_rule = PROMOTE

    def forward(self, x, w, b=None, *, stride, padding, dilation, groups):
        _keep(self, stride, padding, dilation, groups)
        n = x.shape[0]
        o, kernel = w.shape[0], w.shape[2:]
        out = conv_output_size(x.shape[2:], kernel, stride, padding, dilation)
        cols = backend.im2col(x, kernel, stride, padding, dilation, out)  # (C·kh·kw, N·Ho·Wo)
        self.cols = cols  # the weight gradient multiplies by them again
        if groups == 1 and cols.shape[0] < THIN:
            y = _conv_by_example(w.reshape(o, -1), cols, n)  # (N, O, Ho·Wo), no transpose to make
            if b is not None:
                y += b.reshape(1, o, 1).astype(y.dtype, copy=False)
            return y.reshape((n, o) + out)
        if groups == 1:
            y = matmul(w.reshape(o, -1), cols)  # the whole convolution: one BLAS call
        else:
            y = matmul(_by_group(w.reshape(o, -1), groups), _by_group(cols, groups)).reshape(o, -1)
        if b is not None:
            y += b.reshape(o, 1).astype(y.dtype, copy=False)
        # (O, N, Ho, Wo) → (N, O, Ho, Wo), contiguous as the next op's kernels want it
        return _copy(y.reshape((o, n) + out).transpose(1, 0, 2, 3))

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        # both products read g channels first: make that copy once (a cache, like ``cols``)
        channels = _channels_first(g.data) if x.requires_grad and w.requires_grad else None
        gx = (ConvTranspose2d.apply(g, w, size=x.shape[2:], channels=channels, **_geometry(self))
              if x.requires_grad else None)
        gw = (ConvWeightGrad.apply(x, g, kernel=w.shape[2:], cols=self.cols, channels=channels, **_geometry(self))
              if w.requires_grad else None)
        if len(self.inputs) == 2:
            return gx, gw
        return gx, gw, (_bias_grad(g) if self.inputs[2].requires_grad else None)


class ConvTranspose2d(Function):
    """z = conv_transpose(u, W) (+ b): u (N, O, Ho, Wo), W (O, C/G, kh, kw), b (C,) → z (N, C, *size)."""

    name = "conv_transpose2d"
    dtype_rule = PROMOTE

    def forward(self, u, w, b=None, *, stride, padding, dilation, groups, size, channels=None):
        _keep(self, stride, padding, dilation, groups)
        n, o = u.shape[:2]
        c, kernel = w.shape[1] * groups, w.shape[2:]
        w2 = w.reshape(o, -1)  # (O, C/G·kh·kw)
        if channels is None or channels.dtype != u.dtype:  # (``channels``: u channels first, when known)
            channels = _channels_first(u)
        if groups == 1:
            cols = matmul(w2.T, channels)
        else:
            cols = matmul(_by_group(w2, groups).transpose(0, 2, 1), _by_group(channels, groups))
            cols = cols.reshape(c * kernel[0] * kernel[1], -1)
        z = backend.col2im(cols, (n, c) + tuple(size), kernel, stride, padding, dilation, u.shape[2:])
        if b is not None:
            z += b.reshape(1, c, 1, 1).astype(z.dtype, copy=False)
        return z

    def backward(self, g):
        u, w = self.inputs[0], self.inputs[1]
        gu = Conv2d.apply(g, w, **_geometry(self)) if u.requires_grad else None
        gw = ConvWeightGrad.apply(g, u, kernel=w.shape[2:], **_geometry(self)) if w.requires_grad else None
        if len(self.inputs) == 2:
            return gu, gw
        return gu, gw, (_bias_grad(g) if self.inputs[2].requires_grad else None)


class ConvWeightGrad(Function):
    """V = conv_weight_grad(x, g): x (N, C, H, W), g (N, O, Ho, Wo) → V (O, C/G, kh, kw),
    V[o, c, i, j] = Σ_{n,p,q} g[n, o, p, q] · x[n, γ·C/G + c, p·sh + i·dh − pt, q·sw + j·dw − pl]."""

    name = "conv2d_weight_grad"
    dtype_rule = PROMOTE

    def forward(self, x, g, *, stride, padding, dilation, groups, kernel, cols=None, channels=None):
        _keep(self, stride, padding, dilation, groups)
        c, o = x.shape[1], g.shape[1]
        if cols is None or cols.dtype != x.dtype:  # (``cols``: im2col(x), when the forward pass kept it)
            cols = backend.im2col(x, kernel, stride, padding, dilation, g.shape[2:])
        if groups == 1 and cols.shape[0] < THIN and channels is None:
            return _weight_grad_by_example(g, cols).reshape((o, c) + tuple(kernel))
        # (O, N·Ho·Wo); ``channels``: the same, when the caller has it
        g2 = channels if channels is not None and channels.dtype == g.dtype else _channels_first(g)
        if groups == 1:
            # With more rows of columns than output channels (C·kh·kw > O), (cols @ g2ᵀ)ᵀ is the
            # faster product: OpenBLAS runs g2 @ colsᵀ (a transposed right factor) 1.4× slower
            # (0.60 vs 0.43 ms for 32 × 4,096 times 4,096 × 144, one thread).
            v = matmul(cols, g2.T).T if cols.shape[0] > o else matmul(g2, cols.T)
        else:
            v = matmul(_by_group(g2, groups), _by_group(cols, groups).transpose(0, 2, 1))
        return v.reshape((o, c // groups) + tuple(kernel))

    def backward(self, h):
        x, g = self.inputs
        gx = ConvTranspose2d.apply(g, h, size=x.shape[2:], **_geometry(self)) if x.requires_grad else None
        gg = Conv2d.apply(x, h, **_geometry(self)) if g.requires_grad else None
        return gx, gg


class Unfold(Function):
    """cols = im2col(x) as PyTorch's ``unfold`` lays it out: x (N, C, H, W) → (N, C·kh·kw, Ho·Wo),
    column l of example n holding the receptive field of output position l. Linear in x,
    with :class:`Fold` (col2im) as its adjoint, and vice versa."""

    name = "unfold"
    needs_inputs = False

    def forward(self, x, *, kernel, stride, padding, dilation):
        self.geometry = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation)
        n, c = x.shape[:2]
        out = conv_output_size(x.shape[2:], kernel, stride, padding, dilation)
        cols = backend.im2col(x, kernel, stride, padding, dilation, out)  # (C·kh·kw, N·L)
        return cols.reshape(cols.shape[0], n, -1).transpose(1, 0, 2).copy()

    def backward(self, g):
        (x,) = self.inputs
        return (Fold.apply(g, size=x.shape[2:], **self.geometry),)


class Fold(Function):
    """x = col2im(cols): (N, C·kh·kw, L) → (N, C, *size), each column entry added to the pixel
    it belongs to (PyTorch's ``fold``); the adjoint of :class:`Unfold`."""

    name = "fold"
    needs_inputs = False

    def forward(self, cols, *, size, kernel, stride, padding, dilation):
        self.geometry = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation)
        n, rows = cols.shape[:2]
        c = rows // (kernel[0] * kernel[1])
        out = conv_output_size(size, kernel, stride, padding, dilation)
        flat = cols.transpose(1, 0, 2).reshape(rows, -1)
        return backend.col2im(flat, (n, c) + tuple(size), kernel, stride, padding, dilation, out)

    def backward(self, g):
        return (Unfold.apply(g, **self.geometry),)

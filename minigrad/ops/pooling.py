"""Max pooling and its backward, a scatter to the argmax: two ops, each the other's derivative.

For x (N, C, H, W), each output is the largest pixel of its window,
y[n, c, p, q] = x[n, c, a(n, c, p, q)] with a the (first) argmax of the window
(Goodfellow, Bengio & Courville, "Deep Learning", 2016, §9.3). Locally y is a
selection, linear in x, so

    dx = scatter(g, a):  dx[a(k)] += g[k]   (a pixel that is the maximum of two
                                             overlapping windows gets both)

and the scatter, linear in g, has the gather as its derivative:
d⟨G, scatter(g, a)⟩/dg = G[a]. The argmax a is kept by the forward pass: it is
piecewise constant in x, so second derivatives through max pooling are those of
a selection (zero curvature), as for ``max`` and ``relu``.
"""

from __future__ import annotations

from minigrad.autograd import Function
from minigrad.backend import conv as backend
from minigrad.dtypes import FLOAT
from minigrad.ops.conv import conv_output_size
from minigrad.tensor import Tensor

__all__ = ["MaxPool2d", "MaxPoolScatter"]


class MaxPool2d(Function):
    """y = the maximum of each window of x (N, C, H, W) (padding never wins)."""

    name = "max_pool2d"
    dtype_rule = FLOAT
    needs_inputs = False  # the backward needs the argmax and x's shape only

    def forward(self, x, *, kernel, stride, padding, dilation):
        out = conv_output_size(x.shape[2:], kernel, stride, padding, dilation)
        values, index = backend.max_pool(x, kernel, stride, padding, dilation, out)
        # A dilated window can fall entirely in the padding (kernel 2, dilation 2, padding 1
        # on one pixel): its maximum is -inf, its argmax -1, and it sends no gradient.
        empty = index < 0
        self.empty = empty if empty.any() else None
        self.index = index if self.empty is None else index * ~empty  # any valid place; its g is zeroed
        return values

    def backward(self, g):
        (x,) = self.inputs
        if self.empty is not None:
            g = g * Tensor.constant(~self.empty, dtype=g.dtype)
        return (MaxPoolScatter.apply(g, index=self.index, shape=x.shape),)


class MaxPoolScatter(Function):
    """dx = zeros(shape) with g[k] added at the flat index ``index[k]`` (max pooling's backward)."""

    name = "max_pool2d_backward"
    needs_inputs = False

    def forward(self, g, *, index, shape):
        self.index = index
        size = 1
        for n in shape:
            size *= n
        return backend.max_pool_scatter(g, index, size).reshape(shape)

    def backward(self, gg):
        return (gg.reshape(-1)[self.index],)

"""Direct float64 loops for convolution and pooling: the definitions, one output at a time."""

import numpy as np


def conv2d(x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    n, c, h, width = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, ho, wo))
    per_group = o // groups
    for b_ in range(n):
        for oc in range(o):
            first = (oc // per_group) * cg
            for p in range(ho):
                for q in range(wo):
                    total = 0.0 if b is None else b[oc]
                    for ci in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                r, s = p * sh + i * dh - ph, q * sw + j * dw - pw
                                if 0 <= r < h and 0 <= s < width:
                                    total += w[oc, ci, i, j] * x[b_, first + ci, r, s]
                    y[b_, oc, p, q] = total
    return y


def conv_transpose2d(u, w, b=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0), groups=1,
                     dilation=(1, 1)):
    n, cu, hu, wu = u.shape
    _, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    ho = (hu - 1) * sh - 2 * ph + dh * (kh - 1) + output_padding[0] + 1
    wo = (wu - 1) * sw - 2 * pw + dw * (kw - 1) + output_padding[1] + 1
    z = np.zeros((n, cg * groups, ho, wo))
    per_group = cu // groups
    for b_ in range(n):
        for oc in range(cu):
            first = (oc // per_group) * cg
            for p in range(hu):
                for q in range(wu):
                    for ci in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                r, s = p * sh + i * dh - ph, q * sw + j * dw - pw
                                if 0 <= r < ho and 0 <= s < wo:
                                    z[b_, first + ci, r, s] += u[b_, oc, p, q] * w[oc, ci, i, j]
    if b is not None:
        z += np.asarray(b).reshape(1, -1, 1, 1)
    return z


def _pool_size(n, k, s, p, d, ceil_mode):
    span = n + 2 * p - d * (k - 1) - 1
    o = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def max_pool2d(x, kernel, stride, padding=(0, 0), dilation=(1, 1), ceil_mode=False):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    ho, wo = _pool_size(h, kh, sh, ph, dh, ceil_mode), _pool_size(w, kw, sw, pw, dw, ceil_mode)
    y = np.full((n, c, ho, wo), -np.inf)
    for p in range(ho):
        for q in range(wo):
            for i in range(kh):
                for j in range(kw):
                    r, s = p * sh + i * dh - ph, q * sw + j * dw - pw
                    if 0 <= r < h and 0 <= s < w:
                        y[:, :, p, q] = np.maximum(y[:, :, p, q], x[:, :, r, s])
    return y


def avg_pool2d(x, kernel, stride, padding=(0, 0), ceil_mode=False, count_include_pad=True, divisor_override=None):
    """PyTorch's definition: the window clipped to the padded input, then to the input."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho, wo = _pool_size(h, kh, sh, ph, 1, ceil_mode), _pool_size(w, kw, sw, pw, 1, ceil_mode)
    y = np.zeros((n, c, ho, wo))
    for p in range(ho):
        for q in range(wo):
            h0, w0 = p * sh - ph, q * sw - pw
            h1, w1 = min(h0 + kh, h + ph), min(w0 + kw, w + pw)
            size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
            total = x[:, :, h0:h1, w0:w1].sum(axis=(2, 3))
            divisor = divisor_override or (size if count_include_pad else (h1 - h0) * (w1 - w0))
            y[:, :, p, q] = total / divisor
    return y

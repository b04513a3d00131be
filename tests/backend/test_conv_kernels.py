"""The convolution and pooling kernels against their NumPy twins, and whole ops with Numba on and off.

im2col, col2im and max pooling only move numbers (col2im adds in the twin's
order), so they equal the twins bit for bit; the scatter of the max-pool gradient
agrees to rounding (NumPy sums repeated indices in float64).
"""

import numpy as np
import pytest

import minigrad as mg
from minigrad.backend import conv as backend
from minigrad.backend import kernels
from minigrad.nn import functional as F
from minigrad.ops.conv import conv_output_size

# (shape, kernel, stride, padding (top, bottom, left, right), dilation)
GEOMETRIES = [
    ((2, 3, 7, 6), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
    ((1, 2, 9, 8), (2, 3), (2, 3), (0, 1, 2, 0), (2, 1)),
    ((3, 1, 5, 5), (1, 1), (2, 2), (0, 0, 0, 0), (1, 1)),
    ((2, 4, 6, 9), (3, 2), (1, 2), (1, 2, 1, 1), (1, 3)),
    ((2, 3, 8, 7), (2, 2), (2, 2), (0, 0, 0, 0), (1, 1)),  # 2 × 2 windows without padding: their own kernel
    ((1, 2, 7, 9), (2, 2), (1, 3), (0, 0, 0, 0), (2, 1)),
]

POOLABLE = GEOMETRIES[0], GEOMETRIES[2], GEOMETRIES[3], GEOMETRIES[4], GEOMETRIES[5]


def _geometry(shape, kernel, stride, padding, dilation):
    return kernel, stride, padding, dilation, conv_output_size(shape[2:], kernel, stride, padding, dilation)


@pytest.mark.parametrize("dtype, threaded", [(np.float32, False), (np.float64, False), (np.float32, True)],
                         ids=["float32", "float64", "float32-threaded"])
@pytest.mark.parametrize("case", GEOMETRIES)
def test_kernels_equal_their_twins(forced, monkeypatch, dtype, threaded, case):
    monkeypatch.setattr(kernels, "PARALLEL_MIN_SIZE", 0 if threaded else None)
    shape = case[0]
    geometry = _geometry(*case)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    x.flat[::7] = x.flat[3]  # ties inside windows
    cols = backend.im2col(x, *geometry)
    np.testing.assert_array_equal(cols, backend.im2col_numpy(x, *geometry))
    back = rng.standard_normal(cols.shape).astype(dtype)
    np.testing.assert_array_equal(backend.col2im(back, shape, *geometry), backend.col2im_numpy(back, shape, *geometry))

    if case in POOLABLE:  # padding at most half the window: every window holds a pixel
        values, index = backend.max_pool(x, *geometry)
        want_values, want_index = backend.max_pool_numpy(x, *geometry)
        np.testing.assert_array_equal(values, want_values)
        np.testing.assert_array_equal(index, want_index)
        g = rng.standard_normal(values.shape).astype(dtype)
        tol = 1e-6 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(backend.max_pool_scatter(g, index, x.size),
                                   backend.max_pool_scatter_numpy(g, index, x.size), rtol=tol, atol=tol)


def test_max_pool_kernel_keeps_nan_as_the_twin(forced):
    x = np.array([[[[1.0, np.nan, 3.0, 2.0], [np.nan, 0.0, -1.0, 5.0]]]])
    geometry = _geometry(x.shape, (2, 2), (2, 2), (0, 0, 0, 0), (1, 1))
    values, index = backend.max_pool(x, *geometry)
    want_values, want_index = backend.max_pool_numpy(x, *geometry)
    np.testing.assert_array_equal(values, want_values)
    np.testing.assert_array_equal(index, want_index)
    assert index.ravel().tolist() == [1, 7]


def test_2x2_max_pool_kernel_with_infinities_and_nan(forced):
    # inf − inf is NaN too: the kernel's NaN probe (the sum of the window) must not pick a NaN that is not there
    inf, nan = np.inf, np.nan
    x = np.array([[[[-inf, 1.0, inf, -inf, 2.0, nan], [inf, 3.0, 0.0, inf, nan, inf]]]], dtype=np.float32)
    geometry = _geometry(x.shape, (2, 2), (2, 2), (0, 0, 0, 0), (1, 1))
    values, index = backend.max_pool(x, *geometry)
    assert values.ravel().tolist()[:2] == [inf, inf] and np.isnan(values.ravel()[2])
    assert index.ravel().tolist() == [6, 2, 5]
    want_values, want_index = backend.max_pool_numpy(x, *geometry)
    np.testing.assert_array_equal(values, want_values)
    np.testing.assert_array_equal(index, want_index)


def _max_pool_matches_twin(x, case):
    geometry = _geometry(*case)
    values, index = backend.max_pool(x, *geometry)
    want_values, want_index = backend.max_pool_numpy(x, *geometry)
    return np.array_equal(values, want_values, equal_nan=True) and np.array_equal(index, want_index)


def test_a_wrong_2x2_max_pool_kernel_is_caught(forced, monkeypatch):
    """The 2 × 2 kernel is the one compared above: one that keeps the last of tied maxima
    (``>=`` for ``>``) no longer matches its twin."""
    x = np.random.default_rng(2).standard_normal(GEOMETRIES[4][0])
    x.flat[::3] = 1.0  # ties
    assert _max_pool_matches_twin(x, GEOMETRIES[4])

    def last_of_ties(x, sh, sw, dh, dw, values, index):
        n, c, h, w = x.shape
        for p in range(n * c):
            for oh in range(values.shape[2]):
                for ow in range(values.shape[3]):
                    best, at = -np.inf, 0
                    for i in range(2):
                        for j in range(2):
                            r, q = oh * sh + i * dh, ow * sw + j * dw
                            if x[p // c, p % c, r, q] >= best:
                                best, at = x[p // c, p % c, r, q], p * h * w + r * w + q
                    values[p // c, p % c, oh, ow], index[p // c, p % c, oh, ow] = best, at

    monkeypatch.setattr(kernels._load().serial, "max_pool_2x2", last_of_ties)
    assert not _max_pool_matches_twin(x, GEOMETRIES[4])


def _step():
    """Outputs and gradients of conv → max pool → transposed conv → avg pool, float32."""
    rng = np.random.default_rng(5)
    x = mg.tensor(rng.standard_normal((4, 3, 9, 8)), requires_grad=True)
    w1 = mg.tensor(rng.standard_normal((6, 3, 3, 3)), requires_grad=True)
    w2 = mg.tensor(rng.standard_normal((6, 2, 2, 2)), requires_grad=True)
    h = F.conv2d(x, w1, padding=1, stride=(1, 2)).relu()
    h = F.max_pool2d(h, 3, stride=2, padding=1)
    h = F.conv_transpose2d(h, w2, stride=2, groups=3)
    out = F.avg_pool2d(h, 2)
    (out * out).sum().backward()
    return [out.numpy(), x.grad.numpy(), w1.grad.numpy(), w2.grad.numpy()]


def test_numba_on_and_off_agree(forced, monkeypatch):
    assert kernels.numba_enabled()
    with_numba = _step()
    monkeypatch.setenv("MINIGRAD_NUMBA", "0")
    with kernels.enabled(None):
        assert not kernels.numba_enabled()
        without = _step()
    for a, b in zip(with_numba, without):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)

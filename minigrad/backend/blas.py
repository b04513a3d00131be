"""Matrix products of convolutions on one BLAS thread: the product, and the switch it needs.

A convolution's products are wide and short -- W (C_out, C_in·kH·kW) times the
patches (C_in·kH·kW, N·H·W), e.g. 32 × 144 times 144 × 4,096: 19 M multiply-adds,
0.4 ms on one core. OpenBLAS splits anything above ~0.26 M of them over its
threads, and between two products its threads go to sleep; waking them, with the
Numba kernels and NumPy passes of a training step in between, costs more than the
second core gains. Measured on the 2-core development machine (training step of
the benchmark's CNN, W5: two such convolutions, batch 256): 20 ms with OpenBLAS's
two threads against 8.6 ms with the products on the calling thread (best of 40
steps each). So :func:`matmul` runs products below ``SINGLE_THREAD_MAX`` multiply-
adds on the calling thread alone; larger ones (and every other matrix product of
minigrad) keep all of BLAS's threads.

The switch is OpenBLAS's ``openblas_set_num_threads_local`` (OpenBLAS ≥ 0.3.27, as
bundled with NumPy's wheels), which returns the previous count. In NumPy's
(pthreads) build it changes the count of the whole process, so the switch counts
the products in flight under a lock: the first sets one thread, the last puts the
previous count back. A product of another Python thread that starts meanwhile
runs on one thread too (the same result, a little later). With another BLAS (MKL,
Accelerate) or an older OpenBLAS, :func:`matmul` is plain ``a @ b``.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading

import numpy as np

from minigrad.backend import pool

__all__ = ["SINGLE_THREAD_MAX", "matmul", "threads"]

SINGLE_THREAD_MAX = 1 << 26  # multiply-adds (M·N·K) below which a product runs on one thread

_UNSET = object()
_set_local = _UNSET  # openblas_set_num_threads_local, None when unavailable
_lock = threading.Lock()
_inside = 0  # blocks running on one thread now, in any Python thread
_saved = None  # the thread count before the first of them


def _setter():
    """OpenBLAS's thread-local thread count setter from NumPy's own OpenBLAS, or None."""
    global _set_local
    if _set_local is _UNSET:
        _set_local = None
        folder = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
        for path in sorted(glob.glob(os.path.join(folder, "lib*openblas*.so*"))):
            try:
                fn = ctypes.CDLL(path).openblas_set_num_threads_local  # already loaded by NumPy
            except (OSError, AttributeError):
                continue
            fn.restype, fn.argtypes = ctypes.c_int, [ctypes.c_int]
            _set_local = fn
            break
    return _set_local


def _enter(n):
    global _inside, _saved
    setter = _setter()
    if setter is None:
        return False
    with _lock:
        if _inside == 0:
            _saved = setter(n)
        _inside += 1
    return True


def _exit():
    global _inside
    with _lock:
        _inside -= 1
        if _inside == 0:
            _setter()(_saved)


class threads:
    """``with threads(1): ...`` runs BLAS on ``n`` threads during the block (see the module's
    docstring: the count is the process's; nested and concurrent blocks share one switch)."""

    __slots__ = ("n", "active")

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self.active = _enter(self.n)
        return self

    def __exit__(self, *exc):
        if self.active:
            _exit()
        return False


def _product(a, b):
    """``a @ b``, into a buffer of :mod:`minigrad.backend.pool` when the product is large
    (a fresh one would be page-faulted in at every training step)."""
    if a.dtype is b.dtype and b.__class__ is np.ndarray:
        shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
        out = pool.empty(shape, a.dtype)
        if out.base is not None:  # (pooled; a small product keeps NumPy's own array)
            return np.matmul(a, b, out=out)
    return a @ b


def matmul(a, b):
    """``a @ b`` for NumPy matrices (or stacks of them); on one thread when it makes fewer
    than ``SINGLE_THREAD_MAX`` multiply-adds and NumPy's OpenBLAS allows it. The result
    may be a view of a pooled buffer (:mod:`minigrad.backend.pool`)."""
    if a.__class__ is not np.ndarray:
        return a @ b
    if a.shape[-2] * a.shape[-1] * b.shape[-1] >= SINGLE_THREAD_MAX or not _enter(1):
        return _product(a, b)
    try:
        return _product(a, b)
    finally:
        _exit()

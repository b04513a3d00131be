"""backend.blas: products of convolutions on one BLAS thread, the same numbers, the setting restored."""

import ctypes
import threading

import numpy as np

from minigrad.backend import blas


def _thread_count():
    setter = blas._setter()
    if setter is None:
        return None
    previous = setter(1)  # read by setting, then put back
    setter(previous)
    return previous


def test_matmul_is_the_product_and_leaves_the_thread_count_as_it_was():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((32, 144)).astype(np.float32), rng.standard_normal((144, 512)).astype(np.float32)
    before = _thread_count()
    np.testing.assert_array_equal(blas.matmul(a, b), a @ b)
    stacked = rng.standard_normal((2, 3, 144))
    np.testing.assert_array_equal(blas.matmul(stacked, b.astype(np.float64)), stacked @ b.astype(np.float64))
    assert _thread_count() == before


def test_concurrent_products_put_the_thread_count_back():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((16, 64)), rng.standard_normal((64, 256))
    before = _thread_count()
    errors = []

    def work():
        for _ in range(200):
            if not np.array_equal(blas.matmul(a, b), a @ b):
                errors.append("different product")
            with blas.threads(1):
                pass

    workers = [threading.Thread(target=work) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors
    assert _thread_count() == before
    if blas._setter() is not None:
        with blas.threads(1):
            assert _thread_count() == 1
        assert _thread_count() == before


def test_setter_is_ctypes_function_or_none():
    setter = blas._setter()
    assert setter is None or isinstance(setter, ctypes._CFuncPtr)

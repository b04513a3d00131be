"""The buffer pool: a block is lent again only when no array uses it, within its byte limit,
and convolution training steps that run on pooled buffers give the same numbers as without."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.backend import kernels, pool
from minigrad.nn import losses


@pytest.fixture
def small_pool(monkeypatch):
    monkeypatch.setattr(pool, "MIN_BYTES", 64)
    monkeypatch.setattr(pool, "MAX_BYTES", 4096)
    pool.clear()
    yield
    pool.clear()


def _address(a):
    return a.__array_interface__["data"][0]


def test_a_block_is_lent_again_only_when_no_array_refers_to_it(small_pool):
    a = pool.empty((8, 8), np.float32)  # 256 bytes
    assert a.shape == (8, 8) and a.dtype == np.float32 and pool.held_bytes() == 256
    view = a[2:].T  # a view keeps the block busy after a is gone
    block = _address(a)  # (not a reference to the block: that would keep it busy too)
    del a
    b = pool.empty((4, 16), np.float32)
    assert _address(b) != block and pool.held_bytes() == 512
    del view
    c = pool.empty((64,), np.int32)  # the same byte count, another dtype and shape
    assert _address(c) == block and c.shape == (64,) and c.dtype == np.int32 and pool.held_bytes() == 512


def test_zeros_are_zero_on_a_reused_block(small_pool):
    a = pool.empty((32,), np.float64)
    a[:] = 7.0
    block = _address(a)
    del a
    z = pool.zeros((4, 8), np.float64)
    assert _address(z) == block
    np.testing.assert_array_equal(z, np.zeros((4, 8)))


def test_small_arrays_and_arrays_past_the_limit_are_plain(small_pool):
    small = pool.empty((3,), np.float32)  # 12 bytes < MIN_BYTES
    assert small.base is None and pool.held_bytes() == 0
    big = pool.empty((2048,), np.float32)  # 8 KiB > MAX_BYTES
    assert big.base is None and pool.held_bytes() == 0
    kept = [pool.empty((256,), np.float32) for _ in range(4)]  # 4 × 1 KiB: the limit
    assert pool.held_bytes() == 4096
    extra = pool.empty((256,), np.float32)
    assert extra.base is None and all(k.base is not None for k in kept)
    del kept
    again = pool.empty((128,), np.float32)  # idle blocks make room for another size
    assert again.base is not None and pool.held_bytes() <= 4096
    assert pool.clear() == 512  # only `again`'s block is still in use


def _cnn_steps():
    """Two Adam steps of a small CNN (conv, ReLU, max pool, conv, ReLU, max pool, a strided 1 × 1
    conv that skips pixels -- col2im leaves them zero --, linear): the losses and the final
    weights. The second step reuses the first one's pooled buffers."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 8, 1, stride=2), nn.Flatten(), nn.Linear(8, 3))
    opt = mg.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(1)
    x = mg.tensor(rng.standard_normal((6, 1, 8, 8)).astype(np.float32))
    y = rng.integers(0, 3, 6)
    out = []
    for _ in range(2):
        loss = losses.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        out.append(loss.item())
    return out + [p.numpy().copy() for p in model.parameters()]


def _steps_agree(monkeypatch):
    """Whether the CNN's steps with Numba (and pooled buffers) equal those with NumPy."""
    pytest.importorskip("numba")
    monkeypatch.setattr(kernels, "MIN_SIZE", dict.fromkeys(kernels.MIN_SIZE, 0))
    monkeypatch.setattr(pool, "MIN_BYTES", 0)
    with kernels.enabled(False):
        reference = _cnn_steps()
    with kernels.enabled(True):
        pooled = _cnn_steps()
    return all(np.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(reference, pooled))


def test_training_steps_on_pooled_buffers_equal_numpy(monkeypatch):
    assert _steps_agree(monkeypatch)


def test_a_pool_that_forgets_to_zero_is_caught(monkeypatch):
    """The comparison above can fail: a pool whose ``zeros`` hands out a reused block as it is
    (col2im and the max-pool scatter add into it) gives other gradients from the second step on."""
    def careless(shape, dtype):
        out = pool.empty(shape, dtype)
        out.fill(1.0)  # what a previous step may have left there
        return out

    monkeypatch.setattr(pool, "zeros", careless)
    assert not _steps_agree(monkeypatch)

"""A small cache of large array buffers, so that a training step does not page-fault its temporaries in again.

A convolution's training step allocates the same large arrays at every step --
im2col's columns, the products, the max-pool indices, col2im's and the scatter's
outputs -- and frees them at its end. glibc hands blocks that large back to the
operating system (``munmap``, or trimming the top of the heap) when they are freed,
so every step touches fresh pages again: one page fault per 4 KiB, about 1.4 µs
each on the 2-core development machine -- 1,300-1,600 faults, 1.4 ms of an 8.6 ms
step of the benchmark's CNN (W5). PyTorch keeps a caching allocator for the same
reason.

The convolution and pooling kernels (:mod:`minigrad.backend.conv`), the convolution
products (:mod:`minigrad.backend.blas`, :mod:`minigrad.ops.conv`) and the elementwise
kernels (:func:`minigrad.backend.kernels.elementwise`) take their large outputs from
here. :func:`empty` and :func:`zeros` hand out arrays whose memory is one of the pool's
blocks (an owning ``uint8`` array; the array returned is a view of it, so its
``base`` is the block). A block is lent again only when no array refers to it any
more: NumPy makes every view of a view refer to the owning block, so the block's
reference count is exactly the pool's own while nothing uses it. Nothing has to be
given back explicitly, and an array that outlives the step (a gradient, a saved
activation) simply keeps its block busy.

The pool holds at most :data:`MAX_BYTES` (blocks not in use are dropped to make
room; past that, arrays are allocated as usual) and only arrays of at least
:data:`MIN_BYTES` (malloc reuses small blocks without faults). :func:`clear` drops
every idle block. NumPy arrays only: callers keep ``xp.empty`` for CuPy.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["MAX_BYTES", "MIN_BYTES", "empty", "zeros", "clear", "held_bytes"]

MAX_BYTES = 64 << 20  # most bytes the pool keeps, in use or not
MIN_BYTES = 64 << 10  # smaller arrays are allocated as usual

_blocks = {}  # nbytes -> [uint8 blocks of that size]
_held = 0  # bytes in _blocks
_lock = threading.Lock()
_refcount = sys.getrefcount


def _idle_counts():
    """A block's reference count while only the pool holds it, as :func:`_take`'s loop and
    :func:`_evict`'s comprehension see it (CPython 3.11: 3 -- the list, the loop variable,
    getrefcount's argument). Measured here, with the same code shapes, rather than assumed:
    how a Python version counts borrowed references decides it, and a count taken too
    low would lend a block that is still in use."""
    blocks = [np.empty(1, dtype=np.uint8)]
    for block in blocks:
        in_loop = _refcount(block)
        break
    del block  # (the loop variable would count in the comprehension below)
    in_comprehension = [_refcount(b) for b in blocks][0]
    return in_loop, in_comprehension


_IDLE, _IDLE_LISTED = _idle_counts()


def _drop_idle(size):
    """Drop the idle blocks of ``size`` bytes (the caller holds the lock)."""
    global _held
    blocks = _blocks[size]
    keep = [b for b in blocks if _refcount(b) > _IDLE_LISTED]
    _held -= size * (len(blocks) - len(keep))
    if keep:
        _blocks[size] = keep
    else:
        del _blocks[size]


def _evict(need):
    """Drop idle blocks until ``need`` more bytes fit under MAX_BYTES; whether they do."""
    for size in list(_blocks):
        if _held + need <= MAX_BYTES:
            break
        _drop_idle(size)
    return _held + need <= MAX_BYTES


def _take(nbytes):
    """An idle block of ``nbytes`` bytes, a new one when none is idle, or None when full."""
    global _held
    with _lock:
        blocks = _blocks.get(nbytes)
        if blocks is not None:
            for block in blocks:
                if _refcount(block) == _IDLE:
                    return block
        if _held + nbytes > MAX_BYTES and not _evict(nbytes):
            return None
        block = np.empty(nbytes, dtype=np.uint8)
        _blocks.setdefault(nbytes, []).append(block)
        _held += nbytes
        return block


def empty(shape, dtype):
    """``np.empty(shape, dtype)``, its memory from the pool when it is large enough."""
    dtype = np.dtype(dtype)
    count = 1
    for n in shape:
        count *= n
    nbytes = count * dtype.itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype=dtype)
    block = _take(nbytes)
    if block is None:
        return np.empty(shape, dtype=dtype)
    return block.view(dtype).reshape(shape)


def zeros(shape, dtype):
    """``np.zeros(shape, dtype)``, its memory from the pool when it is large enough."""
    out = empty(shape, dtype)
    out.fill(0)
    return out


def clear():
    """Drop every block no array uses; returns the bytes the pool still holds."""
    with _lock:
        for size in list(_blocks):
            _drop_idle(size)
        return _held


def held_bytes():
    """Bytes of the blocks the pool holds now, in use or idle."""
    return _held

"""Kernel dispatch: the rule that sends a CPU hot path to a fused Numba kernel or keeps it on NumPy.

Each CPU hot path is written in NumPy: the reference implementation, short and
readable, which also runs every CuPy array. The same computation as one fused
pass is a Numba kernel. Here: the elementwise ops (``relu``, the activation
backward passes, ``dropout``, ``fake_quantize``); beside this module,
softmax-cross-entropy (:mod:`~minigrad.backend.cross_entropy`) and BatchNorm
(:mod:`~minigrad.backend.batch_norm`); the optimizers' updates are each
optimizer's ``_update`` (:mod:`minigrad.optim`). Their kernels are in
:mod:`~minigrad.backend.numba_kernels` and :mod:`~minigrad.backend.update_kernels`.
A call goes to Numba when all of these hold, and stays on NumPy otherwise:

* Numba is switched on: ``MINIGRAD_NUMBA`` is not ``"0"`` (read at call time), or
  :func:`set_enabled` / :func:`enabled` says so;
* the arrays are NumPy arrays (not CuPy), C-contiguous, float32 or float64, and
  agree in dtype and shape (boolean masks aside);
* the array has at least ``MIN_SIZE[family]`` elements: below that, calling into
  Numba costs about as much as the NumPy operations it saves;
* Numba imports (if it does not, minigrad warns once and stays on NumPy).

:func:`compiled` applies that rule; :func:`fused` also hands over the kernel,
ready to call with its arguments cast as it needs them; :func:`elementwise` makes
a NumPy formula an op that runs its kernel on large arrays (relu, the activation
backward passes, dropout).

Both paths give the same numbers. The arithmetic kernels (relu and the
activation backward passes, dropout, the softmax-cross-entropy backward, every
optimizer update) are equal bit for bit (a NaN's sign bit aside); kernels that
sum or call log (softmax-cross-entropy forward, BatchNorm) agree to rounding, as
any two summation orders do.

Nothing here imports Numba at module import: ``import minigrad`` stays fast, and
Numba loads (and compiles, or reads its on-disk cache) the first time an array
is large enough. :func:`warm_up` does that for every kernel at once.

``MIN_SIZE`` holds the thresholds and the measurements behind them.

Each kernel is compiled twice (:mod:`~minigrad.backend.jit`): threaded and serial.
Training steps use the serial ones: right after a matmul, OpenBLAS's threads
still hold the cores, and a threaded kernel waits milliseconds for them (see
``PARALLEL_MIN_SIZE``). Most of the gain is the fusion itself: one pass over
memory instead of one per NumPy operation and its temporaries.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
import warnings

import numpy as np

from minigrad.backend import pool

__all__ = [
    "MIN_SIZE", "PARALLEL_MIN_SIZE", "numba_enabled", "set_enabled", "enabled", "warm_up", "register_warm_up",
    "plain", "compiled", "fused", "elementwise",
    "relu", "relu_backward", "tanh_backward", "sigmoid_backward", "dropout", "fake_quantize",
]

# Fewest elements for which a Numba kernel runs: about where it starts to beat
# NumPy by a clear margin. Measured on 2 cores (AMD EPYC, AVX-512), float32, warm,
# best of 7 rounds of 100 calls, serial kernels; NumPy µs → Numba µs per call:
#
#   elementwise   4K: relu 3.0 → 2.4, relu/tanh/sigmoid backward 3.5-3.8 → 3.2-3.3, dropout 5.4 → 3.8
#                 8K: relu 4.3 → 2.6, backward 4.3-4.8 → 3.5, dropout 7.4 → 4.0
#                64K: relu 23 → 5.0, backward 20-26 → 8.7-12, dropout 48 → 8.5
#   softmax       forward, C = 10: 160 logits 7.1 → 5.8, 1280: 15 → 8.1, 20K: 154 → 48;
#                 C = 128, 16K: 31 → 24; C = 1000: a tie (NumPy's exp does most of the work);
#                 backward 160: 4.4 → 4.3, 1280: 5.6 → 4.6, 64K: 30 → 9.4
#   batch_norm    forward and backward 3-4× faster from 128 elements up (C = 16: 17 → 4.7),
#                 2-5× for C = 256..1024; kept on NumPy below 1K so that small
#                 examples never load Numba
#   optimizer     Adam 256: 6.6 → 4.6, 1K: 8.0 → 4.8, 64K: 86 → 17; RMSprop, Adagrad,
#                 Adadelta, Adamax, NAdam alike (≥ 1.2× from 256, ≥ 1.46× from 1K)
#   sgd           plain 16K: 3.4 → 3.7, 32K: 4.9 → 4.5, 64K: 8.0 → 5.2;
#                 with momentum 1K: 3.5 → 3.3, 16K: 6.9 → 4.4
#   conv          the threshold was chosen on earlier versions of im2col, col2im and max pooling;
#                 the kernels have been rewritten since and not re-measured at 1K (their figures on
#                 the CNN benchmark's shapes are in backend/conv_kernels.py)
#
# Tests set these to 0 to run the kernels on tiny arrays.
MIN_SIZE = {
    "elementwise": 8_192,    # relu, relu/tanh/sigmoid backward, dropout
    "softmax": 1_024,        # softmax cross-entropy forward and backward, N·C logits
    "batch_norm": 1_024,     # N·C·L inputs, forward and backward
    "optimizer": 1_024,      # elements of one parameter: Adam(W), RMSprop, Adagrad, Adadelta, Adamax, NAdam
    "sgd": 16_384,           # SGD does one or two operations per element: less to fuse
    "conv": 1_024,           # im2col, col2im and max pooling: elements of the image batch (backend/conv.py)
}

# Kernels on at least this many elements run threaded (None: never); all others on
# the calling thread alone (their serial compilation). Measured on 2 cores, Adam on
# 2^20 float32 elements: serial 0.36 ms, threaded 0.19 ms -- but 0.68 ms serial and
# 3.4 ms threaded right after a matmul, as in every training step: OpenBLAS's
# threads spin on the cores for a while after their work, and Numba's workers wait
# for a core (milliseconds). With OPENBLAS_NUM_THREADS=1, threads pay off from about
# 2^24 elements (Adam 8.7 → 4.9 ms); set this then.
PARALLEL_MIN_SIZE = None

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_MASK = np.dtype(np.bool_)
_NUMBERS = (int, float, np.generic)  # arguments that are numbers, not arrays (bool is an int)
_FLAGS = (bool, np.bool_)
_EMPTY = {dt: np.empty(0, dtype=dt) for dt in _FLOATS}  # stands in for a buffer a kernel leaves unused

_enabled = None  # set_enabled()'s override; None follows MINIGRAD_NUMBA
_numba_kernels = None  # every compiled kernel once imported (jit.threaded); False when Numba is unusable
_warm_ups = []  # register_warm_up()'s functions


# ============================================================================ the rule

def _load():
    """Import the Numba kernels on first use; on failure warn once and return False."""
    global _numba_kernels
    if _numba_kernels is None:
        try:  # defining a kernel registers it in jit.threaded (and jit.serial); none compiles yet
            from minigrad.backend import conv_kernels, jit, numba_kernels, update_kernels  # noqa: F401
        except Exception as exc:  # not installed, or broken (e.g. an incompatible NumPy)
            warnings.warn(f"minigrad: Numba is unavailable ({exc}); using NumPy for every kernel",
                          RuntimeWarning, stacklevel=3)
            _numba_kernels = False
        else:
            _numba_kernels = jit.threaded
    return _numba_kernels


def _switched_on():
    if _enabled is not None:
        return _enabled
    return os.environ.get("MINIGRAD_NUMBA", "1") != "0"


def numba_enabled():
    """Whether large CPU arrays run on the Numba kernels (switched on, and Numba imports)."""
    return _switched_on() and bool(_load())


def set_enabled(flag):
    """Switch the Numba kernels on (True) or off (False), or back to ``MINIGRAD_NUMBA`` (None).

    Returns the previous setting, so ``set_enabled(previous)`` restores it.
    """
    global _enabled
    previous = _enabled
    _enabled = None if flag is None else bool(flag)
    return previous


@contextlib.contextmanager
def enabled(flag):
    """``with kernels.enabled(False): ...`` runs the block with Numba off (or on)."""
    previous = set_enabled(flag)
    try:
        yield
    finally:
        set_enabled(previous)


def plain(a, dtype):
    """Whether ``a`` is a C-contiguous NumPy array (not CuPy, not a subclass) of ``dtype``."""
    return a.__class__ is np.ndarray and a.dtype == dtype and a.flags.c_contiguous


def _kernels(family, first, *others):
    """The compiled kernels when ``first`` and ``others`` should run there, else None.

    ``others``: arrays shaped like ``first``, of its dtype or boolean (masks); numbers
    and None (a buffer the call leaves unused) among them are not checked. The size
    test comes first: it is the cheapest and, in small models, the one that decides.
    """
    if first.size < MIN_SIZE[family] or not _switched_on():
        return None
    dtype = first.dtype
    if dtype not in _FLOATS or not plain(first, dtype):
        return None
    for a in others:
        if a.__class__ is np.ndarray:
            if a.shape != first.shape or not a.flags.c_contiguous or (a.dtype != dtype and a.dtype != _MASK):
                return None
        elif not (a is None or isinstance(a, _NUMBERS)):
            return None  # a CuPy array, say
    return _load() or None


def _pick(nb, size):
    """The kernels for ``size`` elements: threaded or on this thread alone (PARALLEL_MIN_SIZE)."""
    return nb if PARALLEL_MIN_SIZE is not None and size >= PARALLEL_MIN_SIZE else nb.serial


def compiled(family, first, *others):
    """The compiled kernels to run on these arrays (``.relu``, ``.adam_update``, ...; threaded
    or serial by size), or None: stay on NumPy. The arrays as :func:`_kernels` checks them."""
    nb = _kernels(family, first, *others)
    return None if nb is None else _pick(nb, first.size)


def fused(name, family, first, *others):
    """The Numba kernel ``name`` with its first arguments bound, when they should run on
    Numba; else None, and the caller runs its NumPy formula.

    ``first`` and ``others`` are the kernel's leading arguments, checked as by
    :func:`_kernels`: float arrays of one dtype and shape, boolean masks, numbers, and
    None for a buffer the call leaves unused. The function returned takes the rest of
    the kernel's arguments and runs it. Every argument is passed as the kernel needs
    it: arrays flattened to 1-D, None as an empty array, booleans as they are, a
    number cast to ``first``'s dtype and a tuple of numbers as one array of that dtype
    (as NumPy casts a Python float before ``float32_array * 0.9``), so that the kernel
    repeats the NumPy formula's arithmetic exactly.
    """
    nb = _kernels(family, first, *others)  # (not compiled(): one call less, at every step of every parameter)
    if nb is None:
        return None
    kernel = getattr(_pick(nb, first.size), name)
    convert = _CONVERTERS[first.dtype]
    bound = convert((first, *others))
    return lambda *rest: kernel(*bound, *convert(rest))


def _converter(dtype, ndarray=np.ndarray, array=np.array, flags=frozenset(_FLAGS)):
    cast, empty = dtype.type, _EMPTY[dtype]

    def convert(args):
        converted = []  # a loop over locals: this runs at every kernel call
        for a in args:
            cls = a.__class__
            if cls is ndarray:
                converted.append(a.reshape(-1))
            elif cls in flags:
                converted.append(a)
            elif cls is tuple:
                converted.append(array(a, dtype))
            else:
                converted.append(empty if a is None else cast(a))
        return converted

    return convert


_CONVERTERS = {dt: _converter(dt) for dt in _FLOATS}


def elementwise(formula):
    """The op ``formula(x, *args)`` -- NumPy, and the reference -- with its Numba kernel.

    The kernel has the formula's name and computes it elementwise in one pass into a
    new array, ``kernel(x, *args, out)``; it runs instead when :func:`fused` says so
    (family ``"elementwise"``). ``op.numpy`` is the formula itself.
    """
    name = formula.__name__

    @functools.wraps(formula)
    def op(x, *args):
        kernel = fused(name, "elementwise", x, *args)
        if kernel is None:
            return formula(x, *args)
        out = pool.empty(x.shape, x.dtype)  # (large ones reused from step to step: no page faults)
        kernel(out)
        return out

    op.numpy = formula
    return op


def register_warm_up(fn):
    """Have :func:`warm_up` also call ``fn(dtype)``, with every kernel forced on: the modules
    that call kernels of their own (softmax-cross-entropy, BatchNorm, the optimizers) run
    them once on a small array. Returns ``fn``, so it serves as a decorator."""
    _warm_ups.append(fn)
    return fn


def warm_up(threaded=None):
    """Compile every kernel for float32 and float64 (or load it from Numba's cache).

    ``threaded``: also the threaded compilations (default: when ``PARALLEL_MIN_SIZE``
    lets them run). Returns the seconds it took, or None when Numba is unavailable.
    The first call in a fresh environment measures the cold compile time; later
    processes read the compiled code from ``__pycache__``.
    """
    global PARALLEL_MIN_SIZE
    if not _load():
        return None
    if threaded is None:
        threaded = PARALLEL_MIN_SIZE is not None
    start = time.perf_counter()
    saved = dict(MIN_SIZE), PARALLEL_MIN_SIZE
    MIN_SIZE.update(dict.fromkeys(MIN_SIZE, 0))
    try:
        with enabled(True):
            for PARALLEL_MIN_SIZE in ((None, 0) if threaded else (None,)):  # serial, then threaded
                for dtype in _FLOATS:
                    _warm_up(dtype)
                    for fn in _warm_ups:
                        fn(dtype)
    finally:
        MIN_SIZE.update(saved[0])
        PARALLEL_MIN_SIZE = saved[1]
    return time.perf_counter() - start


def _warm_up(dtype):
    x = np.linspace(-1.0, 1.0, 12).astype(dtype).reshape(4, 3)
    relu(x)
    relu_backward(x, x)
    tanh_backward(x, x)
    sigmoid_backward(x, x)
    dropout(x, x > 0, 2.0)
    fake_quantize(x, np.float64(0.1), np.int64(0), -128, 127)


# ============================================================================ activations

@elementwise
def relu(x):
    """max(x, 0) elementwise (NaN stays NaN)."""
    return np.maximum(x, 0)


@elementwise
def relu_backward(g, y):
    """g · [y > 0]: the gradient where relu's output y = max(x, 0) is positive (where x
    is), 0 elsewhere. (A product with the mask, as the derivative's formula reads.)"""
    return g * (y > 0)  # (np.where(y > 0, g, 0) is up to 17x slower on large arrays)


@elementwise
def tanh_backward(g, y):
    """g · (1 − y²), the backward of y = tanh(x) from its output."""
    return g * (1 - y * y)


@elementwise
def sigmoid_backward(g, y):
    """g · y · (1 − y), the backward of y = σ(x) from its output."""
    return g * y * (1 - y)


@elementwise
def dropout(x, mask, scale):
    """x · mask · scale for a boolean ``mask`` shaped like x (kept units scaled by ``scale``)."""
    return x * (mask * scale).astype(x.dtype)


# ============================================================================ fake quantization

def fake_quantize(x, scale, zero_point, qmin, qmax):
    """``(x̂, inside)``: x̂ = (clamp(round(x/s) + z, qmin, qmax) − z)·s computed in
    float64 and returned in x's dtype, and the mask qmin ≤ round(x/s) + z ≤ qmax
    (the straight-through estimator's). The kernel runs for one float64 scale and
    one zero point (per-tensor quantization); per-channel arrays use the twin."""
    nb = compiled("elementwise", x)
    if (nb is None or np.ndim(scale) or np.ndim(zero_point) or np.asarray(scale).dtype != np.float64):
        return fake_quantize_numpy(x, scale, zero_point, qmin, qmax)
    out = np.empty_like(x)
    inside = np.empty(x.shape, dtype=np.bool_)
    nb.fake_quantize(x.reshape(-1), float(scale), float(zero_point), float(qmin), float(qmax), out.reshape(-1),
                     inside.reshape(-1))
    return out, inside


def fake_quantize_numpy(x, scale, zero_point, qmin, qmax):
    q = np.rint(x / scale) + zero_point
    inside = (q >= qmin) & (q <= qmax)
    return ((np.clip(q, qmin, qmax) - zero_point) * scale).astype(x.dtype), inside

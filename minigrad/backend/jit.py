"""How minigrad compiles a Numba kernel, and the registry of every kernel.

Never import this module (nor the kernel modules that use it) directly:
:mod:`minigrad.backend.kernels` imports them the first time an array is large
enough to be worth it, so ``import minigrad`` does not load Numba.

A kernel is a plain Python loop over C-contiguous float32/float64 arrays that
computes in place into arrays the caller allocates, decorated with
:func:`kernel`. That compiles it twice, lazily (on the first call for each dtype,
or from Numba's on-disk cache):

* threaded, ``parallel=True``: ``prange`` splits the loop over the cores;
  ``threaded.<name>``;
* serial, where ``prange`` is a plain ``range``: ``serial.<name>``. The caller
  uses these for all but huge arrays, where waking other threads costs more than
  it gains (see ``kernels.PARALLEL_MIN_SIZE``).

Rules that make a kernel's results equal NumPy's bit for bit:

* ``fastmath=False``: no reassociation, no fused multiply-add, IEEE NaN/inf;
* ``error_model="numpy"``: x/0 gives inf or NaN instead of raising;
* every scalar arrives already cast to the arrays' dtype (NumPy 2 casts a
  Python float to float32 before ``float32_array * 0.9``; so does the caller),
  and each expression keeps NumPy's order of operations, left to right;
* branches that NumPy decides in Python (``if weight_decay != 0``) arrive as
  booleans, decided the same way.
"""

from __future__ import annotations

import types

import numba

_OPTIONS = dict(cache=True, fastmath=False, error_model="numpy")

KERNELS = []  # the name of every kernel, in the order they were defined
threaded = types.SimpleNamespace(KERNELS=KERNELS)  # threaded.<name>: the parallel compilation
serial = threaded.serial = types.SimpleNamespace()  # serial.<name>: the compilation without threads


def kernel(f):
    """Register ``f`` as the kernel ``f.__name__``: return its threaded compilation, and
    put it in ``threaded`` and its serial twin in ``serial``."""
    parallel = numba.njit(parallel=True, **_OPTIONS)(f)
    KERNELS.append(f.__name__)
    setattr(threaded, f.__name__, parallel)
    setattr(serial, f.__name__, numba.njit(**_OPTIONS)(_serial_copy(f)))
    return parallel


def helper(f):
    """A function that kernels call (compiled into them; not a kernel itself). One that is
    called per element takes and returns numbers, not arrays: LLVM then inlines it and
    the loop stays as fast as if it were written out."""
    return numba.njit(**_OPTIONS)(f)


def _serial_copy(f):
    """A copy of the Python function ``f`` under its own name, so that Numba's on-disk
    cache keeps the serial and the threaded compilations apart."""
    copy = types.FunctionType(f.__code__, f.__globals__, f.__name__ + "_serial", f.__defaults__, f.__closure__)
    copy.__qualname__ = f.__qualname__ + "_serial"
    copy.__doc__ = f.__doc__
    return copy

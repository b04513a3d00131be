"""Memory budget: refuse a model whose parameters alone would not fit, before allocating any of them.

A fully connected layer ``Linear(n_in, n_out)`` holds ``n_in * n_out`` weights and
``n_out`` biases; a ``BatchNorm1d(n)`` holds ``2n`` parameters and ``2n`` running
statistics. Their sum times the dtype's item size is the memory the model needs
before any activation, gradient or optimizer state (which add roughly two to four
times as much during training; Goodfellow, Bengio & Courville, *Deep Learning*,
2016, §6.5 counts the same quantities). Checking this product up front turns a
typo such as ``--hidden 1000000000000`` into one clear error instead of a
``MemoryError`` -- or a machine that swaps -- halfway through building the layers.

Example::

    >>> check_model_size([2, 16, 1])          # 65 parameters: fine
    65
    >>> check_model_size([10**6, 10**6, 10])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: MLP [1000000, 1000000, 10]: 1,000,011,000,010 parameters × 4 bytes (float32) ≈ 3.6 TiB, ...
"""

from __future__ import annotations

from minigrad.dtypes import DEFAULT_DTYPE, resolve_dtype

__all__ = ["MEMORY_BUDGET", "mlp_parameter_count", "check_model_size", "format_bytes"]

#: Largest model accepted, in bytes of parameters (2 GiB). Set ``minigrad.budget.MEMORY_BUDGET``
#: to change it for a session; it is read at each check.
MEMORY_BUDGET = 2 * 2**30


def mlp_parameter_count(sizes, batchnorm=False):
    """Parameters (plus BatchNorm running statistics) of the MLP ``sizes``: Σ n_in·n_out + n_out.

    With BatchNorm (γ, β, running mean and variance: 4 per hidden unit) placed before
    the activation (``batchnorm=True`` or ``"before"``), the hidden Linear layers have
    no bias (``nn.MLP`` drops it: BatchNorm's β takes its place).
    """
    sizes = [int(n) for n in sizes]
    count = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if batchnorm:
        count += sum(4 * n for n in sizes[1:-1])
        if batchnorm != "after":
            count -= sum(sizes[1:-1])
    return count


def format_bytes(n):
    """``3.6 TiB``-style size with binary prefixes."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def check_model_size(sizes, dtype=None, what="MLP", batchnorm=False, budget=None):
    """Raise ``ValueError`` if the MLP ``sizes`` needs more than ``budget`` bytes of parameters.

    ``dtype`` defaults to minigrad's default (float32); ``budget`` to
    :data:`MEMORY_BUDGET`. Returns the parameter count when the model fits.
    """
    dtype = resolve_dtype(dtype or DEFAULT_DTYPE)
    budget = MEMORY_BUDGET if budget is None else budget
    count = mlp_parameter_count(sizes, batchnorm=batchnorm)
    needed = count * dtype.itemsize
    if needed > budget:
        raise ValueError(
            f"{what} {list(sizes)}: {count:,} parameters × {dtype.itemsize} bytes ({dtype.name}) ≈ "
            f"{format_bytes(needed)}, over the {format_bytes(budget)} memory budget "
            f"(minigrad.budget.MEMORY_BUDGET); use smaller layers"
        )
    return count

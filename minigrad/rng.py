"""The one random generator behind every random draw in minigrad.

``mg.manual_seed(n)`` makes runs repeatable: random tensors, initializers,
dropout masks and data shuffling all draw from :func:`generator`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["manual_seed", "generator"]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the global generator to a fixed ``seed`` (a non-negative int); returns it."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: the seed must be a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The current global generator."""
    return _generator

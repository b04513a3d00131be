"""``meshgrid``: coordinate grids from coordinate vectors, as ``np.meshgrid``.

For vectors x (length n) and y (length m), ``meshgrid(x, y)`` returns two m × n
grids X and Y with ``X[i, j] = x[j]`` and ``Y[i, j] = y[i]``: every point of the
grid gets its coordinates.

``indexing="xy"`` (the default, NumPy's, "Cartesian") puts the first vector along
the columns; ``indexing="ij"`` ("matrix", PyTorch's default) along the rows, so
the grids have shape (n, m) and ``X[i, j] = x[i]``. Code written for PyTorch
should pass ``indexing="ij"``.

Each grid is its vector reshaped to one axis and broadcast, so the gradient of a
vector is the sum of its grid's gradient over the other axes (broadcasting's adjoint).
"""

from __future__ import annotations

from minigrad.tensor import Tensor, as_tensor

__all__ = ["meshgrid"]


def meshgrid(*tensors, indexing="xy"):
    """Coordinate grids of the 1-D ``tensors`` (others are flattened, as in NumPy); a tuple.

    ``meshgrid(x, y)`` and ``meshgrid([x, y])`` are the same. ``indexing`` is
    ``"xy"`` (NumPy's default) or ``"ij"`` (PyTorch's default).
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    vectors = [as_tensor(t, like=first).reshape(-1) for t in tensors]
    k = len(vectors)
    axis_of = list(range(k))
    if indexing == "xy" and k > 1:  # the first two vectors trade places in the grid
        axis_of[0], axis_of[1] = 1, 0
    shape = [0] * k
    for v, ax in zip(vectors, axis_of):
        shape[ax] = v.shape[0]
    grids = []
    for v, ax in zip(vectors, axis_of):
        lone = [1] * k
        lone[ax] = v.shape[0]
        grids.append(v.reshape(tuple(lone)).broadcast_to(tuple(shape)))
    return tuple(grids)

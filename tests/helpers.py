"""Shared test strategies: random arrays, broadcast pairs and memory layouts.

Values are drawn from a seeded NumPy generator (hypothesis draws the shape and
the seed), which keeps examples fast while still varying shapes widely.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
NONEMPTY_SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def values(seed, shape, low=-2.0, high=2.0, margin=0.0):
    """Uniform values in [low, high); with ``margin`` > 0 kept at least that far from 0."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, shape)
    if margin:
        x = np.sign(x + (x == 0)) * (margin + np.abs(x))
    return x


seeds = st.integers(0, 2**32 - 1)


@st.composite
def arrays(draw, shape=SHAPES, low=-2.0, high=2.0, margin=0.0):
    shape = draw(shape) if not isinstance(shape, tuple) else shape
    return values(draw(seeds), shape, low, high, margin)


@st.composite
def broadcast_pairs(draw, low=-2.0, high=2.0, margin=0.0):
    """Two arrays whose shapes broadcast together (one may have fewer dims or length-1 axes)."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    a_shape, b_shape = shapes.input_shapes
    return values(draw(seeds), a_shape, low, high, margin), values(draw(seeds), b_shape, low, high, margin)


LAYOUTS = ("contiguous", "transposed", "strided")


def leaf_and_view(x, layout):
    """A leaf array and a Tensor function that turns it back into ``x``'s values in ``layout``.

    ``transposed`` feeds the op a transposed (Fortran-ordered) view; ``strided``
    feeds it every other element of a larger array.
    """
    if layout == "transposed" and x.ndim >= 2:
        return np.ascontiguousarray(x.T), lambda t: t.T
    if layout == "strided" and x.ndim >= 1:
        return np.repeat(x, 2, axis=-1), lambda t: t[..., ::2]
    return x, lambda t: t


def tensor_in_layout(x, layout):
    """x's values as a float64 Tensor in ``layout`` (possibly a non-contiguous view), as an op would get them."""
    leaf, view = leaf_and_view(x, layout)
    return view(mg.tensor(leaf, dtype="float64"))


def check_gradients(fn, arrays_, layouts=None, second_order=False, **tolerances):
    """gradcheck ``fn`` (and gradgradcheck when ``second_order``) at float64 leaves.

    ``layouts`` gives one layout per array (default: contiguous).
    """
    layouts = layouts or ["contiguous"] * len(arrays_)
    leaves, views = [], []
    for x, layout in zip(arrays_, layouts):
        leaf, view = leaf_and_view(np.asarray(x, dtype=np.float64), layout)
        leaves.append(mg.tensor(leaf, dtype="float64", requires_grad=True))
        views.append(view)

    def wrapped(*ts):
        return fn(*[v(t) for v, t in zip(views, ts)])

    assert mg.gradcheck(wrapped, *leaves, **tolerances)
    if second_order:
        assert mg.gradgradcheck(wrapped, *leaves, **tolerances)

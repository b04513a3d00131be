"""prod over axes: NumPy's values, and a gradient (and second derivative) exact with zeros."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import NONEMPTY_SHAPES, arrays, check_gradients


@settings(max_examples=10, deadline=None)
@given(x=arrays(shape=NONEMPTY_SHAPES, low=0.5, high=1.5), data=st.data())
def test_values_and_gradients_on_drawn_shapes(x, data):
    axes = data.draw(st.sampled_from([None, 0, -1, tuple(range(x.ndim))]))
    keepdims = data.draw(st.booleans())
    x = x * np.where(np.arange(x.size).reshape(x.shape) % 2, 1.0, -1.0)  # both signs
    out = mg.tensor(x, dtype="float64").prod(axis=axes, keepdims=keepdims)
    np.testing.assert_allclose(out.numpy(), np.prod(x, axis=axes, keepdims=keepdims), rtol=1e-12)
    check_gradients(lambda t: t.prod(axis=axes, keepdims=keepdims), [x], second_order=True)


def brute_prod_gradient(x):
    """∂(Πx)/∂x_k = Π_{j≠k} x_j, element by element (flattened)."""
    flat = x.ravel()
    return np.array([np.prod(np.delete(flat, k)) for k in range(flat.size)]).reshape(x.shape)


@pytest.mark.parametrize("zeros", [1, 2, 3])
def test_gradient_with_zeros_is_exact_to_second_order(zeros):
    x = np.array([[1.5, -2.0, 0.5], [3.0, 0.75, -1.25]])
    for positions in itertools.combinations(range(x.size), zeros):
        xz = x.copy().ravel()
        xz[list(positions)] = 0.0
        xz = xz.reshape(x.shape)
        t = mg.tensor(xz, dtype="float64", requires_grad=True)
        t.prod().backward()
        np.testing.assert_array_equal(t.grad.numpy(), brute_prod_gradient(xz))
    check_gradients(lambda a: a.prod(axis=(0, 1)), [xz], second_order=True)
    check_gradients(lambda a: a.prod(axis=1, keepdims=True), [xz], second_order=True)


def test_second_derivative_at_a_single_zero():
    # f = x0·x1·x2 at (0, 2, 3): ∂²f/∂x0∂x1 = x2 = 3, ∂²f/∂x0∂x2 = x1 = 2
    x = mg.tensor([0.0, 2.0, 3.0], dtype="float64", requires_grad=True)
    (g,) = mg.autograd.grad(x.prod(), x, create_graph=True)
    assert g.tolist() == [6.0, 0.0, 0.0]
    (h,) = mg.autograd.grad(g[0], x)
    assert h.tolist() == [0.0, 3.0, 2.0]


def test_dtypes_empty_and_aliases():
    ints = mg.tensor([[1, 2, 3], [4, 5, 6]])
    assert ints.prod().item() == 720 and ints.prod(0).dtype == np.int64
    assert mg.prod(mg.tensor(np.zeros((2, 0))), axis=1).tolist() == [1.0, 1.0]
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.prod(dim=1, keepdim=True).tolist() == [[2.0], [12.0]]
    assert mg.prod(x, axis=0).tolist() == [3.0, 8.0]
    with pytest.raises(TypeError, match="got both axis= and dim="):
        x.prod(0, dim=0)
    with pytest.raises(ValueError, match="prod: axis 2 is out of range"):
        x.prod(2)


def test_many_zeros_in_a_slice():
    x = np.array([[0.0, 2.0, 0.0, 0.0, 3.0], [1.0, 0.0, 2.0, 0.0, 0.0]])
    t = mg.tensor(x, dtype="float64", requires_grad=True)
    t.prod(axis=1).sum().backward()
    assert not t.grad.numpy().any()
    check_gradients(lambda a: a.prod(axis=1), [x], second_order=True)
    big = mg.tensor(np.maximum(np.random.default_rng(0).standard_normal((2, 3000)), 0), requires_grad=True)
    big.prod(axis=1).sum().backward()  # about 1500 zeros per row: no deep recursion
    assert big.grad.shape == (2, 3000) and not big.grad.numpy().any()

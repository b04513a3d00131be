import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, check_gradients

# (shape of a, shape of b): vectors, matrices, batches and broadcast batches
CASES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((4, 2, 3), (3, 2)),
    ((2, 3), (5, 3, 2)),
    ((2, 1, 2, 3), (4, 3, 2)),
    ((3,), (2, 3, 4)),
    ((2, 2, 3), (3,)),
]


@pytest.mark.parametrize("shapes", CASES, ids=[f"{a}@{b}" for a, b in CASES])
@given(seed=st.integers(0, 2**32 - 1), layouts=st.tuples(st.sampled_from(LAYOUTS), st.sampled_from(LAYOUTS)))
def test_matmul_matches_numpy_and_gradcheck(shapes, seed, layouts):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    out = mg.tensor(a, dtype="float64") @ mg.tensor(b, dtype="float64")
    expected = a @ b
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    check_gradients(lambda x, y: x @ y, [a, b], layouts=list(layouts), second_order=True)


def test_matmul_with_arrays_on_either_side():
    W = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = np.array([1.0, -1.0])
    np.testing.assert_allclose((W @ x).numpy(), [-1, -1])
    np.testing.assert_allclose((x @ W).numpy(), [-2, -2])
    assert mg.matmul(x, W).shape == (2,)


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul.*\(2, 3\) @ \(4, 5\).*3 and 4"):
        mg.ones(2, 3) @ mg.ones(4, 5)
    with pytest.raises(ValueError, match="matmul"):
        mg.ones(()) @ mg.ones(3)


def test_linear_layer_gradients_follow_the_delta_rule():
    # backpropagation in matrix form (Nielsen 2015, ch. 2): dC/dW = delta a^T and dC/db = delta, summed over the mini-batch
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    Wt, bt = mg.tensor(W, dtype="float64", requires_grad=True), mg.tensor(b, dtype="float64", requires_grad=True)
    z = mg.tensor(X, dtype="float64") @ Wt.T + bt
    delta = rng.normal(size=(5, 2))
    z.backward(mg.tensor(delta, dtype="float64"))
    np.testing.assert_allclose(Wt.grad.numpy(), delta.T @ X, rtol=1e-12)
    np.testing.assert_allclose(bt.grad.numpy(), delta.sum(axis=0), rtol=1e-12)

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from tests.helpers import LAYOUTS, arrays, check_gradients, tensor_in_layout

few = settings(max_examples=10, deadline=None)
MATRICES = hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4)


@few
@given(x=arrays(shape=MATRICES), layout=st.sampled_from(LAYOUTS), k=st.integers(-3, 3))
def test_tril_triu_match_numpy(x, layout, k):
    t = tensor_in_layout(x, layout)
    np.testing.assert_array_equal(t.tril(k).numpy(), np.tril(x, k))
    np.testing.assert_array_equal(mg.triu(t, diagonal=k).numpy(), np.triu(x, k))
    check_gradients(lambda u: u.tril(k) + u.triu(k + 1) * 2.0, [x], layouts=[layout], second_order=True)


def test_tril_gradient_is_the_mask():
    x = mg.tensor(np.ones((3, 3)), requires_grad=True)
    x.tril().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.tril(np.ones((3, 3))))


@few
@given(x=arrays(shape=MATRICES), layout=st.sampled_from(LAYOUTS), offset=st.integers(-3, 3), data=st.data())
def test_diagonal_matches_numpy(x, layout, offset, data):
    a1, a2 = data.draw(st.permutations(range(x.ndim)))[:2]
    t = tensor_in_layout(x, layout)
    np.testing.assert_array_equal(t.diagonal(offset, a1, a2).numpy(), np.diagonal(x, offset, a1, a2))
    np.testing.assert_array_equal(mg.diagonal(t, offset, dim1=a1, dim2=a2).numpy(), np.diagonal(x, offset, a1, a2))
    check_gradients(lambda u: u.diagonal(offset, a1, a2) * 2.0, [x], layouts=[layout], second_order=True)


@few
@given(n=st.integers(1, 4), m=st.integers(1, 4), k=st.integers(-3, 3))
def test_diag_is_numpys_both_ways(n, m, k):
    rng = np.random.default_rng(n * 10 + m)
    v, a = rng.normal(size=n), rng.normal(size=(n, m))
    np.testing.assert_array_equal(mg.diag(mg.tensor(v, dtype="float64"), k).numpy(), np.diag(v, k))
    np.testing.assert_array_equal(mg.tensor(a, dtype="float64").diag(diagonal=k).numpy(), np.diag(a, k))
    check_gradients(lambda u: mg.diag(u, k), [v], second_order=True)
    check_gradients(lambda u: mg.diag(u, k) * 2.0, [a], second_order=True)


def test_diagonal_gradient_lands_on_the_diagonal():
    x = mg.tensor(np.zeros((3, 4)), requires_grad=True)
    (x.diagonal(1) * mg.tensor([1.0, 2.0, 3.0])).sum().backward()
    expected = np.zeros((3, 4))
    expected[[0, 1, 2], [1, 2, 3]] = [1, 2, 3]
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_triangular_errors():
    v = mg.zeros(3)
    with pytest.raises(ValueError, match=r"tril: needs a tensor with at least 2 dimensions, got shape \(3,\)"):
        v.tril()
    with pytest.raises(TypeError, match="triu: the diagonal offset must be an int"):
        mg.zeros(2, 2).triu(0.5)
    with pytest.raises(ValueError, match=r"diagonal: axis1 and axis2 must differ"):
        mg.zeros(2, 2).diagonal(0, 1, 1)
    with pytest.raises(ValueError, match=r"diagonal: axis 2 is out of range .*\(2, 2\)"):
        mg.zeros(2, 2).diagonal(0, 0, 2)
    with pytest.raises(ValueError, match=r"diag: needs a 1-D or 2-D tensor, got shape \(1, 1, 1\)"):
        mg.zeros(1, 1, 1).diag()

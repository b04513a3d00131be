import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from tests.helpers import LAYOUTS, check_gradients

few = settings(max_examples=10, deadline=None)

# subscripts and, per operand, the letters whose lengths it takes ('.' marks an ellipsis axis)
FORMS = [
    "ij,jk->ik",        # matmul
    "bij,bjk->bik",     # batched matmul
    "ij,ij->",          # Frobenius inner product
    "i,j->ij",          # outer product
    "ij->ji",           # transpose
    "ij->j",            # a sum: i appears nowhere else
    "ij",               # implicit output: "ij"
    "ji",               # implicit output: "ij", so a transpose
    "ii->i",            # diagonal (repeated letter)
    "ii",               # trace
    "iij,jk->ik",       # repeated letter next to a contraction
    "...ij,...jk->...ik",
    "i...,...->i...",
    "...i,i",           # implicit output with an ellipsis: "..."
    "ij,jk,kl->il",     # three operands
]


def _shapes(form, lengths, extra):
    """Operand shapes for ``form`` with the letter lengths ``lengths`` and ellipsis axes ``extra``."""
    lhs = form.split("->")[0]
    shapes = []
    for k, term in enumerate(lhs.split(",")):
        dots = extra[k % len(extra)] if "..." in term else ()
        named = term.replace("...", "")
        before = term.index("...") if "..." in term else len(term)
        shape = [lengths[c] for c in named]
        shapes.append(tuple(shape[:before]) + tuple(dots) + tuple(shape[before:]))
    return shapes


@pytest.mark.parametrize("form", FORMS)
@few
@given(sizes=st.lists(st.integers(1, 3), min_size=6, max_size=6), layout=st.sampled_from(LAYOUTS),
       seed=st.integers(0, 99))
def test_einsum_matches_numpy_and_gradchecks(form, sizes, layout, seed):
    lengths = dict(zip("ijklb", sizes))
    # the ellipsis axes of two operands broadcast: (2, 1) against (3,)
    extra = [(2, 1), (sizes[5],)]
    rng = np.random.default_rng(seed)
    xs = [rng.normal(size=s) for s in _shapes(form, lengths, extra)]
    out = mg.einsum(form, *[mg.tensor(x, dtype="float64") for x in xs])
    np.testing.assert_allclose(out.numpy(), np.einsum(form, *xs), rtol=1e-12, atol=1e-12)
    layouts = [layout] + ["contiguous"] * (len(xs) - 1)
    check_gradients(lambda *ts: mg.einsum(form, *ts), xs, layouts=layouts, second_order=True)


def test_einsum_gradient_formula():
    a = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = mg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    mg.einsum("ij,jk->ik", a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.ones((2, 4)) @ b.numpy().T)
    np.testing.assert_array_equal(b.grad.numpy(), a.numpy().T @ np.ones((2, 4)))
    m = mg.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    mg.einsum("ii", m).backward()  # the trace: gradient is the identity
    np.testing.assert_array_equal(m.grad.numpy(), np.eye(3))


def test_einsum_accepts_a_list_and_mixed_dtypes():
    a = mg.tensor([[1, 2], [3, 4]])
    b = mg.tensor([0.5, 1.5], dtype="float64")
    out = mg.einsum("ij,j->i", [a, b])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.numpy(), np.einsum("ij,j->i", a.numpy(), b.numpy()))


def test_einsum_errors():
    a, b = mg.zeros(2, 3), mg.zeros(4, 5)
    with pytest.raises(ValueError, match=r"einsum: letter 'j' has length 3 in one operand and 4 in operand 1"):
        mg.einsum("ij,jk->ik", a, b)
    with pytest.raises(ValueError, match=r"einsum: subscripts 'ij,jk' name 2 operand\(s\), got 1"):
        mg.einsum("ij,jk", a)
    with pytest.raises(ValueError, match=r"einsum: operand 0 has shape \(2, 3\) but its subscripts 'ijk' name 3 axes"):
        mg.einsum("ijk", a)
    with pytest.raises(ValueError, match=r"einsum: output letter 'z' of 'ij->iz' is in no operand"):
        mg.einsum("ij->iz", a)
    with pytest.raises(ValueError, match=r"einsum: output subscripts 'ii' repeat a letter"):
        mg.einsum("ij->ii", a)
    with pytest.raises(ValueError, match=r"einsum: '1' in subscripts 'i1' is not a letter"):
        mg.einsum("i1", a)
    with pytest.raises(ValueError, match=r"einsum: subscripts '...j->j' use '...' in the operands but not"):
        mg.einsum("...j->j", a)
    with pytest.raises(TypeError, match=r"einsum: only the subscripts-string form is supported"):
        mg.einsum(a, [0, 1])

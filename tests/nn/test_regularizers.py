"""Regularizers: values against NumPy formulas, gradients, special cases, errors, get()."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.nn import regularizers as R
from tests.helpers import NONEMPTY_SHAPES, arrays, check_gradients

W = np.array([[0.5, -1.5, 2.0], [0.0, 0.25, -0.75]])


def t64(x, requires_grad=False):
    return mg.tensor(x, dtype="float64", requires_grad=requires_grad)


def np_orthogonal(w, factor, mode):
    """Mean |cosine| over distinct pairs of rows (or columns), times factor -- by explicit loops."""
    vectors = w if mode == "rows" else w.T
    n = len(vectors)
    cosines = [
        abs(vectors[i] @ vectors[j]) / (np.linalg.norm(vectors[i]) * np.linalg.norm(vectors[j]))
        for i in range(n)
        for j in range(i + 1, n)
    ]
    return factor * float(np.mean(cosines))


# ------------------------------------------------------------------------ values
@pytest.mark.parametrize(
    "reg, reference",
    [
        (R.L1(0.3), lambda w: 0.3 * np.abs(w).sum()),
        (R.L1(), lambda w: 0.01 * np.abs(w).sum()),
        (R.L2(0.2), lambda w: 0.2 * (w**2).sum()),
        (R.L2(), lambda w: 0.01 * (w**2).sum()),
        (R.L1L2(0.1, 0.4), lambda w: 0.1 * np.abs(w).sum() + 0.4 * (w**2).sum()),
        (R.L1L2(l2=0.4), lambda w: 0.4 * (w**2).sum()),
        (R.L1L2(l1=0.1), lambda w: 0.1 * np.abs(w).sum()),
        (R.L1L2(), lambda w: 0.0),
        (R.ElasticNet(0.2, 0.3), lambda w: 0.2 * (0.3 * np.abs(w) + 0.7 / 2 * w**2).sum()),
        (R.ElasticNet(), lambda w: 0.01 * (0.5 * np.abs(w) + 0.25 * w**2).sum()),
        (R.Orthogonal(0.5), lambda w: np_orthogonal(w, 0.5, "rows")),
        (R.Orthogonal(0.5, mode="columns"), lambda w: np_orthogonal(w, 0.5, "columns")),
    ],
    ids=repr,
)
def test_values_match_numpy(reg, reference):
    rng = np.random.default_rng(0)
    for w in (W, rng.normal(size=(5, 7)), rng.normal(size=(6, 3))):
        out = reg(t64(w))
        assert isinstance(out, mg.Tensor) and out.shape == ()
        assert out.dtype == np.float64
        np.testing.assert_allclose(out.item(), reference(w), rtol=1e-12, atol=1e-15)


def test_hand_computed_values():
    # Σ|w| = 5.0, Σw² = 0.25 + 2.25 + 4 + 0 + 0.0625 + 0.5625 = 7.125
    assert R.L1(0.1)(t64(W)).item() == pytest.approx(0.5)
    assert R.L2(0.1)(t64(W)).item() == pytest.approx(0.7125)
    assert R.L1L2(0.1, 0.1)(t64(W)).item() == pytest.approx(1.2125)
    assert R.ElasticNet(1.0, 0.5)(t64(W)).item() == pytest.approx(0.5 * 5.0 + 0.25 * 7.125)


def test_penalty_keeps_float32_and_accepts_arrays():
    w32 = mg.tensor(W)
    for reg in (R.L1(), R.L2(), R.L1L2(0.1, 0.1), R.ElasticNet(), R.Orthogonal()):
        assert reg(w32).dtype == np.float32
    np.testing.assert_allclose(R.L2(0.5)(W).item(), 0.5 * (W**2).sum(), rtol=1e-6)


# ------------------------------------------------------------------------ gradients
@given(x=arrays(shape=NONEMPTY_SHAPES, margin=0.1), l1=st.floats(0.0, 2.0), l2=st.floats(0.0, 2.0))
def test_gradcheck_l1_l2(x, l1, l2):
    check_gradients(R.L1(l1), [x])
    check_gradients(R.L2(l2), [x])
    check_gradients(R.L1L2(l1, l2), [x])


@given(x=arrays(shape=NONEMPTY_SHAPES, margin=0.1), lam=st.floats(0.0, 2.0), beta=st.floats(0.0, 1.0))
def test_gradcheck_elastic_net(x, lam, beta):
    check_gradients(R.ElasticNet(lam, beta), [x])


@given(
    x=arrays(shape=hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=5), margin=0.1),
    factor=st.floats(0.01, 2.0),
    mode=st.sampled_from(["rows", "columns"]),
)
def test_gradcheck_orthogonal(x, factor, mode):
    check_gradients(R.Orthogonal(factor, mode), [x])


def test_analytic_gradients():
    w = t64(W, requires_grad=True)
    R.L2(0.3)(w).backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * 0.3 * W)  # weight decay: 2λw
    w.grad = None
    R.L1(0.3)(w).backward()
    np.testing.assert_allclose(w.grad.numpy(), 0.3 * np.sign(W))  # λ sgn(w), 0 at 0
    w.grad = None
    R.ElasticNet(0.4, 0.25)(w).backward()
    np.testing.assert_allclose(w.grad.numpy(), 0.4 * (0.25 * np.sign(W) + 0.75 * W))
    w.grad = None
    R.L1L2()(w).backward()  # no penalty: zero gradient of the right shape
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros_like(W))


def test_penalty_adds_to_a_loss():
    w = t64(W, requires_grad=True)
    x = t64(np.ones(3))
    loss = ((w @ x) ** 2).mean() + R.L2(0.1)(w)
    loss.backward()
    expected = (W @ np.ones(3))[:, None] * np.ones((1, 3)) + 0.2 * W  # d/dw mean((Wx)²) = 2/2 (Wx) xᵀ
    np.testing.assert_allclose(w.grad.numpy(), expected)


# ------------------------------------------------------------------------ elastic net special cases
@given(x=arrays(shape=NONEMPTY_SHAPES), lam=st.floats(0.0, 3.0))
def test_elastic_net_limits(x, lam):
    t = t64(x)
    np.testing.assert_allclose(R.ElasticNet(lam, 1.0)(t).item(), R.L1(lam)(t).item(), rtol=1e-12, atol=1e-15)
    # β = 0: λ · ½ Σ w², i.e. L2 with coefficient λ/2
    np.testing.assert_allclose(R.ElasticNet(lam, 0.0)(t).item(), R.L2(lam / 2)(t).item(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(R.ElasticNet(lam, 0.0)(t).item(), lam * 0.5 * (x**2).sum(), rtol=1e-12, atol=1e-15)


@given(x=arrays(shape=NONEMPTY_SHAPES), l1=st.floats(0.0, 3.0), l2=st.floats(0.0, 3.0))
def test_l1l2_is_the_sum_of_l1_and_l2(x, l1, l2):
    t = t64(x)
    np.testing.assert_allclose(
        R.L1L2(l1, l2)(t).item(), R.L1(l1)(t).item() + R.L2(l2)(t).item(), rtol=1e-12, atol=1e-15
    )


# ------------------------------------------------------------------------ orthogonal special cases
def test_orthogonal_is_zero_on_orthogonal_rows_and_factor_on_parallel_rows():
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(6, 4)))  # orthonormal columns
    assert R.Orthogonal(mode="columns")(t64(q)).item() == pytest.approx(0.0, abs=1e-12)
    assert R.Orthogonal(mode="rows")(t64(q.T * 3.0)).item() == pytest.approx(0.0, abs=1e-12)
    parallel = np.outer([1.0, -2.0, 0.5, 3.0], [1.0, 2.0, 3.0])  # rows ±parallel: |cos| = 1
    assert R.Orthogonal(0.7)(t64(parallel)).item() == pytest.approx(0.7)
    assert R.Orthogonal(0.7)(t64(np.eye(3))).item() == pytest.approx(0.0)


def test_orthogonal_rows_of_w_are_columns_of_w_transposed_and_scale_invariant():
    w = np.random.default_rng(2).normal(size=(4, 6))
    rows = R.Orthogonal(0.3, "rows")(t64(w)).item()
    assert R.Orthogonal(0.3, "columns")(t64(w.T)).item() == pytest.approx(rows, rel=1e-12)
    scaled = w * np.array([[10.0], [0.1], [3.0], [1.0]])
    assert R.Orthogonal(0.3, "rows")(t64(scaled)).item() == pytest.approx(rows, rel=1e-12)
    assert rows != pytest.approx(R.Orthogonal(0.3, "columns")(t64(w)).item())


def test_orthogonal_edge_cases():
    assert R.Orthogonal()(t64(np.ones((1, 5)))).item() == 0.0  # one row: no pairs
    w = t64(np.array([[0.0, 0.0], [1.0, 2.0], [2.0, -1.0]]), requires_grad=True)
    value = R.Orthogonal(1.0)(w)  # a zero row stays finite
    assert math.isfinite(value.item()) and value.item() == pytest.approx(0.0)
    value.backward()
    assert np.all(np.isfinite(w.grad.numpy()))
    with pytest.raises(ValueError, match=r"\(2, 3, 4\)"):
        R.Orthogonal()(t64(np.ones((2, 3, 4))))
    with pytest.raises(ValueError, match=r"\(5,\)"):
        R.Orthogonal()(t64(np.ones(5)))


# ------------------------------------------------------------------------ repr, validation
@pytest.mark.parametrize(
    "reg, text",
    [
        (R.L1(), "L1(l1=0.01)"), (R.L2(0.5), "L2(l2=0.5)"), (R.L2(), "L2(l2=0.01)"),
        (R.L1L2(0.1, 0.2), "L1L2(l1=0.1, l2=0.2)"), (R.ElasticNet(0.1, 0.3), "ElasticNet(lam=0.1, beta=0.3)"),
        (R.Orthogonal(), "Orthogonal(factor=0.01, mode='rows')"),
    ],
)
def test_repr(reg, text):
    assert repr(reg) == text
    assert isinstance(reg, R.Regularizer)
    assert repr(type(reg)(**reg.get_config())) == text


def test_base_class_is_abstract():
    with pytest.raises(NotImplementedError):
        R.Regularizer()(t64(W))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: R.L1(-0.1), "-0.1"),
        (lambda: R.L2(-1), "l2=-1"),
        (lambda: R.L2(float("nan")), "nan"),
        (lambda: R.L1(True), "True"),
        (lambda: R.L1L2(l1=-0.5), "-0.5"),
        (lambda: R.L1L2(l2=float("inf")), "inf"),
        (lambda: R.ElasticNet(-1.0, 0.5), "-1.0"),
        (lambda: R.ElasticNet(0.1, 1.5), "1.5"),
        (lambda: R.ElasticNet(0.1, -0.2), "-0.2"),
        (lambda: R.Orthogonal(-0.01), "-0.01"),
        (lambda: R.Orthogonal(0.01, mode="diagonal"), "'diagonal'"),
        (lambda: R.L2("0.1"), "'0.1'"),
    ],
)
def test_invalid_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ------------------------------------------------------------------------ get
@pytest.mark.parametrize(
    "name, cls, config",
    [
        ("l1", R.L1, {"l1": 0.01}), ("L2", R.L2, {"l2": 0.01}),
        ("l1_l2", R.L1L2, {"l1": 0.01, "l2": 0.01}), ("l1l2", R.L1L2, {"l1": 0.01, "l2": 0.01}),
        ("elastic_net", R.ElasticNet, {"lam": 0.01, "beta": 0.5}),
        ("orthogonal", R.Orthogonal, {"factor": 0.01, "mode": "rows"}),
    ],
)
def test_get_by_name(name, cls, config):
    reg = R.get(name)
    assert type(reg) is cls and reg.get_config() == config
    assert R.get(name) is not reg  # a fresh instance each time


def test_get_passes_none_and_callables_through():
    assert R.get(None) is None
    reg = R.L2(0.3)
    assert R.get(reg) is reg

    def custom(w):
        return w.abs().max()

    assert R.get(custom) is custom


@pytest.mark.parametrize("bad", ["l3", "ridge", "", 0.01, ["l1"]])
def test_get_unknown_raises(bad):
    with pytest.raises(ValueError) as err:
        R.get(bad)
    assert repr(bad) in str(err.value) and "valid names: elastic_net, l1, l1_l2, l2, orthogonal" in str(err.value)

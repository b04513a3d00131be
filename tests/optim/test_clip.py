import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.optim import clip_grad_norm_, clip_grad_value_

G1 = np.array([[3.0, -4.0], [1.0, 0.5]])
G2 = np.array([-12.0, 2.0, 0.25])


def with_grads(*grads):
    ps = []
    for g in grads:
        p = nn.Parameter(np.zeros_like(g), dtype="float64")
        p.grad = mg.tensor(g, dtype="float64")
        ps.append(p)
    return ps


def test_clip_by_value_clamps_every_entry_in_place():
    ps = with_grads(G1, G2)
    arrays = [p.grad.data for p in ps]
    assert clip_grad_value_(ps, 2.0) is None
    np.testing.assert_array_equal(ps[0].grad.numpy(), [[2.0, -2.0], [1.0, 0.5]])
    np.testing.assert_array_equal(ps[1].grad.numpy(), [-2.0, 2.0, 0.25])
    assert all(p.grad.data is a for p, a in zip(ps, arrays))


def test_clip_by_value_accepts_one_tensor_and_skips_missing_grads():
    (p,) = with_grads(G2)
    q = nn.Parameter(np.ones(2))
    clip_grad_value_(p, 1)
    np.testing.assert_array_equal(p.grad.numpy(), [-1.0, 1.0, 0.25])
    clip_grad_value_([q, p], 0.1)
    assert q.grad is None
    with pytest.raises(ValueError, match=r"clip_value must be >= 0, got -1\.0"):
        clip_grad_value_(p, -1)


@pytest.mark.parametrize("norm_type, total", [
    (2.0, math.sqrt((G1**2).sum() + (G2**2).sum())),
    (1.0, np.abs(G1).sum() + np.abs(G2).sum()),
    (3.0, ((np.abs(G1) ** 3).sum() + (np.abs(G2) ** 3).sum()) ** (1 / 3)),
    (math.inf, 12.0),
    ("inf", 12.0),
])
def test_clip_by_norm_scales_all_gradients_together(norm_type, total):
    ps = with_grads(G1, G2)
    norm = clip_grad_norm_(ps, max_norm=1.5, norm_type=norm_type)
    assert isinstance(norm, mg.Tensor) and norm.shape == ()
    assert float(norm) == pytest.approx(total, rel=1e-12) and norm.item() == float(norm)
    coef = 1.5 / (total + 1e-6)
    np.testing.assert_allclose(ps[0].grad.numpy(), G1 * coef, rtol=1e-12)
    np.testing.assert_allclose(ps[1].grad.numpy(), G2 * coef, rtol=1e-12)
    # The clipped gradients now have (just under) the maximum norm, direction kept.
    again = with_grads(ps[0].grad.numpy(), ps[1].grad.numpy())
    assert float(clip_grad_norm_(again, 100.0, norm_type=norm_type)) == pytest.approx(1.5, rel=1e-6)


def test_clip_by_norm_leaves_small_gradients_alone():
    ps = with_grads(G1, G2)
    total = math.sqrt((G1**2).sum() + (G2**2).sum())
    assert float(clip_grad_norm_(ps, max_norm=total + 1.0)) == pytest.approx(total)
    np.testing.assert_array_equal(ps[0].grad.numpy(), G1)
    np.testing.assert_array_equal(ps[1].grad.numpy(), G2)


def test_clip_by_norm_works_in_place_on_one_tensor_and_skips_missing_grads():
    (p,) = with_grads(G2)
    array = p.grad.data
    q = nn.Parameter(np.ones(2))
    norm = clip_grad_norm_([q, p], max_norm=1.0)
    assert float(norm) == pytest.approx(np.linalg.norm(G2))
    assert p.grad.data is array and q.grad is None
    assert np.linalg.norm(p.grad.numpy()) == pytest.approx(1.0, rel=1e-5)
    assert float(clip_grad_norm_(nn.Parameter(np.ones(2)), 1.0)) == 0.0  # no gradients at all


def test_clip_by_norm_keeps_the_gradient_dtype():
    p = nn.Parameter(np.zeros(3))  # float32
    p.grad = mg.tensor([3.0, 4.0, 0.0])
    norm = clip_grad_norm_([p], 1.0)
    assert p.grad.dtype == np.float32 and norm.dtype == np.float32
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-6)


def test_nonfinite_norm():
    ps = with_grads(np.array([1.0, np.nan]), np.array([2.0]))
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is nan"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(ps[1].grad.numpy(), [2.0])  # nothing changed
    ps = with_grads(np.array([1.0, np.inf]))
    with pytest.raises(RuntimeError, match="is inf"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert math.isinf(float(clip_grad_norm_(ps, 1.0)))  # PyTorch's default: no error


def test_clip_by_norm_argument_errors():
    ps = with_grads(G2)
    with pytest.raises(ValueError, match=r"max_norm must be >= 0, got -1\.0"):
        clip_grad_norm_(ps, -1.0)
    with pytest.raises(ValueError, match=r"norm_type must be a positive number or inf, got 0\.0"):
        clip_grad_norm_(ps, 1.0, norm_type=0)


# ----------------------------------------------------------------------------- asymmetric bounds

def test_clip_by_value_with_asymmetric_bounds():
    ps = with_grads(G1, G2)
    clip_grad_value_(ps, min_value=-0.5, max_value=2.0)
    np.testing.assert_array_equal(ps[0].grad.numpy(), np.clip(G1, -0.5, 2.0))
    np.testing.assert_array_equal(ps[1].grad.numpy(), np.clip(G2, -0.5, 2.0))
    (p,) = with_grads(G2)
    clip_grad_value_(p, max_value=0.0)  # one side only
    np.testing.assert_array_equal(p.grad.numpy(), np.minimum(G2, 0.0))
    (p,) = with_grads(G2)
    clip_grad_value_(p, min_value=0.1)
    np.testing.assert_array_equal(p.grad.numpy(), np.maximum(G2, 0.1))


@pytest.mark.parametrize("kwargs, match", [
    (dict(), "give clip_value .* or min_value/max_value"),
    (dict(clip_value=1.0, min_value=-1.0), "either clip_value or min_value/max_value, not both"),
    (dict(clip_value=1.0, max_value=2.0), "not both"),
    (dict(min_value=1.0, max_value=-1.0), r"min_value=1\.0 is greater than max_value=-1\.0"),
    (dict(min_value=float("nan")), "min_value must be a number"),
])
def test_clip_by_value_argument_errors(kwargs, match):
    (p,) = with_grads(G2)
    with pytest.raises(ValueError, match=match):
        clip_grad_value_(p, **kwargs)
    np.testing.assert_array_equal(p.grad.numpy(), G2)  # nothing clipped

import math
import warnings

import numpy as np
import pytest
from hypothesis import given

import minigrad as mg
from minigrad.quant import TERNARY_BITS, absmean, quantize_ternary, ternary
from tests.helpers import arrays


def test_absmean_hand_example():
    # γ = (0.9 + 0.1 + 0.4 + 2.0) / 4 = 0.85; W/γ = [1.06, −0.12, 0.47, −2.35] → RoundClip → [1, 0, 0, −1]
    W = np.array([[0.9, -0.1], [0.4, -2.0]])
    assert absmean(W) == pytest.approx(0.85)
    np.testing.assert_allclose(ternary(W), [[0.85, 0.0], [0.0, -0.85]], rtol=1e-12)
    qt = quantize_ternary(W)
    np.testing.assert_array_equal(qt.q, [[1, 0], [0, -1]])
    assert qt.q.dtype == np.int8 and qt.scale == pytest.approx(0.85) and qt.scheme == "ternary"
    assert qt.bits == pytest.approx(1.58, abs=0.01) and qt.bits == TERNARY_BITS == math.log2(3)
    np.testing.assert_allclose(qt.dequantize(), ternary(W))
    assert (qt.qmin, qt.qmax) == (-1, 1)


@given(arrays())
def test_values_are_in_minus_one_zero_one_times_gamma(w):
    qt = quantize_ternary(w)
    gamma = np.abs(w).mean()
    assert qt.scale == pytest.approx(gamma)
    assert set(np.unique(qt.q)) <= {-1, 0, 1}
    np.testing.assert_allclose(ternary(w), qt.q * gamma, rtol=1e-12, atol=1e-300)
    # small weights (|w| < γ/2) become 0, large ones (|w| > 3γ/2) keep their sign
    ratio = w / (gamma + 1e-5)
    assert (qt.q[np.abs(ratio) < 0.499] == 0).all()
    np.testing.assert_array_equal(qt.q[np.abs(ratio) > 1.5], np.sign(w[np.abs(ratio) > 1.5]))


def test_tensor_input_gives_a_straight_through_gradient():
    W = mg.tensor([[0.9, -0.1], [0.4, -2.0]], requires_grad=True)
    out = ternary(W)
    assert isinstance(out, mg.Tensor) and out.dtype == np.float32 and out.op == "ternary"
    np.testing.assert_allclose(out.numpy(), [[0.85, 0.0], [0.0, -0.85]], rtol=1e-6)
    g = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    (out * mg.tensor(g)).sum().backward()
    np.testing.assert_array_equal(W.grad.numpy(), g)  # ∂Ŵ/∂W = 1 (BitNet's w + (q(w) − w).detach())


def test_all_zero_weights():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(ternary(np.zeros((2, 3))), 0.0)
        assert quantize_ternary(np.zeros(4)).scale == 0.0


def test_bad_input():
    with pytest.raises(ValueError, match="contains nan"):
        ternary(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="eps must be positive, got 0"):
        ternary(np.ones(3), eps=0)

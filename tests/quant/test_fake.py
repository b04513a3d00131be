import numpy as np
import pytest

import minigrad as mg
from minigrad.quant import fake_quantize, lsq_grad_scale, quantize

# A 3-bit unsigned grid: scale 0.25, zero point 2, codes 0 … 7, i.e. the reals −0.5 … 1.25.
X = [-1.0, -0.26, 0.0, 0.24, 0.5, 1.0, 3.0]
#   x/s:  -4   -1.04  0   0.96   2    4    12
#   +z:   -2    1     2   3      4    6    14   → clamp to [0, 7]: 0 1 2 3 4 6 7
EXPECTED = [-0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.25]
INSIDE = [0, 1, 1, 1, 1, 1, 0]


def test_forward_matches_pytorch_fake_quantize_per_tensor_affine():
    # torch.fake_quantize_per_tensor_affine(x, 0.25, 2, 0, 7) computed by hand:
    # (clamp(nearbyint(x / s) + z, qmin, qmax) − z) · s
    out = fake_quantize(np.array(X, dtype=np.float32), 0.25, 2, 0, 7)
    assert isinstance(out, mg.Tensor) and out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), EXPECTED)


def test_forward_ties_round_half_to_even():
    out = fake_quantize(np.array([0.125, 0.375, -0.125, -0.375]), 0.25, 0, -8, 7)
    np.testing.assert_allclose(out.numpy(), [0.0, 0.5, 0.0, -0.5])  # 0.5 → 0, 1.5 → 2


def test_forward_equals_quantize_then_dequantize():
    x = np.random.default_rng(0).normal(size=(5, 4))
    qt = quantize(x, bits=6, scheme="affine")
    out = fake_quantize(mg.tensor(x, dtype="float64"), qt.scale, qt.zero_point, 0, 63)
    np.testing.assert_allclose(out.numpy(), qt.dequantize())
    assert out.dtype == np.float64
    # arrays become float32 Tensors, the engine's default
    assert fake_quantize(x, qt.scale, qt.zero_point, 0, 63).dtype == np.float32


def test_straight_through_gradient_mask():
    x = mg.tensor(X, requires_grad=True)
    g = np.arange(1.0, 8.0, dtype=np.float32)
    (fake_quantize(x, 0.25, 2, 0, 7) * mg.tensor(g)).sum().backward()
    # ∂x̂/∂x = 1 where qmin ≤ round(x/s) + z ≤ qmax, 0 where clamped (PyTorch's mask)
    np.testing.assert_array_equal(x.grad.numpy(), g * np.array(INSIDE))


def test_mask_boundaries_are_inclusive():
    # round(x/s)+z exactly qmin or qmax still passes the gradient
    x = mg.tensor([-0.5, 1.25, -0.7, 1.4], requires_grad=True)
    fake_quantize(x, 0.25, 2, 0, 7).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1, 0, 0])


def test_per_channel_matches_per_tensor_on_each_row():
    x = np.random.default_rng(1).normal(size=(2, 5)) * [[1.0], [10.0]]
    scales, zeros = np.array([0.05, 0.5]), np.array([3, -2])
    out = fake_quantize(x, scales, zeros, -8, 7, axis=0).numpy()
    for c in range(2):
        np.testing.assert_allclose(out[c], fake_quantize(x[c], scales[c], zeros[c], -8, 7).numpy())
    # a scale array that broadcasts (one per row) is the same thing
    np.testing.assert_allclose(fake_quantize(x, scales[:, None], zeros[:, None], -8, 7).numpy(), out)


def test_lsq_scale_gradient_against_the_hand_formula():
    x = np.array([-1.0, -0.26, 0.24, 3.0])
    s = mg.tensor(0.25, dtype="float64", requires_grad=True)
    fake_quantize(x, s, 2, 0, 7).sum().backward()
    # below: qmin − z = −2; inside: round(x/s) − x/s = −1 + 1.04 and 1 − 0.96; above: qmax − z = 5
    assert s.grad.item() == pytest.approx(-2 + 0.04 + 0.04 + 5)


def test_lsq_gradient_elementwise_and_per_channel():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 6)) * 2
    s0, qmin, qmax = np.array([0.1, 0.3, 0.05]), -8, 7
    s = mg.tensor(s0, dtype="float64", requires_grad=True)
    g = rng.normal(size=x.shape)
    out = fake_quantize(mg.tensor(x, dtype="float64"), s, 0, qmin, qmax, axis=0)
    (out * mg.tensor(g, dtype="float64")).sum().backward()
    v = x / s0[:, None]
    q = np.rint(v)
    d = np.where(q < qmin, qmin, np.where(q > qmax, qmax, q - v))  # Esser et al. 2020, eq. 3
    np.testing.assert_allclose(s.grad.numpy(), (g * d).sum(axis=1))


def test_lsq_gradient_scale():
    x = np.array([0.3, -1.7, 5.0])
    grads = []
    for factor in (None, lsq_grad_scale(3, 7)):
        s = mg.tensor(0.5, dtype="float64", requires_grad=True)
        out = fake_quantize(x, s, 0, -8, 7, grad_scale=factor)
        np.testing.assert_allclose(out.numpy(), [0.5, -1.5, 3.5])  # the forward pass is unchanged
        out.sum().backward()
        grads.append(s.grad.item())
    assert lsq_grad_scale(3, 7) == pytest.approx(1 / np.sqrt(21))
    assert grads[1] == pytest.approx(grads[0] / np.sqrt(21))


def test_gradcheck_where_the_function_is_smooth():
    # Clamped values: x̂ = (qmax − z)·s or (qmin − z)·s, linear in s and constant in x, so the
    # analytic gradients (LSQ's qmin − z / qmax − z, and the STE's 0) are the true ones.
    x = mg.tensor([-3.0, -2.5, 2.2, 4.0], dtype="float64", requires_grad=True)
    s = mg.tensor(0.1, dtype="float64", requires_grad=True)
    assert mg.gradcheck(lambda x, s: fake_quantize(x, s, 3, -8, 7), x, s)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nan_or_inf_input_is_rejected_like_quantize(bad):
    from minigrad.quant import quantize

    x = mg.tensor([0.3, bad], requires_grad=True)
    with pytest.raises(ValueError, match=rf"fake_quantize: the input contains {bad} at index \(1,\)"):
        fake_quantize(x, 0.1, 0, -8, 7)
    with pytest.raises(ValueError, match=rf"contains {bad}"):
        quantize(x.numpy(), 8)
    with pytest.raises(ValueError, match=rf"fake_quantize: the input contains {bad} at index \(0, 1\)"):
        fake_quantize(mg.tensor([[0.3, bad]]), np.array([0.1]), 0, -8, 7, axis=0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="scale must be positive and finite, got 0.0"):
        fake_quantize([1.0], 0.0, 0, -8, 7)
    with pytest.raises(ValueError, match="scale must be positive and finite, got -0.5"):
        fake_quantize([1.0], mg.tensor([0.1, -0.5], requires_grad=True), 0, -8, 7, axis=0)
    with pytest.raises(ValueError, match=r"qmin \(7\) must be less than qmax \(-8\)"):
        fake_quantize([1.0], 0.1, 0, 7, -8)
    with pytest.raises(ValueError, match=r"zero point 9 is outside \[qmin, qmax\] = \[-8, 7\]"):
        fake_quantize([1.0], 0.1, 9, -8, 7)
    with pytest.raises(ValueError, match="zero point must be an integer, got 0.5"):
        fake_quantize([1.0], 0.1, 0.5, -8, 7)
    with pytest.raises(ValueError, match="need 3 entries along axis 0"):
        fake_quantize(np.ones((3, 2)), [0.1, 0.2], 0, -8, 7, axis=0)
    with pytest.raises(ValueError, match="grad_scale only applies to a learnable scale"):
        fake_quantize([1.0], 0.1, 0, -8, 7, grad_scale=0.5)

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.nn import losses
from minigrad.nn.losses import (
    binary_cross_entropy, categorical_hinge, classification_error, cross_entropy, huber, hinge, mae, mse, nll,
)
from tests.helpers import NONEMPTY_SHAPES, check_gradients, seeds, values

REDUCE = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}
reductions = st.sampled_from(sorted(REDUCE))


def f64(x, grad=False):
    return mg.tensor(x, dtype="float64", requires_grad=grad)


# --------------------------------------------------------------------------- NumPy references

def np_log_softmax(z, axis):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def np_huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))


def np_cross_entropy(z, onehot, eps=0.0):
    y = (1 - eps) * onehot + eps / z.shape[-1]
    return -(y * np_log_softmax(z, -1)).sum(-1)


def np_categorical_hinge(z, onehot):
    pos = (onehot * z).sum(-1)
    neg = ((1 - onehot) * z).max(-1)
    return np.maximum(neg - pos + 1, 0)


@st.composite
def classification(draw, max_n=5, max_c=5):
    """(logits (N, C), integer targets (N,), one-hot targets (N, C))."""
    n, c = draw(st.integers(1, max_n)), draw(st.integers(2, max_c))
    rng = np.random.default_rng(draw(seeds))
    t = rng.integers(0, c, n)
    return rng.uniform(-3, 3, (n, c)), t, np.eye(c)[t]


# --------------------------------------------------------------------------- elementwise losses

@given(shape=NONEMPTY_SHAPES, seed=seeds, reduction=reductions)
def test_mse_matches_numpy_and_gradchecks(shape, seed, reduction):
    x, y = values(seed, shape), values(seed + 1, shape)
    out = mse(f64(x), y, reduction=reduction)
    assert out.shape == (shape if reduction == "none" else ())
    np.testing.assert_allclose(out.numpy(), REDUCE[reduction]((x - y) ** 2), rtol=1e-12)
    check_gradients(lambda a, b: mse(a, b, reduction=reduction), [x, y], second_order=True)


@given(shape=NONEMPTY_SHAPES, seed=seeds, reduction=reductions)
def test_mae_matches_numpy_and_gradchecks(shape, seed, reduction):
    x, d = values(seed, shape), values(seed + 1, shape, margin=0.05)  # keep away from the kink at 0
    out = mae(f64(x), x - d, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), REDUCE[reduction](np.abs(d)), rtol=1e-12)
    check_gradients(lambda a: mae(a, x - d, reduction=reduction), [x])


@given(shape=NONEMPTY_SHAPES, seed=seeds, reduction=reductions, delta=st.sampled_from([0.5, 1.0, 2.0]))
def test_huber_matches_numpy_and_gradchecks_away_from_the_kink(shape, seed, reduction, delta):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, shape)
    # errors either well inside (|d| ≤ 0.8δ) or well outside (|d| ≥ 1.2δ) the quadratic zone
    mag = np.where(rng.random(shape) < 0.5, rng.uniform(0, 0.8, shape), rng.uniform(1.2, 3, shape)) * delta
    d = mag * rng.choice([-1.0, 1.0], shape)
    out = huber(f64(x), x - d, delta=delta, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), REDUCE[reduction](np_huber(d, delta)), rtol=1e-12, atol=1e-15)
    check_gradients(lambda a: huber(a, x - d, delta=delta, reduction=reduction), [x], second_order=True)


def test_huber_hand_values_pytorch_formula():
    x, y = [0.0, 2.0, -3.0], [0.5, 0.0, 0.0]
    # δ=1: ½·0.5², 1·(2 − ½), 1·(3 − ½)
    np.testing.assert_allclose(huber(f64(x), y, reduction="none").numpy(), [0.125, 1.5, 2.5])
    assert huber(f64(x), y).item() == pytest.approx(4.125 / 3)
    # δ=2: |d| = 2 sits on the boundary, where both branches give 2
    np.testing.assert_allclose(huber(f64(x), y, delta=2.0, reduction="none").numpy(), [0.125, 2.0, 4.0])
    # the gradient is continuous at the kink: δ·sign(d) from both sides
    t = f64([1.0], grad=True)
    huber(t, [0.0], reduction="sum").backward()
    assert t.grad.item() == pytest.approx(1.0)


def test_huber_and_mae_at_a_perfect_fit():
    t = f64([0.5, -1.0], grad=True)
    huber(t, [0.5, -1.0], reduction="sum").backward()
    np.testing.assert_array_equal(t.grad.numpy(), [0, 0])
    # second derivative of ½d² is 1 even at d = 0
    t = f64([0.5], grad=True)
    huber(t, [0.5], reduction="sum").backward(create_graph=True)
    g = t.grad
    t.grad = None
    g.sum().backward()
    assert t.grad.item() == pytest.approx(1.0)
    assert mae(f64([1.0, 2.0]), [1.0, 4.0]).item() == pytest.approx(1.0)


@given(shape=NONEMPTY_SHAPES, seed=seeds, reduction=reductions)
def test_bce_probabilities_matches_numpy_and_gradchecks(shape, seed, reduction):
    p, y = values(seed, shape, 0.05, 0.95), values(seed + 1, shape, 0.0, 1.0)  # soft labels too
    out = binary_cross_entropy(f64(p), y, reduction=reduction)
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(out.numpy(), REDUCE[reduction](expected), rtol=1e-12)
    check_gradients(lambda a: binary_cross_entropy(a, y, reduction=reduction), [p], second_order=True)


@given(shape=NONEMPTY_SHAPES, seed=seeds, reduction=reductions)
def test_bce_from_logits_matches_numpy_and_gradchecks(shape, seed, reduction):
    z, y = values(seed, shape, -6, 6), (values(seed + 1, shape, 0, 1) > 0.5).astype(float)
    out = binary_cross_entropy(f64(z), y, from_logits=True, reduction=reduction)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(out.numpy(), REDUCE[reduction](-(y * np.log(s) + (1 - y) * np.log(1 - s))),
                               rtol=1e-10)
    # the probability form on σ(z) agrees
    np.testing.assert_allclose(out.numpy(), binary_cross_entropy(f64(s), y, reduction=reduction).numpy(),
                               rtol=1e-8)
    check_gradients(lambda a: binary_cross_entropy(a, y, from_logits=True, reduction=reduction), [z],
                    second_order=True)


def test_bce_hand_values():
    assert binary_cross_entropy(f64([0.8]), [1.0]).item() == pytest.approx(-np.log(0.8))
    assert binary_cross_entropy(f64([0.8]), [0.0]).item() == pytest.approx(-np.log(0.2))
    assert binary_cross_entropy(f64([0.0]), [0.0], from_logits=True).item() == pytest.approx(np.log(2))
    # clipped probabilities: a confident wrong answer costs −ln(1e-7), not ∞
    out = binary_cross_entropy(f64([0.0, 1.0]), [1.0, 0.0], reduction="none")
    np.testing.assert_allclose(out.numpy(), -np.log(losses.EPSILON), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_from_logits_is_stable_at_extreme_logits(dtype):
    z = mg.tensor([1000.0, -1000.0, 1000.0, -1000.0, 0.0], dtype=dtype, requires_grad=True)
    y = [1.0, 0.0, 0.0, 1.0, 1.0]
    out = binary_cross_entropy(z, y, from_logits=True, reduction="none")
    np.testing.assert_allclose(out.numpy(), [0, 0, 1000, 1000, np.log(2)], rtol=1e-6, atol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [0, 0, 1, -1, -0.5], atol=1e-6)  # σ(z) − y


def test_bce_from_logits_derivatives_are_exact_at_zero():
    # a zero-initialised model starts at z = 0: dℓ/dz = σ(0) − y, d²ℓ/dz² = σ'(0) = ¼
    z = f64([0.0, 0.0], grad=True)
    binary_cross_entropy(z, [1.0, 0.0], from_logits=True, reduction="sum").backward(create_graph=True)
    np.testing.assert_allclose(z.grad.numpy(), [-0.5, 0.5])
    g = z.grad
    z.grad = None
    g.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [0.25, 0.25])


def test_bce_from_logits_gradgradchecks_through_zero():
    z = np.array([[0.0, -0.0, 2.5], [-3.0, 0.0, 0.7]])
    y = np.array([[1.0, 0.0, 0.3], [0.0, 0.5, 1.0]])  # hard and soft targets
    for reduction in ("mean", "sum", "none"):
        check_gradients(lambda a: binary_cross_entropy(a, y, from_logits=True, reduction=reduction), [z],
                        second_order=True)
    # a learned target is differentiated as well (∂²ℓ/∂z∂y = −1)
    soft = np.array([[0.9, 0.1, 0.3], [0.2, 0.5, 0.8]])  # inside (0, 1): central differences step ±1e-6
    check_gradients(lambda a, t: binary_cross_entropy(a, t, from_logits=True, reduction="sum"), [z, soft],
                    second_order=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bce_from_logits_second_derivative_is_sigma_prime(dtype):
    z = mg.tensor([0.0, -1000.0, 1000.0, 2.0], dtype=dtype, requires_grad=True)
    (g,) = mg.autograd.grad(binary_cross_entropy(z, [1.0, 0.0, 1.0, 0.5], from_logits=True, reduction="sum"), z,
                            create_graph=True)
    (h,) = mg.autograd.grad(g.sum(), z)
    s = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(h.numpy(), [0.25, 0.0, 0.0, s * (1 - s)], rtol=1e-6)
    assert h.numpy()[0] == 0.25 and np.all(np.isfinite(h.numpy()))


@pytest.mark.parametrize("bad", [1.5, -0.25, float("nan"), float("inf")])
def test_bce_rejects_probabilities_outside_the_unit_interval(bad):
    with pytest.raises(ValueError) as info:
        binary_cross_entropy(f64([0.2, bad, 0.7]), [0.0, 1.0, 1.0])
    message = str(info.value)
    assert message.startswith("binary_cross_entropy: probabilities must lie in [0, 1], got ")
    assert str(bad) in message and "from_logits=True" in message
    # the same numbers are fine as logits
    assert np.isfinite(binary_cross_entropy(f64([0.2, 1.5, -0.25]), [0.0, 1.0, 1.0], from_logits=True).item())


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("bad", [2.0, -1.0, float("nan")])
def test_bce_rejects_targets_outside_the_unit_interval(bad, from_logits):
    with pytest.raises(ValueError, match=rf"binary_cross_entropy: targets must lie in \[0, 1\], got {bad}"):
        binary_cross_entropy(f64([0.2, 0.4]), [bad, 1.0], from_logits=from_logits)
    with pytest.raises(ValueError, match="targets must lie in"):
        binary_cross_entropy(f64([0.2, 0.4]), mg.tensor([0.0, bad]), from_logits=from_logits)


def test_bce_accepts_the_ends_of_the_unit_interval():
    out = binary_cross_entropy(f64([0.0, 1.0, 0.5]), [0.0, 1.0, 0.5], reduction="none")
    np.testing.assert_allclose(out.numpy()[:2], -np.log(1 - losses.EPSILON), rtol=1e-6)
    assert out.numpy()[2] == pytest.approx(np.log(2))


@given(shape=NONEMPTY_SHAPES, seed=seeds, reduction=reductions, zero_one=st.booleans())
def test_hinge_matches_keras_formula_and_gradchecks(shape, seed, reduction, zero_one):
    rng = np.random.default_rng(seed)
    y = rng.choice([-1.0, 1.0], shape)
    margin = rng.uniform(-2, 2, shape)
    assume(np.all(np.abs(margin - 1) > 1e-3))  # away from the kink y·ŷ = 1
    x = y * margin
    labels = (y + 1) / 2 if zero_one else y
    out = hinge(f64(x), labels, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), REDUCE[reduction](np.maximum(1 - y * x, 0)), rtol=1e-12)
    check_gradients(lambda a: hinge(a, labels, reduction=reduction), [x])


def test_hinge_hand_values():
    # labels {1, 0} become {1, −1}: max(1 − 0.3, 0) = 0.7, max(1 + 0.4, 0) = 1.4
    assert hinge(f64([0.3, 0.4]), [1, 0]).item() == pytest.approx(1.05)
    assert hinge(f64([0.3, 0.4]), [1, -1]).item() == pytest.approx(1.05)
    assert hinge(f64([2.0, -3.0]), [1, -1]).item() == 0.0  # beyond the margin: no loss


# --------------------------------------------------------------------------- cross-entropy and friends

@given(case=classification(), reduction=reductions)
def test_cross_entropy_indices_equal_one_hot_and_numpy(case, reduction):
    z, t, onehot = case
    by_index = cross_entropy(f64(z), t, reduction=reduction)
    by_onehot = cross_entropy(f64(z), onehot, reduction=reduction)
    assert by_index.shape == ((len(t),) if reduction == "none" else ())
    np.testing.assert_allclose(by_index.numpy(), by_onehot.numpy(), rtol=1e-12)
    np.testing.assert_allclose(by_index.numpy(), REDUCE[reduction](np_cross_entropy(z, onehot)), rtol=1e-12)
    # nll of log_softmax is the same loss
    np.testing.assert_allclose(nll(f64(z).log_softmax(), t, reduction=reduction).numpy(), by_index.numpy(),
                               rtol=1e-12)


@given(case=classification(), reduction=reductions, eps=st.sampled_from([0.0, 0.1, 0.3]))
def test_cross_entropy_gradchecks(case, reduction, eps):
    z, t, onehot = case
    check_gradients(lambda a: cross_entropy(a, t, label_smoothing=eps, reduction=reduction), [z],
                    second_order=True)
    check_gradients(lambda a: cross_entropy(a, onehot, label_smoothing=eps, reduction=reduction), [z],
                    second_order=True)


@given(case=classification())
def test_cross_entropy_gradient_is_softmax_minus_target(case):
    z, t, onehot = case
    x = f64(z, grad=True)
    cross_entropy(x, t, reduction="sum").backward()
    s = np.exp(np_log_softmax(z, -1))
    np.testing.assert_allclose(x.grad.numpy(), s - onehot, atol=1e-12)  # δ = softmax(z) − t (Bishop 2006, §4.3.4)


@given(case=classification(), eps=st.sampled_from([0.05, 0.1, 0.5, 1.0]))
def test_label_smoothing_matches_hand_formula(case, eps):
    z, t, onehot = case
    expected = np_cross_entropy(z, onehot, eps)
    np.testing.assert_allclose(cross_entropy(f64(z), t, label_smoothing=eps, reduction="none").numpy(),
                               expected, rtol=1e-12)
    np.testing.assert_allclose(cross_entropy(f64(z), onehot, label_smoothing=eps, reduction="none").numpy(),
                               expected, rtol=1e-12)


def test_cross_entropy_hand_values():
    z = [1.0, 2.0, 3.0]
    lse = np.log(np.e + np.e**2 + np.e**3)
    assert cross_entropy(f64(z), 2).item() == pytest.approx(lse - 3)
    # smoothing 0.1 with 3 classes: target (0.1/3, 0.1/3, 0.9 + 0.1/3)
    expected = 0.9 * (lse - 3) + 0.1 * np.mean([lse - 1, lse - 2, lse - 3])
    assert cross_entropy(f64(z), 2, label_smoothing=0.1).item() == pytest.approx(expected)
    assert expected == pytest.approx(0.507606, abs=1e-6)
    # soft (probability) targets
    y = [0.2, 0.3, 0.5]
    assert cross_entropy(f64([z]), [y]).item() == pytest.approx(sum(yi * (lse - zi) for yi, zi in zip(y, z)))


@given(case=classification(), reduction=reductions)
def test_cross_entropy_from_probabilities(case, reduction):
    z, t, onehot = case
    p = np.exp(np_log_softmax(z, -1))
    out = cross_entropy(f64(p), t, from_logits=False, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), REDUCE[reduction](-np.log(p[np.arange(len(t)), t])), rtol=1e-12)
    check_gradients(lambda a: cross_entropy(a, onehot, from_logits=False, reduction=reduction), [p])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_is_stable_at_extreme_logits(dtype):
    z = mg.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0], [1000.0, 1000.0, 1000.0]],
                  dtype=dtype, requires_grad=True)
    out = cross_entropy(z, [1, 0, 2], reduction="none")
    np.testing.assert_allclose(out.numpy(), [2000, 2000 + np.log(2), np.log(3)], rtol=1e-6)
    out.sum().backward()
    assert np.all(np.isfinite(z.grad.numpy()))
    np.testing.assert_allclose(z.grad.numpy(), [[1, -1, 0], [-1, 0.5, 0.5], [1 / 3, 1 / 3, -2 / 3]], atol=1e-6)


def test_cross_entropy_single_sample_and_spatial_inputs():
    rng = np.random.default_rng(0)
    z = rng.normal(size=4)
    assert cross_entropy(f64(z), 3).shape == ()
    assert cross_entropy(f64(z), 3).item() == pytest.approx(-np_log_softmax(z, -1)[3])
    assert cross_entropy(f64(z), np.eye(4)[3]).item() == pytest.approx(-np_log_softmax(z, -1)[3])
    # (N, C, d) with classes on axis 1, as PyTorch: same as flattening the positions into the batch
    z = rng.normal(size=(2, 3, 4))
    t = rng.integers(0, 3, (2, 4))
    out = cross_entropy(f64(z), t, reduction="none")
    assert out.shape == (2, 4)
    flat = np.moveaxis(z, 1, -1).reshape(-1, 3)
    np.testing.assert_allclose(out.numpy().ravel(), np_cross_entropy(flat, np.eye(3)[t.ravel()]), rtol=1e-12)
    check_gradients(lambda a: cross_entropy(a, t, label_smoothing=0.2), [z], second_order=True)
    check_gradients(lambda a: nll(a, t), [z])


@given(case=classification(), reduction=reductions)
def test_nll_picks_the_target_entries(case, reduction):
    z, t, _ = case
    out = nll(f64(z), t, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), REDUCE[reduction](-z[np.arange(len(t)), t]), rtol=1e-12)
    check_gradients(lambda a: nll(a, t, reduction=reduction), [z], second_order=True)


def test_nll_with_repeated_class_and_minus_infinity_elsewhere():
    # non-target entries of −inf (log 0) must not turn the loss into NaN
    logp = mg.tensor([[0.0, -np.inf], [-np.inf, 0.0], [0.0, -np.inf]], dtype="float64", requires_grad=True)
    out = nll(logp, [0, 1, 0], reduction="sum")
    assert out.item() == 0.0
    out.backward()
    np.testing.assert_array_equal(logp.grad.numpy(), [[-1, 0], [0, -1], [-1, 0]])


@given(case=classification(), reduction=reductions)
def test_categorical_hinge_matches_keras_formula_and_gradchecks(case, reduction):
    z, t, onehot = case
    expected = np_categorical_hinge(z, onehot)
    scores = np.sort((1 - onehot) * z, -1)  # what neg = max((1 − y)·ŷ) compares
    kink = scores[:, -1] - (onehot * z).sum(-1) + 1
    assume(np.all(np.abs(kink) > 1e-3) and np.all(scores[:, -1] - scores[:, -2] > 1e-3))  # no kinks, no ties
    for target in (t, onehot):
        out = categorical_hinge(f64(z), target, reduction=reduction)
        np.testing.assert_allclose(out.numpy(), REDUCE[reduction](expected), rtol=1e-12)
        check_gradients(lambda a: categorical_hinge(a, target, reduction=reduction), [z])


def test_categorical_hinge_hand_values():
    z = f64([[1.0, 2.0, 3.0]])
    assert categorical_hinge(z, [0]).item() == pytest.approx(3.0)  # 3 − 1 + 1
    assert categorical_hinge(z, [2]).item() == 0.0  # 2 − 3 + 1 = 0
    # Keras's neg = max((1 − y)·ŷ) includes the 0 at the true class when every score is negative
    assert categorical_hinge(f64([-1.0, -2.0, -3.0]), 0).item() == pytest.approx(2.0)


# --------------------------------------------------------------------------- the course's loss-function tables (Goodfellow et al. 2016, §6.2.2)

TABLE_TARGETS = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
LOSS_TABLES = [
    # computed probabilities, CE, ACE, MSE as printed on the slide
    ([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]], 0.33, 1.38, 0.81),
    ([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]], 0.33, 0.64, 0.34),
]


@pytest.mark.parametrize("probs,ce,ace,mse_", LOSS_TABLES)
@pytest.mark.parametrize("as_indices", [False, True])
def test_the_course_loss_function_tables(probs, ce, ace, mse_, as_indices):
    targets = np.argmax(TABLE_TARGETS, axis=1) if as_indices else TABLE_TARGETS
    assert classification_error(probs, targets) == pytest.approx(1 / 3)
    assert round(classification_error(probs, targets), 2) == ce
    assert round(cross_entropy(mg.tensor(probs), targets, from_logits=False).item(), 2) == ace
    # the slide sums the squared errors of each row and averages over the 3 rows
    assert round(mse(mg.tensor(probs), TABLE_TARGETS, reduction="sum").item() / 3, 2) == mse_


def test_classification_error_counts_argmax_mistakes():
    z = [[2.0, 1.0], [0.0, 3.0], [5.0, -1.0], [0.1, 0.2]]
    assert classification_error(z, [0, 1, 1, 0]) == 0.5
    assert classification_error(mg.tensor(z), mg.tensor(np.eye(2)[[0, 1, 0, 1]])) == 0.0
    assert classification_error([0.1, 0.9], 1) == 0.0
    assert isinstance(classification_error(z, [0, 1, 0, 1]), float)


# --------------------------------------------------------------------------- targets, dtypes, reductions

def test_targets_may_be_lists_arrays_or_tensors():
    x = f64([[0.5, 1.0], [2.0, -1.0]])
    y = [[1.0, 1.0], [0.0, 0.0]]
    expected = np.mean((np.array(x.numpy()) - np.array(y)) ** 2)
    for target in (y, np.array(y), mg.tensor(y), mg.tensor(y, dtype="float64")):
        assert mse(x, target).item() == pytest.approx(expected)
    for target in ([0, 1], np.array([0, 1]), mg.tensor([0, 1])):
        assert cross_entropy(x, target).item() == pytest.approx(cross_entropy(x, [[1, 0], [0, 1]]).item())


def test_loss_takes_the_input_dtype_and_differentiates_a_tensor_target():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    out = mse(x, np.array([0.0, 0.0]))  # a float64 target does not promote a float32 input
    assert out.dtype == mg.float32
    y = mg.tensor([0.0, 1.0], dtype="float64", requires_grad=True)
    mse(x, y).backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])  # 2(x − y)/n
    np.testing.assert_allclose(y.grad.numpy(), [-1.0, -1.0])
    assert y.grad.dtype == mg.float64
    check_gradients(lambda a, b: mse(a, b), [np.array([1.0, -2.0, 0.5]), np.array([0.0, 1.0, 3.0])],
                    second_order=True)


@pytest.mark.parametrize("fn,args", [
    (mse, ([1.0, 2.0], [0.0, 0.0])), (mae, ([1.0, 2.0], [0.0, 0.0])), (huber, ([1.0, 2.0], [0.0, 0.0])),
    (binary_cross_entropy, ([0.2, 0.7], [0.0, 1.0])), (hinge, ([0.2, -0.7], [1, -1])),
    (cross_entropy, ([[1.0, 2.0]], [1])), (nll, ([[-1.0, -0.5]], [1])), (categorical_hinge, ([[1.0, 2.0]], [0])),
])
def test_reductions_relate(fn, args):
    x, y = args
    none = fn(f64(x), y, reduction="none").numpy()
    assert fn(f64(x), y, reduction="sum").item() == pytest.approx(none.sum())
    assert fn(f64(x), y).item() == pytest.approx(none.mean())
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*'average'"):
        fn(f64(x), y, reduction="average")


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("fn", [mse, mae, huber, binary_cross_entropy, hinge])
def test_elementwise_losses_do_not_broadcast(fn):
    x = mg.tensor(np.full((4, 1), 0.5))
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*\(4, 1\).*\(4,\)"):
        fn(x, np.ones(4))
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*\(4, 1\).*\(1,\)"):
        fn(x, [1.0])


@pytest.mark.parametrize("fn", [cross_entropy, nll, categorical_hinge, classification_error])
def test_classification_target_shape_errors(fn):
    x = mg.zeros(4, 3)
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*\(4, 3\).*\(5,\)"):
        fn(x, np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*\(4, 3\).*\(4, 2\)"):
        fn(x, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*class axis"):
        fn(mg.tensor(1.0), 0)


@pytest.mark.parametrize("fn", [cross_entropy, nll, categorical_hinge, classification_error])
@pytest.mark.parametrize("bad", [3, 7, -1])
def test_out_of_range_class_index(fn, bad):
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*index {bad}\b.*3 classes"):
        fn(mg.zeros(2, 3), [0, bad])


@pytest.mark.parametrize("fn", [cross_entropy, nll, categorical_hinge, classification_error])
def test_non_integer_class_indices(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*integers.*0.5"):
        fn(mg.zeros(2, 3), [0.5, 1.0])
    with pytest.raises(ValueError, match="integers"):
        fn(mg.zeros(2, 3), np.array([True, False]))
    # whole-number floats (labels read from a file) are accepted
    assert fn(mg.zeros(2, 3), np.array([0.0, 2.0])) is not None


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="nll.*one-hot"):
        nll(mg.zeros(2, 3), np.eye(3)[[0, 1]])
    with pytest.raises(ValueError, match=r"hinge.*labels.*0\.5"):
        hinge(mg.zeros(2), [0.5, 1.0])
    with pytest.raises(ValueError, match="label_smoothing"):
        cross_entropy(mg.zeros(2, 3), [0, 1], label_smoothing=1.5)
    with pytest.raises(ValueError, match="delta"):
        huber(mg.zeros(2), [0.0, 0.0], delta=0.0)


# --------------------------------------------------------------------------- lookup by name

def test_get_by_name():
    assert losses.get("mse") is mse and losses.get("mean_squared_error") is mse
    assert losses.get("bce") is binary_cross_entropy and losses.get("binary_cross_entropy") is binary_cross_entropy
    assert losses.get("categorical_crossentropy") is cross_entropy and losses.get("cross_entropy") is cross_entropy
    for name in ("mae", "huber", "nll", "hinge", "categorical_hinge"):
        assert losses.get(name) is getattr(losses, name)
    assert losses.get(huber) is huber
    with pytest.raises(ValueError, match=r"'mse_loss'.*categorical_hinge.*mse"):
        losses.get("mse_loss")
    assert set(losses.__all__) >= {"mse", "mae", "huber", "binary_cross_entropy", "cross_entropy", "nll",
                                   "hinge", "categorical_hinge", "classification_error", "get"}

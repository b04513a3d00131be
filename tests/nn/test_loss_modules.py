"""Loss modules (nn.CrossEntropyLoss ...), the PyTorch-named functionals, class weights and the
Weston–Watkins multi-class hinge, against NumPy written out by hand."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.nn import losses
from tests.helpers import check_gradients

RNG = np.random.default_rng(0)
Z = RNG.normal(size=(5, 4))
T = np.array([0, 3, 1, 3, 2])
W = np.array([1.0, 2.0, 0.5, 3.0])


def f64(a, grad=False):
    return mg.tensor(a, dtype="float64", requires_grad=grad)


def np_log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ----------------------------------------------------------------------------- multiclass hinge

def test_multiclass_hinge_reproduces_the_worked_example():
    z = f64([2.0, 1.5, 1.8, -1.0], grad=True)
    loss = losses.multiclass_hinge(z, 0)
    assert loss.item() == pytest.approx(1.3, abs=1e-12)  # 0.5 + 0.8 + 0
    loss.backward()
    np.testing.assert_array_equal(z.grad.numpy(), [-2.0, 1.0, 1.0, 0.0])
    batch = f64([[2.0, 1.5, 1.8, -1.0], [0.0, 5.0, 0.0, 0.0]])
    # the second sample: z_t = 5 beats every other class by more than 1 → 0; mean over samples
    assert losses.multiclass_hinge(batch, [0, 1]).item() == pytest.approx(0.65, abs=1e-12)
    assert losses.multiclass_hinge(batch, np.eye(4)[[0, 1]]).item() == pytest.approx(0.65, abs=1e-12)


def np_multiclass_hinge(z, t, margin=1.0, p=1, weight=None):
    out = np.zeros(len(z))
    for i in range(len(z)):
        for j in range(z.shape[1]):
            if j != t[i]:
                out[i] += max(0.0, z[i, j] - z[i, t[i]] + margin) ** p
        out[i] *= 1.0 if weight is None else weight[t[i]]
    return out


@pytest.mark.parametrize("p, margin, weight", [(1, 1.0, None), (2, 0.5, None), (1, 2.0, W), (2, 1.0, W)])
def test_multiclass_hinge_and_multi_margin_loss_match_numpy(p, margin, weight):
    expected = np_multiclass_hinge(Z, T, margin, p, weight)
    out = losses.multiclass_hinge(f64(Z), T, margin=margin, p=p, weight=weight, reduction="none").numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    assert losses.multiclass_hinge(f64(Z), T, margin=margin, p=p, weight=weight).item() == pytest.approx(
        expected.mean(), rel=1e-12)
    # PyTorch's MultiMarginLoss divides each sample's sum by the number of classes
    module = nn.MultiMarginLoss(p=p, margin=margin, weight=weight, reduction="sum")
    assert module(f64(Z), T).item() == pytest.approx(expected.sum() / 4, rel=1e-12)
    assert F.multi_margin_loss(f64(Z), T, p=p, margin=margin, weight=weight).item() == pytest.approx(
        expected.mean() / 4, rel=1e-12)


@pytest.mark.parametrize("p", [1, 2])
def test_multiclass_hinge_gradients_first_and_second_order(p):
    z = Z + 0.05 * np.sign(Z)  # keep every margin away from its kink
    check_gradients(lambda a: losses.multiclass_hinge(a, T, p=p), [z], second_order=True)


def test_multiclass_hinge_errors():
    with pytest.raises(ValueError, match="p must be 1 or 2"):
        losses.multiclass_hinge(f64(Z), T, p=3)
    with pytest.raises(ValueError, match="one-hot"):
        losses.multiclass_hinge(f64(Z), np.full((5, 4), 0.25))
    with pytest.raises(ValueError, match="out of range"):
        losses.multiclass_hinge(f64(Z), [0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"weight must have one entry per class, shape \(4,\)"):
        losses.multiclass_hinge(f64(Z), T, weight=[1.0, 2.0])
    assert losses.get("multiclass_hinge") is losses.multiclass_hinge


# ----------------------------------------------------------------------------- class weights

@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_with_class_weights_is_pytorchs_weighted_mean(smoothing):
    logp = np_log_softmax(Z)
    per_sample = (1 - smoothing) * -W[T] * logp[np.arange(5), T] - smoothing * (W * logp).mean(axis=1)
    out = F.cross_entropy(f64(Z), T, weight=W, reduction="none", label_smoothing=smoothing).numpy()
    np.testing.assert_allclose(out, per_sample, rtol=1e-12)
    mean = nn.CrossEntropyLoss(weight=W, label_smoothing=smoothing)(f64(Z), T).item()
    assert mean == pytest.approx(per_sample.sum() / W[T].sum(), rel=1e-12)
    # probability targets: the class weights scale each term, "mean" is over samples
    probs = np.eye(4)[T] * 0.7 + 0.075
    expected = -(probs * (1 - smoothing) + smoothing / 4) * W * logp
    assert F.cross_entropy(f64(Z), probs, weight=W, label_smoothing=smoothing).item() == pytest.approx(
        expected.sum(axis=1).mean(), rel=1e-12)
    # weights of one are no weights (and the fused op gives the same)
    assert F.cross_entropy(f64(Z), T, weight=np.ones(4), label_smoothing=smoothing).item() == pytest.approx(
        F.cross_entropy(f64(Z), T, label_smoothing=smoothing).item(), rel=1e-12)


def test_weighted_cross_entropy_and_nll_gradchecks():
    check_gradients(lambda a: F.cross_entropy(a, T, weight=W, label_smoothing=0.1), [Z], second_order=True)
    check_gradients(lambda a: F.nll_loss(a, T, weight=W), [np_log_softmax(Z)])


def test_nll_loss_with_weights():
    logp = np_log_softmax(Z)
    module = nn.NLLLoss(weight=W)
    assert module(f64(logp), T).item() == pytest.approx((-W[T] * logp[np.arange(5), T]).sum() / W[T].sum(), rel=1e-12)
    assert list(module.state_dict()) == ["weight"]
    assert nn.NLLLoss(reduction="sum")(f64(logp), T).item() == pytest.approx(-logp[np.arange(5), T].sum(), rel=1e-12)


# ----------------------------------------------------------------------------- binary cross-entropy

Y = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
LOGITS = np.array([[0.3, -1.2, 2.0], [1.5, -0.4, -2.2]])


def test_bce_takes_probabilities_and_with_logits_takes_logits():
    p = sigmoid(LOGITS)
    expected = -(Y * np.log(p) + (1 - Y) * np.log(1 - p))
    np.testing.assert_allclose(F.binary_cross_entropy(f64(p), Y, reduction="none").numpy(), expected, rtol=1e-9)
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(f64(LOGITS), Y, reduction="none").numpy(),
                               expected, rtol=1e-12)
    assert nn.BCELoss()(f64(p), Y).item() == pytest.approx(expected.mean(), rel=1e-9)
    assert nn.BCEWithLogitsLoss(reduction="sum")(f64(LOGITS), Y).item() == pytest.approx(expected.sum(), rel=1e-12)


def test_bce_weight_and_pos_weight_as_pytorch():
    p = sigmoid(LOGITS)
    w = np.array([0.5, 1.0, 2.0])
    pos = np.array([3.0, 1.0, 0.25])
    weighted = -w * (Y * np.log(p) + (1 - Y) * np.log(1 - p))
    assert nn.BCELoss(weight=w)(f64(p), Y).item() == pytest.approx(weighted.mean(), rel=1e-9)
    expected = -w * (pos * Y * np.log(p) + (1 - Y) * np.log(1 - p))
    module = nn.BCEWithLogitsLoss(weight=w, pos_weight=pos)
    assert module(f64(LOGITS), Y).item() == pytest.approx(expected.mean(), rel=1e-12)
    assert list(module.state_dict()) == ["weight", "pos_weight"]
    check_gradients(lambda a: F.binary_cross_entropy_with_logits(a, Y, weight=w, pos_weight=pos), [LOGITS],
                    second_order=True)
    with pytest.raises(ValueError, match="pos_weight needs from_logits=True"):
        losses.binary_cross_entropy(f64(p), Y, pos_weight=pos)
    with pytest.raises(ValueError, match=r"weight of shape \(2,\) does not broadcast"):
        F.binary_cross_entropy(f64(p), Y, weight=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"weight of shape \(3, 2, 3\) does not broadcast to the input shape \(2, 3\)"):
        F.binary_cross_entropy(f64(p), Y, weight=np.ones((3, 2, 3)))


@pytest.mark.parametrize("call", [
    lambda: F.binary_cross_entropy(f64([0.2, 1.3]), [0.0, 1.0]),
    lambda: nn.BCELoss()(f64([-0.1, 0.5]), [0.0, 1.0]),
    lambda: F.binary_cross_entropy(f64([0.2, 0.3]), [0.0, 2.0]),
    lambda: F.binary_cross_entropy_with_logits(f64([3.0, -3.0]), [0.0, -1.0]),
    lambda: F.binary_cross_entropy(f64([0.2, np.nan]), [0.0, 1.0]),
])
def test_bce_rejects_probabilities_and_targets_outside_the_unit_interval(call):
    with pytest.raises(ValueError, match=r"binary_cross_entropy: (probabilities|targets) must lie in \[0, 1\]"):
        call()


# ----------------------------------------------------------------------------- regression losses

def test_regression_modules_and_functionals_match_numpy():
    a, b = RNG.normal(size=(4, 3)) * 2, RNG.normal(size=(4, 3))
    d = a - b
    assert nn.MSELoss()(f64(a), b).item() == pytest.approx((d**2).mean(), rel=1e-12)
    assert F.mse_loss(f64(a), b, reduction="sum").item() == pytest.approx((d**2).sum(), rel=1e-12)
    assert nn.L1Loss()(f64(a), b).item() == pytest.approx(np.abs(d).mean(), rel=1e-12)
    np.testing.assert_allclose(F.l1_loss(f64(a), b, reduction="none").numpy(), np.abs(d), rtol=1e-12)
    for delta in (1.0, 0.5):
        expected = np.where(np.abs(d) < delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))
        assert nn.HuberLoss(delta=delta)(f64(a), b).item() == pytest.approx(expected.mean(), rel=1e-12)
        assert F.huber_loss(f64(a), b, delta=delta, reduction="sum").item() == pytest.approx(expected.sum(), rel=1e-12)


def test_cross_entropy_module_matches_the_loss_function_and_backpropagates():
    z = f64(Z, grad=True)
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)(z, T)
    assert loss.item() == pytest.approx(losses.cross_entropy(f64(Z), T, label_smoothing=0.1).item(), rel=1e-12)
    loss.backward()
    target = 0.9 * np.eye(4)[T] + 0.025
    np.testing.assert_allclose(z.grad.numpy(), (np.exp(np_log_softmax(Z)) - target) / 5, rtol=1e-10, atol=1e-14)


def test_loss_modules_check_their_settings_and_have_no_parameters():
    for cls in (nn.CrossEntropyLoss, nn.NLLLoss, nn.MSELoss, nn.L1Loss, nn.HuberLoss, nn.BCELoss,
                nn.BCEWithLogitsLoss, nn.MultiMarginLoss):
        module = cls()
        assert module.parameters() == [] and module.reduction == "mean"
        with pytest.raises(ValueError, match=rf"{cls.__name__}: unknown reduction 'avg'"):
            cls(reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(ValueError, match="delta"):
        nn.HuberLoss(delta=0)
    with pytest.raises(ValueError, match="p must be 1 or 2"):
        nn.MultiMarginLoss(p=3)
    assert "label_smoothing=0.1" in repr(nn.CrossEntropyLoss(label_smoothing=0.1))


def test_ignore_index_leaves_those_samples_out_as_pytorch():
    # targets equal to ignore_index (PyTorch's default -100, e.g. padding) have loss 0 and leave the mean
    T_pad = np.array([0, -100, 1, 3, -100])
    kept = T_pad != -100
    logp = np_log_softmax(Z)
    nll = -logp[np.arange(5), np.where(kept, T_pad, 0)] * kept
    assert nn.CrossEntropyLoss()(f64(Z), T_pad).item() == pytest.approx(nll.sum() / kept.sum(), rel=1e-12)
    np.testing.assert_allclose(nn.CrossEntropyLoss(reduction="none")(f64(Z), T_pad).numpy(), nll, rtol=1e-12)
    assert nn.NLLLoss(reduction="sum")(f64(logp), T_pad).item() == pytest.approx(nll.sum(), rel=1e-12)
    # with class weights the mean divides by the kept samples' weights
    w_kept = W[np.where(kept, T_pad, 0)] * kept
    expected = (nll * W[np.where(kept, T_pad, 0)]).sum() / w_kept.sum()
    assert F.cross_entropy(f64(Z), T_pad, weight=W).item() == pytest.approx(expected, rel=1e-12)
    assert nn.NLLLoss(weight=W, ignore_index=-100)(f64(logp), T_pad).item() == pytest.approx(expected, rel=1e-12)
    # any value can be the ignored one; label smoothing ignores the sample as a whole
    T_skip = np.where(kept, T_pad, 2)
    smooth = nn.CrossEntropyLoss(ignore_index=2, label_smoothing=0.1, reduction="none")(f64(Z), T_skip).numpy()
    assert smooth[1] == 0.0 and smooth[4] == 0.0 and smooth[0] > 0.0
    check_gradients(lambda z: F.cross_entropy(z, T_pad, label_smoothing=0.2), [Z])
    # every sample ignored: the mean is NaN, as in PyTorch; an index that is neither a class nor ignored is an error
    assert np.isnan(nn.CrossEntropyLoss()(f64(Z[:2]), np.array([-100, -100])).item())
    with pytest.raises(ValueError, match="class index -1 is out of range"):
        nn.CrossEntropyLoss()(f64(Z), np.array([0, -1, 1, 3, 2]))

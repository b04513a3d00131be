"""interpolate, embedding and scaled dot-product attention."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F


def tensor(a, grad=True):
    return mg.tensor(np.asarray(a, dtype=np.float64), dtype="float64", requires_grad=grad)


# ---------------------------------------------------------------------- interpolate

def test_nearest_and_bilinear_values_as_pytorch():
    x = tensor([[[[1.0, 2.0], [3.0, 4.0]]]], False)
    assert F.interpolate(x, scale_factor=2).numpy()[0, 0].tolist() == [
        [1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    # align_corners=False: source (i + ½)/2 − ½ clamped at 0 → weights 1, ¾/¼, ¼/¾, 1
    assert F.interpolate(x, size=(4, 4), mode="bilinear").numpy()[0, 0, 0].tolist() == [1.0, 1.25, 1.75, 2.0]
    assert F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=True).numpy()[0, 0].tolist() == [
        [1.0, 1.5, 2.0], [2.0, 2.5, 3.0], [3.0, 3.5, 4.0]]
    line = tensor([[[0.0, 1.0, 2.0]]], False)
    assert F.interpolate(line, size=2).numpy().tolist() == [[[0.0, 1.0]]]  # ⌊i·3/2⌋ = 0, 1
    assert F.interpolate(line, scale_factor=0.5, mode="linear").numpy().tolist() == [[[0.5]]]


@pytest.mark.parametrize("mode, align", [("nearest", None), ("bilinear", False), ("bilinear", True)])
def test_interpolate_gradients(mode, align):
    x = tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 4)))
    fn = lambda x: F.interpolate(x, size=(5, 3), mode=mode, align_corners=align)  # noqa: E731
    assert fn(x).shape == (1, 2, 5, 3)
    assert mg.gradcheck(fn, x) and mg.gradgradcheck(fn, x)


def test_interpolate_errors_and_upsample():
    x = mg.ones((1, 1, 2, 2))
    with pytest.raises(ValueError, match="interpolate: give exactly one of size and scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="interpolate: mode 'bilinear' needs a 4-D input, got shape"):
        F.interpolate(mg.ones((1, 1, 2)), scale_factor=2, mode="bilinear")
    with pytest.raises(ValueError, match="interpolate: align_corners can only be set"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    assert nn.Upsample(scale_factor=(2, 3), mode="bilinear")(x).shape == (1, 1, 4, 6)


# ---------------------------------------------------------------------- embedding

def test_embedding_picks_rows_and_sums_their_gradients():
    weight = tensor(np.arange(12.0).reshape(4, 3))
    out = F.embedding(np.array([[1, 3], [1, 0]]), weight)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy()[0, 1], [9.0, 10.0, 11.0])
    (out * tensor(np.arange(12.0).reshape(2, 2, 3), False)).sum().backward()
    np.testing.assert_array_equal(weight.grad.numpy(), [[9, 10, 11], [6, 8, 10], [0, 0, 0], [3, 4, 5]])
    assert mg.gradgradcheck(lambda w: F.embedding([[2, 2, 0]], w) ** 2, tensor(np.ones((3, 2)) * 0.5))


def test_padding_idx_gets_no_gradient_and_starts_at_zero():
    layer = nn.Embedding(5, 3, padding_idx=-1)
    assert layer.padding_idx == 4 and layer.weight.shape == (5, 3)
    np.testing.assert_array_equal(layer.weight.numpy()[4], 0.0)
    assert layer.weight.numpy()[:4].std() > 0.3  # N(0, 1)
    layer([0, 4, 4]).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.numpy()[:, 0], [1, 0, 0, 0, 0])
    assert list(layer.state_dict()) == ["weight"]
    frozen = nn.Embedding.from_pretrained(np.eye(3))
    assert not frozen.weight.requires_grad and frozen([2]).numpy().tolist() == [[0.0, 0.0, 1.0]]


def test_embedding_errors():
    with pytest.raises(IndexError, match="embedding: index 5 is out of range for 5 embeddings"):
        F.embedding([1, 5], mg.ones((5, 2)))
    with pytest.raises(TypeError, match="embedding: input must hold integer indices, got dtype float64"):
        F.embedding(np.array([1.0]), mg.ones((5, 2)))


# ---------------------------------------------------------------------- attention

def _reference(q, k, v, mask=None, scale=None):
    s = q @ np.swapaxes(k, -1, -2) * (scale or 1 / np.sqrt(q.shape[-1]))
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    return (p / p.sum(axis=-1, keepdims=True)) @ v


def test_attention_matches_the_formula():
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 6))
    got = F.scaled_dot_product_attention(tensor(q), tensor(k), tensor(v)).numpy()
    np.testing.assert_allclose(got, _reference(q, k, v), atol=1e-12)
    causal = np.tril(np.ones((3, 5), dtype=bool))
    got = F.scaled_dot_product_attention(tensor(q), tensor(k), tensor(v), is_causal=True).numpy()
    np.testing.assert_allclose(got, _reference(q, k, v, causal), atol=1e-12)
    np.testing.assert_allclose(got[:, 0], v[:, 0], atol=1e-12)  # the first query sees the first key only
    bias = rng.standard_normal((3, 5))
    got = F.scaled_dot_product_attention(tensor(q), tensor(k), tensor(v), attn_mask=bias, scale=0.3).numpy()
    np.testing.assert_allclose(got, _reference(q, k, v, bias, 0.3), atol=1e-12)


def test_attention_gradients():
    rng = np.random.default_rng(1)
    q, k, v = (tensor(rng.standard_normal(s)) for s in ((2, 3, 4), (2, 4, 4), (2, 4, 2)))
    mask = np.array([[True, True, False, True]] * 3)
    fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # noqa: E731
    assert mg.gradcheck(fn, q, k, v) and mg.gradgradcheck(fn, q, k, v)


def test_attention_errors():
    with pytest.raises(ValueError, match="scaled_dot_product_attention: query .* do not fit"):
        F.scaled_dot_product_attention(mg.ones((2, 3)), mg.ones((4, 2)), mg.ones((4, 2)))
    with pytest.raises(ValueError, match="give attn_mask or is_causal, not both"):
        F.scaled_dot_product_attention(mg.ones((2, 3)), mg.ones((4, 3)), mg.ones((4, 2)),
                                       attn_mask=np.ones((2, 4), bool), is_causal=True)

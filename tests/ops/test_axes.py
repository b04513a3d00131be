"""Axis arguments: normalize_axis, and PyTorch's dim=/keepdim= accepted wherever axis=/keepdims= are."""

import inspect

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import functional as F
from minigrad.ops.axes import DIM_ALIASES, accepts_dim_aliases, normalize_axis, takes_axis


# --------------------------------------------------------------------------- normalize_axis

@pytest.mark.parametrize(
    "axis, ndim, expected",
    [(None, 3, (0, 1, 2)), (1, 3, (1,)), (-1, 3, (2,)), ((2, -3), 3, (0, 2)), (np.int64(-2), 2, (0,)),
     (None, 0, ()), (0, 0, ()), (-1, 0, ()), ((), 2, ())],
)
def test_normalize_axis(axis, ndim, expected):
    assert normalize_axis("op", axis, ndim) == expected


@pytest.mark.parametrize(
    "axis, ndim, error, message",
    [(3, 3, ValueError, "op: axis 3 is out of range for a tensor with 3 dimension"),
     (-4, 3, ValueError, "axis -4 is out of range"),
     (1, 0, ValueError, "op: axis 1 is out of range for a tensor with 0 dimension"),
     (-2, 0, ValueError, "axis -2 is out of range"),
     ((0, -2), 2, ValueError, "op: repeated axis"),
     ("rows", 2, TypeError, "op: axis must be an int or a tuple of ints"),
     (True, 2, TypeError, "axis must be an int"),
     (1.0, 2, TypeError, "axis must be an int")],
)
def test_normalize_axis_errors(axis, ndim, error, message):
    with pytest.raises(error, match=message):
        normalize_axis("op", axis, ndim)


def test_normalize_axis_is_still_importable_from_reduction():
    from minigrad.ops import reduction

    assert reduction.normalize_axis is normalize_axis


# --------------------------------------------------------------------------- the decorator itself

@accepts_dim_aliases
def _reduce_like(x, axis=None, keepdims=False):
    return ("axis", axis, "keepdims", keepdims)


@accepts_dim_aliases
def _flatten_like(x, start_axis=0, **extra):
    return start_axis, extra


def test_aliases_are_renamed_before_the_call():
    assert _reduce_like(0, dim=1, keepdim=True) == ("axis", 1, "keepdims", True)
    assert _reduce_like(0, 2, keepdim=True) == ("axis", 2, "keepdims", True)
    assert _reduce_like(0, dim=(0, 1)) == ("axis", (0, 1), "keepdims", False)
    assert _reduce_like(0) == ("axis", None, "keepdims", False)
    assert _flatten_like(0, start_dim=1, other=2) == (1, {"other": 2})


@pytest.mark.parametrize(
    "call, message",
    [(lambda: _reduce_like(0, 1, dim=1), "_reduce_like: got both axis= and dim="),
     (lambda: _reduce_like(0, axis=None, dim=1), "got both axis= and dim="),
     (lambda: _reduce_like(0, None, True, keepdim=True), "got both keepdims= and keepdim="),
     (lambda: _reduce_like(0, keepdims=False, keepdim=True), "got both keepdims= and keepdim="),
     (lambda: _flatten_like(0, 1, start_dim=1), "got both start_axis= and start_dim=")],
)
def test_both_spellings_is_a_type_error(call, message):
    with pytest.raises(TypeError, match=message + r".*pass one"):
        call()


def test_signature_shows_the_aliases_and_unknown_keywords_still_fail():
    params = inspect.signature(_reduce_like).parameters
    assert list(params) == ["x", "axis", "keepdims", "dim", "keepdim"]
    assert params["dim"].kind is inspect.Parameter.KEYWORD_ONLY and params["dim"].default is None
    assert list(inspect.signature(_flatten_like).parameters) == ["x", "start_axis", "start_dim", "extra"]
    assert _reduce_like.__name__ == "_reduce_like" and _reduce_like.__wrapped__ is not None
    with pytest.raises(TypeError, match="unexpected keyword"):
        _reduce_like(0, dims=1)


def test_decorating_a_function_without_an_axis_is_an_error():
    with pytest.raises(TypeError, match="accepts_dim_aliases: .*has none of"):
        accepts_dim_aliases(lambda x, n=1: x)
    assert takes_axis(lambda x, axis=0: x) and not takes_axis(lambda x: x) and not takes_axis(len)


# --------------------------------------------------------------------------- across the API

X = np.arange(24.0).reshape(2, 3, 4) / 7.0 - 1.0

# name -> (call with NumPy names, the same call with PyTorch names, a call giving both)
CALLS = {
    "Tensor.sum": (lambda t: t.sum(axis=1, keepdims=True), lambda t: t.sum(dim=1, keepdim=True),
                   lambda t: t.sum(1, dim=1)),
    "Tensor.mean": (lambda t: t.mean(axis=(0, 2)), lambda t: t.mean(dim=(0, 2)),
                    lambda t: t.mean(keepdims=True, keepdim=True)),
    "Tensor.var": (lambda t: t.var(axis=-1, ddof=1), lambda t: t.var(dim=-1, ddof=1), lambda t: t.var(axis=0, dim=0)),
    "Tensor.std": (lambda t: t.std(axis=0, keepdims=True), lambda t: t.std(dim=0, keepdim=True),
                   lambda t: t.std(0, dim=0)),
    "Tensor.max": (lambda t: t.max(axis=2), lambda t: t.max(dim=2), lambda t: t.max(axis=2, dim=2)),
    "Tensor.min": (lambda t: t.min(axis=0, keepdims=True), lambda t: t.min(dim=0, keepdim=True),
                   lambda t: t.min(0, True, keepdim=True)),
    "Tensor.argmax": (lambda t: t.argmax(axis=1), lambda t: t.argmax(dim=1), lambda t: t.argmax(1, dim=1)),
    "Tensor.argmin": (lambda t: t.argmin(axis=-1, keepdims=True), lambda t: t.argmin(dim=-1, keepdim=True),
                      lambda t: t.argmin(axis=-1, dim=-1)),
    "Tensor.any": (lambda t: t.any(axis=1), lambda t: t.any(dim=1), lambda t: t.any(1, dim=1)),
    "Tensor.all": (lambda t: t.all(axis=1, keepdims=True), lambda t: t.all(dim=1, keepdim=True),
                   lambda t: t.all(keepdims=True, keepdim=True)),
    "Tensor.logsumexp": (lambda t: t.logsumexp(axis=1), lambda t: t.logsumexp(dim=1), lambda t: t.logsumexp(1, dim=1)),
    "Tensor.softmax": (lambda t: t.softmax(axis=0), lambda t: t.softmax(dim=0), lambda t: t.softmax(-1, dim=0)),
    "Tensor.log_softmax": (lambda t: t.log_softmax(axis=1), lambda t: t.log_softmax(dim=1),
                           lambda t: t.log_softmax(axis=-1, dim=-1)),
    "Tensor.squeeze": (lambda t: t[:, :1].squeeze(axis=1), lambda t: t[:, :1].squeeze(dim=1),
                       lambda t: t[:, :1].squeeze(1, dim=1)),
    "Tensor.unsqueeze": (lambda t: t.unsqueeze(axis=-1), lambda t: t.unsqueeze(dim=-1),
                         lambda t: t.unsqueeze(0, dim=0)),
    "Tensor.expand_dims": (lambda t: t.expand_dims(axis=1), lambda t: t.expand_dims(dim=1),
                           lambda t: t.expand_dims(1, dim=1)),
    "Tensor.flatten": (lambda t: t.flatten(start_axis=1), lambda t: t.flatten(start_dim=1),
                       lambda t: t.flatten(1, start_dim=1)),
    "mg.sum": (lambda t: mg.sum(t, axis=0), lambda t: mg.sum(t, dim=0), lambda t: mg.sum(t, 0, dim=0)),
    "mg.mean": (lambda t: mg.mean(t, axis=1, keepdims=True), lambda t: mg.mean(t, dim=1, keepdim=True),
                lambda t: mg.mean(t, 1, dim=1)),
    "mg.var": (lambda t: mg.var(t, axis=2), lambda t: mg.var(t, dim=2), lambda t: mg.var(t, axis=2, dim=2)),
    "mg.std": (lambda t: mg.std(t, axis=2), lambda t: mg.std(t, dim=2), lambda t: mg.std(t, 2, dim=2)),
    "mg.max": (lambda t: mg.max(t, axis=1), lambda t: mg.max(t, dim=1), lambda t: mg.max(t, 1, dim=1)),
    "mg.min": (lambda t: mg.min(t, axis=1), lambda t: mg.min(t, dim=1), lambda t: mg.min(t, 1, dim=1)),
    "mg.argmax": (lambda t: mg.argmax(t, axis=0), lambda t: mg.argmax(t, dim=0), lambda t: mg.argmax(t, 0, dim=0)),
    "mg.argmin": (lambda t: mg.argmin(t, axis=0), lambda t: mg.argmin(t, dim=0), lambda t: mg.argmin(t, 0, dim=0)),
    "mg.logsumexp": (lambda t: mg.logsumexp(t, axis=2, keepdims=True), lambda t: mg.logsumexp(t, dim=2, keepdim=True),
                     lambda t: mg.logsumexp(t, 2, dim=2)),
    "mg.softmax": (lambda t: mg.softmax(t, axis=1), lambda t: mg.softmax(t, dim=1), lambda t: mg.softmax(t, 1, dim=1)),
    "mg.log_softmax": (lambda t: mg.log_softmax(t, axis=0), lambda t: mg.log_softmax(t, dim=0),
                       lambda t: mg.log_softmax(t, 0, dim=0)),
    "mg.squeeze": (lambda t: mg.squeeze(t[:1], axis=0), lambda t: mg.squeeze(t[:1], dim=0),
                   lambda t: mg.squeeze(t[:1], 0, dim=0)),
    "mg.unsqueeze": (lambda t: mg.unsqueeze(t, axis=3), lambda t: mg.unsqueeze(t, dim=3),
                     lambda t: mg.unsqueeze(t, 3, dim=3)),
    "mg.flatten": (lambda t: mg.flatten(t, start_axis=2), lambda t: mg.flatten(t, start_dim=2),
                   lambda t: mg.flatten(t, 2, start_dim=2)),
    "mg.concat": (lambda t: mg.concat([t, t], axis=2), lambda t: mg.concat([t, t], dim=2),
                  lambda t: mg.concat([t, t], 2, dim=2)),
    "mg.stack": (lambda t: mg.stack([t, t], axis=-1), lambda t: mg.stack([t, t], dim=-1),
                 lambda t: mg.stack([t, t], axis=-1, dim=-1)),
    "F.softmax": (lambda t: F.softmax(t, axis=1), lambda t: F.softmax(t, dim=1), lambda t: F.softmax(t, 1, dim=1)),
    "F.log_softmax": (lambda t: F.log_softmax(t, axis=0), lambda t: F.log_softmax(t, dim=0),
                      lambda t: F.log_softmax(t, axis=0, dim=0)),
    "F.glu": (lambda t: F.glu(t, axis=2), lambda t: F.glu(t, dim=2), lambda t: F.glu(t, 2, dim=2)),
    "F.sparsemax": (lambda t: F.sparsemax(t, axis=1), lambda t: F.sparsemax(t, dim=1),
                    lambda t: F.sparsemax(t, 1, dim=1)),
    "F.maxout": (lambda t: F.maxout(t, 2, axis=2), lambda t: F.maxout(t, 2, dim=2), lambda t: F.maxout(t, 2, 2, dim=2)),
    "Tensor.prod": (lambda t: t.prod(axis=1, keepdims=True), lambda t: t.prod(dim=1, keepdim=True),
                    lambda t: t.prod(1, dim=1)),
    "Tensor.cumsum": (lambda t: t.cumsum(axis=1), lambda t: t.cumsum(dim=1), lambda t: t.cumsum(1, dim=1)),
    "Tensor.cumprod": (lambda t: t.cumprod(axis=-1), lambda t: t.cumprod(dim=-1), lambda t: t.cumprod(axis=0, dim=0)),
    "Tensor.logcumsumexp": (lambda t: t.logcumsumexp(axis=0), lambda t: t.logcumsumexp(dim=0),
                            lambda t: t.logcumsumexp(0, dim=0)),
    "Tensor.cummax": (lambda t: t.cummax(axis=2).values, lambda t: t.cummax(dim=2).values,
                      lambda t: t.cummax(2, dim=2)),
    "Tensor.cummin": (lambda t: t.cummin(axis=1).values, lambda t: t.cummin(dim=1).values,
                      lambda t: t.cummin(1, dim=1)),
    "mg.prod": (lambda t: mg.prod(t, axis=(0, 2)), lambda t: mg.prod(t, dim=(0, 2)), lambda t: mg.prod(t, 0, dim=0)),
    "mg.cumsum": (lambda t: mg.cumsum(t, axis=0), lambda t: mg.cumsum(t, dim=0), lambda t: mg.cumsum(t, 0, dim=0)),
    "mg.cat": (lambda t: mg.cat([t, t], axis=1), lambda t: mg.cat([t, t], dim=1), lambda t: mg.cat([t, t], 1, dim=1)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_dim_keepdim_give_the_same_result_and_gradient(name):
    numpy_style, torch_style, both = CALLS[name]
    expected = numpy_style(mg.tensor(X, dtype="float64"))
    t = mg.tensor(X, dtype="float64", requires_grad=True)
    out = torch_style(t)
    assert out.shape == expected.shape and out.dtype == expected.dtype
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    if out.requires_grad:
        assert mg.gradcheck(torch_style, t)
    with pytest.raises(TypeError, match=r"got both .* pass one"):
        both(t)


def _public_callables():
    yield from ((f"Tensor.{n}", f) for n, f in vars(mg.Tensor).items() if not n.startswith("_") and callable(f))
    yield from ((f"mg.{n}", getattr(mg, n)) for n in mg.__all__ if inspect.isfunction(getattr(mg, n)))
    yield from ((f"F.{n}", getattr(F, n)) for n in F.__all__ if inspect.isfunction(getattr(F, n)))


def test_every_function_with_an_axis_argument_takes_the_pytorch_spelling_too():
    checked = set()
    for name, fn in _public_callables():
        params = inspect.signature(fn).parameters
        for numpy_name, torch_name in ((v, k) for k, v in DIM_ALIASES.items()):
            if numpy_name in params:
                checked.add(name)
                message = f"{name} takes {numpy_name}= but not {torch_name}= (use @accepts_dim_aliases)"
                assert torch_name in params, message
    assert set(CALLS) <= checked  # every call tested above was found here too


@pytest.mark.parametrize("call, message", [
    (lambda t: t.sum(dims=1), r"sum\(\) got an unexpected keyword argument 'dims': write axis= \(or dim=\)"),
    (lambda t: t.mean(axes=(0, 1)), r"mean\(\) got an unexpected keyword argument 'axes': write axis="),
    (lambda t: t.max(keep_dims=True), r"'keep_dims': write keepdims= \(or keepdim=\)"),
    (lambda t: mg.cumsum(t, dims=0), r"cumsum\(\) got an unexpected keyword argument 'dims'"),
])
def test_near_miss_spellings_say_what_to_write(call, message):
    with pytest.raises(TypeError, match=message):
        call(mg.tensor(X))


def test_the_flatten_layer_takes_start_dim():
    layer = mg.nn.Flatten(start_dim=2)
    assert layer.start_axis == 2 and layer(mg.ones(2, 3, 4, 5)).shape == (2, 3, 20)
    with pytest.raises(TypeError, match="got both start_axis= and start_dim="):
        mg.nn.Flatten(1, start_dim=1)

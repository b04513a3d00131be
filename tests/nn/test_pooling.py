"""Max and average pooling: forward against direct loops, gradients, indices, errors, layers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from tests.nn import conv_reference as ref


def tensor(a, grad=True):
    return mg.tensor(np.asarray(a, dtype=np.float64), dtype="float64", requires_grad=grad)


@st.composite
def pool_cases(draw, dilation=True):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dil = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    padding = tuple(draw(st.integers(0, (d * (k - 1) + 1) // 2)) for k, d in zip(kernel, dil))
    size = tuple(max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 3)) for k, d, p in zip(kernel, dil, padding))
    x = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal((draw(st.integers(1, 2)), 2) + size)
    return x, dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=draw(st.booleans())), dil


@settings(max_examples=8, deadline=None)
@given(case=pool_cases())
def test_max_pool2d_matches_the_definition_and_its_gradients_check(case):
    x, args, dilation = case
    got = F.max_pool2d(tensor(x, False), dilation=dilation, **args)
    want = ref.max_pool2d(x, args["kernel_size"], args["stride"], args["padding"], dilation, args["ceil_mode"])
    np.testing.assert_array_equal(got.numpy(), want)
    if not np.all(np.isfinite(want)):
        return  # a window entirely in the padding (-inf): central differences are nan; tested below
    # non-contiguous input: a transposed view
    xt = tensor(np.ascontiguousarray(x.transpose(0, 1, 3, 2)))
    fn = lambda xt: F.max_pool2d(xt.transpose(0, 1, 3, 2), dilation=dilation, **args)  # noqa: E731
    assert mg.gradcheck(fn, xt)
    assert mg.gradgradcheck(fn, xt)


@settings(max_examples=8, deadline=None)
@given(case=pool_cases(dilation=False), include_pad=st.booleans(), override=st.sampled_from([None, 3]))
def test_avg_pool2d_matches_the_definition_and_its_gradients_check(case, include_pad, override):
    x, args, _ = case
    got = F.avg_pool2d(tensor(x, False), count_include_pad=include_pad, divisor_override=override, **args)
    want = ref.avg_pool2d(x, args["kernel_size"], args["stride"], args["padding"], args["ceil_mode"], include_pad,
                          override)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    fn = lambda x: F.avg_pool2d(x, count_include_pad=include_pad, divisor_override=override, **args)  # noqa: E731
    assert mg.gradcheck(fn, tensor(x))
    assert mg.gradgradcheck(fn, tensor(x))


def test_max_pool_gradient_goes_to_the_argmax_and_adds_up_where_windows_overlap():
    x = tensor([[[[1.0, 5.0, 2.0], [0.0, 3.0, 4.0], [7.0, 1.0, 0.0]]]])
    y = F.max_pool2d(x, 2, stride=1)
    assert y.numpy().tolist() == [[[[5.0, 5.0], [7.0, 4.0]]]]
    y.sum().backward()
    assert x.grad.numpy().tolist() == [[[[0.0, 2.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]]]
    _, index = F.max_pool2d(x, 2, stride=1, return_indices=True)
    assert index.numpy().tolist() == [[[[1, 1], [6, 5]]]]
    with mg.no_grad():
        assert F.max_pool2d(x, 2, stride=1, return_indices=True)[1].numpy().tolist() == [[[[1, 1], [6, 5]]]]


def test_ties_pick_the_first_maximum_and_nan_wins():
    x = tensor([[[[2.0, 2.0], [2.0, 2.0]]], [[[1.0, np.nan], [3.0, 0.0]]]], grad=True)
    y = F.max_pool2d(x, 2)
    assert y.numpy()[0].item() == 2.0 and np.isnan(y.numpy()[1].item())
    y[0].sum().backward()
    assert x.grad.numpy()[0].ravel().tolist() == [1.0, 0.0, 0.0, 0.0]


def test_one_dimensional_pooling():
    x = np.random.default_rng(0).standard_normal((2, 3, 9))
    got = F.max_pool1d(tensor(x, False), 3, 2, 1).numpy()
    np.testing.assert_array_equal(got, ref.max_pool2d(x[:, :, None], (1, 3), (1, 2), (0, 1))[:, :, 0])
    got = F.avg_pool1d(tensor(x, False), 4, 3, 2, ceil_mode=True, count_include_pad=False).numpy()
    want = ref.avg_pool2d(x[:, :, None], (1, 4), (1, 3), (0, 2), True, False)[:, :, 0]
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert mg.gradgradcheck(lambda a: F.max_pool1d(a, 2) * F.avg_pool1d(a, 2), tensor(x))
    values, index = F.max_pool1d(tensor(x, False), 3, return_indices=True)
    np.testing.assert_array_equal(np.take_along_axis(x, index.numpy(), axis=2), values.numpy())


@pytest.mark.parametrize("call, message", [
    (lambda: F.max_pool2d(mg.ones((1, 1, 5, 5)), 3, padding=2),
     r"max_pool2d: padding \(2, 2\) must be at most half the kernel size \(3, 3\)"),
    (lambda: F.max_pool2d(mg.ones((1, 1, 2, 2)), 3), r"max_pool2d: kernel size \(3, 3\) .*larger than the padded"),
    (lambda: F.avg_pool2d(mg.ones((1, 5, 5)), 2), r"avg_pool2d: input must be 4-D \(N, C, H, W\), got shape \(1, 5, 5\)"),
    (lambda: F.avg_pool1d(mg.ones((1, 1, 5)), 0), r"avg_pool1d: kernel_size must be a positive int"),
    (lambda: F.avg_pool2d(mg.ones((1, 1, 4, 4)), 2, divisor_override=0), r"avg_pool2d: divisor_override"),
])
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_layers():
    x = mg.randn(2, 3, 8, 8)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)(x).shape == (2, 3, 5, 5)
    assert nn.AvgPool2d((2, 4))(x).shape == (2, 3, 4, 2)
    assert nn.MaxPool1d(2)(mg.randn(2, 3, 7)).shape == (2, 3, 3)
    assert nn.AvgPool1d(3, stride=1, padding=1)(mg.randn(2, 3, 7)).shape == (2, 3, 7)
    pooled, index = nn.MaxPool2d(2, return_indices=True)(x)
    assert index.shape == pooled.shape and index.dtype == np.int64
    assert nn.MaxPool2d(2).state_dict() == {} and nn.MaxPool2d(2).stride == 2
    assert F.max_pool2d(x, 2).dtype == np.float32


def test_a_window_entirely_in_the_padding_gives_minus_infinity_and_no_gradient():
    # kernel 2 with dilation 2 and padding 1 on a single pixel: the taps fall at -1 and +1
    x = tensor(np.array([[[[0.5]], [[-2.0]]]]))
    y = F.max_pool2d(x, kernel_size=2, dilation=2, padding=1, ceil_mode=True)
    assert y.shape == (1, 2, 1, 1) and np.all(np.isneginf(y.numpy()))
    z = F.max_pool2d(x, kernel_size=(2, 1), dilation=(2, 1), padding=(1, 0), stride=1)
    (z * tensor(np.ones(z.shape))).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    fn = lambda x: F.max_pool2d(x, kernel_size=(2, 1), dilation=(2, 1), padding=(1, 0), stride=1)  # noqa: E731
    xs = tensor(np.random.default_rng(0).standard_normal((1, 2, 3, 2)))
    assert mg.gradcheck(fn, xs) and mg.gradgradcheck(fn, xs)

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.quant import QTensor, dequantize, qparams, qrange, quantize
from tests.helpers import NONEMPTY_SHAPES, values

# ----------------------------------------------------------------------------- the course's Exercise 1 (Jacob et al. 2018)

def test_exercise_1_symmetric_uniform_quantization():
    qt = quantize([1.23, -0.87], bits=8)
    assert qt.scale == pytest.approx(1.23 / 127, rel=1e-12)
    np.testing.assert_array_equal(qt.q, [127, -90])  # -0.87 / s = -89.83 → -90
    assert qt.q.dtype == np.int8 and qt.zero_point == 0 and qt.bits == 8 and qt.scheme == "symmetric"
    np.testing.assert_allclose(dequantize(qt), [1.23, -90 * 1.23 / 127])
    assert dequantize(qt).dtype == np.float64  # a list of Python floats is float64


def test_ranges_and_smallest_integer_dtypes():
    assert qrange(8, "symmetric") == (-128, 127)
    assert qrange(8, "affine") == (0, 255)  # unsigned, PyTorch's quint8
    assert qrange(2, "symmetric") == (-2, 1) and qrange(2, "affine") == (0, 3)
    assert qrange(16, "symmetric") == (-32768, 32767)
    x = np.linspace(-1, 1, 7)
    assert quantize(x, 8).q.dtype == np.int8
    assert quantize(x, 8, "affine").q.dtype == np.uint8
    assert quantize(x, 4, "affine").q.dtype == np.uint8
    assert quantize(x, 9).q.dtype == np.int16
    assert quantize(x, 16, "affine").q.dtype == np.uint16


def test_affine_hand_example():
    # range [-1, 3]: s = 4/255, z = round(0 - (-1)/s) = round(63.75) = 64
    qt = quantize([-1.0, 0.0, 3.0], bits=8, scheme="affine")
    assert qt.scale == pytest.approx(4 / 255) and qt.zero_point == 64
    np.testing.assert_array_equal(qt.q, [0, 64, 255])
    assert dequantize(qt)[1] == 0.0  # zero is exact


def test_affine_range_is_widened_to_contain_zero():
    qt = quantize([2.0, 4.0], bits=8, scheme="affine")
    assert qt.zero_point == 0 and qt.scale == pytest.approx(4 / 255)
    qt = quantize([-4.0, -2.0], bits=8, scheme="affine")
    assert qt.zero_point == 255 and qt.scale == pytest.approx(4 / 255)
    assert qparams(-1.0, 3.0, 8, "affine") == (pytest.approx(4 / 255), 64)


def test_round_half_to_even_like_numpy_and_pytorch():
    qt = quantize([0.5, 1.5, 2.5, -0.5, -2.5, 3.5], bits=8, scale=1.0)
    np.testing.assert_array_equal(qt.q, [0, 2, 2, 0, -2, 4])


def test_per_channel_scales_follow_each_row():
    W = np.array([[1.0, -2.0, 0.5], [0.01, 0.02, -0.015]])
    per_channel = quantize(W, bits=4, axis=0)
    np.testing.assert_allclose(per_channel.scale, [2 / 7, 0.02 / 7])
    np.testing.assert_array_equal(per_channel.zero_point, [0, 0])
    per_tensor = quantize(W, bits=4)
    # one scale for both rows rounds the small row to 0; one per row keeps it
    np.testing.assert_array_equal(per_tensor.q[1], [0, 0, 0])
    err_pc = np.abs(per_channel.dequantize()[1] - W[1]).max()
    err_pt = np.abs(per_tensor.dequantize()[1] - W[1]).max()
    assert err_pc < err_pt / 5
    assert "per channel, axis=0" in repr(per_channel)


def test_explicit_scale_and_zero_point():
    qt = quantize([0.0, 0.3, 1.0], bits=8, scheme="affine", scale=0.01, zero_point=10)
    np.testing.assert_array_equal(qt.q, [10, 40, 110])
    qt = quantize(np.ones((2, 3)), bits=8, axis=1, scale=[1.0, 0.5, 0.25])
    np.testing.assert_array_equal(qt.q, [[1, 2, 4], [1, 2, 4]])


def test_all_zero_input_gives_a_valid_scale_without_division_by_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scheme in ("symmetric", "affine"):
            qt = quantize(np.zeros((3, 4)), bits=8, scheme=scheme)
            assert qt.scale == 1.0 and np.isfinite(qt.scale)
            np.testing.assert_array_equal(qt.q, 0)
            np.testing.assert_array_equal(qt.dequantize(), 0.0)
        W = np.array([[0.0, 0.0], [1.0, -1.0]])
        qt = quantize(W, bits=8, axis=0)
        np.testing.assert_allclose(qt.scale, [1.0, 1 / 127])
        np.testing.assert_array_equal(qt.dequantize(), W)
        tiny = quantize(np.array([1e-300, -1e-300]), bits=8)
        assert tiny.scale > 0 and np.isfinite(tiny.scale)


def test_tensor_input_and_float32_output():
    x = mg.tensor([[0.1, -0.2], [0.3, 0.4]])
    qt = quantize(x, bits=8, scheme="affine", axis=1)
    assert isinstance(qt, QTensor) and qt.dequantize().dtype == np.float32
    np.testing.assert_allclose(qt.dequantize(), x.numpy(), atol=max(qt.scale) / 2 + 1e-7)


def test_packed_size():
    assert quantize(np.ones(100), bits=8).nbytes == 100 + 4
    assert quantize(np.ones(100), bits=4, scheme="affine").nbytes == 50 + 8
    assert quantize(np.ones((10, 10)), bits=2, axis=0).nbytes == 25 + 40


# ----------------------------------------------------------------------------- round trips

@st.composite
def quantization_cases(draw):
    shape = draw(NONEMPTY_SHAPES)
    x = values(draw(st.integers(0, 2**32 - 1)), shape) * 10.0 ** draw(st.integers(-3, 3))
    axis = draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    return x, draw(st.integers(2, 16)), draw(st.sampled_from(["symmetric", "affine"])), axis


@given(quantization_cases())
def test_round_trip_error_is_at_most_half_a_step(case):
    x, bits, scheme, axis = case
    qt = quantize(x, bits=bits, scheme=scheme, axis=axis)
    qmin, qmax = qrange(bits, scheme)
    assert qt.q.min() >= qmin and qt.q.max() <= qmax
    s = np.asarray(qt.scale)
    if axis is not None:
        shape = [1] * x.ndim
        shape[axis] = x.shape[axis]
        s = s.reshape(shape)
        assert np.asarray(qt.scale).shape == (x.shape[axis],)
    if scheme == "symmetric":
        np.testing.assert_array_equal(qt.zero_point, 0)
    err = np.abs(qt.dequantize() - x)
    assert (err <= s / 2 * (1 + 1e-9) + 1e-12 * np.abs(x)).all()


@given(quantization_cases())
def test_zero_is_exact(case):
    x, bits, scheme, axis = case
    x = x.copy()
    x.flat[0] = 0.0
    qt = quantize(x, bits=bits, scheme=scheme, axis=axis)
    assert qt.dequantize().flat[0] == 0.0


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("bits", [1, 17, 0, -8, 8.0, True, "8"])
def test_bits_outside_2_to_16_are_rejected(bits):
    with pytest.raises(ValueError, match=f"bits must be an integer from 2 to 16, got {bits!r}"):
        quantize([1.0, 2.0], bits=bits)


@pytest.mark.parametrize("scale", [0.0, -0.5, float("nan"), float("inf")])
def test_a_scale_that_is_not_positive_is_rejected(scale):
    with pytest.raises(ValueError, match=f"scale must be positive and finite, got {scale}"):
        quantize([1.0, 2.0], scale=scale)
    with pytest.raises(ValueError, match="scale must be positive"):
        quantize(np.ones((2, 2)), axis=0, scale=[1.0, scale])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nan_or_inf_in_the_tensor_is_rejected_naming_it(bad):
    x = np.array([[1.0, 2.0], [3.0, bad]])
    with pytest.raises(ValueError, match=rf"contains {bad} at index \(1, 1\)"):
        quantize(x)
    with pytest.raises(ValueError, match=f"contains {bad}"):
        quantize(mg.tensor(x))


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="scheme must be 'symmetric' or 'affine', got 'asym'"):
        quantize([1.0], scheme="asym")
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        quantize(np.ones((2, 2)), axis=2)
    with pytest.raises(ValueError, match=r"zero point 300 is outside the 8-bit affine range \[0, 255\]"):
        quantize([1.0], scheme="affine", scale=0.1, zero_point=300)
    with pytest.raises(ValueError, match="zero_point was given without a scale"):
        quantize([1.0], zero_point=3)
    with pytest.raises(TypeError, match="expects a QTensor"):
        dequantize(np.ones(3))
    with pytest.raises(ValueError, match="min_val .* is greater than max_val"):
        qparams(1.0, -1.0)

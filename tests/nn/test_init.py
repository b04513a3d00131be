"""Initializers: statistics of large draws, structure, determinism, in-place variants, errors."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import init
from minigrad.rng import generator

OUT, IN = 1000, 400  # W ∈ R^{n_out × n_in}: fan_in = 400, fan_out = 1000
SHAPE = (OUT, IN)
TRUNC = 0.87962566103423978


def draw(fn, *args, seed=0, **kwargs):
    mg.manual_seed(seed)
    return fn(*args, **kwargs)


def assert_moments(w, variance, mean=0.0, rtol=0.02):
    """Sample mean within ~10 standard errors of ``mean``; variance within ``rtol``."""
    std = math.sqrt(variance)
    assert abs(w.mean(dtype=np.float64) - mean) < 10 * std / math.sqrt(w.size)
    np.testing.assert_allclose(w.var(dtype=np.float64), variance, rtol=rtol)


# ------------------------------------------------------------------------ fans
@pytest.mark.parametrize(
    "shape, fans",
    [((), (1, 1)), ((7,), (7, 7)), (7, (7, 7)), ((3, 4), (4, 3)), ((8, 3, 5, 5), (75, 200)), ((2, 6, 3), (18, 6))],
)
def test_compute_fans_uses_out_in_layout(shape, fans):
    assert init.compute_fans(shape) == fans


# ------------------------------------------------------------------------ variance rules
VARIANCE_RULES = {
    # name: (variance for fan_in=400, fan_out=1000, distribution)
    "glorot_normal": (2 / (IN + OUT), "normal"),
    "glorot_uniform": (2 / (IN + OUT), "uniform"),
    "xavier_normal": (2 / (IN + OUT), "normal"),
    "xavier_uniform": (2 / (IN + OUT), "uniform"),
    "he_normal": (2 / IN, "normal"),
    "he_uniform": (2 / IN, "uniform"),
    "kaiming_normal": (2 / IN, "normal"),
    "kaiming_uniform": (2 / IN, "uniform"),
    "lecun_normal": (1 / IN, "normal"),
    "lecun_uniform": (1 / IN, "uniform"),
}


@pytest.mark.parametrize("name", sorted(VARIANCE_RULES))
def test_variance_preserving_rules_match_the_seed_formulas(name):
    variance, distribution = VARIANCE_RULES[name]
    w = draw(getattr(init, name), SHAPE)
    assert isinstance(w, np.ndarray) and w.shape == SHAPE and w.dtype == np.float32
    assert_moments(w, variance)
    if distribution == "uniform":  # U(-r, r), r = sqrt(3 Var), and it fills the interval
        r = math.sqrt(3 * variance)
        assert np.abs(w).max() <= r * (1 + 1e-6)
        assert np.abs(w).max() > 0.99 * r
    else:  # plain normal: tails beyond 2σ are present (not truncated)
        beyond = np.mean(np.abs(w) > 2 * math.sqrt(variance))
        assert 0.040 < beyond < 0.051  # P(|Z| > 2) = 0.0455
        assert np.abs(w).max() > 4 * math.sqrt(variance)


def test_glorot_gain_scales_the_standard_deviation():
    assert_moments(draw(init.glorot_normal, SHAPE, gain=3.0), 9 * 2 / (IN + OUT))
    assert_moments(draw(init.glorot_uniform, SHAPE, 0.5), 0.25 * 2 / (IN + OUT))


@pytest.mark.parametrize("fn", [init.he_normal, init.he_uniform])
def test_he_negative_slope_and_fan_out(fn):
    assert_moments(draw(fn, SHAPE, negative_slope=0.5), 2 / (1.25 * IN))
    assert_moments(draw(fn, SHAPE, mode="fan_out"), 2 / OUT)


def test_he_normal_with_relu_gain_equals_kaiming_definition():
    # Var = gain² / fan_in with gain = calculate_gain("relu") = √2
    assert_moments(draw(init.he_normal, SHAPE), init.calculate_gain("relu") ** 2 / IN)


def test_convolution_shapes_use_the_receptive_field():
    w = draw(init.he_normal, (200, 16, 5, 5))
    assert_moments(w, 2 / (16 * 25), rtol=0.03)
    w = draw(init.glorot_uniform, (200, 16, 5, 5))
    assert_moments(w, 2 / ((16 + 200) * 25), rtol=0.03)


# ------------------------------------------------------------------------ variance scaling
@pytest.mark.parametrize("mode, fan", [("fan_in", IN), ("fan_out", OUT), ("fan_avg", (IN + OUT) / 2)])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_matches_keras(mode, fan, distribution):
    scale = 2.5
    variance = scale / fan
    w = draw(init.variance_scaling, SHAPE, scale=scale, mode=mode, distribution=distribution)
    assert w.shape == SHAPE and w.dtype == np.float32
    assert_moments(w, variance)
    peak = np.abs(w).max()
    if distribution == "truncated_normal":  # σ = sqrt(scale/n)/0.8796, cut at 2σ
        bound = 2 * math.sqrt(variance) / TRUNC
        assert peak <= bound * (1 + 1e-6) and peak > 0.99 * bound
    elif distribution == "uniform":
        bound = math.sqrt(3 * variance)
        assert peak <= bound * (1 + 1e-6) and peak > 0.99 * bound
    else:
        assert peak > 2 * math.sqrt(variance) / TRUNC * 1.5


def test_variance_scaling_defaults_and_special_cases():
    # default: scale 1, fan_in, truncated normal
    w = draw(init.variance_scaling, SHAPE)
    assert_moments(w, 1 / IN)
    assert np.abs(w).max() <= 2 / math.sqrt(IN) / TRUNC * (1 + 1e-6)
    # He uniform is VarianceScaling(2, fan_in, uniform): the very same draw
    np.testing.assert_array_equal(
        draw(init.variance_scaling, SHAPE, 2.0, "fan_in", "uniform"), draw(init.he_uniform, SHAPE)
    )
    np.testing.assert_array_equal(
        draw(init.variance_scaling, SHAPE, 1.0, "fan_avg", "untruncated_normal"), draw(init.glorot_normal, SHAPE)
    )


# ------------------------------------------------------------------------ plain distributions
def test_truncated_normal_bounds_and_std():
    mean, stddev = 0.3, 0.5
    w = draw(init.truncated_normal, SHAPE, mean=mean, stddev=stddev)
    assert np.abs(w - mean).max() <= 2 * stddev * (1 + 1e-6)
    assert np.abs(w - mean).max() > 0.99 * 2 * stddev
    assert_moments(w, (TRUNC * stddev) ** 2, mean=mean)


def test_truncated_normal_default_stddev():
    w = draw(init.truncated_normal, SHAPE)
    assert np.abs(w).max() <= 0.1 * (1 + 1e-6)
    assert_moments(w, (TRUNC * 0.05) ** 2)


def test_normal_and_uniform():
    assert_moments(draw(init.normal, SHAPE), 1.0)
    assert_moments(draw(init.normal, SHAPE, mean=-2.0, std=0.1), 0.01, mean=-2.0)
    w = draw(init.uniform, SHAPE, low=1.0, high=3.0)
    assert w.min() >= 1.0 and w.max() < 3.0
    assert_moments(w, 4 / 12, mean=2.0)
    w = draw(init.uniform, SHAPE)  # Keras default U(-0.05, 0.05)
    assert np.abs(w).max() <= 0.05
    assert_moments(w, 0.1**2 / 12)
    np.testing.assert_array_equal(init.normal((2, 3), mean=4.0, std=0.0), np.full((2, 3), 4.0, np.float32))


def test_constant_initializers():
    np.testing.assert_array_equal(init.zeros((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(init.ones(4), np.ones(4))
    np.testing.assert_array_equal(init.constant((2, 2), 0.7), np.full((2, 2), 0.7, np.float32))
    assert init.zeros((2, 3)).dtype == np.float32
    assert init.ones((2,), dtype="float64").dtype == np.float64
    assert init.zeros(3, dtype="int64").dtype == np.int64  # constants may be integers


# ------------------------------------------------------------------------ structured
@pytest.mark.parametrize("shape", [(30, 50), (50, 30), (40, 40), (8, 3, 2, 2), (1, 10), (10, 1)])
def test_orthogonal_is_orthogonal(shape):
    w = draw(init.orthogonal, shape, dtype="float64")
    assert w.shape == shape and w.dtype == np.float64
    flat = w.reshape(shape[0], -1)
    rows, cols = flat.shape
    gram = flat @ flat.T if rows <= cols else flat.T @ flat
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_gain_and_float32():
    w = draw(init.orthogonal, (20, 20), gain=2.0)
    assert w.dtype == np.float32
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(20), atol=1e-5)
    np.testing.assert_allclose(w.T @ w, 4 * np.eye(20), atol=1e-5)


def test_orthogonal_is_random():
    a, b = draw(init.orthogonal, (6, 6), seed=1), draw(init.orthogonal, (6, 6), seed=2)
    assert not np.allclose(a, b)
    diagonals = np.concatenate([np.diag(draw(init.orthogonal, (6, 6), seed=s)) for s in range(20)])
    assert 0.2 < np.mean(diagonals > 0) < 0.8


@pytest.mark.parametrize("shape", [(6, 6), (4, 7), (7, 4)])
def test_orthogonal_is_the_sign_corrected_q_of_a_gaussian(shape):
    # G = Q R with R's diagonal made positive: the unique QR, so Q is Haar distributed.
    mg.manual_seed(11)
    g = generator().standard_normal(shape)
    w = draw(init.orthogonal, shape, seed=11, dtype="float64")
    tall = shape[0] >= shape[1]
    r = w.T @ g if tall else w @ g.T  # G = W R (tall) or Gᵀ = Wᵀ R (wide)
    np.testing.assert_allclose(np.tril(r, -1), 0.0, atol=1e-12)
    assert np.all(np.diag(r) > 0)


def test_identity():
    np.testing.assert_array_equal(init.identity((3, 3)), np.eye(3, dtype=np.float32))
    np.testing.assert_array_equal(init.identity((3, 5), gain=2.0), 2 * np.eye(3, 5, dtype=np.float32))
    np.testing.assert_array_equal(init.identity((4, 2), dtype="float64"), np.eye(4, 2))


# ------------------------------------------------------------------------ determinism and dtype
RANDOM = [
    "normal", "uniform", "truncated_normal", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
    "lecun_normal", "lecun_uniform", "orthogonal", "variance_scaling",
]


@pytest.mark.parametrize("name", RANDOM)
def test_random_initializers_follow_manual_seed(name):
    fn = getattr(init, name)
    a = draw(fn, (6, 5), seed=3)
    b = draw(fn, (6, 5), seed=3)
    c = draw(fn, (6, 5), seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # the draws come from the global generator: a second call continues the stream
    mg.manual_seed(3)
    fn((6, 5))
    assert not np.array_equal(fn((6, 5)), a)


@pytest.mark.parametrize("name", RANDOM + ["zeros", "ones", "identity"])
@pytest.mark.parametrize("dtype", ["float32", "float64", mg.float64, np.float32])
def test_dtype_argument(name, dtype):
    w = draw(getattr(init, name), (4, 3), dtype=dtype)
    assert w.dtype == np.dtype(dtype) and w.shape == (4, 3)


@pytest.mark.parametrize("name", RANDOM)
def test_random_initializers_reject_integer_dtypes(name):
    with pytest.raises(TypeError, match="int64"):
        getattr(init, name)((4, 3), dtype="int64")


def test_float64_draw_is_the_float32_draw_rounded():
    a = draw(init.he_normal, (5, 4), dtype="float64")
    b = draw(init.he_normal, (5, 4))
    np.testing.assert_array_equal(a.astype(np.float32), b)


def test_int_shape_and_empty_shapes():
    assert draw(init.he_normal, 5).shape == (5,)
    assert draw(init.lecun_uniform, [3, 2]).shape == (3, 2)
    assert draw(init.glorot_normal, (0, 5)).shape == (0, 5)
    assert draw(init.orthogonal, (0, 5)).shape == (0, 5)
    assert draw(init.he_normal, ()).shape == ()


@pytest.mark.parametrize(
    "alias, original",
    [("xavier_normal", "glorot_normal"), ("xavier_uniform", "glorot_uniform"),
     ("kaiming_normal", "he_normal"), ("kaiming_uniform", "he_uniform")],
)
def test_aliases_equal_the_originals(alias, original):
    np.testing.assert_array_equal(draw(getattr(init, alias), (7, 9)), draw(getattr(init, original), (7, 9)))
    t1 = draw(getattr(init, alias + "_"), mg.zeros(7, 9))
    t2 = draw(getattr(init, original + "_"), mg.zeros(7, 9))
    np.testing.assert_array_equal(t1.numpy(), t2.numpy())


# ------------------------------------------------------------------------ in place
IN_PLACE = {  # name: extra arguments
    "zeros": (), "ones": (), "constant": (0.25,), "normal": (0.0, 2.0), "uniform": (-1.0, 1.0),
    "truncated_normal": (), "glorot_normal": (), "glorot_uniform": (), "xavier_normal": (),
    "xavier_uniform": (), "he_normal": (), "he_uniform": (), "kaiming_normal": (), "kaiming_uniform": (),
    "lecun_normal": (), "lecun_uniform": (), "orthogonal": (), "identity": (), "variance_scaling": (),
}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("requires_grad", [True, False])
def test_in_place_variants_fill_the_tensor(name, dtype, requires_grad):
    args = IN_PLACE[name]
    t = mg.full((6, 8), 7.0, dtype=dtype, requires_grad=requires_grad)
    data = t.data
    out = draw(getattr(init, name + "_"), t, *args, seed=5)
    assert out is t
    assert t.dtype == np.dtype(dtype) and t.shape == (6, 8)
    assert t.requires_grad is requires_grad and t.is_leaf and t.grad is None
    assert t.data is data  # filled in place
    expected = draw(getattr(init, name), (6, 8), *args, seed=5, dtype=dtype)
    np.testing.assert_array_equal(t.numpy(), expected)
    assert not np.all(t.numpy() == 7.0)


def test_in_place_fill_records_no_graph_and_tensor_still_trains():
    w = mg.zeros(3, 4, requires_grad=True)
    init.he_uniform_(w)
    assert w.op == "" and w.parents == ()
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * w.numpy())


def test_in_place_errors():
    with pytest.raises(TypeError, match="ndarray"):
        init.normal_(np.zeros(3))
    with pytest.raises(TypeError, match="dtype"):
        init.normal_(mg.zeros(3), dtype="float64")
    with pytest.raises(ValueError, match="std"):
        init.normal_(mg.zeros(3), std=-1.0)


# ------------------------------------------------------------------------ gains
@pytest.mark.parametrize(
    "nonlinearity, param, gain",
    [
        ("linear", None, 1.0), ("identity", None, 1.0), ("conv2d", None, 1.0), ("conv_transpose3d", None, 1.0),
        ("sigmoid", None, 1.0), ("tanh", None, 5 / 3), ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))), ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("leaky_relu", 1, 1.0), ("selu", None, 0.75),
    ],
)
def test_calculate_gain(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="unknown nonlinearity 'swoosh'; valid names: .*leaky_relu.*conv2d"):
        init.calculate_gain("swoosh")
    with pytest.raises(ValueError, match="'steep'"):
        init.calculate_gain("leaky_relu", "steep")


# ------------------------------------------------------------------------ get
@pytest.mark.parametrize(
    "identifier, expected",
    [
        ("he_normal", "he_normal"), ("HeNormal", "he_normal"), ("GlorotUniform", "glorot_uniform"),
        ("xavier_uniform", "glorot_uniform"), ("kaiming_normal", "he_normal"), ("LecunNormal", "lecun_normal"),
        ("LeCunUniform", "lecun_uniform"), ("RandomNormal", "normal"), ("random_uniform", "uniform"),
        ("TruncatedNormal", "truncated_normal"), ("Zeros", "zeros"), ("ones", "ones"), ("Orthogonal", "orthogonal"),
        ("Identity", "identity"), ("VarianceScaling", "variance_scaling"), ("constant", "constant"),
    ],
)
def test_get_by_name(identifier, expected):
    fn = init.get(identifier)
    assert fn is getattr(init, expected)
    assert fn((4, 3)).shape == (4, 3)


def test_get_passes_callables_through():
    def custom(shape):
        return np.full(shape, 0.5, np.float32)

    assert init.get(custom) is custom
    assert init.get(init.he_uniform) is init.he_uniform


@pytest.mark.parametrize("bad", ["he_norm", "glorot", "", None, 3])
def test_get_unknown_raises_and_lists_names(bad):
    with pytest.raises(ValueError) as err:
        init.get(bad)
    message = str(err.value)
    assert repr(bad) in message
    assert "glorot_uniform" in message and "he_normal" in message and "orthogonal" in message


# ------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: init.zeros((2, -3)), "-3"),
        (lambda: init.he_normal((-1, 4)), "-1"),
        (lambda: init.normal((2, 2), std=-0.5), "-0.5"),
        (lambda: init.truncated_normal((2, 2), stddev=-1.0), "-1.0"),
        (lambda: init.uniform((2, 2), low=0.5, high=0.5), "0.5"),
        (lambda: init.uniform((2, 2), low=1.0, high=-1.0), "low=1.0"),
        (lambda: init.he_normal((2, 2), mode="fan_all"), "'fan_all'"),
        (lambda: init.variance_scaling((2, 2), mode="avg"), "'avg'"),
        (lambda: init.variance_scaling((2, 2), distribution="normal"), "'normal'"),
        (lambda: init.variance_scaling((2, 2), scale=0.0), "scale=0.0"),
        (lambda: init.variance_scaling((2, 2), scale=-2.0), "-2.0"),
        (lambda: init.orthogonal((5,)), r"\(5,\)"),
        (lambda: init.identity((2, 2, 2)), r"\(2, 2, 2\)"),
        (lambda: init.glorot_normal((2, 2), gain=-1.0), "-1.0"),
        (lambda: init.normal((2, 2), mean=float("nan")), "nan"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_the_value(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_shapes_and_dtypes_raise_type_error():
    with pytest.raises(TypeError, match="2.5"):
        init.zeros((2, 2.5))
    with pytest.raises(TypeError, match="shape"):
        init.he_normal("3x4")
    with pytest.raises(TypeError, match="float16"):
        init.he_normal((2, 2), dtype="float16")

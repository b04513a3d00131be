"""The Numba kernels against their NumPy twins, the dispatch rule, and lazy loading.

Arithmetic kernels (activation backward, dropout, softmax-cross-entropy backward,
optimizer updates) must equal the twin bit for bit; kernels that sum or call
exp/log (softmax-cross-entropy forward, BatchNorm) agree to rounding: 1e-6
relative in float32, 1e-12 in float64. The ``forced`` fixture switches Numba on
with every size threshold at 0, so the small arrays here exercise the kernels.
"""

import collections
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.backend import batch_norm as backend_bn
from minigrad.backend import cross_entropy as backend_ce
from minigrad.backend import kernels
from minigrad.nn import functional as F
from minigrad.nn.functional import batch_norm, dropout
from minigrad.nn.losses import cross_entropy

SIZES = (1, 17, 100_003)
TOLERANCE = {np.float32: 1e-6, np.float64: 1e-12}


@pytest.fixture(params=[(np.float32, None), (np.float64, None), (np.float32, 0)],
                ids=["float32", "float64", "float32-threaded"])
def dtype(request, forced, monkeypatch):
    """The dtype of a kernel test, with the kernels forced on: serial compilations, and
    for float32 also the threaded ones (PARALLEL_MIN_SIZE = 0; float32 only, to keep
    the number of compilations, i.e. the first run's time, down)."""
    dt, parallel_min_size = request.param
    monkeypatch.setattr(kernels, "PARALLEL_MIN_SIZE", parallel_min_size)
    return dt


@pytest.fixture(params=["numba", "numpy"])
def numba_mode(request, monkeypatch):
    """Run a test once with the kernels forced on and once with MINIGRAD_NUMBA=0."""
    if request.param == "numba":
        pytest.importorskip("numba")
        monkeypatch.setattr(kernels, "MIN_SIZE", dict.fromkeys(kernels.MIN_SIZE, 0))
        monkeypatch.setenv("MINIGRAD_NUMBA", "1")
    else:
        monkeypatch.setenv("MINIGRAD_NUMBA", "0")
    previous = kernels.set_enabled(None)  # follow the environment variable
    yield request.param
    kernels.set_enabled(previous)


def assert_identical(a, b):
    """Same dtype, shape and bits (so -0.0 ≠ 0.0), NaN in the same places.

    Only a NaN's sign and payload may differ: which operand's NaN an x86 instruction
    passes on depends on the operand order, and IEEE 754 leaves it unspecified.
    """
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, a.shape, b.dtype, b.shape)
    nan = np.isnan(a)
    np.testing.assert_array_equal(nan, np.isnan(b))
    bits = np.uint32 if a.dtype == np.float32 else np.uint64
    np.testing.assert_array_equal(np.where(nan, 0, a).view(bits), np.where(nan, 0, b).view(bits))


def assert_close(a, b, dtype):
    assert a.dtype == b.dtype and a.shape == b.shape
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def reference(twin, dtype, *args):
    """The twin's results for kernels that sum: in float64 for float32 data, then rounded.

    NumPy sums a float32 column (axis 0 of an (N, C) array) one row after another in
    float32, so its own error grows with N (5e-5 relative at N = 10⁵); the kernels
    accumulate in float64. Against the twin evaluated in float64, both dtypes are
    held to the tolerance.
    """
    wide = [a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype == dtype else a for a in args]
    return [np.asarray(r).astype(dtype) for r in twin(*wide)]


def sample(size, dtype, seed=0, special=True):
    """Normal values, with NaN, ±inf and ±0 among them when there is room."""
    x = np.random.default_rng(seed).normal(size=size).astype(dtype)
    if special and size >= 8:
        x[:6] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0]
    return x


# ============================================================================ the rule

def test_dispatch_rule(forced):
    x = np.ones(10, dtype=np.float32)
    assert kernels._kernels("elementwise", x, x) is not None
    assert kernels._kernels("elementwise", x.astype(np.float64)) is not None
    assert kernels._kernels("elementwise", x, x.astype(np.float64)) is None  # mixed dtypes
    assert kernels._kernels("elementwise", x, x[:5]) is None  # shapes differ
    assert kernels._kernels("elementwise", np.ones((4, 4), np.float32).T) is None  # not C-contiguous
    assert kernels._kernels("elementwise", np.ones(10, np.int64)) is None
    assert kernels._kernels("elementwise", np.ones(10, np.float16)) is None
    with kernels.enabled(False):
        assert kernels._kernels("elementwise", x) is None


def test_thresholds_keep_small_arrays_on_numpy():
    for family, size in kernels.MIN_SIZE.items():
        assert size > 0
        small = np.ones(size - 1)
        with kernels.enabled(True):
            assert kernels._kernels(family, small) is None


def test_environment_variable_and_set_enabled(monkeypatch):
    previous = kernels.set_enabled(None)
    try:
        monkeypatch.setenv("MINIGRAD_NUMBA", "0")
        assert not kernels.numba_enabled()
        monkeypatch.setenv("MINIGRAD_NUMBA", "1")
        assert kernels.numba_enabled() == bool(kernels._load())
        with kernels.enabled(False):
            assert not kernels.numba_enabled()
    finally:
        kernels.set_enabled(previous)


def test_missing_numba_falls_back_to_numpy_and_warns_once(monkeypatch):
    monkeypatch.setattr(kernels, "_numba_kernels", None)
    monkeypatch.setitem(sys.modules, "minigrad.backend.numba_kernels", None)  # import fails
    monkeypatch.delattr(mg.backend, "numba_kernels", raising=False)
    monkeypatch.setattr(kernels, "MIN_SIZE", dict.fromkeys(kernels.MIN_SIZE, 0))
    x = sample(17, np.float32)
    with kernels.enabled(True):
        with pytest.warns(RuntimeWarning, match="Numba is unavailable"):
            assert_identical(kernels.relu(x), kernels.relu.numpy(x))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert_identical(kernels.relu(x), kernels.relu.numpy(x))
        assert not kernels.numba_enabled()


def test_warm_up_compiles_every_kernel():
    pytest.importorskip("numba")
    seconds = kernels.warm_up()
    assert seconds is not None and seconds >= 0
    assert kernels.numba_enabled() or os.environ.get("MINIGRAD_NUMBA") == "0"


def test_import_minigrad_does_not_import_numba():
    code = textwrap.dedent("""
        import sys
        import numpy as np
        import minigrad as mg
        from minigrad import nn, optim
        assert "numba" not in sys.modules, "import minigrad imported numba"
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3))
        opt = optim.Adam(model.parameters(), lr=0.01)
        x, y = mg.randn(16, 4, requires_grad=True), np.arange(16) % 3
        for _ in range(2):
            loss = nn.losses.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        mg.tanh(x).sigmoid().sum().backward()
        assert "numba" not in sys.modules, "a small training step imported numba"
        print("ok")
    """)
    env = dict(os.environ, MINIGRAD_NUMBA="1")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_ops_and_optimizers_reach_every_kernel(forced, monkeypatch):
    """The wiring: a training step of a small network, once per optimizer, calls every
    kernel (forward and backward of each op, and each update)."""
    nb = kernels._load()
    target = nb if kernels.PARALLEL_MIN_SIZE == 0 else nb.serial
    calls = collections.Counter()
    def spy(name, kernel):
        def counted(*args):
            calls[name] += 1
            return kernel(*args)
        return counted

    for name in nb.KERNELS:
        monkeypatch.setattr(target, name, spy(name, getattr(target, name)))
    nn = mg.nn
    fused = [cls for cls in vars(mg.optim).values() if isinstance(cls, type) and issubclass(cls, mg.optim.Optimizer)
             and cls._fused_update is not mg.optim.Optimizer._fused_update]
    assert {mg.optim.SGD, mg.optim.Adam, mg.optim.NAdam} <= set(fused)
    for optimizer in fused:
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 6),
                              nn.Tanh(), nn.Linear(6, 4), nn.Sigmoid(), nn.Linear(4, 3))
        opt = optimizer(model.parameters(), lr=0.01)
        loss = cross_entropy(model(mg.randn(10, 5)), np.arange(10) % 3, label_smoothing=0.1)
        loss.backward()
        opt.step()
    from minigrad.quant import fake_quantize

    fake_quantize(mg.randn(4, 3), 0.1)
    image = mg.randn(2, 1, 4, 4, requires_grad=True)  # im2col, col2im, max pooling and its scatter
    F.max_pool2d(nn.Conv2d(1, 2, 3, padding=1)(image), 2).sum().backward()
    F.max_pool2d(image, 3, stride=1, padding=1).sum().backward()  # the general max pooling (2 × 2 has its own)
    assert set(calls) == set(nb.KERNELS), set(nb.KERNELS) - set(calls)


# ============================================================================ elementwise kernels

@pytest.mark.parametrize("size", SIZES)
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf · 0 and the like, on purpose
def test_elementwise_kernels_equal_twins_bit_for_bit(dtype, size):
    x = sample(size, dtype, seed=1)
    g = sample(size, dtype, seed=2)
    y = kernels.relu(x)
    assert_identical(y, kernels.relu.numpy(x))
    assert_identical(kernels.relu_backward(g, y), kernels.relu_backward.numpy(g, y))
    t = np.tanh(x)
    assert_identical(kernels.tanh_backward(g, t), kernels.tanh_backward.numpy(g, t))
    s = (1 / (1 + np.exp(-x))).astype(dtype)
    assert_identical(kernels.sigmoid_backward(g, s), kernels.sigmoid_backward.numpy(g, s))
    mask = np.random.default_rng(3).random(size) < 0.7
    assert_identical(kernels.dropout(x, mask, 1 / 0.7), kernels.dropout.numpy(x, mask, 1 / 0.7))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_elementwise_kernels_keep_shapes_and_handle_non_contiguous_inputs(dtype):
    x = sample(7 * 6, dtype).reshape(7, 6)
    g = sample(7 * 6, dtype, seed=5).reshape(7, 6)
    for a, b in ((x, g), (x.T, g.T), (x[:, ::2], g[:, ::2]), (x[::2], g[::2]), (x[1::2], g[1::2])):
        y = kernels.relu(a)
        assert y.shape == a.shape
        assert_identical(y, np.maximum(a, 0))
        assert_identical(kernels.relu_backward(b, y), b * (y > 0))
        assert_identical(kernels.tanh_backward(b, a), b * (1 - a * a))
        assert_identical(kernels.sigmoid_backward(b, a), b * a * (1 - a))
        mask = np.ones(a.shape, dtype=bool)
        mask[0] = False
        assert_identical(kernels.dropout(a, mask, 2.0), a * (mask * 2.0).astype(dtype))
        assert_identical(kernels.dropout(a, np.asfortranarray(mask), 2.0), a * (mask * 2.0).astype(dtype))


# ============================================================================ softmax cross-entropy

@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (17, 3), (100, 10), (9, 1001)])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_softmax_cross_entropy_kernels(dtype, shape, smoothing):
    n, c = shape
    rng = np.random.default_rng(n * c)
    z = (rng.normal(size=shape) * 3).astype(dtype)
    indices = rng.integers(-c, c, size=n)  # negative indices count from the end, as in NumPy
    loss, probs = backend_ce.softmax_cross_entropy(z, indices, smoothing)
    loss_ref, probs_ref = reference(backend_ce.softmax_cross_entropy_numpy, dtype, z, indices, smoothing)
    assert_close(loss, loss_ref, dtype)
    assert_close(probs, probs_ref, dtype)
    # and with the float32 twin itself (its row sums are pairwise, hence accurate)
    for a, b in zip((loss, probs), backend_ce.softmax_cross_entropy_numpy(z, indices, smoothing)):
        assert_close(a, b, dtype)
    for scale in (dtype(0.25), np.asarray(0.25, dtype=dtype), rng.normal(size=n).astype(dtype)):
        assert_identical(backend_ce.softmax_cross_entropy_backward(probs, indices, smoothing, scale),
                         backend_ce.softmax_cross_entropy_backward_numpy(probs, indices, smoothing, scale))


def test_softmax_cross_entropy_falls_back_and_raises_like_numpy(forced):
    z = np.random.default_rng(0).normal(size=(6, 4))
    loss, probs = backend_ce.softmax_cross_entropy(z.T.copy().T, np.arange(6) % 4)  # Fortran order
    ref = backend_ce.softmax_cross_entropy_numpy(z, np.arange(6) % 4)
    assert_identical(loss, ref[0])
    assert_identical(probs, ref[1])
    with pytest.raises(IndexError):
        backend_ce.softmax_cross_entropy(z, np.array([0, 1, 2, 3, 4, 0]))
    with pytest.raises(IndexError):
        backend_ce.softmax_cross_entropy_backward(probs, np.array([0, 1, 2, 3, -5, 0]), 0.0, 1.0)


def test_softmax_cross_entropy_keeps_nan_and_large_logits(forced):
    z = np.array([[1000.0, 0.0, -1000.0], [np.nan, 1.0, 2.0]], dtype=np.float32)
    loss, probs = backend_ce.softmax_cross_entropy(z, np.array([0, 1]))
    ref_loss, ref_probs = backend_ce.softmax_cross_entropy_numpy(z, np.array([0, 1]))
    np.testing.assert_array_equal(loss, ref_loss)
    np.testing.assert_array_equal(probs, ref_probs)


# ============================================================================ BatchNorm

@pytest.mark.parametrize("shape", [(2, 1), (17, 5), (1000, 7), (9, 4, 6), (3, 2, 1)])
def test_batch_norm_kernels(dtype, shape):
    rng = np.random.default_rng(sum(shape))
    x = (rng.normal(size=shape) * 2 + 5).astype(dtype)
    c = shape[1]
    gamma, beta = rng.normal(size=c).astype(dtype), rng.normal(size=c).astype(dtype)
    out = backend_bn.batch_norm_forward(x, gamma, beta, 1e-5)
    ref = reference(backend_bn.batch_norm_forward_numpy, dtype, x, gamma, beta, 1e-5)
    for a, b in zip(out, ref):
        assert_close(a, b, dtype)
    _, _, _, inv_std, xhat = out
    dy = rng.normal(size=shape).astype(dtype)
    for a, b in zip(backend_bn.batch_norm_backward(dy, xhat, inv_std, gamma),
                    reference(backend_bn.batch_norm_backward_numpy, dtype, dy, xhat, inv_std, gamma)):
        assert_close(a, b, dtype)


def test_batch_norm_kernels_fall_back_for_non_contiguous_and_mixed_inputs(forced):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 8)).T  # (8, 5), Fortran order
    gamma, beta = np.ones(5), np.zeros(5)
    for a, b in zip(backend_bn.batch_norm_forward(x, gamma, beta, 1e-5),
                    backend_bn.batch_norm_forward_numpy(x, gamma, beta, 1e-5)):
        assert_identical(a, b)
    y = backend_bn.batch_norm_forward(x.astype(np.float32), gamma, beta, 1e-5)[0]  # float64 γ, β promote
    assert y.dtype == np.float64


# ============================================================================ optimizer updates

O = mg.optim
UPDATE_CASES = [
    (O.SGD, dict(lr=0.1)),
    (O.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=1e-2, maximize=True)),
    (O.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (O.Adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=1e-2, initial_accumulator_value=0.1)),
    (O.Adagrad, dict(lr=0.1, maximize=True)),
    (O.RMSprop, dict(lr=0.01)),
    (O.RMSprop, dict(lr=0.01, alpha=0.9, weight_decay=1e-2, momentum=0.9, centered=True, maximize=True)),
    (O.Adadelta, dict(lr=1.0, weight_decay=1e-2)),
    (O.Adam, dict(lr=1e-3)),
    (O.Adam, dict(lr=1e-2, betas=(0.8, 0.99), weight_decay=1e-2, amsgrad=True, maximize=True)),
    (O.AdamW, dict(lr=1e-2, weight_decay=1e-2)),
    (O.Adamax, dict(lr=2e-3, weight_decay=1e-2, maximize=True)),
    (O.NAdam, dict(lr=2e-3)),
    (O.NAdam, dict(lr=2e-3, weight_decay=1e-2, decoupled_weight_decay=True, maximize=True)),
    (O.NAdam, dict(lr=2e-3, weight_decay=1e-2)),
]


def _case_id(case):
    cls, kwargs = case
    return cls.__name__ + "(" + ",".join(f"{k}={v}" for k, v in kwargs.items()) + ")"


def _trained(cls, kwargs, param, grads):
    """``param`` and its state after one step of ``cls`` with each gradient of ``grads``."""
    p = mg.nn.Parameter(param.copy(), dtype=param.dtype)
    opt = cls([p], **kwargs)
    for grad in grads:
        p.grad = mg.tensor(grad, dtype=grad.dtype)
        opt.step()
    return p.data, opt.state[p]


@pytest.fixture
def kernel_calls(monkeypatch):
    """Counts the calls of every compiled kernel that the current settings use."""
    nb = kernels._load()
    target = nb if kernels.PARALLEL_MIN_SIZE == 0 else nb.serial
    calls = collections.Counter()
    for name in nb.KERNELS:
        kernel = getattr(target, name)
        monkeypatch.setattr(target, name, lambda *args, _name=name, _kernel=kernel: calls.update([_name])
                            or _kernel(*args))
    return calls


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("case", UPDATE_CASES, ids=[_case_id(c) for c in UPDATE_CASES])
def test_optimizer_kernels_equal_their_numpy_update_bit_for_bit(dtype, kernel_calls, size, case):
    rng = np.random.default_rng(size)
    param = rng.normal(size=size).astype(dtype)
    grads = [rng.normal(size=size).astype(dtype) for _ in range(3)]
    p_kernel, s_kernel = _trained(*case, param, grads)
    assert sum(kernel_calls.values()) == len(grads)  # every step ran the kernel
    with kernels.enabled(False):
        p_numpy, s_numpy = _trained(*case, param, grads)
    assert sum(kernel_calls.values()) == len(grads)  # and no step here
    assert_identical(p_kernel, p_numpy)
    assert s_kernel.keys() == s_numpy.keys()
    for key, value in s_numpy.items():
        if isinstance(value, np.ndarray):
            assert_identical(s_kernel[key], value)
        else:
            assert s_kernel[key] == value


@pytest.mark.parametrize("case", [UPDATE_CASES[0], UPDATE_CASES[8]], ids=["SGD", "Adam"])
def test_optimizer_steps_with_non_contiguous_grads_or_numpy_scalar_hyperparameters(forced, case):
    cls, kwargs = case
    rng = np.random.default_rng(0)
    param = rng.normal(size=(6, 4)).astype(np.float32)
    grad = rng.normal(size=(4, 6)).astype(np.float32).T  # not C-contiguous: the NumPy update runs
    opt = cls([mg.nn.Parameter(param.copy())], **kwargs)
    group = opt.param_groups[0]
    state = opt._init_state(param, group)
    assert not opt._fused_update(param.copy(), grad, state, group)
    with kernels.enabled(False):
        expected, _ = _trained(cls, kwargs, param, [np.ascontiguousarray(grad)])
    # a NumPy float64 learning rate (from a scheduler, say) computes like a Python float
    for lr in (np.float64(kwargs["lr"]), np.asarray(kwargs["lr"])):
        p, _ = _trained(cls, dict(kwargs, lr=lr), param, [np.ascontiguousarray(grad)])
        assert_identical(p, expected)
    p = mg.nn.Parameter(param.copy())
    opt = cls([p], **kwargs)
    opt.param_groups[0]["lr"] = np.float64(kwargs["lr"])  # set by hand between steps
    p.grad = mg.tensor(grad)
    with kernels.enabled(False):
        opt.step()
    assert_identical(p.data, expected)
    assert type(opt.param_groups[0]["lr"]) is float


def test_fused_checks_and_converts_the_kernel_arguments(forced, monkeypatch):
    x = sample(10, np.float32)
    assert kernels.fused("relu", "elementwise", x, None, 2.0, np.float64(3.0)) is not None  # None, numbers: unchecked
    assert kernels.fused("dropout", "elementwise", x, x > 0) is not None  # a boolean mask of x's shape
    assert kernels.fused("dropout", "elementwise", x, (x > 0)[:5]) is None
    assert kernels.fused("relu", "elementwise", x, x.astype(np.float64)) is None
    assert kernels.fused("relu", "elementwise", x, [1.0]) is None  # neither an array nor a number
    seen = []
    nb = kernels._load()
    monkeypatch.setattr(nb if kernels.PARALLEL_MIN_SIZE == 0 else nb.serial, "relu", lambda *args: seen.append(args))
    kernel = kernels.fused("relu", "elementwise", x.reshape(2, 5), None, True)
    kernel(np.bool_(False), 0.5, np.float64(2), (0.25, 3.0))
    (flat, empty, flag, flag2, half, two, numbers), = seen
    assert flat.shape == (10,) and np.shares_memory(flat, x)
    assert empty.shape == (0,) and empty.dtype == np.float32
    assert flag is True and flag2 is np.False_
    assert type(half) is np.float32 and type(two) is np.float32 and two == 2
    assert numbers.dtype == np.float32 and numbers.tolist() == [0.25, 3.0]


def test_elementwise_ops_are_their_numpy_formula_on_small_arrays():
    x = np.linspace(-1.0, 1.0, 7)
    assert kernels.relu.numpy.__name__ == "relu" and kernels.relu.__doc__ == kernels.relu.numpy.__doc__
    with kernels.enabled(True):
        assert_identical(kernels.tanh_backward(x, x), x * (1 - x * x))  # below MIN_SIZE: the formula


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam"])
def test_optimizer_classes_train_identically_with_numba_on_and_off(monkeypatch, optimizer):
    pytest.importorskip("numba")
    monkeypatch.setattr(kernels, "MIN_SIZE", dict(kernels.MIN_SIZE, optimizer=0, sgd=0))
    extra = {"SGD": dict(momentum=0.9, nesterov=True), "RMSprop": dict(centered=True, momentum=0.5)}
    extra = extra.get(optimizer, {})
    results = []
    for flag in (True, False):
        mg.manual_seed(0)
        w = mg.nn.Parameter(mg.randn(33, 5).numpy())
        opt = getattr(mg.optim, optimizer)([w], lr=0.01, **extra)
        with kernels.enabled(flag):
            for _ in range(4):
                opt.zero_grad()
                ((w * w).sum() + w.sum()).backward()
                opt.step()
        results.append(w.numpy())
    assert_identical(*results)


# ============================================================================ ops, with Numba on and off

def _leaf(shape, seed=0, scale=1.0):
    return mg.tensor(np.random.default_rng(seed).normal(size=shape) * scale, dtype="float64", requires_grad=True)


def test_activation_gradients(numba_mode):
    x = _leaf((5, 7))
    x.data[np.abs(x.data) < 0.05] = 0.5  # keep relu's kink away from the finite differences
    for fn in (mg.relu, mg.tanh, mg.sigmoid):
        assert mg.gradcheck(fn, x)
        assert mg.gradgradcheck(fn, x)


def test_relu_backward_uses_the_output_and_zeroes_the_rest(numba_mode):
    x = mg.tensor([-2.0, -0.0, 0.0, 3.0, 1.5, np.nan], requires_grad=True)
    y = x.relu()
    assert y.op == "relu"
    (y * mg.tensor([1.0, 2.0, -3.0, 4.0, -np.inf, 5.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0, 4.0, -np.inf, 0.0])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_softmax_cross_entropy_gradients(numba_mode, reduction, smoothing):
    z = _leaf((6, 4), seed=1, scale=2.0)
    t = np.array([0, 3, 1, 2, 3, 0])
    fn = lambda z: cross_entropy(z, t, label_smoothing=smoothing, reduction=reduction)
    assert mg.gradcheck(fn, z)
    assert mg.gradgradcheck(fn, z)


@pytest.mark.parametrize("shape", [(8, 3), (5, 3, 4)])
def test_batch_norm_gradients(numba_mode, shape):
    x = _leaf(shape, seed=2, scale=3.0)
    w, b = _leaf(shape[1], seed=3), _leaf(shape[1], seed=4)
    fn = lambda x, w, b: batch_norm(x, None, None, w, b, training=True)
    assert mg.gradcheck(fn, x, w, b)
    assert mg.gradgradcheck(fn, x, w, b)
    assert mg.gradcheck(lambda x: batch_norm(x, training=True), x)  # no γ, β


def test_batch_norm_matches_the_composed_formula_and_updates_running_stats(numba_mode):
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.normal(size=(32, 6, 3)) * 2 + 1, dtype="float64")
    w, b = mg.tensor(rng.normal(size=6), dtype="float64"), mg.tensor(rng.normal(size=6), dtype="float64")
    rm, rv = mg.zeros(6, dtype="float64"), mg.ones(6, dtype="float64")
    out = batch_norm(x, rm, rv, w, b, training=True, momentum=0.1)
    a = x.numpy()
    mean, var = a.mean(axis=(0, 2)), a.var(axis=(0, 2))
    ref = (a - mean[:, None]) / np.sqrt(var[:, None] + 1e-5) * w.numpy()[:, None] + b.numpy()[:, None]
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rm.numpy(), 0.1 * mean, rtol=1e-12)
    np.testing.assert_allclose(rv.numpy(), 0.9 + 0.1 * var * 96 / 95, rtol=1e-12)


def test_dropout_gradients_and_mask(numba_mode):
    x = _leaf((7, 5), seed=5)

    def fn(x):
        mg.manual_seed(3)  # the same mask at every evaluation
        return dropout(x, 0.3, training=True)

    assert mg.gradcheck(fn, x)
    assert mg.gradgradcheck(fn, x)
    mg.manual_seed(3)
    mask = mg.rng.generator().random((7, 5)) < 0.7
    np.testing.assert_array_equal(fn(x).numpy(), x.numpy() * (mask * (1 / 0.7)))


def test_training_step_matches_with_numba_on_and_off(monkeypatch):
    """A small network in float32 through every kernel: on and off agree to rounding."""
    pytest.importorskip("numba")
    monkeypatch.setattr(kernels, "MIN_SIZE", dict.fromkeys(kernels.MIN_SIZE, 0))
    losses = []
    for flag in (True, False):
        mg.manual_seed(0)
        model = mg.nn.Sequential(mg.nn.Linear(10, 32), mg.nn.BatchNorm1d(32), mg.nn.ReLU(), mg.nn.Dropout(0.25),
                                 mg.nn.Linear(32, 16), mg.nn.Tanh(), mg.nn.Linear(16, 4))
        opt = mg.optim.Adam(model.parameters(), lr=1e-2)
        x, y = mg.randn(64, 10), np.arange(64) % 4
        history = []
        with kernels.enabled(flag):
            for _ in range(5):
                loss = cross_entropy(F.sigmoid(model(x)) * 4, y, label_smoothing=0.1)
                opt.zero_grad()
                loss.backward()
                opt.step()
                history.append(loss.item())
        losses.append(history)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)


@pytest.mark.parametrize("size", [1, 17, 1001])
def test_fake_quantize_kernel_equals_the_twin(dtype, size):
    rng = np.random.default_rng(size)
    x = (rng.normal(size=size) * 3).astype(dtype)
    x[0] = np.nan if size > 1 else x[0]
    scale, zero = np.float64(0.037), np.int64(3)
    out, inside = kernels.fake_quantize(x, scale, zero, -8, 7)
    ref_out, ref_inside = kernels.fake_quantize_numpy(x, scale, zero, -8, 7)
    assert out.dtype == x.dtype
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(inside, ref_inside)


def test_fake_quantize_gradient_mask_with_numba_on_and_off(numba_mode):
    from minigrad.quant import fake_quantize

    x = mg.tensor(np.linspace(-6, 6, 25), requires_grad=True)
    out = fake_quantize(x, 0.5, 0, -8, 7)
    out.sum().backward()
    codes = np.rint(np.linspace(-6, 6, 25) / 0.5)
    np.testing.assert_array_equal(x.grad.numpy(), ((codes >= -8) & (codes <= 7)).astype(np.float32))
    np.testing.assert_allclose(out.numpy(), np.clip(codes, -8, 7) * 0.5, rtol=1e-6)

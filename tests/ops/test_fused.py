"""The fused ops' backward passes: one formula per derivative, checked at every order.

BatchNorm (training mode), squared error and softmax cross-entropy each compute
their gradient with one op (``BatchNormBackward``, ``SquaredErrorBackward``,
``SoftmaxCrossEntropyBackward``) whose forward is the fused kernel (or its NumPy
twin) and whose backward is the derivative of that gradient. So:

* ``gradcheck`` checks the kernel, and ``gradgradcheck`` checks the backward
  op's own backward against finite differences of the *kernel's* output;
* the gradient is the same with and without ``create_graph`` (same kernel);
* each backward op, checked as an op in its own right, has correct gradients
  (second derivatives of the loss, including those through the upstream
  gradient) and correct gradients of those (third derivatives);
* dropping or changing one term of a derivative, or scaling the kernel's
  output, makes these checks fail (mutation tests).

Every check runs with the Numba kernels forced on (thresholds 0, so the small
arrays here reach them; a spy asserts they ran) and with Numba off.
"""

import inspect
import sys
import textwrap

import numpy as np
import pytest

import minigrad as mg
from minigrad.backend import batch_norm as backend_bn
from minigrad.backend import cross_entropy as backend_ce
from minigrad.backend import kernels
from minigrad.nn.functional import batch_norm, dropout
from minigrad.nn.losses import cross_entropy, mse
from minigrad.ops.loss import SoftmaxCrossEntropyBackward, SquaredErrorBackward
from minigrad.ops.normalization import BatchNormBackward
from minigrad.quant.fake import fake_quantize

EPS = 1e-5  # BatchNorm's ε


@pytest.fixture(params=["numba", "numpy"])
def numba_mode(request, monkeypatch):
    """Kernels forced on (every threshold 0) or off. In "numba" mode the returned dict counts
    the calls of each serial Numba kernel, so a test can assert that the kernel ran."""
    calls = {}
    if request.param == "numba":
        pytest.importorskip("numba")
        monkeypatch.setattr(kernels, "MIN_SIZE", dict.fromkeys(kernels.MIN_SIZE, 0))
        monkeypatch.setattr(kernels, "PARALLEL_MIN_SIZE", None)
        nb = kernels._load()
        if not nb:
            pytest.skip("Numba does not load")
        for name in ("batch_norm_backward", "softmax_cross_entropy_backward", "fake_quantize", "dropout"):
            monkeypatch.setattr(nb.serial, name, _counting(getattr(nb.serial, name), name, calls))
    with kernels.enabled(request.param == "numba"):
        yield calls


def _counting(kernel, name, calls):
    def spy(*args):
        calls[name] = calls.get(name, 0) + 1
        return kernel(*args)

    return spy


def leaf(shape, seed, scale=1.0, shift=0.0, grad=True):
    rng = np.random.default_rng(seed)
    return mg.tensor(rng.normal(size=shape) * scale + shift, dtype="float64", requires_grad=grad)


def projected(out, seed=99):
    """A scalar ⟨w, out⟩ with fixed random weights w: a non-trivial upstream gradient."""
    w = np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape)
    return (out * mg.tensor(w, dtype="float64")).sum()


def assert_same_gradient_with_and_without_create_graph(fn, inputs):
    """The first-order gradient, with and without a recorded backward, to 1e-12."""
    wanted = [t for t in inputs if t.requires_grad]
    plain = mg.autograd.grad(projected(fn(*inputs)), wanted)
    recorded = mg.autograd.grad(projected(fn(*inputs)), wanted, create_graph=True)
    assert any(g.requires_grad for g in recorded)  # the backward op was recorded
    for a, b in zip(plain, recorded):
        assert a.shape == b.shape
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)


def check_all_orders(fn, inputs):
    """gradcheck and gradgradcheck of fn, and gradgradcheck of sin(fn) (whose upstream
    gradient cos(fn) depends on the inputs, so the derivative of the backward with respect
    to its upstream gradient enters the second derivative)."""
    assert mg.gradcheck(fn, *inputs)
    assert mg.gradgradcheck(fn, *inputs)
    assert mg.gradgradcheck(lambda *a: fn(*a).sin(), *inputs)
    assert_same_gradient_with_and_without_create_graph(fn, inputs)


# ============================================================================ BatchNorm

SHAPES = [(6, 3), (4, 3, 5)]
AFFINE = ["learned", "weight-only", "frozen", "absent", "x-frozen"]


def bn_case(shape, affine):
    x = leaf(shape, seed=1, scale=2.0, shift=0.5, grad=affine != "x-frozen")
    if affine == "absent":
        return (lambda x: batch_norm(x, None, None, training=True, eps=EPS)), [x]
    c = shape[1]
    w = leaf(c, seed=2, grad=affine in ("learned", "weight-only", "x-frozen"))
    b = leaf(c, seed=3, grad=affine in ("learned", "x-frozen"))
    return (lambda x, w, b: batch_norm(x, None, None, w, b, training=True, eps=EPS)), [x, w, b]


@pytest.mark.parametrize("affine", AFFINE)
@pytest.mark.parametrize("shape", SHAPES, ids=["2d", "3d"])
def test_batch_norm_gradients_at_every_order(numba_mode, shape, affine):
    fn, inputs = bn_case(shape, affine)
    check_all_orders(fn, inputs)
    if kernels._switched_on():
        assert numba_mode.get("batch_norm_backward", 0) > 0  # the Numba kernel ran, not the twin


def bn_backward(g, x, w):
    """BatchNormBackward applied as an op of (g, x, γ): x̂ and 1/σ recomputed from x's values."""
    _, _, _, inv_std, xhat = backend_bn.batch_norm_forward(x.data, w.data, np.zeros_like(w.data), EPS)
    return BatchNormBackward.apply(g, x, w, xhat=xhat, inv_std=inv_std, eps=EPS)


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 4)], ids=["2d", "3d"])
def test_batch_norm_backward_op_second_and_third_derivatives(numba_mode, shape):
    g, x, w = leaf(shape, seed=4), leaf(shape, seed=5, scale=2.0), leaf(shape[1], seed=6)
    out = bn_backward(g, x, w)
    n, c = x.size, shape[1]
    assert out.shape == (n + 2 * c,) and out.op == "batch_norm_backward"
    # the packed values: dx, dγ = Σ g·x̂, dβ = Σ g
    axes = (0,) if len(shape) == 2 else (0, 2)
    a, gd = x.numpy(), g.numpy()
    xhat = (a - a.mean(axis=axes, keepdims=True)) / np.sqrt(a.var(axis=axes, keepdims=True) + EPS)
    np.testing.assert_allclose(out.numpy()[n:n + c], (gd * xhat).sum(axis=axes), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out.numpy()[n + c:], gd.sum(axis=axes), rtol=1e-10, atol=1e-12)
    assert mg.gradcheck(bn_backward, g, x, w)  # second derivatives of BatchNorm, through g, x and γ
    assert mg.gradgradcheck(bn_backward, g, x, w)  # third derivatives


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)], ids=["2d", "3d"])
def test_batch_norm_backward_kernel_fills_one_packed_array(numba_mode, shape):
    rng = np.random.default_rng(0)
    x, dy, gamma = rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape[1])
    _, _, _, inv_std, xhat = backend_bn.batch_norm_forward(x, gamma, gamma, EPS)
    separate = backend_bn.batch_norm_backward(dy, xhat, inv_std, gamma)
    packed = np.full(dy.size + 2 * shape[1], np.nan)
    views = backend_bn.batch_norm_backward(dy, xhat, inv_std, gamma, out=packed)
    for view, array in zip(views, separate):
        assert np.shares_memory(view, packed) and view.shape == array.shape
        np.testing.assert_array_equal(view, array)
    np.testing.assert_array_equal(packed, np.concatenate([a.ravel() for a in separate]))
    with pytest.raises(ValueError, match=r"batch_norm_backward: out must have shape \(%d,\)" % packed.size):
        backend_bn.batch_norm_backward(dy, xhat, inv_std, gamma, out=packed[:-1])


def test_batch_norm_backward_runs_the_kernel_once_in_either_grad_mode(numba_mode, monkeypatch):
    calls = []
    original = backend_bn.batch_norm_backward
    monkeypatch.setattr(backend_bn, "batch_norm_backward", lambda *a, **k: calls.append(1) or original(*a, **k))
    fn, inputs = bn_case((8, 3, 2), "learned")
    mg.autograd.grad(projected(fn(*inputs)), inputs)
    assert len(calls) == 1
    mg.autograd.grad(projected(fn(*inputs)), inputs, create_graph=True)
    assert len(calls) == 2


# ============================================================================ softmax cross-entropy

TARGETS = np.array([0, 3, 1, 2, 3])


def ce_fn(reduction, smoothing):
    return lambda z: cross_entropy(z, TARGETS, label_smoothing=smoothing, reduction=reduction)


@pytest.mark.parametrize("smoothing", [0.0, 0.2], ids=["plain", "smoothed"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradients_at_every_order(numba_mode, reduction, smoothing):
    z = leaf((5, 4), seed=7, scale=2.0)
    fn = ce_fn(reduction, smoothing)
    assert fn(z).op == "cross_entropy"  # the fused op, not the composed fallback
    check_all_orders(fn, [z])
    if kernels._switched_on():
        assert numba_mode.get("softmax_cross_entropy_backward", 0) > 0


def ce_backward(reduction, smoothing):
    def apply(g, z):
        _, probs = backend_ce.softmax_cross_entropy(z.data, TARGETS, smoothing)
        return SoftmaxCrossEntropyBackward.apply(g, z, probs=probs, indices=TARGETS, smoothing=smoothing,
                                                 reduction=reduction)

    return apply


@pytest.mark.parametrize("smoothing", [0.0, 0.2], ids=["plain", "smoothed"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_backward_op_second_and_third_derivatives(numba_mode, reduction, smoothing):
    z = leaf((5, 4), seed=8, scale=2.0)
    g = leaf((5,) if reduction == "none" else (), seed=9)
    op = ce_backward(reduction, smoothing)
    p = np.exp(z.numpy()) / np.exp(z.numpy()).sum(axis=1, keepdims=True)
    y = np.full((5, 4), smoothing / 4)
    y[np.arange(5), TARGETS] += 1 - smoothing
    scale = g.numpy() / 5 if reduction == "mean" else g.numpy().reshape(-1, 1) if reduction == "none" else g.numpy()
    np.testing.assert_allclose(op(g, z).numpy(), (p - y) * scale, rtol=1e-12, atol=1e-15)
    assert mg.gradcheck(op, g, z)
    assert mg.gradgradcheck(op, g, z)


def test_cross_entropy_backward_runs_the_kernel_once_in_either_grad_mode(numba_mode, monkeypatch):
    calls = []
    original = backend_ce.softmax_cross_entropy_backward
    monkeypatch.setattr(backend_ce, "softmax_cross_entropy_backward",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    z = leaf((5, 4), seed=7)
    mg.autograd.grad(ce_fn("mean", 0.1)(z), z)
    mg.autograd.grad(ce_fn("mean", 0.1)(z), z, create_graph=True)
    assert len(calls) == 2


# ============================================================================ squared error

def mse_of_scaled_target(reduction="mean"):
    """mse(x, t/2) rather than mse(x, t): gradgradcheck weighs the gradients of inputs of
    equal shape with equal weights, and ∂L/∂t = −∂L/∂x would cancel the derivatives of
    the backward with respect to x and t out of the check."""
    return lambda x, t: mse(x, t * 0.5, reduction=reduction)


@pytest.mark.parametrize("target_grad", [False, True], ids=["fixed-target", "learned-target"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_squared_error_gradients_at_every_order(numba_mode, reduction, target_grad):
    x, t = leaf((4, 3), seed=10), leaf((4, 3), seed=11, grad=target_grad)
    fn = mse_of_scaled_target(reduction)
    assert fn(x, t).op == "mse"
    check_all_orders(fn, [x, t])


@pytest.mark.parametrize("mean", [True, False], ids=["mean", "sum"])
def test_squared_error_backward_op_second_and_third_derivatives(mean):
    g, x, t = leaf((), seed=12), leaf((4, 3), seed=13), leaf((4, 3), seed=14)
    scale = 2.0 / 12 if mean else 2.0

    def op(g, x, t):
        return SquaredErrorBackward.apply(g, x, t, diff=x.data - t.data, scale=scale)

    np.testing.assert_allclose(op(g, x, t).numpy(), scale * g.numpy() * (x.numpy() - t.numpy()), rtol=1e-14)
    assert mg.gradcheck(op, g, x, t)
    assert mg.gradgradcheck(op, g, x, t)


# ============================================================================ mutation tests
#
# One term of a backward op's backward is changed in its source, and the mutant
# replaces the method: gradgradcheck must notice. The source must contain the term
# exactly once, so that a rewrite of the formula shows up here rather than
# silently testing nothing.

def mutate(monkeypatch, cls, old, new):
    source = textwrap.dedent(inspect.getsource(cls.backward))
    assert source.count(old) == 1, f"{old!r} should occur once in {cls.__name__}.backward"
    namespace = {}
    code = compile(source.replace(old, new), f"<mutant of {cls.__name__}.backward>", "exec")
    exec(code, vars(sys.modules[cls.__module__]), namespace)
    monkeypatch.setattr(cls, "backward", namespace["backward"])


BN_MUTANTS = {
    "no mean subtraction": ("v - mean(v) - xhat", "v - xhat"),
    "no x̂ projection": ("- xhat * mean(v * xhat))", ")"),
    "no dσ/dx term": ("xhat * mean(a * u) + ", ""),
    "no d⟨g·x̂⟩/dx term": ("mean(g * xhat) * v + ", ""),
    "no d⟨a·x̂⟩/dx term": (" + mean(a * xhat) * u", ""),
    "no dγ-row term in dx": ("b_gamma * u - ", "-"),
    "no dγ-row term in dg": ("+ b_gamma * xhat ", ""),
    "no dβ-row term in dg": (" + b_beta\n", "\n"),
    "doubled dγ": ("(a * u).sum(axis=axes)", "(a * u).sum(axis=axes) * 2.0"),
    "r from the variance without ε": ("mean(xc * xc) + self.eps", "mean(xc * xc)"),
}


@pytest.mark.parametrize("mutant", list(BN_MUTANTS))
def test_batch_norm_mutants_fail_gradgradcheck(monkeypatch, mutant):
    fn, inputs = bn_case((4, 3, 2), "learned")
    if mutant.startswith("r from"):  # ε matters only where σ² is comparable to it
        inputs[0] = leaf((4, 3, 2), seed=1, scale=3e-3)
    check = lambda: mg.gradgradcheck(lambda *a: fn(*a).sin(), *inputs)
    assert check()  # the op as written passes on these inputs
    mutate(monkeypatch, BatchNormBackward, *BN_MUTANTS[mutant])
    with pytest.raises(mg.GradcheckError):
        check()


CE_MUTANTS = {
    "doubled sum term": ("sum", ("dg = rows.sum()\n", "dg = rows.sum() * 2.0\n")),
    "mean without 1/N in dg": ("mean", ("rows.sum() * (1.0 / n)", "rows.sum()")),
    "mean without 1/N in dz": ("mean", ("s = g * (1.0 / n)", "s = g")),
    "doubled per-row term": ("none", ("dg = rows\n", "dg = 2.0 * rows\n")),
    "target forgotten": ("sum", ("p - Tensor.constant(self.target(p.data))", "p")),
    "diagonal softmax Jacobian": ("none", ("(w - (w * p).sum(axis=1, keepdims=True))", "w")),
}


@pytest.mark.parametrize("mutant", list(CE_MUTANTS))
def test_cross_entropy_mutants_fail_gradgradcheck(monkeypatch, mutant):
    reduction, change = CE_MUTANTS[mutant]
    z = leaf((5, 4), seed=7, scale=2.0)
    check = lambda: mg.gradgradcheck(lambda z: ce_fn(reduction, 0.1)(z).sin(), z)
    assert check()
    mutate(monkeypatch, SoftmaxCrossEntropyBackward, *change)
    with pytest.raises(mg.GradcheckError):
        check()


MSE_MUTANTS = {
    "flipped sign of dt": ("-dx if t.requires_grad", "dx if t.requires_grad"),
    "flipped sign of dg": ("((x - t) * gg)", "((t - x) * gg)"),
    "no scale in dx": ("gg * g * s", "gg * g"),
}


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("mutant", list(MSE_MUTANTS))
def test_squared_error_mutants_fail_gradgradcheck(monkeypatch, mutant, reduction):
    x, t = leaf((4, 3), seed=10), leaf((4, 3), seed=11)
    check = lambda: mg.gradgradcheck(lambda x, t: mse_of_scaled_target(reduction)(x, t).sin(), x, t)
    assert check()
    mutate(monkeypatch, SquaredErrorBackward, *MSE_MUTANTS[mutant])
    with pytest.raises(mg.GradcheckError):
        check()


def _doubled_bn(original):
    def doubled(*args, **kwargs):
        results = original(*args, **kwargs)
        for r in results:
            r *= 2  # in place: also doubles the packed output the results are views of
        return results

    return doubled


@pytest.mark.parametrize("case", ["batch_norm", "cross_entropy", "mse"])
def test_a_wrong_first_order_kernel_fails_gradcheck_and_gradgradcheck(numba_mode, monkeypatch, case):
    if case == "batch_norm":
        monkeypatch.setattr(backend_bn, "batch_norm_backward", _doubled_bn(backend_bn.batch_norm_backward))
        fn, inputs = bn_case((4, 3, 2), "learned")
    elif case == "cross_entropy":
        original = backend_ce.softmax_cross_entropy_backward
        monkeypatch.setattr(backend_ce, "softmax_cross_entropy_backward", lambda *a, **k: 2 * original(*a, **k))
        fn, inputs = ce_fn("mean", 0.1), [leaf((5, 4), seed=7)]
    else:
        original = SquaredErrorBackward.forward
        monkeypatch.setattr(SquaredErrorBackward, "forward", lambda self, *a, **k: 2 * original(self, *a, **k))
        fn, inputs = mse_of_scaled_target(), [leaf((4, 3), seed=10), leaf((4, 3), seed=11)]
    with pytest.raises(mg.GradcheckError):
        mg.gradcheck(fn, *inputs)
    # The second derivative is checked against finite differences of the kernel's output:
    # a wrong kernel no longer hides behind a separate formula used only with create_graph.
    with pytest.raises(mg.GradcheckError):
        mg.gradgradcheck(fn, *inputs)


def test_the_mutation_helper_leaves_a_faithful_copy_working(monkeypatch):
    mutate(monkeypatch, SquaredErrorBackward, "gg * g * s", "gg * g * s")  # a no-op "mutation"
    assert mg.gradgradcheck(lambda x, t: mse_of_scaled_target()(x, t).sin(), leaf((4, 3), seed=10),
                            leaf((4, 3), seed=11))


# ============================================================================ single-formula ops

def gradient_map(fn, x):
    """(x, g) ↦ ∂⟨g, fn(x)⟩/∂x computed with create_graph=True: the backward as a function."""
    def grad_of(x, g):
        with mg.enable_grad():
            return mg.autograd.grad(fn(x), x, grad_outputs=g, create_graph=True)[0]

    return grad_of


def test_fake_quantize_gradient_is_linear_in_g_and_flat_in_x(numba_mode):
    # Away from the clamp edges the straight-through gradient is g·[qmin ≤ q ≤ qmax]:
    # its derivative in g is the mask, in x zero (piecewise constant), at every order.
    x = mg.tensor([-1.013, -0.31, 0.004, 0.26, 0.52, 1.66], dtype="float64", requires_grad=True)
    g = leaf(6, seed=15)
    fq = lambda x: fake_quantize(x, 0.1, 0, -8, 7)  # codes −8..7: ±1 and beyond are clamped
    grad_of = gradient_map(fq, x)
    np.testing.assert_array_equal(grad_of(x, g).numpy(), g.numpy() * [0, 1, 1, 1, 1, 0])
    assert mg.gradcheck(grad_of, x, g)
    assert mg.gradgradcheck(grad_of, x, g)
    if kernels._switched_on():
        assert numba_mode.get("fake_quantize", 0) > 0


def test_dropout_gradient_is_the_same_mask_applied_to_g(numba_mode):
    x, g = leaf((5, 4), seed=16), leaf((5, 4), seed=17)

    def drop(x):
        mg.manual_seed(5)
        return dropout(x, 0.4, training=True)

    grad_of = gradient_map(drop, x)
    np.testing.assert_array_equal(grad_of(x, g).numpy(), drop(g).numpy())  # linear in g: one formula
    assert mg.gradcheck(grad_of, x, g)
    assert mg.gradgradcheck(grad_of, x, g)

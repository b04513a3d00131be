"""Check every differentiable op against numerical differentiation (``minigrad gradcheck``).

Each entry of :data:`CASES` is a small function of a few random tensors that
exercises one op -- broadcasting, axes and all. :func:`check_ops` runs
:func:`minigrad.gradcheck` on the chosen entries and returns one
:class:`OpCheck` per op, so a learner can see, op by op, that backpropagation
agrees with central differences (and watch it fail in float32).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import minigrad as mg
from minigrad.gradcheck import GradcheckError, gradcheck
from minigrad.nn import functional as F
from minigrad.nn import losses

__all__ = ["CASES", "OpCheck", "check_ops", "format_results"]

_POSITIVE = "positive"
_AWAY_FROM_ZERO = "away"
_UNIT = "unit"            # inside (-0.9, 0.9): asin, acos, atanh (and tan, clear of its poles)
_ABOVE_ONE = "above_one"  # in [1.2, 3.2]: acosh


def _case(fn, *shapes, domain=None):
    return fn, shapes, domain


# name -> (function of tensors, input shapes, input domain)
CASES = {
    "add": _case(lambda a, b: a + b, (3, 4), (4,)),
    "sub": _case(lambda a, b: a - b, (3, 1), (3, 4)),
    "mul": _case(lambda a, b: a * b, (2, 3), (2, 3)),
    "div": _case(lambda a, b: a / b, (2, 3), (3,), domain=_POSITIVE),
    "pow": _case(lambda a: a**3, (2, 3)),
    "neg": _case(lambda a: -a, (4,)),
    "matmul": _case(lambda a, b: a @ b, (3, 4), (4, 2)),
    "linear": _case(lambda x, w, b: F.affine(x, w, b), (5, 3), (2, 3), (2,)),
    "abs": _case(mg.abs, (6,), domain=_AWAY_FROM_ZERO),
    "exp": _case(mg.exp, (2, 3)),
    "log": _case(mg.log, (2, 3), domain=_POSITIVE),
    "log1p": _case(mg.log1p, (2, 3), domain=_POSITIVE),
    "expm1": _case(mg.expm1, (2, 3)),
    "erf": _case(mg.erf, (2, 3)),
    "sqrt": _case(mg.sqrt, (2, 3), domain=_POSITIVE),
    "sin": _case(mg.sin, (2, 3)),
    "cos": _case(mg.cos, (2, 3)),
    "tanh": _case(mg.tanh, (2, 3)),
    "sigmoid": _case(mg.sigmoid, (2, 3)),
    "relu": _case(mg.relu, (2, 3), domain=_AWAY_FROM_ZERO),
    "clip": _case(lambda a: a.clip(-0.5, 0.5), (8,), domain=_AWAY_FROM_ZERO),
    "maximum": _case(mg.maximum, (2, 3), (3,)),
    "minimum": _case(mg.minimum, (2, 3), (2, 3)),
    "where": _case(lambda a, b: mg.where(np.array([True, False, True]), a, b), (2, 3), (3,)),
    "sum": _case(lambda a: a.sum(axis=1), (3, 4)),
    "mean": _case(lambda a: a.mean(axis=0, keepdims=True), (3, 4)),
    "var": _case(lambda a: a.var(axis=1), (3, 4)),
    "std": _case(lambda a: a.std(), (3, 4)),
    "max": _case(lambda a: a.max(axis=1), (3, 4)),
    "min": _case(lambda a: a.min(), (3, 4)),
    "logsumexp": _case(lambda a: a.logsumexp(axis=1), (3, 4)),
    "softmax": _case(lambda a: a.softmax(axis=-1), (3, 4)),
    "log_softmax": _case(lambda a: a.log_softmax(axis=0), (3, 4)),
    "reshape": _case(lambda a: a.reshape(4, 3) * 2.0, (3, 4)),
    "transpose": _case(lambda a: a.T * 2.0, (3, 4)),
    "permute": _case(lambda a: a.permute(2, 0, 1) * 2.0, (2, 3, 4)),
    "broadcast_to": _case(lambda a: a.broadcast_to(3, 4) * 2.0, (4,)),
    "squeeze": _case(lambda a: a.squeeze() * 2.0, (3, 1)),
    "unsqueeze": _case(lambda a: a.unsqueeze(0) * 2.0, (3,)),
    "getitem": _case(lambda a: a[np.array([0, 2, 0]), 1:], (3, 4)),
    "concat": _case(lambda a, b: mg.concat([a, b], axis=1), (2, 3), (2, 2)),
    "stack": _case(lambda a, b: mg.stack([a, b], axis=0), (2, 3), (2, 3)),
    "mse": _case(lambda a, b: losses.mse(a, b), (4, 3), (4, 3)),
    "cross_entropy": _case(lambda a: losses.cross_entropy(a, np.array([0, 2, 1, 2])), (4, 3)),
    "binary_cross_entropy": _case(lambda a: losses.binary_cross_entropy(a, np.array([0.0, 1.0, 1.0]),
                                                                        from_logits=True), (3,)),
}
CASES["maxout"] = _case(lambda a: F.maxout(a, 2), (2, 4))
# Every other activation of the table that needs no argument, with its defaults (inputs in
# ±[0.1, 2.1] keep away from the kinks at 0; those at ±0.5, ±1 and 6 are met with probability ~0).
for _name, _row in F.TRAITS.items():
    if _name not in CASES and all(p.default is not p.empty for p in _row.parameters):
        CASES[_name] = _case(_row.function, (2, 4), domain=_AWAY_FROM_ZERO)
# The fused ops, each with its one backward formula (and that formula's own backward).
CASES["batch_norm"] = _case(lambda x, w, b: F.batch_norm(x, weight=w, bias=b), (6, 3), (3,), (3,))
CASES["layer_norm"] = _case(lambda x, w, b: F.layer_norm(x, 3, weight=w, bias=b), (4, 3), (3,), (3,))
CASES["cross_entropy_sum"] = _case(
    lambda a: losses.cross_entropy(a, np.array([0, 2, 1]), label_smoothing=0.1, reduction="sum"), (3, 3))
CASES["mse_sum"] = _case(lambda a, b: losses.mse(a, b * 0.5, reduction="sum"), (3, 2), (3, 2))
# Padding, rearranging, cutting, triangles (each output element is a copy of an input element).
CASES["pad"] = _case(lambda a: mg.pad(a, ((1, 0), (2, 1)), value=0.5), (2, 3))
CASES["pad_reflect"] = _case(lambda a: mg.pad(a, ((2, 1), (3, 2)), mode="reflect"), (3, 3))
CASES["pad_edge"] = _case(lambda a: mg.pad(a, 2, mode="edge"), (2, 3))
CASES["flip"] = _case(lambda a: a.flip(axis=(0, 2)), (2, 3, 2))
CASES["roll"] = _case(lambda a: a.roll((1, -2), axis=(0, 1)), (3, 4))
CASES["tile"] = _case(lambda a: mg.tile(a, (2, 1, 3)), (2, 3))
CASES["repeat"] = _case(lambda a: a.repeat(2, 2), (2, 3))
CASES["repeat_interleave"] = _case(lambda a: a.repeat_interleave([2, 0, 3], axis=1), (2, 3))
CASES["split"] = _case(lambda a: a.split([1, 3], dim=1)[1] * a.split(2)[1][:, 1:], (3, 4))
CASES["chunk"] = _case(lambda a: a.chunk(2, dim=0)[1], (5, 2))
CASES["unflatten"] = _case(lambda a: a.unflatten(1, (2, -1)) * 2.0, (3, 6))
CASES["tril"] = _case(lambda a: a.tril(-1), (2, 3, 4))
CASES["triu"] = _case(lambda a: a.triu(1), (4, 3))
CASES["diagonal"] = _case(lambda a: a.diagonal(1, 0, 2), (3, 2, 4))
CASES["diag"] = _case(lambda a: mg.diag(a, -1) + mg.diag(a).sum(), (3,))
CASES["meshgrid"] = _case(lambda a, b: mg.stack(mg.meshgrid(a, b), axis=0), (3,), (2,))
# Gathering, scattering and masks (repeated indices accumulate; scatter's are distinct).
CASES["gather"] = _case(lambda a: a.gather(0, np.array([[0, 2, 2, 1], [2, 2, 0, 0]])), (3, 4))
CASES["scatter"] = _case(lambda a, s: a.scatter(1, np.array([[2, 0], [1, 3]]), s), (2, 4), (2, 3))
CASES["scatter_add"] = _case(lambda a, s: a.scatter_add(1, np.array([[0, 0, 2], [1, 1, 1]]), s), (2, 4), (2, 3))
CASES["masked_fill"] = _case(lambda a, v: a.masked_fill(np.array([True, False, True]), v), (2, 3), ())
CASES["masked_select"] = _case(lambda a: a.masked_select(np.array([[True, False, True], [True, True, False]])),
                               (3,))
CASES["sort"] = _case(lambda a: a.sort(dim=0, descending=True).values, (4, 3))
CASES["topk"] = _case(lambda a: a.topk(2).values, (3, 5))
CASES["einsum"] = _case(lambda a, b: mg.einsum("bij,bjk->bik", a, b), (2, 3, 4), (2, 4, 2))
CASES["einsum_diagonal"] = _case(lambda a, b: mg.einsum("ii,i...->...i", a, b), (3, 3), (3, 2))

# More elementwise ops; the step functions (sign ... trunc, //) have gradient 0, which
# central differences confirm away from their jumps (met with probability ~0).
_ZEROS = np.array([[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
CASES.update({
    "log2": _case(mg.log2, (2, 3), domain=_POSITIVE),
    "log10": _case(mg.log10, (2, 3), domain=_POSITIVE),
    "exp2": _case(mg.exp2, (2, 3)),
    "rsqrt": _case(mg.rsqrt, (2, 3), domain=_POSITIVE),
    "logaddexp": _case(mg.logaddexp, (2, 3), (3,)),
    "lerp": _case(mg.lerp, (2, 3), (3,), (2, 1)),
    "sign": _case(mg.sign, (2, 3), domain=_AWAY_FROM_ZERO),
    "floor": _case(mg.floor, (2, 3)),
    "ceil": _case(mg.ceil, (2, 3)),
    "round": _case(mg.round, (2, 3)),
    "trunc": _case(mg.trunc, (2, 3)),
    "tan": _case(mg.tan, (2, 3), domain=_UNIT),
    "asin": _case(mg.asin, (2, 3), domain=_UNIT),
    "acos": _case(mg.acos, (2, 3), domain=_UNIT),
    "atan": _case(mg.atan, (2, 3)),
    "sinh": _case(mg.sinh, (2, 3)),
    "cosh": _case(mg.cosh, (2, 3)),
    "asinh": _case(mg.asinh, (2, 3)),
    "acosh": _case(mg.acosh, (2, 3), domain=_ABOVE_ONE),
    "atanh": _case(mg.atanh, (2, 3), domain=_UNIT),
    "remainder": _case(lambda a, b: a % b, (2, 3), (3,), domain=_AWAY_FROM_ZERO),
    "floor_divide": _case(lambda a, b: a // b, (2, 3), (3,), domain=_AWAY_FROM_ZERO),
    "prod": _case(lambda a: a.prod(axis=1), (3, 4)),
    "prod_with_zeros": _case(lambda a: (a * _ZEROS).prod(axis=(0, 1)), (3, 4)),
    "cumsum": _case(lambda a: a.cumsum(axis=1), (3, 4)),
    "cumprod": _case(lambda a: a.cumprod(axis=-1), (3, 4)),
    "cumprod_with_zeros": _case(lambda a: (a * _ZEROS).cumprod(axis=1), (3, 4)),
    "cummax": _case(lambda a: a.cummax(axis=1).values, (3, 4)),
    "cummin": _case(lambda a: a.cummin(axis=0).values, (3, 4)),
    "logcumsumexp": _case(lambda a: a.logcumsumexp(axis=1), (3, 4)),
    "clone": _case(lambda a: a.clone() * 2.0, (2, 3)),
    "view": _case(lambda a: a.view(3, 2) * 2.0, (2, 3)),
    "expand": _case(lambda a: a.expand(2, -1, 3) * 2.0, (4, 1)),
    "t": _case(lambda a: a.t() * 2.0, (2, 3)),
})
CASES["batch_norm_2d"] = _case(lambda x, w, b: F.batch_norm(x, weight=w, bias=b), (2, 3, 2, 2), (3,), (3,))
CASES["group_norm"] = _case(lambda x, w, b: F.group_norm(x, 2, weight=w, bias=b), (2, 4, 3), (4,), (4,))
CASES["instance_norm"] = _case(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (2, 3, 4), (3,), (3,))
CASES["prelu"] = _case(lambda x, a: F.prelu(x, a), (3, 4), (4,), domain=_AWAY_FROM_ZERO)
CASES["rrelu"] = _case(lambda x: F.rrelu(x), (3, 4), domain=_AWAY_FROM_ZERO)  # eval: the mean slope
CASES["multiclass_hinge"] = _case(lambda a: losses.multiclass_hinge(a, np.array([0, 2, 1, 2]), p=2), (4, 3))
CASES["cross_entropy_weighted"] = _case(
    lambda a: F.cross_entropy(a, np.array([0, 2, 1]), weight=np.array([1.0, 2.0, 0.5]), label_smoothing=0.1), (3, 3))
# Convolution and pooling (NCHW), each with stride, padding, dilation or groups at work.
CASES["conv2d"] = _case(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
                        (2, 4, 5, 5), (4, 2, 2, 3), (4,))
CASES["conv1d"] = _case(lambda x, w: F.conv1d(x, w, stride=2, padding=1), (2, 2, 6), (3, 2, 3))
CASES["conv_transpose2d"] = _case(
    lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1), (1, 2, 3, 3),
    (2, 3, 3, 3), (3,))
CASES["max_pool2d"] = _case(lambda x: F.max_pool2d(x, 3, stride=2, padding=1), (2, 2, 5, 5))
CASES["avg_pool2d"] = _case(lambda x: F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False),
                            (1, 2, 3, 4))
CASES["unfold"] = _case(lambda x: F.unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=2), (2, 2, 4, 5))
CASES["fold"] = _case(lambda c: F.fold(c, (4, 5), 2, padding=1, stride=(1, 2)), (1, 8, 15))
CASES["interpolate"] = _case(lambda x: F.interpolate(x, size=(5, 3), mode="bilinear"), (1, 2, 3, 4))
CASES["embedding"] = _case(lambda w: F.embedding(np.array([[0, 2], [2, 3]]), w), (4, 3))
CASES["scaled_dot_product_attention"] = _case(
    lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), (2, 3, 4), (2, 3, 4), (2, 3, 2))


@dataclass
class OpCheck:
    """The outcome of checking one op."""

    name: str
    passed: bool
    shapes: tuple
    detail: str = ""


def _inputs(shapes, domain, dtype, rng):
    tensors = []
    for shape in shapes:
        x = rng.uniform(-2.0, 2.0, size=shape)
        if domain == _POSITIVE:
            x = np.abs(x) + 0.5
        elif domain == _AWAY_FROM_ZERO:
            x = np.sign(x + (x == 0)) * (np.abs(x) + 0.1)
        elif domain == _UNIT:
            x = x * 0.45
        elif domain == _ABOVE_ONE:
            x = np.abs(x) + 1.2
        tensors.append(mg.tensor(x, dtype=dtype, requires_grad=True))
    return tensors


def check_ops(names=None, dtype="float64", seed=0):
    """Gradient-check the ops in ``names`` (all of :data:`CASES` when None).

    float64 uses ε = 1e-6 and tight tolerances; float32 uses ε = 1e-3 and 1e-2
    tolerances (single precision cannot do better, which is worth seeing).
    Unknown names raise ValueError listing the valid ones.
    """
    names = list(CASES) if not names else list(names)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        raise ValueError(f"unknown op {unknown[0]!r}; choose from: {', '.join(CASES)}")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    tol = dict(eps=1e-6, atol=1e-5, rtol=1e-3) if dtype == "float64" else dict(eps=1e-3, atol=1e-2, rtol=1e-2)
    rng = np.random.default_rng(seed)
    results = []
    for name in names:
        fn, shapes, domain = CASES[name]
        inputs = _inputs(shapes, domain, dtype, rng)
        try:
            gradcheck(fn, *inputs, dtype=dtype, **tol)
            results.append(OpCheck(name, True, shapes))
        except GradcheckError as exc:
            worst = max(exc.rows, key=lambda row: row[4])
            results.append(OpCheck(name, False, shapes, f"{len(exc.rows)} mismatches, worst error {worst[4]:.3g}"))
    return results


def format_results(results):
    """A pass/fail table of :func:`check_ops` results."""
    lines = [f"{'op':<22} {'input shapes':<28} result", "-" * 64]
    for r in results:
        shapes = ", ".join(str(s) for s in r.shapes)
        lines.append(f"{r.name:<22} {shapes:<28} {'pass' if r.passed else 'FAIL  ' + r.detail}")
    failed = sum(not r.passed for r in results)
    lines.append("-" * 64)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return "\n".join(lines)

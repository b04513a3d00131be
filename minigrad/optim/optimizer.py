"""``Optimizer``: the base class every optimizer shares.

Training is a loop of "forward, backward, update" (gradient descent; Goodfellow
et al. 2016, "Deep Learning", §8.3.1): backward fills ``p.grad`` for every
parameter, then the optimizer turns those gradients into a change of
``p.data``. This class holds what every update rule needs around its few lines
of math:

* **parameter groups** -- ``param_groups`` is a list of dicts, each with its
  ``"params"`` and its own copy of every hyperparameter, so one model can train
  its layers at different learning rates::

      optim.SGD([{"params": body.parameters()},
                 {"params": head.parameters(), "lr": 1e-2}], lr=1e-3, momentum=0.9)

* **state** -- ``state[p]`` is a dict of per-parameter buffers (Adam's moving
  averages, a momentum velocity, a step count), created on the first update;
* **checkpoints** -- ``state_dict()`` / ``load_state_dict()`` in PyTorch's layout,
  so training can stop and resume exactly where it was.

A new optimizer is one class. It passes its hyperparameters' defaults to
``Optimizer.__init__``, checks them in ``_check_hyperparameters(group)``, creates a
parameter's state in ``_init_state(param, group)``, and writes its update rule in
``_update(param, grad, state, group)``: NumPy on plain arrays (``p.data`` and
``p.grad.data``) that changes ``param`` and the state in place -- an update is
arithmetic on arrays, never an op recorded in a graph. Hyperparameters arrive as
Python numbers, so float32 arithmetic stays float32; a state with a ``"step"``
entry has it counted before each update (t, 1 on the first). Lion (Chen et al.
2023, "Symbolic Discovery of Optimization Algorithms"), complete::

    class Lion(Optimizer):
        # θ ← (1 − γλ)θ − γ·sign(β₁m + (1 − β₁)g), then m ← β₂m + (1 − β₂)g

        def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, maximize=False):
            super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay,
                                          maximize=maximize))

        def _check_hyperparameters(self, group):
            check_nonnegative(group, "lr", "weight_decay")
            check_betas(group)

        def _init_state(self, param, group):
            return {"exp_avg": np.zeros_like(param)}

        def _update(self, param, grad, state, group):
            (beta1, beta2), m = group["betas"], state["exp_avg"]
            g = decayed_gradient(param, grad, group, decoupled=True)
            param -= group["lr"] * np.sign(beta1 * m + (1 - beta1) * g)
            m *= beta2
            m += (1 - beta2) * g

Optionally, the same update can also run as one fused Numba kernel for large
parameters: write the kernel in :mod:`minigrad.backend.update_kernels` (the
formula for one element, in the same order of operations) and a method
``_fused_update(param, grad, state, group)`` that asks
:func:`minigrad.backend.kernels.fused` for it with the arrays, and when it gets
it calls it with this step's numbers and returns True; False leaves the step to
``_update``. The two paths must agree bit for bit (tests/backend/test_kernels.py
checks each optimizer)::

        def _fused_update(self, param, grad, state, group):
            kernel = kernels.fused("lion_update", "optimizer", param, grad, state["exp_avg"])
            if kernel:
                (beta1, beta2), lr = group["betas"], group["lr"]
                kernel((lr, 1 - lr * group["weight_decay"], beta1, 1 - beta1, beta2, 1 - beta2),
                       bool(group["maximize"]))
            return kernel is not None
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from minigrad import backend
from minigrad.autograd import enable_grad
from minigrad.backend import kernels
from minigrad.tensor import Tensor

__all__ = ["Optimizer", "decayed_gradient", "state_buffer", "check_nonnegative", "check_betas"]


class Optimizer:
    """Base class: parameter groups, per-parameter state and checkpoints.

    ``Optimizer(params, defaults)``: ``params`` is an iterable of Parameters, or of
    dicts (parameter groups) with a ``"params"`` entry and any hyperparameters that
    override ``defaults`` for that group.
    """

    # State entries that are numbers (step counts, running products); every other
    # state entry is an array shaped like its parameter.
    _scalar_state = ("step",)

    def __init__(self, params, defaults):
        self._check_hyperparameters(defaults)
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}  # Parameter -> dict; tensors hash by identity
        if isinstance(params, Tensor):
            raise TypeError(
                "params must be an iterable of Parameters or of dicts (parameter groups), "
                "got a single Tensor: wrap it in a list, e.g. SGD([w], lr=0.1)"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError("params must be an ordered iterable (a list), not a set: the order fixes the state_dict indices")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list: pass model.parameters() of a model that has parameters")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a group of parameters, e.g. a layer unfrozen during fine-tuning.

        Hyperparameters missing from ``param_group`` take the optimizer's defaults.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict with a 'params' entry, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"parameter group has no 'params' entry (keys: {sorted(param_group)})")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("a group's params must be an ordered iterable (a list), not a set")
        params = list(params)
        n_before = len(self.param_groups)
        for i, p in enumerate(params):
            where = f"parameter {i} of group {n_before}"
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizers update Tensors, but {where} is a {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(
                    f"{where} is not a leaf tensor (it was computed by '{p.op}'): optimize the "
                    "tensors you created (nn.Parameter), not results computed from them"
                )
            if p.dtype.kind != "f":
                raise TypeError(f"{where} has dtype {p.dtype}; only floating-point tensors can be optimized")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(f"group {n_before} lists the same parameter more than once")
        if seen.intersection(ids):
            raise ValueError(f"group {n_before} repeats a parameter that is already in an earlier group")

        group = dict(self.defaults)
        group.update((k, v) for k, v in param_group.items() if k != "params")
        group["params"] = params
        _python_numbers(group)
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def _check_hyperparameters(self, group):
        """Raise ValueError for an invalid hyperparameter value (subclasses extend)."""

    # ------------------------------------------------------------------ updating
    def zero_grad(self, set_to_none=True):
        """Forget the gradients: ``p.grad = None`` (or zeros with ``set_to_none=False``).

        Gradients accumulate across ``backward()`` calls, so reset them before each one.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad.data[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``'s value.

        ``closure`` (optional) re-evaluates the model and returns the loss; it is
        called with graph recording on, before the update.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        # No kernel runs below the smallest size threshold of the dispatch rule: below
        # it, go straight to the NumPy formula (the common case for small models).
        fused_from = min(kernels.MIN_SIZE.values())
        for group in self.param_groups:
            if not _PYTHON_VALUES.issuperset(map(type, group.values())):
                _python_numbers(group)  # a NumPy scalar set by hand since the last step
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue  # not used by this loss (or frozen): leave it alone
                grad = g.data
                if grad.__class__ is not np.ndarray or grad.shape != p.data.shape or grad.dtype != p.data.dtype:
                    grad = _grad_array(p)  # the checks and conversions of the uncommon cases
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = self._init_state(p.data, group)
                if "step" in state:
                    state["step"] += 1  # t, the number of this update: 1 on the first (as PyTorch counts)
                if p.data.size < fused_from or not self._fused_update(p.data, grad, state, group):
                    self._update(p.data, grad, state, group)
                p._mark_changed()  # an in-place change like p -= lr * g: bump p's version
        return loss

    def _init_state(self, param, group):
        """The state dict of a parameter before its first update (arrays like ``param``)."""
        return {}

    def _update(self, param, grad, state, group):
        """The update rule, in NumPy: change the array ``param`` (and ``state``) in place from
        ``grad`` (subclasses implement)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update()")

    def _fused_update(self, param, grad, state, group):
        """Optionally, the same update as one Numba kernel: True when it ran, False to
        leave the step to ``_update`` (always, here)."""
        return False

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self):
        """The optimizer's state as plain data, in PyTorch's layout::

            {"state": {index: {name: array | number}},
             "param_groups": [{hyperparameter: value, ..., "params": [index, ...]}]}

        Parameters are numbered 0, 1, ... across the groups in order; arrays are
        copies, so training on does not change a saved state dict.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                s = self.state.get(p)
                if s:
                    state[index[id(p)]] = {k: _copy_value(v) for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and state saved by :meth:`state_dict`.

        The saved groups are matched to this optimizer's groups in order, and
        their parameters by position. Everything is checked first (number of
        groups, group sizes, hyperparameter names, state shapes); on any mismatch
        a ValueError names it and nothing is changed.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected a mapping with the keys 'state' and "
                f"'param_groups' (an optimizer state dict), got {type(state_dict).__name__}"
            )
        if set(state_dict) != {"state", "param_groups"}:
            got = sorted(map(str, state_dict))
            raise ValueError(f"an optimizer state dict has exactly the keys 'state' and 'param_groups', got {got}")
        groups, state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(groups, (list, tuple)) or not all(isinstance(g, Mapping) for g in groups):
            raise TypeError(f"an optimizer state dict's 'param_groups' must be a list of mappings, got {groups!r:.80}")
        if not isinstance(state, Mapping) or not all(isinstance(e, Mapping) for e in state.values()):
            raise TypeError(f"an optimizer state dict's 'state' must map parameter indices to mappings, "
                            f"got {state!r:.80}")
        saved_groups = list(groups)
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"the state dict has {len(saved_groups)} parameter group(s) but this optimizer has "
                f"{len(self.param_groups)}"
            )
        new_groups = []
        by_index = {}
        for g, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            indices = list(saved.get("params", []))
            if len(indices) != len(group["params"]):
                raise ValueError(
                    f"group {g} has {len(indices)} parameter(s) in the state dict but "
                    f"{len(group['params'])} in this optimizer"
                )
            missing = sorted(set(self.defaults) - set(saved))
            if missing:
                raise ValueError(
                    f"group {g} of the state dict lacks the hyperparameter(s) {missing} of "
                    f"{type(self).__name__}: was it saved from a different optimizer?"
                )
            hyper = {k: _plain_hyperparameter(v) for k, v in saved.items() if k != "params"}
            self._check_hyperparameters(hyper)
            for i, p in zip(indices, group["params"]):
                by_index[int(i)] = p
            new_groups.append(hyper)

        new_state = {}
        for i, entries in state_dict["state"].items():
            p = by_index.get(int(i))
            if p is None:
                raise ValueError(f"the state dict has state for parameter index {i}, which no group lists")
            new_state[p] = {name: self._restore_state_value(name, value, p, i) for name, value in entries.items()}

        # Everything checked: now change the optimizer.
        for hyper, group in zip(new_groups, self.param_groups):
            params = group["params"]
            group.clear()
            group.update(hyper)
            group["params"] = params
        self.state = new_state

    def _restore_state_value(self, name, value, p, index):
        if name in self._scalar_state:
            value = np.asarray(value)
            if value.size != 1:
                raise ValueError(f"state '{name}' of parameter {index} should be a number, got shape {value.shape}")
            return value.item()
        value = backend.to_device(np.asarray(value) if not hasattr(value, "shape") else value, "cpu")
        if value.shape != p.shape:
            raise ValueError(
                f"state '{name}' of parameter {index} has shape {value.shape} but the parameter has "
                f"shape {p.shape}"
            )
        xp = backend.array_module(p.device)
        return xp.array(value, dtype=p.dtype)  # a copy, in the parameter's dtype and device

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(group):
                if k != "params":
                    lines.append(f"    {k}: {group[k]}")
        lines.append(")")
        return "\n".join(lines)


def _grad_array(p):
    """``p.grad`` as an array of ``p``'s shape and dtype (never modified by the update)."""
    g = p.grad.data if isinstance(p.grad, Tensor) else np.asarray(p.grad)
    if g.shape != p.shape:
        raise ValueError(f"a parameter of shape {p.shape} has a gradient of shape {g.shape}")
    if g.dtype != p.dtype:
        g = g.astype(p.dtype)
    return g


def _copy_value(v):
    if hasattr(v, "shape") and hasattr(v, "dtype"):
        return backend.to_device(v, "cpu").copy()
    return v


def _python_numbers(group):
    """Make NumPy numbers among a group's hyperparameters Python numbers, in place. NumPy
    casts a Python float to a float32 array's dtype, but multiplies a float32 array by a
    NumPy float64 in float64 (NEP 50): a learning rate of type np.float64 would change
    the rounding of every float32 update."""
    for key, value in group.items():
        if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
            group[key] = value.item()
        elif value.__class__ is tuple and any(isinstance(v, np.generic) for v in value):
            group[key] = tuple(v.item() if isinstance(v, np.generic) else v for v in value)


# The types of hyperparameters that need no conversion (tuples are checked when a group is added).
_PYTHON_VALUES = frozenset({float, int, bool, str, tuple, list, type(None)})


def _plain_hyperparameter(v):
    """Undo what saving to .npz does to hyperparameters (0-d arrays, tuples as arrays)."""
    if isinstance(v, np.ndarray):
        return v.item() if v.ndim == 0 else tuple(v.tolist())
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, list):
        return tuple(v)
    return v


# ---------------------------------------------------------------------- helpers of update rules

def decayed_gradient(param, grad, group, decoupled=False):
    """The gradient an update starts from: g = ∇θ (−∇θ when ``group["maximize"]``) plus the
    L2 term λθ of ``weight_decay`` λ; or, ``decoupled``, g = ∇θ and θ ← (1 − γλ)θ in place
    (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization")."""
    g = -grad if group["maximize"] else grad
    weight_decay = group["weight_decay"]
    if weight_decay != 0:
        if decoupled:
            param *= 1 - group["lr"] * weight_decay
        else:
            g = g + weight_decay * param
    return g


def state_buffer(state, name, param):
    """``state[name]``, created as zeros shaped like ``param`` the first time it is needed
    (also when an option that needs it, such as Adam's amsgrad, is switched on mid-training)."""
    buffer = state.get(name)
    if buffer is None:
        buffer = state[name] = np.zeros_like(param)
    return buffer


@kernels.register_warm_up
def _warm_up(dtype):
    """One step of each optimizer in minigrad that has a fused kernel, on 12 numbers of
    ``dtype``: ``kernels.warm_up()`` runs this with every kernel forced on."""
    done = set()
    for cls in _subclasses(Optimizer):
        fused = cls._fused_update
        if cls.__module__.startswith("minigrad.") and fused is not Optimizer._fused_update and fused not in done:
            done.add(fused)
            p = Tensor(np.linspace(-1.0, 1.0, 12).astype(dtype), requires_grad=True)
            p.grad = Tensor(p.data.copy())
            cls([p]).step()


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# ---------------------------------------------------------------------- validation helpers

def check_nonnegative(group, *names):
    """ValueError unless every hyperparameter ``names`` of ``group`` is >= 0 (NaN fails)."""
    for name in names:
        value = group[name]
        if not value >= 0:
            raise ValueError(f"invalid {name}: {value!r} (must be >= 0)")


def check_betas(group, name="betas"):
    """ValueError unless ``group[name]`` is a pair of numbers in [0, 1)."""
    betas = group[name]
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"invalid {name}: {betas!r} (must be a pair (beta1, beta2))") from None
    for i, b in enumerate((b1, b2)):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"invalid beta parameter at index {i}: {b!r} (must be in [0, 1))")

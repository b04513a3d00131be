"""``Module``, ``Parameter`` and ``Sequential``: how networks are put together.

A network is a tree of modules. Each module owns its learnable ``Parameter``s
(tensors with ``requires_grad=True``), its buffers (non-learnable state such as
BatchNorm's running statistics) and its sub-modules, all registered simply by
assigning them as attributes::

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(2, 16)
            self.out = nn.Linear(16, 1)

        def forward(self, x):
            return self.out(self.hidden(x).relu())

The tree gives every parameter a dotted name (``hidden.weight``), which is what
``state_dict()`` saves and ``load_state_dict()`` restores, and gives every tensor
computed inside a module that module's path as its ``scope``, so graphs can be
drawn clustered by layer. ``train()`` / ``eval()`` switch the behaviour of layers
such as Dropout and BatchNorm (their test-time behaviour differs from training).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from minigrad import autograd
from minigrad.tensor import Tensor

__all__ = ["Parameter", "Module", "Sequential", "ModuleList"]


class Parameter(Tensor):
    """A Tensor that a Module learns: ``requires_grad=True`` unless told otherwise.

    ``attr_name`` is the attribute it was assigned to in its module ("weight",
    "bias"; "" until then), so a drawing can call it "Linear(2→16).weight".
    """

    attr_name = ""

    def __init__(self, data, requires_grad=True, dtype=None, device="cpu"):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, device=device)

    def __repr__(self):
        return "Parameter(" + super().__repr__() + ")"


class ScopePath(str):
    """A module's dotted path ("layers.2") that also carries the module's title and its parent's path.

    It is the ``scope`` stamped on tensors computed inside the module, so a drawing
    can title a cluster "Linear(2→16)" instead of "layers.2" at no cost per op (the
    title is taken when the module is placed). It compares, hashes and pickles as
    the plain string.
    """

    def __new__(cls, path, module, parent=""):
        obj = super().__new__(cls, path)
        obj.title = _title(module)
        obj.parent = parent if isinstance(parent, ScopePath) else None
        return obj

    def __reduce__(self):
        return (str, (str(self),))


def _title(module):
    """The layer's type and shape: ``Linear(2→16)``, ``Conv2d(3→8)``, ``BatchNorm1d(16)``, ``Tanh``."""
    name = type(module).__name__
    for kind in ("features", "channels"):
        n_in, n_out = getattr(module, f"in_{kind}", None), getattr(module, f"out_{kind}", None)
        if isinstance(n_in, int) and isinstance(n_out, int):
            return f"{name}({n_in}→{n_out})"
    n = getattr(module, "num_features", None)
    if isinstance(n, int):
        return f"{name}({n})"
    return name


class Module:
    """Base class of every layer and network.

    Subclasses call ``super().__init__()`` first, assign parameters, buffers and
    sub-modules as attributes, and implement ``forward``. Calling the module runs
    ``forward`` inside the module's scope.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_scope", "")
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        registries = self.__dict__.get("_parameters")
        if registries is None:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() at the start of __init__ "
                "before assigning attributes"
            )
        if name in self._buffers and (value is None or isinstance(value, Tensor)):
            self._buffers[name] = value
        else:
            self._parameters.pop(name, None)
            self._buffers.pop(name, None)
            self._modules.pop(name, None)
            if isinstance(value, Parameter):
                self._parameters[name] = value
                value.scope = self._scope
                value.attr_name = name
            elif isinstance(value, Module):
                self._modules[name] = value
                if not value._scope:  # a module already placed elsewhere keeps its path
                    value._rescope(_join(self._scope, name), self._scope)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name, tensor):
        """Register non-learnable state (saved in ``state_dict``, not returned by ``parameters``)."""
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)

    def add_module(self, name, module):
        """Register ``module`` under ``name`` (same as ``setattr(self, name, module)``)."""
        if not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        setattr(self, name, module)

    def _rescope(self, path, parent=""):
        """Give this module (and everything below it) the dotted path ``path``."""
        path = ScopePath(path, self, parent)
        object.__setattr__(self, "_scope", path)
        for p in self._parameters.values():
            p.scope = path
        for name, child in self._modules.items():
            child._rescope(_join(path, name), path)

    # ------------------------------------------------------------------ running
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args, **kwargs):
        if self._scope:
            state = autograd._state  # enter the module's scope (inline: this runs for every layer call)
            outer, state.scope = state.scope, self._scope
            try:
                out = self.forward(*args, **kwargs)
            finally:
                state.scope = outer
        else:
            out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
        return out

    def register_forward_hook(self, hook):
        """Call ``hook(module, inputs, output)`` after every forward pass of this module.

        Used to watch activations (the visualizer's diagnostics do). A hook may
        return a replacement output. Returns a handle whose ``remove()`` detaches it.
        """
        key = object()
        self._forward_hooks[key] = hook
        return _HookHandle(self._forward_hooks, key)

    def train(self, mode=True):
        """Training mode (Dropout drops, BatchNorm uses batch statistics); returns self."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self):
        """Evaluation mode (Dropout is off, BatchNorm uses running statistics); returns self."""
        return self.train(False)

    # ------------------------------------------------------------------ traversal
    def named_modules(self, prefix=""):
        """Yield ``(dotted name, module)`` for this module and every descendant, once each."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(_join(name, n), m) for n, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        """This module and every descendant."""
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        return iter(self._modules.items())

    def children(self):
        return iter(self._modules.values())

    def named_parameters(self, prefix=""):
        """Yield ``(dotted name, Parameter)``; a parameter shared by two modules appears once."""
        seen = set()
        for mname, module in self.named_modules(prefix):
            for pname, p in module._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield _join(mname, pname), p

    def parameters(self):
        """Every learnable parameter, for an optimizer: ``optim.SGD(model.parameters(), lr=0.1)``."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self, prefix=""):
        for mname, module in self.named_modules(prefix):
            for bname, b in module._buffers.items():
                if b is not None:
                    yield _join(mname, bname), b

    def buffers(self):
        return [b for _, b in self.named_buffers()]

    def num_parameters(self):
        """The number of learnable scalars."""
        return int(sum(p.size for p in self.parameters()))

    def apply(self, fn):
        """Call ``fn(module)`` on every module (children first, then self); returns self."""
        for m in reversed(list(self.modules())):
            fn(m)
        return self

    def to(self, target):
        """Move every parameter and buffer to a device ("cpu", "cuda"), or convert the
        floating ones to a dtype ("float64", ...), in place; returns self.

        The Parameter objects stay the same (an optimizer holding them keeps working);
        their gradients are reset.
        """
        from minigrad import backend
        from minigrad.tensor import _resolve_dtype

        name = str(target).lower()
        tensors = self.parameters() + self.buffers()
        if name.startswith(backend.DEVICES):
            device = backend.check_device(name)
            for t in tensors:
                t.data = backend.to_device(t.data, device)
                t.grad = None
            return self
        dtype = _resolve_dtype(target)
        if dtype.kind != "f":
            raise TypeError(f"Module.to: parameters must stay floating point, got {dtype}")
        for t in tensors:
            if t.dtype.kind == "f":
                t.data = t.data.astype(dtype)
                t.grad = None
        return self

    def double(self):
        """Convert floating parameters and buffers to float64 (for gradient checks); returns self."""
        return self.to("float64")

    def float(self):
        """Convert floating parameters and buffers to float32; returns self."""
        return self.to("float32")

    def zero_grad(self):
        """Forget accumulated gradients: ``p.grad = None`` for every parameter."""
        for p in self.parameters():
            p.grad = None

    # ------------------------------------------------------------------ regularization
    def regularization_terms(self):
        """This module's own penalty terms (scalar Tensors); layers with regularizers override it."""
        return []

    def regularization_loss(self):
        """Σ of every regularizer attached anywhere in the tree: the λR(w) of J(w) + λR(w).

        Add it to the data loss: ``loss = loss_fn(model(x), y) + model.regularization_loss()``.
        Activity regularizers contribute the penalty of the most recent forward pass.
        """
        total = None
        for m in self.modules():
            for term in m.regularization_terms():
                total = term if total is None else total + term
        if total is None:
            params = self.parameters()
            dtype = params[0].dtype if params else np.float32
            return Tensor(np.zeros((), dtype=dtype), dtype=dtype)
        return total

    # ------------------------------------------------------------------ state
    def state_dict(self):
        """An ordered dict ``dotted name -> NumPy array`` (a copy) of parameters and buffers."""
        state = OrderedDict()
        for name, p in self.named_parameters():
            state[name] = p.numpy().copy()
        for name, b in self.named_buffers():
            state[name] = b.numpy().copy()
        return state

    def load_state_dict(self, state, strict=True):
        """Copy values from ``state`` into the parameters and buffers, in place.

        Every entry is checked before anything is written, so a bad checkpoint leaves
        the module bitwise unchanged: missing or unexpected keys (when ``strict``), a
        value that is not an array or Tensor, a dtype that is not real numeric (bool,
        integer or float: complex, strings and objects are refused), a shape mismatch
        and non-finite values (NaN, ±inf) all raise one ValueError that names each
        offending key and its problem. Values keep each tensor's dtype and device.
        Returns ``(missing, unexpected)`` key lists.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict for {type(self).__name__}: expected a mapping of names to arrays "
                f"(a state dict), got {type(state).__name__}"
            )
        targets = OrderedDict(list(self.named_parameters()) + list(self.named_buffers()))
        missing = [k for k in targets if k not in state]
        unexpected = [k for k in state if k not in targets]
        given, bad = {}, []
        for k, t in targets.items():
            if k not in state:
                continue
            value, problem = _checked_entry(state[k], t.shape)
            if problem:
                bad.append(f"{k}: {problem}")
            else:
                given[k] = value
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(map(str, unexpected)))
        if bad:
            problems.append("bad values: " + "; ".join(bad))
        if problems:
            raise ValueError(f"load_state_dict for {type(self).__name__}: " + " | ".join(problems))
        from minigrad.backend import to_device

        for k, value in given.items():
            t = targets[k]
            t.data[...] = to_device(value.astype(t.dtype, copy=False), t.device)
            t._mark_changed()
        return missing, unexpected

    # ------------------------------------------------------------------ display
    def extra_repr(self):
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self):
        lines = []
        for name, child in self._modules.items():
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"({name}): {child_repr}")
        main = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return main + ")"
        return main + "\n  " + "\n  ".join(lines) + "\n)"


class _HookHandle:
    """Returned by ``register_forward_hook``; ``remove()`` detaches the hook (also as a context manager)."""

    def __init__(self, hooks, key):
        self._hooks, self._key = hooks, key

    def remove(self):
        self._hooks.pop(self._key, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def _checked_entry(value, shape):
    """``(array, None)`` for a loadable state-dict value of ``shape``, else ``(None, problem)``."""
    if isinstance(value, Tensor):
        array = value.numpy()
    elif isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
    elif type(value).__module__.split(".")[0] == "cupy" and hasattr(value, "get"):
        array = value.get()  # a CuPy array, copied to the host for checking
    else:
        return None, f"expected an array or Tensor, got {type(value).__name__}"
    if array.dtype.kind not in "biuf":
        return None, f"dtype {array.dtype} is not real numeric (use bool, integer or float)"
    if tuple(array.shape) != tuple(shape):
        return None, f"checkpoint {tuple(array.shape)} vs model {tuple(shape)}"
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        count = int(array.size - np.isfinite(array).sum())
        return None, f"{count} non-finite value(s) (NaN or inf)"
    return array, None


def _join(prefix, name):
    return f"{prefix}.{name}" if prefix else name


class Sequential(Module):
    """Layers applied one after another: ``Sequential(Linear(2, 16), ReLU(), Linear(16, 1))``.

    Indexable (``model[0]``, ``model[-1]``, ``model[1:]``), iterable and sized; the
    layers are registered as ``"0"``, ``"1"``, ... so parameters are named
    ``0.weight``, ``2.bias`` and so on.
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for layer in layers:
            self.append(layer)

    def append(self, layer):
        """Add a layer at the end; returns self."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential takes Modules, got {type(layer).__name__} {layer!r}")
        setattr(self, str(len(self._modules)), layer)
        return self

    def forward(self, x):
        for layer in self._modules.values():
            x = layer(x)
        return x

    def __getitem__(self, index):
        layers = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*layers[index])
        try:
            return layers[index]
        except IndexError:
            raise IndexError(f"Sequential index {index} out of range for {len(layers)} layers") from None

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ModuleList(Module):
    """A list of modules that registers them (so their parameters are found), without a forward."""

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList takes Modules, got {type(module).__name__}")
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, index):
        return list(self._modules.values())[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

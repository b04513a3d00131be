"""The graph as records: the nodes reachable from a root, numbered, with their roles and wiring.

:func:`~viz.graph.draw_graph` and :func:`~viz.backprop_frames` read a ``Value`` or
``Tensor`` graph through :class:`_Graph`: nodes in topological order (``n0, n1,
...``, never ``id()``), each node's parents and consumers by number, its role
(loss, parameter, input, constant, intermediate; see :mod:`viz.graph.draw`) and
its module scope. Nothing here draws.
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import topological_order
from minigrad.backend import to_device
from minigrad.nn.module import Parameter
from minigrad.scalar import Value
from minigrad.tensor import Tensor


class _Graph:
    """The nodes reachable from ``root``, numbered in topological order, with roles and wiring."""

    def __init__(self, root, who="draw_graph"):
        if not isinstance(root, (Value, Tensor)):
            raise TypeError(
                f"{who} needs a minigrad Value or Tensor (the output of a computation), "
                f"got {type(root).__name__}"
            )
        self.root = root
        self.is_tensor = isinstance(root, Tensor)
        self.nodes = topological_order(root)  # iterative: deep graphs are fine
        self.root_index = len(self.nodes) - 1
        index = {id(n): i for i, n in enumerate(self.nodes)}
        self.parents = [tuple(index[id(p)] for p in n.parents) for n in self.nodes]
        # Distinct consumers of each node, in topological order.
        self.consumers = [[] for _ in self.nodes]
        for i, ps in enumerate(self.parents):
            for p in dict.fromkeys(ps):
                self.consumers[p].append(i)
        self.roles = [_role(n, i == self.root_index) for i, n in enumerate(self.nodes)]
        self.scopes = [getattr(n, "scope", "") or "" for n in self.nodes]
        self.names = _names(self)

    def name(self, i):
        """What boxes and captions call node ``i``: its label, what it is in its layer, else its id."""
        return self.names[i]

    def visible_count(self):
        """Boxes plus op ovals of the unfolded drawing."""
        return len(self.nodes) + sum(1 for ps in self.parents if ps)

    def user_grads(self):
        """The gradients stored on the nodes (floats for Values, arrays or None for Tensors)."""
        if not self.is_tensor:
            return [float(n.grad) for n in self.nodes]
        return [None if n.grad is None else _host(n.grad) for n in self.nodes]

    def has_grads(self):
        if self.is_tensor:
            return any(n.grad is not None for n in self.nodes)
        return any(n.grad != 0 for n in self.nodes)

    def gets_grad(self, i):
        """Whether node ``i`` can have a gradient (every Value; tensors that require grad)."""
        return not self.is_tensor or self.nodes[i].requires_grad


def _names(graph):
    """A name per node: its label; for an unlabelled parameter, its layer and attribute
    ("Linear(2→16).weight"); for an unlabelled result computed inside a module, what it
    is there ("Linear(2→16) output", or "relu in Block" when the module computes
    several); else its id ``n<i>``.

    Two layers of the same kind (two "Tanh" clusters) are told apart by their path
    ("Tanh output, layer 3"); a name that would still repeat falls back to the id.
    """
    names = [n.label or "" for n in graph.nodes]
    derived = {}  # node -> its scope, for the names made here
    outputs = {}
    for i, node in enumerate(graph.nodes):
        scope = graph.scopes[i]
        title = getattr(scope, "title", None)  # a ScopePath's; a plain str's is a method
        if names[i] or not isinstance(title, str) or not title:
            continue
        if graph.roles[i] == "parameter" and getattr(node, "attr_name", ""):
            names[i], derived[i] = f"{title}.{node.attr_name}", scope
        elif graph.roles[i] == "intermediate":
            outputs.setdefault(scope, []).append(i)
    for scope, members in outputs.items():
        for i in members:
            names[i] = f"{scope.title} output" if len(members) == 1 else f"{graph.nodes[i].op} in {scope.title}"
            derived[i] = scope
    counts = {}
    for i in derived:
        counts[names[i]] = counts.get(names[i], 0) + 1
    for i, scope in derived.items():
        if counts[names[i]] > 1:
            names[i] += f", layer {scope}"
    final = {}
    for name in names:
        final[name] = final.get(name, 0) + 1
    return [name if name and (final[name] == 1 or graph.nodes[i].label) else f"n{i}"
            for i, name in enumerate(names)]


def _role(node, is_root):
    if is_root:
        return "loss"
    if node.parents:
        return "intermediate"
    if isinstance(node, Parameter):
        return "parameter"
    if isinstance(node, Tensor):
        if node.requires_grad or node.label or node.data.size > 1:
            return "input"
        return "constant"
    return "input" if node.label else "constant"


def _host(x):
    """A Tensor's (or array's) data as a NumPy array on the CPU."""
    data = x.data if isinstance(x, Tensor) else x
    return np.asarray(to_device(data, "cpu"))


def _shape(node):
    return tuple(node.shape) if isinstance(node, Tensor) else None


def _shape_text(node):
    shape = "scalar" if node.ndim == 0 else str(tuple(node.shape))
    return f"{shape}  {node.dtype}"

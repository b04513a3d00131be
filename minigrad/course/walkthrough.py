"""Printable walkthroughs of a forward and backward pass, used by ``minigrad demo``.

Two worked examples, each returned as text:

* :func:`neuron_walkthrough` -- one tanh neuron o = tanh(x1·w1 + x2·w2 + b) on
  ``Value`` scalars, listing every node's value and gradient in the order
  backpropagation visits them;
* :func:`network_walkthrough` -- the 2-3-2 network of the course's worked
  backpropagation example (W(1) = [[1, -2], [0, 1], [3, 4]], W(2) = [[6, -2, 1],
  [5, -3, 2]], sigmoid hidden layer, linear output, squared error) on
  ``Tensor``s, comparing autograd's gradients with the delta rule

      δ(2) = a(2) - t,   δ(1) = (W(2)ᵀ δ(2)) ⊙ σ'(z(1)),   ∂C/∂W(k) = δ(k) a(k-1)ᵀ

  and with numerical differentiation (``gradcheck``).
"""

from __future__ import annotations

import numpy as np

from minigrad.autograd import topological_order
from minigrad.gradcheck import gradcheck
from minigrad.scalar import Value
from minigrad.tensor import tensor

__all__ = ["neuron", "neuron_walkthrough", "network_walkthrough", "EXAMPLE_W1", "EXAMPLE_W2"]

EXAMPLE_W1 = [[1.0, -2.0], [0.0, 1.0], [3.0, 4.0]]
EXAMPLE_W2 = [[6.0, -2.0, 1.0], [5.0, -3.0, 2.0]]


def neuron():
    """The worked neuron o = tanh(x1·w1 + x2·w2 + b) as a labelled ``Value`` graph (not yet backpropagated)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1_x2w2 = x1w1 + x2w2
    x1w1_x2w2.label = "x1*w1 + x2*w2"  # every box named: a drawing never falls back to an id
    n = x1w1_x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def neuron_walkthrough() -> str:
    """Forward and backward through the worked :func:`neuron`, node by node."""
    o = neuron()
    o.backward()
    w1 = next(v for v in topological_order(o) if v.label == "w1")
    order = list(reversed(topological_order(o)))
    width = max(len("node"), *(len(node.label) for node in order))
    lines = [
        "A single neuron on scalars: o = tanh(x1*w1 + x2*w2 + b)",
        f"{'node':<{width}} {'op':<6} {'data':>10} {'grad':>10}",
    ]
    for node in order:
        lines.append(f"{node.label:<{width}} {node.op or 'input':<6} {node.data:>10.4f} {node.grad:>10.4f}")
    lines.append("do/dn = 1 - tanh(n)^2 = %.4f; do/dw1 = x1 * do/dn = %.4f" % (1 - o.data**2, w1.grad))
    return "\n".join(lines)


def network_walkthrough(x=(1.0, 2.0), target=(1.0, 0.0)) -> str:
    """Backpropagation through the course's 2-3-2 network, checked three ways."""
    W1 = tensor(EXAMPLE_W1, dtype="float64", requires_grad=True)
    b1 = tensor([0.0, 0.0, 0.0], dtype="float64", requires_grad=True)
    W2 = tensor(EXAMPLE_W2, dtype="float64", requires_grad=True)
    b2 = tensor([0.0, 0.0], dtype="float64", requires_grad=True)
    a0 = tensor(x, dtype="float64")
    t = tensor(target, dtype="float64")

    def cost(W1, b1, W2, b2):
        a1 = (W1 @ a0 + b1).sigmoid()
        y = W2 @ a1 + b2
        return ((y - t) ** 2).sum() * 0.5

    C = cost(W1, b1, W2, b2)
    C.backward()

    # The delta rule (Rumelhart, Hinton & Williams 1986), by hand with NumPy.
    z1 = np.array(EXAMPLE_W1) @ np.array(x)
    a1 = 1 / (1 + np.exp(-z1))
    y = np.array(EXAMPLE_W2) @ a1
    d2 = y - np.array(target)
    d1 = (np.array(EXAMPLE_W2).T @ d2) * a1 * (1 - a1)
    by_hand = {"W1": np.outer(d1, x), "b1": d1, "W2": np.outer(d2, a1), "b2": d2}
    autograd = {"W1": W1.grad.numpy(), "b1": b1.grad.numpy(), "W2": W2.grad.numpy(), "b2": b2.grad.numpy()}
    checked = gradcheck(cost, W1, b1, W2, b2)

    lines = [
        "The course's 2-3-2 network: a1 = sigmoid(W1 a0 + b1), y = W2 a1 + b2, C = ½||y - t||²",
        f"input a0 = {list(x)}, target t = {list(target)}",
        f"output y = {np.round(y, 4).tolist()}, cost C = {C.item():.4f}",
        "",
        f"{'param':<6} {'autograd gradient':<34} {'delta rule (by hand)':<34} agree",
    ]
    for name in ("W1", "b1", "W2", "b2"):
        same = np.allclose(autograd[name], by_hand[name], rtol=1e-12, atol=1e-12)
        lines.append(
            f"{name:<6} {_flat(autograd[name]):<34} {_flat(by_hand[name]):<34} {'yes' if same else 'NO'}"
        )
    lines.append("")
    lines.append(f"numerical differentiation (central differences, float64): {'pass' if checked else 'FAIL'}")
    return "\n".join(lines)


def _flat(array) -> str:
    values = np.asarray(array).ravel()
    text = ", ".join(f"{v:.4g}" for v in values)
    return f"[{text}]" if len(text) <= 32 else f"[{text[:28]}...]"

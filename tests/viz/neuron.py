"""The worked neuron the visualizer tests draw: micrograd's o = tanh(x1*w1 + x2*w2 + b).

With b = 6.8813735870195432 the output is o = 1/√2, so every gradient is a round
number (do/dn = 1/2); x2 = 0 makes dL/dw2 exactly 0.
"""

from minigrad import Value

LEAVES = ("x1", "x2", "w1", "w2", "b")


def neuron(backward=False):
    """``(o, nodes)``: the output and each named node (x1 x2 w1 w2 b n o); backpropagated if asked."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    if backward:
        o.backward()
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}

# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 1. Scalar autograd: derivatives and the chain rule
#
# Training a neural network means nudging every weight a little in the direction
# that lowers the loss. To know that direction we need the **derivative of the loss
# with respect to every weight**. This lesson builds that idea from the ground up,
# one number at a time:
#
# 1. a derivative is a slope, and we can *measure* it numerically;
# 2. the chain rule lets us *compute* it exactly, node by node;
# 3. minigrad's `Value` records every operation so that `backward()` applies the
#    chain rule for us (backpropagation, Rumelhart, Hinton & Williams 1986);
# 4. the order in which nodes are visited matters when a value is used twice;
# 5. we draw the computation graph and step through backpropagation;
# 6. and we finish with the oldest learning rule of all, the **perceptron**
#    (Rosenblatt 1958), which turns out to be gradient descent in disguise.
#
# Everything runs top to bottom as plain Python. Figures go to the folder named by
# `MINIGRAD_FIGURES` (default `./figures/`).

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
import viz
from minigrad import Value
from minigrad.course.lessons import figure_path, quick, save_figure, show, show_file

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite does)
FIGURES = Path(os.environ.get("MINIGRAD_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)
print("quick mode" if QUICK else "full mode", "- figures go to", FIGURES)

# %% [markdown]
# ## 1.1 A derivative is a slope
#
# Take an ordinary function, f(x) = 3x² − 4x + 5. Its derivative f′(x) tells us how
# much f changes when x moves a tiny bit: f(x + h) ≈ f(x) + h·f′(x). Calculus says
# f′(x) = 6x − 4, so f′(3) = 14.
#
# Without any calculus we can *measure* the slope: move x by a small h and divide
# the change in f by h. The **forward difference** (f(x+h) − f(x))/h has an error
# proportional to h; the **central difference** (f(x+h) − f(x−h))/(2h) is more
# accurate, with an error proportional to h².

# %%
def f(x):
    return 3 * x**2 - 4 * x + 5


x0 = 3.0
exact = 6 * x0 - 4
for h in (1e-1, 1e-3, 1e-5):
    forward = (f(x0 + h) - f(x0)) / h
    central = (f(x0 + h) - f(x0 - h)) / (2 * h)
    print(f"h={h:7.0e}  forward {forward:.10f}  central {central:.10f}  exact {exact}")

assert abs((f(x0 + 1e-5) - f(x0 - 1e-5)) / 2e-5 - exact) < 1e-6

# %% [markdown]
# The forward error is exactly 3h here (f″ = 6, and the error is h·f″/2), while the
# central difference is exact up to rounding: its error term involves f‴, which is
# zero for a quadratic. For a general function, say tanh, it is proportional to h².
#
# Can we make h as small as we like? No: computers store numbers with about 16
# significant digits, so for a tiny h, f(x+h) − f(x) loses most of its digits to
# rounding. The right-hand plot shows, for tanh at x = 0.5, the total error against
# h: it first falls as h shrinks (the truncation error) and then rises again (the
# rounding error grows like 1/h). The best central differences in double precision
# use h ≈ 1e-6 … 1e-5; `mg.gradcheck` (lesson 2) uses ε = 1e-6.

# %%
assert abs((f(x0 + 0.1) - f(x0)) / 0.1 - exact - 3 * 0.1) < 1e-9  # forward error = 3h

hs = np.logspace(-14, -1, 14 if QUICK else 53)
t0 = 0.5
dtanh = 1 - np.tanh(t0) ** 2
err_forward = [abs((np.tanh(t0 + h) - np.tanh(t0)) / h - dtanh) for h in hs]
err_central = [abs((np.tanh(t0 + h) - np.tanh(t0 - h)) / (2 * h) - dtanh) for h in hs]
best_h = hs[int(np.argmin(err_central))]
print(f"tanh'(0.5) = {dtanh:.12f}; the central difference is best at h = {best_h:.0e} "
      f"(error {min(err_central):.1e})")
assert 1e-7 <= best_h <= 1e-4 and min(err_central) < 1e-10

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
xs = np.linspace(-1, 5, 200)
ax1.plot(xs, f(xs), label="f(x) = 3x² − 4x + 5")
ax1.plot(xs, f(x0) + exact * (xs - x0), "--", label=f"tangent at x=3, slope {exact:g}")
ax1.plot([x0], [f(x0)], "ko")
ax1.set_ylim(0, 60)
ax1.set_xlabel("x")
ax1.legend()
ax1.set_title("The derivative is the slope of the tangent")
ax2.loglog(hs, np.maximum(err_forward, 1e-17), "o-", ms=3, label="forward difference (error ∝ h)")
ax2.loglog(hs, np.maximum(err_central, 1e-17), "s-", ms=3, label="central difference (error ∝ h²)")
ax2.set_xlabel("step h")
ax2.set_ylabel("|numerical − exact|")
ax2.set_title("tanh′(0.5): rounding error (left) vs truncation error (right)")
ax2.legend()
fig.tight_layout()
save_figure(fig, "01_derivative_as_slope.png")

# %% [markdown]
# ## 1.2 The chain rule, by hand
#
# Real losses are long compositions of simple operations. Take
#
#     e = a · b,   d = e + c,   L = d · f      with a = 2, b = −3, c = 10, f = −2.
#
# The chain rule says that the derivative through a chain is the product of the
# local derivatives along it. Working **backwards** from L:
#
# * ∂L/∂L = 1
# * ∂L/∂d = f = −2 and ∂L/∂f = d = 4 (the local derivatives of a product)
# * ∂L/∂e = ∂L/∂d · ∂d/∂e = −2 · 1 = −2, and likewise ∂L/∂c = −2 (a sum passes the
#   gradient through unchanged)
# * ∂L/∂a = ∂L/∂e · ∂e/∂a = −2 · b = 6 and ∂L/∂b = −2 · a = −4.
#
# This is exactly the "delta" recursion of backpropagation (Rumelhart et al. 1986):
# each node receives dC/d(node) from the nodes that used it, multiplies by its local
# derivative and passes the product on to its parents.

# %%
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
f_ = Value(-2.0, label="f")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
L = d * f_
L.label = "L"
L.backward()

for node in (a, b, c, f_, e, d, L):
    print(f"{node.label}: data {node.data:6.1f}   dL/d{node.label} = {node.grad:5.1f}")

assert (a.grad, b.grad, c.grad, f_.grad, e.grad, d.grad) == (6.0, -4.0, -2.0, 4.0, -2.0, -2.0)

# %% [markdown]
# And the numerical slope agrees: nudge `a` by h and watch L move.

# %%
def L_of(a_val, b_val=-3.0, c_val=10.0, f_val=-2.0):
    return (a_val * b_val + c_val) * f_val


h = 1e-6
numeric = (L_of(2.0 + h) - L_of(2.0 - h)) / (2 * h)
print("numerical dL/da =", numeric, "  backward() gave", a.grad)
assert abs(numeric - a.grad) < 1e-6

# %% [markdown]
# ## 1.3 A neuron, and its computation graph
#
# A single neuron computes o = tanh(x₁w₁ + x₂w₂ + b) (the biological motivation: the
# body sums the weighted inputs, the axon passes on a squashed version). Every
# `Value` remembers its `parents` and the `op` that produced it, so the whole
# expression is a graph. `viz.draw_graph` draws it: rectangles are values (data and
# grad), ovals are operations.
#
# The local derivative of tanh is 1 − tanh², so ∂o/∂n = 1 − o².

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
bias = Value(6.8813735870195432, label="b")
x1w1 = x1 * w1
x1w1.label = "x1*w1"
x2w2 = x2 * w2
x2w2.label = "x2*w2"
s12 = x1w1 + x2w2
s12.label = "x1*w1 + x2*w2"  # every box gets a name
n = s12 + bias
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()

print(f"o = {o.data:.4f}; do/dn = {n.grad:.4f}; do/dw1 = {w1.grad:.4f}; do/dx1 = {x1.grad:.4f}")
assert abs(n.grad - (1 - o.data**2)) < 1e-12
assert abs(w1.grad - x1.data * n.grad) < 1e-12  # a product sends "the other factor" times the gradient
assert x2w2.grad == n.grad and w2.grad == 0.0  # x2 = 0, so w2 cannot change o at all


def save_graph(dot, name):
    """Write the graph's DOT source, and a PNG too when Graphviz's `dot` program is installed."""
    paths = [viz.save(dot, FIGURES / f"{name}.dot")]
    try:
        paths.append(viz.save(dot, FIGURES / f"{name}.png"))
    except RuntimeError as err:  # no Graphviz binary: the .dot file still opens in any Graphviz viewer
        print("PNG skipped:", str(err).splitlines()[0])
    return paths


dot = viz.draw_graph(o)
print("graph written to", *save_graph(dot, "01_neuron_graph"))
show(dot)  # in a notebook: the graph under this cell

# %% [markdown]
# ## 1.4 Why topological order matters
#
# Two things can go wrong in a hand-written backward pass, and both appear as soon
# as a value is **used more than once**.
#
# **Gradients must accumulate.** In b = a + a, the value `a` feeds the sum twice, so
# it receives two contributions of 1: ∂b/∂a = 2. Chaining once more, c = b + b gives
# ∂c/∂a = 2 · 2 = 4. A backward pass that *assigns* (`grad = ...`) instead of
# *adding* (`grad += ...`) would lose one of the contributions.

# %%
a = Value(3.0, label="a")
b = a + a
b.label = "b"
c = b + b
c.label = "c"
c.backward()
print("a.grad =", a.grad, "  b.grad =", b.grad)
assert a.grad == 4.0 and b.grad == 2.0

# %% [markdown]
# **A node must wait for all its consumers.** A node may pass its gradient on only
# once it has received the contributions of *every* node that used it. Consider
#
#     u = 3x,   v = 2u,   y = u + v        so  y = 9x  and  dy/dx = 9.
#
# `u` is used twice, by `v` and by `y`, at different distances from the output. Let
# us write our own backward pass from the local derivatives every `Value` stores
# (`node.parents`, `node.local_grads`) and run it in two orders: breadth-first from
# the output (the "obvious" order) and reverse topological order (what
# `backward()` uses, from `mg.autograd.topological_order`).

# %%
def backward_in_order(root, order):
    """Apply the chain rule visiting nodes in `order`; returns {node: dL/dnode}."""
    grads = {id(root): 1.0}
    for node in order:
        g = grads.get(id(node), 0.0)
        for parent, local in zip(node.parents, node.local_grads):
            grads[id(parent)] = grads.get(id(parent), 0.0) + local * g
    return grads


def breadth_first(root):
    """Each node once, in the order a queue reaches it from the output (a tempting mistake)."""
    order, queue, seen = [], [root], {id(root)}
    while queue:
        node = queue.pop(0)
        order.append(node)
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)
    return order


x = Value(1.0, label="x")
u = 3 * x
u.label = "u"
v = 2 * u
v.label = "v"
y = u + v
y.label = "y"

wrong = backward_in_order(y, breadth_first(y))[id(x)]
right = backward_in_order(y, list(reversed(mg.autograd.topological_order(y))))[id(x)]


def name(node):
    return node.label or f"{node.data:g}"  # the unlabelled leaves are the constants 3 and 2


print("breadth-first order:       ", [name(nd) for nd in breadth_first(y)], "-> dy/dx =", wrong)
print("reverse topological order: ",
      [name(nd) for nd in reversed(mg.autograd.topological_order(y))], "-> dy/dx =", right)
y.backward()
assert wrong == 3.0  # u passed on its gradient before v's share had arrived
assert right == 9.0 == x.grad

# %% [markdown]
# Breadth-first visited `u` right after `y`, when `u` had received only y's share
# (1), and forwarded 3 · 1 = 3 to `x`; v's share of 2 arrived too late. A
# **topological order** lists every node after all the nodes it depends on;
# walking it backwards guarantees that each node is complete before it is used.
# minigrad builds that order with an iterative depth-first search (no recursion, so
# a chain of 100,000 operations is fine).
#
# ## 1.5 Backpropagation, step by step
#
# `viz.backprop_frames` replays `backward()` one node at a time: frame 1 is the
# forward graph with every gradient unknown, and each later frame highlights the
# node being processed and labels its edges with local derivative × gradient.
# `viz.step_through(o)` shows the same steps inline in Jupyter, or `.save()`s them as
# one self-contained HTML page (Prev/Next, the arrow keys, a slider; the layout is
# computed once, so no box moves between steps). Here are the captions for our neuron:

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
bias = Value(6.8813735870195432, label="b")
x1w1, x2w2 = x1 * w1, x2 * w2
x1w1.label, x2w2.label = "x1*w1", "x2*w2"
s12 = x1w1 + x2w2
s12.label = "s"  # s = x1·w1 + x2·w2
n = s12 + bias
n.label = "n"
o = n.tanh()
o.label = "o"

frames = viz.backprop_frames(o)
for frame in frames:
    print(frame.caption)
assert len(frames) == 1 + 5  # the forward frame + one per operation node (2 products, 2 sums, tanh)
try:
    steps = viz.step_through(o)
    print("step-through page:", steps.save(FIGURES / "01_backprop_steps.html"))
    show(steps)  # in a notebook: the slider under this cell
except RuntimeError as err:
    print("HTML skipped:", str(err).splitlines()[0])

# %% [markdown]
# ## 1.6 The perceptron
#
# Rosenblatt's perceptron (1957; Rosenblatt 1958) is a single unit that outputs
# sign(⟨w, x⟩) ∈ {−1, +1}. The course gives its learning rule as *Algorithm 1*:
# start from w₀ = 0 and, for each example, **if the prediction is wrong, add y·x to
# the weights**; otherwise leave them alone.
#
#     1: w₀ ← 0
#     2: for t = 0 … N − 1 do
#     3:   select (xₜ, yₜ) ∈ D
#     4:   if sign(⟨wₜ, xₜ⟩) ≠ yₜ then wₜ₊₁ ← wₜ + yₜxₜ
#     7:   else wₜ₊₁ ← wₜ
#
# A bias is handled by a constant input: x = (1, x₁, x₂). Let us learn the logical
# AND, with labels −1 (false) and +1 (true), and check the first steps by hand:
#
# * t = 0: x = (1, 0, 0), y = −1; ⟨w, x⟩ = 0 and sign(0) = 0 ≠ −1: a mistake, so
#   w = 0 + (−1)(1, 0, 0) = (−1, 0, 0).
# * t = 1, 2: ⟨w, x⟩ = −1 for (1, 0, 1) and (1, 1, 0): both right, no change.
# * t = 3: x = (1, 1, 1), y = +1; ⟨w, x⟩ = −1: a mistake, w = (−1, 0, 0) + (1, 1, 1)
#   = (0, 1, 1).
#
# Carry on by hand if you like: after nine passes over the data (the last one
# without a mistake) the weights settle at w = (−4, 3, 2), i.e. the line
# 3x₁ + 2x₂ = 4, which only (1, 1) crosses.

# %%
def perceptron(X, y, epochs=100):
    """The perceptron rule (Algorithm 1): cycle through the data, add y·x after every mistake.

    Returns the final weights, the weights after every step and the number of
    mistakes per epoch (training stops after an epoch without mistakes).
    """
    w = np.zeros(X.shape[1])
    history, mistakes = [w.copy()], []
    for _ in range(epochs):
        wrong = 0
        for xt, yt in zip(X, y):
            if np.sign(w @ xt) != yt:
                w = w + yt * xt
                wrong += 1
            history.append(w.copy())
        mistakes.append(wrong)
        if wrong == 0:
            break
    return w, history, mistakes


X_and = np.array([[1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]], dtype=float)  # (bias, x1, x2)
y_and = np.array([-1, -1, -1, 1])
w_and, steps, mistakes = perceptron(X_and, y_and)
print("weights after steps 1..4:", [s.tolist() for s in steps[1:5]])
print("mistakes per epoch:", mistakes, "  final w =", w_and)

assert steps[1].tolist() == [-1, 0, 0]  # the first mistake, worked out above
assert steps[4].tolist() == [0, 1, 1]  # the second one
assert mistakes[-1] == 0 and np.all(np.sign(X_and @ w_and) == y_and)  # AND is learned
assert w_and.tolist() == [-4, 3, 2]  # after 9 epochs: -4 + 3·x1 + 2·x2 > 0 only when x1 = x2 = 1

# %% [markdown]
# **The perceptron is gradient descent.** Define the *perceptron loss* of one
# example, ℓ(w) = max(0, −y⟨w, x⟩) = ReLU(−y⟨w, x⟩): zero when the example is on the
# right side, and growing with how far it is on the wrong side. Its gradient is
# −y·x for a misclassified example and 0 otherwise, so a gradient step with
# learning rate 1, w ← w − ∇ℓ, is *exactly* Algorithm 1's w ← w + y·x. Let `Value`
# confirm it on a misclassified example:

# %%
w_vals = [Value(wi, label=f"w{i}") for i, wi in enumerate([-1.0, 2.0, 1.0])]
x_ex, y_ex = [1.0, 1.0, 0.0], -1.0  # the example (x1, x2) = (1, 0) of AND, label -1
score = sum((wi * xi for wi, xi in zip(w_vals, x_ex)), Value(0.0))
loss = (-y_ex * score).relu()
loss.backward()
gradient = np.array([wi.grad for wi in w_vals])
print(f"score = {score.data}, loss = {loss.data}, gradient = {gradient}")
assert score.data > 0 > y_ex  # a mistake: predicted +1, the label is -1
assert np.array_equal(-gradient, y_ex * np.array(x_ex))  # -∇ℓ = y·x: the perceptron update

# %% [markdown]
# One subtlety: when ⟨w, x⟩ = 0 exactly (as at w₀ = 0), Algorithm 1 counts a
# mistake, but ReLU's derivative at 0 is taken as 0 (the derivative from the left),
# so the gradient would not move. Only the boundary case differs.
#
# **Convergence.** If the data can be separated by a line with margin γ (every
# point at distance ≥ γ from it) and lie within radius R, Novikoff's theorem says
# the perceptron makes at most (R/γ)² mistakes, whatever the order. Let us check it
# on random separable data, and draw the line it finds.

# %%
n_points = 40 if QUICK else 200
true_w = np.array([0.5, 2.0, -1.0])  # bias, w1, w2
pts = rng.uniform(-1, 1, size=(4 * n_points, 2))
X_sep = np.column_stack([np.ones(len(pts)), pts])
margin_all = X_sep @ true_w / np.linalg.norm(true_w[1:])
keep = np.abs(margin_all) > 0.1  # leave a gap around the line: margin ≥ 0.1
X_sep, y_sep = X_sep[keep][:n_points], np.sign(X_sep[keep] @ true_w)[:n_points]

w_sep, _, mistakes_sep = perceptron(X_sep, y_sep, epochs=1000)
R = np.linalg.norm(X_sep, axis=1).max()
unit = true_w / np.linalg.norm(true_w)  # any separating unit vector gives a valid bound
gamma = (y_sep * (X_sep @ unit)).min()
print(f"{n_points} points: {sum(mistakes_sep)} mistakes in {len(mistakes_sep)} epochs; "
      f"Novikoff bound (R/γ)² = {(R / gamma) ** 2:.0f}")
assert np.all(np.sign(X_sep @ w_sep) == y_sep)
assert sum(mistakes_sep) <= (R / gamma) ** 2

# %% [markdown]
# **Its limit.** A single perceptron draws one line. XOR (true when exactly one input
# is true) cannot be split by any line, so the rule never stops making mistakes. This
# was the point of Minsky and Papert's 1969 book "Perceptrons" (the limitations of
# linear models) and the reason we stack layers: a multi-layer network solves
# non-linearly separable problems (Rumelhart, Hinton & Williams 1986).

# %%
X_xor = X_and.copy()
y_xor = np.array([-1, 1, 1, -1])
w_xor, _, mistakes_xor = perceptron(X_xor, y_xor, epochs=50)
print("XOR mistakes per epoch (first 10):", mistakes_xor[:10], "...")
assert len(mistakes_xor) == 50 and min(mistakes_xor) > 0  # never an epoch without a mistake

fig, axes = plt.subplots(1, 3, figsize=(13, 4))
grid = np.linspace(-1.3, 1.3, 2)
for ax, (X_, y_, w_, title) in zip(axes, [
    (X_and, y_and, w_and, "AND: learned"),
    (X_sep, y_sep, w_sep, f"{n_points} separable points: learned"),
    (X_xor, y_xor, w_xor, "XOR: no line works"),
]):
    ax.scatter(X_[y_ > 0, 1], X_[y_ > 0, 2], marker="o", c="tab:blue", label="y = +1")
    ax.scatter(X_[y_ < 0, 1], X_[y_ < 0, 2], marker="x", c="tab:red", label="y = −1")
    if abs(w_[2]) > 1e-12:  # the boundary w0 + w1 x1 + w2 x2 = 0
        ax.plot(grid, -(w_[0] + w_[1] * grid) / w_[2], "k--", label="perceptron boundary")
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title)
axes[0].legend(loc="lower left", fontsize=8)
fig.tight_layout()
save_figure(fig, "01_perceptron.png")

# %% [markdown]
# **The rule in motion.** `viz.animate_perceptron` replays Algorithm 1 on two
# separable clouds, one frame per mistake: watch the ringed point that was
# misclassified pull the line towards it (w ← w + y·x), until a whole pass goes by
# without a mistake, as Novikoff's theorem promises (Rosenblatt 1958; Novikoff 1962).

# %%
X_blob, y_blob = viz.animation.two_blobs(12 if QUICK else 40)      # labels 0/1, a line separates them
anim = viz.animate_perceptron(X_blob, y_blob)
show_file(viz.save_animation(anim, figure_path("01_perceptron.gif"), dpi=40 if quick() else 100))
# The same run as our `perceptron`, with the bias as the constant input x₀ = 1 and labels ±1:
w_blob, _, mistakes_blob = perceptron(np.column_stack([np.ones(len(X_blob)), X_blob]), 2.0 * y_blob - 1)
last = anim.history[-1]
print(f"{anim.n_frames} frames: the start and {sum(mistakes_blob)} mistakes; final w = {last['w']}, b = {last['b']}")
assert anim.converged and anim.n_frames == sum(mistakes_blob) + 1
assert np.allclose([last["b"], *last["w"]], w_blob)
assert np.all((X_blob @ last["w"] + last["b"] > 0) == (y_blob == 1))  # the final line separates the data

# %% [markdown]
# ## What we learned
#
# * A derivative is a slope; central differences measure it, with an accuracy
#   limited by rounding for a too-small step.
# * Backpropagation is the chain rule applied from the output back: each node
#   multiplies the gradient it received by its local derivative and passes it on.
# * Gradients **accumulate** over every use of a node, and nodes are visited in
#   **reverse topological order** so that each one is complete before it is used.
# * The perceptron rule w ← w + y·x is gradient descent on max(0, −y⟨w, x⟩); it
#   converges on separable data and fails on XOR.
#
# ## Exercises
#
# 1. **Division and powers.** Build L = (a / b) ** 2 with `Value`s for a = 3,
#    b = −2, work out ∂L/∂a and ∂L/∂b by hand, and compare with `backward()`.
#    *Hint:* ∂(a/b)/∂b = −a/b²; then use the power rule.
# 2. **Reuse everywhere.** Compute ∂L/∂x for L = x·x·x at x = 2 in two ways:
#    as `x * x * x` and as `x ** 3`. Draw both graphs with `viz.draw_graph`.
#    *Hint:* in the first graph `x` has two consumers; its gradient is the sum of
#    both contributions (12 in total).
# 3. **Break the order on purpose.** Call `backward_in_order(o, ...)` on the neuron of
#    §1.3 with the breadth-first order. Does it give the right ∂o/∂w1? Why?
#    *Hint:* check whether any node of that graph has two consumers.
# 4. **Perceptron order.** Run `perceptron` on the AND data with the rows in reverse
#    order. Is the final w the same? Does the number of mistakes stay under
#    Novikoff's bound? *Hint:* the bound holds for every order; the solution does
#    not have to be unique.
# 5. **A smooth perceptron.** Replace the perceptron loss by the logistic loss
#    log(1 + e^(−y⟨w,x⟩)) built with `Value` (`exp`, `log`), and do gradient descent
#    on the AND data with learning rate 0.5. *Hint:* now every example pushes a
#    little, even the correctly classified ones.

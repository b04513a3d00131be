# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 2. From scalars to tensors: backprop in matrix notation
#
# In lesson 1 every number was its own `Value` node. That is perfect for following
# the chain rule by hand, and hopeless for a real network with thousands of weights.
# Backpropagation in compact notation (Rumelhart, Hinton & Williams 1986; Bishop
# 2006, §5.3) rewrites the same algorithm with vectors and matrices:
#
#     forward:   z⁽ᵏ⁾ = W⁽ᵏ⁾ a⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾,    a⁽ᵏ⁾ = f(z⁽ᵏ⁾)
#     backward:  δ⁽ᴷ⁾ = ∇_a C ⊙ f′(z⁽ᴷ⁾),     δ⁽ᵏ⁾ = (W⁽ᵏ⁺¹⁾ᵀ δ⁽ᵏ⁺¹⁾) ⊙ f′(z⁽ᵏ⁾)
#     gradients: ∂C/∂b⁽ᵏ⁾ = δ⁽ᵏ⁾,               ∂C/∂W⁽ᵏ⁾ = δ⁽ᵏ⁾ (a⁽ᵏ⁻¹⁾)ᵀ
#
# In this lesson we
#
# 1. work through the course's own 2-3-2 network with NumPy, delta by delta;
# 2. let minigrad's `Tensor` engine compute the same gradients and check they agree
#    (and agree with the scalar engine of lesson 1);
# 3. take one gradient-descent step, by hand and with `optim.SGD`;
# 4. move to mini-batches, where broadcasting the bias forward means **summing its
#    gradient** backward (`unbroadcast`);
# 5. check gradients numerically with `mg.gradcheck`, and watch it catch a bug;
# 6. write an op of our own and let `mg.gradcheck` vouch for its backward pass;
# 7. see why the hidden layer needs its nonlinearity: linear layers collapse into one
#    matrix, and an MLP with tanh units solves XOR.

# %%
import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
import viz
from minigrad import Value, optim
from minigrad.course.lessons import figure_path, quick, save_figure, show, show_file

QUICK = quick()
FIGURES = Path(os.environ.get("MINIGRAD_FIGURES", "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)
np.set_printoptions(precision=5, suppress=True)
print("quick mode" if QUICK else "full mode", "- figures go to", FIGURES)

# %% [markdown]
# ## 2.1 The course's network, forward
#
# The course's example network has 2 inputs, 3 sigmoid hidden units and 2 linear
# outputs, with
#
#     W⁽¹⁾ = [[1, −2], [0, 1], [3, 4]]        (3 × 2: row i holds the weights *into* unit i)
#     W⁽²⁾ = [[6, −2, 1], [5, −3, 2]]         (2 × 3)
#
# The lesson spells out the first layer unit by unit, e.g.
# a₁⁽¹⁾ = f(1·a₁⁽⁰⁾ − 2·a₂⁽⁰⁾ + b₁⁽¹⁾), and then notes that the three lines are the
# single matrix product a⁽¹⁾ = f(W⁽¹⁾a⁽⁰⁾ + b⁽¹⁾). The lesson leaves the input, the
# biases and the target open; we take x = a⁽⁰⁾ = (1, 2)ᵀ, zero biases and t = (1, 0)ᵀ.
# Following the lesson's example code, vectors are **columns**.

# %%
W1 = np.array([[1.0, -2.0], [0.0, 1.0], [3.0, 4.0]])
W2 = np.array([[6.0, -2.0, 1.0], [5.0, -3.0, 2.0]])
b1 = np.zeros((3, 1))
b2 = np.zeros((2, 1))
x = np.array([[1.0], [2.0]])
t = np.array([[1.0], [0.0]])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def dsigmoid(z):
    s = sigmoid(z)
    return s * (1.0 - s)


# the lesson's forward(): z1 = W1 x + b1, a1 = sigmoid(z1), z2 = W2 a1 + b2, y = z2
z1 = W1 @ x + b1
a1 = sigmoid(z1)
z2 = W2 @ a1 + b2
y = z2
C = 0.5 * float(np.sum((y - t) ** 2))  # squared error (Bishop 2006, §5.2)
print("z1 =", z1.ravel(), " a1 =", a1.ravel())
print("y  =", y.ravel(), " C =", round(C, 5))

# the unit-by-unit lines of the lesson are the rows of the matrix product
assert z1[0, 0] == 1 * x[0, 0] - 2 * x[1, 0] + b1[0, 0]
assert z1[1, 0] == 0 * x[0, 0] + 1 * x[1, 0] + b1[1, 0]
assert z1[2, 0] == 3 * x[0, 0] + 4 * x[1, 0] + b1[2, 0]
assert z2[0, 0] == 6 * a1[0, 0] - 2 * a1[1, 0] + 1 * a1[2, 0] + b2[0, 0]

# %% [markdown]
# ## 2.2 The deltas, by hand
#
# The lesson's `backward()` (its example code, computing the gradients) goes from
# the output back:
#
# * The output is linear (f′ = 1) and C = ½‖y − t‖² has ∇_y C = y − t, so
#   **δ⁽²⁾ = a⁽²⁾ − t**.
# * The hidden layer receives the output deltas through the *transposed* weights and
#   multiplies by the local slope of the sigmoid:
#   **δ⁽¹⁾ = (W⁽²⁾ᵀ δ⁽²⁾) ⊙ σ′(z⁽¹⁾)**, where σ′(z) = σ(z)(1 − σ(z)).
# * The gradients are outer products: **∂C/∂W⁽ᵏ⁾ = δ⁽ᵏ⁾ (a⁽ᵏ⁻¹⁾)ᵀ**, and
#   ∂C/∂b⁽ᵏ⁾ = δ⁽ᵏ⁾.
# * One more step gives the gradient with respect to the input,
#   δ⁽⁰⁾ = W⁽¹⁾ᵀ δ⁽¹⁾ (the lesson's last formula; the input has no activation).
#
# Each line is the chain rule of lesson 1, done for a whole layer at once: entry
# (i, j) of δ aᵀ is δᵢ aⱼ, "the gradient arriving at unit i times the input that
# weight j multiplied".

# %%
delta2 = y - t  # da2 = a2 - t;  dz2 = da2 (linear output)
dW2 = delta2 @ a1.T
db2 = delta2
delta1 = (W2.T @ delta2) * dsigmoid(z1)  # dz1 = dsigmoid(z1) * (W2.T @ dz2)
dW1 = delta1 @ x.T
db1 = delta1
delta0 = W1.T @ delta1

print("delta2 =", delta2.ravel())
print("delta1 =", delta1.ravel())
print("dC/dW2 =\n", dW2)
print("dC/dW1 =\n", dW1)

# %% [markdown]
# Look at δ⁽¹⁾: the third hidden unit has z₃⁽¹⁾ = 3 + 8 = 11, far out on the flat
# part of the sigmoid, where σ′(11) ≈ 1.7·10⁻⁵. Its delta, and with it its whole row
# of ∂C/∂W⁽¹⁾, is tiny: a **saturated** unit barely learns (the sigmoid's derivative
# saturates; Glorot & Bengio 2010). Lesson 3 is about exactly this.
#
# ## 2.3 The same gradients from the engine
#
# Now the same network on `Tensor`s. We ask for float64 (the default is float32)
# so that we can compare with NumPy digit for digit, and mark the parameters with
# `requires_grad=True`. `z1.retain_grad()` asks the engine to keep the gradient of
# an intermediate tensor too: that gradient ∂C/∂z⁽¹⁾ is, by definition, δ⁽¹⁾.

# %%
def param(array):
    return mg.tensor(array, dtype="float64", requires_grad=True)


W1_t, b1_t, W2_t, b2_t = param(W1), param(b1), param(W2), param(b2)
x_t = mg.tensor(x, dtype="float64", requires_grad=True)  # to read delta0 = dC/dx as well
t_t = mg.tensor(t, dtype="float64")

z1_t = W1_t @ x_t + b1_t
z1_t.retain_grad()
a1_t = z1_t.sigmoid()
y_t = W2_t @ a1_t + b2_t
y_t.retain_grad()
C_t = 0.5 * ((y_t - t_t) ** 2).sum()
for tensor_, label in [(W1_t, "W1"), (b1_t, "b1"), (W2_t, "W2"), (b2_t, "b2"), (x_t, "x"), (t_t, "t"),
                       (z1_t, "z1"), (a1_t, "a1"), (y_t, "y"), (C_t, "C")]:
    tensor_.label = label  # names for the graph drawing below
C_t.backward()

print("C =", C_t.item())
print("engine dC/dW1 =\n", W1_t.grad.numpy())
checks = {
    "delta2 = dC/dy": (y_t.grad, delta2),
    "delta1 = dC/dz1": (z1_t.grad, delta1),
    "delta0 = dC/dx": (x_t.grad, delta0),
    "dC/dW2": (W2_t.grad, dW2),
    "dC/db2": (b2_t.grad, db2),
    "dC/dW1": (W1_t.grad, dW1),
    "dC/db1": (b1_t.grad, db1),
}
for name, (engine, by_hand) in checks.items():
    same = np.allclose(engine.numpy(), by_hand, rtol=1e-12, atol=1e-15)
    print(f"{name:<16} engine == by hand: {same}")
    assert same, name
assert abs(C_t.item() - C) < 1e-12

# %% [markdown]
# The computation graph of the tensor version is small: each node is now a whole
# matrix (the drawing shows shapes and summary statistics instead of numbers).

# %%
dot = viz.draw_graph(C_t)
viz.save(dot, FIGURES / "02_course_network.dot")
try:
    viz.save(dot, FIGURES / "02_course_network.png")
except RuntimeError as err:  # no Graphviz `dot` program: the .dot file is still there
    print("PNG skipped:", str(err).splitlines()[0])
show(dot)  # in a notebook: the graph under this cell

# %% [markdown]
# ### Scalars agree too
#
# Nothing about tensors is new mathematics. Building the very same network from
# lesson 1's `Value` scalars (17 of them for the parameters alone) gives the same
# gradients, number by number.

# %%
W1_v = [[Value(w) for w in row] for row in W1]
W2_v = [[Value(w) for w in row] for row in W2]
x_v = [1.0, 2.0]
a1_v = [sum((W1_v[i][j] * x_v[j] for j in range(2)), Value(0.0)).sigmoid() for i in range(3)]
y_v = [sum((W2_v[i][j] * a1_v[j] for j in range(3)), Value(0.0)) for i in range(2)]
C_v = 0.5 * ((y_v[0] - 1.0) ** 2 + (y_v[1] - 0.0) ** 2)
C_v.backward()
dW1_v = np.array([[w.grad for w in row] for row in W1_v])
assert np.allclose(dW1_v, dW1, rtol=1e-12, atol=1e-15)
assert np.allclose([[w.grad for w in row] for row in W2_v], dW2, rtol=1e-12)
print("scalar engine dC/dW1 =\n", dW1_v)

# %% [markdown]
# The difference is speed. A layer with n inputs and n outputs has n² weights: as
# `Value`s that is n² Python objects per forward pass, while a `Tensor` hands the
# whole matrix product to NumPy (and BLAS).

# %%
n = 16 if QUICK else 48
rng = np.random.default_rng(0)
W_np, x_np = rng.normal(size=(n, n)) / np.sqrt(n), rng.normal(size=n)

start = time.perf_counter()
W_vals = [[Value(w) for w in row] for row in W_np]
out = sum((sum((W_vals[i][j] * x_np[j] for j in range(n)), Value(0.0)).tanh() for i in range(n)), Value(0.0))
out.backward()
t_value = time.perf_counter() - start

start = time.perf_counter()
W_ten = mg.tensor(W_np, dtype="float64", requires_grad=True)
out_t = (W_ten @ mg.tensor(x_np, dtype="float64")).tanh().sum()
out_t.backward()
t_tensor = time.perf_counter() - start

print(f"{n}x{n} layer: Value {t_value * 1e3:.1f} ms, Tensor {t_tensor * 1e3:.2f} ms")
assert np.allclose([[w.grad for w in row] for row in W_vals], W_ten.grad.numpy(), rtol=1e-10)

# %% [markdown]
# ## 2.4 One gradient-descent step
#
# The lesson's `gradient_step` subtracts η times each gradient. We do it by hand and
# with `optim.SGD`, and check that both land on the same weights and that the cost
# went down.

# %%
eta = 0.1
W1_new, b1_new = W1 - eta * dW1, b1 - eta * db1
W2_new, b2_new = W2 - eta * dW2, b2 - eta * db2

opt = optim.SGD([W1_t, b1_t, W2_t, b2_t], lr=eta)
opt.step()
for engine, by_hand in [(W1_t, W1_new), (b1_t, b1_new), (W2_t, W2_new), (b2_t, b2_new)]:
    assert np.allclose(engine.numpy(), by_hand, rtol=1e-12)


def cost(W1_, b1_, W2_, b2_):
    y_ = W2_ @ sigmoid(W1_ @ x + b1_) + b2_
    return 0.5 * float(np.sum((y_ - t) ** 2))


C_after = cost(W1_new, b1_new, W2_new, b2_new)
print(f"cost before {C:.5f}, after one step {C_after:.5f}")
assert C_after < C

# %% [markdown]
# ## 2.5 Mini-batches and broadcasting
#
# In practice we process m examples at once (mini-batch stochastic gradient descent;
# Goodfellow et al. 2016, "Deep Learning", §8.1.3). Stacking the examples as the
# **rows** of a matrix X (m × 2) — the convention of minigrad's `nn.Linear`, as in
# PyTorch and Keras — the layer becomes
#
#     Z⁽¹⁾ = X W⁽¹⁾ᵀ + b⁽¹⁾        (m × 3)
#
# The bias b⁽¹⁾ has shape (3,) but is added to every one of the m rows: NumPy
# **broadcasts** it. Backwards, each row's copy of the bias sends its own delta, and
# they all land on the one bias vector — so the gradient is the **sum of the deltas
# over the batch**. With the cost averaged over the batch, that is exactly the
# course's update
#
#     b⁽ᵏ⁾ ← b⁽ᵏ⁾ − (η/m) Σₓ δₓ⁽ᵏ⁾,        W⁽ᵏ⁾ ← W⁽ᵏ⁾ − (η/m) Σₓ δₓ⁽ᵏ⁾ (aₓ⁽ᵏ⁻¹⁾)ᵀ
#
# In matrix form, Σₓ δₓ aₓᵀ is simply Δᵀ A (deltas as rows).

# %%
m = 8 if QUICK else 64
X = rng.normal(size=(m, 2))
T = rng.normal(size=(m, 2))

W1_t, b1_t, W2_t, b2_t = param(W1), param(b1.ravel()), param(W2), param(b2.ravel())
Z1 = X @ W1_t.T + b1_t  # (m, 3) + (3,): the bias is broadcast over the rows
A1 = Z1.sigmoid()
Y = A1 @ W2_t.T + b2_t
C_batch = (0.5 * ((Y - T) ** 2).sum(axis=1)).mean()  # average over the batch of C(x)
C_batch.backward()

# by hand, all m examples at once: one delta per row
Z1_np = X @ W1.T
A1_np = sigmoid(Z1_np)
D2 = (A1_np @ W2.T - T) / m  # the 1/m of the batch average
D1 = (D2 @ W2) * dsigmoid(Z1_np)
assert np.allclose(b2_t.grad.numpy(), D2.sum(axis=0), rtol=1e-12)
assert np.allclose(b1_t.grad.numpy(), D1.sum(axis=0), rtol=1e-12)
assert np.allclose(W1_t.grad.numpy(), D1.T @ X, rtol=1e-12)
assert np.allclose(W2_t.grad.numpy(), D2.T @ A1_np, rtol=1e-12)
print("dC/db1 =", b1_t.grad.numpy(), "= sum of the", m, "rows of delta1:", D1.sum(axis=0))

# %% [markdown]
# Inside the engine this summing is done by one small helper, `mg.unbroadcast(grad,
# shape)`: it sums a gradient over the axes that broadcasting created (leading axes)
# or stretched (axes of size 1), so that every input receives a gradient of its own
# shape. Every op that broadcasts (`+ - * /`, `maximum`, `where`, …) calls it in its
# backward pass.

# %%
g = mg.tensor(D1, dtype="float64")
print("unbroadcast to (3,):  ", mg.unbroadcast(g, (3,)).numpy())
print("unbroadcast to (1, 3):", mg.unbroadcast(g, (1, 3)).numpy())
print("unbroadcast to (m, 1):", mg.unbroadcast(g, (m, 1)).numpy().ravel()[:4], "...")
assert np.allclose(mg.unbroadcast(g, (3,)).numpy(), D1.sum(axis=0))
assert mg.unbroadcast(g, (1, 3)).shape == (1, 3)
assert np.allclose(mg.unbroadcast(g, (m, 1)).numpy(), D1.sum(axis=1, keepdims=True))

# %% [markdown]
# A picture of the same fact: the per-example deltas of the hidden layer (one row
# per example) and the bias gradient, their column sums.

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5), gridspec_kw={"width_ratios": [3, 1]})
shown = D1[:16]
im = ax1.imshow(shown.T, aspect="auto", cmap="coolwarm", vmin=-abs(shown).max(), vmax=abs(shown).max())
ax1.set_xlabel("example in the batch")
ax1.set_ylabel("hidden unit")
ax1.set_yticks(range(3))
ax1.set_title(f"δ⁽¹⁾ per example (first {len(shown)} of {m})")
fig.colorbar(im, ax=ax1)
ax2.barh(range(3), b1_t.grad.numpy(), color="tab:purple")
ax2.set_yticks(range(3))
ax2.invert_yaxis()
ax2.set_title("∂C/∂b⁽¹⁾ = Σ rows")
fig.tight_layout()
save_figure(fig, "02_bias_gradient_is_a_sum.png")

# %% [markdown]
# ## 2.6 Gradient checking
#
# How do we know an op's backward pass is right? Compare it with the slope we can
# *measure* (lesson 1): perturb each input element by ±ε and take the central
# difference. `mg.gradcheck(fn, *inputs)` does this for every element of every
# input with `requires_grad=True`, in float64, and returns True — or raises
# `mg.GradcheckError` with a table of the elements that disagree. (When `fn` returns
# a non-scalar, it is checked through a fixed random projection.)

# %%
def network_cost(W1_, b1_, W2_, b2_):
    a1_ = (mg.tensor(X) @ W1_.T + b1_).sigmoid()
    y_ = a1_ @ W2_.T + b2_
    return (0.5 * ((y_ - mg.tensor(T)) ** 2).sum(axis=1)).mean()


assert mg.gradcheck(network_cost, W1_t, b1_t, W2_t, b2_t)
print("the whole network passes gradcheck")

# %% [markdown]
# Now a bug on purpose. Every tensor op in minigrad is a small `Function` with a
# `forward` on NumPy arrays and a `backward` written with Tensor ops. Here is a
# sigmoid whose backward "forgets" the factor (1 − σ) — an easy slip when you
# remember "the derivative of the sigmoid is σ·something".

# %%
class BuggySigmoid(mg.autograd.Function):
    name = "buggy_sigmoid"
    saves_output = True  # backward needs y = sigmoid(x)

    def forward(self, a):
        return 1.0 / (1.0 + np.exp(-a))

    def backward(self, g):
        y = self.output()
        return (g * y,)  # WRONG: should be g * y * (1 - y)


class FixedSigmoid(BuggySigmoid):
    name = "fixed_sigmoid"

    def backward(self, g):
        y = self.output()
        return (g * y * (1.0 - y),)


mg.manual_seed(0)
z = mg.randn(2, 3, dtype="float64", requires_grad=True)
assert mg.gradcheck(lambda u: FixedSigmoid.apply(u), z)
try:
    mg.gradcheck(lambda u: BuggySigmoid.apply(u), z)
    raise AssertionError("gradcheck should have caught the bug")
except mg.GradcheckError as err:
    report = str(err)
print(report)
assert "differ" in report

# %% [markdown]
# Read the table: for every element the analytic (backward) and numeric (central
# difference) values differ by far more than the tolerances allow. A correct op
# agrees to about 1e-9 in float64.
#
# Why float64? The central difference divides a difference of nearly equal numbers
# by 2ε. In float32 (about 7 significant digits) the rounding error, ~1e-7/ε, swamps
# the signal, as the left part of lesson 1's error plot showed. That is why
# `gradcheck` promotes its inputs to float64.

# %% [markdown]
# ## 2.7 Write your own op
#
# Every op in minigrad is a subclass of `mg.autograd.Function` with two halves:
#
# * `forward(self, *arrays)` computes the result from plain NumPy arrays;
# * `backward(self, g)` receives g = ∂C/∂(output) as a Tensor and returns one
#   gradient per input, ∂C/∂(input) = g · (local derivative), written with Tensor ops.
#
# `MyOp.apply(tensor)` runs `forward` and links the result into the graph, so
# `backward()` will find it. Let us write **softsign**, s(x) = x / (1 + |x|), a
# gentler cousin of tanh. Its derivative is s′(x) = 1 / (1 + |x|)². The backward
# pass needs the input x, which every Function keeps in `self.inputs`.

# %%
class Softsign(mg.autograd.Function):
    """softsign(x) = x / (1 + |x|), with derivative 1 / (1 + |x|)²."""

    name = "softsign"

    def forward(self, a):
        return a / (1.0 + np.abs(a))

    def backward(self, g):
        x = self.inputs[0]  # the input Tensor
        return (g / (1.0 + x.abs()) ** 2,)


mg.manual_seed(1)
u = mg.randn(3, 4, dtype="float64", requires_grad=True)
assert np.allclose(Softsign.apply(u).numpy(), mg.nn.functional.softsign(u).numpy())
assert mg.gradcheck(lambda t: Softsign.apply(t), u)
print("Softsign passes gradcheck")

# %% [markdown]
# Forgetting the square is exactly the kind of slip `gradcheck` exists for. The
# error it raises carries the mismatches in `.rows` as (input, index, analytic,
# numeric, error): here every analytic value is 1 + |x| times the numeric one --
# the missing factor, element by element.

# %%
class SloppySoftsign(Softsign):
    name = "sloppy_softsign"

    def backward(self, g):
        x = self.inputs[0]
        return (g / (1.0 + x.abs()),)  # WRONG: the square is missing


try:
    mg.gradcheck(lambda t: SloppySoftsign.apply(t), u)
    raise AssertionError("gradcheck should have caught the missing square")
except mg.GradcheckError as err:
    caught = err
assert caught.rows
for _, index, analytic, numeric, _ in caught.rows:
    assert np.isclose(analytic / numeric, 1.0 + abs(u.numpy()[index]))

# %% [markdown]
# Two more things `Softsign` gets for free because its backward is made of Tensor
# ops on the input Tensor:
#
# * it can be differentiated again, and `mg.gradgradcheck` checks those second
#   derivatives (had `backward` used a NumPy copy of x saved in `forward`, the
#   gradient would be a constant to the engine and the second derivatives wrong);
# * the check scales: checking element by element costs two forward passes per
#   element, while `fast_mode=True` compares one random directional derivative per
#   input -- a handful of forward passes even for a model with 10⁵ weights.

# %%
assert mg.gradgradcheck(lambda t: Softsign.apply(t), u)
assert mg.gradcheck(lambda t: Softsign.apply(t), u, fast_mode=True)
try:
    mg.gradcheck(lambda t: SloppySoftsign.apply(t), u, fast_mode=True)
    raise AssertionError("fast_mode should have caught the missing square")
except mg.GradcheckError as err:
    assert [row[1] for row in err.rows] == ["direction"]

# %% [markdown]
# ## 2.8 Why the hidden layer needs its nonlinearity
#
# Take the sigmoid out of a network and the layers collapse. With linear layers
# only, W⁽³⁾(W⁽²⁾(W⁽¹⁾x + b⁽¹⁾) + b⁽²⁾) + b⁽³⁾ = W x + b with
#
#     W = W⁽³⁾ W⁽²⁾ W⁽¹⁾,    b = W⁽³⁾(W⁽²⁾ b⁽¹⁾ + b⁽²⁾) + b⁽³⁾
#
# one matrix and one vector: any number of stacked linear layers computes a single
# linear map (Goodfellow et al. 2016, "Deep Learning", §6.1; Bishop 2006, §5.1).
# We check it numerically on a 2-8-8-1 stack with random weights *and* biases.

# %%
from minigrad import nn
from minigrad.data import make_xor
from minigrad.train import fit, predict

mg.manual_seed(0)
stack = nn.Sequential(nn.Linear(2, 8), nn.Linear(8, 8), nn.Linear(8, 1)).double()
with mg.no_grad():
    for layer in stack:
        layer.bias.data[...] = np.random.default_rng(1).normal(size=layer.bias.shape)
(W1_, W2_, W3_), (b1_, b2_, b3_) = ([layer.weight.numpy() for layer in stack], [layer.bias.numpy() for layer in stack])
W_one = W3_ @ W2_ @ W1_                    # (1, 8)(8, 8)(8, 2) = (1, 2): the whole network
b_one = W3_ @ (W2_ @ b1_ + b2_) + b3_
X_probe = np.random.default_rng(2).normal(size=(5, 2))
print("W = W3 W2 W1 =", W_one, "  b =", b_one)
print("network:", stack(mg.tensor(X_probe, dtype="float64")).numpy().ravel())
print("W x + b:", (X_probe @ W_one.T + b_one).ravel())
assert np.allclose(stack(mg.tensor(X_probe, dtype="float64")).numpy(), X_probe @ W_one.T + b_one, atol=1e-12)

# %% [markdown]
# So a "deep" linear network can only draw a straight decision boundary, and
# the XOR problem (`make_xor`: class 1 where the signs of x₁ and x₂ differ) has
# none: a single perceptron cannot solve it (Minsky & Papert 1969). One hidden
# layer of tanh units can (Rumelhart, Hinton & Williams 1986). We train both
# 2-8-1 networks, one with `activation="linear"` (a linear map in disguise)
# and one with tanh, on the same 200 points with the same start, Adam and the
# binary cross-entropy on the logit.

# %%
X_xor, y_xor = make_xor(200, noise=0.15, seed=0)


def xor_accuracy(activation, epochs=200):
    mg.manual_seed(0)
    model = nn.MLP([2, 8, 1], activation=activation)
    fit(model, lambda z, t: nn.losses.binary_cross_entropy(z, t, from_logits=True),
        optim.Adam(model.parameters(), lr=0.05), (X_xor, y_xor[:, None].astype(np.float64)),
        epochs=epochs, batch_size=200, progress=False)
    return float(((predict(model, X_xor) > 0).ravel() == y_xor).mean()), model


acc_linear, _ = xor_accuracy("linear")
acc_tanh, xor_model = xor_accuracy("tanh")
print(f"XOR accuracy: linear hidden layer {acc_linear:.1%}, tanh hidden layer {acc_tanh:.1%}")
assert acc_linear < 0.7 and acc_tanh == 1.0

fig = viz.plot_decision_boundary(xor_model, X_xor, y_xor, title=f"A 2-8-1 tanh MLP solves XOR ({acc_tanh:.0%})")
save_figure(fig, "02_xor_solved.png")
fig

# %% [markdown]
# **The boundary forming.** `viz.animate_training` trains the same tanh network
# (with two class scores and the cross-entropy) and redraws its decision regions as
# it learns: watch the single straight cut of the first epochs bend into the two
# crossing cuts XOR needs, while the loss falls (Rumelhart, Hinton & Williams 1986).

# %%
epochs, every = (30, 10) if QUICK else (60, 2)
mg.manual_seed(0)
anim = viz.animate_training(nn.MLP([2, 8, 2], activation="tanh"), X_xor, y_xor, epochs=epochs, every=every,
                            optimizer="adam", lr=0.05, batch_size=200, resolution=40 if QUICK else 100)
show_file(viz.save_animation(anim, figure_path("02_xor_training.gif"), dpi=40 if quick() else 100))
accuracy = [frame["accuracy"] for frame in anim.history]
print(f"{anim.n_frames} frames; accuracy from {accuracy[0]:.1%} (untrained) to {accuracy[-1]:.1%} at epoch {epochs}")
assert anim.n_frames == 1 + epochs // every and anim.history[-1]["epoch"] == epochs
assert accuracy[0] < 0.7 and accuracy[-1] == 1.0  # from a guess to every point right

# %% [markdown]
# ## What we learned
#
# * The delta rule of backpropagation is the chain rule of lesson 1, one layer at a time:
#   δ⁽²⁾ = a⁽²⁾ − t, δ⁽¹⁾ = (W⁽²⁾ᵀδ⁽²⁾) ⊙ σ′(z⁽¹⁾), ∂C/∂W = δaᵀ, ∂C/∂b = δ.
# * minigrad's `Tensor` engine reproduces those gradients exactly (and so does the
#   scalar engine, just much more slowly).
# * A broadcast forward is a sum backward: the bias gradient is the sum of the
#   deltas over the batch (`mg.unbroadcast`).
# * `mg.gradcheck` compares every gradient with central differences in float64 and
#   catches a wrong backward immediately.
# * An op of your own is a `Function` with a `forward` on arrays and a `backward` in
#   Tensor ops; `mg.gradcheck` (and `mg.gradgradcheck`) tells you whether it is right.
# * Without a nonlinearity, stacked layers are one linear map (W = W⁽³⁾W⁽²⁾W⁽¹⁾);
#   with one hidden layer of tanh units, an MLP solves XOR.
#
# ## Exercises
#
# 1. **A sigmoid output.** Make the output layer of the course's network a sigmoid
#    too and keep the squared error. Derive δ⁽²⁾ = (a⁽²⁾ − t) ⊙ σ′(z⁽²⁾) (Bishop
#    2006, §5.3), code it in NumPy and compare with the engine.
#    *Hint:* only `delta2` changes; everything below it is the same code.
# 2. **Cross-entropy instead.** With a sigmoid output and the cross-entropy cost
#    C = −Σ[t log y + (1 − t) log(1 − y)], show that δ⁽²⁾ = a⁽²⁾ − t (Bishop
#    2006, §4.3.2 and §5.2) and check it with
#    `nn.losses.binary_cross_entropy(..., reduction="sum")`.
#    *Hint:* σ′ cancels the denominator y(1 − y).
# 3. **A column of ones.** Instead of a separate bias, append a constant 1 to every
#    input and a column to W⁽¹⁾. Show that the gradient of that column equals the
#    bias gradient. *Hint:* `mg.concat([X, mg.ones(m, 1)], axis=1)`.
# 4. **Your own op.** Write a `Function` for softplus(x) = log(1 + eˣ) whose
#    backward is σ(x), and check it with `mg.gradcheck`. Then break it (use eˣ
#    instead) and read the table. *Hint:* copy `Softsign` from section 2.7; its
#    backward reads the input from `self.inputs[0]`.
# 5. **float32 gradcheck.** Run `mg.gradcheck(..., dtype="float32")` on
#    `network_cost`. What happens with the default `eps`? Which `eps` and
#    tolerances make it pass? *Hint:* try eps=1e-3, atol=rtol=1e-2.

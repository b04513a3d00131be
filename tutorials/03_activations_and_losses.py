# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 3. Activations and losses
#
# Backpropagation multiplies, layer after layer, by the **slope of the activation
# function** (the f′(z) in δ⁽ᵏ⁾ = (W⁽ᵏ⁺¹⁾ᵀδ⁽ᵏ⁺¹⁾) ⊙ f′(z⁽ᵏ⁾), lesson 2). So the
# shape of f′ decides how well a network learns. And at the very top, the **loss**
# decides what gradient enters the network in the first place.
#
# In this lesson we
#
# 1. plot the course's activations and their derivatives, computed by autograd,
#    and meet maxout, an activation that learns its shape;
# 2. see why saturating activations (sigmoid, tanh) make gradients vanish: σ′ ≤ ¼;
# 3. watch ReLUs die and leaky ReLUs survive;
# 4. derive the famous delta of softmax + cross-entropy, softmax(z) − onehot, and
#    check it against the engine;
# 5. reproduce the course's loss table (after McCaffrey 2013), which shows why
#    cross-entropy beats classification error and mean squared error for
#    classifiers; then the multi-class hinge, and MSE against MAE for regression.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
import viz
from minigrad import nn, optim
from minigrad.data import make_moons
from minigrad.course.lessons import quick, save_figure
from minigrad.nn import functional as F
from minigrad.nn import losses

QUICK = quick()
FIGURES = Path(os.environ.get("MINIGRAD_FIGURES", "figures"))
np.set_printoptions(precision=4, suppress=True)
print("quick mode" if QUICK else "full mode", "- figures go to", FIGURES)

# %% [markdown]
# ## 3.1 The activation functions and their slopes
#
# The course sorts them in two families (Goodfellow et al. 2016, "Deep Learning", §6.3):
#
# * **saturating** — sigmoid g(z) = 1/(1 + e⁻ᶻ) and tanh — "used by initial NN
#   models", with "vanishing gradients" and "poor convergence";
# * **non-saturating** — ReLU g(z) = max(0, z) ("do not saturate for z > 0", but
#   "dying ReLUs problem"), leaky ReLU max(εz, z) ("never die"), ELU
#   max(α(eᶻ − 1), z) ("everywhere smooth, nonzero gradient for z < 0").
#
# We add three modern smooth variants from the Keras list (GELU,
# softplus, SiLU). Rather than differentiating each by hand, we let the engine do
# it: for an elementwise function, the gradient of `f(x).sum()` with respect to x is
# exactly f′ at every point.

# %%
NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "softplus", "silu"]
z = mg.tensor(np.linspace(-5, 5, 201 if QUICK else 1001), dtype="float64", requires_grad=True)


def value_and_slope(name):
    z.grad = None
    out = F.get(name)(z)
    out.sum().backward()
    return out.numpy(), z.grad.numpy()


curves = {name: value_and_slope(name) for name in NAMES}
zs = z.numpy()

fig, axes = plt.subplots(2, 4, figsize=(14, 6), sharex=True)
for ax, name in zip(axes.ravel(), NAMES):
    f, df = curves[name]
    ax.axhline(0, color="0.8", lw=0.8)
    ax.axvline(0, color="0.8", lw=0.8)
    ax.plot(zs, f, label="g(z)")
    ax.plot(zs, df, "--", label="g′(z) (autograd)")
    ax.set_title(name)
    ax.set_ylim(-1.5, 3)
for ax in axes[1]:
    ax.set_xlabel("z")
axes[0, 0].legend(loc="upper left", fontsize=8)
fig.suptitle("Activations (solid) and their derivatives (dashed) of the hidden layers")
fig.tight_layout()
save_figure(fig, "03_activations.png")

# %% [markdown]
# The engine's derivatives are the textbook ones (Goodfellow et al. 2016, §6.3;
# Bishop 2006, §4.3.2). One caveat about the course: it writes ELU as
# max(α(eᶻ − 1), z). That shorthand is only safe for z ≤ 0; for large positive z,
# eᶻ − 1 outgrows z and the max would pick the exponential. The definition (Clevert
# et al., 2015), used by Keras, PyTorch and minigrad, is piecewise: g(z) = z for
# z > 0 and α(eᶻ − 1) for z ≤ 0.

# %%
s, ds = curves["sigmoid"]
assert np.allclose(ds, s * (1 - s))  # σ′ = σ(1 − σ)
th, dth = curves["tanh"]
assert np.allclose(dth, 1 - th**2)
assert np.allclose(th, 2 * (1 / (1 + np.exp(-2 * zs))) - 1)  # tanh(z) = 2σ(2z) − 1
r, dr = curves["relu"]
assert np.all(dr[zs <= 0] == 0) and np.all(dr[zs > 0] == 1)  # g′(0) = 0: "the derivative from the left"
_, dlr = curves["leaky_relu"]
assert np.allclose(dlr[zs < 0], 0.01)  # PyTorch's default slope ε = 0.01
e, de = curves["elu"]
assert np.allclose(e, np.where(zs > 0, zs, np.exp(zs) - 1))  # ELU with α = 1: z, or α(eᶻ − 1) for z ≤ 0
assert not np.allclose(e, np.maximum(np.exp(zs) - 1, zs))  # the course's "max" shorthand differs for z > 0
print("sigmoid′ max =", ds.max(), "at z =", zs[ds.argmax()], "; tanh′ max =", dth.max())
assert abs(ds.max() - 0.25) < 1e-12 and zs[ds.argmax()] == 0.0
assert abs(dth.max() - 1.0) < 1e-12

# %% [markdown]
# ### Maxout: an activation that learns its shape
#
# Maxout (Goodfellow et al. 2013, "Maxout Networks") replaces the fixed g(z) by the
# largest of p linear pieces: h(x) = max(W₁x + b₁, W₂x + b₂, …). A `Linear` layer
# computes all the pieces at once, laid out as consecutive units [u₁, v₁, u₂, v₂, …],
# and `F.maxout(z, p)` keeps the max of each group of p (the module is
# `nn.Maxout(p)`). With two pieces it can *be* a ReLU (max(z, 0): the second piece
# zero) or an absolute value (max(z, −z)) — maxout learns a convex piecewise-linear
# activation instead of being given one. Its gradient goes to each group's winner.

# %%
pieces = nn.Linear(1, 4, bias=False).double()
with mg.no_grad():
    pieces.weight.data[...] = [[1.0], [0.0], [1.0], [-1.0]]   # groups (z, 0) and (z, −z)
z_in = mg.tensor(zs[:, None], dtype="float64", requires_grad=True)
h = F.maxout(pieces(z_in), 2)                                  # (n, 4) → (n, 2)
print("maxout at z = −2 and z = 0.5:", F.maxout(pieces(mg.tensor([[-2.0], [0.5]], dtype="float64")), 2).numpy().tolist())
assert h.shape == (len(zs), 2)
assert np.allclose(h.numpy()[:, 0], np.maximum(zs, 0))        # group 1 is a ReLU
assert np.allclose(h.numpy()[:, 1], np.abs(zs))                # group 2 is |z|
h[:, 1].sum().backward()
assert np.allclose(z_in.grad.numpy().ravel(), np.sign(zs))     # |z|′ = sign(z); at 0 the tie shares it: 0

# %% [markdown]
# ## 3.2 Saturation: why sigmoid gradients vanish
#
# The sigmoid's slope is **at most ¼**, reached only at z = 0; for |z| > 5 it is
# below 0.007 — the unit is *saturated*. Each sigmoid layer multiplies the delta by
# σ′(z) ≤ ¼, so after L layers the factor is at most (¼)ᴸ (times the weights): ten
# layers can shrink the gradient by a million. tanh has slope up to 1 and is
# zero-centred, which helps; ReLU has slope exactly 1 wherever it is active.
#
# Let us measure it in a 10-layer network (Glorot initialization, lesson 4) on one
# batch: the norm of the gradient of each layer's weights, from input to output.

# %%
rng = np.random.default_rng(2024)  # data; the weights use mg.manual_seed (a different stream)
depth, width = 10, 32
Xb = mg.tensor(rng.normal(size=(64 if QUICK else 256, width)))
yb = rng.integers(0, 4, size=Xb.shape[0])

grad_norms = {}
for act in ("sigmoid", "tanh", "relu"):
    mg.manual_seed(0)
    model = nn.MLP([width] + [width] * depth + [4], activation=act, weight_init="glorot_normal")
    losses.cross_entropy(model(Xb), yb).backward()
    grad_norms[act] = [float(np.linalg.norm(layer.weight.grad.numpy())) for layer in model if isinstance(layer, nn.Linear)]
    print(f"{act:8s} ‖∂C/∂W‖ first layer {grad_norms[act][0]:.1e}, last layer {grad_norms[act][-1]:.1e}")

# the sigmoid network's first layer gets a gradient thousands of times smaller than its last
assert grad_norms["sigmoid"][0] < 1e-3 * grad_norms["sigmoid"][-1]
assert grad_norms["relu"][0] > 1e-1 * grad_norms["relu"][-1]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
for act, norms in grad_norms.items():
    ax1.semilogy(range(1, len(norms) + 1), norms, "o-", label=act)
ax1.set_xlabel("layer (1 = next to the input)")
ax1.set_ylabel("‖∂C/∂W‖ (log)")
ax1.set_title(f"Gradient per layer, {depth} hidden layers, Glorot init")
ax1.legend()
L = np.arange(1, 11)
ax2.semilogy(L, 0.25**L, "o-", label="(¼)ᴸ: sigmoid′ at its best")
ax2.semilogy(L, np.ones(len(L)), "o-", label="1ᴸ: ReLU (active) or tanh′ at 0")
ax2.set_xlabel("number of layers L")
ax2.set_title("Upper bound on the product of activation slopes")
ax2.legend()
fig.tight_layout()
save_figure(fig, "03_sigmoid_vanishing.png")

# %% [markdown]
# ### The loss can undo the saturation of the output
#
# The course compares two costs for a
# sigmoid output unit a = σ(z) with target t:
#
# * squared error ½(a − t)²:   δ = (σ(z) − t) · σ′(z)
# * cross-entropy −[t ln a + (1 − t) ln(1 − a)]:   δ = σ(z) − t
#
# With cross-entropy the σ′ cancels, which is why it is the "best choice when output
# units use sigmoid functions". Picture a unit that is **confidently wrong**: t = 1
# but z = −6, so a ≈ 0.0025. Under squared error its delta is tiny (it is saturated
# and barely learns); under cross-entropy it is almost −1 (it learns fastest exactly
# when it is most wrong).

# %%
def output_delta(z_value, t_value, cost):
    zt = mg.tensor([z_value], dtype="float64", requires_grad=True)
    a = zt.sigmoid()
    if cost == "squared error":
        C = 0.5 * ((a - t_value) ** 2).sum()
    else:
        C = losses.binary_cross_entropy(a, [t_value], reduction="sum")
    C.backward()
    return zt.grad.item()


sig = 1 / (1 + np.exp(6.0))
d_se, d_ce = output_delta(-6.0, 1.0, "squared error"), output_delta(-6.0, 1.0, "cross-entropy")
print(f"z = -6, t = 1: a = {sig:.4f};  δ(squared error) = {d_se:.5f},  δ(cross-entropy) = {d_ce:.5f}")
assert abs(d_se - (sig - 1) * sig * (1 - sig)) < 1e-12
assert abs(d_ce - (sig - 1)) < 1e-6  # (BCE clips a at 1e-7; irrelevant here)
assert abs(d_ce) > 100 * abs(d_se)

z_grid = np.linspace(-8, 8, 33 if QUICK else 161)
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(z_grid, [output_delta(v, 1.0, "squared error") for v in z_grid], label="squared error: (σ − t)σ′")
ax.plot(z_grid, [output_delta(v, 1.0, "cross-entropy") for v in z_grid], label="cross-entropy: σ − t")
ax.axhline(0, color="0.8", lw=0.8)
ax.set_xlabel("z (target t = 1: the left side is 'confidently wrong')")
ax.set_ylabel("δ = ∂C/∂z")
ax.set_title("Output delta of a sigmoid unit")
ax.legend()
fig.tight_layout()
save_figure(fig, "03_output_delta_se_vs_ce.png")

# %% [markdown]
# ## 3.3 Dying ReLUs
#
# ReLU's slope is 0 for every z ≤ 0. If a unit's pre-activation is negative for
# **every** input — say its bias was pushed far down by one large update — then its
# output is always 0, its delta is always 0, and so the gradient of its incoming
# weights and bias is exactly 0: nothing will ever revive it. It is *dead*. The course
# puts it positively: "only the examples that activate the neuron are allowed to
# modify the weights."
#
# Here is one layer of 8 units where we push the biases of units 0–2 down to −10:

# %%
mg.manual_seed(0)
layer = nn.Linear(4, 8)
layer.bias.data[:3] = -10.0  # units 0, 1, 2: z < 0 for every reasonable input
X4 = mg.tensor(rng.normal(size=(100, 4)))
for act in ("relu", "leaky_relu"):
    layer.zero_grad()
    F.get(act)(layer(X4)).sum().backward()
    row_norms = np.linalg.norm(layer.weight.grad.numpy(), axis=1)
    print(f"{act:10s} ‖∂C/∂w‖ per unit:", row_norms)
    if act == "relu":
        assert np.all(row_norms[:3] == 0.0) and np.all(row_norms[3:] > 0)  # dead: exactly zero
    else:
        assert np.all(row_norms > 0)  # "Leaky ReLUs never die" (Maas et al. 2013)

# %% [markdown]
# It happens in real training too, typically with a learning rate that is too
# large. We train the same small ReLU network on the two-moons data twice, with a
# sensible learning rate and a reckless one, and ask `viz.diagnose` for the
# percentage of dead units per ReLU layer (dead = zero for every example of the
# batch).

# %%
X_moons, y_moons = make_moons(200 if QUICK else 400, noise=0.1, seed=0)
dead = {}
for lr in (0.1, 3.0):
    mg.manual_seed(0)
    net = nn.MLP([2, 64, 64, 2], activation="relu")
    opt = optim.SGD(net.parameters(), lr=lr)
    for epoch in range(10 if QUICK else 50):  # full-batch gradient descent
        loss = losses.cross_entropy(net(mg.tensor(X_moons)), y_moons)
        net.zero_grad()
        loss.backward()
        opt.step()
    report = viz.diagnose(net, X_moons, y_moons, "cross_entropy")
    dead[lr] = [row["dead_pct"] for row in report.rows if row["dead_pct"] is not None]
    print(f"lr = {lr}: final loss {loss.item():.3f}, dead units per ReLU layer (%): {dead[lr]},",
          "findings:", [f.kind for f in report.findings])
    if lr == 3.0:
        dead_report = report

assert max(dead[3.0]) > 50 > max(dead[0.1])
assert "dead_relu" in [f.kind for f in dead_report.findings]
print(next(f.message for f in dead_report.findings if f.kind == "dead_relu"))
save_figure(viz.plot_diagnosis(dead_report), "03_dead_relu_diagnosis.png")

# %% [markdown]
# ## 3.4 Softmax and cross-entropy: the delta is softmax − onehot
#
# For c classes the output layer uses the **softmax** (Goodfellow et al. 2016,
# "Deep Learning", §6.2.2.3): Sⱼ(z) = e^{zⱼ} / Σₗ e^{zₗ}, positive and summing to 1, so
# we can read it as class probabilities. The matching loss is the cross-entropy
# with the one-hot target y: C = −Σⱼ yⱼ ln Sⱼ(z) = −ln S_k(z) for the true class k.
#
# Differentiate: ln S_k = z_k − ln Σₗ e^{zₗ}, so ∂(−ln S_k)/∂zⱼ = −[j = k] + Sⱼ. In
# one line,
#
#     δ = ∂C/∂z = softmax(z) − y          (Bishop 2006, §4.3.4)
#
# the same "prediction minus target" as the sigmoid with cross-entropy, and as the
# linear output with squared error in lesson 2. Let us check it against the engine on
# a batch of logits. `losses.cross_entropy` takes **logits** by default and computes
# ln softmax stably; with `reduction="sum"` the delta of each row is exactly
# softmax − onehot (the default `"mean"` divides it by the batch size).

# %%
mg.manual_seed(0)
logits = mg.randn(5, 3, dtype="float64", requires_grad=True)
labels = np.array([0, 2, 1, 1, 0])
onehot = np.eye(3)[labels]

losses.cross_entropy(logits, labels, reduction="sum").backward()
softmax = F.softmax(logits, axis=-1).numpy()
print("softmax(z) − onehot =\n", softmax - onehot)
print("engine ∂C/∂z =\n", logits.grad.numpy())
assert np.allclose(logits.grad.numpy(), softmax - onehot, atol=1e-12)
assert np.allclose(softmax.sum(axis=1), 1.0)

logits.grad = None
losses.cross_entropy(logits, labels).backward()  # reduction="mean"
assert np.allclose(logits.grad.numpy(), (softmax - onehot) / 5, atol=1e-12)

# %% [markdown]
# Why insist on computing ln softmax *from the logits*? Because e^{1000} overflows.
# Subtracting the largest logit first (softmax is unchanged by a shift) keeps every
# exponent ≤ 0. minigrad's softmax, log_softmax and cross-entropy all do this.

# %%
big = mg.tensor([[1000.0, 1001.0, 999.0]], dtype="float64", requires_grad=True)
p_big = big.softmax(axis=-1)
ce_big = losses.cross_entropy(big, [1])
ce_big.backward()
print("softmax of huge logits:", p_big.numpy(), " loss:", ce_big.item())
assert np.all(np.isfinite(p_big.numpy())) and np.isfinite(ce_big.item())
assert np.allclose(p_big.numpy(), F.softmax(mg.tensor([[1.0, 2.0, 0.0]], dtype="float64"), axis=-1).numpy())
assert np.allclose(big.grad.numpy(), p_big.numpy() - [[0, 1, 0]])

# %% [markdown]
# ## 3.5 The course's loss table: CE, MSE and ACE
#
# The course (after McCaffrey 2013, "Why you should use cross-entropy error instead
# of classification error or mean squared error") compares three ways of scoring
# the same classifier outputs. Three examples, three classes (democrat, republican,
# other), one-hot targets. Both models get the first two right and the third wrong,
# but the second is much more *confident* where it is right and less wrong where it
# is wrong:
#
# | model 1: computed | target | correct? |    | model 2: computed | target | correct? |
# |---|---|---|---|---|---|---|
# | 0.3 0.3 0.4 | 0 0 1 | yes | | 0.1 0.2 0.7 | 0 0 1 | yes |
# | 0.3 0.4 0.3 | 0 1 0 | yes | | 0.1 0.7 0.2 | 0 1 0 | yes |
# | 0.1 0.2 0.7 | 1 0 0 | no  | | 0.3 0.4 0.3 | 1 0 0 | no  |
#
# The course's numbers, with their exact definitions:
#
# * **CE**, classification error: the fraction of wrong argmax predictions = 1/3 for
#   both — it cannot tell the models apart ("too coarse").
# * **MSE**: the squared error summed over the three outputs of a row, averaged over
#   the rows: 0.81 vs 0.34.
# * **ACE**, average cross-entropy: −(1/n) Σᵢ ln(probability of the true class). The
#   course writes "−2 log 0.4 − log 0.1 = 1.38": the sum of the three −ln terms, then
#   divided by n = 3 (natural logarithm): (0.916 + 0.916 + 2.303)/3 = 1.38; and
#   0.64 for model 2.

# %%
targets = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]], dtype=float)
model1 = np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]])
model2 = np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])

table = {}
for name, p in (("model 1", model1), ("model 2", model2)):
    ce = losses.classification_error(p, targets)
    mse = losses.mse(p, targets, reduction="sum").item() / 3  # per-row sum, averaged over 3 rows
    ace = losses.cross_entropy(p, targets, from_logits=False).item()  # inputs are probabilities
    table[name] = (ce, mse, ace)
    print(f"{name}: CE = {ce:.2f}   MSE = {mse:.2f}   ACE = {ace:.2f}")

assert round(table["model 1"][0], 2) == 0.33 and round(table["model 2"][0], 2) == 0.33
assert round(table["model 1"][1], 2) == 0.81 and round(table["model 2"][1], 2) == 0.34
assert round(table["model 1"][2], 2) == 1.38 and round(table["model 2"][2], 2) == 0.64
assert abs(table["model 1"][2] - (-2 * np.log(0.4) - np.log(0.1)) / 3) < 1e-12  # the course's formula / n

# %% [markdown]
# Note that `losses.mse` with the default `reduction="mean"` averages over all 9
# numbers (as PyTorch and Keras do), which is the course's value divided by 3; the
# ranking is the same.
#
# Why ACE is the "good approach": classification error is piecewise constant, so
# its gradient is zero almost everywhere — useless for learning. MSE does separate
# the models, but (as §3.2 showed for sigmoid outputs) its gradient fades exactly
# when the output saturates on the wrong answer. Cross-entropy punishes confident
# mistakes without limit (−ln p → ∞ as p → 0) and its delta is simply
# prediction − target.

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
width_bar = 0.35
idx = np.arange(3)
for k, (name, vals) in enumerate(table.items()):
    bars = ax.bar(idx + (k - 0.5) * width_bar, vals, width_bar, label=name)
    ax.bar_label(bars, fmt="%.2f")
ax.set_xticks(idx, ["CE (classification error)", "MSE", "ACE (cross-entropy)"])
ax.set_title("The course's loss table: only MSE and ACE see model 2 is better")
ax.set_ylim(0, 1.6)
ax.legend()
fig.tight_layout()
save_figure(fig, "03_loss_table.png")

# %% [markdown]
# ## 3.6 The multi-class hinge
#
# For a linear output z (scores, not probabilities) and true class o, the multi-class
# SVM loss of Weston & Watkins (1999) charges every wrong class whose score comes
# within a margin Δ of the true one:
#
#     C = Σ_{j≠o} max(0, z_j − z_o + Δ)
#
# The course's example: z = (2, 1.5, 1.8, −1), o = 0, Δ = 1 gives
# max(0, 0.5) + max(0, 0.8) + max(0, −2) = **1.3**. Each violated margin adds +1 to
# ∂C/∂z_j and −1 to ∂C/∂z_o, so ∂C/∂z = (−2, 1, 1, 0). `losses.multiclass_hinge`
# is this sum (averaged over samples, not divided by the number of classes);
# `losses.categorical_hinge` (Keras; Crammer & Singer 2001) keeps only the largest
# violation, 0.8 here.

# %%
z = mg.tensor([2.0, 1.5, 1.8, -1.0], dtype="float64", requires_grad=True)
hinge_loss = losses.multiclass_hinge(z, 0, margin=1.0)
hinge_loss.backward()
print(f"multi-class hinge: {hinge_loss.item():.2f}   dC/dz = {z.grad.numpy()}")
print(f"categorical hinge (largest violation only): {losses.categorical_hinge(z, 0).item():.2f}")
assert abs(hinge_loss.item() - 1.3) < 1e-12
assert np.array_equal(z.grad.numpy(), [-2.0, 1.0, 1.0, 0.0])
assert abs(losses.categorical_hinge(z, 0).item() - 0.8) < 1e-12

# %% [markdown]
# ## 3.7 For regression: MSE or MAE?
#
# For a real-valued output the course's two usual costs are the mean squared
# error and the **mean absolute error**, MAE = (1/n) Σᵢ |ŷᵢ − yᵢ| (`losses.mae`,
# the L1 loss). Their gradients differ in kind: MSE's 2(ŷ − y) grows with the
# error, MAE's sign(ŷ − y) is ±1 whatever its size. So one far-off point pulls on
# an MSE fit in proportion to its distance and on an MAE fit no harder than any
# other point. The simplest model shows it: fit one constant c to the data. MSE's
# best c is the **mean**, MAE's is the **median** (Hastie, Tibshirani & Friedman
# 2009, "The Elements of Statistical Learning", §10.6; Huber 1964). We let gradient
# descent find both for ten values with one outlier.

# %%
y_reg = np.array([1.0, 1.2, 0.9, 1.1, 1.0, 0.8, 1.3, 1.1, 0.9, 15.0])   # one outlier: 15
fitted_c = {}
for name, loss_fn in (("mse", losses.mse), ("mae", losses.mae)):
    c = mg.tensor([0.0], dtype="float64", requires_grad=True)
    opt = optim.SGD([c], lr=0.05)
    for _ in range(500):
        opt.zero_grad()
        loss_fn(c + np.zeros(len(y_reg)), y_reg).backward()
        opt.step()
    fitted_c[name] = c.item()
print(f"MSE fit c = {fitted_c['mse']:.3f} (mean {y_reg.mean():.3f});  "
      f"MAE fit c = {fitted_c['mae']:.3f} (median {np.median(y_reg):.3f})")
assert abs(fitted_c["mse"] - y_reg.mean()) < 1e-6                    # 2.43: dragged by the outlier
assert abs(fitted_c["mae"] - np.median(y_reg)) <= 0.05               # 1.05: where most data is
g = mg.tensor([2.0, -3.0, 0.5], dtype="float64", requires_grad=True)
losses.mae(g, [0.0, 0.0, 0.0], reduction="sum").backward()
assert g.grad.numpy().tolist() == [1.0, -1.0, 1.0]                   # ±1, whatever the size of the error

# %% [markdown]
# ## What we learned
#
# * Autograd gives every activation's derivative for free: σ′ = σ(1 − σ) ≤ ¼,
#   tanh′ = 1 − tanh² ≤ 1, ReLU′ ∈ {0, 1}.
# * Saturating activations multiply the gradient by small slopes layer after layer:
#   deep sigmoid networks starve their first layers.
# * A ReLU unit that is negative for every input has exactly zero gradient and
#   never recovers; large learning rates kill many; leaky ReLU and ELU keep a slope.
# * Softmax + cross-entropy has the delta softmax(z) − onehot; sigmoid +
#   cross-entropy has σ(z) − t: the loss cancels the output's saturation.
# * The course's table: CE 0.33 / 0.33, MSE 0.81 / 0.34, ACE 1.38 / 0.64.
# * Maxout learns its activation as the max of linear pieces (ReLU and |z| are two
#   of them); for regression, MSE fits the mean and MAE the median.
#
# ## Exercises
#
# 1. **Hinge loss (the course's own exercise).** For a linear output z and true class
#    o, C = Σ_{j≠o} max(0, zⱼ − z_o + Δ). What is ∂C/∂z? Check your answer with
#    `losses.multiclass_hinge` (it reproduces §3.6's 1.3 for z = (2, 1.5, 1.8, −1),
#    o = 0) or by building C from tensor ops, then try other scores and margins, and
#    say whether it saturates. *Hint:* each violated margin contributes +1 to zⱼ and
#    −1 to z_o; once every margin is satisfied the gradient is exactly 0.
# 2. **How deep before it vanishes?** Repeat §3.2 for depth 2, 5, 10 and 20 and plot
#    the ratio ‖∂C/∂W first‖ / ‖∂C/∂W last‖ for sigmoid and tanh. *Hint:* a log-scale
#    y-axis turns the geometric decay into a straight line.
# 3. **Revive the network.** Rerun the lr = 3.0 experiment of §3.3 with
#    `activation="leaky_relu"` and with `"elu"`. What do the diagnosis and the final
#    loss say? *Hint:* `viz.diagnose` only reports dead units for ReLU layers; look
#    at the gradient norms instead.
# 4. **Label smoothing.** With `losses.cross_entropy(logits, labels,
#    label_smoothing=0.1, reduction="sum")`, what is the delta now? Verify
#    softmax(z) − ((1 − ε)·onehot + ε/c). *Hint:* the target is just a different
#    probability vector.
# 5. **A third model for the table.** Invent outputs for which MSE and ACE disagree
#    about which model is better. *Hint:* make one model very confident and wrong
#    on a single example (probability 0.01 for the true class).

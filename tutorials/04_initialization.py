# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 4. Weight initialization
#
# Gradient descent has to start somewhere. "Anywhere" is not good enough: a bad
# starting point can stop a network from learning at all. The course puts it
# bluntly: "a bad initialization may increase convergence
# time or even make optimization diverge". Two things matter:
#
# 1. **Symmetry.** If all weights start equal, all hidden units compute the same
#    thing, receive the same gradient, and stay equal forever (Goodfellow et al.
#    2016, "Deep Learning", §8.4).
# 2. **Scale.** Each layer multiplies its input by W. Too small, and signals (and
#    gradients) shrink layer after layer; too large, and they blow up or saturate
#    (the vanishing gradient problem, Glorot & Bengio 2010: ‖zᴸ‖ ≈ ‖W‖ᴸ‖x‖).
#
# The fix for the second is to pick the variance of W from the layer's size: the
# rules of Glorot (Xavier), He and LeCun. We check their variances empirically,
# watch activations layer by layer, and let `viz.diagnose` name the problems.

# %%
import os
from functools import partial
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
import viz
from minigrad import nn, optim
from minigrad.data import make_moons
from minigrad.course.experiments import activation_statistics, init_sweep
from minigrad.course.lessons import quick, save_figure
from minigrad.nn import init, losses

QUICK = quick()
FIGURES = Path(os.environ.get("MINIGRAD_FIGURES", "figures"))
np.set_printoptions(precision=4, suppress=True)
print("quick mode" if QUICK else "full mode", "- figures go to", FIGURES)

# %% [markdown]
# ## 4.1 Constant initialization never breaks symmetry
#
# Take a small network 2 → 8 (tanh) → 2 for the two-moons data and start every
# weight at the same value, 0.5 (biases at 0). Hidden unit i computes
# tanh(wᵢ · x + bᵢ); with identical wᵢ and bᵢ, all 8 units output the same number.
# Backwards, each receives the same delta (the outgoing weights are identical too),
# so their weights get the same update — and the argument repeats at every step.
# The 8 units behave like **one**. Let us train and check that after hundreds of
# steps all rows of W⁽¹⁾ are still identical.

# %%
X, y = make_moons(200, noise=0.1, seed=0)
steps = 300 if QUICK else 600


def train_small(weight_init, steps=steps, lr=1.0):
    """Full-batch gradient descent on the moons; returns the model and W1's first column per step."""
    mg.manual_seed(0)
    model = nn.MLP([2, 8, 2], activation="tanh", weight_init=weight_init)
    opt = optim.SGD(model.parameters(), lr=lr)
    trace = [model[0].weight.numpy()[:, 0].copy()]
    for _ in range(steps):
        loss = losses.cross_entropy(model(mg.tensor(X)), y)
        model.zero_grad()
        loss.backward()
        opt.step()
        trace.append(model[0].weight.numpy()[:, 0].copy())
    accuracy = float((model(mg.tensor(X)).numpy().argmax(axis=1) == y).mean())
    return model, np.array(trace), loss.item(), accuracy


constant = partial(init.constant, value=0.5)
results = {name: train_small(fn) for name, fn in [("zeros", "zeros"), ("constant 0.5", constant),
                                                   ("glorot_normal", "glorot_normal")]}
for name, (model, trace, loss, acc) in results.items():
    W1, W2 = model[0].weight.numpy(), model[2].weight.numpy()
    print(f"{name:14s} loss {loss:.3f}  accuracy {acc:.2f}  "
          f"distinct hidden units: {len(np.unique(W1.round(6), axis=0))}")

model_c = results["constant 0.5"][0]
W1_c, b1_c, W2_c = model_c[0].weight.numpy(), model_c[0].bias.numpy(), model_c[2].weight.numpy()
assert np.all(W1_c == W1_c[0]) and np.all(b1_c == b1_c[0])  # every hidden unit has the same weights...
assert np.all(W2_c == W2_c[:, :1])  # ...and the same outgoing weights
hidden = np.tanh(X @ W1_c.T + b1_c)
assert np.all(hidden == hidden[:, :1])  # so all 8 units output the same value for every example
assert not np.allclose(W1_c, 0.5)  # even though the weights did move

model_z = results["zeros"][0]
assert np.all(model_z[0].weight.numpy() == 0) and np.all(model_z[2].weight.numpy() == 0)
model_g = results["glorot_normal"][0]
assert len(np.unique(model_g[0].weight.numpy().round(6), axis=0)) == 8
assert results["glorot_normal"][3] > 0.95  # 8 different units fit the moons...
assert results["constant 0.5"][3] < 0.92  # ..."one" unit cannot

# %% [markdown]
# **All zeros is worse still.** With W⁽²⁾ = 0 the hidden layer receives δ⁽¹⁾ =
# W⁽²⁾ᵀδ⁽²⁾ ⊙ f′ = 0, and with tanh(0) = 0 the output weights receive δ⁽²⁾a⁽¹⁾ᵀ = 0:
# no weight ever moves, only the output bias learns, and the loss stays at ln 2 ≈
# 0.693 (a coin flip). The constant network learns *something* — one unit's worth,
# a nearly straight boundary — while random Glorot weights give 8 different units
# and a curved boundary. The left panels show the trajectories of W⁽¹⁾'s first
# column during training: for constant init the 8 lines lie on top of each other.

# %%
fig, axes = plt.subplots(2, 3, figsize=(14, 8))
for col, (name, (model, trace, loss, acc)) in enumerate(results.items()):
    axes[0, col].plot(trace)
    axes[0, col].set_title(f"{name}: W⁽¹⁾[:, 0] of the 8 hidden units")
    axes[0, col].set_xlabel("training step")
    viz.plot_decision_boundary(model, X, y, ax=axes[1, col], title=f"{name}: accuracy {acc:.2f}")
fig.suptitle("Zero initialization: a constant start never breaks symmetry")
fig.tight_layout()
save_figure(fig, "04_symmetry.png")

# %% [markdown]
# `viz.diagnose` recognizes a symmetric start before any training: its `symmetry`
# finding names the first layer whose units have identical weight rows (and whose
# next layer treats them alike), so they can never become different.

# %%
constant_net = nn.MLP([2, 8, 2], activation="tanh", weight_init=lambda shape: init.constant(shape, 0.5))
symmetric = viz.diagnose(constant_net, X, y, "cross_entropy")
print(next(f for f in symmetric.findings if f.kind == "symmetry"))
assert "symmetry" in symmetric.kinds
assert "symmetry" not in viz.diagnose(nn.MLP([2, 8, 2], activation="tanh"), X, y, "cross_entropy").kinds

# %% [markdown]
# ## 4.2 The variance rules: Glorot, He, LeCun
#
# Randomness breaks the symmetry; the question left is the **scale**. The course starts
# with `W = 0.01 * np.random.randn(D, H)` and immediately asks "how do we choose the
# scale (variance) of the distribution?". The answer comes from one line of
# probability. A unit of a layer with n_in inputs computes z = Σⱼ wⱼxⱼ; with
# independent, zero-mean weights and inputs,
#
#     Var(z) = n_in · Var(w) · E[x²].
#
# To keep signals the same size from layer to layer we want n_in · Var(w) ≈ 1
# (up to what the activation does). That gives the three classic rules, which use the
# layer's fans (for W ∈ R^{n_out × n_in}: fan_in = n_in, fan_out = n_out):
#
# | rule | Var(w) | for | source |
# |---|---|---|---|
# | LeCun | 1 / fan_in | tanh, sigmoid (near 0), SELU | LeCun et al. 1998, "Efficient BackProp" (the course writes the std: w ~ N(0, 1/√n)) |
# | Glorot / Xavier | 2 / (fan_in + fan_out) | tanh, sigmoid | Glorot & Bengio 2010 (σ² = 2/(n_in + n_out), i.e. 1/fan_avg) |
# | He / Kaiming | 2 / fan_in | ReLU | He et al. 2015 (the course writes the std: N(0, √(2/n))) |
#
# Glorot averages the two fans as a compromise between keeping the forward signal
# (fan_in) and the backward gradient (fan_out) steady. He doubles LeCun's variance
# because a ReLU sets half of its inputs to zero and so halves E[x²]. (The course
# writes He in two more ways; §4.2's last cell compares the three.) The uniform
# variants U(−r, r) use r = √(3 · Var), since Var(U(−r, r)) = r²/3.
#
# Let us draw a 256 × 512 weight matrix with each rule and compare the sample
# variance with the formula.

# %%
fan_out, fan_in = 256, 512
assert init.compute_fans((fan_out, fan_in)) == (fan_in, fan_out)  # W is (out, in), as in the course
rules = {
    "glorot_normal": (init.glorot_normal, 2 / (fan_in + fan_out)),
    "he_normal": (init.he_normal, 2 / fan_in),
    "lecun_normal": (init.lecun_normal, 1 / fan_in),
    "glorot_uniform": (init.glorot_uniform, 2 / (fan_in + fan_out)),
    "he_uniform": (init.he_uniform, 2 / fan_in),
    "lecun_uniform": (init.lecun_uniform, 1 / fan_in),
}
mg.manual_seed(0)
drawn = {}
for name, (fn, var) in rules.items():
    W = fn((fan_out, fan_in)).astype(np.float64)
    drawn[name] = W
    print(f"{name:15s} formula {var:.6f}   sample variance {W.var():.6f}   ratio {W.var() / var:.4f}   "
          f"mean {W.mean():+.5f}")
    assert abs(W.var() / var - 1) < 0.03  # 131,072 draws: the sample variance is within ~1% of the formula
    assert abs(W.mean()) < 0.01 * np.sqrt(var) * 10
    if name.endswith("uniform"):
        assert np.abs(W).max() <= np.sqrt(3 * var) * (1 + 1e-6)  # U(-r, r) with r = sqrt(3 Var)

# for a square layer the two fans agree and Glorot *is* LeCun: same seed, same numbers
mg.manual_seed(1)
A = init.glorot_normal((100, 100))
mg.manual_seed(1)
B = init.lecun_normal((100, 100))
assert np.allclose(A, B)

fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for ax, name in zip(axes, ("lecun", "glorot", "he")):
    for kind, style in (("normal", "-"), ("uniform", "--")):
        W = drawn[f"{name}_{kind}"].ravel()
        ax.hist(W, bins=80, density=True, histtype="step", ls=style, label=kind)
    var = rules[f"{name}_normal"][1]
    grid = np.linspace(-4 * np.sqrt(var), 4 * np.sqrt(var), 200)
    ax.plot(grid, np.exp(-grid**2 / (2 * var)) / np.sqrt(2 * np.pi * var), "k:", label=f"N(0, {var:.5f})")
    ax.set_title(f"{name}: Var(w) = {var:.5f}")
    ax.legend(fontsize=8)
fig.suptitle(f"Initializers for a {fan_out} × {fan_in} layer (fan_in = {fan_in}, fan_out = {fan_out})")
fig.tight_layout()
save_figure(fig, "04_init_distributions.png")

# %% [markdown]
# Why the factor 2 for ReLU? Push a batch of N(0, 1) inputs through one wide layer
# and measure. With LeCun weights, Var(z) ≈ 1 — but after the ReLU the second moment
# E[relu(z)²] is only ½, so the next layer sees a signal half as strong, and ten
# layers later 2⁻¹⁰ as strong. He's variance restores E[relu(z)²] ≈ 1.

# %%
rng = np.random.default_rng(2024)  # NOT seed 0: see the note below
x_in = rng.normal(size=(2000 if QUICK else 10000, fan_in))
mg.manual_seed(0)
z_lecun = x_in @ init.lecun_normal((fan_out, fan_in)).astype(np.float64).T
z_he = x_in @ init.he_normal((fan_out, fan_in)).astype(np.float64).T
m2_lecun = np.mean(np.maximum(z_lecun, 0) ** 2)
m2_he = np.mean(np.maximum(z_he, 0) ** 2)
print(f"LeCun: Var(z) = {z_lecun.var():.3f}, E[relu(z)²] = {m2_lecun:.3f};   "
      f"He: Var(z) = {z_he.var():.3f}, E[relu(z)²] = {m2_he:.3f}")
assert abs(z_lecun.var() - 1) < 0.05 and abs(m2_lecun - 0.5) < 0.05
assert abs(m2_he - 1) < 0.05

# %% [markdown]
# A word on seeds. `mg.manual_seed(n)` seeds NumPy's default generator, so it yields
# exactly the numbers of `np.random.default_rng(n)`. Had we drawn the inputs with
# `default_rng(0)` after `mg.manual_seed(0)`, every weight row would *equal* an input
# row (up to scale), and z = Wx would come out about 25% too large: statistics that
# look like a bug in the formula. Use different seeds for data and weights.

# %%
mg.manual_seed(0)
W_same = init.lecun_normal((fan_out, fan_in)).astype(np.float64)
x_same = np.random.default_rng(0).normal(size=(2000, fan_in))
print("correlation of weight row 0 and input row 0 with equal seeds:", np.corrcoef(W_same[0], x_same[0])[0, 1])
assert np.corrcoef(W_same[0], x_same[0])[0, 1] > 0.999

# %% [markdown]
# ### Three ways to write He
#
# The course's decks write He's variance three ways, and they agree only for a
# square layer:
#
# * **2 / n_in** — He et al. (2015), "Delving Deep into Rectifiers", eq. (10):
#   ½ · n_l · Var(w_l) = 1 with n_l the number of *inputs* of a unit (k²c for a
#   convolution). This is what minigrad's `he_normal` and `he_uniform` use
#   (`mode="fan_in"`, the default), as do Keras' `HeNormal` and PyTorch's
#   `kaiming_normal_`.
# * **2 / n^[l]** with n^[l] the number of units of layer l itself, i.e. its
#   *outputs*: that is He's backward-pass variant (their eq. (14), keeping the
#   gradients' size steady instead of the signals'), `he_normal(mode="fan_out")`.
# * **4 / (n_in + n_out)** — "Glorot's variance times 2", a compromise between the
#   two, `glorot_normal(gain=√2)`.
#
# For a 256 × 512 layer (512 inputs, 256 units) the three differ by up to a factor
# of 2, and so does the signal a ReLU passes on: only 2/n_in keeps E[relu(z)²] = 1
# going forward, as §4.2 derived.

# %%
he_forms = {
    "2 / n_in   (He et al. 2015; he_normal)": (2 / fan_in, lambda: init.he_normal((fan_out, fan_in))),
    "2 / n^[l]  (he_normal, mode='fan_out')": (2 / fan_out, lambda: init.he_normal((fan_out, fan_in), mode="fan_out")),
    "4 / (n_in + n_out)  (glorot, gain √2)": (4 / (fan_in + fan_out),
                                              lambda: init.glorot_normal((fan_out, fan_in), gain=np.sqrt(2))),
}
mg.manual_seed(3)
relu_m2 = {}
for name, (var, draw) in he_forms.items():
    W = draw().astype(np.float64)
    relu_m2[name] = np.mean(np.maximum(x_in @ W.T, 0) ** 2)
    print(f"{name:40s} Var(w) = {var:.6f} (drawn {W.var():.6f})   E[relu(z)²] = {relu_m2[name]:.3f}")
    assert abs(W.var() / var - 1) < 0.03
forward, own_width, average = relu_m2.values()
assert abs(forward - 1) < 0.05 and abs(own_width - fan_in / fan_out) < 0.1 and abs(average - 4 / 3) < 0.07
assert np.isclose(2 / fan_in, 0.00390625) and np.isclose(2 / fan_out, 0.0078125) and np.isclose(4 / 768, 0.00520833)

# %% [markdown]
# ### And the biases?
#
# The course's advice on biases comes in three flavours: "it is also common to
# initialize the bias to 0" (what minigrad's `Linear` does, as Keras and He et al.
# 2015); b ~ N(0, 1) for a sigmoid unit; and for ReLU units "a small positive
# value (typically 0.1 or 0.01) to bias the units towards the positive part and
# achieve that they are initially active". The CS231n notes add that "it is not
# clear if this provides a consistent improvement". We measure what it does at the
# start of training: the fraction of ReLU outputs that are positive, layer by
# layer, in an 8-layer, 64-unit ReLU stack with He weights, for biases 0, 0.01
# and 0.1 (`bias_init` takes any initializer).

# %%
probe = np.random.default_rng(5).normal(size=(500, 64)).astype(np.float32)


def active_fractions(bias):
    """Per ReLU layer: the fraction of positive outputs on the probe batch."""
    mg.manual_seed(0)
    h, fractions = mg.tensor(probe), []
    for _ in range(8):
        h = nn.Linear(64, 64, bias_init=partial(init.constant, value=bias))(h).relu()
        fractions.append(float((h.numpy() > 0).mean()))
    return np.array(fractions)


active = {bias: active_fractions(bias) for bias in (0.0, 0.01, 0.1)}
for bias, fractions in active.items():
    print(f"bias {bias:<5}: active fraction per layer", fractions.round(3))
assert np.all(active[0.1] > active[0.0]) and np.all(active[0.01] >= active[0.0])
assert np.all(np.abs(active[0.0] - 0.5) < 0.12)              # zero bias: about half the outputs are on
assert np.all(active[0.1] - active[0.0] < 0.05)               # 0.1 only nudges it: z has std ≈ 1.4 here

# %% [markdown]
# A small positive bias turns on a few percent more units, no more: with He
# weights the pre-activations have a standard deviation near √2, so 0.1 is a
# small shift. Zero is the default for good reason; the positive bias is a
# cheap safeguard against ReLUs that start (and stay) dead, which §4.4's
# diagnosis looks for.

# %% [markdown]
# ## 4.3 Activations, layer by layer
#
# The course's figures show "the density of each layer's output" (as in Glorot &
# Bengio 2010). `init_sweep` (in `minigrad.course.experiments`) rebuilds that
# experiment: a stack of `depth` layers Linear(width, width) + activation with zero
# biases, fed N(0, 1) inputs, for every pair of initialization × activation; it
# records every layer's outputs.
# `"small_normal"` is N(0, 0.01²), the course's first attempt ("small random
# numbers"), and `"normal"` is N(0, 1) (any other σ can be written `"normal_0.5"`).

# %%
sweep_size = {"depth": 6, "width": 64, "n": 200} if QUICK else {"depth": 10, "width": 100, "n": 500}
sweep = init_sweep(inits=("zeros", "small_normal", "normal", "glorot_normal", "he_normal"),
                   activations=("tanh", "relu"), seed=0, **sweep_size)
print(f"depth {sweep_size['depth']}, width {sweep_size['width']}: std of each layer's outputs, first → last")
for (init_name, act), entry in sweep.items():
    print(f"  {init_name:14s} {act:5s} {entry['std'][0]:10.3g} → {entry['std'][-1]:10.3g}")

save_figure(viz.plot_init_sweep(sweep, kind="hist"), "04_init_sweep_hist.png")
save_figure(viz.plot_init_sweep(sweep, kind="std"), "04_init_sweep_std.png")

# %% [markdown]
# Read the two figures together:
#
# * **zeros**: every output of a layer is identical (std 0 from layer 1 on): no
#   symmetry breaking, as in §4.1.
# * **N(0, 0.01²)**: each layer multiplies the std by about 0.01·√width ≈ 0.1, so
#   after a few layers the signal is numerically nothing — and so will be the
#   gradient (if ‖W‖ < 1 then ‖zᴸ‖ → 0).
# * **N(0, 1)**: each layer multiplies by about √width ≈ 10. tanh clips that, so its
#   outputs pile up at ±1 — saturated, slope ≈ 0; ReLU does not clip, so the signal
#   grows by a factor ≈ 7 per layer ("if ‖W‖ > 1 then ‖zᴸ‖ → ∞").
# * **Glorot with tanh, He with ReLU**: the histograms look alike from the first to
#   the last layer. (Glorot's std still drifts down slowly with tanh, since
#   tanh′ < 1 away from 0; `init.calculate_gain("tanh")` = 5/3 is the classic
#   correction.)

# %%
def std_ratio(init_name, act):
    std = sweep[(init_name, act)]["std"]
    return std[-1] / std[0]


def saturated_fraction(init_name, act, level=0.99):
    last = np.asarray(sweep[(init_name, act)]["layers"][-1]["values"])
    return float(np.mean(np.abs(last) > level))


assert np.all(sweep[("zeros", "tanh")]["std"] == 0) and np.all(sweep[("zeros", "relu")]["std"] == 0)
assert std_ratio("small_normal", "tanh") < 1e-4  # the signal collapses
assert std_ratio("small_normal", "relu") < 1e-4
assert saturated_fraction("normal", "tanh") > 0.5  # most tanh outputs beyond ±0.99
assert std_ratio("normal", "relu") > 1e3  # the signal explodes
assert 0.5 < std_ratio("he_normal", "relu") < 2  # He keeps ReLU activations steady
assert std_ratio("glorot_normal", "tanh") > 0.2  # Glorot keeps tanh far from collapse
print(f"tanh, N(0,1): {saturated_fraction('normal', 'tanh'):.0%} of the last layer's outputs are saturated")

# %% [markdown]
# `viz.plot_activation_stats` draws one network in more detail: a histogram per
# layer (top) and the mean ± std against depth (bottom) — the rule "keep the mean of
# the activations zero and the variance the same across every layer" (Glorot &
# Bengio 2010). It takes a model and a batch, or one entry of the sweep. Compare the
# too-small start with Glorot, both with tanh:

# %%
save_figure(viz.plot_activation_stats(sweep[("small_normal", "tanh")], title="tanh, N(0, 0.01²): the signal dies"),
            "04_activations_small_init.png")

mg.manual_seed(0)
glorot_tanh = nn.MLP([64] + [64] * 6 + [4], activation="tanh", weight_init="glorot_normal")
x_batch = mg.tensor(rng.normal(size=(200, 64)))
stats = activation_statistics(glorot_tanh, x_batch)
print("Glorot/tanh model, std per tanh layer:", np.round([s["std"] for s in stats], 3))
assert len(stats) == 6 and min(s["std"] for s in stats) > 0.2
save_figure(viz.plot_activation_stats(glorot_tanh, x_batch, title="tanh, Glorot: the signal survives"),
            "04_activations_glorot.png")

# %% [markdown]
# ## 4.4 Vanishing and exploding gradients, diagnosed
#
# Small activations mean small gradients: the weight gradient of layer k is
# δ⁽ᵏ⁾a⁽ᵏ⁻¹⁾ᵀ, and δ⁽ᵏ⁾ itself is built by multiplying by Wᵀ and f′ once per layer
# on the way down (lesson 2). So a bad scale shows up in the gradients as **vanishing**
# (the first layers get nothing and stop learning) or **exploding** (huge updates
# that overshoot and diverge) (Bengio, Simard & Frasconi 1994; Pascanu et al. 2013).
#
# `viz.diagnose(model, x, y, loss_fn)` runs one forward/backward pass and reports,
# per layer, activation statistics, dead and saturated units and gradient norms; its
# `findings` name the problems (kinds `vanishing`, `exploding`, `dead_relu`,
# `saturation`, `nan`) with plain-language advice. Four deep networks (10 hidden
# layers of 64 units; 6 in quick mode) on the same random batch, two badly and two
# well initialized:

# %%
depth, width = (6, 64) if QUICK else (10, 64)
Xd = rng.normal(size=(128 if QUICK else 256, width))
yd = rng.integers(0, 4, size=Xd.shape[0])
cases = {
    "tanh, N(0, 0.01²)": ("tanh", partial(init.normal, std=0.01)),
    "relu, N(0, 0.5²)": ("relu", partial(init.normal, std=0.5)),
    "tanh, Glorot": ("tanh", "glorot_normal"),
    "relu, He": ("relu", "he_normal"),
}
diagnoses = {}
for name, (act, weight_init) in cases.items():
    mg.manual_seed(0)
    net = nn.MLP([width] + [width] * depth + [4], activation=act, weight_init=weight_init)
    diagnoses[name] = viz.diagnose(net, Xd, yd, "cross_entropy")
    print(f"{name:18s} findings: {[(f.kind, f.layer) for f in diagnoses[name].findings]}")

print()
print(diagnoses["tanh, N(0, 0.01²)"])

# %%
kinds = {name: {f.kind for f in d.findings} for name, d in diagnoses.items()}
assert "vanishing" in kinds["tanh, N(0, 0.01²)"]
assert "exploding" in kinds["relu, N(0, 0.5²)"]
assert kinds["tanh, Glorot"] == set() and kinds["relu, He"] == set()

for name in ("tanh, N(0, 0.01²)", "relu, N(0, 0.5²)"):
    finding = diagnoses[name].findings[0]
    print(f"{name}: [{finding.kind}] {finding.message}\n")

save_figure(viz.plot_diagnosis(diagnoses["tanh, N(0, 0.01²)"]), "04_diagnosis_vanishing.png")
save_figure(viz.plot_diagnosis(diagnoses["relu, N(0, 0.5²)"]), "04_diagnosis_exploding.png")

# %% [markdown]
# Does it matter for training? Train a 6-layer tanh network on the two moons from a
# too-small start and from Glorot, with the same learning rate. The too-small network
# sits at loss ln 2 ≈ 0.693, the loss of a coin flip: its gradients are too small to
# move anything.

# %%
curves = {}
for name, weight_init in [("N(0, 0.01²)", partial(init.normal, std=0.01)), ("Glorot", "glorot_normal")]:
    mg.manual_seed(0)
    net = nn.MLP([2] + [32] * 6 + [2], activation="tanh", weight_init=weight_init)
    opt = optim.SGD(net.parameters(), lr=0.3)
    curve = []
    for _ in range(100 if QUICK else 250):
        loss = losses.cross_entropy(net(mg.tensor(X)), y)
        net.zero_grad()
        loss.backward()
        opt.step()
        curve.append(loss.item())
    curves[name] = curve
    print(f"{name:12s} loss: start {curve[0]:.3f}, end {curve[-1]:.3f}")

assert abs(curves["N(0, 0.01²)"][-1] - np.log(2)) < 1e-3
assert curves["Glorot"][-1] < 0.3

fig, ax = plt.subplots(figsize=(6.5, 4))
for name, curve in curves.items():
    ax.plot(curve, label=name)
ax.axhline(np.log(2), color="0.6", ls=":", label="ln 2 (coin flip)")
ax.set_xlabel("step")
ax.set_ylabel("training loss")
ax.set_title("6 tanh layers on the moons: the initialization decides")
ax.legend()
fig.tight_layout()
save_figure(fig, "04_training_small_vs_glorot.png")

# %% [markdown]
# ## What we learned
#
# * Constant (and zero) initialization never breaks the symmetry between units: they
#   stay identical however long you train. Randomness is required.
# * The scale must match the layer: Var(z) = n_in · Var(w) · E[x²]. LeCun (1/fan_in),
#   Glorot (2/(fan_in + fan_out)) and He (2/fan_in, for ReLU) keep it steady.
# * He written as 2/n^[l] (the layer's own width) or 4/(n_in + n_out) differs from
#   He et al.'s 2/n_in unless the layer is square; minigrad uses 2/n_in.
# * Biases start at 0; a small positive bias for ReLUs turns on only a few
#   percent more units.
# * Too small a scale makes activations and gradients vanish with depth; too large
#   makes them explode (ReLU) or saturate (tanh). `init_sweep`,
#   `viz.plot_activation_stats` and `viz.diagnose` make both visible.
# * Batch normalization (lesson 5) makes networks much less sensitive to all this.
#
# ## Exercises
#
# 1. **Break the symmetry a little.** In §4.1 add a tiny random perturbation
#    (N(0, 10⁻⁶)) to the constant 0.5 weights. Do the 8 units separate during training?
#    How fast? *Hint:* pass a callable, e.g.
#    `lambda shape: init.constant(shape, 0.5) + init.normal(shape, std=1e-6)`.
# 2. **Zero weights, random biases?** Initialize W to 0 but the biases randomly. Is the
#    symmetry broken? *Hint:* follow δ⁽¹⁾ = W⁽²⁾ᵀδ⁽²⁾ ⊙ f′ with W⁽²⁾ = 0 for the first
#    step, then the second.
# 3. **The tanh gain.** Repeat the sweep with `("glorot_normal", lambda s:
#    init.glorot_normal(s, gain=init.calculate_gain("tanh")))` for tanh. Does the std
#    still drift down with depth? *Hint:* `init_sweep` accepts `(label, function)`
#    pairs.
# 4. **He for tanh, Glorot for ReLU.** Which mismatched pair in the sweep is worse, and
#    why? Use the formula Var(z) = n_in · Var(w) · E[x²] to predict the per-layer factor
#    before you look. *Hint:* for ReLU E[x²] = Var(z)/2.
# 5. **Too large, but bounded.** Train the 6-layer tanh network of §4.4 from N(0, 1).
#    It may still fit the moons — check with `viz.diagnose` what fraction of its units
#    are saturated at the start, and compare its first-layer gradient norm with
#    Glorot's. *Hint:* `diagnose(...).rows` has `saturation_pct` and `grad_norm`.

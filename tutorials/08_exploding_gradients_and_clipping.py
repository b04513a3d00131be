# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 8. Exploding gradients and gradient clipping
#
# Backpropagation multiplies the gradient by one matrix per layer on its way back
# to the input. If those factors are larger than one, the product grows
# exponentially with depth: the gradient **explodes**, "there are very large weight
# updates at many levels, causing the algorithm to diverge" (Bengio, Simard &
# Frasconi 1994; Pascanu et al. 2013). One update can then throw the weights so far
# that the loss becomes infinite, and training is over.
#
# In this lesson you will:
#
# 1. see the exponential growth with the course's argument, ‖z⁽ˡ⁾‖ ≈ ‖W‖ˡ‖x‖;
# 2. build a deep network with large weights and let `viz.diagnose` find the
#    explosion;
# 3. compare the two remedies of Pascanu et al. (2013), **clipping by value** and
#    **clipping by norm**, and check that only the second keeps the gradient's
#    direction;
# 4. rescue a training run that diverges by passing `clip_norm` to `fit`.

# %%
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

import minigrad as mg
import viz
from minigrad import nn, optim
from minigrad.data import StandardScaler, make_moons, train_val_test_split
from minigrad.course.lessons import quick, save_figure
from minigrad.train import TrainingError, fit

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite sets it)

# %% [markdown]
# ## Why gradients explode: products of many matrices
#
# The course simplifies a deep network to linear
# layers, z⁽ˡ⁾ = W⁽ˡ⁾ ⋯ W⁽²⁾W⁽¹⁾x, so that ‖z⁽ˡ⁾‖ ≈ ‖W‖ˡ · ‖x‖: for a large number
# of layers, ‖W‖ > 1 sends the activations to infinity and ‖W‖ < 1 sends them to 0,
# "and the same happens to the gradients".
#
# We check it with 20 linear layers of width 64 whose weights are drawn from
# N(0, g²/n): then each layer multiplies the length of a vector by about g. For
# g = 0.5, 1 and 2 we measure the size of the activations going forward, and of
# the gradient ∂C/∂z⁽ˡ⁾ coming back (for C = Σ z⁽²⁰⁾), with `mg.autograd.grad`.

# %%
depth, width = 20, 64
mg.manual_seed(0)
x = mg.randn(128, width)
growth = {}
for gain in (0.5, 1.0, 2.0):
    mg.manual_seed(0)
    layers = [nn.Linear(width, width, bias=False,
                        weight_init=lambda shape, g=gain: nn.init.normal(shape, std=g / np.sqrt(shape[1])))
              for _ in range(depth)]
    x_in = mg.tensor(x.numpy(), requires_grad=True)
    zs = [x_in]
    for layer in layers:
        zs.append(layer(zs[-1]))
    grads = mg.autograd.grad(zs[-1].sum(), zs[:-1])         # ∂C/∂z⁽ˡ⁾ for l = 0 … 19
    forward = np.array([np.linalg.norm(z.numpy()) for z in zs])
    backward = np.array([np.linalg.norm(g.numpy()) for g in grads] + [np.linalg.norm(np.ones(zs[-1].shape))])
    growth[gain] = (forward / forward[0], backward / backward[-1])
    decades = np.log10(forward[-1] / forward[0])
    print(f"g = {gain}: ‖z⁽²⁰⁾‖/‖x‖ = 10^{decades:+.2f}   (g²⁰ = 10^{depth * np.log10(gain):+.2f})")
    assert abs(decades - depth * np.log10(gain)) < 0.5

# %%
fig = Figure(figsize=(11, 4), layout="constrained")
axes = fig.subplots(1, 2)
for gain, (fwd, bwd) in growth.items():
    axes[0].semilogy(fwd, "o-", markersize=3, label=f"g = {gain}")
    axes[1].semilogy(bwd, "o-", markersize=3, label=f"g = {gain}")
axes[0].set_title("forward: ‖z⁽ˡ⁾‖ / ‖x‖")
axes[0].set_xlabel("layer l")
axes[1].set_title("backward: ‖∂C/∂z⁽ˡ⁾‖ / ‖∂C/∂z⁽²⁰⁾‖")
axes[1].set_xlabel("layer l (the gradient travels right to left)")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend()
fig.suptitle("20 linear layers: every layer multiplies by ≈ g (‖z⁽ˡ⁾‖ ≈ ‖W‖ˡ‖x‖)")
save_figure(fig, "08_products_of_matrices.png")
fig

# %% [markdown]
# With g = 2 the gradient reaching the first layer is a million times larger than
# the one leaving the output; with g = 0.5 it is a million times smaller. The course
# lists the causes of exploding gradients: weights "greater than 1" in many layers,
# a bad **initialization** ("if the initial weights are too large, even a small
# gradient can be amplified through the layers"), and the choice of activation.
#
# ## A deep network with large weights
#
# Now a real network: 8 hidden layers of 32 Leaky ReLU units on the two moons. He
# initialization draws weights with standard deviation √(2/n_in), which keeps the
# signal's size constant (lesson 4). We make every weight **three times** too large.

# %%
X, y = make_moons(400 if QUICK else 800, noise=0.2, seed=0)
(X_train, y_train), (X_val, y_val), _ = train_val_test_split(X, y, (0.6, 0.2, 0.2), seed=0)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)


def deep_net(scale, depth=8, width=32, seed=0):
    """depth × (Linear → LeakyReLU) → Linear, weights ~ N(0, (scale · He std)²)."""
    mg.manual_seed(seed)

    def init(shape):
        return nn.init.normal(shape, std=scale * np.sqrt(2.0 / shape[1]))

    layers, n_in = [], 2
    for _ in range(depth):
        layers += [nn.Linear(n_in, width, weight_init=init), nn.LeakyReLU()]
        n_in = width
    layers.append(nn.Linear(n_in, 2, weight_init=init))
    return nn.Sequential(*layers)


healthy, exploding = deep_net(scale=1.0), deep_net(scale=3.0)
batch = slice(0, 256)
d_healthy = viz.diagnose(healthy, X_train[batch], y_train[batch], "cross_entropy")
d_exploding = viz.diagnose(exploding, X_train[batch], y_train[batch], "cross_entropy")
print(f"He initialization:      loss {d_healthy.loss:8.3g}, findings: {sorted(d_healthy.kinds) or 'none'}")
print(f"3 × He initialization:  loss {d_exploding.loss:8.3g}, findings: {sorted(d_exploding.kinds)}")
for finding in d_exploding.findings:
    print(finding)
assert "exploding" in d_exploding.kinds
assert "exploding" not in d_healthy.kinds

# %%
fig = viz.plot_diagnosis(d_exploding)
save_figure(fig, "08_diagnosis_exploding.png")
fig

# %% [markdown]
# The activations grow by a factor of 2.5–3 per layer (middle panel), so the
# logits are in the thousands, the loss is huge, and every layer's gradient norm
# is above a thousand (top panel). One SGD step with those gradients moves the weights by
# thousands of times the learning rate.
#
# The cures are the ones the course lists as solutions to exploding gradients:
# a proper **weight initialization** (here, `scale=1`), **batch normalization**
# (lesson 5), and **gradient clipping**, the subject of the rest of this lesson.
#
# ## Clipping by value and clipping by norm
#
# Gradient clipping sets a threshold, and scales down a gradient that exceeds it
# "to keep it within a manageable range. This prevents any single update from
# being too large." (Pascanu et al. 2013). There are two ways.
#
# **By value**: clip each component
# separately, gᵢ ← α if gᵢ > α, gᵢ ← β if gᵢ < β. minigrad's
# `optim.clip_grad_value_(params, v)` uses α = v, β = −v;
# `optim.clip_grad_value_(params, min_value=β, max_value=α)` takes the two bounds.
#
# **By norm** (Pascanu et al. 2013): if ‖g‖ > v then
# g ← (g/‖g‖)·v. The whole vector is shrunk by one factor, so "clipping by norm
# will preserve the direction and just control the value". minigrad's
# `optim.clip_grad_norm_(params, max_norm)` treats the gradients of all the
# parameters as one long vector, and returns its norm before clipping.
#
# We clip the same gradient g = (4, 1) both ways, with threshold 1, and compare
# directions with the cosine cos(g, g̃) = g·g̃ / (‖g‖‖g̃‖).

# %%
def cosine(a, b):
    return float(a.ravel() @ b.ravel() / (np.linalg.norm(a) * np.linalg.norm(b)))


g = np.array([4.0, 1.0])
threshold = 1.0

by_value = nn.Parameter(np.zeros(2), dtype="float64")
by_value.grad = mg.tensor(g.copy(), dtype="float64")
optim.clip_grad_value_([by_value], threshold)

by_norm = nn.Parameter(np.zeros(2), dtype="float64")
by_norm.grad = mg.tensor(g.copy(), dtype="float64")
total = optim.clip_grad_norm_([by_norm], threshold)

g_value, g_norm = by_value.grad.numpy(), by_norm.grad.numpy()
print(f"original        g = {g},  ‖g‖ = {np.linalg.norm(g):.4f}")
print(f"clip by value → {g_value.round(4)},  ‖g‖ = {np.linalg.norm(g_value):.4f},  cosine {cosine(g, g_value):.4f}")
print(f"clip by norm  → {g_norm.round(4)},  ‖g‖ = {np.linalg.norm(g_norm):.4f},  cosine {cosine(g, g_norm):.6f}")

# The rules, by hand:
assert np.array_equal(g_value, np.clip(g, -threshold, threshold))          # (1, 1)
assert np.isclose(float(total), np.linalg.norm(g))                        # the norm *before* clipping
assert np.allclose(g_norm, g / np.linalg.norm(g) * threshold, rtol=1e-5)  # g/‖g‖ · v
assert np.isclose(cosine(g, g_norm), 1.0)                                  # same direction
assert cosine(g, g_value) < 0.9                                            # (1, 1) points at 45°, g at 14°

# %% [markdown]
# Clipped by value, (4, 1) becomes (1, 1): the small component is untouched, the
# large one is cut, and the direction turns from 14° to 45°. Clipped by norm, it
# becomes (0.970, 0.243): the same direction, length 1.
#
# minigrad's factor is PyTorch's, `max_norm / (‖g‖ + 1e-6)`, clamped to at most 1
# (the 1e-6 keeps an all-zero gradient finite). Pascanu et al.'s (2013) pseudo-code
# (their "Algorithm 1 Pseudo-code for norm clipping") divides by ‖ĝ‖ itself; the
# results agree to a relative 1e-6. A gradient already shorter than the threshold is
# left alone.

# %%
def norm_clip_slide(g_hat, threshold):
    """if ‖ĝ‖ ≥ threshold then ĝ ← threshold/‖ĝ‖ · ĝ (Pascanu et al. 2013, Algorithm 1)."""
    norm = np.linalg.norm(g_hat)
    return threshold / norm * g_hat if norm >= threshold else g_hat


rng = np.random.default_rng(0)
for _ in range(5):
    g_hat = rng.normal(size=3) * rng.uniform(0.1, 10)
    p = nn.Parameter(np.zeros(3), dtype="float64")
    p.grad = mg.tensor(g_hat.copy(), dtype="float64")
    optim.clip_grad_norm_([p], max_norm=2.0)
    assert np.allclose(p.grad.numpy(), norm_clip_slide(g_hat, 2.0), rtol=1e-6, atol=0)
print("clip_grad_norm_ = Pascanu et al.'s Algorithm 1 (up to the 1e-6 guard)")

# %% [markdown]
# The effect of clipping by value and by norm: a few
# gradients (grey) and their clipped versions. Value clipping squashes everything
# into the square [−1, 1]², norm clipping onto the circle of radius 1 — along the
# original direction.

# %%
examples = np.array([[4.0, 1.0], [1.5, 2.5], [-3.0, 0.5], [-0.5, -2.2], [0.6, -0.4]])
fig = Figure(figsize=(11, 5.2), layout="constrained")
axes = fig.subplots(1, 2)
titles = ("clip by value (v = 1): each component to [−1, 1]", "clip by norm (v = 1): the vector to length ≤ 1")
for ax, title, kind in zip(axes, titles, ("value", "norm")):
    ax.add_patch(Rectangle((-1, -1), 2, 2, fill=False, linestyle="--", color="tab:blue")
                 if kind == "value" else Circle((0, 0), 1, fill=False, linestyle="--", color="tab:blue"))
    for g_example in examples:
        clipped = np.clip(g_example, -1, 1) if kind == "value" else norm_clip_slide(g_example, 1.0)
        ax.annotate("", xy=g_example, xytext=(0, 0), arrowprops=dict(arrowstyle="->", color="0.6", lw=1.5))
        ax.annotate("", xy=clipped, xytext=(0, 0), arrowprops=dict(arrowstyle="->", color="tab:red", lw=2))
        ax.text(*(g_example * 1.06), f"cos {cosine(g_example, clipped):.2f}", fontsize=8, ha="center")
    ax.set_xlim(-3.8, 4.8)
    ax.set_ylim(-2.8, 3.0)
    ax.set_aspect("equal")
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_title(title, fontsize=10)
    ax.plot([], [], color="0.6", label="gradient g")
    ax.plot([], [], color="tab:red", label="clipped g")
    ax.legend(loc="lower right", fontsize=8)
fig.suptitle("Clipping by value changes the direction, clipping by norm keeps it")
save_figure(fig, "08_clipping_value_vs_norm.png")
fig

# %% [markdown]
# The same holds for a whole network. We backpropagate one batch through the
# exploding network, copy its gradient (all the parameters, flattened into one
# vector), and clip it both ways.

# %%
def full_gradient(model):
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])


def backprop_once(model):
    model.zero_grad()
    nn.losses.cross_entropy(model(mg.tensor(X_train[batch])), y_train[batch]).backward()


backprop_once(exploding)
g_before = full_gradient(exploding)
total_norm = optim.clip_grad_norm_(exploding.parameters(), max_norm=1.0)
g_norm_clipped = full_gradient(exploding)

backprop_once(exploding)
optim.clip_grad_value_(exploding.parameters(), clip_value=0.01)
g_value_clipped = full_gradient(exploding)

print(f"{g_before.size} gradient entries, ‖g‖ = {float(total_norm):.3g}")
print(f"norm-clipped:  ‖g̃‖ = {np.linalg.norm(g_norm_clipped):.4f},"
      f" cosine with g {cosine(g_before, g_norm_clipped):.6f}")
print(f"value-clipped: ‖g̃‖ = {np.linalg.norm(g_value_clipped):.4f},"
      f" cosine with g {cosine(g_before, g_value_clipped):.4f},"
      f" {np.mean(np.abs(g_value_clipped) == 0.01):.0%} of the entries cut")
assert np.isclose(np.linalg.norm(g_before), float(total_norm), rtol=1e-4)
assert np.isclose(np.linalg.norm(g_norm_clipped), 1.0, rtol=1e-4)
assert np.isclose(cosine(g_before, g_norm_clipped), 1.0, atol=1e-6)
assert cosine(g_before, g_value_clipped) < 0.99

# %% [markdown]
# Value clipping is cheap and never lets one component run away, but it silently
# changes the update's direction — "it will send us to a bad neighborhood" (as the
# course puts it). Norm clipping shrinks the step and keeps its direction: "so it is
# better to use clipping by norm."
#
# ## Rescuing a diverging run
#
# A milder case: weights 1.5 times the He scale and SGD with momentum 0.9 and a
# learning rate of 0.1. First we train a few steps by hand to watch the gradient
# norm. Clipping goes **after `backward()` and before `optimizer.step()`**. Passing
# `max_norm=inf` to `clip_grad_norm_` clips nothing but still returns the norm, so
# both runs log it the same way.

# %%
def first_steps(max_norm, steps=40, lr=0.1):
    """Train deep_net(1.5) for a few steps; the gradient norm before clipping and the loss at each."""
    model = deep_net(scale=1.5)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    norms, losses = [], []
    for step in range(steps):
        rows = np.arange(step * 32, step * 32 + 32) % len(X_train)
        loss = nn.losses.cross_entropy(model(mg.tensor(X_train[rows])), y_train[rows])
        if not np.isfinite(loss.item()):
            break
        opt.zero_grad()
        loss.backward()
        norm = float(optim.clip_grad_norm_(model.parameters(), max_norm=max_norm))
        opt.step()
        norms.append(norm)
        losses.append(loss.item())
    return np.array(norms), np.array(losses)


with np.errstate(over="ignore", invalid="ignore"):       # the overflow is what we are showing
    norms_free, losses_free = first_steps(max_norm=np.inf)
    norms_clip, losses_clip = first_steps(max_norm=1.0)
print(f"no clipping:   {len(losses_free)} finite steps, gradient norms {norms_free[:8].round(1)} ...")
print(f"clip_norm = 1: {len(losses_clip)} finite steps, loss {losses_clip[0]:.2f} → {losses_clip[-1]:.2f}")
assert len(losses_free) < 40 and len(losses_clip) == 40

# %% [markdown]
# Without clipping the norm of the gradient grows step after step, each update
# overshoots further, and after a few steps the loss is not even a number. With
# the norm clipped to 1, every update moves the weights by at most
# η·‖g̃‖ = 0.1 (plus the momentum's memory of earlier steps), and the network
# settles into training.
#
# In practice, `fit` does it for you: `clip_norm=1.0` clips by global norm before
# each step (and `clip_value=...` by value). Without clipping, `fit` stops with a
# `TrainingError` as soon as the loss becomes NaN; its `history` holds the epochs
# completed before that.

# %%
epochs = 12 if QUICK else 25
runs = {}
for name, options in (("no clipping", {}), ("clip_value = 0.1", {"clip_value": 0.1}),
                      ("clip_norm = 1.0", {"clip_norm": 1.0})):
    model = deep_net(scale=1.5)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            runs[name] = fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                             (X_train, y_train), epochs=epochs, batch_size=32, validation_data=(X_val, y_val),
                             metrics=["accuracy"], progress=False, seed=0, **options)
        h = runs[name]
        print(f"{name:17s} val loss {h['val_loss'][-1]:.3f}, val accuracy {h['val_accuracy'][-1]:.3f}")
    except TrainingError as err:
        runs[name] = err.history
        print(f"{name:17s} diverged: {err}")

assert len(runs["no clipping"]) == 0                                  # NaN in the first epoch
assert runs["clip_norm = 1.0"]["val_accuracy"][-1] > 0.85
assert runs["clip_norm = 1.0"]["val_loss"][-1] < 0.5

# %%
fig = Figure(figsize=(15, 4), layout="constrained")
axes = fig.subplots(1, 3)
axes[0].semilogy(norms_free, "o-", markersize=3, color="tab:red", label="no clipping (then NaN)")
axes[0].semilogy(norms_clip, "o-", markersize=3, color="tab:green", label="clip_norm = 1 (norm before clipping)")
axes[0].axhline(1.0, color="k", linestyle=":", label="threshold v = 1")
axes[0].set_xlabel("step")
axes[0].set_title("‖g‖ in the first steps")
axes[1].semilogy(losses_free, "o-", markersize=3, color="tab:red", label="no clipping")
axes[1].semilogy(losses_clip, "o-", markersize=3, color="tab:green", label="clip_norm = 1")
axes[1].set_xlabel("step")
axes[1].set_title("training loss in the first steps")
for name, h in runs.items():
    if len(h):
        axes[2].plot(np.arange(1, len(h) + 1), h["val_accuracy"], "o-", markersize=3, label=name)
axes[2].axhline(0.5, color="tab:red", linestyle=":", label="no clipping: diverged in epoch 1")
axes[2].set_xlabel("epoch")
axes[2].set_title("validation accuracy (fit)")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
fig.suptitle("SGD + momentum, η = 0.1, weights 1.5 × He: clipping rescues the run")
save_figure(fig, "08_clipping_rescue.png")
fig

# %% [markdown]
# Both clipped runs train, and here value clipping does at least as well. That is
# not a contradiction: with a threshold of 0.1, almost every entry is cut, so each
# update is close to −η·0.1·sign(g) — a different optimizer (sign descent, a
# cousin of Adam's first step) rather than a shortened gradient step. Norm
# clipping only shortens the steps that are too long and leaves every other step
# exactly as gradient descent would take it.
#
# A good threshold is a little above the gradient norms of healthy training: log
# the value `clip_grad_norm_` returns for a while and pick a value that only the
# spikes exceed. Clipping is a safety net, not a cure: when the norms are *always*
# far above the threshold, fix the cause (initialization, learning rate,
# normalization) as well.

# %% [markdown]
# ## Exercises
#
# 1. **How deep can you go?** Repeat the linear-layers experiment with g = 1.1 and
#    100 layers. How large is ‖z⁽¹⁰⁰⁾‖/‖x‖? Predict it before running. *Hint:*
#    1.1¹⁰⁰ ≈ 1.4·10⁴.
# 2. **Diagnose the thresholds.** `viz.diagnose` reports `exploding` when some
#    layer's ‖g‖ exceeds `max_grad_norm` (default 1000). Find the smallest `scale`
#    of `deep_net` at which it does, and what `plot_diagnosis` shows for 1.5.
#    *Hint:* try scales 1.5, 2, 2.5, 3.
# 3. **Asymmetric value clipping.** The course's rule has separate thresholds α (max)
#    and β (min). Write `clip_grad_range_(params, beta, alpha)` with `np.clip` on
#    `p.grad.data` (in place) and check the cosine for g = (4, 1), β = −0.5, α = 2.
#    *Hint:* `np.clip(a, lo, hi, out=a)`.
# 4. **Per-layer vs global norm.** Clip each parameter's gradient separately to norm
#    1 (`clip_grad_norm_([p], 1.0)` for each p) instead of all of them together. Is the
#    direction of the full gradient still preserved? *Hint:* compute the cosine with
#    `full_gradient` as above.
# 5. **Choosing the threshold.** Rerun the rescue with `clip_norm` = 0.01, 0.1, 1, 10
#    and 100. Which values still diverge, which train slowly? *Hint:* with a tiny
#    threshold every step has length η·v: SGD with a fixed step length.

# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 6. Optimization
#
# Training a network means walking downhill on the loss surface J(w). Plain
# gradient descent takes the step −η∇J (batch gradient descent; Goodfellow et al.
# 2016, "Deep Learning", §4.3). How
# fast that walk reaches the bottom depends on the *shape* of the surface and on
# *how* we step. This lesson covers both:
#
# 1. **feature scaling** — why unscaled inputs stretch the loss surface into a long
#    valley (its condition number), and how gradient descent zig-zags in it;
# 2. **the optimizers of the course** — SGD, momentum, Nesterov, AdaGrad, RMSProp,
#    Adam and their relatives — racing on a 2-D surface, with the course's update
#    formulas checked against minigrad step by step;
# 3. **Newton's method**, which uses the curvature and lands on the minimum of a
#    quadratic in one step;
# 4. a real comparison: one small network trained on the digits with each optimizer;
# 5. online training (one example per step), and choosing the learning rate by
#    watching the cost (`ReduceLROnPlateau`).

# %%
import numpy as np
from matplotlib.figure import Figure

import minigrad as mg
import viz
from minigrad import nn, optim
from minigrad.data import MinMaxScaler, StandardScaler, load_digits, train_val_test_split
from minigrad.course.experiments import optimizer_trajectories
from minigrad.course.lessons import figure_path, quick, save_figure, show_file
from minigrad.optim.optimizers import hessian
from minigrad.train import LambdaCallback, fit

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite sets it)

# %% [markdown]
# ## Feature scaling and the shape of the loss surface
#
# The course describes two features on very
# different scales: x₁ from 1 to 5 and x₂ from 1000 to 99999. Take linear
# regression, ŷ = w₁x₁ + w₂x₂, with the mean squared error
#
#   J(w) = (1/n) Σᵢ (xᵢ·w − yᵢ)².
#
# J is a quadratic bowl whose curvature is the Hessian H = (2/n) XᵀX. Its
# eigenvalues are the curvatures along the bowl's two axes, and their ratio
# κ = λ_max / λ_min — the **condition number** — says how elongated the bowl is.
# For the course's ranges:

# %%
rng = np.random.default_rng(0)
n = 100
X_slide = np.column_stack([rng.uniform(1, 5, n), rng.uniform(1000, 99999, n)])
eigenvalues = np.linalg.eigvalsh(2 / n * X_slide.T @ X_slide)
print("curvatures λ:", eigenvalues.round(1), " condition number κ = %.2g" % (eigenvalues[-1] / eigenvalues[0]))
assert eigenvalues[-1] / eigenvalues[0] > 1e8

# %% [markdown]
# A condition number of a billion. Gradient descent must keep η < 2/λ_max, or it
# diverges along the steepest axis; then each step removes less than a fraction
# 2/κ of the remaining error along the flattest axis — at this κ, nothing moves.
#
# To *see* the effect we use a milder version: x₁ from 1 to 5, x₂ from 0 to 20,
# and targets y = 2x₁ + 0.1x₂ + noise. Then we standardize both features with
# `StandardScaler` (mean 0, variance 1; we also centre y, so no bias is needed).

# %%
x1, x2 = rng.uniform(1, 5, n), rng.uniform(0, 20, n)
X_raw = np.column_stack([x1, x2])
y_raw = 2 * x1 + 0.1 * x2 + rng.normal(0, 0.3, n)
X_std = StandardScaler().fit(X_raw).transform(X_raw)
y_std = y_raw - y_raw.mean()


def curvature(X):
    """Eigenvalues of the MSE's Hessian H = (2/n) XᵀX, smallest first."""
    return np.linalg.eigvalsh(2 / len(X) * X.T @ X)


kappa_raw = curvature(X_raw)[-1] / curvature(X_raw)[0]
kappa_std = curvature(X_std)[-1] / curvature(X_std)[0]
print(f"condition number: raw features {kappa_raw:.1f}, standardized {kappa_std:.2f}")
assert kappa_raw > 20 and kappa_std < 2

# %% [markdown]
# Now gradient descent on both problems, with minigrad: a parameter vector w, the
# loss as Tensor ops, `backward()`, and `optim.SGD` for the step. On each
# problem we use the same rule for the learning rate, η = 1.5/λ_max: three
# quarters of the way to the stability limit.

# %%
def gradient_descent(X, y, start, lr, steps):
    """Plain GD on the MSE of ŷ = Xw; returns the path of w and the loss at each point."""
    w = nn.Parameter(np.array(start, dtype=np.float64), dtype="float64")
    opt = optim.SGD([w], lr=lr)
    X_t = mg.tensor(X, dtype="float64")
    path, losses = [w.numpy().copy()], []
    for _ in range(steps):
        loss = ((X_t @ w - y) ** 2).mean()
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append(w.numpy().copy())
    losses.append(((X @ path[-1] - y) ** 2).mean())
    return np.array(path), np.array(losses)


steps = 60
problems = {
    "raw features": (X_raw, y_raw, (-1.0, 0.6)),
    "standardized features": (X_std, y_std, (-1.0, 2.0)),
}
results = {}
for name, (X, y, start) in problems.items():
    w_best = np.linalg.lstsq(X, y, rcond=None)[0]            # the exact least-squares solution
    best_loss = ((X @ w_best - y) ** 2).mean()
    path, losses = gradient_descent(X, y, start, lr=1.5 / curvature(X)[-1], steps=steps)
    results[name] = (X, y, path, losses - best_loss, w_best)
    reached = np.flatnonzero(losses - best_loss < 1e-6)
    print(f"{name:22s} J − J* after {steps} steps: {losses[-1] - best_loss:.2e};"
          f" first step within 1e-6: {reached[0] if reached.size else 'never'}")

gap_raw, gap_std = results["raw features"][3], results["standardized features"][3]
assert gap_std[-1] < 1e-8 < 1e-3 < gap_raw[-1]
assert np.flatnonzero(gap_std < 1e-6)[0] < 20

# %%
fig = Figure(figsize=(12, 8), layout="constrained")
grid = fig.add_gridspec(2, 2, height_ratios=(1.3, 1))
for k, (name, (X, y, path, gap, w_best)) in enumerate(results.items()):
    ax = fig.add_subplot(grid[0, k])
    lo, hi = np.minimum(path.min(0), w_best), np.maximum(path.max(0), w_best)
    pad = 0.25 * (hi - lo).max()
    a, b = np.meshgrid(np.linspace(lo[0] - pad, hi[0] + pad, 200), np.linspace(lo[1] - pad, hi[1] + pad, 200))
    W = np.stack([a.ravel(), b.ravel()], axis=1)
    J = ((X @ W.T - y[:, None]) ** 2).mean(axis=0).reshape(a.shape)
    ax.contour(a, b, np.log(J), levels=30, cmap="viridis", linewidths=0.8)
    ax.plot(path[:, 0], path[:, 1], ".-", color="tab:red", linewidth=1, markersize=4, label="gradient descent")
    ax.plot(*path[0], "k*", markersize=12, label="start")
    ax.plot(*w_best, "P", color="gold", markeredgecolor="k", markersize=11, label="minimum")
    ax.set_aspect("equal")
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    kappa = curvature(X)[-1] / curvature(X)[0]
    ax.set_title(f"{name}: κ = {kappa:.1f}")
    ax.legend(fontsize=8, loc="upper right")
ax = fig.add_subplot(grid[1, :])
for name, (_, _, _, gap, _) in results.items():
    ax.semilogy(np.maximum(gap, 1e-16), "o-", markersize=3, label=name)
ax.set_xlabel("gradient descent step")
ax.set_ylabel("J(w) − J(w*)  (log scale)")
ax.set_title(f"Same rule η = 1.5/λ_max, {steps} steps")
ax.legend()
ax.grid(alpha=0.3)
fig.suptitle("Feature scaling: an elongated valley vs a round bowl")
save_figure(fig, "06_feature_scaling.png")
fig

# %% [markdown]
# On the raw features the gradient points mostly across the narrow valley, not
# along it: the first steps overshoot the valley floor and bounce across it (the
# zig-zag), and then progress along the floor is slow: each step multiplies the
# remaining distance along it by 1 − 1.5/κ ≈ 0.96. After standardizing, the
# contours are nearly circles, the gradient points at the minimum and a dozen
# steps reach it.
# Standardize the inputs (fitting the scaler on the training set only) before
# anything else: it is the cheapest optimizer improvement there is.

# %% [markdown]
# ### Min–max scaling, and its outlier problem
#
# The course's other scaler maps each feature onto [0, 1]:
# x′ = (x − min) / (max − min) (`MinMaxScaler`; LeCun et al. 1998 recommend
# centring as well, which standardization does). On clean data both scalers
# round the bowl. But min–max uses only the two most extreme values of each
# feature, so **a single outlier** decides the scale of all the others: one
# reading of 1000 among values between 0 and 20 squeezes every normal value into
# [0, 0.02]. Standardization divides by the standard deviation, to which every
# point contributes, and the squeeze is milder. We add one such outlier to x₂
# and compare the spread of the 100 normal values and the condition number of
# the resulting bowl.

# %%
X_outlier = np.vstack([X_raw, [3.0, 1000.0]])            # one faulty reading of x₂
spread, kappa_after = {}, {}
for name, scaler_cls in (("min-max", MinMaxScaler), ("standard", StandardScaler)):
    clean = scaler_cls().fit(X_raw).transform(X_raw)
    dirty = scaler_cls().fit(X_outlier).transform(X_outlier)[:-1]     # the 100 normal rows
    spread[name] = np.ptp(dirty[:, 1])
    kappa_after[name] = curvature(dirty)[-1] / curvature(dirty)[0]
    print(f"{name:8s} x₂ range of the normal rows: clean {np.ptp(clean[:, 1]):.3f}, with the outlier "
          f"{spread[name]:.3f};  κ with the outlier {kappa_after[name]:.1f}")
assert np.allclose(MinMaxScaler().fit(X_raw).transform(X_raw).min(axis=0), 0)
assert np.allclose(MinMaxScaler().fit(X_raw).transform(X_raw).max(axis=0), 1)
assert spread["min-max"] < 0.03 and spread["standard"] > 5 * spread["min-max"]
assert kappa_after["min-max"] > 10 * kappa_after["standard"]

# %% [markdown]
# With min–max scaling and one outlier, the bowl is a long valley again. Look at
# the data (and fix or drop faulty readings) before scaling; when outliers are
# genuine, standardization, or a robust scale such as the interquartile range,
# suffers less.

# %% [markdown]
# ## The optimizers on a 2-D surface
#
# `optimizer_trajectories` (in `minigrad.course.experiments`) runs minigrad
# optimizers on a function of two numbers; `viz.plot_optimizer_trajectories` draws
# their paths over its contours. The default surface is
# `f(x, y) = x²/2 + 10y²`, a valley with κ = 20 and its minimum at (0, 0).
#
# ### SGD, momentum and Nesterov (Polyak 1964; Sutskever et al. 2013)
#
# Momentum keeps a velocity, a running sum of past gradients:
#
#   v ← μv − η∇J,   w ← w + v   (0 < μ < 1).
#
# Across the valley the gradients alternate in sign and cancel in v; along it
# they agree and add up. Nesterov's version evaluates the gradient at the point
# the velocity is about to carry us to, w + μv, and corrects earlier.

# %%
steps = 50
classic = {
    "SGD, η=0.02": (optim.SGD, {"lr": 0.02}),
    "SGD, η=0.09 (near 2/λ_max = 0.1)": (optim.SGD, {"lr": 0.09}),
    "momentum μ=0.9, η=0.02": (optim.SGD, {"lr": 0.02, "momentum": 0.9}),
    "Nesterov μ=0.9, η=0.02": (optim.SGD, {"lr": 0.02, "momentum": 0.9, "nesterov": True}),
}
paths = optimizer_trajectories(optimizers=classic, steps=steps)
distance = {name: np.linalg.norm(path[-1]) for name, path in paths.items()}
for name, d in distance.items():
    print(f"{name:34s} distance to the minimum after {steps} steps: {d:.4f}")
assert distance["momentum μ=0.9, η=0.02"] < distance["SGD, η=0.02"] / 4   # same η, 4× closer
assert distance["Nesterov μ=0.9, η=0.02"] < distance["momentum μ=0.9, η=0.02"]

fig = viz.plot_optimizer_trajectories(optimizers=classic, steps=steps,
                                      title=f"x²/2 + 10y²: {steps} steps of SGD, momentum and Nesterov")
save_figure(fig, "06_trajectories_momentum.png")
fig

# %% [markdown]
# With the same η, momentum gets far closer than SGD; SGD can only catch up by
# raising η to the edge of stability, where it zig-zags across the valley.
#
# ### Adaptive methods (Duchi et al. 2011; Hinton 2012; Kingma & Ba 2015)
#
# AdaGrad, RMSProp and Adam divide each coordinate's step by the size of that
# coordinate's recent gradients, so a steep direction and a flat direction move at
# similar speeds: they partly undo a bad conditioning by themselves. Newton's
# method (below) uses the exact curvature instead.

# %%
adaptive = {
    "AdaGrad η=1": (optim.Adagrad, {"lr": 1.0}),
    "RMSProp η=0.1": (optim.RMSprop, {"lr": 0.1}),
    "Adadelta η=1": (optim.Adadelta, {"lr": 1.0}),
    "Adam η=0.3": (optim.Adam, {"lr": 0.3}),
    "AdamW η=0.3": (optim.AdamW, {"lr": 0.3, "weight_decay": 0.01}),
    "Adamax η=0.5": (optim.Adamax, {"lr": 0.5}),
    "NAdam η=0.3": (optim.NAdam, {"lr": 0.3}),
    "Newton": (optim.Newton, {"damping": 0.0}),
}
paths = optimizer_trajectories(optimizers=adaptive, steps=steps)
for name, path in paths.items():
    print(f"{name:14s} distance to the minimum after {steps} steps: {np.linalg.norm(path[-1]):.2e}")
assert np.allclose(paths["Newton"][1], 0.0)                       # Newton: there after one step
assert np.linalg.norm(paths["RMSProp η=0.1"][-1]) < 1e-2
assert np.linalg.norm(paths["Adadelta η=1"][-1]) > 3.0           # Adadelta has barely started

fig = viz.plot_optimizer_trajectories(optimizers=adaptive, steps=steps,
                                      title=f"x²/2 + 10y²: {steps} steps of adaptive methods and Newton")
save_figure(fig, "06_trajectories_adaptive.png")
fig

# %% [markdown]
# Adadelta hardly moves: its step is √(u + ε)/√(v + ε)·g, and the running average u
# of past squared steps starts at 0, so its first step is about √ε/√(1 − ρ) ≈ 0.003
# in each coordinate (ε = 1e-6, ρ = 0.9), whatever the gradient. It needs hundreds
# of steps to warm up — a reminder that "no learning rate to tune" does not mean
# "fast".
#
# ### The race, step by step
#
# `viz.animate_optimizers` replays four of these runs together, one step per
# frame: watch plain SGD creep along the valley floor while momentum swings across
# it, RMSProp (each coordinate's step rescaled by its own gradient history) cut
# almost straight to the minimum, and Adam, which adds momentum to that rescaling,
# overshoot and circle back in (Goodfellow et al. 2016, §8.3 and §8.5; Kingma & Ba
# 2015).

# %%
race_steps = 10 if QUICK else steps
race = {name: classic[name] for name in ("SGD, η=0.02", "momentum μ=0.9, η=0.02")}
race.update({name: adaptive[name] for name in ("RMSProp η=0.1", "Adam η=0.3")})
anim = viz.animate_optimizers(optimizers=race, steps=race_steps, resolution=40 if QUICK else 120)
show_file(viz.save_animation(anim, figure_path("06_optimizers_race.gif"), dpi=40 if quick() else 100))
last = {name: np.linalg.norm(path[-1]) for name, path in anim.paths.items()}
print(f"after {race_steps} steps, distance to the minimum:", {name: round(float(d), 3) for name, d in last.items()})
assert anim.n_frames == race_steps + 1 and all(len(path) == race_steps + 1 for path in anim.paths.values())
for name in ("RMSProp η=0.1", "Adam η=0.3"):  # the very runs drawn above, frame by frame
    assert np.allclose(anim.paths[name], paths[name][: race_steps + 1])
assert max(last, key=last.get) == "SGD, η=0.02"  # plain SGD is last in the race

# %% [markdown]
# ## The course's update rules, checked by hand
#
# The course writes each optimizer as a few lines of NumPy (from Stanford's CS231n
# course notes). We run those lines on the same valley, with the gradient
# ∇f(w) = (w₁, 20w₂) computed by hand, and compare every step with minigrad's
# optimizer, which differentiates f itself.

# %%
def f(w):
    return 0.5 * w[0] ** 2 + 10.0 * w[1] ** 2


def grad_f(w):
    return np.array([w[0], 20.0 * w[1]])


def minigrad_path(make_optimizer, start, steps):
    """The points visited by a minigrad optimizer on f, starting at ``start``."""
    w = nn.Parameter(np.array(start, dtype=np.float64), dtype="float64")
    opt = make_optimizer([w])
    points = []
    for _ in range(steps):
        opt.zero_grad()
        f(w).backward()
        opt.step()
        points.append(w.numpy().copy())
    return np.array(points)


start, lr, mu, n_steps = np.array([-4.0, 1.5]), 0.02, 0.9, 3

# Momentum (CS231n notes): v = mu * v - learning_rate * dx; x += v
x, v, hand = start.copy(), np.zeros(2), []
for _ in range(n_steps):
    v = mu * v - lr * grad_f(x)
    x = x + v
    hand.append(x.copy())
ours = minigrad_path(lambda p: optim.SGD(p, lr=lr, momentum=mu), start, n_steps)
print("momentum, by hand:\n", np.array(hand).round(4), "\nminigrad:\n", ours.round(4))
assert np.allclose(ours, hand, atol=1e-12)

# %% [markdown]
# minigrad (like PyTorch) stores the velocity in gradient units, b = −v/η, but the
# points visited are exactly the course's.
#
# **Nesterov.** The course computes the gradient at the look-ahead point
# x_ahead = x + μv. minigrad uses Sutskever's rewrite, which needs only the
# gradient at the point it stores — and the point it stores *is* the look-ahead
# point. So minigrad's iterates equal the course's x + μv:

# %%
x, v, lookahead = start.copy(), np.zeros(2), []
for _ in range(n_steps):
    x_ahead = x + mu * v
    v = mu * v - lr * grad_f(x_ahead)     # evaluate dx_ahead (the gradient at x_ahead)
    x = x + v
    lookahead.append(x + mu * v)
ours = minigrad_path(lambda p: optim.SGD(p, lr=lr, momentum=mu, nesterov=True), start, n_steps)
assert np.allclose(ours, lookahead, atol=1e-12)
print("Nesterov: minigrad's points equal the course's look-ahead points x + μv")

# %% [markdown]
# **AdaGrad** (`cache += dx**2; x += -lr * dx / (np.sqrt(cache) + eps)`) and
# **RMSProp** (`cache = decay_rate * cache + (1 - decay_rate) * dx**2`, the same
# step): minigrad's `Adagrad` and `RMSprop` (with `alpha` = decay_rate) take
# exactly these steps.

# %%
eps, lr_adaptive, decay_rate = 1e-10, 0.5, 0.9
x, cache, hand = start.copy(), np.zeros(2), []
for _ in range(n_steps):
    dx = grad_f(x)
    cache += dx**2
    x += -lr_adaptive * dx / (np.sqrt(cache) + eps)
    hand.append(x.copy())
ours = minigrad_path(lambda p: optim.Adagrad(p, lr=lr_adaptive, eps=eps), start, n_steps)
assert np.allclose(ours, hand, atol=1e-12)

x, cache, hand = start.copy(), np.zeros(2), []
for _ in range(n_steps):
    dx = grad_f(x)
    cache = decay_rate * cache + (1 - decay_rate) * dx**2
    x += -lr_adaptive * dx / (np.sqrt(cache) + eps)
    hand.append(x.copy())
ours = minigrad_path(lambda p: optim.RMSprop(p, lr=lr_adaptive, alpha=decay_rate, eps=eps), start, n_steps)
assert np.allclose(ours, hand, atol=1e-12)
print("AdaGrad and RMSProp: minigrad = the course's formulas")

# %% [markdown]
# **Adam.** The course's three lines are
#
#     m = beta1*m + (1-beta1)*dx
#     v = beta2*v + (1-beta2)*(dx**2)
#     x += - learning_rate * m / (np.sqrt(v) + eps)
#
# Adam as published (and in Keras, PyTorch, minigrad) adds one thing the course
# leaves out: **bias correction**. m and v start at 0, so in the first steps they
# are too small, m by a factor 1 − β₁ᵗ and v by 1 − β₂ᵗ. Adam divides those
# factors out: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), and steps by −η m̂/(√v̂ + ε).

# %%
beta1, beta2, eps_adam, lr_adam = 0.9, 0.999, 1e-8, 0.1
x, m, v, with_correction, slide_version = start.copy(), np.zeros(2), np.zeros(2), [], []
x_slide = start.copy()
m_s, v_s = np.zeros(2), np.zeros(2)
for t in range(1, n_steps + 1):
    dx = grad_f(x)
    m = beta1 * m + (1 - beta1) * dx
    v = beta2 * v + (1 - beta2) * dx**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    x = x - lr_adam * m_hat / (np.sqrt(v_hat) + eps_adam)
    with_correction.append(x.copy())
    dx = grad_f(x_slide)                                   # the course's lines, literally
    m_s = beta1 * m_s + (1 - beta1) * dx
    v_s = beta2 * v_s + (1 - beta2) * dx**2
    x_slide = x_slide - lr_adam * m_s / (np.sqrt(v_s) + eps_adam)
    slide_version.append(x_slide.copy())
ours = minigrad_path(lambda p: optim.Adam(p, lr=lr_adam, betas=(beta1, beta2), eps=eps_adam), start, n_steps)
print("Adam with bias correction:\n", np.array(with_correction).round(4), "\nminigrad:\n", ours.round(4))
print("the course's lines without correction:\n", np.array(slide_version).round(4))
assert np.allclose(ours, with_correction, atol=1e-12)

first_step = ours[0] - start
print("first Adam step:", first_step.round(6), " = η·sign(g):", -lr_adam * np.sign(grad_f(start)))
assert np.allclose(first_step, -lr_adam * np.sign(grad_f(start)), atol=1e-8)
slide_first = slide_version[0] - start
assert np.allclose(np.abs(slide_first), lr_adam * (1 - beta1) / np.sqrt(1 - beta2), rtol=1e-6)  # ≈ 3.16 η

# %% [markdown]
# With bias correction the first step is exactly η in every coordinate, whatever
# the size of the gradient (m̂ = g and v̂ = g², so m̂/√v̂ = sign g): η is the step
# size in parameter units. Without it, the first steps are (1 − β₁)/√(1 − β₂) ≈ 3.16
# times too large.
#
# ## Newton's method (Goodfellow et al. 2016, "Deep Learning", §8.6.1)
#
# Newton's method rescales the gradient by the inverse curvature:
#
#   w ← w − η H⁻¹ ∇J,   H_ij = ∂²J/∂w_i∂w_j.
#
# On a quadratic, the model is exact, so with η = 1 a single step lands on the
# minimum — whatever the condition number. We take the badly scaled regression
# from the start of the lesson, where gradient descent was still far away after
# 60 steps. `optim.Newton` builds H with minigrad's double backward
# (`create_graph=True`); its `step` needs a closure that returns the loss.

# %%
X_t = mg.tensor(X_raw, dtype="float64")
w = nn.Parameter(np.array([-1.0, 0.6]), dtype="float64")


def mse():
    return ((X_t @ w - y_raw) ** 2).mean()


g, H = hessian(mse(), [w])                                   # what Newton computes
assert np.allclose(H, 2 / n * X_raw.T @ X_raw, atol=1e-9)    # H = (2/n) XᵀX
w_hand = w.numpy() - np.linalg.solve(H, g)                   # the course's step with η = 1

newton = optim.Newton([w], lr=1.0, damping=0.0)
newton.step(mse)
w_best = np.linalg.lstsq(X_raw, y_raw, rcond=None)[0]
print("after one Newton step:", w.numpy().round(6), " least squares:", w_best.round(6))
assert np.allclose(w.numpy(), w_hand, atol=1e-10)
assert np.allclose(w.numpy(), w_best, atol=1e-8)

# %% [markdown]
# The price: H has n² entries for n weights and solving with it costs about n³
# operations ("inverting H is computationally expensive"), so Newton's method is
# for small models; `optim.Newton` refuses models with more than 2000 weights.
#
# ## A real comparison: the digits
#
# Finally, one small network (64 → 32 → 10, ReLU) on the bundled 8×8 digits,
# trained for a few epochs with each optimizer at a learning rate that is usual
# for it. Every run starts from the same weights and sees the same mini-batches.

# %%
X_digits, y_digits = load_digits()
(X_tr, y_tr), (X_va, y_va), _ = train_val_test_split(X_digits, y_digits, (0.6, 0.2, 0.2),
                                                     stratify=True, seed=0)
if QUICK:
    X_tr, y_tr = X_tr[:400], y_tr[:400]
scaler = StandardScaler().fit(X_tr)
X_tr, X_va = scaler.transform(X_tr), scaler.transform(X_va)
epochs = 4 if QUICK else 15

contenders = {
    "SGD η=0.01": (optim.SGD, {"lr": 0.01}),
    "momentum η=0.01": (optim.SGD, {"lr": 0.01, "momentum": 0.9}),
    "Nesterov η=0.01": (optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    "AdaGrad η=0.05": (optim.Adagrad, {"lr": 0.05}),
    "RMSProp η=0.001": (optim.RMSprop, {"lr": 0.001}),
    "Adadelta η=1": (optim.Adadelta, {"lr": 1.0}),
    "Adam η=0.003": (optim.Adam, {"lr": 0.003}),
    "AdamW η=0.003": (optim.AdamW, {"lr": 0.003}),
    "Adamax η=0.006": (optim.Adamax, {"lr": 0.006}),
    "NAdam η=0.003": (optim.NAdam, {"lr": 0.003}),
}
histories = {}
for name, (cls, kwargs) in contenders.items():
    mg.manual_seed(0)
    model = nn.MLP([64, 32, 10], activation="relu")
    histories[name] = fit(model, "cross_entropy", cls(model.parameters(), **kwargs), (X_tr, y_tr),
                          epochs=epochs, batch_size=32, validation_data=(X_va, y_va), metrics=["accuracy"],
                          progress=False, seed=0)
    h = histories[name]
    print(f"{name:16s} val loss {h['val_loss'][-1]:.3f}  val accuracy {h['val_accuracy'][-1]:.3f}")

sgd_loss = histories["SGD η=0.01"]["val_loss"][-1]
for name in ("momentum η=0.01", "Nesterov η=0.01", "AdaGrad η=0.05", "Adam η=0.003", "NAdam η=0.003"):
    assert histories[name]["val_loss"][-1] < sgd_loss, name

# %%
fig = Figure(figsize=(12, 4.5), layout="constrained")
axes = fig.subplots(1, 2)
styles = ["-", "--", ":", "-.", "-", "--", "-", "--", ":", "-."]
for (name, h), style in zip(histories.items(), styles):
    epochs_axis = np.arange(1, len(h["loss"]) + 1)
    axes[0].plot(epochs_axis, h["loss"], style, marker=".", label=name)
    axes[1].plot(epochs_axis, h["val_loss"], style, marker=".", label=name)
axes[0].set_title("training loss")
axes[1].set_title("validation loss")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
axes[1].legend(fontsize=8, ncol=2)
fig.suptitle("The same network on the digits, one optimizer per curve")
save_figure(fig, "06_optimizers_digits.png")
fig

# %% [markdown]
# Plain SGD at η = 0.01 is clearly the slowest; momentum at the same η, and the
# adaptive methods at their usual settings, get much further in the same number of
# epochs. Which one wins among those depends on the problem and on tuning: Adam
# (or AdamW) with η around 1e-3…3e-3 is a sound default, and SGD with momentum,
# carefully tuned and scheduled (`optim.lr_scheduler`), often generalizes as well
# or better on large problems.

# %% [markdown]
# ## Online training: one example at a time
#
# Mini-batch gradient descent averages the gradient over m examples. "The limit
# case in which m = 1 is called **online** training" (Bottou 2012, "Stochastic
# Gradient Descent Tricks"; Goodfellow et al. 2016, §8.1.3): it makes sense when
# the examples keep coming, but each step follows the gradient of one example,
# a noisy estimate. Back on the standardized regression problem, with the same
# η = 0.05 for every batch size, we record J(w) − J(w*) after every step.

# %%
w_star = np.linalg.lstsq(X_std, y_std, rcond=None)[0]
J_star = ((X_std @ w_star - y_std) ** 2).mean()
EPOCHS_ONLINE = 8


def minibatch_descent(batch_size, epochs=EPOCHS_ONLINE, lr=0.05):
    """SGD on the MSE with mini-batches of ``batch_size`` (1: online); the gap J − J* after each step."""
    w = nn.Parameter(np.array([-1.0, 2.0]), dtype="float64")
    opt = optim.SGD([w], lr=lr)
    order_rng = np.random.default_rng(0)
    gaps = [((X_std @ w.numpy() - y_std) ** 2).mean() - J_star]
    for _ in range(epochs):
        order = order_rng.permutation(len(X_std))
        for start in range(0, len(X_std), batch_size):
            rows = order[start:start + batch_size]
            loss = ((mg.tensor(X_std[rows], dtype="float64") @ w - y_std[rows]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            gaps.append(((X_std @ w.numpy() - y_std) ** 2).mean() - J_star)
    return np.array(gaps)


runs = {m: minibatch_descent(m) for m in (1, 10, len(X_std))}
for m, gaps in runs.items():
    per_epoch = (len(gaps) - 1) // EPOCHS_ONLINE
    last = gaps[-per_epoch:]
    print(f"m = {m:3d}: {per_epoch:3d} steps per epoch; J − J* after 1 epoch {gaps[per_epoch]:.4f}, "
          f"during the last epoch between {last.min():.4f} and {last.max():.4f}")
online_gaps, full_gaps = runs[1], runs[len(X_std)]
assert online_gaps[100] < 0.1 < full_gaps[1]                     # one epoch: 100 small steps beat 1 exact one
assert online_gaps[-100:].max() > 3 * online_gaps[-100:].min()   # ... but online keeps jittering
assert np.all(np.diff(full_gaps) <= 0)                           # full batch: every step goes downhill

fig = Figure(figsize=(7, 4), layout="constrained")
ax = fig.subplots()
for m, gaps in runs.items():
    label = f"m = {m}" + {1: " (online)", len(X_std): " (full batch)"}.get(m, "")
    ax.semilogy(np.arange(len(gaps)) * EPOCHS_ONLINE / (len(gaps) - 1), gaps,
                ".-" if m == len(X_std) else "-", linewidth=0.8 if m == 1 else 1.5, label=label)
ax.set_xlabel("epoch")
ax.set_ylabel("J(w) − J(w*)")
ax.set_title("Same η, same epochs: online is fast and noisy, full batch slow and smooth")
ax.legend()
ax.grid(alpha=0.3)
save_figure(fig, "06_online_training.png")
fig

# %% [markdown]
# In one pass over the data the online learner has taken 100 steps and the
# full-batch learner one, so online training gets close much sooner; but a
# single example's gradient does not vanish at the minimum, so with a constant η
# online SGD ends up hovering around w* instead of settling on it. Mini-batches
# (here m = 10) sit between the two, and they let the hardware work on many
# examples at once (lesson 11); a decaying learning rate removes the jitter.
#
# ## Choosing the learning rate by watching the cost
#
# The course's practical advice on η: "it can be adjusted by monitoring the cost
# on the training set" (Bengio 2012, "Practical Recommendations for
# Gradient-Based Training of Deep Architectures", §3.1). When the cost stops
# going down, or goes up, the step is too large for where we are now.
# `optim.lr_scheduler.ReduceLROnPlateau` does this bookkeeping: call
# `step(cost)` once per epoch and it multiplies η by `factor` after `patience`
# epochs without improvement. A `LambdaCallback` calls it from `fit`. We start
# the digits network with a deliberately large η = 0.3 (momentum 0.9), once
# with a constant η and once watching the training cost.

# %%
plateau_runs = {}
for watch in (False, True):
    mg.manual_seed(0)
    model = nn.MLP([64, 32, 10], activation="relu")
    optimizer = optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
    rates, callbacks = [], []
    if watch:
        plateau = optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.3, patience=1)
        callbacks.append(LambdaCallback(on_epoch_end=lambda epoch, logs: plateau.step(logs["loss"])))
    callbacks.append(LambdaCallback(on_epoch_end=lambda epoch, logs: rates.append(optimizer.param_groups[0]["lr"])))
    with np.errstate(over="ignore", invalid="ignore"):
        history = fit(model, "cross_entropy", optimizer, (X_tr[:400], y_tr[:400]), epochs=12, batch_size=32,
                      progress=False, seed=0, callbacks=callbacks)
    plateau_runs["ReduceLROnPlateau" if watch else "constant η = 0.3"] = (history["loss"], rates)
for name, (loss, rates) in plateau_runs.items():
    print(f"{name:18s} training cost per epoch:", np.round(loss, 3))
    print(f"{'':18s} η after each epoch:     ", np.round(rates, 4))
constant_loss, _ = plateau_runs["constant η = 0.3"]
watched_loss, watched_rates = plateau_runs["ReduceLROnPlateau"]
assert watched_rates[-1] < 0.3 and watched_loss[-1] < 0.05 < 1.0 < constant_loss[-1]

fig = Figure(figsize=(11, 3.8), layout="constrained")
ax_loss, ax_lr = fig.subplots(1, 2)
for name, (loss, rates) in plateau_runs.items():
    ax_loss.semilogy(np.arange(1, len(loss) + 1), loss, "o-", label=name)
    ax_lr.plot(np.arange(1, len(rates) + 1), rates, "o-", label=name)
ax_loss.set_title("training cost")
ax_lr.set_title("learning rate η (after each epoch)")
for ax in (ax_loss, ax_lr):
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
save_figure(fig, "06_reduce_lr_on_plateau.png")
fig

# %% [markdown]
# With the constant η the cost starts well and then climbs: the steps are too long
# for the narrow valleys near a minimum. Watching the cost, the scheduler cuts η
# by 0.3 as soon as the cost has not improved for two epochs, and training
# settles. (Keras' `ReduceLROnPlateau` callback is the same idea; monitoring the
# *validation* loss instead also guards against overfitting, lesson 7.)

# %% [markdown]
# ## Exercises
#
# 1. **The course's extreme example.** Run `gradient_descent` on `X_slide` (x₂ up to
#    99999) with η = 1.5/λ_max for 1000 steps. How much does w₁ change? Then
#    standardize and try again. *Hint:* the factor per step along the flat axis is
#    1 − 1.5/κ.
# 2. **The stability limit.** On the default valley f = x²/2 + 10y², run SGD with
#    η = 0.099 and η = 0.101. What happens and why? *Hint:* along y the iteration is
#    y ← (1 − 20η) y.
# 3. **Rosenbrock's banana.** Pass `minigrad.course.experiments.rosenbrock` and
#    `start=(-1.5, 2.0)` to `viz.plot_optimizer_trajectories` with 500 steps. Which
#    optimizers reach (1, 1)? Which learning rates make SGD diverge? *Hint:* the
#    curvature is about 100× larger across the valley than along it, and changes from
#    place to place.
# 4. **Newton beyond quadratics.** Fit a logistic regression (one `nn.Linear(2, 1)`,
#    `nn.losses.binary_cross_entropy(..., from_logits=True)`) to
#    `make_moons(200, noise=0.3)` with `optim.Newton`. Print `newton.last_grad_norm`
#    after each step. How many steps does it take? *Hint:* near the minimum the
#    number of correct digits roughly doubles per step. (Why would it fail on
#    perfectly separable data? Where is the minimum then?)
# 5. **Adam's bias correction.** Set `beta2=0.99999` in the hand-written
#    version (`slide_version`). How large is its first step now compared with η? *Hint:*
#    (1 − β₁)/√(1 − β₂).

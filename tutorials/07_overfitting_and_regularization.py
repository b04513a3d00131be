# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 7. Overfitting and regularization
#
# Why does a neural network overfit? The course answers in one line: "There are too
# many free parameters." A network with thousands of weights trained on fifteen
# points can learn the points *and their noise*, with high accuracy on the
# training data and poor generalization (Goodfellow et al. 2016, "Deep
# Learning", §5.2). A model that is too simple fails the other way: it misses the
# pattern, and does badly on both training and test data.
#
# Regularization is "any modification in the learning algorithm whose goal is to
# reduce the generalization error and not the training error" (Goodfellow et al.
# 2016, §5.2.2). This
# lesson goes through the course's toolbox, each time on the same small problem:
#
# 1. under- and overfitting, and the learning curves that reveal them;
# 2. norm penalties — L1, L2 and elastic net — with the course's formulas checked
#    (and converted between the λ/(2m), weight-decay and Keras conventions), the
#    L1 diamond against the L2 circle, L1's sparse weights, and the penalties on
#    biases, activities and orthogonality;
# 3. dropout, vanilla and inverted, with the course's worked example, across
#    architectures;
# 4. data augmentation with Gaussian noise and with new samples drawn from the
#    data's distribution;
# 5. early stopping.

# %%
import numpy as np
from matplotlib.figure import Figure

import minigrad as mg
import viz
from minigrad import nn, optim
from minigrad.data import augment, gaussian_noise, make_regression
from minigrad.course.lessons import quick, save_figure
from minigrad.nn import regularizers
from minigrad.train import EarlyStopping, evaluate, fit, predict

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite sets it)

# %% [markdown]
# ## A small, noisy data set
#
# `make_regression` draws x uniformly in [−1, 1] and y = sin(πx) + noise. We take
# only **15 training points** with noise of standard deviation 0.25, a validation
# set of 50 points to watch training, and a test set of 300 points to measure
# generalization. The best possible test MSE is the noise variance, 0.25² = 0.0625.
# Targets are column vectors (n, 1), the shape of the networks' output.

# %%
X_train, y_train = make_regression(15, noise=0.25, seed=1)
X_val, y_val = make_regression(50, noise=0.25, seed=3)
X_test, y_test = make_regression(300, noise=0.25, seed=2)
y_train, y_val, y_test = y_train[:, None], y_val[:, None], y_test[:, None]
x_grid = np.linspace(-1, 1, 200)[:, None]
noise_floor = 0.25**2

EPOCHS = 700 if QUICK else 1000   # full-batch Adam steps (15 points = one batch)


def train(model, data=(X_train, y_train), epochs=EPOCHS, callbacks=(), lr=0.01, batch_size=15):
    """Adam on the MSE, watching the validation set; returns the History."""
    return fit(model, "mse", optim.Adam(model.parameters(), lr=lr), data, epochs=epochs,
               batch_size=batch_size, validation_data=(X_val, y_val), callbacks=callbacks,
               progress=False, seed=0)


def test_mse(model):
    return evaluate(model, "mse", X_test, y_test)["loss"]


def huge_net(**options):
    """Three hidden layers of 48 ReLUs: about 4,900 weights for 15 points."""
    return nn.MLP([1, 48, 48, 48, 1], activation="relu", **options)

# %% [markdown]
# ## Underfitting and overfitting
#
# Three models of growing capacity, like the course's polynomial pictures
# ("under-fitting, appropriate-fitting, over-fitting"): a straight line (2
# parameters), a small network with 8 tanh units (25 parameters) and the huge
# network (4,900 parameters). Each is trained to convergence on the 15 points.

# %%
models = {}
mg.manual_seed(0)
models["line (underfits)"] = nn.Linear(1, 1)
mg.manual_seed(0)
models["8 tanh units (about right)"] = nn.MLP([1, 8, 1], activation="tanh")
mg.manual_seed(0)
models["48×48×48 ReLUs (overfits)"] = huge_net()

histories, scores = {}, {}
for name, model in models.items():
    histories[name] = train(model)
    scores[name] = (evaluate(model, "mse", X_train, y_train)["loss"], test_mse(model))
    print(f"{name:28s} {model.num_parameters():5d} parameters   train MSE {scores[name][0]:.4f}"
          f"   test MSE {scores[name][1]:.4f}")

line, small, huge = (scores[k] for k in models)
assert huge[0] < small[0] < line[0]          # more capacity, lower training error ...
assert small[1] < huge[1] and small[1] < line[1]   # ... but the middle one generalizes best
assert huge[0] < 0.01 < 0.05 < huge[1]       # the huge net fits the noise

# %%
fig = Figure(figsize=(14, 4), layout="constrained")
axes = fig.subplots(1, 3, sharey=True)
for ax, (name, model) in zip(axes, models.items()):
    ax.plot(x_grid, np.sin(np.pi * x_grid), "k--", linewidth=1, label="truth sin(πx)")
    ax.plot(x_grid, predict(model, x_grid), "tab:red", linewidth=2, label="model")
    ax.scatter(X_train, y_train, s=25, color="tab:blue", zorder=3, label="15 training points")
    train_err, test_err = scores[name]
    ax.set_title(f"{name}\ntrain MSE {train_err:.3f}, test MSE {test_err:.3f}", fontsize=10)
    ax.set_xlabel("x")
    ax.set_ylim(-2, 2)
    ax.grid(alpha=0.3)
axes[0].set_ylabel("y")
axes[0].legend(fontsize=8, loc="lower right")
fig.suptitle("Capacity: underfitting, a good fit, overfitting")
save_figure(fig, "07_under_and_overfitting.png")
fig

# %% [markdown]
# ### Learning curves
#
# The learning curves of the huge network tell the same story over time: the
# training loss keeps falling towards 0, while the validation loss reaches a minimum
# early and then climbs as the network starts memorizing noise ("from a given number
# of epochs on, the model fits too much to the training set and starts generalizing
# worse"; Goodfellow et al. 2016, §7.8). `viz.plot_learning_curves` marks the best
# epoch.

# %%
history_huge = histories["48×48×48 ReLUs (overfits)"]
val = np.array(history_huge["val_loss"])
best_epoch = int(val.argmin()) + 1
print(f"best validation loss {val.min():.4f} at epoch {best_epoch}; at the end {val[-1]:.4f}")
assert best_epoch < len(val) / 2 and val[-1] > 1.3 * val.min()
assert history_huge["loss"][-1] < history_huge["loss"][best_epoch - 1]

fig = viz.plot_learning_curves(history_huge, title="The huge network on 15 points")
fig.axes[0].set_yscale("log")
save_figure(fig, "07_learning_curves_overfitting.png")
fig

# %% [markdown]
# ## Norm penalties: L1, L2 and elastic net
#
# Regularization adds a complexity term to the cost (Goodfellow et al. 2016,
# §7.1): J_λ(w) = J(w) + λR(w). With R(w) = Σᵢ |wᵢ|^q, q = 1 gives L1 and q = 2
# gives L2 (Bishop 2006, §3.1.4); the **elastic net** (Zou & Hastie 2005) mixes
# them with a parameter β:
#
# - L1 (Lasso): λ Σⱼ |wⱼ|
# - L2 (Ridge): λ Σⱼ wⱼ² = λ wᵀw
# - elastic net: λ Σⱼ (β |wⱼ| + (1 − β)/2 · wⱼ²)
#
# `nn.regularizers` has them as `L1(l1)`, `L2(l2)` and `ElasticNet(lam, beta)`
# (Keras' convention, as in the course: no factor ½ in L2). We check their values
# on a small weight vector.

# %%
w_values = np.array([1.5, -0.5, 0.0, 2.0])
w = mg.tensor(w_values, dtype="float64", requires_grad=True)
lam, beta = 0.1, 0.3

l1, l2, elastic = regularizers.L1(lam)(w), regularizers.L2(lam)(w), regularizers.ElasticNet(lam, beta)(w)
print(f"L1 {l1.item():.4f}   L2 {l2.item():.4f}   elastic net {elastic.item():.4f}")
assert np.isclose(l1.item(), lam * np.abs(w_values).sum())                     # 0.1 · 4 = 0.4
assert np.isclose(l2.item(), lam * w_values @ w_values)                        # 0.1 · 6.5 = 0.65
assert np.isclose(elastic.item(), lam * np.sum(beta * np.abs(w_values) + (1 - beta) / 2 * w_values**2))
assert np.isclose(l1.item(), 0.4) and np.isclose(l2.item(), 0.65) and np.isclose(elastic.item(), 0.3475)
# β = 1 is L1, β = 0 is L2 with λ/2:
assert np.isclose(regularizers.ElasticNet(lam, 1.0)(w).item(), l1.item())
assert np.isclose(regularizers.ElasticNet(lam, 0.0)(w).item(), regularizers.L2(lam / 2)(w).item())

# %% [markdown]
# Their gradients explain their different effects. L2's gradient 2λw is
# proportional to the weight: big weights shrink fast, small ones barely. L1's
# gradient λ·sgn(w) has the same size for every weight, however small, so it can
# push a weight all the way to zero.

# %%
(g_l2,) = mg.autograd.grad(l2, w)
(g_l1,) = mg.autograd.grad(l1, w)
print("∂L2/∂w =", g_l2.numpy().round(4), "  ∂L1/∂w =", g_l1.numpy().round(4))
assert np.allclose(g_l2.numpy(), 2 * lam * w_values)
assert np.allclose(g_l1.numpy(), lam * np.sign(w_values))

# %% [markdown]
# ### The λ/(2m) form, and how to convert it
#
# Another deck of the course writes the penalized cost per training set of m
# examples (as Andrew Ng's course and Nielsen 2015, ch. 3, do):
#
#     J = (1/m) Σᵢ L(ŷ⁽ⁱ⁾, y⁽ⁱ⁾) + (λ/2m) ‖w‖₂²      and      … + (λ/2m) ‖w‖₁
#
# minigrad follows Keras instead: the loss is the mean over the examples and the
# penalty is added as `l2 · Σw²` (or `l1 · Σ|w|`), with no ½ and no 1/m. The two
# are the same cost when
#
#     l2 = λ / (2m),     l1 = λ / (2m)
#
# with m the size of the **whole training set** (with mini-batches, each batch
# adds the full penalty to its mean loss, and the batch means average to the
# full mean). We check values and gradients with λ = 0.7 and m = 8.

# %%
lam_ng, m_examples = 0.7, 8
rng_ng = np.random.default_rng(7)
x_ng, t_ng = rng_ng.normal(size=(m_examples, 3)), rng_ng.normal(size=(m_examples, 1))
for course_penalty, keras_penalty in ((lambda W: lam_ng / (2 * m_examples) * (W**2).sum(),
                                       regularizers.L2(lam_ng / (2 * m_examples))),
                                      (lambda W: lam_ng / (2 * m_examples) * W.abs().sum(),
                                       regularizers.L1(lam_ng / (2 * m_examples)))):
    mg.manual_seed(0)
    layer_ng = nn.Linear(3, 1, weight_regularizer=keras_penalty).double()
    mse_sum = ((layer_ng(x_ng) - t_ng) ** 2).sum()
    course_cost = mse_sum / m_examples + course_penalty(layer_ng.weight)                  # (1/m)Σ L + (λ/2m)‖w‖
    library_cost = nn.losses.mse(layer_ng(x_ng), t_ng) + layer_ng.regularization_loss()  # mean + l · ‖w‖
    (g_course,) = mg.autograd.grad(course_cost, layer_ng.weight)
    (g_library,) = mg.autograd.grad(library_cost, layer_ng.weight)
    assert np.isclose(course_cost.item(), library_cost.item()) and np.allclose(g_course.numpy(), g_library.numpy())
print(f"λ = {lam_ng}, m = {m_examples}: L2(λ/2m) = L2({lam_ng / (2 * m_examples):.5f}) and "
      f"L1(λ/2m) give the course's costs and gradients")

# %% [markdown]
# The course writes the resulting gradient-descent updates for a layer with deltas
# δ and inputs a:
#
# - L2 ("weight decay"): W ← W(1 − 2ηλ) − η δ aᵀ
# - L1: W ← W − ηλ sgn(W) − η δ aᵀ
#
# (The course's weight-decay example writes the first as w = (1 − λ)w − α∇C₀, with
# the whole shrink factor called λ.)
# We check one SGD step of a `Linear` layer with a `weight_regularizer` against
# these formulas, where η δ aᵀ is the step of the unregularized loss.

# %%
rng = np.random.default_rng(0)
x_batch, t_batch = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
eta, lam = 0.1, 0.05


def one_step(regularizer):
    """W before and after one SGD step on MSE + penalty, and the data-loss gradient at W."""
    mg.manual_seed(0)
    layer = nn.Linear(3, 2, bias=False, weight_regularizer=regularizer).double()
    W0 = layer.weight.numpy().copy()
    (data_grad,) = mg.autograd.grad(nn.losses.mse(layer(x_batch), t_batch), layer.weight)
    opt = optim.SGD(layer.parameters(), lr=eta)
    opt.zero_grad()
    (nn.losses.mse(layer(x_batch), t_batch) + layer.regularization_loss()).backward()
    opt.step()
    return W0, layer.weight.numpy(), data_grad.numpy()


W0, W1, data_grad = one_step(regularizers.L2(lam))
assert np.allclose(W1, W0 * (1 - 2 * eta * lam) - eta * data_grad, atol=1e-12)
W0, W1, data_grad = one_step(regularizers.L1(lam))
assert np.allclose(W1, W0 - eta * lam * np.sign(W0) - eta * data_grad, atol=1e-12)
print("one SGD step = the weight-decay (L2) and sign (L1) updates")

# %% [markdown]
# ### Weight decay as the optimizers write it
#
# The course's weight-decay slide writes the update as
#
#     w ← (1 − λ) w − α ∇C₀
#
# with the whole shrink factor called λ and α the learning rate. The optimizers
# have their own `weight_decay` argument, in PyTorch's convention: SGD adds
# `weight_decay · w` to the gradient, so its step is
# w − α(∇C₀ + wd · w) = (1 − α · wd) w − α ∇C₀. The course's λ is α · wd, so
#
#     wd = λ / α          (and, through the L2 penalty's gradient 2 · l2 · w, l2 = λ / (2α))
#
# AdamW (Loshchilov & Hutter 2019) *decouples* the decay from the gradient: it
# first shrinks w ← (1 − α · wd) w and then takes Adam's step with the plain ∇C₀,
# so the same wd = λ/α gives the course's (1 − λ) factor, followed by Adam's step
# instead of α∇C₀. (`Adam(weight_decay=…)` instead adds wd · w to the gradient,
# where Adam's per-weight scaling changes its effect.) We check one step of each
# with α = 0.1 and λ = 0.02.

# %%
alpha, lam_decay = 0.1, 0.02


def one_update(make_optimizer):
    """W before, W after one step of make_optimizer on the plain MSE, and ∇C₀ at the start."""
    mg.manual_seed(0)
    layer = nn.Linear(3, 2, bias=False).double()
    W0 = layer.weight.numpy().copy()
    (grad_C0,) = mg.autograd.grad(nn.losses.mse(layer(x_batch), t_batch), layer.weight)
    opt = make_optimizer(layer.parameters())
    opt.zero_grad()
    nn.losses.mse(layer(x_batch), t_batch).backward()
    opt.step()
    return W0, layer.weight.numpy(), grad_C0.numpy()


W0, W_sgd, grad_C0 = one_update(lambda p: optim.SGD(p, lr=alpha, weight_decay=lam_decay / alpha))
assert np.allclose(W_sgd, (1 - lam_decay) * W0 - alpha * grad_C0, atol=1e-12)     # the course's formula
W0_l2, W_l2, grad_l2 = one_step(regularizers.L2(lam_decay / (2 * eta)))            # the L2 penalty, η = α = 0.1
assert np.allclose(W_l2, (1 - lam_decay) * W0_l2 - eta * grad_l2, atol=1e-12)
W0, W_adamw, _ = one_update(lambda p: optim.AdamW(p, lr=alpha, weight_decay=lam_decay / alpha))
_, W_adam, _ = one_update(lambda p: optim.Adam(p, lr=alpha))                        # Adam without decay
assert np.allclose(W_adamw, W_adam - lam_decay * W0, atol=1e-12)                    # (1 − λ)w − Adam's step
print(f"SGD(weight_decay = λ/α = {lam_decay / alpha:g}): w ← (1 − {lam_decay})w − α∇C₀ exactly;"
      f" AdamW with the same weight_decay: w ← (1 − {lam_decay})w − Adam's step")

# %% [markdown]
# ### L1 drives weights to zero
#
# Why L1 gives zeros (Tibshirani 1996; Goodfellow et al. 2016, §7.1.2): the L1
# ball is a diamond, and the loss contours
# usually touch it at a corner, where some weights are exactly zero; the L2 ball is
# round, and "L2 regularization does not tend to produce zero weights". A linear
# regression with 20 inputs of which only the first 3 matter shows it: we fit it
# without penalty, with L2, with L1 and with the elastic net (same λ = 0.2).

# %% [markdown]
# The picture behind that sentence (Hastie, Tibshirani & Friedman 2009, Fig. 3.11):
# minimizing J(w) + λ‖w‖ is the same as minimizing J(w) subject to ‖w‖ ≤ r for
# some r (the course: "equivalent to minimizing Loss(w) subject to the
# constraint that Complexity(w) ≤ c"). Draw the loss contours around the
# unpenalized minimum w* and grow them until they touch the ball: the diamond is
# touched at a corner, on an axis, the circle where the contour is tangent.
# `viz.plot_penalty_geometry` finds both points for a quadratic loss.

# %%
w_unpenalized, curvature_2d = (2.0, 0.5), ((1.0, 0.3), (0.3, 1.5))
optima = viz.plots.regularization.penalty_optima(w_unpenalized, curvature_2d, radius=1.0)
print("constrained minimum on the L1 diamond:", optima["L1"].round(4), "  on the L2 circle:", optima["L2"].round(4))
assert optima["L1"][1] == 0.0 and abs(optima["L2"][1]) > 0.3      # L1: w₂ exactly 0; L2: both weights survive
fig = viz.plot_penalty_geometry(w_unpenalized, curvature_2d, radius=1.0)
save_figure(fig, "07_l1_l2_geometry.png")
fig

# %%
n, d = 60, 20
X_lin = rng.normal(size=(n, d))
w_true = np.zeros(d)
w_true[:3] = [3.0, -2.0, 1.5]
y_lin = (X_lin @ w_true + rng.normal(0, 0.5, n))[:, None]

penalties = {"no penalty": None, "L2(0.2)": regularizers.L2(0.2), "L1(0.2)": regularizers.L1(0.2),
             "ElasticNet(0.2, β=0.5)": regularizers.ElasticNet(0.2, 0.5)}
fitted = {}
for name, penalty in penalties.items():
    mg.manual_seed(0)
    layer = nn.Linear(d, 1, weight_regularizer=penalty)
    fit(layer, "mse", optim.SGD(layer.parameters(), lr=0.02), (X_lin, y_lin), epochs=500, batch_size=n,
        progress=False)
    fitted[name] = layer.weight.numpy().ravel()
    print(f"{name:24s} irrelevant weights with |w| < 0.01: {(np.abs(fitted[name][3:]) < 0.01).sum():2d} of 17")

near_zero = {name: int((np.abs(wts[3:]) < 0.01).sum()) for name, wts in fitted.items()}
assert near_zero["L1(0.2)"] >= 12 and near_zero["L1(0.2)"] > near_zero["L2(0.2)"] + 8
assert near_zero["L1(0.2)"] > near_zero["no penalty"] + 8

# %%
fig = Figure(figsize=(15, 3.4), layout="constrained")
axes = fig.subplots(1, len(fitted), sharey=True)
for ax, (name, wts) in zip(axes, fitted.items()):
    ax.bar(np.arange(d), wts, color=["tab:green"] * 3 + ["tab:gray"] * (d - 3))
    ax.scatter(np.arange(3), w_true[:3], marker="_", s=200, color="k", label="true weight")
    ax.axhline(0, color="k", linewidth=0.6)
    ax.set_title(f"{name}\n{near_zero[name]} of 17 irrelevant weights ≈ 0", fontsize=10)
    ax.set_xlabel("input feature")
axes[0].set_ylabel("learned weight")
axes[0].legend(fontsize=8)
fig.suptitle("L1 switches irrelevant inputs off (green: the 3 inputs that matter)")
save_figure(fig, "07_l1_sparsity.png")
fig

# %% [markdown]
# The L1 weights of useless features are not *exactly* zero: with plain
# (sub)gradient descent they jump across zero by ηλ at every step. Proximal
# methods (soft-thresholding, as in Lasso solvers) land on exact zeros.
#
# L2 on the huge network: a small penalty λ = 10⁻³ on every weight is enough to
# keep the fit smoother.

# %%
mg.manual_seed(0)
huge_l2 = huge_net(weight_regularizer=regularizers.L2(1e-3))
train(huge_l2)
regularized = {"L2 penalty (λ = 1e-3)": huge_l2}
print(f"test MSE: no penalty {huge[1]:.4f}, L2 {test_mse(huge_l2):.4f}")
assert test_mse(huge_l2) < huge[1]

# %% [markdown]
# ### Beyond weights: bias, activity, L1L2 and orthogonal penalties
#
# A `Linear` layer takes three penalties, as Keras' `Dense` does: on its weights
# (`weight_regularizer`), on its biases (`bias_regularizer`, rarely useful: a
# bias does not multiply an input, so it cannot make the function wiggly) and on
# its **outputs** (`activity_regularizer`). An L1 penalty on activities pushes
# units to be exactly 0 for most inputs, a sparse representation (Goodfellow et
# al. 2016, §7.10); as in Keras it is divided by the batch size, so its strength
# does not depend on the batch. `L1L2(l1, l2)` is Keras' sum of both weight
# penalties (the elastic net with separate coefficients). Their sum is what the
# layer's `regularization_loss()` adds to the cost; we check it by hand.

# %%
mg.manual_seed(0)
layer_all = nn.Linear(3, 4, weight_regularizer=regularizers.L1L2(l1=0.01, l2=0.02),
                      bias_regularizer=regularizers.L2(0.5), activity_regularizer=regularizers.L1(0.1)).double()
with mg.no_grad():
    layer_all.bias.data[...] = [0.1, -0.2, 0.3, 0.0]
out_all = layer_all(x_batch)                                      # the forward pass records the activity penalty
W_all, b_all = layer_all.weight.numpy(), layer_all.bias.numpy()
by_hand = (0.01 * np.abs(W_all).sum() + 0.02 * (W_all**2).sum()     # L1L2 on W
           + 0.5 * (b_all**2).sum()                                 # L2 on b
           + 0.1 * np.abs(out_all.numpy()).sum() / len(x_batch))    # L1 on the outputs, per example
print(f"regularization_loss() = {layer_all.regularization_loss().item():.6f}, by hand {by_hand:.6f}")
assert np.isclose(layer_all.regularization_loss().item(), by_hand)

# %% [markdown]
# The **orthogonal** penalty (Keras' `OrthogonalRegularizer`) asks the units'
# weight vectors to point in different directions: it is `factor` times the mean
# |cosine| between pairs of rows, 0 for orthogonal rows and `factor` for rows
# that all point the same way. Orthogonal rows are what the orthogonal
# initialization of Saxe et al. (2014) starts from (`init.orthogonal`); random
# Gaussian rows are nearly orthogonal only when they are long.

# %%
ortho = regularizers.Orthogonal(factor=1.0)
W_orth = mg.tensor(nn.init.orthogonal((4, 6)), dtype="float64")
W_same = mg.tensor(np.tile([[1.0, 2.0, -1.0, 0.5, 0.0, 3.0]], (4, 1)), dtype="float64")
W_gauss = mg.tensor(np.random.default_rng(3).normal(size=(4, 6)), dtype="float64")
print(f"orthogonal penalty: orthogonal rows {ortho(W_orth).item():.2e}, Gaussian rows {ortho(W_gauss).item():.3f},"
      f" identical rows {ortho(W_same).item():.3f}")
assert ortho(W_orth).item() < 1e-6 and np.isclose(ortho(W_same).item(), 1.0)
assert 0.1 < ortho(W_gauss).item() < 0.9

# %% [markdown]
# ## Dropout
#
# Dropout "randomly deactivates neurons in each layer during training" (Srivastava
# et al. 2014). Each mini-batch trains a different thinned network; all of them
# share weights, so dropout trains an ensemble, and at test time we want the
# ensemble's average, y = E_z[f(x, z)] over the random masks z.
#
# ### Dropout at test time
#
# The course's example: one unit a = w₁x + w₂y fed by two inputs, each dropped with
# probability 0.5. The four masks are equally likely:
#
# E_train[a] = ¼(w₁x + w₂y) + ¼(w₁x + 0y) + ¼(0x + w₂y) + ¼(0x + 0y) = ½(w₁x + w₂y)
#
# while at test time, with nothing dropped, E_test[a] = w₁x + w₂y. So
# E_train[a] = p · E_test[a], with p = 0.5 the *keep* probability. We enumerate
# the masks with w₁ = 2, w₂ = −1, x = 3, y = 1.

# %%
w1, w2, x_in, y_in = 2.0, -1.0, 3.0, 1.0
masks = [(1, 1), (1, 0), (0, 1), (0, 0)]
E_train = sum(0.25 * (w1 * m1 * x_in + w2 * m2 * y_in) for m1, m2 in masks)
E_test = w1 * x_in + w2 * y_in
keep = 0.5
print(f"E_train[a] = {E_train},  E_test[a] = {E_test}")
assert E_train == 0.5 * (w1 * x_in + w2 * y_in) == keep * E_test == 2.5

# %% [markdown]
# Now with minigrad: a `Dropout` layer on the two inputs, then a `Linear` unit with
# weights (w₁, w₂). Careful with the names: minigrad's `Dropout(p)` takes the
# **drop** probability (like Keras' `rate`: "the rate p represents the
# fraction of units to drop"), while the course's code (from the CS231n notes) uses p for the **keep**
# probability. Here both are 0.5.
#
# **Vanilla dropout** (Srivastava et al. 2014; `inverted=False`) leaves the
# kept units unscaled while training and multiplies by the keep probability at
# test time (`H1 = ... * p` in the course's `predict`). Averaging many training
# passes gives E_train; the eval pass gives exactly keep × E_test, the same number.

# %%
unit = nn.Linear(2, 1, bias=False).double()
with mg.no_grad():
    unit.weight.data[...] = [[w1, w2]]
samples = 10000 if QUICK else 40000
inputs = mg.tensor(np.tile([x_in, y_in], (samples, 1)), dtype="float64")

vanilla = nn.Dropout(0.5, inverted=False)
mg.manual_seed(0)
train_mean = unit(vanilla(inputs)).numpy().mean()       # training mode: random masks
vanilla.eval()
test_output = unit(vanilla(mg.tensor([[x_in, y_in]], dtype="float64"))).item()
print(f"vanilla:  mean over {samples} training passes {train_mean:.3f},  eval output {test_output}")
assert test_output == E_train                            # eval = keep · E_test = 2.5 exactly
assert abs(train_mean - E_train) < 0.15                  # the Monte Carlo mean agrees

# %% [markdown]
# **Inverted dropout** (CS231n notes; minigrad's default) divides the
# kept units by the keep probability while training (`U1 = (rand < p) / p`), so the
# training expectation already equals the test output and "the forward pass at
# test time does not change": in eval mode the layer is the identity. The course
# recommends it because testing costs nothing extra.

# %%
inverted = nn.Dropout(0.5)
mg.manual_seed(0)
train_mean = unit(inverted(inputs)).numpy().mean()
inverted.eval()
test_output = unit(inverted(mg.tensor([[x_in, y_in]], dtype="float64"))).item()
print(f"inverted: mean over {samples} training passes {train_mean:.3f},  eval output {test_output}")
assert test_output == E_test                             # eval: identity, w₁x + w₂y = 5
assert abs(train_mean - E_test) < 0.3

# %% [markdown]
# Either way, training and test agree on average; they differ in which pass pays for
# the scaling. Srivastava et al. (2014) state the vanilla rule for weights: "If a
# unit is retained with probability p during training, the outgoing weights of that
# unit are multiplied by p at test time."
#
# On the huge network, dropout after each hidden layer (p = 0.2) makes the fit
# less wiggly: no unit can rely on a few others to carve out each noisy point.

# %%
mg.manual_seed(0)
huge_dropout = huge_net(dropout=0.2)
train(huge_dropout)
regularized["dropout p = 0.2"] = huge_dropout
print(f"test MSE: no dropout {huge[1]:.4f}, dropout {test_mse(huge_dropout):.4f}")
assert test_mse(huge_dropout) < huge[1]

# %% [markdown]
# ### Does dropout help every architecture?
#
# Srivastava et al. (2014, Fig. 4) trained many architectures with and without
# dropout and found it lowered the test error of every one. We try three ReLU
# networks of growing depth on our 15 points, each trained for 300 epochs with
# and without dropout p = 0.2 from the same start.

# %%
architectures = {"1-48-1": [1, 48, 1], "1-48-48-1": [1, 48, 48, 1], "1-48-48-48-1": [1, 48, 48, 48, 1]}
dropout_errors = {"without dropout": [], "with dropout 0.2": []}
for sizes in architectures.values():
    for label, p in (("without dropout", 0.0), ("with dropout 0.2", 0.2)):
        mg.manual_seed(0)
        net = nn.MLP(sizes, activation="relu", dropout=p)
        train(net, epochs=300)
        dropout_errors[label].append(test_mse(net))
for k, name in enumerate(architectures):
    print(f"{name:14s} test MSE without dropout {dropout_errors['without dropout'][k]:.4f}, "
          f"with {dropout_errors['with dropout 0.2'][k]:.4f}")
without, with_dropout = (np.array(v) for v in dropout_errors.values())
assert np.all(with_dropout[1:] < without[1:])            # the two deeper networks gain
fig = viz.plot_comparison_bars(list(architectures), dropout_errors, ylabel="test MSE (300 points)",
                               title="Dropout across architectures (15 training points, 300 epochs)")
fig.axes[0].axhline(noise_floor, color="k", linestyle=":", linewidth=1, label=f"noise floor {noise_floor:g}")
fig.axes[0].legend(fontsize=8)  # again, to list the dotted line too
save_figure(fig, "07_dropout_architectures.png")
fig

# %% [markdown]
# Dropout helps the deeper networks, which have the capacity to memorize the
# noise; on the single hidden layer, which has less to lose, the noise it
# injects can cost a little. Dropout is a regularizer: its strength p is worth
# tuning like λ, and it pays off most on big networks (Srivastava et al. used
# it on networks with thousands of units).

# %% [markdown]
# ## Data augmentation
#
# More data is the surest cure for overfitting. When there is none, data
# augmentation (Goodfellow et al. 2016, §7.4) suggests generating samples with the
# same distribution or adding noise. `minigrad.data.gaussian_noise` returns the data
# plus noisy copies x̃ = x + ε, ε ~ N(0, σ²), each with the label of its original.
# Asking for the same answer near every training point smooths the learned function.
# (Augment the training set only, after splitting.)

# %%
X_aug, y_aug = gaussian_noise(X_train, y_train, std=0.1, copies=10, seed=0)
print("augmented training set:", X_aug.shape, y_aug.shape)
assert len(X_aug) == 11 * len(X_train) and np.array_equal(X_aug[:15], X_train)

mg.manual_seed(0)
huge_augmented = huge_net()
train(huge_augmented, data=(X_aug, y_aug), epochs=max(EPOCHS // 10, 40))   # 11 batches per epoch
regularized["noise augmentation (10 copies)"] = huge_augmented
print(f"test MSE: original data {huge[1]:.4f}, augmented {test_mse(huge_augmented):.4f}")
assert test_mse(huge_augmented) < huge[1]

# %% [markdown]
# ### New samples from the data's distribution
#
# The course's other recipe for small tabular data is "generating samples with
# the same distribution". `augment.sample_like` fits a density to the data and
# draws new points from it: a Gaussian per class (`method="gaussian"`), or a
# Gaussian **kernel density** (`method="kde"`, Silverman 1986) that follows any
# shape: pick a training point at random and add Gaussian noise whose
# covariance is h² times the data's (the smoothed bootstrap, Efron & Tibshirani
# 1993). For a regression target it models the joint rows [x, y], so each
# new x comes with its own y: where `gaussian_noise` keeps each copy's label,
# these draws smooth the targets too.
#
# The bandwidth h is the knob, like σ for the noise. Scott's rule
# h = m^(−1/(d+4)) (the default) is tuned for a single Gaussian bump; for 15
# points on a sine curve it gives h ≈ 0.64 and smears the curve. We draw 150
# new points with Scott's h and with a narrower h = 0.2.

# %%
h_scott = 15 ** (-1 / 6)
sampled = {}
for label, bandwidth in ((f"Scott's h = {h_scott:.2f}", "scott"), ("h = 0.2", 0.2)):
    X_drawn, y_drawn = augment.sample_like(X_train, y_train, n=150, method="kde", bandwidth=bandwidth, seed=0)
    assert len(X_drawn) == 165 and np.array_equal(X_drawn[:15], X_train) and np.array_equal(y_drawn[:15], y_train)
    mg.manual_seed(0)
    net = huge_net()
    train(net, data=(X_drawn, y_drawn), epochs=max(EPOCHS // 10, 40))
    sampled[label] = (X_drawn, y_drawn, net)
    print(f"samples from a KDE, {label}: test MSE {test_mse(net):.4f}   (original data {huge[1]:.4f})")
scott_net, narrow_net = (entry[2] for entry in sampled.values())
assert test_mse(narrow_net) < huge[1] and test_mse(narrow_net) < test_mse(scott_net)
regularized["samples from a KDE (h = 0.2)"] = narrow_net

fig = Figure(figsize=(12, 4), layout="constrained")
for ax, (label, (X_drawn, y_drawn, net)) in zip(fig.subplots(1, 2, sharey=True), sampled.items()):
    ax.plot(x_grid, np.sin(np.pi * x_grid), "k--", linewidth=1, label="truth sin(πx)")
    ax.scatter(X_drawn[15:], y_drawn[15:], s=10, color="tab:orange", alpha=0.6, label="150 drawn samples")
    ax.scatter(X_train, y_train, s=30, color="tab:blue", zorder=3, label="15 training points")
    ax.plot(x_grid, predict(net, x_grid), "tab:red", linewidth=2, label="huge net on both")
    ax.set_title(f"{label}: test MSE {test_mse(net):.3f}", fontsize=10)
    ax.set_xlabel("x")
    ax.set_ylim(-2, 2)
fig.axes[0].set_ylabel("y")
fig.axes[0].legend(fontsize=8, loc="lower right")
fig.suptitle("Augmentation by sampling a kernel density of (x, y)")
save_figure(fig, "07_sample_like.png")
fig

# %% [markdown]
# ## Early stopping
#
# "Stop the training procedure when the validation error is minimum" (early
# stopping; Goodfellow et al. 2016, §7.8; Prechelt 1998). `EarlyStopping` watches
# `val_loss`, stops after `patience` epochs without improvement and, with
# `restore_best_weights=True`, gives the model back the weights of its best epoch.
# Passing the callback to `viz.plot_learning_curves` marks both epochs.

# %%
mg.manual_seed(0)
huge_early = huge_net()
stopper = EarlyStopping("val_loss", patience=50, restore_best_weights=True)
history = train(huge_early, callbacks=[stopper])
regularized["early stopping"] = huge_early
print(history.stop_reason)
print(f"best epoch {stopper.best_epoch + 1}, stopped at epoch {stopper.stopped_epoch + 1};"
      f" test MSE {test_mse(huge_early):.4f} (trained to the end: {huge[1]:.4f})")
assert stopper.stopped_epoch is not None and len(history) < EPOCHS          # it did stop early
assert np.isclose(evaluate(huge_early, "mse", X_val, y_val)["loss"], min(history["val_loss"]))  # best weights
assert test_mse(huge_early) < huge[1]

fig = viz.plot_learning_curves(history, early_stopping=stopper, title="Early stopping, patience 50")
fig.axes[0].set_yscale("log")
save_figure(fig, "07_early_stopping.png")
fig

# %% [markdown]
# ## Everything side by side

# %%
names = ["no regularization"] + list(regularized)
test_errors = [huge[1]] + [test_mse(m) for m in regularized.values()]
for name, err in zip(names, test_errors):
    print(f"{name:32s} test MSE {err:.4f}")

fig = Figure(figsize=(14, 7), layout="constrained")
grid = fig.add_gridspec(2, len(regularized))
for k, (name, model) in enumerate(regularized.items()):
    ax = fig.add_subplot(grid[0, k])
    ax.plot(x_grid, np.sin(np.pi * x_grid), "k--", linewidth=1)
    ax.plot(x_grid, predict(models["48×48×48 ReLUs (overfits)"], x_grid), color="tab:gray", linewidth=1,
            label="no regularization")
    ax.plot(x_grid, predict(model, x_grid), "tab:red", linewidth=2, label=name)
    ax.scatter(X_train, y_train, s=18, zorder=3)
    ax.set_ylim(-2, 2)
    ax.set_title(name, fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
ax = fig.add_subplot(grid[1, :])
bars = ax.barh(names, test_errors, color=["tab:gray"] + ["tab:blue"] * len(regularized))
ax.axvline(noise_floor, color="k", linestyle=":", label="noise floor 0.0625")
ax.bar_label(bars, fmt="%.3f", fontsize=8)
ax.set_xlabel("test MSE (300 new points)")
ax.invert_yaxis()
ax.legend(fontsize=8)
fig.suptitle("The huge network on 15 points, with each remedy")
save_figure(fig, "07_regularization_summary.png")
fig

# %% [markdown]
# Every remedy brings the test error down, none reaches the noise floor: with 15
# points there is only so much to learn. In practice they are combined, and their
# strength (λ, the dropout rate, the noise σ, the patience) is a hyperparameter
# chosen on the validation set (lesson 9).

# %% [markdown]
# ## Exercises
#
# 1. **The bias–variance trade-off.** Train `nn.MLP([1, h, 1], activation="tanh")`
#    for h = 1, 2, 4, 8, 16, 64 and plot train and test MSE against h. Where does the
#    test curve turn? *Hint:* loop over `train(...)` and `test_mse(...)`; use a log
#    scale for h.
# 2. **How strong?** Sweep the L2 coefficient of the huge network over 1e-5 … 1e-1.
#    Which λ gives the lowest *validation* MSE, and is it also the best on the test
#    set? *Hint:* too large a λ underfits — the fit flattens towards a constant.
# 3. **The L1 diamond.** Repeat the 20-feature regression with L1 for λ = 0.05, 0.2
#    and 1.0. How many weights survive? What happens to the three true weights?
#    *Hint:* with standardized inputs the MSE's gradient is about 2(w − w_ls), where
#    w_ls is the unpenalized solution; so L1 moves every weight towards 0 by λ/2
#    and sets those with |w_ls| < λ/2 to zero.
# 4. **Dropout at the wrong time.** Predict the test set with `huge_dropout` left in
#    training mode (`huge_dropout.train()` then call it on `mg.tensor(X_test)`). How
#    does the MSE compare with `test_mse(huge_dropout)`? *Hint:* each call draws new
#    masks; average 100 calls and compare again (Monte Carlo dropout).
# 5. **Vanilla vs inverted in a network.** Build `huge_net` twice, with
#    `nn.Dropout(0.2, inverted=False)` and with the default, from the same seed, and
#    train both. Do they give the same test predictions? Compare the norms of the
#    weight matrices that come *after* a dropout layer. *Hint:* in eval mode vanilla
#    dropout multiplies by 0.8 and inverted dropout by 1; the next layer can make up
#    for a constant factor with weights 1/0.8 = 1.25 times larger.

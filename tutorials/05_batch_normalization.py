# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 5. Batch normalization
#
# We standardize the *inputs* of a network so that every feature has mean 0 and
# variance 1 (LeCun et al. 1998, "Efficient BackProp": one feature ranges over
# 1…5, another over 1000…99999). But each hidden layer is the input of the next
# one, and its distribution moves every time the weights below it change. Batch
# normalization (Ioffe & Szegedy, 2015) standardizes the pre-activations of a
# hidden layer too, with the statistics of the current mini-batch (Ioffe &
# Szegedy 2015).
#
# In this lesson you will:
#
# 1. compute a BatchNorm layer by hand, in training mode and in inference mode, and
#    check minigrad's `nn.BatchNorm1d` against it (running mean, *unbiased*
#    running variance, momentum 0.1);
# 2. see why BatchNorm makes a network insensitive to the scale of its weights;
# 3. watch the gradient flow through a deep sigmoid network with and without
#    BatchNorm;
# 4. train with larger and larger learning rates, with and without BatchNorm;
# 5. watch each layer's distribution drift during training, and stay put with BatchNorm;
# 6. meet layer normalization, which normalizes each example instead of each unit.

# %%
import numpy as np
from matplotlib.figure import Figure

import minigrad as mg
import viz
from minigrad import nn, optim
from minigrad.data import StandardScaler, make_moons
from minigrad.course.lessons import figure_path, quick, save_figure, show_file
from minigrad.train import GradientRecorder, TrainingError, fit

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite sets it)

# %% [markdown]
# ## The layer in training mode
#
# Ioffe & Szegedy (2015), Algorithm 1, gives the
# computation for one unit over a mini-batch B = {x₁ … x_m}:
#
# - μ_B = (1/m) Σᵢ xᵢ (mini-batch mean)
# - σ²_B = (1/m) Σᵢ (xᵢ − μ_B)² (mini-batch variance: divided by m, the *biased* estimate)
# - x̂ᵢ = (xᵢ − μ_B) / √(σ²_B + ε) (normalize)
# - yᵢ = γ x̂ᵢ + β (scale and shift, with learnable γ and β)
#
# Every column (unit) of a batch is normalized separately. Here is a batch of
# m = 4 examples with 3 units; we do the four lines by hand with NumPy.

# %%
X = np.array([[1.0, 2.0, 3.0],
              [2.0, 4.0, 1.0],
              [3.0, 0.0, 2.0],
              [6.0, 2.0, 2.0]])
m = len(X)
eps = 1e-5

mu_B = X.mean(axis=0)
var_B = ((X - mu_B) ** 2).sum(axis=0) / m        # biased: divide by m
x_hat = (X - mu_B) / np.sqrt(var_B + eps)
gamma, beta = np.ones(3), np.zeros(3)              # what a fresh layer starts with
y_hand = gamma * x_hat + beta
print("mu_B  =", mu_B.round(4))
print("var_B =", var_B.round(4))
print("y (by hand):\n", y_hand.round(4))

# %% [markdown]
# Now the same batch through `nn.BatchNorm1d(3)`. A fresh layer is in training
# mode, so it uses the batch statistics. We work in float64 so that the
# comparison is exact to 1e-12.

# %%
bn = nn.BatchNorm1d(3).double()
y_mg = bn(mg.tensor(X, dtype="float64")).numpy()
print("y (minigrad):\n", y_mg.round(4))
assert np.allclose(y_mg, y_hand, atol=1e-12)
assert np.allclose(y_mg.mean(axis=0), 0, atol=1e-12)                 # each unit: mean 0 ...
assert np.allclose(y_mg.var(axis=0), var_B / (var_B + eps), atol=1e-12)  # ... variance ≈ 1

# %% [markdown]
# A BatchNorm layer holds **two learnable**
# parameter vectors, γ and β (`weight` and `bias`), and **two non-learnable** ones
# saved as its state: the moving averages of the mean and of the variance
# (`running_mean`, `running_var`). The optimizer only sees the first two.

# %%
print("parameters:", [name for name, _ in bn.named_parameters()])
print("buffers:   ", [name for name, _ in bn.named_buffers()])
assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
assert {"running_mean", "running_var"} <= {name for name, _ in bn.named_buffers()}

# %% [markdown]
# ### The running statistics
#
# At inference time there may be a single example, so there is no mini-batch to take
# a mean over (batch norm during inference). The answer of Ioffe & Szegedy (2015) is
# to use statistics of the whole training set instead. In practice (Keras, PyTorch,
# minigrad) the layer keeps an exponential moving average while it trains, with a
# momentum α = 0.1 (`BatchNorm1d(..., momentum=0.1)`):
#
# - running_mean ← (1 − α) · running_mean + α · μ_B
# - running_var ← (1 − α) · running_var + α · σ²_B · m/(m − 1)
#
# The variance that goes into the running average is the **unbiased** one
# (divided by m − 1), as in PyTorch: it estimates the variance of the whole
# population, while the batch itself is normalized with the biased σ²_B of the
# algorithm above. The running statistics start at mean 0 and variance 1.

# %%
momentum = 0.1
running_mean_hand = (1 - momentum) * np.zeros(3) + momentum * mu_B
running_var_hand = (1 - momentum) * np.ones(3) + momentum * var_B * m / (m - 1)
print("running_mean:", bn.running_mean.numpy().round(4), " by hand:", running_mean_hand.round(4))
print("running_var: ", bn.running_var.numpy().round(4), " by hand:", running_var_hand.round(4))
assert bn.momentum == 0.1
assert np.allclose(bn.running_mean.numpy(), running_mean_hand, atol=1e-12)
assert np.allclose(bn.running_var.numpy(), running_var_hand, atol=1e-12)
# The unbiased variance is NumPy's ddof=1:
assert np.allclose(var_B * m / (m - 1), X.var(axis=0, ddof=1))

# %% [markdown]
# A second batch moves the averages again, 10 % of the way towards its own
# statistics. We check two more updates by hand.

# %%
rng = np.random.default_rng(0)
for _ in range(2):
    batch = rng.normal(size=(8, 3))
    running_mean_hand = 0.9 * running_mean_hand + 0.1 * batch.mean(axis=0)
    running_var_hand = 0.9 * running_var_hand + 0.1 * batch.var(axis=0, ddof=1)
    bn(mg.tensor(batch, dtype="float64"))
assert np.allclose(bn.running_mean.numpy(), running_mean_hand, atol=1e-12)
assert np.allclose(bn.running_var.numpy(), running_var_hand, atol=1e-12)
print("after 3 batches: running_mean", bn.running_mean.numpy().round(4),
      " running_var", bn.running_var.numpy().round(4))

# %% [markdown]
# ### Inference mode
#
# `bn.eval()` switches the layer to the running statistics. Now one example is
# enough, and the output of an example no longer depends on the other examples
# in the batch. In training mode, a batch of one cannot be normalized at all
# (its variance is 0), and minigrad says so.

# %%
bn.eval()
x_one = np.array([[2.0, 1.0, 0.5]])
y_eval = bn(mg.tensor(x_one, dtype="float64")).numpy()
y_eval_hand = (x_one - running_mean_hand) / np.sqrt(running_var_hand + eps) * gamma + beta
print("eval output:", y_eval.round(4), " by hand:", y_eval_hand.round(4))
assert np.allclose(y_eval, y_eval_hand, atol=1e-12)

bn.train()
try:
    bn(mg.tensor(x_one, dtype="float64"))
except ValueError as err:
    print("training mode, batch of 1:", err)
else:
    raise AssertionError("a batch of one example cannot be normalized in training mode")

# %% [markdown]
# With many batches, the running statistics settle on the statistics of the data
# the layer sees. We feed batches of 32 examples whose three units have means
# (5, −2, 0) and standard deviations (2, 0.5, 1), and plot how the moving
# averages approach the true values. After k batches the starting values still
# weigh 0.9ᵏ, so it takes a few dozen batches to forget them.

# %%
true_mean, true_std = np.array([5.0, -2.0, 0.0]), np.array([2.0, 0.5, 1.0])
n_batches = 60 if QUICK else 200
bn = nn.BatchNorm1d(3).double()
means, variances = [bn.running_mean.numpy().copy()], [bn.running_var.numpy().copy()]
for _ in range(n_batches):
    bn(mg.tensor(rng.normal(true_mean, true_std, size=(32, 3)), dtype="float64"))
    means.append(bn.running_mean.numpy().copy())
    variances.append(bn.running_var.numpy().copy())
means, variances = np.array(means), np.array(variances)
print("running_mean:", means[-1].round(3), " true:", true_mean)
print("running_var: ", variances[-1].round(3), " true:", true_std**2)
assert np.allclose(means[-1], true_mean, atol=0.5)
assert np.allclose(variances[-1], true_std**2, rtol=0.35)

# %%
fig = Figure(figsize=(10, 3.8), layout="constrained")
axes = fig.subplots(1, 2)
for k, color in enumerate(["tab:blue", "tab:orange", "tab:green"]):
    axes[0].plot(means[:, k], color=color, label=f"unit {k + 1}")
    axes[0].axhline(true_mean[k], color=color, linestyle=":")
    axes[1].plot(variances[:, k], color=color, label=f"unit {k + 1}")
    axes[1].axhline(true_std[k] ** 2, color=color, linestyle=":")
axes[0].set_title("running_mean (dotted: true mean)")
axes[1].set_title("running_var (dotted: true variance)")
for ax in axes:
    ax.set_xlabel("training batches seen")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
fig.suptitle("BatchNorm's moving averages with momentum 0.1")
save_figure(fig, "05_running_statistics.png")
fig

# %% [markdown]
# ## Two properties worth knowing
#
# **BatchNorm can undo itself.** The network can learn γ = σ_B, β = μ_B, so the
# identity may be represented (Ioffe & Szegedy 2015). Normalizing does not take away
# anything the layer could express: with those values of γ and β the layer gives
# back its input.

# %%
bn = nn.BatchNorm1d(3).double()
with mg.no_grad():
    bn.weight.data[...] = np.sqrt(var_B + eps)   # γ = σ_B (with the same ε)
    bn.bias.data[...] = mu_B                     # β = μ_B
assert np.allclose(bn(mg.tensor(X, dtype="float64")).numpy(), X, atol=1e-12)
print("with γ = σ_B and β = μ_B, BatchNorm returns its input unchanged")

# %% [markdown]
# **BatchNorm does not care about the scale of the weights before it.** If the
# layer below multiplies its weights by a, every pre-activation z = Wx is
# multiplied by a, and so are μ_B and σ_B: the ratio (z − μ_B)/σ_B does not
# change (only the tiny ε inside the square root notices the scale). That is
# why "the network is much less sensitive to initial weight"
# (Ioffe & Szegedy 2015), and, as we will see, why a large learning rate,
# whose big steps can blow the weights up, does less harm.

# %%
mg.manual_seed(0)
linear = nn.Linear(3, 4, bias=False).double()
bn = nn.BatchNorm1d(4).double()
out_1 = bn(linear(mg.tensor(X, dtype="float64"))).numpy()
with mg.no_grad():
    linear.weight.data *= 1000.0                 # a terrible initialization
out_1000 = bn(linear(mg.tensor(X, dtype="float64"))).numpy()
print(f"largest difference after scaling W by 1000: {np.abs(out_1 - out_1000).max():.1e}")
assert np.allclose(out_1, out_1000, atol=1e-3)  # equal up to the effect of ε

# %% [markdown]
# ## Gradient flow through a deep sigmoid network
#
# The sigmoid's derivative is at most 1/4, so in a deep sigmoid network the gradient
# shrinks layer after layer on its way back to the input: the vanishing gradient
# (Bengio, Simard & Frasconi 1994). BatchNorm before each sigmoid keeps the
# pre-activations centred where the sigmoid is steepest, and rescales the gradient
# on the way back: the vanishing and exploding gradient problem is reduced by a
# considerable amount (Ioffe & Szegedy 2015).
#
# We build the same 10-layer sigmoid network twice, once with BatchNorm before
# each activation (as in the course's `BN(z)` then `g(·)`: the Linear layers drop
# their bias, since BatchNorm's β takes its place). `viz.diagnose` runs one
# forward and backward pass and reads the result.

# %%
n_samples = 256 if QUICK else 512
X_moons, y_moons = make_moons(n_samples, noise=0.2, seed=0)
X_moons = StandardScaler().fit(X_moons).transform(X_moons)


def deep_net(activation, batchnorm, depth=10, width=32):
    """depth × (Linear → [BatchNorm] → activation), then a Linear output with 2 logits."""
    layers, n_in = [], 2
    for _ in range(depth):
        layers.append(nn.Linear(n_in, width, bias=not batchnorm, weight_init="glorot_normal"))
        if batchnorm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.get_module(activation))
        n_in = width
    layers.append(nn.Linear(n_in, 2, weight_init="glorot_normal"))
    return nn.Sequential(*layers)


mg.manual_seed(0)
plain = deep_net("sigmoid", batchnorm=False)
mg.manual_seed(0)
normed = deep_net("sigmoid", batchnorm=True)

batch = slice(0, 100)                          # one batch of 100 examples is enough for a diagnosis
d_plain = viz.diagnose(plain, X_moons[batch], y_moons[batch], "cross_entropy")
d_normed = viz.diagnose(normed, X_moons[batch], y_moons[batch], "cross_entropy")
for finding in d_plain.findings:
    print(finding)
print("findings with BatchNorm:", d_normed.findings or "none")
assert "vanishing" in d_plain.kinds
assert "vanishing" not in d_normed.kinds

# %% [markdown]
# `viz.plot_diagnosis` draws the numbers behind the findings: the gradient norm of
# every layer (top), the spread of the activations (middle) and the saturated or
# dead units (bottom). Without BatchNorm the gradient falls by a decade every
# layer or two on its way to the input.

# %%
fig = viz.plot_diagnosis(d_plain)
save_figure(fig, "05_diagnosis_sigmoid_without_bn.png")
fig

# %%
fig = viz.plot_diagnosis(d_normed)
save_figure(fig, "05_diagnosis_sigmoid_with_bn.png")
fig

# %% [markdown]
# One pass is a snapshot. To see the flow during training, we train both
# networks for a few epochs with the same optimizer and record every step with
# `GradientRecorder` (the callback that feeds `viz.plot_grad_flow`). We then
# compare the gradient norm that reaches each of the ten hidden Linear layers.

# %%
epochs = 3 if QUICK else 15
curves, recorders = {}, {}
for name, model in (("without BatchNorm", plain), ("with BatchNorm", normed)):
    recorder = GradientRecorder(every=2)
    history = fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                  (X_moons, y_moons), epochs=epochs, batch_size=32, metrics=["accuracy"],
                  callbacks=[recorder], progress=False, seed=0)
    curves[name], recorders[name] = history, recorder
    print(f"{name:18s} final loss {history['loss'][-1]:.3f}, accuracy {history['accuracy'][-1]:.3f}")

# %%
fig = viz.plot_grad_flow(recorders["without BatchNorm"], title="Deep sigmoid network, no BatchNorm")
save_figure(fig, "05_grad_flow_without_bn.png")
fig

# %%
fig = viz.plot_grad_flow(recorders["with BatchNorm"], title="Deep sigmoid network with BatchNorm")
save_figure(fig, "05_grad_flow_with_bn.png")
fig

# %% [markdown]
# The two plots above have a point per layer; below we put the ten hidden
# Linear layers of both networks on one axis (median over the recorded steps of
# the weight gradient's norm).

# %%
def linear_weight_norms(recorder, model):
    """Median ‖∂C/∂W‖ over the recorded steps, for each Linear layer, input side first."""
    series = recorder.series("norm")
    names = [f"{path}.weight" for path, module in model.named_modules() if isinstance(module, nn.Linear)]
    return np.array([np.median(series[name]) for name in names])


norms = {name: linear_weight_norms(recorders[name], model)
         for name, model in (("without BatchNorm", plain), ("with BatchNorm", normed))}
ratio_plain = norms["without BatchNorm"][0] / norms["without BatchNorm"][-1]
ratio_normed = norms["with BatchNorm"][0] / norms["with BatchNorm"][-1]
print(f"first/last layer gradient ratio: {ratio_plain:.1e} without BN, {ratio_normed:.1e} with BN")
assert ratio_plain < 1e-3 < ratio_normed
assert curves["with BatchNorm"]["loss"][-1] < curves["without BatchNorm"]["loss"][-1]

fig = Figure(figsize=(11, 4), layout="constrained")
axes = fig.subplots(1, 2)
for name, values in norms.items():
    axes[0].semilogy(np.arange(1, len(values) + 1), values, "o-", label=name)
    axes[1].plot(np.arange(1, epochs + 1), curves[name]["loss"], "o-", label=name)
axes[0].set_xlabel("Linear layer (1 = next to the input, 11 = output)")
axes[0].set_ylabel("median ‖∂C/∂W‖ (log scale)")
axes[0].set_title("Gradient reaching each layer")
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("training loss")
axes[1].set_title("Learning")
for ax in axes:
    ax.legend()
    ax.grid(alpha=0.3)
fig.suptitle("10 sigmoid layers: BatchNorm keeps the gradient alive")
save_figure(fig, "05_grad_flow_comparison.png")
fig

# %% [markdown]
# Without BatchNorm, the first layer gets about a millionth of the gradient of
# the last one, and the loss stays near log 2 ≈ 0.69: the network guesses. With
# BatchNorm the gradient is about the same size everywhere and the network
# learns the two moons.
#
# The medians hide how the flow changes during training. `viz.animate_grad_flow`
# replays the recording of the network without BatchNorm, one bar per layer (input
# on the left, log scale): watch the bars move from step to step while the first
# layer's bar stays at least a thousand times shorter than the last one's: the
# gradient vanishes all through training, not only at the start (Bengio, Simard &
# Frasconi 1994).

# %%
anim = viz.animate_grad_flow(recorders["without BatchNorm"], max_frames=4 if QUICK else 60)
show_file(viz.save_animation(anim, figure_path("05_grad_flow_without_bn.gif"), dpi=40 if quick() else 100))
series = recorders["without BatchNorm"].series("norm")
first_over_last = np.array(series["0.weight"]) / np.array(series["20.weight"])  # first / output Linear
print(f"{anim.n_frames} frames of {len(anim.layers)} layers; "
      f"first/last layer gradient ratio between {first_over_last.min():.1e} and {first_over_last.max():.1e}")
records = recorders["without BatchNorm"].records
assert anim.n_frames == min(4 if QUICK else 60, len(records)) and len(anim.layers) == 11  # the 11 Linear layers
assert anim.steps[0] == records[0]["step"] and anim.steps[-1] == records[-1]["step"]
assert np.all(first_over_last < 1e-3)  # vanishing at every recorded step

# %% [markdown]
# ## A larger usable learning rate
#
# Ioffe & Szegedy (2015): batch normalization allows higher learning rates, which
# speeds up the training. We train
# a 6-hidden-layer ReLU network (He initialization) with plain SGD and a growing
# learning rate, with and without BatchNorm. `fit` stops with a `TrainingError`
# when the loss becomes NaN: we record that as "diverged".

# %%
learning_rates = [0.1, 0.3, 1.0, 3.0]
epochs = 3 if QUICK else 10
final_loss = {False: [], True: []}
for batchnorm in (False, True):
    for lr in learning_rates:
        mg.manual_seed(0)
        model = nn.MLP([2, 32, 32, 32, 32, 32, 32, 2], activation="relu", batchnorm=batchnorm)
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # overflow is the point here: no warnings
                history = fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=lr), (X_moons, y_moons),
                              epochs=epochs, batch_size=32, progress=False, seed=0)
            loss = history["loss"][-1]
        except TrainingError as err:
            print(f"  fit stopped: {str(err).split(':')[0]}")
            loss = float("nan")
        final_loss[batchnorm].append(loss)
        status = "diverged (NaN)" if np.isnan(loss) else f"final loss {loss:.3f}"
        print(f"BatchNorm={batchnorm!s:5}  lr={lr:<4}  {status}")

assert np.isnan(final_loss[False][-1]) and np.isnan(final_loss[False][-2])  # lr 1 and 3 blow up
assert all(loss < 0.6 for loss in final_loss[True])  # BatchNorm learns at every rate (chance: log 2 ≈ 0.69)

# %%
fig = Figure(figsize=(6.5, 4), layout="constrained")
ax = fig.subplots()
for batchnorm, marker in ((False, "o"), (True, "s")):
    values = np.array(final_loss[batchnorm])
    label = "with BatchNorm" if batchnorm else "without BatchNorm"
    (line,) = ax.plot(learning_rates, values, marker + "-", label=label)  # NaN leaves a gap
    diverged = [lr for lr, v in zip(learning_rates, values) if np.isnan(v)]
    if diverged:
        ax.plot(diverged, [1.0] * len(diverged), "x", color=line.get_color(), markersize=12, markeredgewidth=3,
                label=label + ": diverged (NaN)")
ax.set_xscale("log")
ax.set_xlabel("learning rate (plain SGD)")
ax.set_ylabel(f"training loss after {epochs} epochs")
ax.set_title("6 ReLU layers on the moons: BatchNorm tolerates large steps")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
save_figure(fig, "05_learning_rate.png")
fig

# %% [markdown]
# The same steps that overflow the plain network leave the BatchNorm network
# training well. The scale invariance we checked above is one reason: a large
# step that inflates the weights does not inflate the normalized activations.
#
# Remember the costs too: more parameters and
# slower predictions, poor estimates with very small batches, and a difference
# between training and inference behaviour that you must not forget —
# always call `model.eval()` before predicting (`fit`, `evaluate` and `predict`
# do it for you).

# %% [markdown]
# ## The distributions BatchNorm holds still
#
# Ioffe & Szegedy motivate BatchNorm with a picture (their Fig. 1): the
# distribution of the input to a sigmoid, tracked over training as its 15th, 50th
# and 85th percentiles. Without normalization it keeps moving, because every
# update of the layers below changes what this layer receives ("internal
# covariate shift"); with BatchNorm it stays centred. We repeat the experiment on
# the moons with a 2-32-32-32-2 sigmoid network trained by SGD, recording after
# every epoch each hidden layer's pre-activations (the sigmoid's input, after
# BatchNorm when there is one) on a fixed probe batch. `viz.plot_activation_drift`
# draws them.

# %%
drift_epochs = 10 if QUICK else 30
probe = X_moons[:200].astype(np.float32)


def sigmoid_inputs(model):
    """Each hidden layer's pre-activations on the probe batch (inference mode, no graph)."""
    model.eval()
    h, inputs = mg.tensor(probe), []
    with mg.no_grad():
        for layer in model:
            if isinstance(layer, nn.Sigmoid):
                inputs.append(h.numpy().ravel().copy())
            h = layer(h)
    return inputs


drift = {}
for batchnorm in (False, True):
    mg.manual_seed(0)
    model = nn.MLP([2, 32, 32, 32, 2], activation="sigmoid", batchnorm=batchnorm)
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    record = [sigmoid_inputs(model)]
    for epoch in range(drift_epochs):
        fit(model, "cross_entropy", optimizer, (X_moons, y_moons), epochs=1, batch_size=32, progress=False,
            seed=epoch)
        record.append(sigmoid_inputs(model))
    drift["with BatchNorm" if batchnorm else "without BatchNorm"] = record

median_drift = {name: np.ptp([[np.median(layer) for layer in r] for r in record], axis=0)
                for name, record in drift.items()}
for name, moved in median_drift.items():
    print(f"{name:18s} how far each layer's median moved during training:", moved.round(3))
assert median_drift["without BatchNorm"][-1] > 3 * median_drift["with BatchNorm"][-1]   # the top layer drifts

fig = viz.plot_activation_drift(drift, title="Sigmoid inputs per layer over training (after Ioffe & Szegedy 2015, Fig. 1)")
save_figure(fig, "05_activation_drift.png")
fig

# %% [markdown]
# Without BatchNorm the third layer's median slides steadily away from 0, towards
# the flat part of the sigmoid; with BatchNorm the medians stay near 0 and the
# spread changes only as the layer's own γ grows — a change the layer learns,
# not one imposed on it from below.
#
# ## Layer normalization: normalize each example instead
#
# BatchNorm's statistics come from the batch, so it needs batches (a batch of 1
# has no variance), and it computes differently in training and at inference.
# **Layer normalization** (Ba, Kiros & Hinton 2016) takes the mean and variance
# of each *example* over its features instead: the same four lines as before, over
# the other axis,
#
#     μᵢ = (1/H) Σⱼ xᵢⱼ,   σ²ᵢ = (1/H) Σⱼ (xᵢⱼ − μᵢ)²,   yᵢⱼ = γⱼ (xᵢⱼ − μᵢ)/√(σ²ᵢ + ε) + βⱼ
#
# so an example's output does not depend on the rest of the batch, and training
# and inference agree (it is the normalization of Transformers). `nn.LayerNorm(H)`
# on the batch X of the first section:

# %%
ln = nn.LayerNorm(3).double()
y_ln = ln(mg.tensor(X, dtype="float64")).numpy()
mu_rows, var_rows = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
by_hand_ln = (X - mu_rows) / np.sqrt(var_rows + ln.eps)
print("LayerNorm(X) =\n", y_ln.round(4))
assert np.allclose(y_ln, by_hand_ln, atol=1e-12)
assert np.allclose(y_ln.mean(axis=1), 0, atol=1e-12)              # every row (example) is standardized
one = ln(mg.tensor(X[:1], dtype="float64")).numpy()               # an example alone: the same output
ln.eval()
assert np.allclose(one, y_ln[:1], atol=1e-12) and np.allclose(ln(mg.tensor(X, dtype="float64")).numpy(), y_ln)
bn_alone = nn.BatchNorm1d(3).double()(mg.tensor(X[:2], dtype="float64")).numpy()
assert not np.allclose(bn_alone[0], nn.BatchNorm1d(3).double()(mg.tensor(X, dtype="float64")).numpy()[0])
print("LayerNorm: each example on its own, the same in training and inference; BatchNorm: depends on the batch")

# %% [markdown]
# ## Exercises
#
# 1. **Batch size matters.** Repeat the running-statistics experiment with
#    batches of 2 and of 256 examples. How noisy are the curves? Why is a batch of
#    2 a bad idea for BatchNorm? *Hint:* with m = 2 the biased variance of a unit
#    is ((x₁ − x₂)/2)², and every normalized value is ±1 (up to ε).
# 2. **Momentum.** Build `nn.BatchNorm1d(3, momentum=None)`: the running statistics
#    become a cumulative average. Check by hand that after k batches
#    `running_mean` is the plain mean of the k batch means. *Hint:* the momentum of
#    batch k is 1/k.
# 3. **Before or after the activation?** The course's Keras example shows both
#    placements. Build the deep sigmoid network with BatchNorm *after* each
#    sigmoid and compare its gradient flow with the one above. *Hint:* `deep_net`
#    is four lines; swap two of them.
# 4. **Forgetting `eval()`.** Train the BatchNorm network on the moons, then
#    predict one example with the model left in training mode. What happens, and
#    why? *Hint:* look at the error message above.
# 5. **Where BatchNorm does not help.** Rerun the learning-rate sweep with
#    `optim.Adam` at learning rates 0.01, 0.03 and 0.1. Is the gap between the two
#    networks as large? *Hint:* Adam already rescales each weight's step
#    (lesson 6).

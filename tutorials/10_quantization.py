# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 10. Quantization
#
# A trained network is a few matrices of 32-bit floats. The course's quantization
# lesson asks what happens if we store them with fewer bits: "Quantization is a technique
# that **reduces** the precision of weights and activations. For instance, from
# Float32 to smaller formats such as INT8." The model gets smaller ("8 bits = 1
# byte, FP32 = 4 bytes = 32 bits"), integer arithmetic is cheaper than floating
# point, and that is what puts networks on phones and micro-controllers — the
# "efficient edge-device inference" of the course's objectives (Jacob et al. 2018).
#
# This lesson follows the course:
#
# 1. **Exercise 1, symmetric uniform quantization**, by hand and with
#    `minigrad.quant` (the course's Exercise 1, symmetric uniform quantization);
# 2. how the error depends on the number of bits; symmetric vs **affine**
#    quantization; one scale per tensor vs **per channel**;
# 3. the types of quantization: **post-training quantization** (PTQ) vs
#    **quantization-aware training** (QAT), and quantizing **weights**,
#    **activations** and **biases**;
# 4. **1.58 bits**: ternary weights in {−1, 0, 1} from "The Era of 1-bit LLMs"
#    (Ma et al. 2024, BitNet b1.58), and what each choice does to the model size.
#
# Everything runs top to bottom as plain Python. Figures go to the folder named by
# `MINIGRAD_FIGURES` (default `./figures/`).

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
import viz
from minigrad import metrics, nn, optim, quant
from minigrad.data import StandardScaler, load_digits, train_val_test_split
from minigrad.course.lessons import quick, save_figure
from minigrad.quant.report import quantization_table
from minigrad.train import fit, predict

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite sets it)
print("quick mode" if QUICK else "full mode")

# %% [markdown]
# ## 10.1 Exercise 1 by hand
#
# The course sets up the problem in four lines:
#
# - **Domain.** n = 8 bits; the quantized values q are integers in
#   [q_min, q_max] with q_min = −2^(n−1) = −128 and q_max = 2^(n−1) − 1 = 127.
# - **Scale.** α = max(|x|), the largest magnitude in the data, and s = α / q_max:
#   one integer step is worth s in real units.
# - **Input.** x = [1.23, −0.87].
# - **Quantization.** q = round(x / s), rounding to the nearest integer.
#
# To read the numbers back we **dequantize**: x̂ = s · q. Let us do it with a pencil
# (well, with plain Python).

# %%
n = 8
q_min, q_max = -(2 ** (n - 1)), 2 ** (n - 1) - 1
x = [1.23, -0.87]
alpha = max(abs(v) for v in x)
s = alpha / q_max
ratios = [v / s for v in x]
q = [round(r) for r in ratios]
x_hat = [s * qi for qi in q]
print(f"q_min = {q_min}, q_max = {q_max}")
print(f"α = {alpha}, s = α/q_max = 1.23/127 = {s:.7f}")
print(f"x/s = [{ratios[0]:.2f}, {ratios[1]:.2f}]  →  q = {q}")
print(f"dequantized x̂ = s·q = [{x_hat[0]:.5f}, {x_hat[1]:.5f}], error = {[round(a - b, 5) for a, b in zip(x, x_hat)]}")

assert (q_min, q_max) == (-128, 127)
assert math.isclose(s, 1.23 / 127)
assert q == [127, -90]                                  # −0.87/s = −89.83 rounds to −90
assert all(abs(a - b) <= s / 2 for a, b in zip(x, x_hat))  # rounding errs by at most half a step

# %% [markdown]
# The largest value lands exactly on q_max = 127 and comes back exactly; −0.87
# becomes −90 steps of 0.009685, i.e. −0.87165: off by 0.0017, less than half a
# step. This is the whole idea: **a real number becomes a small integer plus one
# shared scale**.
#
# `quant.quantize` does the same and returns a `QTensor` holding the integer codes
# `q` (as `int8`, one byte each), the `scale` and the `zero_point` (0 for the
# symmetric scheme).

# %%
qt = quant.quantize(x, bits=8)
print(qt)
print("q =", qt.q, " scale =", qt.scale, " zero point =", qt.zero_point)
print("dequantized:", quant.dequantize(qt))
assert qt.q.tolist() == [127, -90] and qt.q.dtype == np.int8
assert math.isclose(qt.scale, 1.23 / 127) and qt.zero_point == 0
assert np.allclose(quant.dequantize(qt), x_hat)

# %% [markdown]
# On the number line: the 8-bit grid has the 256 levels s·q, q = −128 … 127,
# spaced s ≈ 0.0097 apart (the symmetric scheme never uses −128, so the values
# stay within [−α, α]). Each value moves to the nearest
# level; zoomed in, 1.23 sits exactly on level 127 and −0.87 rounds to level −90,
# 0.0017 away, less than half a step. `viz.plot_quantization_grid` draws it.

# %%
fig = viz.plot_quantization_grid(x, qt)
levels_shown = [t.get_text() for t in fig.axes[2].texts if t.get_text()]
assert levels_shown == [str(c) for c in range(-93, -86)] and "q = -90" in fig.axes[2].get_title()
save_figure(fig, "10_exercise1_grid.png")
fig

# %% [markdown]
# ## 10.2 How many bits?
#
# With n bits the symmetric grid has the levels −q_max … q_max spread over
# [−α, α] (the one extra code, −2^(n−1), is never used), so the step is
# s = α / (2^(n−1) − 1): **each extra bit halves the step**. Rounding errors are
# spread roughly evenly over [−s/2, s/2], so their mean square is s²/12 and falls
# by 4 per bit. In decibels, the signal-to-quantization-noise ratio
# SQNR = 10·log₁₀(mean x² / mean (x − x̂)²) grows by 10·log₁₀ 4 ≈ **6 dB per bit**
# — the rule of thumb of every audio engineer. We check it on a matrix of random
# "weights".

# %%
rng = np.random.default_rng(0)
W_demo = rng.normal(size=(256, 64)).astype(np.float32)
bit_range = list(range(2, 13))
sqnr = []
for bits in bit_range:
    err = W_demo - quant.quantize(W_demo, bits=bits).dequantize()
    sqnr.append(10 * np.log10(np.mean(W_demo**2) / np.mean(err**2)))
gains = np.diff(sqnr)
for bits, db in zip(bit_range, sqnr):
    print(f"{bits:2d} bits: SQNR {db:5.1f} dB")
assert np.all((gains[4:] > 5.5) & (gains[4:] < 6.6))   # ≈ 6.02 dB per bit from 6 bits on

# %% [markdown]
# At very few bits the rule bends: α is set by the largest outlier, and most of a
# Gaussian's values sit in the middle levels. `viz.plot_quantization` draws what
# 4 bits do to these weights: the histogram collapses onto the 15 levels −7 … 7,
# and the error x − x̂ is a sawtooth bounded by ±s/2.

# %%
fig = viz.plot_quantization(W_demo, quant.quantize(W_demo, bits=4),
                            title="N(0, 1) weights, 4-bit symmetric")
save_figure(fig, "10_quantization_4bit.png")
plt.close(fig)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(bit_range, sqnr, "o-", label="measured")
ax.plot(bit_range, sqnr[-1] - 6.02 * (bit_range[-1] - np.array(bit_range)), "k--", linewidth=1,
        label="6.02 dB per bit")
ax.set_xlabel("bits n")
ax.set_ylabel("SQNR (dB)")
ax.set_title("Each bit halves the step: +6 dB")
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
save_figure(fig, "10_sqnr_per_bit.png")
plt.close(fig)

# %% [markdown]
# ### Symmetric vs affine
#
# The symmetric grid is centred on 0. That suits weights, whose distribution is
# roughly symmetric, but not the output of a ReLU: it is never negative, so half
# of the codes (−128 … −1) are never used and the step is twice as large as it
# needs to be. **Affine** (asymmetric) quantization fits the grid to [min, max]
# with unsigned codes 0 … 2ⁿ − 1 and an integer **zero point** z, the code that
# stands for the real 0:
#
# s = (max − min) / (2ⁿ − 1),  z = −round(min / s),  q = round(x / s) + z,
# x̂ = (q − z)·s
#
# (the range is widened to contain 0 first, so that 0 — a ReLU's favourite output
# — is represented exactly). By hand for x = [−0.5, 0.2, 1.5] with 8 bits:
# s = 2/255, z = round(0.5·255/2) = round(63.75) = 64, and
# q = [−64 + 64, round(25.5) + 64, round(191.25) + 64] = [0, 90, 255]
# (NumPy rounds halves to even: 25.5 → 26).

# %%
x_aff = np.array([-0.5, 0.2, 1.5])
s_aff = (1.5 - (-0.5)) / 255
z_aff = round(0.5 / s_aff)
q_aff = np.rint(x_aff / s_aff) + z_aff
qt_aff = quant.quantize(x_aff, bits=8, scheme="affine")
print(f"by hand: s = {s_aff:.6f}, z = {z_aff}, q = {q_aff.astype(int).tolist()}")
print(f"quant:   s = {qt_aff.scale:.6f}, z = {qt_aff.zero_point}, q = {qt_aff.q.tolist()} ({qt_aff.q.dtype})")
print("dequantized:", qt_aff.dequantize().round(5))
assert z_aff == 64 and q_aff.tolist() == [0, 90, 255]
assert qt_aff.q.tolist() == [0, 90, 255] and qt_aff.zero_point == 64 and math.isclose(qt_aff.scale, s_aff)
zero = quant.quantize(np.array([-0.5, 0.0, 1.5]), bits=8, scheme="affine").dequantize()
assert zero[1] == 0.0                                   # the real 0 comes back exactly

relu_out = np.maximum(rng.normal(size=10_000), 0).astype(np.float32)
errors = {}
for scheme in ("symmetric", "affine"):
    qt_r = quant.quantize(relu_out, bits=8, scheme=scheme)
    errors[scheme] = float(np.mean((relu_out - qt_r.dequantize()) ** 2))
    print(f"ReLU outputs, {scheme:9s}: codes {qt_r.q.min()} … {qt_r.q.max()}, step {qt_r.scale:.4f}, "
          f"MSE {errors[scheme]:.2e}")
assert errors["affine"] < errors["symmetric"] / 3      # half the step: about a quarter of the error

# %% [markdown]
# ### Per tensor vs per channel
#
# One scale for a whole weight matrix is set by its largest weight. If one output
# neuron (one row of W ∈ R^{n_out × n_in}) has weights a hundred times smaller than
# another's, they all round to 0 and that neuron is switched off. **Per-channel**
# quantization gives every row its own scale (`axis=0`): it costs one float per
# row and is the standard for weights.

# %%
W_rows = rng.normal(size=(3, 8)) * np.array([[0.01], [0.1], [1.0]])   # three neurons, very different scales
per_tensor = quant.quantize(W_rows, bits=4)
per_channel = quant.quantize(W_rows, bits=4, axis=0)
print("per tensor  (one scale", np.round(per_tensor.scale, 4), "):\n", per_tensor.q)
print("per channel (scales", np.round(per_channel.scale, 4), "):\n", per_channel.q)


def rel_err(qt_):
    """‖W_row − Ŵ_row‖ / ‖W_row‖ for each row."""
    return np.linalg.norm(W_rows - qt_.dequantize(), axis=1) / np.linalg.norm(W_rows, axis=1)


print("relative error per row, per tensor: ", rel_err(per_tensor).round(3))
print("relative error per row, per channel:", rel_err(per_channel).round(3))
assert np.all(per_tensor.q[0] == 0)                     # the small neuron is wiped out ...
assert np.abs(per_channel.q[0]).max() == 7              # ... unless it gets its own scale
assert np.all(rel_err(per_channel) <= rel_err(per_tensor) + 1e-12)

# %% [markdown]
# ## 10.3 A real network: the digits
#
# We train a float32 MLP 64-64-32-10 on the 8×8 digits (stratified split,
# standardized with the training set's statistics, as in lesson 9).

# %%
X, y = load_digits()
(X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(X, y, (0.6, 0.2, 0.2), stratify=True, seed=0)
scaler = StandardScaler().fit(X_tr)
X_tr, X_va, X_te = (scaler.transform(a).astype(np.float32) for a in (X_tr, X_va, X_te))

EPOCHS = 8 if QUICK else 20
QAT_EPOCHS = 3 if QUICK else 6

mg.manual_seed(0)
model = nn.MLP([64, 64, 32, 10], activation="relu")
fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=3e-3), (X_tr, y_tr), epochs=EPOCHS, batch_size=32,
    validation_data=(X_va, y_va), progress=False, seed=0)


def test_accuracy(m):
    out = m(X_te)
    return metrics.accuracy(y_te, out.numpy() if isinstance(out, mg.Tensor) else out)


float_acc = metrics.accuracy(y_te, predict(model, X_te))
print(f"float32 model: {model.num_parameters()} parameters, test accuracy {float_acc:.4f}")

# %% [markdown]
# ### Post-training quantization (PTQ)
#
# "**Post-Training Quantization (PTQ)** quantizes a trained model" (Jacob et
# al. 2018; Nagel et al. 2021). `quant.quantize_model` does it in three steps:
#
# 1. **calibrate**: run some training data through the float model and let an
#    *observer* record the range of every layer's input and output — that gives
#    the activations' scales and zero points (affine, since they follow ReLUs);
# 2. **quantize the weights** per output channel, symmetric, as in Exercise 1, and
#    the bias to int32 with scale s_x·s_w;
# 3. **run in integers**: each Linear multiplies int8 codes by int8 codes and sums
#    them in an int32 accumulator, then rescales to the next layer's 8-bit grid.
#
# An observer on its own: it remembers the smallest and largest values it has seen.

# %%
observer = quant.MinMaxObserver()
observer.observe(np.array([0.0, 1.0, 2.0]))
observer.observe(np.array([-1.0, 0.5]))
scale_obs, zp_obs = observer.qparams(bits=8)
print(observer, "→ scale", round(scale_obs, 6), "zero point", zp_obs)
assert math.isclose(scale_obs, 3 / 255) and zp_obs == 85     # range [−1, 2] on 0 … 255

int8_model = quant.quantize_model(model, X_tr, bits=8)
print(int8_model)
int8_model(X_te[:4])
accumulators = [step.last_accumulator for step in int8_model.steps if hasattr(step, "last_accumulator")]
print("accumulator dtypes:", [a.dtype for a in accumulators])
assert all(a.dtype == np.int32 for a in accumulators)       # int8 × int8 → int32 accumulate

report8 = quant.ptq_report(model, int8_model, X_te, y_te)
print(report8)
assert report8["quant_accuracy"] >= float_acc - 0.02          # 8 bits: practically free

# %% [markdown]
# At 8 bits PTQ costs next to nothing. How far down can we go? `quantization_table`
# repeats PTQ for several bit widths (weights *and* activations at n bits):

# %%
print(quantization_table(model, {"train": (X_tr, y_tr), "test": (X_te, y_te)}, bits_list=(8, 4, 2)))
ptq4 = quant.quantize_model(model, X_tr, bits=4)
ptq4_acc = test_accuracy(ptq4)
print(f"\nPTQ 4-bit: {ptq4_acc:.4f}")

# %% [markdown]
# ### Weights, activations, biases: which one hurts?
#
# The course lists three things to quantize: "In **Weight Quantization** only
# weights are reduced in precision. In **Activation Quantization** [the
# activations] are reduced in precision. **Bias Quantization** quantizes biases
# (less common)." We can try each alone. `prepare_qat` makes a copy of the model
# whose Linear layers *simulate* quantization — they quantize and immediately
# dequantize (**fake quantization**), so everything stays in floats but carries
# exactly the rounding error of the integer version. Without any training this is
# PTQ, one part at a time.

# %%
def simulate(**bits):
    """Fake-quantize the trained model as asked, calibrate on the training set, test."""
    sim = quant.prepare_qat(model, **bits)
    sim.train()
    with mg.no_grad():
        sim(X_tr)                     # the observers record the activation ranges
    sim.eval()
    return test_accuracy(sim)


parts = {
    "weights 4-bit": {"weight_bits": 4, "act_bits": None},
    "activations 4-bit": {"weight_bits": 16, "act_bits": 4},
    "biases 4-bit": {"weight_bits": 16, "act_bits": None, "bias_bits": 4},
    "all three 4-bit": {"weight_bits": 4, "act_bits": 4, "bias_bits": 4},
}
part_acc = {name: simulate(**kw) for name, kw in parts.items()}
for name, acc in part_acc.items():
    print(f"{name:18s} test accuracy {acc:.4f}   (float {float_acc:.4f})")
assert part_acc["weights 4-bit"] > part_acc["activations 4-bit"]
assert part_acc["biases 4-bit"] >= float_acc - 0.01

# %% [markdown]
# The weights survive 4 bits well: they are quantized per channel, and each row's
# range is its own. The **activations** are the problem: one scale for a whole
# layer, set by the most extreme input ever seen, leaves 16 levels for everything
# else. Biases barely matter — there are few of them, and each adds to a sum of 64
# products, so their rounding is tiny in comparison ("less common" for a reason;
# integer inference keeps them in 32 bits anyway).
#
# A cure for the activations without retraining: calibrate with a
# **percentile** observer, which ignores the most extreme 0.01% of values and
# spends the levels where the data are.

# %%
ptq4_pct = quant.quantize_model(model, X_tr, bits=4, observer="percentile")
ptq4_pct_acc = test_accuracy(ptq4_pct)
print(f"PTQ 4-bit, min/max calibration:    {ptq4_acc:.4f}")
print(f"PTQ 4-bit, percentile calibration: {ptq4_pct_acc:.4f}")

# %% [markdown]
# ### Quantization-aware training (QAT)
#
# "**Quantization-Aware Training (QAT)** simulates quantization during training to
# reduce accuracy loss." The network trains *through* the fake quantizers, so it
# learns weights that still work after rounding. One problem: round() is flat
# almost everywhere — its derivative is 0 — so no gradient would reach the
# weights. The **straight-through estimator** (Bengio et al. 2013) pretends the
# rounding is the identity in the backward pass: gradient 1 where the value is
# inside the grid's range, 0 where it was clipped.

# %%
x_ste = mg.tensor([-2.0, -0.3, 0.0, 0.41, 1.0, 5.0], requires_grad=True)
x_fq = quant.fake_quantize(x_ste, scale=0.1, zero_point=0, qmin=-8, qmax=7)   # 4-bit grid: −0.8 … 0.7
x_fq.sum().backward()
print("x            ", x_ste.numpy())
print("fake quantize", x_fq.numpy())
print("gradient     ", x_ste.grad.numpy())
assert np.allclose(x_fq.numpy(), [-0.8, -0.3, 0.0, 0.4, 0.7, 0.7])
assert x_ste.grad.numpy().tolist() == [0, 1, 1, 1, 0, 0]      # 1 inside the range, 0 where clipped

# %% [markdown]
# QAT in practice: start from the trained float model, swap its Linear layers for
# `QuantLinear` with `prepare_qat` (4-bit weights and 4-bit activations), train a
# few more epochs with a small learning rate, and convert the result to integer
# arithmetic with `quantize_model`, which keeps the grids learned during QAT.

# %%
qat_results = {}
for bits in (8, 4):
    qat_model = quant.prepare_qat(model, weight_bits=bits, act_bits=bits)
    fit(qat_model, "cross_entropy", optim.Adam(qat_model.parameters(), lr=1e-3), (X_tr, y_tr),
        epochs=QAT_EPOCHS, batch_size=32, progress=False, seed=0)
    qat_int = quant.quantize_model(qat_model, X_tr, bits=bits)
    qat_results[bits] = test_accuracy(qat_int)
ptq_results = {8: report8["quant_accuracy"], 4: ptq4_acc}

print(f"{'':10s}{'PTQ':>10s}{'QAT':>10s}   (float32 {float_acc:.4f})")
for bits in (8, 4):
    print(f"{bits}-bit    {ptq_results[bits]:10.4f}{qat_results[bits]:10.4f}")
assert qat_results[4] >= ptq_results[4]              # QAT recovers what 4-bit PTQ loses
assert qat_results[4] >= float_acc - 0.05

# %%
fig, ax = plt.subplots(figsize=(7, 4))
labels = ["float32", "PTQ 8-bit", "QAT 8-bit", "PTQ 4-bit", "PTQ 4-bit\n(percentile)", "QAT 4-bit"]
values = [float_acc, ptq_results[8], qat_results[8], ptq_results[4], ptq4_pct_acc, qat_results[4]]
colors = ["tab:gray", "tab:blue", "tab:green", "tab:blue", "tab:cyan", "tab:green"]
bars = ax.bar(labels, values, color=colors)
for bar, v in zip(bars, values):
    ax.text(bar.get_x() + bar.get_width() / 2, v + 0.01, f"{v:.1%}", ha="center", fontsize=9)
ax.set_ylim(0, 1.08)
ax.set_ylabel("test accuracy")
ax.set_title("Digits MLP: post-training quantization vs quantization-aware training")
fig.tight_layout()
save_figure(fig, "10_ptq_vs_qat.png")
plt.close(fig)

# %% [markdown]
# ## 10.4 1.58 bits: ternary weights
#
# "Some studies achieved good results although a quantization of **1.58 bits**"
# (the course, citing Ma et al. 2024, "The Era of 1-bit LLMs: All Large Language
# Models are in 1.58 Bits"). BitNet b1.58 allows every weight only three values,
# {−1, 0, +1} — log₂ 3 ≈ 1.58 bits of information — times one scale per matrix,
# the **absmean** γ = mean |W|:
#
# W̃ = RoundClip(W / (γ + ε), −1, 1),  W ≈ γ · W̃.
#
# A weight smaller than γ/2 in magnitude becomes 0; the others become ±γ. A
# matrix product with W̃ needs no multiplications at all, only additions and
# subtractions. By hand on a small matrix:

# %%
W_small = np.array([[0.9, -0.05, 0.3, -1.2],
                    [0.02, 0.6, -0.4, 0.1]])
gamma = np.abs(W_small).mean()
codes = np.clip(np.rint(W_small / (gamma + 1e-5)), -1, 1)
print(f"γ = mean|W| = {gamma:.4f}")
print("codes W̃:\n", codes.astype(int))
W_tern = quant.ternary(W_small)
print("quant.ternary(W) = γ·W̃:\n", W_tern.round(4))
assert math.isclose(gamma, 3.57 / 8)
assert set(np.unique(W_tern / gamma).round(6)) <= {-1.0, 0.0, 1.0}      # values in {−1, 0, 1}·γ
assert np.allclose(W_tern, gamma * codes)
packed = quant.quantize_ternary(W_small)
assert math.isclose(packed.scale, gamma) and math.isclose(packed.bits, math.log2(3))
assert packed.q.tolist() == codes.astype(int).tolist()

# %% [markdown]
# Rounding a trained float network straight to ternary weights (PTQ at 1.58 bits)
# throws away most of what each weight knew, and accuracy drops. BitNet instead
# *trains* with the ternary weights in the loop (QAT again, with the
# straight-through estimator). `prepare_qat(model, weight_bits="ternary")` swaps
# each Linear for a `BitLinear` layer (ternary weights, 8-bit activations); we
# measure it just rounded, then after a few epochs of ternary-aware training.

# %%
bitnet = quant.prepare_qat(model, weight_bits="ternary")
before = test_accuracy(bitnet.eval())
fit(bitnet, "cross_entropy", optim.Adam(bitnet.parameters(), lr=1e-3), (X_tr, y_tr),
    epochs=QAT_EPOCHS + 2, batch_size=32, progress=False, seed=0)
after = test_accuracy(bitnet)
print(f"ternary weights, just rounded: {before:.4f}   after ternary-aware training: {after:.4f}")
for layer in bitnet.modules():
    if isinstance(layer, quant.BitLinear):
        w_hat = layer.quantized_weight().numpy()
        g = np.abs(layer.weight.numpy()).mean()
        assert np.allclose(np.unique(np.round(w_hat / g, 5)), [-1, 0, 1])   # {−1, 0, 1}·γ, γ = mean|W|
assert after >= before

# %% [markdown]
# ### How much smaller?
#
# "Remember, 8 bits = 1 byte, FP32 = 4 bytes = 32 bits. 32x times cheaper." For the
# weights alone: 8 bits are 4× smaller than float32, 4 bits 8×, 1.58 bits
# 32/1.58 ≈ 20×, and a single bit would be the course's 32×. The whole model gains a
# little less, because each layer also stores its scales and zero points (a few
# floats) and its biases (int32). `model_size_bytes` counts the deployed form.

# %%
sizes = {
    "float32": quant.model_size_bytes(model),
    "8-bit": quant.model_size_bytes(int8_model),
    "4-bit": quant.model_size_bytes(ptq4),
    "1.58-bit": quant.model_size_bytes(bitnet),
}
n_weights = sum(m.weight.size for m in model.modules() if isinstance(m, nn.Linear))
assert sizes["float32"] == 4 * model.num_parameters()         # FP32 = 4 bytes per parameter
for name, size in sizes.items():
    print(f"{name:9s} {size:7,d} bytes   {sizes['float32'] / size:5.2f}× smaller")
print(f"\nweights alone: {n_weights} weights · 32 bits = {n_weights * 4:,} bytes; "
      f"at 8 bits {n_weights:,} bytes (4×), at 1.58 bits {n_weights * math.log2(3) / 8:,.0f} bytes "
      f"({32 / math.log2(3):.1f}×), at 1 bit {n_weights / 8:,.0f} bytes (32×)")
assert sizes["float32"] > sizes["8-bit"] > sizes["4-bit"] > sizes["1.58-bit"]
assert 3 < sizes["float32"] / sizes["8-bit"] <= 4
assert math.isclose(32 / math.log2(3), 20.19, rel_tol=1e-3)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
names = list(sizes)
axes[0].bar(names, [sizes[k] / 1024 for k in names], color=["tab:gray", "tab:blue", "tab:cyan", "tab:purple"])
axes[0].set_ylabel("model size (KiB)")
axes[0].set_title("Size of the digits MLP")
for i, k in enumerate(names):
    axes[0].text(i, sizes[k] / 1024, f"{sizes['float32'] / sizes[k]:.1f}×", ha="center", va="bottom")
bits_per_weight = {"FP32": 32, "INT8": 8, "INT4": 4, "ternary": math.log2(3), "1 bit": 1}
axes[1].bar(list(bits_per_weight), [32 / b for b in bits_per_weight.values()], color="tab:orange")
axes[1].set_ylabel("× cheaper than FP32 (weights)")
axes[1].set_title("32 bits → n bits is 32/n× cheaper")
for i, b in enumerate(bits_per_weight.values()):
    axes[1].text(i, 32 / b, f"{32 / b:.1f}×", ha="center", va="bottom")
fig.tight_layout()
save_figure(fig, "10_model_size.png")
plt.close(fig)

# %% [markdown]
# Finally, the trained network's own first-layer weights at 4 bits, as the
# quantizer sees them — per tensor here, to show the grid (the integer model uses
# one scale per row):

# %%
W1 = model[0].weight.numpy()
fig = viz.plot_quantization(W1, quant.quantize(W1, bits=4), title="Trained first layer, 4-bit symmetric")
save_figure(fig, "10_trained_weights_4bit.png")
plt.close(fig)

# %% [markdown]
# ## What we learned
#
# * Symmetric quantization (the course's Exercise 1): s = max|x| / q_max,
#   q = round(x/s); x = [1.23, −0.87] → q = [127, −90] with 8 bits. Dequantizing
#   errs by at most s/2, and every bit halves s (+6 dB).
# * Affine quantization adds a zero point and suits one-sided data like ReLU
#   outputs; per-channel scales protect rows with small weights.
# * PTQ is free at 8 bits. At 4 bits the activations suffer first; percentile
#   calibration helps, and QAT — training through fake quantizers with the
#   straight-through estimator — recovers almost all of the accuracy.
# * BitNet b1.58 keeps weights in {−1, 0, 1}·γ with γ = mean|W|: about 20× smaller
#   than float32, if the network is trained that way.
#
# ## Exercises
#
# 1. **Exercise 1 with fewer bits.** Redo Exercise 1 with n = 4 and n = 2 by hand.
#    What are q_min, q_max, s and q, and how large is the error on −0.87? Check with
#    `quant.quantize(x, bits=4)`. *Hint:* with 4 bits q_max = 7 and s = 1.23/7.
# 2. **An outlier.** Append 12.3 to x and quantize with 8 bits. What happens to
#    the codes of 1.23 and −0.87? *Hint:* α is now ten times larger, so the step is too.
# 3. **Percentile vs min/max.** Compare `quantize_model(model, X_tr, bits=3)` with
#    the "minmax" and the "percentile" observer, and try
#    `quant.PercentileObserver(99.9)`. *Hint:* the observer argument also accepts
#    an Observer class.
# 4. **QAT at 2 and 3 bits.** Extend the PTQ-vs-QAT table to 3 and 2 bits. Where does
#    QAT stop helping? Does a wider network (64-128-64-10) help more?
#    *Hint:* look at activations and weights separately, with `act_bits=None`.
# 5. **Sparsity for free.** What fraction of the ternary codes of the trained
#    `bitnet` are 0? Those weights cost nothing to multiply. *Hint:*
#    `layer.ternary_codes().q` holds the codes of each `BitLinear`.

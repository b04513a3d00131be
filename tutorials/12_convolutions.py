# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 12. From MLPs to convolutions on the digits
#
# The MLPs of the earlier lessons read an 8×8 digit as a list of 64 numbers. They
# do not know that pixel (2, 3) sits next to pixel (2, 4): shuffle the 64 inputs
# the same way for every image and an MLP learns exactly as well. Images have
# structure that a better layer can use (Goodfellow, Bengio & Courville, "Deep
# Learning", 2016, ch. 9; LeCun et al., 1998, "Gradient-Based Learning Applied to
# Document Recognition"):
#
# * **local receptive fields** -- a unit looks at a small patch (3×3), not at the
#   whole image;
# * **weight sharing** -- the same small filter slides over every position, so a
#   stroke detector learned in one corner works in every corner, with 9 weights
#   instead of 64 per unit;
# * **pooling** -- keeping the largest response of each 2×2 block makes the
#   features tolerant to shifts of a pixel and shrinks the maps.
#
# This lesson builds the convolution from its definition, shows that it is a
# matrix product in disguise (im2col), trains a small CNN against the MLP of
# lesson 6 on the same split, looks at what the filters learned, and checks the
# convolution's gradient numerically.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
import viz
from minigrad import nn, optim
from minigrad.backend import conv as conv_backend
from minigrad.course.lessons import quick, save_figure
from minigrad.data import load_digits, train_val_test_split
from minigrad.nn import functional as F
from minigrad.train import fit

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite sets it)
print("quick mode" if QUICK else "full mode")

# %% [markdown]
# ## 12.1 A convolution by hand
#
# A 2-D convolution layer (as every deep-learning library computes it: a
# cross-correlation, the kernel not flipped) slides a kH × kW kernel K over the
# image and takes a dot product at each position:
#
#     y[p, q] = b + Σ_i Σ_j K[i, j] · x[p + i, q + j]
#
# With C input channels the sum also runs over them (the kernel is C × kH × kW),
# and a layer has one kernel per output channel: its weight is
# (out, in, kH, kW). Here is a vertical-edge detector on one digit, by the
# formula and by `F.conv2d`:

# %%
images, labels = load_digits(images=True)
digit = images[0] / 16.0  # a 0, pixels in [0, 1]
edge = np.array([[1.0, 0.0, -1.0]] * 3)  # left minus right: responds to vertical edges

by_hand = np.zeros((6, 6))
for p in range(6):
    for q in range(6):
        by_hand[p, q] = np.sum(edge * digit[p:p + 3, q:q + 3])

x = mg.tensor(digit[None, None], dtype="float64")  # (N, C, H, W) = (1, 1, 8, 8)
K = mg.tensor(edge[None, None], dtype="float64")  # (out, in, kH, kW) = (1, 1, 3, 3)
y = F.conv2d(x, K)
print(y.shape)
assert y.shape == (1, 1, 6, 6)
np.testing.assert_allclose(y.numpy()[0, 0], by_hand, atol=1e-12)

# %% [markdown]
# ### Output size: padding, stride, dilation
#
# Without padding a 3×3 kernel fits 8 − 3 + 1 = 6 times along each axis. In
# general, with `padding` P zeros on each side, a `stride` S between positions and
# a `dilation` D between the kernel's taps (Dumoulin & Visin, 2016, "A guide to
# convolution arithmetic for deep learning"):
#
#     out = ⌊(n + 2P − D·(k − 1) − 1) / S⌋ + 1
#
# `padding=1` keeps an 8×8 image 8×8 under a 3×3 kernel ("same" padding);
# `stride=2` halves it.

# %%
def out_size(n, k, padding=0, stride=1, dilation=1):
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


for settings in [dict(), dict(padding=1), dict(stride=2), dict(padding=1, stride=2), dict(dilation=2)]:
    shape = F.conv2d(x, K, **settings).shape
    print(f"{str(settings):32s} → {shape[2]}×{shape[3]}")
    assert shape[2] == out_size(8, 3, **settings)
assert F.conv2d(x, K, padding=1).shape[2:] == (8, 8)
assert F.conv2d(x, K, padding=1, stride=2).shape[2:] == (4, 4)

# %% [markdown]
# ## 12.2 A convolution is a matrix product (im2col)
#
# Lay every 3×3 patch of the image out as a column: for an (N, C, H, W) batch
# that is a (C·kH·kW) × (N·H_out·W_out) matrix, "im2col" (Chellapilla, Puri &
# Simard, 2006). Reshape the weight to (out, C·kH·kW), and the whole layer is one
# matrix product -- which is how minigrad computes it, on BLAS, the fastest
# routine a CPU has:

# %%
cols = conv_backend.im2col(x.numpy(), (3, 3), (1, 1), (0, 0, 0, 0), (1, 1), (6, 6))
print("im2col:", cols.shape)  # 9 rows (one per kernel tap), 36 columns (one per position)
assert cols.shape == (9, 36)
np.testing.assert_allclose(cols[:, 0], digit[:3, :3].ravel())  # column 0: the top-left patch
as_matmul = (K.numpy().reshape(1, 9) @ cols).reshape(6, 6)
np.testing.assert_allclose(as_matmul, y.numpy()[0, 0], atol=1e-12)

# %% [markdown]
# The backward pass follows from the same picture. For Y = W · cols:
# dL/dW = dL/dY · colsᵀ, and dL/dcols = Wᵀ · dL/dY, whose columns are summed back
# onto the pixels they came from ("col2im": a pixel that sits in 9 patches gets 9
# contributions). That second map is itself a convolution run backwards, the
# **transposed convolution** (`F.conv_transpose2d`), used as an upsampling layer in
# its own right. So each gradient of a convolution is again a convolution, and
# minigrad differentiates those too (gradients of gradients).
#
# ## 12.3 Pooling
#
# Max pooling keeps the largest value of each window. Its gradient goes to the
# one input that won, and nowhere else:

# %%
block = mg.tensor([[[[1.0, 5.0, 2.0, 0.0],
                     [0.0, 3.0, 4.0, 8.0],
                     [7.0, 1.0, 0.0, 2.0],
                     [2.0, 2.0, 6.0, 1.0]]]], dtype="float64", requires_grad=True)
pooled = F.max_pool2d(block, 2)
pooled.sum().backward()
print(pooled.numpy()[0, 0])
print(block.grad.numpy()[0, 0])
assert pooled.numpy()[0, 0].tolist() == [[5.0, 8.0], [7.0, 6.0]]
assert block.grad.numpy().sum() == 4 and block.grad.numpy()[0, 0, 0, 1] == 1.0

# %% [markdown]
# ## 12.4 MLP against CNN on the digits
#
# The same split as lesson 6 (60% train, 20% validation, 20% test, stratified),
# pixels scaled to [0, 1]. The MLP sees 64 numbers; the CNN sees an 8×8 image:
#
#     conv 3×3, 1 → 8 channels, padding 1  (8×8)  → ReLU → max-pool 2  (4×4)
#     conv 3×3, 8 → 16 channels, padding 1 (4×4)  → ReLU → max-pool 2  (2×2)
#     flatten (16·2·2 = 64) → Linear → 10 classes

# %%
X_digits, y_digits = load_digits(images=True)
X_digits = (X_digits / 16.0).astype(np.float32)[:, None]  # (1797, 1, 8, 8)
(X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(X_digits, y_digits, (0.6, 0.2, 0.2),
                                                                stratify=True, seed=0)
epochs = 12 if QUICK else 30


def make_mlp():
    return nn.Sequential(nn.Flatten(), nn.MLP([64, 32, 10], activation="relu"))


def make_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10),
    )


def count(model):
    return sum(p.data.size for p in model.parameters())


def accuracy(model, X, y):
    model.eval()
    with mg.no_grad():
        return float((model(mg.tensor(X)).numpy().argmax(axis=1) == y).mean())


results = {}
for name, make in (("MLP 64-32-10", make_mlp), ("CNN 8-16 filters", make_cnn)):
    mg.manual_seed(0)
    model = make()
    history = fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=0.01), (X_tr, y_tr),
                  epochs=epochs, batch_size=32, validation_data=(X_va, y_va), metrics=["accuracy"],
                  progress=False, seed=0)
    results[name] = dict(model=model, history=history, params=count(model),
                         test=accuracy(model, X_te, y_te))
    print(f"{name:18s} {results[name]['params']:5d} parameters   val accuracy "
          f"{history['val_accuracy'][-1]:.3f}   test accuracy {results[name]['test']:.3f}")

mlp, cnn = results["MLP 64-32-10"], results["CNN 8-16 filters"]
# Parameters: 64·32 + 32 + 32·10 + 10 for the MLP; (1·9 + 1)·8 + (8·9 + 1)·16 + 64·10 + 10 for the CNN
assert mlp["params"] == 64 * 32 + 32 + 32 * 10 + 10 == 2410
assert cnn["params"] == (9 + 1) * 8 + (8 * 9 + 1) * 16 + 64 * 10 + 10 == 1898
assert cnn["test"] >= 0.95, cnn["test"]

# %% [markdown]
# With fewer parameters than the MLP, the CNN is at least as accurate: in a full
# run (30 epochs) it ends about two points ahead on the test set (0.986 against
# 0.967 on this split), and in the quick run (12 epochs) the two are about even.
# Weight sharing spends the parameters on patterns that can occur anywhere,
# instead of on one weight per pixel and unit. On 8×8 images the gap is small;
# on photographs with millions of pixels an MLP is hopeless, and convolutions are
# what made deep learning work on images.

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for name, r in results.items():
    ax.plot(np.arange(1, epochs + 1), r["history"]["val_accuracy"], marker=".",
            label=f"{name} ({r['params']} parameters)")
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy")
ax.set_title("Digits: MLP vs CNN")
ax.legend()
fig.tight_layout()
save_figure(fig, "12_mlp_vs_cnn.png")
plt.close(fig)

# %% [markdown]
# ## 12.5 What did the filters learn?
#
# The first layer's 8 filters are 3×3 images; drawn red (positive) and blue
# (negative), many are oriented edge and stroke detectors (Zeiler & Fergus, 2014,
# "Visualizing and Understanding Convolutional Networks"). Their outputs on a
# digit -- the **feature maps** -- show where each one fires.

# %%
model = cnn["model"]
fig = viz.plot_filters(model[0].weight, title="First-layer filters (3×3)")
save_figure(fig, "12_filters.png")

sample = mg.tensor(X_te[:1])
with mg.no_grad():
    maps = model[1](model[0](sample))  # after the first convolution and its ReLU
assert maps.shape == (1, 8, 8, 8)
fig = viz.plot_feature_maps(maps, title=f"Feature maps of a test digit (label {y_te[0]})", columns=8)
save_figure(fig, "12_feature_maps.png")

# %% [markdown]
# ## 12.6 Exercise: check the convolution's gradient
#
# A new op is not finished until its gradient agrees with central differences
# (lesson 2). Check `conv2d` with stride, padding, dilation and groups at once,
# in float64, for the input, the weight and the bias; then check the second
# derivatives too (`gradgradcheck`: the backward pass of a convolution is made of
# convolutions, which must be differentiable in turn).

# %%
rng = np.random.default_rng(0)
xs = mg.tensor(rng.standard_normal((2, 4, 7, 6)), dtype="float64", requires_grad=True)
ws = mg.tensor(rng.standard_normal((6, 2, 3, 2)), dtype="float64", requires_grad=True)
bs = mg.tensor(rng.standard_normal(6), dtype="float64", requires_grad=True)


def layer(x, w, b):
    return F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)


assert mg.gradcheck(layer, xs, ws, bs)
assert mg.gradgradcheck(layer, xs, ws, bs)
print("conv2d: gradient and second derivatives agree with central differences")

# %% [markdown]
# ## What we learned
#
# * A convolution slides one small kernel over the image: local receptive
#   fields and shared weights. Output size ⌊(n + 2P − D(k − 1) − 1)/S⌋ + 1.
# * im2col turns it into one matrix product; its gradients are a transposed
#   convolution (for the input) and a product with the patches (for the weight).
# * Max pooling passes the gradient to each window's winner only.
# * On the digits a small CNN matches the MLP with fewer parameters, and beats it
#   when trained longer; its first-layer filters are small stroke detectors.
#
# ## Exercises
#
# 1. **Gradient check.** Repeat 12.6 for `F.conv_transpose2d` with
#    `output_padding=1` and for `F.max_pool2d(x, 3, stride=2, padding=1)`.
#    *Hint:* keep the inputs away from ties for max pooling (random normals are).
# 2. **Shifted digits.** Shift every test image one pixel to the right
#    (`np.roll(X_te, 1, axis=3)`) and compare the accuracies of the MLP and the CNN.
#    Which one loses more, and why?
# 3. **Average instead of max.** Replace `nn.MaxPool2d(2)` by `nn.AvgPool2d(2)`.
#    How does the gradient of average pooling differ? *Hint:* every input of a
#    window gets a quarter.
# 4. **Count by hand.** How many multiplications does one forward pass of the CNN
#    make per image? Compare with the MLP's 64·32 + 32·10.
# 5. **A wider first layer.** Train with 16 first-layer filters and plot them.
#    Do more of them look like edges?

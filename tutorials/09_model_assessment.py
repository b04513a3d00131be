# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # 9. Model assessment
#
# A trained network gives you a number — "97% accuracy" — and this lesson is about
# whether that number can be trusted, and what it hides. The course's model
# assessment covers three topics: training, validation and test sets; evaluation
# metrics; and the bias–variance trade-off. It adds k-fold cross-validation
# and the choice of hyperparameters by grid or random search. We go
# through all five:
#
# 1. **stratified splits**: three sets with the same class proportions;
# 2. **metrics and the confusion matrix**: TP, FP, FN, TN counted by hand and
#    checked against `minigrad.metrics`;
# 3. **bias and variance**: train many models on different training sets and
#    measure how far their average is from the truth (bias) and how much they
#    disagree (variance);
# 4. **k-fold cross-validation**: every sample is used for validation exactly once;
# 5. **grid search vs random search** for hyperparameters.
#
# Everything runs top to bottom as plain Python. Figures go to the folder named by
# `MINIGRAD_FIGURES` (default `./figures/`).

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
import viz
from minigrad import metrics, nn, optim
from minigrad.data import (
    StandardScaler,
    grid_search,
    kfold,
    load_digits,
    log_uniform,
    make_regression,
    random_search,
    stratified_kfold,
    train_val_test_split,
)
from minigrad.course.lessons import quick, save_figure
from minigrad.nn import losses
from minigrad.train import TrainingError, evaluate, fit, predict

QUICK = quick()  # MINIGRAD_QUICK=1 asks for small sizes (the test suite sets it)
print("quick mode" if QUICK else "full mode")

# %% [markdown]
# ## 9.1 Three sets with the same distribution
#
# The course (as Goodfellow et al. 2016, "Deep Learning", §5.3) splits the data into a
# **training** set (to fit the weights), a **validation** set (to choose
# hyperparameters and to stop early) and a **test** set (touched once, at the very
# end, to report the result), e.g. 60% / 20% / 20%. Its one warning, in large
# letters: **"All same distribution!"**
#
# With a shuffled split the proportions of the classes are only the same *on
# average*. When a class is rare, a small split can easily get too few — or none —
# of its examples. A **stratified** split shuffles each class separately and
# deals it out in the right proportions: class c, with n_c samples, gets
# ⌊n_c·r⌋ or ⌈n_c·r⌉ samples in a split of ratio r.
#
# Let us make a rare class on purpose: 100 digits of which only 10 are zeros
# ("is it a 0?"), split 60/20/20 many times with different seeds. The test set has
# 20 samples, so it *should* contain 2 zeros.

# %%
X_digits, y_digits = load_digits()
rng = np.random.default_rng(0)
zeros = rng.choice(np.flatnonzero(y_digits == 0), 10, replace=False)
others = rng.choice(np.flatnonzero(y_digits != 0), 90, replace=False)
X_rare = X_digits[np.concatenate([zeros, others])]
y_rare = np.r_[np.ones(10, dtype=int), np.zeros(90, dtype=int)]  # 1 = "it is a 0"

n_splits = 200 if QUICK else 1000
plain_counts, strat_counts = [], []
for seed in range(n_splits):
    _, _, (_, y_te) = train_val_test_split(X_rare, y_rare, (0.6, 0.2, 0.2), seed=seed)
    plain_counts.append(int(y_te.sum()))
    _, _, (_, y_te) = train_val_test_split(X_rare, y_rare, (0.6, 0.2, 0.2), stratify=True, seed=seed)
    strat_counts.append(int(y_te.sum()))
plain_counts, strat_counts = np.array(plain_counts), np.array(strat_counts)
print(f"zeros in the 20-sample test set over {n_splits} shuffled splits: "
      f"min {plain_counts.min()}, max {plain_counts.max()}, "
      f"{np.mean(plain_counts == 0):.1%} of the splits have none")
print(f"with stratify=True: always {sorted(set(strat_counts.tolist()))}")
assert set(strat_counts.tolist()) == {2}        # 10 zeros · 0.2 = exactly 2, every time
assert plain_counts.min() < 2 < plain_counts.max()

# %% [markdown]
# Now the real thing: all 1797 digits, stratified 60/20/20. We check the promise
# of the docstring for every class and every split: the count of class c in split j
# is ⌊n_c·r_j⌋ or ⌈n_c·r_j⌉, and every sample lands in exactly one split.

# %%
ratios = (0.6, 0.2, 0.2)
splits = train_val_test_split(X_digits, y_digits, ratios, stratify=True, seed=0)
(X_tr, y_tr), (X_va, y_va), (X_te, y_te) = splits
class_counts = np.bincount(y_digits, minlength=10)
print("class   all  train  val  test")
for c in range(10):
    row = [np.sum(part[1] == c) for part in splits]
    print(f"{c:5d} {class_counts[c]:5d} {row[0]:6d} {row[1]:4d} {row[2]:5d}")
    for count, r in zip(row, ratios):
        assert np.floor(class_counts[c] * r) <= count <= np.ceil(class_counts[c] * r)
assert len(y_tr) + len(y_va) + len(y_te) == len(y_digits)
# every image is in exactly one split: together the three splits hold the same rows as the data set
all_rows = np.concatenate([X_tr, X_va, X_te])
assert sorted(map(bytes, all_rows)) == sorted(map(bytes, X_digits))

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
bins = np.arange(-0.5, max(plain_counts.max(), 6) + 1.5)
axes[0].hist(plain_counts, bins=bins, color="tab:gray", alpha=0.8, label="shuffled split")
axes[0].hist(strat_counts, bins=bins, color="tab:blue", alpha=0.6, label="stratified split")
axes[0].axvline(2, color="k", linestyle="--", linewidth=1)
axes[0].set_xlabel("zeros in the 20-sample test set (expected 2)")
axes[0].set_ylabel(f"number of splits (of {n_splits})")
axes[0].set_title("A rare class (10%) in a small test set")
axes[0].legend()
width = 0.27
for j, (name, (_, y_part)) in enumerate(zip(("train", "validation", "test"), splits)):
    axes[1].bar(np.arange(10) + (j - 1) * width, np.bincount(y_part, minlength=10) / len(y_part), width,
                label=name)
axes[1].set_xticks(range(10))
axes[1].set_xlabel("digit")
axes[1].set_ylabel("fraction of the split")
axes[1].set_title("Digits, stratified 60/20/20: same proportions")
axes[1].set_ylim(0, 0.14)
axes[1].legend(loc="upper center", ncol=3)
fig.tight_layout()
save_figure(fig, "09_stratified_splits.png")
plt.close(fig)

# %% [markdown]
# One more rule from the course: scale every set with the mean
# and standard deviation of the **training** set. The validation and test sets
# stand for data we have not seen yet, so they must not leak into any statistic.

# %%
scaler = StandardScaler().fit(X_tr)
X_tr_s, X_va_s, X_te_s = (scaler.transform(a) for a in (X_tr, X_va, X_te))
print("training features: mean", X_tr_s.mean().round(6), " std (non-constant)",
      X_tr_s.std(axis=0)[scaler.var_ > 0].mean().round(6))

# %% [markdown]
# ## 9.2 Metrics and the confusion matrix
#
# A metric judges the model but, unlike the loss, is not used to train it
# (Goodfellow et al. 2016, §11.1). For a binary problem every prediction is one of four
# kinds:
#
# | | ground truth positive | ground truth negative |
# |---|---|---|
# | **predicted positive** | TP (true positive) | FP (false positive) |
# | **predicted negative** | FN (false negative) | TN (true negative) |
#
# and the course's four metrics are ratios of them:
#
# - accuracy = (TP + TN) / (TP + TN + FP + FN) — the fraction of correct predictions;
# - precision = TP / (TP + FP) — of the samples we *called* positive, how many are;
# - recall (sensitivity) = TP / (TP + FN) — of the positive samples, how many we found;
# - specificity = TN / (TN + FP) — of the negative samples, how many we left alone.
#
# F1 = 2·precision·recall / (precision + recall) combines the two in one number.
# Let us count them by hand for twelve predictions of a spam filter (1 = spam).

# %%
y_true = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
y_pred = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])

TP = int(np.sum((y_pred == 1) & (y_true == 1)))
FP = int(np.sum((y_pred == 1) & (y_true == 0)))
FN = int(np.sum((y_pred == 0) & (y_true == 1)))
TN = int(np.sum((y_pred == 0) & (y_true == 0)))
print(f"TP={TP}  FP={FP}  FN={FN}  TN={TN}")
assert (TP, FP, FN, TN) == (3, 1, 2, 6)

by_hand = {
    "accuracy": (TP + TN) / (TP + TN + FP + FN),   # 9/12 = 0.75
    "precision": TP / (TP + FP),                   # 3/4  = 0.75
    "recall": TP / (TP + FN),                      # 3/5  = 0.60
    "specificity": TN / (TN + FP),                 # 6/7  ≈ 0.857
}
by_hand["f1"] = 2 * by_hand["precision"] * by_hand["recall"] / (by_hand["precision"] + by_hand["recall"])
for name, value in by_hand.items():
    library = getattr(metrics, name)(y_true, y_pred)
    print(f"{name:12s} by hand {value:.4f}   minigrad.metrics {library:.4f}")
    assert np.isclose(value, library)
assert np.isclose(by_hand["f1"], 2 * TP / (2 * TP + FP + FN))   # the same thing in counts

# %% [markdown]
# `metrics.confusion_matrix` puts the **true** class in the rows and the
# **predicted** class in the columns (scikit-learn's layout), so for classes 0/1
# it reads `[[TN, FP], [FN, TP]]`. The course draws it the other way round
# (predicted in the rows, "Ground truth" across the top): that is the transpose.

# %%
cm = metrics.confusion_matrix(y_true, y_pred)
print("minigrad (rows = truth):\n", cm)
assert cm.tolist() == [[TN, FP], [FN, TP]]
slide_layout = cm[::-1, ::-1].T          # rows = predicted (positive first), columns = truth
print("the course's layout (rows = predicted positive/negative, columns = truth positive/negative):\n",
      slide_layout)
assert slide_layout.tolist() == [[TP, FP], [FN, TN]]

# %% [markdown]
# **Why accuracy is not enough.** On the rare-class problem of §9.1 a "model" that
# always answers "not a zero" is right 90% of the time, and it is useless: it never
# finds a single zero. Recall exposes it at once; precision is 0/0, which
# `minigrad.metrics` reports as 0 (like scikit-learn's `zero_division=0`).

# %%
lazy = np.zeros_like(y_rare)
print(f"always 'no': accuracy {metrics.accuracy(y_rare, lazy):.2f}, "
      f"recall {metrics.recall(y_rare, lazy):.2f}, precision {metrics.precision(y_rare, lazy):.2f}, "
      f"specificity {metrics.specificity(y_rare, lazy):.2f}")
assert metrics.accuracy(y_rare, lazy) == 0.9 and metrics.recall(y_rare, lazy) == 0.0

# %% [markdown]
# **Ten classes.** With more than two classes each class in turn is "positive" and
# all the others "negative" (one-vs-rest), giving a precision, recall and
# specificity per class. The *macro* average weighs the classes equally; the
# *micro* average adds the counts first — and for single-label data micro
# precision = micro recall = accuracy (every mistake is one FP for the predicted
# class and one FN for the true one).
#
# We train a small MLP on the standardized digits and look at its test set.

# %%
EPOCHS = 8 if QUICK else 30


def digits_mlp(hidden=32, seed=0):
    mg.manual_seed(seed)
    return nn.MLP([64, hidden, 10], activation="relu")


model = digits_mlp()
history = fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=3e-3), (X_tr_s, y_tr),
              epochs=EPOCHS, batch_size=32, validation_data=(X_va_s, y_va), metrics=["accuracy"],
              progress=False, seed=0)
logits = predict(model, X_te_s)
y_hat = logits.argmax(axis=1)
print(metrics.classification_report(y_te, logits))

cm = metrics.confusion_matrix(y_te, logits)
assert np.isclose(np.trace(cm) / cm.sum(), metrics.accuracy(y_te, logits))
assert np.isclose(metrics.precision(y_te, logits, average="micro"), metrics.accuracy(y_te, logits))
assert np.isclose(metrics.recall(y_te, logits, average="micro"), metrics.accuracy(y_te, logits))
off_diagonal = cm - np.diag(np.diag(cm))
true_c, pred_c = np.unravel_index(off_diagonal.argmax(), cm.shape)
print(f"most frequent mistake: a {true_c} read as a {pred_c} ({off_diagonal.max()} times)")

# %%
fig = viz.plot_confusion_matrix(y_te, logits, labels=[str(d) for d in range(10)],
                                title=f"Digits test set, accuracy {metrics.accuracy(y_te, logits):.1%}")
save_figure(fig, "09_confusion_matrix.png")
plt.close(fig)

# %% [markdown]
# ## 9.3 Bias and variance
#
# The bias–variance decomposition (Hastie, Tibshirani & Friedman 2009, §7.3; Bishop
# 2006, §3.2) writes the expected error of a model g,
# trained on a random training set D, at a point x where the data follow
# Y = f(X) + ε, ε ~ N(0, σ²), as a sum of three terms:
#
# E[(Y − g(x))²] = (E[g(x)] − f(x))² + E[(g(x) − E[g(x)])²] + σ²
# = Bias² + Variance + irreducible error.
#
# - **Bias**: how far the *average* model is from the truth — a model too simple
#   to represent f is wrong in the same way whatever data it sees.
# - **Variance**: how much the model changes from one training set to another —
#   "big if the model has so much capacity that it also fits the noise".
#
# "Since f(x) is unknown, we cannot compute these curves" — on real data. On
# *simulated* data we know f, so we can: `make_regression` draws x in [−1, 1] and
# y = sin(πx) + noise. We draw many training sets D₁, D₂, … of 20 points each, train
# one model on each, and measure both terms on a grid of x. Three capacities: a
# straight line, a small tanh network, and a large one trained long enough to chase
# the noise.

# %%
SIGMA = 0.3
N_TRAIN = 20
N_SETS = 6 if QUICK else 16
STEPS, LR = (300, 0.03) if QUICK else (1000, 0.02)
x_grid = np.linspace(-1, 1, 101)[:, None].astype(np.float32)
f_grid = np.sin(np.pi * x_grid[:, 0])

capacities = {
    "line": lambda: nn.Linear(1, 1),
    "MLP 1-8-1": lambda: nn.MLP([1, 8, 1], activation="tanh"),
    "MLP 1-48-48-1": lambda: nn.MLP([1, 48, 48, 1], activation="tanh"),
}


def train_regressor(make, X, y, steps=STEPS, lr=LR):
    """Full-batch Adam on the MSE: the 20 points are one batch."""
    model = make()
    opt = optim.Adam(model.parameters(), lr=lr)
    Xt, yt = mg.tensor(X, dtype="float32"), mg.tensor(y[:, None], dtype="float32")
    for _ in range(steps):
        loss = losses.mse(model(Xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


predictions = {name: [] for name in capacities}
for i in range(N_SETS):
    X_i, y_i = make_regression(N_TRAIN, noise=SIGMA, seed=100 + i)   # a fresh training set D_i
    for name, make in capacities.items():
        mg.manual_seed(i)
        predictions[name].append(predict(train_regressor(make, X_i, y_i), x_grid)[:, 0])

decomposition = {}
for name, preds in predictions.items():
    G = np.array(preds, dtype=np.float64)   # (N_SETS, grid): g_i(x)
    mean_g = G.mean(axis=0)                   # E[g(x)], the average model
    bias2 = float(np.mean((mean_g - f_grid) ** 2))
    variance = float(np.mean((G - mean_g) ** 2))
    error_vs_f = float(np.mean((G - f_grid) ** 2))   # E[(g(x) − f(x))²], averaged over x
    # the decomposition is an identity: (g − f)² averages to bias² + variance
    assert np.isclose(error_vs_f, bias2 + variance, rtol=1e-6)
    decomposition[name] = (bias2, variance)
    print(f"{name:14s} bias² {bias2:.4f}   variance {variance:.4f}   "
          f"expected test MSE ≈ bias² + variance + σ² = {bias2 + variance + SIGMA**2:.4f}")

(b_line, v_line), (b_small, v_small), (b_big, v_big) = decomposition.values()
assert b_line > b_small and b_line > b_big      # the line is too simple: high bias
assert v_big > v_small and v_big > v_line       # the big network follows the noise: high variance

# %% [markdown]
# The identity is exact for our finite set of models: averaging (gᵢ − f)² over the
# models splits into (mean g − f)² plus the spread of the gᵢ around their mean. The
# third term, σ² = 0.09, is the noise in the test targets: no model can predict it.
#
# The picture makes the trade-off visible. Each thin line is one model gᵢ,
# trained on its own 20 points; the thick line is their average.

# %%
fig, axes = plt.subplots(1, 4, figsize=(18, 4), gridspec_kw={"width_ratios": [1, 1, 1, 0.8]})
for ax, (name, preds) in zip(axes, predictions.items()):
    for p in preds:
        ax.plot(x_grid[:, 0], p, color="tab:red", alpha=0.35, linewidth=1)
    ax.plot(x_grid[:, 0], np.mean(preds, axis=0), color="darkred", linewidth=2.5, label="average model E[g(x)]")
    ax.plot(x_grid[:, 0], f_grid, "k--", linewidth=1.5, label="truth f(x) = sin(πx)")
    b2, var = decomposition[name]
    ax.set_title(f"{name}\nbias² {b2:.3f}, variance {var:.3f}", fontsize=10)
    ax.set_ylim(-2, 2)
    ax.set_xlabel("x")
    ax.grid(alpha=0.3)
axes[0].legend(loc="lower left", fontsize=8)
axes[0].set_ylabel(f"{N_SETS} models, each on its own {N_TRAIN} points")
names = list(decomposition)
b2s = np.array([decomposition[n][0] for n in names])
vars_ = np.array([decomposition[n][1] for n in names])
axes[3].bar(names, b2s, label="bias²", color="tab:blue")
axes[3].bar(names, vars_, bottom=b2s, label="variance", color="tab:orange")
axes[3].bar(names, np.full(3, SIGMA**2), bottom=b2s + vars_, label="σ² (irreducible)", color="tab:gray")
axes[3].set_title("Error = Bias² + Variance + σ²", fontsize=10)
axes[3].tick_params(axis="x", labelsize=8, rotation=15)
axes[3].legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "09_bias_variance.png")
plt.close(fig)

# %% [markdown]
# ### The U-curve: error against capacity
#
# Bias falls and variance grows as the capacity grows, so the test error, their
# sum plus σ², traces a **U** (Hastie, Tibshirani & Friedman 2009, Fig. 2.11;
# Goodfellow et al. 2016, Fig. 5.3), while the training error only falls. The
# polynomial version of the course's under/overfitting pictures shows it with a
# capacity knob that goes in steps of one: fit polynomials of degree 0 … 12 to
# each 20-point training set by least squares (the exact minimum of the
# training MSE) and measure the MSE on 500 fresh validation points. The curves
# are medians over the training sets.

# %%
X_val_u, y_val_u = make_regression(500, noise=SIGMA, seed=7)
degrees = np.arange(13)
train_u, val_u = [], []
for i in range(N_SETS):
    X_i, y_i = make_regression(N_TRAIN, noise=SIGMA, seed=100 + i)
    fits = [np.polynomial.Polynomial.fit(X_i[:, 0], y_i, degree) for degree in degrees]
    train_u.append([np.mean((p(X_i[:, 0]) - y_i) ** 2) for p in fits])
    val_u.append([np.mean((p(X_val_u[:, 0]) - y_val_u) ** 2) for p in fits])
train_u, val_u = np.median(train_u, axis=0), np.median(val_u, axis=0)
best_degree = int(degrees[np.argmin(val_u)])
print("degree:         ", degrees)
print("training MSE:   ", " ".join(f"{v:.3g}" for v in train_u))
print("validation MSE: ", " ".join(f"{v:.3g}" for v in val_u))
assert np.all(np.diff(train_u) <= 1e-9)                      # more capacity never fits the training set worse
assert 3 <= best_degree <= 7                                  # the bottom of the U
assert val_u[0] > 2 * val_u[best_degree] and val_u[-1] > 10 * val_u[best_degree]   # both arms rise

fig = viz.plot_error_curves(degrees, train_u, val_u, xlabel="polynomial degree (capacity)", ylabel="MSE",
                            title=f"Underfitting ← the U-curve → overfitting ({N_TRAIN} points per fit)")
fig.axes[0].set_yscale("log")
fig.axes[0].axhline(SIGMA**2, color="k", linestyle=":", linewidth=1, label="σ² (irreducible)")
fig.axes[0].legend(fontsize=8)
save_figure(fig, "09_capacity_u_curve.png")
fig

# %% [markdown]
# ### More data: the learning curve
#
# The other knob is the amount of data. For a fixed model — the 1-16-16-1 tanh
# network, trained as above — more training points make the training error
# *rise* (it is harder to fit many points than few) and the validation error
# fall, and the two close in on σ² (Goodfellow et al. 2016, Fig. 5.4). A wide
# gap that closes as n grows says "variance: get more data"; two curves that
# meet high above σ² say "bias: a bigger model".

# %%
sizes = [10, 20, 40, 80, 160, 320]
train_n, val_n = [], []
for n in sizes:
    X_n, y_n = make_regression(n, noise=SIGMA, seed=200 + n)
    mg.manual_seed(0)
    model_n = train_regressor(lambda: nn.MLP([1, 16, 16, 1], activation="tanh"), X_n, y_n)
    train_n.append(np.mean((predict(model_n, X_n)[:, 0] - y_n) ** 2))
    val_n.append(np.mean((predict(model_n, X_val_u)[:, 0] - y_val_u) ** 2))
print("training points:", sizes)
print("training MSE:   ", np.round(train_n, 3))
print("validation MSE: ", np.round(val_n, 3))
assert val_n[0] > 3 * val_n[-1]                               # more data, better generalization
assert train_n[0] < train_n[-1]                               # ... and a harder training set
assert val_n[-1] - train_n[-1] < 0.05 < val_n[0] - train_n[0]  # the gap closes

fig = viz.plot_error_curves(sizes, train_n, val_n, xlabel="training points n", ylabel="MSE", logx=True,
                            mark_best=False, title="A learning curve: the 1-16-16-1 network with more data")
fig.axes[0].axhline(SIGMA**2, color="k", linestyle=":", linewidth=1, label="σ² (irreducible)")
fig.axes[0].legend(fontsize=8)
save_figure(fig, "09_learning_curve_data.png")
fig

# %% [markdown]
# **Estimating bias and variance without knowing f.** On real data we have one
# training set and no f. The course uses
# three error rates instead:
#
# - bias ≈ E_train − E_human (how far the training error is from the best
#   achievable, with human error standing in for the Bayes error);
# - variance ≈ E_test − E_train (how much worse the model does on unseen data).
#
# The course classifies six cases. A gap counts as "high" here when it is more
# than one percentage point and at least half of the larger gap — a rule of thumb
# that reproduces every row of the course's two tables:

# %%
def diagnose(e_human, e_train, e_test):
    """The course's rule: bias ≈ E_train − E_human, variance ≈ E_test − E_train (errors in %)."""
    bias, variance = e_train - e_human, e_test - e_train
    largest = max(bias, variance)

    def level(gap):
        return "high" if gap > 1 and gap >= largest / 2 else "low"

    return f"{level(bias)}-bias, {level(variance)}-variance"


course_examples = [  # (E_human, E_train, E_test) in %, and the course's verdict
    ((0, 1, 15), "low-bias, high-variance"),
    ((0, 15, 16), "high-bias, low-variance"),
    ((0, 15, 30), "high-bias, high-variance"),
    ((0, 0.5, 1), "low-bias, low-variance"),
    ((1, 8, 10), "high-bias, low-variance"),
    ((7.5, 8, 10), "low-bias, high-variance"),
]
for errors, verdict in course_examples:
    print(f"E_human, E_train, E_test = {errors}:  bias ≈ {errors[1] - errors[0]:4.1f}, "
          f"variance ≈ {errors[2] - errors[1]:4.1f}  →  {diagnose(*errors)}")
    assert diagnose(*errors) == verdict

# %% [markdown]
# Note the last two rows: the *same* training and test errors (8% and 10%) mean
# "fix the bias" when humans make 1% mistakes and "fix the variance" when they
# make 7.5%. Our digits network, taking E_human ≈ 0 (people read these digits
# almost perfectly):

# %%
e_train = 100 * (1 - evaluate(model, "cross_entropy", X_tr_s, y_tr, metrics=["accuracy"])["accuracy"])
e_test = 100 * (1 - metrics.accuracy(y_te, logits))
print(f"E_train = {e_train:.2f}%, E_test = {e_test:.2f}%  →  {diagnose(0.0, e_train, e_test)}")

# %% [markdown]
# ## 9.4 k-fold cross-validation
#
# One validation set gives one number, and that number depends on which samples
# happened to land in it. The course lists **k-fold cross-validation** (Hastie et
# al. 2009, §7.10) among the remedies for overfitting: cut the training data into k
# folds, train k times — each time validating on one fold and training on the other
# k − 1 — and average the k scores. Every sample is used for validation exactly once
# and for training k − 1 times.

# %%
n, k = 23, 5
folds = list(kfold(n, k, shuffle=True, seed=0))
for f, (train_idx, val_idx) in enumerate(folds):
    print(f"fold {f}: validate on {val_idx.tolist()}")
    assert np.intersect1d(train_idx, val_idx).size == 0                    # never both
    assert np.array_equal(np.union1d(train_idx, val_idx), np.arange(n))    # together: everything
all_val = np.concatenate([val_idx for _, val_idx in folds])
assert np.array_equal(np.sort(all_val), np.arange(n))                      # each index exactly once
assert max(len(v) for _, v in folds) - min(len(v) for _, v in folds) <= 1  # sizes 5, 5, 5, 4, 4

# %% [markdown]
# `stratified_kfold(y, k)` does the same while keeping the class proportions in
# every fold: each class's count per fold differs by at most one. We use it to
# cross-validate the digits MLP on the training + validation data (the test set
# stays untouched until the end).

# %%
X_dev = np.concatenate([X_tr, X_va])
y_dev = np.concatenate([y_tr, y_va])
K = 5
cv_scores = []
for f, (train_idx, val_idx) in enumerate(stratified_kfold(y_dev, K, seed=0)):
    per_class = np.bincount(y_dev[val_idx], minlength=10)
    expected = np.bincount(y_dev, minlength=10) / K
    assert np.all(np.abs(per_class - expected) < 1)                        # proportions kept
    fold_scaler = StandardScaler().fit(X_dev[train_idx])                  # statistics of this fold's training part
    net = digits_mlp(seed=f)
    fit(net, "cross_entropy", optim.Adam(net.parameters(), lr=3e-3),
        (fold_scaler.transform(X_dev[train_idx]), y_dev[train_idx]), epochs=EPOCHS, batch_size=32,
        progress=False, seed=f)
    score = metrics.accuracy(y_dev[val_idx], predict(net, fold_scaler.transform(X_dev[val_idx])))
    cv_scores.append(score)
    print(f"fold {f}: {len(val_idx)} validation samples, accuracy {score:.4f}")
cv_scores = np.array(cv_scores)
print(f"{K}-fold cross-validation accuracy: {cv_scores.mean():.4f} ± {cv_scores.std():.4f}")

# %% [markdown]
# The spread of the five scores is the point: one 20% validation set could have
# told us anything between the lowest and the highest. The mean of the k scores
# is a steadier estimate, and the spread tells us how far to trust a difference
# between two models — a difference smaller than the spread is noise.
#
# Cross-validation costs k trainings instead of one; it is the standard choice
# when data are scarce, and the validation scheme behind `grid_search` and
# `random_search` below.

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.bar(range(K), cv_scores, color="tab:blue", alpha=0.8)
ax.axhline(cv_scores.mean(), color="k", linestyle="--", label=f"mean {cv_scores.mean():.3f}")
ax.axhspan(cv_scores.mean() - cv_scores.std(), cv_scores.mean() + cv_scores.std(), color="gray", alpha=0.2,
           label="± one standard deviation")
ax.set_ylim(max(0.0, cv_scores.min() - 0.05), 1.0)
ax.set_xlabel("validation fold")
ax.set_ylabel("accuracy")
ax.set_title(f"{K}-fold cross-validation of the digits MLP")
ax.legend(loc="lower right")
fig.tight_layout()
save_figure(fig, "09_kfold_scores.png")
plt.close(fig)

# %% [markdown]
# ## 9.5 Hyperparameters: grid search vs random search
#
# Weights are *parameters*: training finds them. The learning rate, the number of
# hidden units, the regularization constant are *hyperparameters*: "set manually
# before the training process begins" and "chosen through some type of
# validation … automatic grid search techniques or random search techniques", as
# the course puts it (Goodfellow et al. 2016, §11.4).
#
# The course goes on: **"In general, random search is more efficient"**,
# with the picture from Bergstra & Bengio (2012). The argument: usually only a few
# hyperparameters really matter. A 3 × 3 grid spends 9 trainings but tries only
# **3** values of the important one — each repeated three times with different
# values of the unimportant one. Nine random points try **9** different values of
# each.
#
# First the idea on a made-up score where we know the answer: the validation score
# depends strongly on the learning rate (best near 10^−1.7) and hardly at all on a
# second hyperparameter.

# %%
def toy_score(log_lr, other):
    important = np.exp(-((log_lr + 1.7) ** 2) / (2 * 0.35**2))
    unimportant = 0.05 * np.sin(3 * other)
    return important + unimportant


budget = 9
grid_points = list(itertools.product(np.linspace(-4, 0, 3), np.linspace(0, 1, 3)))
rand = np.random.default_rng(1)
random_points = list(zip(rand.uniform(-4, 0, budget), rand.uniform(0, 1, budget)))
best_grid = max(toy_score(*p) for p in grid_points)
best_random = max(toy_score(*p) for p in random_points)
print(f"grid:   {len({p[0] for p in grid_points})} distinct learning rates, best score {best_grid:.3f}")
print(f"random: {len({p[0] for p in random_points})} distinct learning rates, best score {best_random:.3f}")
assert len({p[0] for p in grid_points}) == 3 and len({p[0] for p in random_points}) == budget
assert best_random > best_grid

# %%
def search_figure(panels, title):
    """Bergstra & Bengio's picture: trials in the plane and the important hyperparameter's axis."""
    fig, axes = plt.subplots(2, len(panels), figsize=(6 * len(panels), 6), sharex=True,
                             gridspec_kw={"height_ratios": [1, 2]})
    for col, (name, xs, ys, scores, curve) in enumerate(panels):
        top, bottom = axes[0, col], axes[1, col]
        if curve is not None:
            top.plot(*curve, color="tab:green", linewidth=1.5, label="true effect of the learning rate")
        top.scatter(xs, scores, color="tab:red", zorder=3, label="trials")
        top.set_title(f"{name}: {len(set(np.round(xs, 12)))} distinct learning rates in {len(xs)} trials")
        top.set_ylabel("validation score")
        top.legend(fontsize=8, loc="best")  # where no trial is: a corner can hold the worst ones
        bottom.scatter(xs, ys, color="tab:red", s=60, zorder=3)
        for x in xs:
            bottom.axvline(x, color="tab:red", alpha=0.15)
        bottom.set_xlabel("log₁₀ learning rate (important)")
        bottom.set_ylabel("second hyperparameter (unimportant)")
        bottom.grid(alpha=0.3)
    for row in axes:   # the same vertical scale left and right, for a fair comparison
        low = min(ax.get_ylim()[0] for ax in row)
        high = max(ax.get_ylim()[1] for ax in row)
        for ax in row:
            ax.set_ylim(low, high)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


curve_x = np.linspace(-4, 0, 200)
curve = (curve_x, toy_score(curve_x, 0.0))
fig = search_figure([
    ("grid search", *map(np.array, zip(*grid_points)), [toy_score(*p) for p in grid_points], curve),
    ("random search", *map(np.array, zip(*random_points)), [toy_score(*p) for p in random_points], curve),
], "Grid vs random search (a made-up score)")
save_figure(fig, "09_grid_vs_random_toy.png")
plt.close(fig)

# %% [markdown]
# Now for real, with `grid_search` and `random_search`. Both take a function
# `train_fn(params, X_train, y_train, X_val, y_val)` that trains a fresh model and
# returns its validation score (higher is better), and score every candidate by
# k-fold cross-validation on the same folds. We tune the learning rate of SGD with
# momentum 0.9 (important: in a few epochs a too-small rate learns nothing and a
# too-large one overshoots) together with an L2 penalty (unimportant in this
# range). Same budget for both: 9 candidates.
#
# `log_uniform(1e-3, 1)` draws the learning rate uniformly in log₁₀, so each decade
# is equally likely: the scale of a learning rate matters more than its digits.

# %%
n_search = 300 if QUICK else 900
X_search, y_search = X_dev[:n_search], y_dev[:n_search]
SEARCH_EPOCHS = 3 if QUICK else 8


def train_fn(params, X_train, y_train, X_val, y_val):
    fold_scaler = StandardScaler().fit(X_train)
    mg.manual_seed(0)
    net = nn.MLP([64, 32, 10], activation="relu", weight_regularizer=nn.regularizers.L2(params["l2"]))
    try:
        fit(net, "cross_entropy", optim.SGD(net.parameters(), lr=params["lr"], momentum=0.9),
            (fold_scaler.transform(X_train), y_train), epochs=SEARCH_EPOCHS, batch_size=32, progress=False, seed=0)
    except TrainingError:   # the loss became NaN or inf: the learning rate is far too large
        return 0.0
    return metrics.accuracy(y_val, predict(net, fold_scaler.transform(X_val)))


k_search = 3
grid = grid_search(train_fn, {"lr": [1e-3, 3e-2, 1.0], "l2": [1e-5, 1e-4, 1e-3]},
                   X_search, y_search, k=k_search, seed=0, stratify=True)
rnd = random_search(train_fn, {"lr": log_uniform(1e-3, 1.0), "l2": log_uniform(1e-5, 1e-3)},
                    X_search, y_search, n_iter=9, k=k_search, seed=0, stratify=True)
print(grid)
print()
print(rnd)

grid_lrs = {row["params"]["lr"] for row in grid.rows}
random_lrs = {row["params"]["lr"] for row in rnd.rows}
assert len(grid) == len(rnd) == 9
assert len(grid_lrs) == 3 and len(random_lrs) == 9
for results in (grid, rnd):   # best_params is the candidate with the highest mean score
    assert results.best_score == max(row["mean_score"] for row in results.rows)
print(f"best grid candidate:   {grid.best_params}, mean accuracy {grid.best_score:.4f}")
print(f"best random candidate: {rnd.best_params}, mean accuracy {rnd.best_score:.4f}")

# %%
fig = search_figure([
    (name, np.log10([r["params"]["lr"] for r in res.rows]), np.log10([r["params"]["l2"] for r in res.rows]),
     [r["mean_score"] for r in res.rows], None)
    for name, res in (("grid search", grid), ("random search", rnd))
], f"Digits MLP, SGD + momentum for {SEARCH_EPOCHS} epochs: {k_search}-fold accuracy of 9 candidates")
for ax in fig.axes[len(fig.axes) // 2:]:
    ax.set_ylabel("log₁₀ L2 penalty (unimportant)")
save_figure(fig, "09_grid_vs_random_digits.png")
plt.close(fig)

# %% [markdown]
# Read the top panels: the grid learns the score at three learning rates only and
# must guess what happens in between; random search traces the whole curve — where
# training starts to work, where it is best, where it falls apart — for the same
# price. Nothing about the L2 axis changes much, which is exactly the situation in
# which the grid wastes two thirds of its budget.
#
# Two practical rules follow: search the learning rate **on a log scale**, and
# prefer random search when you do not know which hyperparameters matter. Either
# way, the winner is chosen on validation folds; the **test set** is used once, at
# the end, for the model you finally keep:

# %%
final_lr = rnd.best_params["lr"] if rnd.best_score >= grid.best_score else grid.best_params["lr"]
final = digits_mlp()
fit(final, "cross_entropy", optim.SGD(final.parameters(), lr=final_lr, momentum=0.9), (X_tr_s, y_tr),
    epochs=SEARCH_EPOCHS, batch_size=32, progress=False, seed=0)
print(f"final model (SGD with momentum, lr = {final_lr:.3g}): test accuracy "
      f"{metrics.accuracy(y_te, predict(final, X_te_s)):.4f}")

# %% [markdown]
# ## What we learned
#
# * Training, validation and test sets must come from the same distribution;
#   `stratify=True` guarantees it for the class proportions, which matters most
#   for rare classes and small sets.
# * Accuracy, precision, recall and specificity are ratios of TP, FP, FN, TN; the
#   confusion matrix shows them all, and shows *which* classes are confused.
#   Accuracy alone hides a model that ignores a rare class.
# * Error = Bias² + Variance + σ²: simple models are wrong in the same way
#   (bias), flexible ones are wrong in different ways on different data
#   (variance). Without f, the gaps E_train − E_human and E_test − E_train
#   estimate them.
# * k-fold cross-validation uses every sample for validation once and gives a
#   score with an error bar.
# * Random search tries more distinct values of the hyperparameters that matter
#   than a grid of the same cost.
#
# ## Exercises
#
# 1. **Precision vs recall.** For the spam filter of §9.2, which mistake costs more:
#    a spam in the inbox (FN) or a real e-mail in the spam folder (FP)? Change two
#    predictions to raise precision to 1.0 and recompute all five metrics by hand
#    and with `minigrad.metrics`. *Hint:* precision = 1 needs FP = 0.
# 2. **Bootstrap instead of fresh data.** In §9.3 we drew each training set from
#    `make_regression`. On real data you have one set: draw 20 indices *with
#    replacement* (`rng.integers(0, 20, 20)`) from one training set instead, and
#    recompute bias² and variance. Are they smaller or larger than before?
#    *Hint:* bootstrap sets overlap, so the models disagree less.
# 3. **Capacity sweep.** Repeat §9.3 with hidden sizes 2, 4, 8, 16, 32, 64 and plot
#    bias², variance and their sum against the size (the course's trade-off curve).
#    *Hint:* the sum has a minimum somewhere in the middle.
# 4. **How many folds?** Cross-validate the digits MLP with k = 2, 5 and 10. How do
#    the mean and the spread of the scores change, and what does each k cost?
#    *Hint:* with larger k each model trains on more data but validates on fewer
#    samples.
# 5. **A bigger random budget.** Give `random_search` `n_iter=27` and compare its
#    best score with a 3 × 3 × 3 grid that adds the hidden size {16, 32, 64}.
#    *Hint:* count how many distinct learning rates each one tries.

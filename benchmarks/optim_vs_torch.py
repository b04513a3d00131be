"""Check minigrad's optimizers against torch.optim: same model, same data, 200 steps.

Each configuration trains a small two-layer tanh network (float64) in minigrad and
in PyTorch from the same initial weights, and reports the largest absolute
difference between the two sets of parameters over the whole trajectory. Any
difference above 1e-6 makes the script exit with status 1.

The two engines round differently in the last bit, so the column "noise" runs
PyTorch against itself from weights perturbed by one part in 1e15: it shows how
much this configuration amplifies rounding. Learning rates are chosen where the
training is stable; at an lr where the weights oscillate chaotically near the
minimum (RMSprop at lr=1e-2 here) PyTorch drifts from *itself* by ~1e-4 after 150
steps, and so does minigrad, which says nothing about the update rule.

Not a test (PyTorch is not a dependency of minigrad):

    pip install torch==2.13.0
    python benchmarks/optim_vs_torch.py

Without PyTorch it prints that command and exits 0.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import minigrad as mg  # noqa: E402
from minigrad import nn, optim  # noqa: E402

STEPS = 200
TOLERANCE = 1e-6

# (label, optimizer name, kwargs, extra): extra adds clipping, a scheduler or maximize.
CONFIGS = [
    ("SGD", "SGD", dict(lr=0.05), None),
    ("SGD momentum", "SGD", dict(lr=0.05, momentum=0.9), None),
    ("SGD momentum dampening wd", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=1e-2), None),
    ("SGD nesterov wd", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2), None),
    ("SGD maximize wd", "SGD", dict(lr=0.05, momentum=0.5, weight_decay=1e-2, maximize=True), "maximize"),
    ("Adagrad", "Adagrad", dict(lr=0.05), None),
    ("Adagrad lr_decay wd init_acc", "Adagrad",
     dict(lr=0.1, lr_decay=1e-2, weight_decay=1e-2, initial_accumulator_value=0.1), None),
    ("RMSprop", "RMSprop", dict(lr=1e-3), None),
    ("RMSprop centered momentum wd", "RMSprop",
     dict(lr=1e-3, alpha=0.9, momentum=0.9, centered=True, weight_decay=1e-2), None),
    ("Adadelta", "Adadelta", dict(), None),
    ("Adadelta rho wd", "Adadelta", dict(lr=0.5, rho=0.95, weight_decay=1e-2), None),
    ("Adam", "Adam", dict(lr=1e-2), None),
    ("Adam amsgrad wd", "Adam", dict(lr=1e-2, betas=(0.8, 0.99), weight_decay=1e-2, amsgrad=True), None),
    ("Adam maximize", "Adam", dict(lr=1e-2, maximize=True), "maximize"),
    ("AdamW", "AdamW", dict(lr=1e-2), None),
    ("AdamW amsgrad", "AdamW", dict(lr=1e-2, weight_decay=0.1, amsgrad=True), None),
    ("Adamax", "Adamax", dict(), None),
    ("Adamax wd", "Adamax", dict(lr=1e-2, betas=(0.8, 0.99), weight_decay=1e-2), None),
    ("NAdam", "NAdam", dict(), None),
    ("NAdam wd momentum_decay", "NAdam", dict(lr=1e-2, weight_decay=1e-2, momentum_decay=1e-2), None),
    ("NAdam decoupled wd", "NAdam", dict(lr=1e-2, weight_decay=1e-1, decoupled_weight_decay=True), None),
    ("SGD + clip_grad_norm_", "SGD", dict(lr=0.1, momentum=0.9), "clip_norm"),
    ("SGD + clip_grad_value_", "SGD", dict(lr=0.1), "clip_value"),
    ("Adam + clip_grad_norm_ (inf)", "Adam", dict(lr=1e-2), "clip_norm_inf"),
    ("SGD + StepLR", "SGD", dict(lr=0.1, momentum=0.9), "step_lr"),
    ("Adam + CosineAnnealingLR", "Adam", dict(lr=1e-2), "cosine"),
    ("SGD + ExponentialLR", "SGD", dict(lr=0.2), "exponential"),
    ("SGD + ReduceLROnPlateau", "SGD", dict(lr=0.5), "plateau"),
]


def data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(32, 4))
    y = np.sin(X @ rng.normal(size=(4, 2))) + 0.1 * rng.normal(size=(32, 2))
    init = [rng.normal(scale=0.5, size=s) for s in [(8, 4), (8,), (2, 8), (2,)]]
    return X, y, init


def extras(torch, extra, opt, params, torch_side):
    """The per-step hook: clipping before the update, a scheduler after it."""
    if torch_side:
        sched_mod, clip_norm, clip_value = torch.optim.lr_scheduler, torch.nn.utils.clip_grad_norm_, \
            torch.nn.utils.clip_grad_value_
    else:
        sched_mod, clip_norm, clip_value = optim.lr_scheduler, optim.clip_grad_norm_, optim.clip_grad_value_
    sched = {
        "step_lr": lambda: sched_mod.StepLR(opt, step_size=30, gamma=0.5),
        "cosine": lambda: sched_mod.CosineAnnealingLR(opt, T_max=150, eta_min=1e-4),
        "exponential": lambda: sched_mod.ExponentialLR(opt, gamma=0.99),
        "plateau": lambda: sched_mod.ReduceLROnPlateau(opt, factor=0.5, patience=2, threshold=0.02),
    }.get(extra, lambda: None)()

    def before_step():
        if extra == "clip_norm":
            return float(clip_norm(params, max_norm=0.5))
        if extra == "clip_norm_inf":
            return float(clip_norm(params, max_norm=0.05, norm_type=float("inf")))
        if extra == "clip_value":
            clip_value(params, 0.02)
        return None

    def after_step(loss):
        if sched is None:
            return
        if extra == "plateau":
            sched.step(loss)
        else:
            sched.step()

    return before_step, after_step


def run_minigrad(name, kwargs, extra, X, y, init):
    params = [nn.Parameter(a, dtype="float64") for a in init]
    opt = getattr(optim, name)(params, **kwargs)
    before, after = extras(None, extra, opt, params, torch_side=False)
    Xt, yt = mg.tensor(X, dtype="float64"), mg.tensor(y, dtype="float64")
    trajectory, norms = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        W1, b1, W2, b2 = params
        loss = (((Xt @ W1.T + b1).tanh() @ W2.T + b2 - yt) ** 2).mean()
        (-loss if extra == "maximize" else loss).backward()
        norms.append(before())
        opt.step()
        after(loss.item())
        trajectory.append(np.concatenate([p.numpy().ravel() for p in params]))
    return np.array(trajectory), norms, opt.param_groups[0]["lr"]


def run_torch(torch, name, kwargs, extra, X, y, init):
    """The same training loop in PyTorch (single-tensor implementations: foreach=False)."""
    params = [torch.nn.Parameter(torch.tensor(a, dtype=torch.float64)) for a in init]
    opt = getattr(torch.optim, name)(params, foreach=False, **kwargs)
    before, after = extras(torch, extra, opt, params, torch_side=True)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    trajectory, norms = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        W1, b1, W2, b2 = params
        loss = ((torch.tanh(Xt @ W1.T + b1) @ W2.T + b2 - yt) ** 2).mean()
        (-loss if extra == "maximize" else loss).backward()
        norms.append(before())
        opt.step()
        after(loss.item())
        trajectory.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return np.array(trajectory), norms, opt.param_groups[0]["lr"]


def main():
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed; to compare against it run:\n    pip install torch==2.13.0\n"
              "    python benchmarks/optim_vs_torch.py")
        return 0
    torch.set_default_dtype(torch.float64)  # scalar state (steps, NAdam's mu_product) in float64 too
    X, y, init = data()
    print(f"minigrad vs torch {torch.__version__}: max |Δθ| over {STEPS} steps (float64), tolerance {TOLERANCE:g}")
    print(f"  {'configuration':34s} {'max |Δθ|':>9s}   {'noise':>9s}   {'moved':>7s}")
    worst = 0.0
    failed = []
    for label, name, kwargs, extra in CONFIGS:
        ours, our_norms, our_lr = run_minigrad(name, kwargs, extra, X, y, init)
        theirs, their_norms, their_lr = run_torch(torch, name, kwargs, extra, X, y, init)
        perturbed, _, _ = run_torch(torch, name, kwargs, extra, X, y, [a * (1 + 1e-15) for a in init])
        noise = float(np.abs(perturbed - theirs).max())
        diff = float(np.abs(ours - theirs).max())
        moved = float(np.abs(ours[-1] - ours[0]).max())
        note = ""
        if our_norms[0] is not None:
            norm_diff = max(abs(a - b) for a, b in zip(our_norms, their_norms))
            note = f"  (returned norms differ by {norm_diff:.1e})"
            diff = max(diff, norm_diff)
        if our_lr != kwargs.get("lr", our_lr) or their_lr != our_lr:
            note = f"  (final lr {our_lr:.3g}, torch {their_lr:.3g})"
            diff = max(diff, abs(our_lr - their_lr))
        status = "ok" if diff <= TOLERANCE else "FAIL"
        print(f"  {label:34s} {diff:9.2e}   {noise:9.2e}   {moved:7.3f}   {status}{note}")
        worst = max(worst, diff)
        if diff > TOLERANCE:
            failed.append(label)
    print(f"largest difference: {worst:.2e}")
    if failed:
        print(f"above tolerance: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

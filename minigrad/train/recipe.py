"""A complete training recipe on a bundled dataset (what ``minigrad train`` runs).

The steps the course prescribes, in order: load the data, split it into training,
validation and test sets (stratified), standardize with the training set's
statistics only, build an MLP, train it with mini-batches while watching the
validation loss (optionally stopping early), and report on the untouched test
set. The result can be saved as a checkpoint that records everything needed to
rebuild the model (sizes, activation, scaler).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from minigrad import data as datasets
from minigrad import optim
from minigrad.io import load, save
from minigrad.nn import MLP, regularizers
from minigrad.rng import manual_seed
from minigrad.train.callbacks import EarlyStopping
from minigrad.train.fit import evaluate, fit

__all__ = ["DATASETS", "load_dataset", "split_dataset", "TrainResult", "train_on_dataset", "save_checkpoint", "load_checkpoint"]

DATASETS = {
    "moons": lambda seed: datasets.make_moons(400, noise=0.2, seed=seed),
    "circles": lambda seed: datasets.make_circles(400, noise=0.08, seed=seed),
    "spirals": lambda seed: datasets.make_spirals(450, noise=0.1, seed=seed),
    "xor": lambda seed: datasets.make_xor(400, noise=0.15, seed=seed),
    "digits": lambda seed: datasets.load_digits(),
}


def load_dataset(name, seed=0):
    """``(X, y)`` of a bundled dataset by name (moons, circles, spirals, xor, digits)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return DATASETS[name](seed)


@dataclass
class TrainResult:
    """Everything a training run produced."""

    model: object
    history: object
    config: dict
    scaler: object
    splits: dict
    test: dict = field(default_factory=dict)
    early_stopping: object = None


def split_dataset(X, y, seed=0, scaler=None):
    """Stratified 60/20/20 train/validation/test splits, standardized.

    The scaler is fitted on the training split only (the validation
    and test sets must not leak into the statistics), unless an already fitted
    ``scaler`` is given (a checkpoint's). Returns ``(splits, scaler)``.
    """
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = datasets.train_val_test_split(
        X, y, ratios=(0.6, 0.2, 0.2), stratify=True, seed=seed)
    scaler = scaler or datasets.StandardScaler().fit(X_tr)
    splits = {"train": (scaler.transform(X_tr), y_tr), "val": (scaler.transform(X_va), y_va),
              "test": (scaler.transform(X_te), y_te)}
    return splits, scaler


def train_on_dataset(dataset, hidden=(32, 32), activation="relu", epochs=100, lr=0.01, optimizer="adam",
                     batch_size=32, dropout=0.0, l2=0.0, batchnorm=False, early_stopping=None, seed=0,
                     progress=True, callbacks=()):
    """Train an MLP classifier on ``dataset``; returns a :class:`TrainResult`.

    ``early_stopping`` is a patience in epochs (None: train all ``epochs``); the
    best weights by validation loss are restored when it stops.
    """
    X, y = load_dataset(dataset, seed)
    hidden = [int(h) for h in hidden]
    if any(h < 1 for h in hidden):
        raise ValueError(f"hidden layer sizes must be positive, got {hidden}")
    if lr <= 0:
        raise ValueError(f"the learning rate must be positive, got {lr}")
    splits, scaler = split_dataset(X, y, seed)
    n_classes = int(y.max()) + 1
    config = {"dataset": dataset, "sizes": [X.shape[1], *hidden, n_classes], "activation": activation,
              "batchnorm": bool(batchnorm), "dropout": float(dropout), "l2": float(l2), "optimizer": optimizer,
              "lr": float(lr), "epochs": int(epochs), "batch_size": int(batch_size), "seed": int(seed)}
    manual_seed(seed)
    model = MLP(config["sizes"], activation=activation, batchnorm=batchnorm, dropout=dropout,
                weight_regularizer=regularizers.L2(l2) if l2 else None)
    opt = optim.get(optimizer, model.parameters(), lr=lr)
    stopper = None
    callbacks = list(callbacks)
    if early_stopping:
        stopper = EarlyStopping("val_loss", patience=int(early_stopping), restore_best_weights=True)
        callbacks.append(stopper)
    history = fit(model, "cross_entropy", opt, splits["train"], epochs=epochs, batch_size=batch_size,
                  validation_data=splits["val"], metrics=["accuracy"], callbacks=callbacks, progress=progress,
                  seed=seed)
    test = evaluate(model, "cross_entropy", *splits["test"], metrics=["accuracy"])
    return TrainResult(model, history, config, scaler, splits, test, stopper)


def save_checkpoint(result, path):
    """Save model weights, configuration and scaler in one checkpoint file."""
    save({
        "format": "minigrad-train",
        "config": result.config,
        "model": result.model.state_dict(),
        "scaler": {"mean": result.scaler.mean_, "scale": result.scaler.scale_},
        "test": result.test,
    }, path)
    return path


def load_checkpoint(path):
    """Rebuild ``(model, config, scaler)`` from a :func:`save_checkpoint` file (model in eval mode)."""
    checkpoint = load(path)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != "minigrad-train":
        raise ValueError(f"{path} is a minigrad checkpoint but not one written by `minigrad train`")
    config = checkpoint["config"]
    model = MLP(config["sizes"], activation=config["activation"], batchnorm=config["batchnorm"],
                dropout=config["dropout"])
    model.load_state_dict(checkpoint["model"])
    scaler = datasets.StandardScaler()
    scaler.mean_ = np.asarray(checkpoint["scaler"]["mean"])
    scaler.scale_ = np.asarray(checkpoint["scaler"]["scale"])
    scaler.n_features_in_ = scaler.mean_.shape[0]
    return model.eval(), config, scaler

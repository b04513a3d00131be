"""Cross-validated hyperparameter search of an MLP on a bundled dataset (``minigrad search``).

The search uses the part of the data that ``minigrad train`` trains and
validates on (the same stratified split, same seed); the test split stays
unseen, for the final model only (Hastie, Tibshirani & Friedman 2009, §7.10:
the test set must not take part in choosing the model). Each training
standardizes with its own training folds' statistics, so no fold leaks into
another. The score is the validation accuracy, higher is better.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad import data as datasets
from minigrad import optim
from minigrad.data.search import grid_search
from minigrad.nn import MLP, regularizers
from minigrad.nn.activations import get_module as get_activation
from minigrad.train.fit import fit, predict
from minigrad.train.recipe import load_dataset

__all__ = ["SEARCHABLE", "parse_values", "MLPTrainer", "search_on_dataset"]


def _positive_float(text):
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise ValueError("must be a positive finite number")
    return value


def _unit_float(text):
    value = float(text)
    if not 0 <= value < 1:
        raise ValueError("must be in [0, 1)")
    return value


def _non_negative(text):
    value = float(text)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError("must be a finite number >= 0")
    return value


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise ValueError("must be a positive integer")
    return value


def _layers(text):
    """``64`` -> 64 (one hidden layer), ``64x32`` -> (64, 32)."""
    sizes = tuple(_positive_int(part) for part in text.split("x"))
    return sizes[0] if len(sizes) == 1 else sizes


def _optimizer(text):
    optim._OPTIMIZERS.resolve(text)  # an unknown name raises, listing the valid ones
    return text


def _activation(text):
    get_activation(text)
    return text


#: The hyperparameters ``minigrad search --param`` knows: name -> (parser of one value, help).
SEARCHABLE = {
    "lr": (_positive_float, "learning rate, e.g. lr=1e-3,3e-3"),
    "hidden": (_layers, "hidden layer sizes, layers joined by x: hidden=32,64x64"),
    "dropout": (_unit_float, "dropout rate in [0, 1)"),
    "l2": (_non_negative, "L2 penalty on the weights"),
    "batch_size": (_positive_int, "mini-batch size"),
    "epochs": (_positive_int, "passes over the training folds"),
    "optimizer": (_optimizer, "sgd, adam, rmsprop, ..."),
    "activation": (_activation, "relu, tanh, gelu, ..."),
}


def parse_values(name, text):
    """The list of values of ``--param NAME=V1,V2,...`` (a ValueError names the bad one)."""
    if name not in SEARCHABLE:
        raise ValueError(f"unknown hyperparameter {name!r}; searchable: {', '.join(SEARCHABLE)}")
    parse = SEARCHABLE[name][0]
    values = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise ValueError(f"--param {name}: an empty value in {text!r}")
        try:
            values.append(parse(item))
        except ValueError as exc:
            detail = str(exc).splitlines()[0] if str(exc) else "not understood"
            if "could not convert" in detail or "invalid literal" in detail:
                detail = "not a number"
            raise ValueError(f"--param {name}={item}: {detail}") from None
    return values


class MLPTrainer:
    """``train_fn`` for :func:`grid_search`: trains an MLP with ``params`` over ``defaults``, returns val accuracy.

    A module-level class (not a closure), so a Dask worker that has minigrad
    installed can unpickle it by reference.
    """

    def __init__(self, **defaults):
        self.defaults = {"lr": 0.01, "hidden": (32,), "dropout": 0.0, "l2": 0.0, "batch_size": 32, "epochs": 20,
                         "optimizer": "adam", "activation": "relu", **defaults}

    def __call__(self, params, X_tr, y_tr, X_va, y_va):
        p = {**self.defaults, **params}
        scaler = datasets.StandardScaler().fit(X_tr)
        X_tr, X_va = scaler.transform(X_tr), scaler.transform(X_va)
        hidden = (p["hidden"],) if isinstance(p["hidden"], int) else tuple(p["hidden"])
        n_classes = int(max(y_tr.max(), y_va.max())) + 1
        model = MLP([X_tr.shape[1], *hidden, n_classes], activation=p["activation"], dropout=p["dropout"],
                    weight_regularizer=regularizers.L2(p["l2"]) if p["l2"] else None)
        opt = optim.get(p["optimizer"], model.parameters(), lr=p["lr"])
        fit(model, "cross_entropy", opt, (X_tr, y_tr), epochs=int(p["epochs"]), batch_size=int(p["batch_size"]),
            progress=False)  # shuffled by the task-seeded global generator
        predicted = predict(model, X_va).argmax(axis=1)
        return float(np.mean(predicted == y_va))


def search_on_dataset(dataset, grid, k=5, epochs=20, seed=0, n_jobs=1, backend=None, timeout=None, progress=None):
    """Grid search of ``grid`` (name -> values) on ``dataset`` by k-fold CV; returns ``SearchResults``."""
    X, y = load_dataset(dataset, seed)
    (X_tr, y_tr), (X_va, y_va), _ = datasets.train_val_test_split(X, y, ratios=(0.6, 0.2, 0.2), stratify=True,
                                                                  seed=seed)
    X_cv, y_cv = np.concatenate([X_tr, X_va]), np.concatenate([y_tr, y_va])
    return grid_search(MLPTrainer(epochs=epochs), grid, X_cv, y_cv, k=k, seed=seed, stratify=True, n_jobs=n_jobs,
                       backend=backend, timeout=timeout, progress=progress)

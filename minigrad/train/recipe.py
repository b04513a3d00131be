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
from minigrad.io import CheckpointError, load, save
from minigrad.nn import MLP, regularizers
from minigrad.nn.activations import get_module as get_activation
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
                     progress=True, callbacks=(), distributed=False):
    """Train an MLP classifier on ``dataset``; returns a :class:`TrainResult`.

    ``early_stopping`` is a patience in epochs (None: train all ``epochs``); the
    best weights by validation loss are restored when it stops. With
    ``distributed=True`` (in an MPI job, see :mod:`minigrad.distributed`) every
    process trains a copy on its share of each batch of ``batch_size`` samples,
    which must divide evenly among the processes; the result is the same model.
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
    trained = model
    if distributed:
        from minigrad.distributed import DistributedDataParallel, world_size

        n = world_size()
        if batch_size % n:
            raise ValueError(f"--batch-size {batch_size} does not divide evenly among {n} processes; "
                             f"use a multiple of {n}")
        trained = DistributedDataParallel(model)
        batch_size //= n  # per process
    opt = optim.get(optimizer, trained.parameters(), lr=lr)
    stopper = None
    callbacks = list(callbacks)
    if early_stopping:
        stopper = EarlyStopping("val_loss", patience=int(early_stopping), restore_best_weights=True)
        callbacks.append(stopper)
    history = fit(trained, "cross_entropy", opt, splits["train"], epochs=epochs, batch_size=batch_size,
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


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_number(v):
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _check_config(config, fail):
    """Check a train checkpoint's config field by field (a file is untrusted input); returns a clean copy."""
    if not isinstance(config, dict):
        fail(f"its 'config' must be a dict, got {type(config).__name__}")
    for name in ("sizes", "activation", "batchnorm", "dropout"):
        if name not in config:
            fail(f"its config lacks the field {name!r}")
    sizes = config["sizes"]
    if (not isinstance(sizes, (list, tuple)) or len(sizes) < 2
            or not all(_is_int(n) and n >= 1 for n in sizes)):
        fail(f"config field 'sizes' must be a list of at least two positive integers, got {sizes!r:.80}")
    sizes = [int(n) for n in sizes]
    activation = config["activation"]
    try:
        get_activation(activation)
    except (TypeError, ValueError) as exc:
        fail(f"config field 'activation': {str(exc).split(';')[0]}")
    if not isinstance(config["batchnorm"], (bool, np.bool_)):
        fail(f"config field 'batchnorm' must be true or false, got {config['batchnorm']!r:.80}")
    dropout = config["dropout"]
    if not _is_number(dropout) or not 0 <= dropout < 1:
        fail(f"config field 'dropout' must be a number in [0, 1), got {dropout!r:.80}")
    checks = {
        "seed": (lambda v: _is_int(v) and 0 <= v < 2**32, "an integer from 0 to 2**32 - 1"),
        "dataset": (lambda v: isinstance(v, str), "a string"),
        "optimizer": (lambda v: isinstance(v, str), "a string"),
        "lr": (lambda v: _is_number(v) and np.isfinite(v) and v > 0, "a positive finite number"),
        "l2": (lambda v: _is_number(v) and np.isfinite(v) and v >= 0, "a non-negative finite number"),
        "epochs": (lambda v: _is_int(v) and v >= 0, "a non-negative integer"),
        "batch_size": (lambda v: _is_int(v) and v >= 1, "a positive integer"),
    }
    for name, (ok, what) in checks.items():
        if name in config and not ok(config[name]):
            fail(f"config field {name!r} must be {what}, got {config[name]!r:.80}")
    return {**config, "sizes": sizes, "batchnorm": bool(config["batchnorm"]), "dropout": float(dropout),
            "seed": int(config.get("seed", 0))}


def _check_arrays(checkpoint, config, fail):
    """The weights and scaler a config promises must be in the file, before the model is built
    (so a config declaring huge layers cannot make us allocate more than the file holds)."""
    state = checkpoint.get("model")
    if not isinstance(state, dict) or not all(isinstance(v, np.ndarray) for v in state.values()):
        fail("its 'model' must be a dict of arrays (a state dict)")
    sizes = config["sizes"]
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    held = sum(int(v.size) for v in state.values())
    if weights > held:
        fail(f"config field 'sizes' {sizes} needs {weights} weights but the file holds {held} values")
    scaler = checkpoint.get("scaler")
    if not isinstance(scaler, dict):
        fail("its 'scaler' must be a dict with 'mean' and 'scale'")
    for name in ("mean", "scale"):
        value = scaler.get(name)
        if (not isinstance(value, np.ndarray) or value.dtype.kind not in "iuf"
                or value.shape != (sizes[0],) or not np.isfinite(value).all()):
            got = (f"a {value.dtype} array of shape {value.shape}" if isinstance(value, np.ndarray)
                   else f"{type(value).__name__} {value!r:.40}")
            fail(f"scaler field {name!r} must be {sizes[0]} finite numbers (one per input feature), got {got}")
    if not (scaler["scale"] > 0).all():
        fail("scaler field 'scale' must be positive")


def load_checkpoint(path):
    """Rebuild ``(model, config, scaler)`` from a :func:`save_checkpoint` file (model in eval mode).

    The file is untrusted input: besides :func:`minigrad.load`'s checks, every
    config field used to rebuild the model (``sizes``, ``activation``,
    ``batchnorm``, ``dropout``, ``seed``, ...) is checked for its type and range,
    the weights the sizes call for must be in the file before the model is built,
    and the scaler must hold one finite mean and positive scale per input
    feature. Any problem raises :class:`~minigrad.io.CheckpointError` naming the field.
    """
    def fail(problem):
        raise CheckpointError(f"cannot load checkpoint {str(path)!r}: {problem}")

    checkpoint = load(path)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != "minigrad-train":
        raise CheckpointError(f"{path} is a minigrad checkpoint but not one written by `minigrad train`")
    if "config" not in checkpoint:
        fail("it has no 'config'")
    config = _check_config(checkpoint["config"], fail)
    _check_arrays(checkpoint, config, fail)
    model = MLP(config["sizes"], activation=config["activation"], batchnorm=config["batchnorm"],
                dropout=config["dropout"])
    try:
        model.load_state_dict(checkpoint["model"])
    except ValueError as exc:
        fail(f"its weights do not fit the config: {exc}")
    model.eval()
    try:  # an activation that changes the width (glu) builds an MLP that cannot run
        model(np.zeros((1, config["sizes"][0])))
    except (ValueError, TypeError) as exc:
        fail(f"config field 'activation' {config['activation']!r} does not fit an MLP: {str(exc).splitlines()[0]}")
    scaler = datasets.StandardScaler()
    scaler.mean_ = np.asarray(checkpoint["scaler"]["mean"])
    scaler.scale_ = np.asarray(checkpoint["scaler"]["scale"])
    scaler.n_features_in_ = scaler.mean_.shape[0]
    return model.eval(), config, scaler

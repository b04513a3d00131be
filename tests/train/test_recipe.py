import numpy as np
import pytest

from minigrad.train import evaluate
from minigrad.train.recipe import DATASETS, load_checkpoint, load_dataset, save_checkpoint, split_dataset, train_on_dataset


def test_every_dataset_loads():
    for name in DATASETS:
        X, y = load_dataset(name)
        assert len(X) == len(y) and X.ndim == 2 and y.dtype.kind == "i"
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        load_dataset("mnist")


def test_split_uses_training_statistics_only():
    X, y = load_dataset("moons")
    splits, scaler = split_dataset(X, y, seed=0)
    assert abs(splits["train"][0].mean(axis=0)).max() < 1e-9
    assert abs(splits["test"][0].mean(axis=0)).max() > 1e-6  # scaled with the training mean, not its own
    assert sum(len(v[1]) for v in splits.values()) == len(y)


def test_train_moons_and_checkpoint_round_trip(tmp_path):
    result = train_on_dataset("moons", hidden=(16, 16), epochs=40, lr=0.01, early_stopping=8, progress=False)
    assert result.test["accuracy"] >= 0.9
    assert result.config["sizes"] == [2, 16, 16, 2]
    path = save_checkpoint(result, tmp_path / "moons.ckpt")
    model, config, scaler = load_checkpoint(path)
    assert config == result.config
    np.testing.assert_array_equal(scaler.mean_, result.scaler.mean_)
    again = evaluate(model, "cross_entropy", *result.splits["test"], metrics=["accuracy"])
    assert again["accuracy"] == result.test["accuracy"]


def test_bad_settings():
    with pytest.raises(ValueError, match="learning rate"):
        train_on_dataset("xor", lr=0, epochs=1, progress=False)
    with pytest.raises(ValueError, match="positive"):
        train_on_dataset("xor", hidden=(0,), epochs=1, progress=False)


# --------------------------------------------------------------------------- crafted train checkpoints

def train_checkpoint(tmp_path, change=None, name="crafted.ckpt"):
    """A valid `minigrad train` checkpoint for a 2-3-2 MLP, edited by ``change(ckpt)``."""
    from minigrad import save
    from minigrad.nn import MLP
    from minigrad.rng import manual_seed

    manual_seed(0)
    model = MLP([2, 3, 2])
    ckpt = {"format": "minigrad-train",
            "config": {"dataset": "moons", "sizes": [2, 3, 2], "activation": "relu", "batchnorm": False,
                       "dropout": 0.0, "l2": 0.0, "optimizer": "adam", "lr": 0.01, "epochs": 1,
                       "batch_size": 32, "seed": 0},
            "model": model.state_dict(), "scaler": {"mean": np.zeros(2), "scale": np.ones(2)}, "test": {}}
    if change is not None:
        change(ckpt)
    save(ckpt, tmp_path / name)
    return tmp_path / name


def test_a_valid_crafted_checkpoint_loads(tmp_path):
    model, config, scaler = load_checkpoint(train_checkpoint(tmp_path))
    assert config["sizes"] == [2, 3, 2] and model(np.zeros((1, 2))).shape == (1, 2)


def _set(path, value):
    def change(ckpt):
        *parents, last = path
        target = ckpt
        for key in parents:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return change


@pytest.mark.parametrize("path, value, message", [
    (("config",), [1, 2], "'config' must be a dict, got list"),
    (("config",), KeyError, "has no 'config'"),
    (("config", "sizes"), KeyError, "lacks the field 'sizes'"),
    (("config", "sizes"), "2,3,2", "field 'sizes' must be a list"),
    (("config", "sizes"), [2], "field 'sizes' must be a list of at least two"),
    (("config", "sizes"), [2, -3, 2], "field 'sizes'"),
    (("config", "sizes"), [2, True, 2], "field 'sizes'"),
    (("config", "sizes"), [2, 3.5, 2], "field 'sizes'"),
    (("config", "sizes"), [2, 10**12, 10**12, 2], r"field 'sizes' .* needs 1000000000004000000000000 weights"),
    (("config", "sizes"), [2, 4, 2], "weights do not fit the config"),
    (("config", "activation"), 3, "field 'activation': activation must be a name"),
    (("config", "activation"), "bogus", "field 'activation': unknown activation 'bogus'"),
    (("config", "activation"), "maxout", "field 'activation': Maxout: missing a required argument"),
    (("config", "activation"), "glu", "field 'activation' 'glu' does not fit an MLP"),
    (("config", "batchnorm"), "yes", "field 'batchnorm' must be true or false"),
    (("config", "dropout"), 1.5, r"field 'dropout' must be a number in \[0, 1\)"),
    (("config", "dropout"), "0.1", "field 'dropout'"),
    (("config", "seed"), -1, "field 'seed' must be an integer"),
    (("config", "seed"), "0", "field 'seed'"),
    (("config", "lr"), float("inf"), "field 'lr' must be a positive finite number"),
    (("config", "batch_size"), 0, "field 'batch_size'"),
    (("model",), [1, 2], "'model' must be a dict of arrays"),
    (("model", "0.weight"), "w", "'model' must be a dict of arrays"),
    (("scaler",), None, "'scaler' must be a dict"),
    (("scaler", "mean"), np.zeros(3), "scaler field 'mean' must be 2 finite numbers"),
    (("scaler", "mean"), "0", "scaler field 'mean'"),
    (("scaler", "scale"), np.array([1.0, np.nan]), "scaler field 'scale'"),
    (("scaler", "scale"), np.array([1.0, 0.0]), "scaler field 'scale' must be positive"),
])
def test_crafted_configs_name_the_field(tmp_path, path, value, message):
    from minigrad.io import CheckpointError

    ckpt = train_checkpoint(tmp_path, _set(path, value))
    with pytest.raises(CheckpointError, match=message) as info:
        load_checkpoint(ckpt)
    assert str(info.value).startswith(f"cannot load checkpoint {str(ckpt)!r}: ") and "\n" not in str(info.value)


def test_not_a_train_checkpoint(tmp_path):
    from minigrad import save
    from minigrad.io import CheckpointError

    save({"model": {}}, tmp_path / "other.ckpt")
    with pytest.raises(CheckpointError, match="not one written by `minigrad train`"):
        load_checkpoint(tmp_path / "other.ckpt")

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

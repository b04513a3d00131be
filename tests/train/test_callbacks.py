import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.train import EarlyStopping, GradientRecorder, LambdaCallback, fit, gradient_statistics


def run_early_stopping(values, model=None, **kwargs):
    """Feed EarlyStopping a scripted sequence of logs; returns the callback and epochs run."""
    es = EarlyStopping(**kwargs)
    es.model = model or nn.Sequential(nn.Linear(1, 1))
    es.on_train_begin()
    for epoch, v in enumerate(values):
        if model is not None:
            model[0].weight.data[...] = epoch  # a recognisable weight per epoch
        es.on_epoch_end(epoch, {kwargs.get("monitor", "val_loss"): v})
        if es.stop_training:
            break
    es.on_train_end()
    return es, epoch + 1


def test_early_stopping_waits_patience_epochs():
    es, ran = run_early_stopping([1.0, 0.8, 0.9, 0.85, 0.95, 0.5], patience=2)
    assert ran == 4 and es.stopped_epoch == 3 and es.best == 0.8 and es.best_epoch == 1


def test_min_delta_counts_small_improvements_as_none():
    es, ran = run_early_stopping([1.0, 0.99, 0.985, 0.98], patience=2, min_delta=0.05)
    assert ran == 3 and es.best_epoch == 0


def test_mode_auto_maximizes_accuracy():
    es, ran = run_early_stopping([0.5, 0.7, 0.6, 0.65], monitor="val_accuracy", patience=2)
    assert es.mode == "max" and es.best == 0.7 and ran == 4


def test_restore_best_weights():
    model = nn.Sequential(nn.Linear(1, 1))
    es, _ = run_early_stopping([3.0, 1.0, 2.0, 2.5], model=model, patience=2, restore_best_weights=True)
    assert model[0].weight.item() == 1.0  # the weights of epoch 1, the best


def test_missing_monitor_lists_available_keys():
    es = EarlyStopping("val_loss")
    es.model = nn.Linear(1, 1)
    es.on_train_begin()
    with pytest.raises(ValueError, match="val_loss.*available: loss.*validation_data"):
        es.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_early_stopping_inside_fit_stops_and_restores():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 2, 40)  # pure noise: validation cannot improve for long
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 2))
    es = EarlyStopping("val_loss", patience=3, restore_best_weights=True)
    history = fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=0.05), (X[:20], y[:20]), epochs=200,
                  batch_size=5, validation_data=(X[20:], y[20:]), callbacks=[es], progress=False)
    assert len(history) < 200 and history.stop_reason.startswith("EarlyStopping stopped training")
    assert len(history) == es.best_epoch + 1 + 3
    from minigrad.train import evaluate

    restored = evaluate(model, "cross_entropy", X[20:], y[20:])["loss"]
    assert restored == pytest.approx(min(history["val_loss"]), rel=1e-5)


def test_lambda_callback_hooks_are_called():
    events = []
    cb = LambdaCallback(on_epoch_begin=lambda e, logs=None: events.append(("begin", e)),
                        on_epoch_end=lambda e, logs: events.append(("end", e, round(logs["loss"], 6) > 0)),
                        on_train_end=lambda logs=None: events.append("done"))
    model = nn.Sequential(nn.Linear(2, 2))
    fit(model, "mse", optim.SGD(model.parameters(), lr=0.01), (np.ones((4, 2)), np.zeros((4, 2))), epochs=2,
        batch_size=2, callbacks=[cb], progress=False)
    assert events == [("begin", 0), ("end", 0, True), ("begin", 1), ("end", 1, True), "done"]
    with pytest.raises(TypeError, match="callable"):
        LambdaCallback(on_epoch_end=3)


def test_gradient_recorder_records_each_step():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    rec = GradientRecorder(every=2)
    X = np.random.default_rng(0).normal(size=(16, 2))
    fit(model, "mse", optim.SGD(model.parameters(), lr=0.1), (X, X[:, :1] * 2), epochs=2, batch_size=4,
        callbacks=[rec], progress=False)
    assert len(rec.records) == 4 and [r["step"] for r in rec.records] == [0, 2, 4, 6]
    names = [row["name"] for row in rec.records[0]["stats"]]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    norms = rec.series("norm")
    assert set(norms) == set(names) and all(len(v) == 4 for v in norms.values())
    ratios = rec.series("update_to_data")["0.weight"]
    assert all(r > 0 for r in ratios)
    with pytest.raises(ValueError, match="every"):
        GradientRecorder(every=0)


def test_gradient_statistics_values():
    w = nn.Parameter([[3.0, -4.0]])
    w.grad = mg.tensor([[0.3, 0.4]])
    b = nn.Parameter([1.0])
    (row_w, row_b) = gradient_statistics([("w", w), ("b", b)], previous={"w": np.array([[3.0, -3.0]])})
    assert row_w["norm"] == pytest.approx(0.5) and row_w["data_norm"] == pytest.approx(5.0)
    assert row_w["mean_abs"] == pytest.approx(0.35) and row_w["max_abs"] == pytest.approx(0.4)
    assert row_w["grad_to_data"] == pytest.approx(0.1)
    assert row_w["update_to_data"] == pytest.approx(1.0 / 5.0)
    assert row_b["has_grad"] is False and row_b["norm"] is None

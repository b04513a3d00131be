import io
import time

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import StandardScaler, load_digits, make_moons, train_val_test_split
from minigrad.nn import losses
from minigrad.train import LambdaCallback, TrainingError, evaluate, fit, predict
from minigrad.train.progress import ProgressBar


def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)
    return X, y


def small_model(seed=0):
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))


def test_fit_trains_and_logs_keras_style_history():
    X, y = blobs()
    model = small_model()
    history = fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), (X[:80], y[:80]),
                  epochs=5, batch_size=16, validation_data=(X[80:], y[80:]), metrics=["accuracy"], progress=False)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert len(history) == 5 and history.epoch == [0, 1, 2, 3, 4]
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] >= 0.95
    assert history.params == {"epochs": 5, "steps": 5, "batch_size": 16, "samples": 80}
    assert not model.training  # left in eval mode
    with pytest.raises(KeyError, match="recorded keys"):
        history["f1"]


def test_logged_loss_is_the_sample_weighted_epoch_mean_including_regularization():
    X, y = blobs(n=10)
    mg.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 2, weight_regularizer=nn.regularizers.L2(0.5)))
    opt = optim.SGD(model.parameters(), lr=0.0)  # nothing moves: the loss is a plain average
    history = fit(model, "cross_entropy", opt, (X, y), epochs=1, batch_size=4, shuffle=False, progress=False)
    per_sample = losses.cross_entropy(model(X), y, reduction="none").numpy()
    reg = 0.5 * (model[0].weight.numpy() ** 2).sum()
    expected = (per_sample[:4].mean() * 4 + per_sample[4:8].mean() * 4 + per_sample[8:].mean() * 2) / 10 + reg
    assert history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_same_seed_same_training():
    X, y = blobs()
    runs = []
    for _ in range(2):
        model = small_model(3)
        h = fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=0.01), (X, y),
                epochs=3, batch_size=10, seed=7, progress=False)
        runs.append((h["loss"], model[0].weight.numpy().copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_model_is_in_train_mode_for_training_and_eval_mode_for_validation():
    seen = []

    class Spy(nn.Module):
        def forward(self, x):
            seen.append(self.training)
            return x

    X, y = blobs(n=8)
    model = nn.Sequential(nn.Linear(2, 2), Spy())
    fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1, batch_size=4,
        validation_data=(X, y), progress=False)
    assert seen == [True, True, False]


def test_nan_loss_stops_with_a_message_naming_epoch_and_step():
    X, y = blobs(n=8)
    model = small_model()
    calls = []

    def exploding(out, target):
        calls.append(1)
        loss = losses.cross_entropy(out, target)
        return loss * np.nan if len(calls) == 3 else loss

    with pytest.raises(TrainingError, match="nan at epoch 2, step 1.*learning rate") as info:
        fit(model, exploding, optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=4, progress=False)
    assert len(info.value.history) == 1


def test_gradient_clipping_by_norm_and_value():
    X, y = blobs(n=16)
    norms, maxima = [], []

    def check(step, logs):
        grads = [p.grad.numpy() for p in model.parameters()]
        norms.append(np.sqrt(sum((g**2).sum() for g in grads)))
        maxima.append(max(np.abs(g).max() for g in grads))

    model = small_model()
    model[0].weight.data *= 100  # huge gradients
    fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=1e-4), (X, y), epochs=1, batch_size=4,
        clip_norm=0.5, callbacks=[LambdaCallback(on_batch_end=check)], progress=False)
    assert max(norms) <= 0.5 + 1e-5
    norms.clear()
    fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=1e-4), (X, y), epochs=1, batch_size=4,
        clip_value=0.01, callbacks=[LambdaCallback(on_batch_end=check)], progress=False)
    assert max(maxima[-4:]) <= 0.01 + 1e-8


def test_bad_arguments_are_clear_errors():
    X, y = blobs(n=8)
    model = small_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="8 inputs but 7 targets"):
        fit(model, "mse", opt, (X, y[:7]), progress=False)
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
        fit(model, "mse", opt, (X, y), epochs=0, progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, "mse", opt, (X, y), batch_size=-1, progress=False)
    with pytest.raises(ValueError, match="no_such_loss"):
        fit(model, "no_such_loss", opt, (X, y), progress=False)
    with pytest.raises(TypeError, match="Callback"):
        fit(model, "cross_entropy", opt, (X, y), callbacks=[print], progress=False)


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_only_on_a_terminal(capsys):
    X, y = blobs(n=8)
    model = small_model()
    fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2, batch_size=4)
    assert capsys.readouterr().out == ""  # not a terminal under pytest
    term = FakeTerminal()
    bar = ProgressBar(epochs=2, steps=3, stream=term)
    bar.start_epoch(0)
    bar.update(3, {"loss": 0.5})
    bar.end_epoch({"loss": 0.25, "val_loss": 0.5})
    text = term.getvalue()
    assert "Epoch 1/2 [" in text and "3/3" in text and "loss: 0.2500 - val_loss: 0.5000" in text
    assert text.endswith("\n")
    quiet = FakeTerminal()
    ProgressBar(2, 3, stream=quiet, enabled=False).update(1, {"loss": 1.0})
    assert quiet.getvalue() == ""


def test_predict_and_evaluate_restore_the_mode():
    X, y = blobs(n=12)
    model = small_model().train()
    out = predict(model, X, batch_size=5)
    assert out.shape == (12, 2) and model.training
    logs = evaluate(model, "cross_entropy", X, y, metrics=["accuracy"])
    assert set(logs) == {"loss", "accuracy"}
    assert logs["loss"] == pytest.approx(losses.cross_entropy(model(X), y).item(), rel=1e-5)


def test_small_mlp_reaches_95_percent_on_digits_quickly():
    start = time.perf_counter()
    X, y = load_digits()
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(X, y, (0.7, 0.15, 0.15), stratify=True, seed=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_va, X_te = scaler.transform(X_tr), scaler.transform(X_va), scaler.transform(X_te)
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=3e-3), (X_tr, y_tr), epochs=20,
        batch_size=32, validation_data=(X_va, y_va), metrics=["accuracy"], seed=0, progress=False)
    accuracy = evaluate(model, "cross_entropy", X_te, y_te, metrics=["accuracy"])["accuracy"]
    assert accuracy >= 0.95
    assert time.perf_counter() - start < 30


def test_fit_takes_a_tensor_dataset_and_refuses_a_loader_with_the_loop_to_write():
    from minigrad.data import DataLoader, TensorDataset

    X, y = make_moons(64, seed=0)

    def train(data, validation):
        mg.manual_seed(0)
        model = nn.MLP([2, 8, 2])
        history = fit(model, "cross_entropy", optim.SGD(model.parameters(), lr=0.1), data, epochs=2,
                      batch_size=16, validation_data=validation, progress=False, seed=0)
        return history.history["loss"], history.history["val_loss"]

    assert train(TensorDataset(X, y), TensorDataset(X, y)) == train((X, y), (X, y))
    with pytest.raises(TypeError, match=r"pair \(X, y\) or a TensorDataset.*for xb, yb in loader"):
        fit(nn.MLP([2, 2]), "cross_entropy", optim.SGD(nn.MLP([2, 2]).parameters(), lr=0.1),
            DataLoader(X, y, batch_size=8), progress=False)

"""A small trained digits MLP shared by the PTQ/QAT tests (trains in well under a second)."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import StandardScaler, load_digits, train_val_test_split
from minigrad.train import fit, predict


def accuracy(model, X, y):
    return float((predict(model, X).argmax(axis=1) == y).mean())


@pytest.fixture(scope="session")
def digits_mlp():
    """(model, (X_tr, y_tr), (X_te, y_te)): 64-64-10 ReLU MLP, standardized inputs, Adam, 15 epochs."""
    X, y = load_digits()
    (X_tr, y_tr), _, (X_te, y_te) = train_val_test_split(X, y, stratify=True, seed=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = (scaler.transform(a).astype(np.float32) for a in (X_tr, X_te))
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=1e-2), (X_tr, y_tr),
        epochs=15, batch_size=64, progress=False, seed=0)
    return model, (X_tr, y_tr), (X_te, y_te)

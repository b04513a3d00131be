"""Training: the ``fit`` loop, its callbacks and ``History``.

Example::

    from minigrad import nn, optim
    from minigrad.train import fit, EarlyStopping

    history = fit(model, "cross_entropy", optim.Adam(model.parameters(), lr=1e-3),
                  (X_train, y_train), epochs=100, batch_size=32,
                  validation_data=(X_val, y_val), metrics=["accuracy"],
                  callbacks=[EarlyStopping("val_loss", patience=10, restore_best_weights=True)])
    history.history["val_accuracy"]
"""

from minigrad.train.callbacks import Callback, EarlyStopping, GradientRecorder, LambdaCallback
from minigrad.train.fit import TrainingError, evaluate, fit, predict
from minigrad.train.gradient_stats import gradient_statistics
from minigrad.train.history import History

__all__ = [
    "fit", "evaluate", "predict", "TrainingError", "History",
    "Callback", "EarlyStopping", "LambdaCallback", "GradientRecorder", "gradient_statistics",
]

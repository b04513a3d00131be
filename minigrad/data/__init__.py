"""Data for training: toy data sets, the digits, splits, scaling, augmentation, batching, search.

The course's data pipeline, one module per step:

=====================  ===========================================  =====================
step                   names                                        further reading
=====================  ===========================================  =====================
get data               make_moons, make_circles, make_spirals,      Alpaydin & Kaynak
                       make_xor, make_regression, load_digits       1998 (the digits)
divide it              train_val_test_split, kfold,                 Goodfellow et al.
                       stratified_kfold                             2016, §5.3
scale it               StandardScaler, MinMaxScaler                 LeCun et al. 1998
augment the training   augment.gaussian_noise,                      Goodfellow et al.
set                    augment.sample_like                          2016, §7.4–7.5
feed mini-batches      DataLoader, TensorDataset                    Goodfellow et al.
                                                                    2016, §8.1.3
choose hyperparameters grid_search, random_search, log_uniform,     Bergstra & Bengio
                       cross_validate (in parallel: n_jobs,         2012
                       backend="dask")
=====================  ===========================================  =====================

A typical run::

    from minigrad.data import DataLoader, StandardScaler, load_digits, train_val_test_split

    X, y = load_digits()
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(X, y, stratify=True, seed=0)
    scaler = StandardScaler().fit(X_tr)          # fit on the training set only ...
    X_tr, X_va, X_te = (scaler.transform(a) for a in (X_tr, X_va, X_te))   # ... apply to all
    for xb, yb in DataLoader(X_tr, y_tr, batch_size=64, shuffle=True, seed=0):
        ...                                      # one epoch of mini-batch SGD

Randomness: ``seed=None`` draws from the global generator (``mg.manual_seed(n)``
makes it repeatable); an int seed uses a private generator. Arrays come back as
NumPy arrays; only the DataLoader makes Tensors.
"""

from minigrad.data import augment
from minigrad.data.augment import gaussian_noise, sample_like
from minigrad.data.cross_validation import CVResults, cross_validate
from minigrad.data.datasets import make_circles, make_moons, make_regression, make_spirals, make_xor
from minigrad.data.digits import load_digits
from minigrad.data.loader import DataLoader
from minigrad.data.dataset import TensorDataset
from minigrad.data.scalers import MinMaxScaler, StandardScaler
from minigrad.data.search import SearchResults, grid_search, log_uniform, random_search
from minigrad.data.splits import kfold, stratified_kfold, train_val_test_split

__all__ = [
    "make_moons", "make_circles", "make_spirals", "make_xor", "make_regression", "load_digits",
    "train_val_test_split", "kfold", "stratified_kfold",
    "StandardScaler", "MinMaxScaler",
    "augment", "gaussian_noise", "sample_like",
    "DataLoader",
    "grid_search", "random_search", "SearchResults", "log_uniform",
    "TensorDataset",
    "cross_validate", "CVResults",
]

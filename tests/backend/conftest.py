"""Fixtures shared by the backend tests."""

import pytest

from minigrad.backend import kernels


@pytest.fixture
def forced(monkeypatch):
    """Numba on, every threshold 0: even one-element arrays go to the kernels."""
    pytest.importorskip("numba")
    monkeypatch.setattr(kernels, "MIN_SIZE", dict.fromkeys(kernels.MIN_SIZE, 0))
    with kernels.enabled(True):
        yield

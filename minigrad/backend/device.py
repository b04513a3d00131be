"""Device names and their array modules: ``"cpu"`` → NumPy, ``"cuda"`` → CuPy."""

from __future__ import annotations

import numpy as np

DEVICES = ("cpu", "cuda")

_cupy = None


def _load_cupy():
    """Import CuPy and check that a GPU is visible, with an error that says what is missing."""
    global _cupy
    if _cupy is not None:
        return _cupy
    try:
        import cupy
    except ImportError:
        raise RuntimeError(
            "device 'cuda' needs CuPy and an NVIDIA GPU; CuPy is not installed "
            "(pip install cupy-cuda12x). Use device='cpu' otherwise."
        ) from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDA driver missing or broken
        raise RuntimeError(f"device 'cuda': CuPy is installed but no GPU is usable ({exc})") from None
    if count < 1:
        raise RuntimeError("device 'cuda': CuPy is installed but no GPU was found")
    _cupy = cupy
    return cupy


def check_device(device) -> str:
    """Normalise a device name ("cpu", "cuda", "cuda:0") or raise a clear error."""
    name = str(device).lower()
    if name.startswith("cuda"):
        name = "cuda"
    if name not in DEVICES:
        raise ValueError(f"unknown device {device!r}: minigrad supports 'cpu' and 'cuda'")
    return name


def array_module(device: str):
    """The array library for ``device``: ``numpy`` or ``cupy``."""
    if check_device(device) == "cpu":
        return np
    return _load_cupy()


def module_of(array):
    """The array library an array belongs to (``numpy`` or ``cupy``)."""
    return np if isinstance(array, (np.ndarray, np.generic)) else _load_cupy()


def device_of(array) -> str:
    """The device an array lives on."""
    return "cpu" if isinstance(array, (np.ndarray, np.generic)) else "cuda"


def to_device(array, device: str):
    """Return ``array`` on ``device`` (the same object when it is already there)."""
    device = check_device(device)
    if device_of(array) == device:
        return array
    if device == "cpu":
        return array.get()
    return _load_cupy().asarray(array)

"""Array backends: which array library holds a tensor's data on each device.

``cpu`` arrays are NumPy arrays; ``cuda`` arrays are CuPy arrays (optional). Ops are
written against NumPy's API; CuPy arrays flow through the same calls because CuPy
implements NumPy's dispatch protocols.
"""

from minigrad.backend import kernels  # imports no Numba: that loads on first use
from minigrad.backend.device import (
    DEVICES,
    array_module,
    check_device,
    device_of,
    module_of,
    to_device,
)
from minigrad.backend.kernels import numba_enabled, set_enabled, warm_up

__all__ = [
    "DEVICES", "array_module", "check_device", "device_of", "module_of", "to_device",
    "kernels", "numba_enabled", "set_enabled", "warm_up",
]

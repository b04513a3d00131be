"""The layers of the rectifiers with a learned or random slope: ``PReLU`` and ``RReLU``.

Their formulas and sources are in :mod:`minigrad.nn.functional.rectifiers`.
"""

from __future__ import annotations

import numpy as np

from minigrad.nn.functional.rectifiers import prelu, rrelu
from minigrad.nn.layers import _positive_int
from minigrad.nn.module import Module, Parameter

__all__ = ["PReLU", "RReLU"]


class PReLU(Module):
    """PReLU g(z) = z if z > 0 else a·z, with a learned (He et al. 2015).

    ``num_parameters``: 1 (one slope shared by all channels) or the number of
    channels C of the (N, C, *) input (one slope each). ``init``: the starting slope,
    0.25 as in the paper and PyTorch. The slopes are the parameter ``weight``.
    (As in PyTorch, weight decay on ``weight`` pulls the slopes towards 0, i.e. towards
    ReLU; He et al. do not decay them.)
    """

    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        self.num_parameters = _positive_int(num_parameters, "num_parameters", "PReLU")
        self.init = float(init)
        self.weight = Parameter(np.full(self.num_parameters, self.init))

    def forward(self, x):
        return prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """RReLU: a leaky ReLU whose slope is drawn from U(lower, upper) per element in
    training and is (lower + upper)/2 in ``eval()`` (Xu et al. 2015). No parameters."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3):
        super().__init__()
        if not lower <= upper:
            raise ValueError(f"RReLU: lower must be <= upper, got lower={lower}, upper={upper}")
        self.lower = lower
        self.upper = upper

    def forward(self, x):
        return rrelu(x, self.lower, self.upper, training=self.training)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}"

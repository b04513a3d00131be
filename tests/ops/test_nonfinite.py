"""isnan, isinf, isfinite: NumPy's results, boolean and outside the graph."""

import numpy as np
import pytest

import minigrad as mg

X = np.array([0.0, -1.5, np.nan, np.inf, -np.inf])


@pytest.mark.parametrize("name, ref", [("isnan", np.isnan), ("isinf", np.isinf), ("isfinite", np.isfinite)])
def test_values_match_numpy(name, ref):
    t = mg.tensor(X, requires_grad=True)
    out = getattr(mg, name)(t)
    assert out.dtype == np.bool_ and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), ref(X))
    np.testing.assert_array_equal(getattr(t, name)().numpy(), ref(X))
    ints = getattr(mg, name)(mg.tensor([1, 2]))
    assert ints.tolist() == [name == "isfinite"] * 2

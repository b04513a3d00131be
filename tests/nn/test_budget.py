import numpy as np
import pytest

import minigrad.budget as budget
from minigrad import nn
from minigrad.budget import check_model_size, format_bytes, mlp_parameter_count


def test_parameter_count_matches_a_built_model():
    for sizes, batchnorm in (([2, 16, 16, 1], False), ([5, 7, 3], True), ([5, 7, 6, 3], "before"),
                             ([5, 7, 6, 3], "after")):
        model = nn.MLP(sizes, batchnorm=batchnorm)
        params = sum(p.data.size for p in model.parameters())
        buffers = sum(np.asarray(b.data).size for name, b in model.named_buffers() if "running" in name)
        assert mlp_parameter_count(sizes, batchnorm=batchnorm) == params + buffers
        assert check_model_size(sizes, batchnorm=batchnorm) == mlp_parameter_count(sizes, batchnorm=batchnorm)


@pytest.mark.parametrize(
    "sizes, estimate",
    [
        ([1_000_000, 1_000_000, 10], "1,000,011,000,010 parameters × 4 bytes (float32) ≈ 3.6 TiB"),
        ([2, 10**12, 2], "5,000,000,000,002 parameters × 4 bytes (float32) ≈ 18.2 TiB"),
        ([100_000, 100_000, 1], "10,000,200,001 parameters × 4 bytes (float32) ≈ 37.3 GiB"),
    ],
)
def test_a_model_over_the_budget_is_refused_before_allocation(sizes, estimate):
    with pytest.raises(ValueError, match="over the 2.0 GiB memory budget") as info:
        nn.MLP(sizes)  # would raise MemoryError (or swap) if it tried to allocate
    assert estimate in str(info.value)
    assert str(sizes) in str(info.value)


def test_dtype_and_budget_change_the_verdict(monkeypatch):
    sizes = [1000, 1000, 1]  # 1,002,001 parameters
    assert check_model_size(sizes, dtype="float64", budget=8_100_000) == 1_002_001
    with pytest.raises(ValueError, match="× 8 bytes \\(float64\\) ≈ 7.6 MiB, over the 7.6 MiB"):
        check_model_size(sizes, dtype="float64", budget=8_000_000)
    monkeypatch.setattr(budget, "MEMORY_BUDGET", 1_000_000)
    with pytest.raises(ValueError, match="memory budget"):
        nn.MLP(sizes)


def test_format_bytes():
    assert format_bytes(512) == "512 bytes"
    assert format_bytes(2 * 2**30) == "2.0 GiB"
    assert format_bytes(3 * 2**50) == "3.0 PiB"

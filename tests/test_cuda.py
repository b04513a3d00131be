"""The CuPy device: run only where CuPy and an NVIDIA GPU are present (skipped otherwise)."""

import numpy as np
import pytest

import minigrad as mg

cupy = pytest.importorskip("cupy")
try:
    if cupy.cuda.runtime.getDeviceCount() < 1:
        pytest.skip("no GPU", allow_module_level=True)
except Exception:  # no driver
    pytest.skip("no usable GPU", allow_module_level=True)


def test_creation_transfer_and_ops_on_the_gpu():
    x = mg.randn(4, 3, device="cuda", requires_grad=True)
    assert x.device == "cuda" and isinstance(x.data, cupy.ndarray)
    y = ((x @ x.T).tanh().sum(axis=1) ** 2).mean()
    y.backward()
    assert x.grad.device == "cuda"
    cpu = x.detach().to("cpu").requires_grad_()
    ((cpu @ cpu.T).tanh().sum(axis=1) ** 2).mean().backward()
    np.testing.assert_allclose(x.grad.numpy(), cpu.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_training_step_on_the_gpu():
    from minigrad import nn, optim
    from minigrad.nn import losses

    mg.manual_seed(0)
    model = nn.MLP([3, 8, 2]).to("cuda")
    opt = optim.Adam(model.parameters(), lr=0.01)
    x = mg.randn(16, 3).to("cuda")
    loss = losses.cross_entropy(model(x), np.arange(16) % 2)
    loss.backward()
    opt.step()
    assert model[0].weight.device == "cuda" and np.isfinite(loss.item())

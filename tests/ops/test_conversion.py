import numpy as np
import pytest

import minigrad as mg


def test_astype_is_differentiable_between_float_types():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.op == "astype"
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2, 4])
    assert x.astype("float32") is x


def test_astype_to_integers_cuts_the_graph():
    x = mg.tensor([1.7, 2.2], requires_grad=True)
    i = x.astype("int64")
    assert i.dtype == np.int64 and not i.requires_grad
    np.testing.assert_array_equal(i.numpy(), [1, 2])


def test_to_cpu_is_identity_and_cuda_without_gpu_is_a_clear_error():
    x = mg.ones(2)
    assert x.to("cpu") is x
    try:
        import cupy  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="CuPy"):
            x.to("cuda")
        with pytest.raises(RuntimeError, match="CuPy"):
            mg.zeros(3, device="cuda")
    with pytest.raises(ValueError, match="unknown device 'tpu'.*'cpu' and 'cuda'"):
        x.to("tpu")


def test_to_takes_a_dtype_as_pytorch():
    x = mg.tensor([1.5, 2.0], requires_grad=True)
    y = x.to(mg.float64)
    assert y.dtype == np.float64 and x.to("float64").dtype == np.float64
    assert x.to(dtype="float64").dtype == np.float64 and x.to("cpu", dtype=mg.float64).dtype == np.float64
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
    assert x.to(np.int64).tolist() == [1, 2]
    with pytest.raises(TypeError, match="float16.*float32.*float64"):
        x.to("float16")
    with pytest.raises(TypeError, match="pass one"):
        x.to(mg.float64, dtype="float32")

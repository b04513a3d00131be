"""In-place ops as in PyTorch: ``+= -= *= /=`` and the ``_`` methods, the leaf rule, the version counter."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim


def f64(values, requires_grad=False):
    return mg.tensor(values, dtype="float64", requires_grad=requires_grad)


# --------------------------------------------------------------------------- the update idiom

def test_the_pytorch_update_idiom_changes_the_parameter_itself():
    p = f64([1.0, 2.0], requires_grad=True)
    data = p.data
    (p * p).sum().backward()
    with mg.no_grad():
        p -= 0.1 * p.grad
    assert p.data is data  # the same array, changed in place: a model holding p sees it
    np.testing.assert_allclose(p.numpy(), [0.8, 1.6])
    assert p.requires_grad and p.is_leaf and p._version == 1


def test_ndarray_minus_tensor_updates_the_array_in_place():
    p = f64([1.0, 2.0], requires_grad=True)
    p.grad = f64([1.0, -1.0])
    data = p.data
    p.data -= 0.5 * p.grad
    assert p.data is data and isinstance(p.data, np.ndarray)
    np.testing.assert_allclose(p.numpy(), [0.5, 2.5])


@pytest.mark.parametrize("name, op, expected", [
    ("add_", lambda t: t.add_(2.0), [3.0, 4.0]),
    ("sub_", lambda t: t.sub_(f64([1.0, 1.0])), [0.0, 1.0]),
    ("mul_", lambda t: t.mul_(3.0), [3.0, 6.0]),
    ("div_", lambda t: t.div_(f64([2.0, 4.0])), [0.5, 0.5]),
    ("zero_", lambda t: t.zero_(), [0.0, 0.0]),
    ("fill_", lambda t: t.fill_(7.0), [7.0, 7.0]),
    ("copy_", lambda t: t.copy_(np.array([5.0, 6.0])), [5.0, 6.0]),
    ("clamp_", lambda t: t.clamp_(1.5, 1.8), [1.5, 1.8]),
])
def test_every_in_place_method_changes_the_data_and_returns_self(name, op, expected):
    t = f64([1.0, 2.0])
    data = t.data
    assert op(t) is t
    assert t.data is data
    np.testing.assert_allclose(t.numpy(), expected)
    assert t._version == 1


def test_augmented_operators_keep_the_same_tensor():
    t = f64([1.0, 2.0])
    same = t
    t += 1
    t -= f64([1.0, 1.0])
    t *= 4
    t /= 2
    assert t is same and t._version == 4
    np.testing.assert_allclose(t.numpy(), [2.0, 4.0])


def test_an_in_place_op_on_a_leaf_that_requires_grad_is_refused_while_recording():
    p = f64([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"add_: a leaf tensor that requires grad .*mg\.no_grad\(\)"):
        p += 1
    with pytest.raises(RuntimeError, match="mul_: a leaf tensor"):
        p.mul_(2.0)
    np.testing.assert_array_equal(p.numpy(), [1.0, 2.0])
    assert p._version == 0


def test_in_place_ops_keep_shape_and_integer_dtype():
    t = mg.tensor([1, 2, 3])
    t += 2
    assert t.dtype == np.int64 and t.tolist() == [3, 4, 5]
    with pytest.raises(RuntimeError, match="cannot store floats in an integer tensor"):
        t *= 0.5
    with pytest.raises(RuntimeError, match=r"result has shape \(2, 3\) but this tensor has shape \(3,\)"):
        t += mg.ones(2, 3, dtype="int64")
    assert t.tolist() == [3, 4, 5]


# --------------------------------------------------------------------------- graphs

def test_an_in_place_op_on_an_intermediate_is_recorded_in_the_graph():
    x = f64([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2.0
    y *= y          # y = (2x)²
    y += 1.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 8.0 * x.numpy())
    assert y.op == "add" and y._version == 2
    assert mg.gradcheck(lambda x: _square_in_place(x), f64([0.5, -1.5], requires_grad=True))


def _square_in_place(x):
    y = x.exp()
    z = y * 1.0
    z *= y
    return z


def test_backward_refuses_when_a_saved_input_was_changed_in_place():
    w = f64([1.0, 2.0], requires_grad=True)
    x = f64([3.0, 4.0])
    loss = (w * x).sum()        # mul keeps x to compute dL/dw = x
    x += 1                      # ... which would now be wrong
    with pytest.raises(RuntimeError, match=r"backward through 'mul': input 1 .* modified by an in-place operation"):
        loss.backward()


def test_backward_refuses_when_a_saved_output_was_changed_in_place():
    x = f64([0.0, 1.0], requires_grad=True)
    y = x.exp()                 # exp keeps its output: d/dx e^x = e^x
    with mg.no_grad():
        y += 1
    with pytest.raises(RuntimeError, match=r"backward through 'exp': its output .* version 1"):
        y.sum().backward()


def test_a_change_that_backward_does_not_read_is_harmless():
    w = f64([1.0, 2.0], requires_grad=True)
    b = f64([3.0, 4.0])
    loss = (w + b).sum()        # addition's backward needs no values
    b += 1
    loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 1.0])


def test_a_consumer_of_the_old_value_refuses_after_the_tensor_was_re_recorded():
    x = f64([1.0, 2.0], requires_grad=True)
    a = x * 2.0
    b = a * 3.0                 # used a before the change below
    a *= 5.0                    # gradients sent to a would now flow through ×5
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        (a + b).sum().backward()


def test_optimizer_steps_bump_the_version_so_stale_graphs_refuse():
    lin = nn.Linear(2, 1)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    x = mg.randn(4, 2)
    loss = (lin(x) ** 2).mean()
    loss.backward(retain_graph=True)
    v = lin.weight._version
    opt.step()
    assert lin.weight._version == v + 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_numpy_ufuncs_on_tensors_give_tensor_ops():
    x = f64([0.0, 1.0], requires_grad=True)
    y = np.exp(x) + np.array([1.0, 1.0])
    assert isinstance(y, mg.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]))


def test_in_place_methods_take_keyword_arguments():
    # PyTorch code clamps with keywords: p.clamp_(min=0.0)
    p = mg.tensor([-1.0, 2.0], requires_grad=True)
    with mg.no_grad():
        assert p.clamp_(min=0.0) is p
    np.testing.assert_array_equal(p.numpy(), [0.0, 2.0])
    q = mg.tensor([-1.0, 2.0], requires_grad=True)
    y = q * 1.0
    y.clamp_(max=1.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.numpy(), [-1.0, 1.0])
    np.testing.assert_array_equal(q.grad.numpy(), [1.0, 0.0])


@pytest.mark.parametrize("view", [lambda y: y[:, :1], lambda y: y.T, lambda y: y.reshape(-1)],
                         ids=["slice", "transpose", "reshape"])
def test_changing_the_base_of_a_saved_view_in_place_is_caught(view):
    # a slice/transpose/reshape shares its base's memory: PyTorch's shared version counter
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype="float64", requires_grad=True)
    y = x * 1.0
    s = view(y)
    loss = (s * s).sum()
    with mg.no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match="backward through 'mul'.*shares its memory"):
        loss.backward()


def test_changing_a_view_in_place_is_caught_where_its_base_was_saved():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype="float64", requires_grad=True)
    y = x * 1.0
    loss = (y * y).sum()
    with mg.no_grad():
        y.reshape(-1).mul_(2.0)
    with pytest.raises(RuntimeError, match="backward through 'mul'"):
        loss.backward()


def test_a_view_whose_base_changed_is_fine_where_backward_needs_no_values():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype="float64", requires_grad=True)
    y = x * 1.0
    loss = (y[:, :1] * 2.0).sum()  # linear: backward reads no values
    with mg.no_grad():
        y.mul_(2.0)
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[2.0, 0.0], [2.0, 0.0]])

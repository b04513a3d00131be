import numpy as np
import pytest

import minigrad as mg
from minigrad import autograd
from minigrad.autograd import topological_order


def test_topological_order_lists_parents_first_and_each_node_once():
    a = mg.tensor(1.0, requires_grad=True)
    b = a * 2.0
    c = b + a
    d = c * b
    order = topological_order(d)
    ids = [id(n) for n in order]
    assert len(ids) == len(set(ids))
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert order[-1] is d


def test_diamond_reuse_counts_every_path():
    a = mg.tensor(3.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_deep_chain_of_100k_tensor_ops():
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 100_001.0


def test_gradients_accumulate_and_reset():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4, 8])
    x.grad = None
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3, 3])
    x.zero_grad()
    assert x.grad is None


def test_leaf_gradients_are_independent_arrays():
    x = mg.ones(3, requires_grad=True)
    y = mg.ones(3, requires_grad=True)
    (x + y).sum().backward()
    x.grad.data *= 10  # as gradient clipping does, in place
    np.testing.assert_array_equal(y.grad.numpy(), [1, 1, 1])


def test_second_backward_through_freed_graph_says_retain_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4, 8])


def test_no_grad_records_nothing():
    x = mg.ones(2, requires_grad=True)
    with mg.no_grad():
        y = x * 2.0
        assert not mg.is_grad_enabled()
        with mg.enable_grad():
            z = x * 2.0
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y.parents == () and y.op == ""
    assert z.requires_grad and z.op == "mul"

    @mg.no_grad()
    def evaluate(t):
        return t * 3.0

    assert not evaluate(x).requires_grad
    with mg.set_grad_enabled(False):
        assert not (x + 1.0).requires_grad
    assert (x + 1.0).requires_grad


def test_no_grad_restores_state_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with mg.no_grad():
            1 / 0
    assert mg.is_grad_enabled()


def test_detach_cuts_the_graph_and_shares_data():
    x = mg.ones(2, requires_grad=True)
    y = (x * 2.0).detach()
    assert not y.requires_grad and y.is_leaf
    z = (x * y).sum()
    z.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2])
    w = x.detach()
    assert w.data is x.data


def test_backward_errors_are_clear():
    x = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(3,\).*loss.sum\(\)"):
        (x * 2.0).backward()
    with pytest.raises(ValueError, match=r"grad has shape \(2,\)"):
        (x * 2.0).backward(mg.ones(2))
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.ones(3).sum().backward()
    with pytest.raises(TypeError, match="floating-point"):
        mg.tensor([1, 2], requires_grad=True)


def test_backward_with_explicit_gradient_for_non_scalar_outputs():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(np.array([1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2, 0, 12])


def test_retain_grad_keeps_intermediate_gradients():
    x = mg.tensor([1.0, -1.0], requires_grad=True)
    h = (x * 3.0).retain_grad()
    other = x * 2.0
    (h.relu() + other).sum().backward()
    np.testing.assert_array_equal(h.grad.numpy(), [1, 0])
    assert other.grad is None


def test_hessian_vector_product_with_create_graph():
    # f(x) = Σ x_i³ + x0·x1·x2: ∇f = 3x² + (x1x2, x0x2, x0x1), H = diag(6x) + off-diagonal x_k
    xv = np.array([0.5, -1.0, 2.0])
    x = mg.tensor(xv, dtype="float64", requires_grad=True)
    f = (x**3).sum() + x[0] * x[1] * x[2]
    (g,) = autograd.grad(f, x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), 3 * xv**2 + [xv[1] * xv[2], xv[0] * xv[2], xv[0] * xv[1]])
    assert g.requires_grad
    v = np.array([1.0, 2.0, -1.0])
    (hv,) = autograd.grad((g * v).sum(), x)
    H = np.diag(6 * xv) + np.array([[0, xv[2], xv[1]], [xv[2], 0, xv[0]], [xv[1], xv[0], 0]])
    np.testing.assert_allclose(hv.numpy(), H @ v, rtol=1e-12)
    assert x.grad is None  # autograd.grad never touches .grad


def test_backward_create_graph_makes_leaf_grad_differentiable():
    x = mg.tensor([2.0], dtype="float64", requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    np.testing.assert_allclose(x.grad.numpy(), [12.0])
    gx = x.grad
    x.grad = None
    gx.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.0])  # d²/dx² x³ = 6x


def test_autograd_grad_unused_inputs():
    x = mg.ones(2, requires_grad=True)
    y = mg.ones(2, requires_grad=True)
    gx, gy = autograd.grad((x * 2.0).sum(), [x, y])
    np.testing.assert_array_equal(gx.numpy(), [2, 2])
    assert gy is None
    with pytest.raises(RuntimeError, match="input 1 was not used"):
        autograd.grad((x * 2.0).sum(), [x, y], allow_unused=False)


def test_scope_is_stamped_on_new_tensors():
    x = mg.ones(2, requires_grad=True)
    with autograd.scope("layers"):
        with autograd.scope("2"):
            y = x * 2.0
            assert autograd.current_scope() == "layers.2"
        z = y + 1.0
    w = z * 1.0
    assert (y.scope, z.scope, w.scope) == ("layers.2", "layers", "")


def test_graph_protocol_on_tensors():
    a = mg.tensor([1.0], requires_grad=True)
    a.label = "a"
    b = a * 2.0
    assert b.parents[0] is a and b.op == "mul"
    assert a.parents == () and a.op == "" and a.label == "a"
    b.backward(np.ones(1))
    assert a.grad.data.tolist() == [2.0]


def test_course_network_gradients_match_the_delta_rule():
    # the 2-3-2 backpropagation example (Nielsen 2015, ch. 2): W(1) = [[1,-2],[0,1],[3,4]], W(2) = [[6,-2,1],[5,-3,2]], sigmoid hidden, linear output
    from minigrad.course.walkthrough import EXAMPLE_W1, EXAMPLE_W2

    a0, t = np.array([0.5, -1.0]), np.array([1.0, 0.0])
    W1 = mg.tensor(EXAMPLE_W1, dtype="float64", requires_grad=True)
    W2 = mg.tensor(EXAMPLE_W2, dtype="float64", requires_grad=True)
    b1 = mg.zeros(3, dtype="float64", requires_grad=True)
    b2 = mg.zeros(2, dtype="float64", requires_grad=True)
    a1 = (W1 @ a0 + b1).sigmoid()
    y = W2 @ a1 + b2
    (((y - t) ** 2).sum() * 0.5).backward()

    z1 = np.array(EXAMPLE_W1) @ a0
    s = 1 / (1 + np.exp(-z1))
    d2 = np.array(EXAMPLE_W2) @ s - t  # δ(K) = (y - t) ⊙ f'(z), f linear
    d1 = (np.array(EXAMPLE_W2).T @ d2) * s * (1 - s)  # δ(k) = (W(k+1)ᵀ δ(k+1)) ⊙ σ'(z(k))
    np.testing.assert_allclose(W2.grad.numpy(), np.outer(d2, s), rtol=1e-12)
    np.testing.assert_allclose(b2.grad.numpy(), d2, rtol=1e-12)
    np.testing.assert_allclose(W1.grad.numpy(), np.outer(d1, a0), rtol=1e-12)
    np.testing.assert_allclose(b1.grad.numpy(), d1, rtol=1e-12)


def test_leaf_gradient_has_the_leaf_dtype():
    w = mg.ones(2, requires_grad=True)  # float32
    x = mg.tensor([1.0, 2.0], dtype="float64")
    out = w * x
    assert out.dtype == np.float64
    out.sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.numpy(), [1, 2])


def test_implicit_seed_gradient_keeps_float64():
    x = mg.tensor([1.0, 2.0, 3.0], dtype="float64", requires_grad=True)
    s = (x * 2.0).retain_grad()
    s.mean().backward()
    assert s.grad.dtype == np.float64
    assert s.grad.numpy().tolist() == [1 / 3, 1 / 3, 1 / 3]


def test_leaf_gradients_never_share_memory_with_retained_or_seed_gradients():
    x = mg.ones(3, requires_grad=True)
    y = (x + 0.0).retain_grad()  # addition passes the gradient through unchanged
    seed = np.ones(3, dtype=np.float32)
    y.backward(seed)
    x.grad.data *= 5
    np.testing.assert_array_equal(y.grad.numpy(), [1, 1, 1])
    np.testing.assert_array_equal(seed, [1, 1, 1])
    leaf = mg.ones(2, requires_grad=True)
    user_grad = mg.tensor([2.0, 3.0])
    leaf.backward(user_grad)
    leaf.grad.data *= 0
    assert user_grad.tolist() == [2.0, 3.0]


# --------------------------------------------------------------------------- grad mode per thread

def test_no_grad_in_one_thread_does_not_switch_recording_off_in_another():
    import threading

    inside, release = threading.Event(), threading.Event()
    seen = {}

    def evaluate():
        with mg.no_grad():
            inside.set()
            release.wait(5)
            seen["worker"] = mg.is_grad_enabled()

    worker = threading.Thread(target=evaluate)
    worker.start()
    assert inside.wait(5)
    x = mg.tensor([1.0], requires_grad=True)
    y = x * 2.0                      # recorded here while the worker is inside no_grad
    seen["main"] = mg.is_grad_enabled()
    release.set()
    worker.join(5)
    assert seen == {"worker": False, "main": True}
    assert y.requires_grad


def test_overlapping_and_reused_grad_mode_blocks_restore_their_own_state():
    outer = mg.no_grad()
    with outer:
        with mg.enable_grad():
            assert mg.is_grad_enabled()
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()

    @mg.no_grad()
    def recursive(n):
        assert not mg.is_grad_enabled()
        return 0 if n == 0 else recursive(n - 1) + 1

    assert recursive(3) == 3
    assert mg.is_grad_enabled()
    with mg.set_grad_enabled(False):
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()


def test_module_scope_is_per_thread():
    import threading

    from minigrad.autograd import current_scope, scope

    seen = []
    with scope("layers.0"):
        t = threading.Thread(target=lambda: seen.append(current_scope()))
        t.start()
        t.join(5)
        assert current_scope() == "layers.0"
    assert seen == [""]


# --------------------------------------------------------------------------- the one driver

def test_backward_steps_yield_each_node_once_in_reverse_topological_order():
    from minigrad.autograd import backward_steps, tensor_parents, tensor_vjp

    x = mg.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    a = x * 3.0
    y = (a + a).sum()
    seed = mg.tensor(1.0, dtype="float64")
    with mg.no_grad():
        steps = list(backward_steps([y], [seed], tensor_parents, tensor_vjp))
    assert [node.op for node, *_ in steps] == ["sum", "add", "mul", ""]
    node, g, parents, contributions = steps[1]
    assert parents == (a, a) and len(contributions) == 2
    np.testing.assert_array_equal(steps[-1][1].numpy(), [6.0, 6.0])  # x's complete gradient


def test_integer_inputs_give_float32_results_never_truncated():
    i = mg.tensor([0, 1, 3])
    for result, expected in [
        (i.sigmoid(), 1 / (1 + np.exp(-np.array([0.0, 1.0, 3.0])))),
        (i.exp(), np.exp([0.0, 1.0, 3.0])),
        (i / 2, [0.0, 0.5, 1.5]),
        (i * 0.5, [0.0, 0.5, 1.5]),
        (i ** 0.5, np.sqrt([0.0, 1.0, 3.0])),
        (i.mean(), 4 / 3),
        (i.softmax(), np.exp([0.0, 1.0, 3.0]) / np.exp([0.0, 1.0, 3.0]).sum()),
        (i + mg.tensor([0.5]), [0.5, 1.5, 3.5]),
        (mg.nn.functional.silu(i), np.array([0.0, 1.0, 3.0]) / (1 + np.exp(-np.array([0.0, 1.0, 3.0])))),
    ]:
        assert result.dtype == np.float32
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    assert (i + 1).dtype == np.int64 and (i * 2).tolist() == [0, 2, 6] and i.sum().dtype == np.int64


def test_set_grad_enabled_as_a_decorator_acts_only_inside_the_function():
    @mg.set_grad_enabled(False)
    def evaluate():
        return mg.is_grad_enabled()

    assert mg.is_grad_enabled()
    assert evaluate() is False
    assert mg.is_grad_enabled()
    mg.set_grad_enabled(False)          # a plain call switches at once, until switched back
    try:
        assert not mg.is_grad_enabled()
    finally:
        mg.set_grad_enabled(True)
    assert mg.is_grad_enabled()


def test_forward_errors_numpy_cannot_retell_still_name_the_op():
    # NumPy's ufunc errors (_UFuncNoLoopError ...) take more than a message; the op's
    # name and shapes must still be added instead of a TypeError about __init__.
    class SignOf(autograd.Function):
        name = "sign_of"

        def forward(self, a):
            return np.sign(a)

        def backward(self, g):
            return (g * 0,)

    with pytest.raises(TypeError, match=r"^sign_of: .*ufunc 'sign'.*\(input shapes: \(2,\)\)$"):
        SignOf.apply(mg.tensor([True, False]))
    # a plain error keeps its class and gains the same prefix
    with pytest.raises(ValueError, match=r"^add: .*\(input shapes: \(2,\), \(3,\)\)$"):
        mg.ones(2) + mg.ones(3)

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn.module import Module, ModuleList, Parameter, Sequential


class Affine(Module):
    def __init__(self, n, scale=1.0):
        super().__init__()
        self.w = Parameter(np.full(n, scale))
        self.b = Parameter(np.zeros(n))
        self.register_buffer("calls", mg.zeros(()))

    def forward(self, x):
        self.calls.data[...] += 1
        self.last = x * self.w + self.b
        return self.last


class Net(Module):
    def __init__(self):
        super().__init__()
        self.layers = Sequential(Affine(3, 2.0), Affine(3, 0.5))
        self.head = Affine(3)

    def forward(self, x):
        return self.head(self.layers(x))


def test_parameter_is_a_tensor_that_requires_grad():
    p = Parameter([1.0, 2.0])
    assert isinstance(p, mg.Tensor) and p.requires_grad and p.dtype == np.float32
    assert repr(p).startswith("Parameter(tensor(")
    assert not Parameter([1.0], requires_grad=False).requires_grad


def test_recursive_registration_and_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["layers.0.w", "layers.0.b", "layers.1.w", "layers.1.b", "head.w", "head.b"]
    assert len(net.parameters()) == 6 and net.num_parameters() == 18
    assert [n for n, _ in net.named_modules()] == ["", "layers", "layers.0", "layers.1", "head"]
    assert [n for n, _ in net.named_buffers()] == ["layers.0.calls", "layers.1.calls", "head.calls"]
    assert list(net.children()) == [net.layers, net.head]


def test_shared_parameters_are_listed_once():
    a = Affine(2)
    seq = Sequential(a, a)
    assert len(seq.parameters()) == 2


def test_reassigning_an_attribute_updates_the_registry():
    m = Affine(2)
    m.w = None
    assert [n for n, _ in m.named_parameters()] == ["b"]
    m.w = Parameter([1.0, 1.0])
    assert [n for n, _ in m.named_parameters()] == ["b", "w"]
    del m.w
    assert [n for n, _ in m.named_parameters()] == ["b"]


def test_forgetting_super_init_is_a_clear_error():
    class Broken(Module):
        def __init__(self):
            self.w = Parameter([1.0])

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_tensors_carry_the_module_scope():
    net = Net()
    x = mg.ones(3, requires_grad=True)
    net(x)
    assert net.layers[0].last.scope == "layers.0"
    assert net.layers[1].last.scope == "layers.1"
    assert net.head.last.scope == "head"
    assert net.layers[1].w.scope == "layers.1"
    assert x.scope == ""


def test_sequential_indexing_and_errors():
    seq = Sequential(Affine(2), Affine(2), Affine(2))
    assert len(seq) == 3 and seq[-1] is list(seq)[2]
    sub = seq[1:]
    assert isinstance(sub, Sequential) and len(sub) == 2 and sub[0] is seq[1]
    assert seq[1].w.scope == "1"  # slicing does not move layers
    with pytest.raises(IndexError, match="out of range for 3 layers"):
        seq[5]
    with pytest.raises(TypeError, match="Sequential takes Modules"):
        Sequential(lambda x: x)
    assert len(Sequential([Affine(1), Affine(1)])) == 2


def test_sequential_forward_chains_layers():
    seq = Sequential(Affine(2, 2.0), Affine(2, 3.0))
    np.testing.assert_array_equal(seq(mg.ones(2)).numpy(), [6, 6])


def test_train_eval_propagate():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad():
    net = Net()
    net(mg.ones(3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_includes_buffers():
    a, b = Net(), Net()
    a(mg.ones(3))
    for p in a.parameters():
        p.data[...] = np.random.default_rng(0).normal(size=p.shape)
    state = a.state_dict()
    assert list(state) == [n for n, _ in a.named_parameters()] + [n for n, _ in a.named_buffers()]
    assert state["layers.0.calls"] == 1
    weight_before = b.head.w
    b.load_state_dict(state)
    assert b.head.w is weight_before  # loaded in place
    for (n, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=n)
    state["head.w"][0] = 99.0
    assert b.head.w.numpy()[0] != 99.0  # the state dict is a copy


def test_load_state_dict_reports_problems_by_name_and_changes_nothing():
    net = Net()
    before = {k: v.copy() for k, v in net.state_dict().items()}
    bad = dict(before)
    del bad["head.b"]
    bad["extra.w"] = np.zeros(2)
    bad["layers.0.w"] = np.zeros(4)
    bad["layers.1.b"] = np.full(3, 7.0)
    with pytest.raises(ValueError) as info:
        net.load_state_dict(bad)
    message = str(info.value)
    assert "missing keys: head.b" in message
    assert "unexpected keys: extra.w" in message
    assert "layers.0.w: checkpoint (4,) vs model (3,)" in message
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    del bad["extra.w"]
    bad["layers.0.w"] = before["layers.0.w"]
    missing, unexpected = net.load_state_dict(bad, strict=False)
    assert missing == ["head.b"] and unexpected == []
    np.testing.assert_array_equal(net.layers[1].b.numpy(), [7, 7, 7])


def snapshot(net):
    """Every parameter and buffer as raw bytes (bitwise comparison, NaN-safe)."""
    return {n: (t.dtype, t.numpy().tobytes()) for n, t in list(net.named_parameters()) + list(net.named_buffers())}


@pytest.mark.parametrize(
    "bad, problem",
    [
        (np.array("a"), "dtype <U1 is not real numeric"),
        (np.array(1 + 2j), "dtype complex128 is not real numeric"),
        (np.array(None, dtype=object), "dtype object is not real numeric"),
        (np.array(np.nan), "1 non-finite value(s)"),
        (np.array(-np.inf, dtype=np.float32), "1 non-finite value(s)"),
        (np.zeros(3), "checkpoint (3,) vs model ()"),
        ([0.0], "expected an array or Tensor, got list"),
        (3.0, "expected an array or Tensor, got float"),
        ("weights", "expected an array or Tensor, got str"),
    ],
    ids=["string", "complex", "object", "nan", "inf", "shape", "list", "float", "str"],
)
def test_load_state_dict_with_a_bad_last_entry_changes_nothing(bad, problem):
    net = Net()
    for i, p in enumerate(net.parameters()):
        p.data[...] = np.arange(p.data.size).reshape(p.shape) + 10.0 * i  # not the defaults
    before = snapshot(net)
    state = {k: v + 0.5 for k, v in net.state_dict().items()}  # every entry valid and different ...
    last = list(state)[-1]
    assert last == "head.calls"
    state[last] = bad  # ... except the very last one
    with pytest.raises(ValueError) as info:
        net.load_state_dict(state)
    assert f"{last}: {problem}" in str(info.value)
    assert snapshot(net) == before  # bitwise: nothing was written before the bad entry was found
    state[last] = np.array(4.0)
    net.load_state_dict(state)
    assert net.head.calls.item() == 4.0
    np.testing.assert_array_equal(net.head.w.numpy(), np.arange(3) + 40.5)


def test_load_state_dict_names_every_bad_key_at_once():
    net = Net()
    before = snapshot(net)
    state = net.state_dict()
    state["layers.0.w"] = np.array([1.0, np.nan, 2.0])
    state["layers.1.b"] = np.array(["x", "y", "z"])
    state["head.w"] = np.zeros((3, 1))
    with pytest.raises(ValueError) as info:
        net.load_state_dict(state)
    message = str(info.value)
    assert "layers.0.w: 1 non-finite value(s)" in message
    assert "layers.1.b: dtype <U1 is not real numeric" in message
    assert "head.w: checkpoint (3, 1) vs model (3,)" in message
    assert snapshot(net) == before


def test_load_state_dict_accepts_real_numeric_arrays_tensors_and_numpy_scalars():
    net = Net()
    state = net.state_dict()
    state["layers.0.w"] = np.array([1, 2, 3], dtype=np.int32)  # cast to the parameter's dtype
    state["layers.0.b"] = np.array([True, False, True])
    state["layers.1.w"] = mg.tensor([4.0, 5.0, 6.0], dtype="float64")
    state["layers.1.calls"] = np.float64(7.0)  # a NumPy scalar, as io.load returns 0-d entries
    net.load_state_dict(state)
    assert net.layers[0].w.dtype == np.float32
    np.testing.assert_array_equal(net.layers[0].w.numpy(), [1, 2, 3])
    np.testing.assert_array_equal(net.layers[0].b.numpy(), [1, 0, 1])
    np.testing.assert_array_equal(net.layers[1].w.numpy(), [4, 5, 6])
    assert net.layers[1].calls.item() == 7.0


def test_load_state_dict_non_strict_skips_unexpected_entries_without_checking_them():
    net = Net()
    state = net.state_dict()
    state["extra"] = np.array(["not", "a", "weight"])
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert missing == [] and unexpected == ["extra"]
    with pytest.raises(ValueError, match="unexpected keys: extra"):
        net.load_state_dict(state)


def test_regularization_loss_sums_terms_of_all_modules():
    class Penalized(Affine):
        def regularization_terms(self):
            return [(self.w * self.w).sum()]

    net = Sequential(Penalized(2, 1.0), Affine(2), Penalized(2, 3.0))
    loss = net.regularization_loss()
    assert loss.item() == pytest.approx(2 * 1 + 2 * 9)
    loss.backward()
    np.testing.assert_array_equal(net[2].w.grad.numpy(), [6, 6])
    assert Sequential(Affine(2)).regularization_loss().item() == 0.0


def test_to_dtype_keeps_parameter_objects():
    net = Net()
    w = net.head.w
    net.double()
    assert net.head.w is w and w.dtype == np.float64
    assert net.layers[0].calls.dtype == np.float64
    net.float()
    assert w.dtype == np.float32
    with pytest.raises(TypeError, match="floating point"):
        net.to("int64")


def test_repr_is_a_tree():
    text = repr(Net())
    assert text.startswith("Net(\n  (layers): Sequential(\n    (0): Affine()")
    assert "(head): Affine()" in text


def test_module_list_registers_modules():
    ml = ModuleList([Affine(1), Affine(1)])
    assert len(ml) == 2 and len(ml.parameters()) == 4 and ml[1] is list(ml)[1]


def test_apply_visits_every_module():
    seen = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert sorted(seen) == ["Affine", "Affine", "Affine", "Net", "Sequential"]


def test_forward_hooks_see_outputs_and_can_be_removed():
    seen = []
    layer = Affine(2, 3.0)
    handle = layer.register_forward_hook(lambda m, inputs, out: seen.append((m, out.tolist())))
    layer(mg.ones(2))
    assert seen == [(layer, [3.0, 3.0])]
    handle.remove()
    layer(mg.ones(2))
    assert len(seen) == 1
    with layer.register_forward_hook(lambda m, inputs, out: out * 0.0):
        assert layer(mg.ones(2)).tolist() == [0.0, 0.0]
    assert layer(mg.ones(2)).tolist() == [3.0, 3.0]


@pytest.mark.parametrize("state", [[1, 2], "weights", None, np.zeros(3)])
def test_load_state_dict_needs_a_mapping(state):
    mg.manual_seed(0)
    model = Sequential(mg.nn.Linear(2, 2))
    before = {k: v.tobytes() for k, v in model.state_dict().items()}
    with pytest.raises(TypeError, match=r"load_state_dict for Sequential: expected a mapping .* got " + type(state).__name__):
        model.load_state_dict(state)
    assert {k: v.tobytes() for k, v in model.state_dict().items()} == before

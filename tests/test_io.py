import json
import os
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
from minigrad import io, nn
from minigrad.io import CheckpointError, load, save


def assert_identical(a, b, where="obj"):
    """Same structure, same container and key types, bit-exact arrays (dtype, shape, bytes)."""
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), where
        assert (a.dtype, a.shape) == (b.dtype, b.shape), where
        assert a.tobytes() == np.ascontiguousarray(b).tobytes(), where
    elif isinstance(a, np.generic):
        assert type(b) is type(a) and a.tobytes() == b.tobytes(), where
    elif isinstance(a, dict):
        assert type(b) is dict, where
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b], where  # key order and key types
        for k in a:
            assert_identical(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(b) is type(a) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_identical(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert type(b) is float and np.isnan(b), where
    else:
        assert type(b) is type(a) and b == a, where


def nested():
    rng = np.random.default_rng(0)
    return {
        "model": OrderedDict([
            ("z.weight", rng.standard_normal((4, 3)).astype(np.float32)),  # order is not alphabetical
            ("a.bias", np.arange(4, dtype=np.float64) / 3),
            ("bn.num_batches_tracked", np.array(7, dtype=np.int64)),     # a 0-d array
        ]),
        "optimizer": {
            "state": {0: {"step": 3, "exp_avg": np.zeros((4, 3), np.float32)}, 1: {"step": np.int64(3)}},
            "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False, "eps": None, "params": [0, 1]}],
        },
        "masks": [np.array([True, False, True]), np.arange(6, dtype=np.int64).reshape(2, 3).T],  # a strided view
        "misc": (np.uint8(200), np.float32(0.1), np.float16([1.5, -0.0]), np.int8(-3), 2**70),
        "empty": {"list": [], "tuple": (), "dict": {}, "array": np.zeros((0, 5), np.float32)},
        "name": "résumé ✓", "epoch": 3, "loss": float("nan"), "best": float("-inf"), "done": True,
    }


def test_nested_round_trip_is_bit_exact(tmp_path):
    path = tmp_path / "ckpt.npz"
    obj = nested()
    save(obj, path)
    back = load(path)
    obj["model"] = dict(obj["model"])  # an OrderedDict comes back as a dict, in the same order
    assert_identical(obj, back)
    assert list(back["model"]) == ["z.weight", "a.bias", "bn.num_batches_tracked"]
    assert back["model"]["bn.num_batches_tracked"].shape == ()
    assert isinstance(back["optimizer"]["param_groups"][0]["betas"], tuple)
    assert set(back["optimizer"]["state"]) == {0, 1}


def test_tensors_are_saved_as_arrays(tmp_path):
    t = mg.tensor([[1.0, 2.0]], requires_grad=True)
    save({"t": t, "i": mg.tensor([1, 2], dtype="int64")}, tmp_path / "c")
    back = load(tmp_path / "c")
    assert isinstance(back["t"], np.ndarray) and back["t"].dtype == np.float32
    np.testing.assert_array_equal(back["t"], [[1.0, 2.0]])
    assert back["i"].dtype == np.int64


def test_top_level_values_and_awkward_keys(tmp_path):
    path = str(tmp_path / "c")
    for obj in (np.arange(3), [1, 2], None, "text", 5):
        save(obj, path)
        assert_identical(obj, load(path))
    # keys that collide once flattened, or clash with np.savez's own argument names / the marker
    obj = {"a/b": np.ones(1), "a": {"b": np.zeros(1)}, "file": np.full(1, 2.0), "allow_pickle": np.full(1, 3.0),
           "__minigrad__": np.full(1, 4.0), "": np.full(1, 5.0), "..": np.full(1, 6.0), 7: "int key", "7": "str key"}
    save(obj, path)
    assert_identical(obj, load(path))


def test_state_dict_round_trip_restores_the_model(tmp_path):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    model(mg.randn(8, 3))  # training-mode forward: BatchNorm running statistics move
    save({"model": model.state_dict(), "epoch": 3}, tmp_path / "model.ckpt")

    mg.manual_seed(1)
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    assert not np.array_equal(fresh[0].weight.numpy(), model[0].weight.numpy())
    ckpt = load(tmp_path / "model.ckpt")
    assert ckpt["epoch"] == 3
    fresh.load_state_dict(ckpt["model"])
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), name
    assert int(fresh[1].num_batches_tracked.item()) == 1


def test_written_to_exactly_the_path_without_temporary_files(tmp_path):
    save({"w": np.ones(2)}, tmp_path / "weights.bin")
    save({"w": np.ones(2)}, str(tmp_path / "noext"))
    assert sorted(os.listdir(tmp_path)) == ["noext", "weights.bin"]
    assert zipfile.is_zipfile(tmp_path / "noext")


def test_the_file_is_a_readable_npz_with_a_marker(tmp_path):
    save({"model": {"0.weight": np.eye(2)}, "epoch": 3}, tmp_path / "c")
    with np.load(tmp_path / "c", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["__minigrad__", "model/0.weight"]
        meta = json.loads(npz["__minigrad__"].tobytes())
        np.testing.assert_array_equal(npz["model/0.weight"], np.eye(2))
    assert meta["format"] == "minigrad-checkpoint" and meta["version"] == io.VERSION == 1
    assert meta["root"]["dict"][1] == ["epoch", 3]


def test_same_object_same_bytes(tmp_path):
    save(nested(), tmp_path / "a")
    save(nested(), tmp_path / "b")
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


def test_overwrite_replaces_the_old_checkpoint(tmp_path):
    path = tmp_path / "c"
    save({"v": np.zeros(3)}, path)
    save({"v": np.ones(5)}, path)
    np.testing.assert_array_equal(load(path)["v"], np.ones(5))
    assert os.listdir(tmp_path) == ["c"]


# --------------------------------------------------------------------------- crashes while writing

@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_crash_midway_keeps_the_previous_checkpoint(tmp_path, monkeypatch, error):
    path = tmp_path / "c"
    save({"v": np.zeros(3), "epoch": 1}, path)
    before = path.read_bytes()

    real_write = np.lib.format.write_array
    calls = []

    def write_then_crash(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # the metadata and one array are already in the temporary file
            raise error
        return real_write(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_then_crash)
    with pytest.raises(type(error)):
        save({"v": np.ones(3), "w": np.ones(4), "x": np.ones(5), "epoch": 2}, path)
    assert len(calls) == 3
    assert path.read_bytes() == before
    assert load(path)["epoch"] == 1
    assert os.listdir(tmp_path) == ["c"]


def test_a_failing_rename_leaves_no_temporary_file(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="rename failed"):
        save({"v": np.ones(3)}, tmp_path / "c")
    assert os.listdir(tmp_path) == []


def test_missing_directory_names_the_path(tmp_path):
    path = tmp_path / "nope" / "c.npz"
    with pytest.raises(FileNotFoundError, match=r"c\.npz.*does not exist"):
        save({"v": 1}, path)
    with pytest.raises(IsADirectoryError, match="is a directory"):
        save({"v": 1}, tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_directory_names_the_path(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="locked"):
            save({"v": 1}, locked / "c")
    finally:
        locked.chmod(0o700)


# --------------------------------------------------------------------------- what cannot be saved

@pytest.mark.parametrize("obj, where", [
    ({"opt": {"hook": lambda x: x}}, r"\['opt'\]\['hook'\]"),
    ({"a": [1, np.array([1, None], dtype=object)]}, r"\['a'\]\[1\].*dtype object"),
    ({"s": {1, 2}}, r"set .*\['s'\]"),
    ({"m": {(1, 2): 3}}, r"tuple \(1, 2\).*\['m'\]"),
    ({"b": {True: 1}}, r"bool True"),
])
def test_unsupported_objects_name_their_key_path(tmp_path, obj, where):
    with pytest.raises(TypeError, match=where):
        save(obj, tmp_path / "c")
    assert os.listdir(tmp_path) == []  # validated before anything is written


def test_a_structure_containing_itself_is_refused(tmp_path):
    loop = {"a": []}
    loop["a"].append(loop)
    with pytest.raises(ValueError, match=r"contains itself"):
        save(loop, tmp_path / "c")


# --------------------------------------------------------------------------- bad files

@pytest.fixture
def checkpoint(tmp_path):
    path = tmp_path / "good.ckpt"
    save({"model": {"w": np.arange(64, dtype=np.float32)}, "epoch": 1}, path)
    return path


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_truncated_file(tmp_path, checkpoint):
    data = checkpoint.read_bytes()
    path = write(tmp_path, "half", data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"half.*truncated or corrupt"):
        load(path)


def test_flipped_bytes_are_caught_by_the_checksum(tmp_path, checkpoint):
    data = bytearray(checkpoint.read_bytes())
    data[data.index(np.arange(64, dtype=np.float32).tobytes()) + 100] ^= 0xFF
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load(write(tmp_path, "flipped", bytes(data)))


@pytest.mark.parametrize("name, data, message", [
    ("random", np.random.default_rng(0).bytes(256), "not an .npz"),
    ("text", b"epoch,loss\n1,0.5\n", "not an .npz"),
    ("empty", b"", "empty"),
])
def test_files_that_are_not_archives(tmp_path, name, data, message):
    with pytest.raises(CheckpointError, match=f"{name}.*{message}"):
        load(write(tmp_path, name, data))


def test_foreign_npz_and_npy_files(tmp_path):
    np.savez(tmp_path / "plain.npz", weight=np.ones(3))
    with pytest.raises(CheckpointError, match=r"plain\.npz.*not a minigrad checkpoint.*weight"):
        load(tmp_path / "plain.npz")
    np.save(tmp_path / "single.npy", np.ones(3))
    with pytest.raises(CheckpointError, match="not a minigrad checkpoint.*single .npy"):
        load(tmp_path / "single.npy")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(CheckpointError, match=r"missing\.ckpt.*no such file"):
        load(tmp_path / "missing.ckpt")
    with pytest.raises(CheckpointError, match="is a directory"):
        load(tmp_path)


def meta_file(tmp_path, meta, name="crafted"):
    raw = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    np.savez(tmp_path / f"{name}.npz", __minigrad__=np.frombuffer(raw, dtype=np.uint8))
    return tmp_path / f"{name}.npz"


@pytest.mark.parametrize("meta, message", [
    ({"format": "minigrad-checkpoint", "version": 2, "root": 1}, "unsupported checkpoint format version 2"),
    ({"format": "minigrad-checkpoint", "version": "1", "root": 1}, "unsupported checkpoint format version '1'"),
    ({"format": "other-tool", "version": 1, "root": 1}, "not a minigrad checkpoint"),
    (b"{not json", "not a minigrad checkpoint: unreadable"),
    ({"format": "minigrad-checkpoint", "version": 1, "root": {"array": "gone"}}, "corrupt.*'gone' is missing"),
    ({"format": "minigrad-checkpoint", "version": 1, "root": {"set": [1]}}, "corrupt: unexpected structure"),
    ({"format": "minigrad-checkpoint", "version": 1}, "corrupt: its structure has no 'root'"),
])
def test_bad_metadata(tmp_path, meta, message):
    with pytest.raises(CheckpointError, match=message):
        load(meta_file(tmp_path, meta))


def test_checkpoint_error_is_a_value_error_and_hides_the_zip_traceback(tmp_path, checkpoint):
    data = checkpoint.read_bytes()
    with pytest.raises(ValueError) as info:
        load(write(tmp_path, "cut", data[:-10]))
    assert type(info.value) is CheckpointError
    assert str(info.value).startswith(f"cannot load checkpoint {str(tmp_path / 'cut')!r}")


def test_a_failed_load_changes_nothing(tmp_path, checkpoint):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    before = model.state_dict()
    good = checkpoint.read_bytes()
    data = good[: len(good) // 2]
    with pytest.raises(CheckpointError):
        model.load_state_dict(load(write(tmp_path, "bad", data)))
    with pytest.raises(ValueError, match="missing keys"):  # a valid file for another model
        model.load_state_dict(load(checkpoint)["model"])
    for name, value in model.state_dict().items():
        assert value.tobytes() == before[name].tobytes(), name
    assert checkpoint.read_bytes() == good


def test_permission_error_names_the_path(tmp_path, monkeypatch):
    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", deny)  # what an unwritable directory does, even for root
    with pytest.raises(PermissionError, match=r"cannot write .*c\.ckpt.*Permission denied"):
        save({"v": 1}, tmp_path / "c.ckpt")


def test_training_resumes_exactly_from_a_model_and_optimizer_checkpoint(tmp_path):
    import minigrad as mg
    from minigrad import optim

    def make():
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
        return model, optim.Adam(model.parameters(), lr=0.01)

    X = np.random.default_rng(0).normal(size=(8, 3))

    def step(model, opt):
        loss = (model(X) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    model, opt = make()
    for _ in range(3):
        step(model, opt)
    path = tmp_path / "run.ckpt"
    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, path)
    step(model, opt)

    restored, ropt = make()
    checkpoint = mg.load(path)
    restored.load_state_dict(checkpoint["model"])
    ropt.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 3
    step(restored, ropt)
    for (name, p), (_, q) in zip(model.named_parameters(), restored.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=name)

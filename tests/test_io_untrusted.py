"""Checkpoints as untrusted input: crafted files give a CheckpointError, quickly, without eating memory.

The heavy cases (a zip bomb, a header declaring 10^12 elements) run in a subprocess
whose address space is limited to 1 GiB, so a regression fails instead of taking the
machine's memory; every case is also loaded in-process into a model, which must stay
bitwise unchanged.
"""

import io as _io
import json
import os
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib

import numpy as np
import pytest
from numpy.lib import format as npy_format

import minigrad as mg
from minigrad import nn
from minigrad.io import MAX_DEPTH, CheckpointError, load, save

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --------------------------------------------------------------------------- crafting archives

def npy_header(descr, shape, fortran=False):
    buf = _io.BytesIO()
    npy_format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": fortran, "shape": shape})
    return buf.getvalue()


def npy_bytes(array):
    buf = _io.BytesIO()
    npy_format.write_array(buf, array, allow_pickle=False)
    return buf.getvalue()


def meta_bytes(root):
    meta = {"format": "minigrad-checkpoint", "version": 1, "writer": "test", "root": root}
    return npy_bytes(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


MODEL_ROOT = {"dict": [["model", {"dict": [["w", {"array": "model/w"}]]}]]}


def raw_zip(entries, aliases=()):
    """A zip archive built by hand, so that sizes and methods can lie.

    ``entries``: (name, stored bytes, method, crc, declared uncompressed size) tuples.
    ``aliases``: (name, index) pairs: more directory entries for the data of entry
    ``index`` (overlapping entries, as in a non-recursive zip bomb).
    """
    out, central = bytearray(), bytearray()
    offsets = []
    for name, data, method, crc, size in entries:
        offset = len(out)
        offsets.append(offset)
        encoded = name.encode()
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size,
                           len(encoded), 0) + encoded + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    for name, index in aliases:
        _, data, method, crc, size = entries[index]
        encoded = name.encode()
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offsets[index]) + encoded
    count = len(entries) + len(aliases)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + end)


def stored(name, data):
    return (name, data, zipfile.ZIP_STORED, zlib.crc32(data), len(data))


def archive(member_bytes, name="model/w.npy", extra=()):
    """A checkpoint whose array ``model/w`` is ``member_bytes`` (a .npy file, or anything else)."""
    return raw_zip([stored("__minigrad__.npy", meta_bytes(MODEL_ROOT)), stored(name, member_bytes), *extra])


def zip_bomb():
    """About 2 MB on disk that inflates to 2 GiB of float64 zeros behind a valid .npy header.

    After a full flush deflate starts afresh, so 16 MiB of zeros compress to the same
    bytes every time: the stream is built without compressing 2 GiB.
    """
    chunk, count = 1 << 24, 128
    header = npy_header("<f8", (chunk * count // 8,))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(chunk)) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush()
    crc = zlib.crc32(header)
    zeros = bytes(chunk)
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    data = head + block * count + tail
    bomb = ("model/w.npy", data, zipfile.ZIP_DEFLATED, crc, len(header) + chunk * count)
    return raw_zip([stored("__minigrad__.npy", meta_bytes(MODEL_ROOT)), bomb])


GOOD_W = np.arange(64, dtype=np.float32)


def good_bytes(tmp_path):
    path = tmp_path / "good.ckpt"
    save({"model": {"w": GOOD_W}}, path)
    return path.read_bytes()


def crafted(name, tmp_path):
    """The bytes of the crafted checkpoint ``name`` and a regex its error must match."""
    good = good_bytes(tmp_path)
    if name == "truncated":
        return good[: len(good) // 2], "truncated or corrupt"
    if name == "bit-flipped":
        data = bytearray(good)
        data[data.index(GOOD_W.tobytes()) + 10] ^= 0x40
        return bytes(data), "truncated or corrupt.*'model/w'.*(CRC|Bad)"
    if name == "zip bomb":
        return zip_bomb(), "'model/w'.*expand.*zip bomb"
    if name == "huge shape":
        return archive(npy_header("<f8", (10**12,)) + bytes(7000)), r"'model/w' declares shape \(1000000000000,\)"
    if name == "huge 2-d shape":
        return archive(npy_header("<f4", (10**9, 10**9)) + bytes(64)), r"'model/w' declares shape"
    if name == "object array":
        return archive(npy_header("|O", (3,)) + bytes(24)), "'model/w' has dtype object"
    if name == "raw bytes":
        return archive(GOOD_W.tobytes()), "'model/w' is not a .npy array"
    if name == "non-npy member":
        extra = [stored("notes.txt", b"hello")]
        return archive(npy_bytes(GOOD_W), extra=extra), "'notes.txt' is not a .npy array"
    if name == "complex":
        return archive(npy_bytes(GOOD_W.astype(np.complex64))), "'model/w' has dtype complex64"
    if name == "strings":
        return archive(npy_bytes(np.array(["ab", "cd"]))), "'model/w' has dtype <U2"
    if name == "structured":
        return archive(npy_bytes(np.zeros(2, dtype=[("a", "<f4")]))), "'model/w' has dtype"
    if name == "datetime":
        return archive(npy_bytes(np.zeros(2, dtype="datetime64[s]"))), "'model/w' has dtype datetime64"
    if name == "lying stored size":
        member = npy_bytes(GOOD_W)
        entry = ("model/w.npy", member, zipfile.ZIP_STORED, zlib.crc32(member), 1 << 31)
        return raw_zip([stored("__minigrad__.npy", meta_bytes(MODEL_ROOT)), entry]), "'model/w' is stored"
    if name == "short data":
        return archive(npy_header("<f4", (64,)) + bytes(100)), r"'model/w' declares shape \(64,\).*holds 100"
    if name == "overlapping entries":
        member = npy_bytes(np.zeros(1 << 16))
        entries = [stored("__minigrad__.npy", meta_bytes(MODEL_ROOT)), stored("model/w.npy", member)]
        aliases = [(f"model/w{i}.npy", 1) for i in range(20)]
        return raw_zip(entries, aliases), "overlapping entries"
    if name == "deep structure":
        root = 1
        for _ in range(MAX_DEPTH + 5):
            root = {"list": [root]}
        return raw_zip([stored("__minigrad__.npy", meta_bytes(root))]), "nested more than"
    raise KeyError(name)


CASES = ["truncated", "bit-flipped", "zip bomb", "huge shape", "huge 2-d shape", "object array", "raw bytes",
         "non-npy member", "complex", "strings", "structured", "datetime", "lying stored size", "short data",
         "overlapping entries", "deep structure"]
HEAVY = ["zip bomb", "huge shape", "huge 2-d shape", "lying stored size", "overlapping entries"]


@pytest.mark.parametrize("case", CASES)
def test_crafted_checkpoint_is_refused_and_the_model_is_unchanged(tmp_path, case):
    data, message = crafted(case, tmp_path)
    path = tmp_path / "crafted.ckpt"
    path.write_bytes(data)
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 8))
    before = {k: v.tobytes() for k, v in model.state_dict().items()}
    start = time.perf_counter()
    with pytest.raises(CheckpointError, match=message) as info:
        model.load_state_dict(load(path)["model"])
    assert time.perf_counter() - start < 2.0
    assert str(info.value).startswith(f"cannot load checkpoint {str(path)!r}: ")
    assert "\n" not in str(info.value)
    assert {k: v.tobytes() for k, v in model.state_dict().items()} == before


RUNNER = textwrap.dedent("""
    import resource, sys, time
    from minigrad.io import CheckpointError, load
    limit = 1 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    start = time.perf_counter()
    try:
        load(sys.argv[1])
    except CheckpointError as exc:
        print("CheckpointError", round(time.perf_counter() - start, 3), exc)
    else:
        print("loaded")
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
@pytest.mark.parametrize("case", HEAVY)
def test_heavy_cases_under_a_1_gib_address_space_limit(tmp_path, case):
    data, message = crafted(case, tmp_path)
    path = tmp_path / "heavy.ckpt"
    path.write_bytes(data)
    result = subprocess.run([sys.executable, "-c", RUNNER, str(path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    kind, seconds, text = result.stdout.strip().split(" ", 2)
    assert kind == "CheckpointError", result.stdout
    assert float(seconds) < 0.5, result.stdout
    import re

    assert re.search(message, text), text


def test_zip_bomb_is_small_on_disk_and_really_expands(tmp_path):
    """The bomb is genuine: about 2 MB whose first entry inflates to the declared size."""
    data = zip_bomb()
    assert len(data) < 3 * 2**20
    with zipfile.ZipFile(_io.BytesIO(data)) as zf:
        info = zf.getinfo("model/w.npy")
        assert info.file_size > 2**31 and info.compress_size < 3 * 2**20
        with zf.open(info) as member:
            assert member.read(6) == b"\x93NUMPY"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.ckpt"
    os.mkfifo(fifo)
    code = f"from minigrad.io import load\ntry:\n    load({str(fifo)!r})\nexcept Exception as e:\n    print(type(e).__name__, e)"
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert time.perf_counter() - start < 30
    assert result.stdout.startswith("CheckpointError"), result.stdout + result.stderr
    assert "named pipe" in result.stdout


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it():
    start = time.perf_counter()
    with pytest.raises(CheckpointError, match=r"/dev/zero.*a device"):
        load("/dev/zero")
    assert time.perf_counter() - start < 1.0


def test_every_load_failure_is_a_checkpoint_error(tmp_path):
    """Random damage anywhere in a valid checkpoint: a CheckpointError or the same data, nothing else."""
    good = good_bytes(tmp_path)
    rng = np.random.default_rng(0)
    path = tmp_path / "damaged.ckpt"
    for _ in range(300):
        data = bytearray(good)
        for i in rng.integers(0, len(data), size=rng.integers(1, 4)):
            data[i] = rng.integers(0, 256)
        path.write_bytes(bytes(data))
        try:
            back = load(path)
        except CheckpointError:
            continue
        assert isinstance(back, (dict, list, tuple, int, float, str, type(None), np.ndarray))


def test_the_accepted_dtypes_round_trip(tmp_path):
    arrays = {str(dt): np.arange(6).astype(dt).reshape(2, 3) for dt in
              ("bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
               "float16", "float32", "float64")}
    arrays["fortran"] = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    arrays["big-endian"] = np.arange(3, dtype=">f8")
    save(arrays, tmp_path / "c")
    back = load(tmp_path / "c")
    for key, value in arrays.items():
        assert back[key].dtype == value.dtype and back[key].shape == value.shape, key
        np.testing.assert_array_equal(back[key], value, err_msg=key)
        assert back[key].flags.writeable, key


def test_np_savez_compressed_members_are_read(tmp_path):
    """A deflated archive (np.savez_compressed) within the expansion limit is accepted."""
    raw = json.dumps({"format": "minigrad-checkpoint", "version": 1, "root": {"array": "w"}}).encode()
    w = np.random.default_rng(0).standard_normal(50)
    np.savez_compressed(tmp_path / "c.npz", __minigrad__=np.frombuffer(raw, np.uint8), w=w)
    np.testing.assert_array_equal(load(tmp_path / "c.npz"), w)


# --------------------------------------------------------------------------- what save refuses

@pytest.mark.parametrize("value, dtype", [
    (np.complex128(1 + 2j), "complex128"), (np.zeros(2, np.complex64), "complex64"),
    (np.array(["a"]), "<U1"), (np.zeros(1, "datetime64[s]"), "datetime64"),
])
def test_save_refuses_what_load_would_refuse(tmp_path, value, dtype):
    with pytest.raises(TypeError, match=rf"\['v'\] has dtype {dtype}"):
        save({"v": value}, tmp_path / "c")
    assert os.listdir(tmp_path) == []


def test_save_refuses_a_structure_nested_too_deeply(tmp_path):
    deep = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ValueError, match=f"nested more than {MAX_DEPTH} levels"):
        save({"a": deep}, tmp_path / "c")
    assert os.listdir(tmp_path) == []
    ok = 0
    for _ in range(MAX_DEPTH - 1):
        ok = [ok]
    save(ok, tmp_path / "c")
    assert load(tmp_path / "c") == ok


@pytest.mark.parametrize("path, message", [("bad\0name", "not a valid path"), ("x" * 5000, "too long")])
def test_unusable_paths_are_checkpoint_errors(path, message):
    with pytest.raises(CheckpointError, match=message):
        load(path)

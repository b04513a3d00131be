"""Checkpoints: ``save(obj, path)`` and ``load(path)`` without pickle, written atomically.

A checkpoint holds what you need to resume training, typically::

    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, "run.ckpt")
    ckpt = mg.load("run.ckpt")
    model.load_state_dict(ckpt["model"])      # validates keys and shapes before writing
    opt.load_state_dict(ckpt["optimizer"])

``obj`` may be any nesting (at most :data:`MAX_DEPTH` levels) of dicts (str or
int keys, order kept), lists, tuples, NumPy arrays and scalars of bool, integer
or float dtype, Tensors (saved as arrays), Python numbers, bools, strings and None. ``load`` gives the same structure back, with arrays as NumPy
arrays (bit-exact: same dtype, shape and values) and every mapping as a plain
dict in the original order (an OrderedDict comes back as a dict).

**Why no pickle.** ``pickle`` (and ``torch.load`` before ``weights_only``) can
rebuild *any* Python object, which means that loading a file can run any code
its author chose: a downloaded checkpoint would be a program. Here every array
is a plain ``.npy`` entry read with ``np.load(..., allow_pickle=False)`` and
everything else is JSON, so loading only ever creates data.

**Why atomic writes.** Training runs get killed (out of memory, a time limit,
Ctrl-C, a full disk) and checkpoints are written exactly when that hurts most.
Writing straight to ``path`` could leave half a file where the last good
checkpoint was. Instead the file is written to a temporary file in the same
directory, flushed and fsync'ed, and then ``os.replace``-d onto ``path`` in one
step: ``path`` holds either the old checkpoint or the complete new one, never a
mix. (A process killed mid-write may leave a hidden ``.NAME.*.tmp`` file next to
it; any error inside ``save`` removes it.)

On disk a checkpoint is an ordinary ``.npz`` archive (a zip of ``.npy`` files,
so ``np.load(path)`` can inspect it), written to exactly ``path`` whatever its
suffix:

* one entry per array, named after its key path (``model/0.weight``,
  ``optimizer/state/0/exp_avg``; made unique if two paths collide);
* the entry ``__minigrad__``: UTF-8 JSON stored as a uint8 array, e.g. ::

      {"format": "minigrad-checkpoint", "version": 1, "writer": "minigrad 0.1.0",
       "root": {"dict": [["model", {"dict": [["0.weight", {"array": "model/0.weight"}], ...]}],
                         ["epoch", 3]]}}

  where a node is a JSON number, string, true/false or null, or one of
  ``{"dict": [[key, node], ...]}`` (key a JSON string or integer, so int keys stay
  ints), ``{"list": [...]}``, ``{"tuple": [...]}``, ``{"array": entry}`` and
  ``{"array": entry, "scalar": true}`` (a NumPy scalar such as ``np.float32(0.5)``).

Anything wrong with a file given to ``load`` -- missing, empty, truncated,
corrupt, not an ``.npz``, an ``.npz`` that is not a minigrad checkpoint, a newer
format version -- raises :class:`CheckpointError`, naming the path and the problem.

**Why the checks before reading.** A checkpoint may come from anyone, so ``load``
treats it as untrusted input and decides from the file's metadata alone, before
reading or allocating any data, that it is safe to read: a FIFO or a device
would block or never end (refused after an ``os.stat``, never opened); a zip
entry may declare or inflate to far more than the file holds (a "zip bomb":
entries must lie inside the file without overlapping, expand at most
:data:`MAX_EXPANSION` times and total at most :data:`MAX_BYTES`); a ``.npy``
header may declare a shape of 10¹² elements in a few bytes (the declared shape
times the dtype size must equal the bytes the entry holds); and a dtype may be
complex, a string or an object (only bool, integer and float arrays are read).
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import stat
import zipfile
import zlib
from collections.abc import Mapping

import numpy as np
from numpy.lib import format as npy_format

from minigrad._version import __version__
from minigrad.tensor import Tensor

__all__ = ["save", "load", "CheckpointError", "FORMAT", "VERSION", "MAX_BYTES", "MAX_EXPANSION", "MAX_DEPTH"]

FORMAT = "minigrad-checkpoint"
"""The marker stored in every checkpoint's ``__minigrad__`` entry."""

VERSION = 1
"""The format version written by this code; ``load`` reads versions 1 … VERSION."""

MAX_BYTES = 1 << 34
"""The most array data (16 GiB, uncompressed) ``load`` accepts from one file."""

MAX_EXPANSION = 100
"""The most a deflated entry may expand (``save`` never compresses; real weights shrink
little; a zip bomb expands about 1000 times)."""

MAX_DEPTH = 100
"""The deepest nesting of dicts, lists and tuples that ``save`` writes and ``load`` reads."""

_META = "__minigrad__"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # a fixed timestamp: the same object always gives the same bytes


class CheckpointError(ValueError):
    """A file could not be read as a minigrad checkpoint (the message says why)."""


# --------------------------------------------------------------------------- encoding

def _path_text(keys):
    """A key path as Python indexing, e.g. ``["optimizer"]["state"][0]`` (``<root>`` if empty)."""
    return "".join(f"[{k!r}]" for k in keys) or "<root>"


def _entry_name(keys):
    """A readable archive name for the array at ``keys``: ``model/0.weight``."""
    parts = [re.sub(r"[^A-Za-z0-9._-]", "_", str(k)) for k in keys]
    parts = ["_" if part in ("", ".", "..") else part for part in parts]
    return "/".join(parts) or "root"


class _Encoder:
    """Turns ``obj`` into (JSON tree, {entry name: array}) and rejects what cannot be stored."""

    def __init__(self):
        self.arrays = {}
        self.active = set()  # ids of the containers being encoded (to catch cycles)

    def array(self, value, keys, scalar=False):
        if value.dtype.hasobject:
            raise TypeError(
                f"save: the array at {_path_text(keys)} has dtype {value.dtype}, which can only be "
                "stored with pickle; convert it to a numeric array"
            )
        if value.dtype.fields is not None or value.dtype.kind not in "biuf":
            raise TypeError(
                f"save: the array at {_path_text(keys)} has dtype {value.dtype}; a checkpoint holds "
                "bool, integer and float arrays (store complex numbers as real and imaginary parts)"
            )
        name = base = _entry_name(keys)
        n = 1
        while name in self.arrays or name == _META:
            n += 1
            name = f"{base}~{n}"
        self.arrays[name] = value
        return {"array": name, "scalar": True} if scalar else {"array": name}

    def encode(self, obj, keys=()):
        if isinstance(obj, np.generic):  # before float: np.float64 is a float subclass
            return self.array(np.asarray(obj), keys, scalar=True)
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, Tensor):
            return self.array(obj.numpy(), keys)
        if isinstance(obj, np.ndarray):
            return self.array(np.asarray(obj), keys)
        if isinstance(obj, (Mapping, list, tuple)):
            if len(keys) >= MAX_DEPTH:
                raise ValueError(
                    f"save: the {type(obj).__name__} at {_path_text(keys[:3])}... is nested more than "
                    f"{MAX_DEPTH} levels deep (minigrad.io.MAX_DEPTH); flatten the structure"
                )
            if id(obj) in self.active:
                raise ValueError(f"save: the {type(obj).__name__} at {_path_text(keys)} contains itself")
            self.active.add(id(obj))
            try:
                if isinstance(obj, Mapping):
                    return {"dict": [[self.key(k, keys), self.encode(v, keys + (k,))] for k, v in obj.items()]}
                kind = "tuple" if isinstance(obj, tuple) else "list"
                return {kind: [self.encode(v, keys + (i,)) for i, v in enumerate(obj)]}
            finally:
                self.active.discard(id(obj))
        raise TypeError(
            f"save: cannot store {type(obj).__name__} {obj!r:.60} at {_path_text(keys)}; a checkpoint "
            "holds dicts, lists, tuples, NumPy arrays, Tensors, numbers, bools, strings and None"
        )

    @staticmethod
    def key(k, keys):
        if isinstance(k, str):
            return k
        if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
            return int(k)
        raise TypeError(
            f"save: dict keys must be str or int, got {type(k).__name__} {k!r} in the dict at {_path_text(keys)}"
        )


def _write_npz(f, arrays):
    """Write ``{name: array}`` to the open binary file ``f`` as an uncompressed .npz (what
    ``np.savez`` writes; done by hand so that any name works and nothing is pickled)."""
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_DATE)
            with zf.open(info, mode="w", force_zip64=True) as member:
                npy_format.write_array(member, array, allow_pickle=False)


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); harmless to skip where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temporary(path):
    """Create and open (exclusively) a hidden temporary file next to ``path``."""
    directory, base = os.path.split(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save: cannot write {path!r}: the directory {directory!r} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"save: cannot write {path!r}: it is a directory")
    while True:
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(4)}.tmp")
        try:
            # mode 0o666 minus the umask: the checkpoint gets the permissions of any new file
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OSError(exc.errno, f"save: cannot write {path!r}: {exc.strerror}") from exc
        return tmp, os.fdopen(fd, "wb")


def save(obj, path):
    """Write ``obj`` (a state dict or a nested structure of them) to ``path``, atomically.

    The file is an ``.npz`` archive written to exactly ``path`` (no suffix is
    added), through a temporary file in the same directory that is flushed,
    fsync'ed and then renamed onto ``path`` with ``os.replace``; on any failure
    the temporary file is removed and an existing ``path`` is left untouched.
    Everything is validated before anything is written: an object that cannot be
    stored without pickle (a function, an object array, ...) raises a TypeError
    naming its key path. A missing directory raises FileNotFoundError, an
    unwritable one PermissionError, both naming ``path``. See the module
    docstring for the format.
    """
    path = os.fspath(path)
    if not path:
        raise ValueError("save: path is empty")
    encoder = _Encoder()
    root = encoder.encode(obj)
    meta = {"format": FORMAT, "version": VERSION, "writer": f"minigrad {__version__}", "root": root}
    arrays = {_META: np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)}
    arrays.update(encoder.arrays)

    tmp, f = _create_temporary(path)
    try:
        with f:
            _write_npz(f, arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(os.path.dirname(os.path.abspath(path)))


# --------------------------------------------------------------------------- decoding

def _decode(node, arrays, fail, depth=0):
    """Rebuild the object described by a JSON ``node``; ``fail(message)`` raises."""
    if depth > MAX_DEPTH:
        fail(f"its structure is nested more than {MAX_DEPTH} levels deep")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, dict) and len(node) == 1:
        (kind, body), = node.items()
        if kind in ("list", "tuple") and isinstance(body, list):
            items = [_decode(v, arrays, fail, depth + 1) for v in body]
            return items if kind == "list" else tuple(items)
        if kind == "dict" and isinstance(body, list):
            out = {}
            for pair in body:
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))):
                    fail(f"a dict item is malformed: {pair!r:.80}")
                out[pair[0]] = _decode(pair[1], arrays, fail, depth + 1)
            return out
    if isinstance(node, dict) and isinstance(node.get("array"), str) and set(node) <= {"array", "scalar"}:
        if node["array"] not in arrays:
            fail(f"the array entry {node['array']!r} is missing")
        value = arrays[node["array"]]
        if node.get("scalar"):
            if value.ndim != 0:
                fail(f"the scalar entry {node['array']!r} has shape {value.shape}")
            return value[()]
        return value
    fail(f"unexpected structure node {node!r:.80}")


def _check_regular_file(path, fail):
    """``os.stat`` first: a FIFO or a device would block ``open`` or never end, so refuse it unopened."""
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        fail("no such file", exc)
    except OSError as exc:
        fail(exc.strerror or str(exc), exc)
    except ValueError as exc:  # an embedded NUL byte
        fail(f"not a valid path ({exc})", exc)
    if stat.S_ISDIR(st.st_mode):
        fail("it is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device" if
                stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "a socket" if
                stat.S_ISSOCK(st.st_mode) else "not a regular file")
        fail(f"it is {kind}, not a regular file")


def _open_regular(path, fail):
    """Open ``path`` for reading without ever blocking, and check again on the open descriptor
    (the path could have been swapped for a FIFO between the stat and the open)."""
    _check_regular_file(path, fail)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError as exc:
        fail("no such file", exc)
    except IsADirectoryError as exc:
        fail("it is a directory, not a file", exc)
    except OSError as exc:
        fail(exc.strerror or str(exc), exc)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        fail("it is not a regular file")
    return os.fdopen(fd, "rb"), st.st_size


def _check_members(zf, file_size, fail):
    """Check every member's names, compression and sizes against the file size, reading nothing.

    A zip entry declares its compressed and uncompressed sizes; a zip bomb declares
    (or decompresses to) far more than the file holds. Every member must be a
    ``.npy`` entry, stored or deflated, lie inside the file without overlapping the
    others, and expand at most :data:`MAX_EXPANSION` times; in all the declared
    uncompressed sizes may not exceed :data:`MAX_BYTES`.
    """
    infos = zf.infolist()
    total = compressed = 0
    seen = set()
    for info in infos:
        name = info.filename
        if not name.endswith(".npy") or info.is_dir():
            fail(f"the entry {name!r} is not a .npy array (a checkpoint holds only .npy entries)")
        entry = name[:-len(".npy")]
        if name in seen:
            fail(f"the entry {entry!r} appears twice")
        seen.add(name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            fail(f"the entry {entry!r} uses an unsupported compression method ({info.compress_type})")
        if info.flag_bits & 0x1:
            fail(f"the entry {entry!r} is encrypted")
        if info.header_offset + info.compress_size > file_size:
            fail(f"the entry {entry!r} extends past the end of the file (truncated or corrupt)")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            fail(f"the entry {entry!r} is stored uncompressed but declares {info.file_size} bytes "
                 f"in {info.compress_size}")
        if info.file_size > MAX_EXPANSION * max(info.compress_size, 1):
            fail(f"the entry {entry!r} would expand from {info.compress_size} to {info.file_size} bytes, "
                 f"more than {MAX_EXPANSION} times (a zip bomb?)")
        compressed += info.compress_size
        total += info.file_size
    if compressed > file_size:
        fail(f"its entries declare {compressed} compressed bytes in a file of {file_size} bytes "
             "(overlapping entries: a zip bomb?)")
    if total > MAX_BYTES:
        fail(f"its entries declare {total} bytes of data, more than the limit of {MAX_BYTES} bytes "
             "(minigrad.io.MAX_BYTES)")
    return infos


def _read_member(zf, info, fail):
    """Read one ``.npy`` member after checking its header: a real numeric dtype, and a declared
    shape whose bytes are exactly those the member holds (so nothing larger is allocated)."""
    entry = info.filename[:-len(".npy")]
    where = f"the entry {entry!r}"
    with zf.open(info) as member:
        try:
            version = npy_format.read_magic(member)
        except ValueError as exc:
            fail(f"{where} is not a .npy array ({exc})", exc)
        try:
            if version == (1, 0):
                shape, fortran, dtype = npy_format.read_array_header_1_0(member, max_header_size=10_000)
            elif version in ((2, 0), (3, 0)):
                reader = npy_format.read_array_header_2_0
                shape, fortran, dtype = reader(member, max_header_size=10_000)
            else:
                fail(f"{where} has an unsupported .npy version {version}")
        except (ValueError, SyntaxError, TypeError) as exc:
            fail(f"{where} has an unreadable .npy header ({exc})", exc)
        if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in "biuf":
            fail(f"{where} has dtype {dtype}; a checkpoint holds only bool, integer and float arrays")
        if not all(isinstance(n, int) and n >= 0 for n in shape):
            fail(f"{where} declares an invalid shape {shape}")
        nbytes = math.prod(shape) * dtype.itemsize
        header = member.tell()
        if header + nbytes != info.file_size:
            fail(f"{where} declares shape {shape} of {dtype} ({nbytes} bytes) but holds "
                 f"{info.file_size - header} bytes of data")
        data = member.read(nbytes)
        if len(data) != nbytes:
            fail(f"{where} is truncated")
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return array.copy(order="K")  # writable, and independent of the bytes read


def load(path):
    """Read a checkpoint written by :func:`save` and return the saved structure.

    Arrays come back as NumPy arrays, mappings as dicts in their saved order, and
    tuples, int keys, None, bools and strings as they were saved. Nothing is
    pickled and nothing is modified: pass the result to
    ``model.load_state_dict``, which validates keys and shapes before writing.

    The file is treated as untrusted input: it must be a regular file (a FIFO or
    a device is refused before it is opened, so nothing blocks); every entry's
    sizes are checked against the file size, :data:`MAX_EXPANSION` and
    :data:`MAX_BYTES`, and every ``.npy`` header's dtype (bool, integer or float
    only) and shape against the entry's size, before any data is read. Any
    problem raises :class:`CheckpointError` naming the path and, where there is
    one, the entry.
    """
    path = os.fspath(path)

    def fail(problem, cause=None):
        raise CheckpointError(f"cannot load checkpoint {path!r}: {problem}") from cause

    f, size = _open_regular(path, fail)
    with f:  # opened here, not by zipfile, so that it is closed even when the zip is unreadable
        try:
            magic = f.read(4)
        except OSError as exc:
            fail(exc.strerror or str(exc), exc)
        if not magic:
            fail("the file is empty")
        if magic == b"\x93NUM":
            fail("not a minigrad checkpoint: it is a single .npy array (read it with np.load)")
        if magic not in (b"PK\x03\x04", b"PK\x05\x06"):
            fail(f"not a minigrad checkpoint: not an .npz (zip) archive (it starts with {magic!r})")
        f.seek(0)
        current = None
        try:
            with zipfile.ZipFile(f) as zf:
                infos = _check_members(zf, size, fail)
                names = [info.filename[:-len(".npy")] for info in infos]
                if _META not in names:
                    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
                    fail(
                        f"not a minigrad checkpoint: an .npz without the {_META!r} entry "
                        f"(it holds: {shown or 'nothing'}); plain np.savez files are read with np.load"
                    )
                arrays = {}
                for info in infos:
                    current = info.filename[:-len(".npy")]
                    arrays[current] = _read_member(zf, info, fail)
                raw = arrays.pop(_META)
        except CheckpointError:
            raise
        except Exception as exc:  # zipfile, zlib, OSError, ...: whatever a damaged file provokes
            where = f" in the entry {current!r}" if current is not None else ""
            fail(f"the file is truncated or corrupt{where} ({type(exc).__name__}: {exc})", exc)

    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError(f"the {_META!r} entry is a {raw.dtype} array of shape {raw.shape}")
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # ValueError includes JSONDecodeError, UnicodeDecodeError
        fail(f"not a minigrad checkpoint: unreadable {_META!r} entry ({exc})", exc)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        fail(f"not a minigrad checkpoint: the {_META!r} entry has no {FORMAT!r} marker")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        newer = isinstance(version, int) and version > VERSION
        fail(
            f"unsupported checkpoint format version {version!r} "
            f"(written by {str(meta.get('writer', 'an unknown writer')):.60}); this minigrad reads versions 1 to {VERSION}"
            + ("; upgrade minigrad to read it" if newer else "")
        )
    if "root" not in meta:
        fail("the file is corrupt: its structure has no 'root'")
    try:
        return _decode(meta["root"], arrays, lambda problem: fail(f"the file is corrupt: {problem}"))
    except RecursionError as exc:
        fail("the file is corrupt: its structure is nested too deeply", exc)

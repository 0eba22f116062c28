"""Checkpoints: `nn.save(obj, path)` / `nn.load(path)` for state_dicts (model, optimizer, scheduler) and any
nesting of dicts, lists and tuples holding arrays, Tensors, numbers, strings and None.

Two formats. PyTorch's zip (torch_format.py), what torch.save writes and torch.load reads: nn.save writes it for
every object without numpy values, so files move between chainrule and PyTorch both ways. And chainrule's .npz:
one array per array in the object plus the nesting structure as JSON text, written for objects holding numpy
arrays or scalars (which PyTorch's format could only store as pickled numpy objects that torch.load refuses).
Saving writes a temporary file in the same folder and renames it over the target: a crash mid-save leaves the
old checkpoint intact, and the next save of that target removes temporary files left by saves that were killed.
Loading reads both and treats the file as untrusted: it never runs code (no unpickler: torch's pickle is read by a
stack machine admitting only a state_dict's globals), reads only the members the object refers to, checks every
declared size against `max_bytes` before reading, and any bad file is a CheckpointError."""
from __future__ import annotations

import json
import math
import os
import re
import tempfile
import threading
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from . import torch_format
from .tensor import Tensor
from .torch_unpickler import TorchFileError

_MAGIC = "chainrule-checkpoint"
_KEY = "__chainrule__"
_PRIMITIVES = (type(None), bool, int, float, str)
MAX_DEPTH = 100                                    # nesting levels a checkpoint may have (state_dicts use 3-4)
DEFAULT_MAX_BYTES = 1 << 30                        # 1 GiB of array data: nn.load's default max_bytes


class CheckpointError(ValueError):
    """A file nn.load cannot read: truncated, corrupt, refused, or written by neither nn.save nor torch.save."""


def _encode(obj: Any, arrays: dict[str, np.ndarray], where: str, depth: int = 0) -> Any:
    if isinstance(obj, _PRIMITIVES):
        return obj
    if depth >= MAX_DEPTH:
        raise ValueError(f"nn.save: {where} nests deeper than {MAX_DEPTH} levels, more than nn.load accepts")
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):
        arr = obj._data if isinstance(obj, Tensor) else np.asarray(obj)
        if arr.dtype.hasobject:
            raise TypeError(f"nn.save: cannot save the object array at {where} (dtype object): only numeric, bool "
                            f"and string arrays can be stored without pickle")
        key = f"a{len(arrays)}"
        arrays[key] = arr
        kind = "tensor" if isinstance(obj, Tensor) else "scalar" if isinstance(obj, np.generic) else "array"
        return {"t": kind, "k": key}
    if hasattr(obj, "detach") and hasattr(obj, "numpy"):           # a torch tensor: store its values
        return _encode(obj.detach().cpu().numpy(), arrays, where, depth)
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, _PRIMITIVES):
                raise TypeError(f"nn.save: dict keys must be str, int, float, bool or None; got a "
                                f"{type(k).__name__} key at {where}")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]", depth + 1)])
        return {"t": "odict" if isinstance(obj, OrderedDict) else "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        return {"t": "tuple" if isinstance(obj, tuple) else "list",
                "items": [_encode(v, arrays, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]}
    raise TypeError(f"nn.save: cannot save a {type(obj).__name__} at {where}: checkpoints hold dicts, lists, "
                    f"tuples, arrays, Tensors, numbers, strings and None (no pickled objects)")


_NODE_KEYS = {"array": {"t", "k"}, "tensor": {"t", "k"}, "scalar": {"t", "k"}, "dict": {"t", "items"},
              "odict": {"t", "items"}, "list": {"t", "items"}, "tuple": {"t", "items"}}
_DTYPE_KINDS = "biufcUSmM"                         # what nn.save can store: no objects, no records


def _bad(msg: str) -> CheckpointError:
    return CheckpointError(f"{msg}: not a readable chainrule checkpoint (nn.save never writes this)")


def _references(node: Any, where: str = "root", depth: int = 0) -> list[tuple[str, str]]:
    """Check the structure strictly, before any array is read; return the (member key, where) it refers to."""
    if isinstance(node, _PRIMITIVES):
        return []
    if depth >= MAX_DEPTH:
        raise _bad(f"the structure nests deeper than {MAX_DEPTH} levels at {where}")
    if not isinstance(node, dict) or not isinstance(node.get("t"), str) or node["t"] not in _NODE_KEYS:
        raise _bad(f"the structure holds a {type(node).__name__} at {where} where a value or a node "
                   f"{{\"t\": one of {sorted(_NODE_KEYS)}, ...}} belongs")
    t = node["t"]
    if set(node) != _NODE_KEYS[t]:
        raise _bad(f"the {t!r} node at {where} has keys {sorted(node)}, expected {sorted(_NODE_KEYS[t])}")
    if "k" in node:
        if not isinstance(node["k"], str) or not node["k"]:
            raise _bad(f"the {t!r} node at {where} refers to {node['k']!r}, expected a member name")
        return [(node["k"], where)]
    items, refs = node["items"], []
    if not isinstance(items, list):
        raise _bad(f"the {t!r} node at {where} has items of type {type(items).__name__}, expected a list")
    for i, item in enumerate(items):
        if t in ("dict", "odict"):
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], _PRIMITIVES)):
                raise _bad(f"item {i} of the {t!r} node at {where} is not a [key, value] pair with a str, number, "
                           "bool or None key")
            refs += _references(item[1], f"{where}[{item[0]!r}]", depth + 1)
        else:
            refs += _references(item, f"{where}[{i}]", depth + 1)
    return refs


def _read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> np.ndarray:
    """One .npy member, its header checked against the member's declared size before any data is read."""
    with zf.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        if version not in ((1, 0), (2, 0)):
            raise _bad(f"member {info.filename!r} ({where}) is .npy format {version}, expected 1.0 or 2.0")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
            np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(fp, max_header_size=10000)
        if dtype.kind not in _DTYPE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            raise _bad(f"member {info.filename!r} ({where}) holds dtype {dtype}, expected numbers, bools or strings")
        if any(not isinstance(d, int) or d < 0 for d in shape):
            raise _bad(f"member {info.filename!r} ({where}) declares shape {shape}")
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes != info.file_size - fp.tell():
            raise _bad(f"member {info.filename!r} ({where}) declares shape {shape} of {dtype} ({nbytes} bytes) but "
                       f"holds {info.file_size - fp.tell()} bytes of data")
        buf = np.empty(nbytes, np.uint8)
        view, got = memoryview(buf), 0
        while got < nbytes:                        # zipfile checks the CRC once the last byte is read
            n = fp.readinto(view[got:])
            if not n:
                raise _bad(f"member {info.filename!r} ({where}) ends after {got} of {nbytes} bytes")
            got += n
    if dtype.itemsize == 0:
        return np.zeros(shape, dtype)
    return buf.view(dtype).reshape(shape, order="F" if fortran else "C")


def _build(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if not isinstance(node, dict):
        return node
    t = node["t"]
    if t in ("array", "tensor", "scalar"):
        arr = arrays[node["k"]]
        if t == "scalar" and arr.shape != ():
            raise _bad(f"a scalar refers to {node['k']!r}, an array of shape {tuple(arr.shape)}")
        return Tensor._wrap(arr) if t == "tensor" else arr[()] if t == "scalar" else arr
    if t in ("dict", "odict"):
        pairs = [(k, _build(v, arrays)) for k, v in node["items"]]
        return OrderedDict(pairs) if t == "odict" else dict(pairs)
    items = [_build(v, arrays) for v in node["items"]]
    return tuple(items) if t == "tuple" else items


def _size(n: int) -> str:
    return f"{n / (1 << 30):.2f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n} bytes"


_saving: set[str] = set()                          # this process's temporary files being written now
_saving_lock = threading.Lock()


def _remove_stale_temps(folder: str, base: str) -> None:
    """Delete temporary files of earlier saves of `base` whose writing process is gone (killed mid-save)."""
    if os.name != "posix":                         # the liveness check below needs POSIX's kill(pid, 0)
        return
    pattern = re.compile(re.escape(f".{base}.") + r"(\d+)-[A-Za-z0-9_]+\.tmp")
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        m = pattern.fullmatch(name)
        path = os.path.join(folder, name)
        if m is None or path in _saving:
            continue
        pid = int(m.group(1))
        if pid == os.getpid():                     # ours but not being written: a save that raised mid-way
            alive = False
        else:
            try:
                os.kill(pid, 0)
                alive = True
            except ProcessLookupError:
                alive = False
            except OSError:                        # exists, owned by someone else: maybe still writing
                alive = True
        if not alive:
            try:
                os.remove(path)
            except OSError:
                pass


def _holds_numpy(obj: Any, depth: int = 0) -> bool:
    if isinstance(obj, (np.ndarray, np.generic)):
        return True
    if depth >= MAX_DEPTH:                         # the writer will refuse it
        return False
    if isinstance(obj, dict):
        return any(_holds_numpy(k, depth + 1) or _holds_numpy(v, depth + 1) for k, v in obj.items())
    return isinstance(obj, (list, tuple)) and any(_holds_numpy(v, depth + 1) for v in obj)


def save(obj: Any, f: str | os.PathLike | Any, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
    """Write obj to f (a path, written atomically, or a binary file object), as torch.save: in PyTorch's zip
    format, which torch.load(weights_only=True) reads. An object holding numpy arrays or numpy scalars is written
    as chainrule's .npz instead (PyTorch's format would pickle numpy objects, which torch.load refuses)."""
    if pickle_module is not None and getattr(pickle_module, "__name__", None) != "pickle":
        raise ValueError(f"nn.save: pickle_module={pickle_module!r}: chainrule writes its own pickle, of only the "
                         "globals torch.load(weights_only=True) admits")
    if pickle_protocol != 2 or not _use_new_zipfile_serialization:
        raise ValueError(f"nn.save: pickle_protocol={pickle_protocol!r}, _use_new_zipfile_serialization="
                         f"{_use_new_zipfile_serialization!r}: chainrule writes PyTorch's zip format with pickle "
                         "protocol 2, the one torch.load(weights_only=True) reads")
    if _holds_numpy(obj):
        arrays: dict[str, np.ndarray] = {}
        structure = json.dumps({"format": _MAGIC, "version": 1, "root": _encode(obj, arrays, "obj")})
        arrays[_KEY] = np.array(structure)

        def write(out: Any) -> None:
            np.savez(out, **arrays)
    else:
        write = torch_format.prepare(obj, MAX_DEPTH, not _disable_byteorder_record)
    if hasattr(f, "write"):
        write(f)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    with _saving_lock:
        _remove_stale_temps(folder, base)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{base}.{os.getpid()}-", suffix=".tmp")
        _saving.add(tmp)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)               # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, path)                       # atomic: readers see the old file or the new, never half
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    finally:
        with _saving_lock:
            _saving.discard(tmp)


def load(f: str | os.PathLike | Any, map_location: Any = None, weights_only: Any = None, *,
         max_bytes: int | None = DEFAULT_MAX_BYTES, **kwargs: Any) -> Any:
    """Read what nn.save or torch.save wrote (PyTorch's zip format, or chainrule's .npz). Tensors come back as
    Tensors with their dtype, shape and strides (views of one storage as views of one array), Parameters as
    nn.Parameter, numpy arrays as numpy arrays. Everything lands on the CPU: `map_location` is accepted and
    ignored, and `weights_only` too, since nothing but data is ever loaded.

    Safe on untrusted files: never runs code, reads only the members the object refers to, and refuses a
    file whose declared sizes add up to more than `max_bytes` (default 1 GiB; None: no limit) before reading
    them. Any file that is not a valid checkpoint raises CheckpointError."""
    name = repr(getattr(f, "name", "<file object>")) if hasattr(f, "read") else repr(os.fspath(f))
    if not hasattr(f, "read") and not os.path.exists(f):
        raise FileNotFoundError(f"nn.load: no checkpoint at {name}")
    if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0):
        raise TypeError(f"nn.load: max_bytes must be a non-negative int or None, got {max_bytes!r}")
    try:
        return _load(f, name, math.inf if max_bytes is None else max_bytes)
    except (CheckpointError, TorchFileError) as e:
        raise CheckpointError(f"nn.load: {name}: {e}") from None
    except Exception as e:                         # noqa: BLE001  any other failure on a bad file: one error type
        raise CheckpointError(f"nn.load: {name} is not a readable chainrule checkpoint (truncated, corrupt, or "
                              f"not written by nn.save): {type(e).__name__}: {e}") from None


def _load(f: Any, name: str, max_bytes: float) -> Any:
    if not hasattr(f, "read"):
        with open(f, "rb") as fp:
            return _load(fp, name, max_bytes)
    start = f.tell() if f.seekable() else 0
    head = f.read(16)
    if head.startswith(b"\x93NUMPY"):
        raise CheckpointError("it holds a single numpy array, not a chainrule checkpoint (use numpy.load for it)")
    if torch_format.is_legacy(head):
        raise CheckpointError("it is in PyTorch's legacy format (torch.save before PyTorch 1.6), which chainrule "
                              "does not read: re-save it with a recent PyTorch, torch.save(torch.load(path, "
                              "weights_only=True), new_path)")
    f.seek(start)
    with zipfile.ZipFile(f) as zf:
        members = {i.filename: i for i in zf.infolist()}
        info = members.get(_KEY + ".npy")
        prefix = torch_format.archive_prefix(list(members)) if info is None else None
        if prefix is not None:
            return torch_format.load_zip(zf, prefix, max_bytes)
        if info is None:
            shown = [n[:-4] if n.endswith(".npy") else n for n in list(members)[:5]]
            raise CheckpointError(f"it is an .npz file but not a chainrule checkpoint (it has no {_KEY!r} entry; "
                                  f"its arrays are {shown}), nor a PyTorch one (no data.pkl). Use numpy.load "
                                  "for it.")
        if info.file_size > max_bytes:
            raise CheckpointError(f"its structure entry declares {_size(info.file_size)}, more than max_bytes="
                                  f"{max_bytes}; pass a larger max_bytes (or None) only for a file you trust")
        text = _read_npy(zf, info, "the structure")
        if text.dtype.kind != "U" or text.shape != ():
            raise _bad(f"its {_KEY!r} entry is a {text.dtype} array of shape {tuple(text.shape)}, expected one string")
        meta = json.loads(str(text))
        if not isinstance(meta, dict) or meta.get("format") != _MAGIC:
            raise CheckpointError(f"it has an unrecognised {_KEY!r} entry: not a chainrule checkpoint")
        if set(meta) != {"format", "version", "root"} or meta["version"] != 1:
            raise _bad(f"its header has keys {sorted(meta)} and version {meta.get('version')!r}, expected "
                       "format, version 1 and root")
        refs = _references(meta["root"])
        total, seen = info.file_size, set()
        for key, where in refs:                    # every size is checked before any array is read
            member = members.get(key + ".npy")
            if member is None or key == _KEY:
                raise _bad(f"{where} refers to {key!r}, which is not an array in the file")
            if key in seen:
                raise _bad(f"{where} refers to {key!r} a second time")
            seen.add(key)
            total += member.file_size
        if total > max_bytes:
            raise CheckpointError(f"its arrays declare {_size(total)} in all, more than max_bytes={max_bytes} "
                                  f"({_size(int(max_bytes))}); pass a larger max_bytes (or None) only for a file "
                                  "you trust")
        arrays = {key: _read_npy(zf, members[key + ".npy"], where) for key, where in refs}
    return _build(meta["root"], arrays)


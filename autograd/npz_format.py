"""chainrule's own checkpoint format: an ordinary .npz holding one array per array in the object, plus the nesting
structure as JSON text (`__chainrule__`). nn.save writes it for objects holding numpy arrays or scalars; nn.load
reads it without pickle: only the members the structure refers to, each size checked before reading."""
from __future__ import annotations

import json
import math
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from .checkpoint_common import MAX_DEPTH, CheckpointError
from .tensor import Tensor

MAGIC = "chainrule-checkpoint"
KEY = "__chainrule__"
_PRIMITIVES = (type(None), bool, int, float, str)


def encode(obj: Any) -> dict[str, np.ndarray]:
    """The arrays of the .npz that holds obj (np.savez writes them)."""
    arrays: dict[str, np.ndarray] = {}
    structure = json.dumps({"format": MAGIC, "version": 1, "root": _encode(obj, arrays, "obj")})
    arrays[KEY] = np.array(structure)
    return arrays


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


_NODEKEYS = {"array": {"t", "k"}, "tensor": {"t", "k"}, "scalar": {"t", "k"}, "dict": {"t", "items"},
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
    if not isinstance(node, dict) or not isinstance(node.get("t"), str) or node["t"] not in _NODEKEYS:
        raise _bad(f"the structure holds a {type(node).__name__} at {where} where a value or a node "
                   f"{{\"t\": one of {sorted(_NODEKEYS)}, ...}} belongs")
    t = node["t"]
    if set(node) != _NODEKEYS[t]:
        raise _bad(f"the {t!r} node at {where} has keys {sorted(node)}, expected {sorted(_NODEKEYS[t])}")
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


def size_text(n: int) -> str:
    return f"{n / (1 << 30):.2f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n} bytes"


def load_npz(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], info: zipfile.ZipInfo, max_bytes: float) -> Any:
    """The object a chainrule .npz holds; `info` is its structure member."""
    if info.file_size > max_bytes:
        raise CheckpointError(f"its structure entry declares {size_text(info.file_size)}, more than max_bytes="
                              f"{max_bytes}; pass a larger max_bytes (or None) only for a file you trust")
    text = _read_npy(zf, info, "the structure")
    if text.dtype.kind != "U" or text.shape != ():
        raise _bad(f"its {KEY!r} entry is a {text.dtype} array of shape {tuple(text.shape)}, expected one string")
    meta = json.loads(str(text))
    if not isinstance(meta, dict) or meta.get("format") != MAGIC:
        raise CheckpointError(f"it has an unrecognised {KEY!r} entry: not a chainrule checkpoint")
    if set(meta) != {"format", "version", "root"} or meta["version"] != 1:
        raise _bad(f"its header has keys {sorted(meta)} and version {meta.get('version')!r}, expected "
                   "format, version 1 and root")
    refs = _references(meta["root"])
    total, seen = info.file_size, set()
    for key, where in refs:                    # every size is checked before any array is read
        member = members.get(key + ".npy")
        if member is None or key == KEY:
            raise _bad(f"{where} refers to {key!r}, which is not an array in the file")
        if key in seen:
            raise _bad(f"{where} refers to {key!r} a second time")
        seen.add(key)
        total += member.file_size
    if total > max_bytes:
        raise CheckpointError(f"its arrays declare {size_text(total)} in all, more than max_bytes={max_bytes} "
                              f"({size_text(int(max_bytes))}); pass a larger max_bytes (or None) only for a file "
                              "you trust")
    arrays = {key: _read_npy(zf, members[key + ".npy"], where) for key, where in refs}
    return _build(meta["root"], arrays)

"""Checkpoints: `nn.save(obj, path)` / `nn.load(path)` for state_dicts (model, optimizer, scheduler) and any
nesting of dicts, lists and tuples holding arrays, Tensors, numbers, strings and None.

The file is an ordinary .npz: one array per array in the object, plus the nesting structure as JSON text.
It is read with `allow_pickle=False`, so loading a checkpoint can never run code (torch.save's pickles can).
Saving writes a temporary file in the same folder and renames it over the target: a crash mid-save leaves the
old checkpoint intact."""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from autograd import Tensor

_MAGIC = "chainrule-checkpoint"
_KEY = "__chainrule__"
_PRIMITIVES = (type(None), bool, int, float, str)


class CheckpointError(ValueError):
    """A file nn.load cannot read: truncated, corrupt, or not written by nn.save."""


def _encode(obj: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    if isinstance(obj, _PRIMITIVES):
        return obj
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
        return _encode(obj.detach().cpu().numpy(), arrays, where)
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, _PRIMITIVES):
                raise TypeError(f"nn.save: dict keys must be str, int, float, bool or None; got a "
                                f"{type(k).__name__} key at {where}")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"t": "odict" if isinstance(obj, OrderedDict) else "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        return {"t": "tuple" if isinstance(obj, tuple) else "list",
                "items": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]}
    raise TypeError(f"nn.save: cannot save a {type(obj).__name__} at {where}: checkpoints hold dicts, lists, "
                    f"tuples, arrays, Tensors, numbers, strings and None (no pickled objects)")


def _decode(node: Any, arrays: Any) -> Any:
    if not isinstance(node, dict):
        return node
    t = node["t"]
    if t in ("array", "tensor", "scalar"):
        arr = arrays[node["k"]]
        return Tensor._wrap(arr) if t == "tensor" else arr[()] if t == "scalar" else arr
    if t in ("dict", "odict"):
        pairs = [(k, _decode(v, arrays)) for k, v in node["items"]]
        return OrderedDict(pairs) if t == "odict" else dict(pairs)
    items = [_decode(v, arrays) for v in node["items"]]
    return tuple(items) if t == "tuple" else items


def save(obj: Any, f: str | os.PathLike | Any) -> None:
    """Write obj to f (a path, written atomically, or a binary file object)."""
    arrays: dict[str, np.ndarray] = {}
    structure = json.dumps({"format": _MAGIC, "version": 1, "root": _encode(obj, arrays, "obj")})
    arrays[_KEY] = np.array(structure)
    if hasattr(f, "write"):
        np.savez(f, **arrays)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **arrays)
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


def load(f: str | os.PathLike | Any, map_location: Any = None, weights_only: Any = None, **kwargs: Any) -> Any:
    """Read what nn.save wrote. Arrays come back as numpy arrays (Tensors as Tensors); never runs code."""
    name = repr(getattr(f, "name", "<file object>")) if hasattr(f, "read") else repr(os.fspath(f))
    if not hasattr(f, "read") and not os.path.exists(f):
        raise FileNotFoundError(f"nn.load: no checkpoint at {name}")
    try:
        npz = np.load(f, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise CheckpointError(f"nn.load: {name} holds a single numpy array, not a chainrule checkpoint "
                                  f"(use numpy.load for it)")
        with npz:
            if _KEY not in npz.files:
                raise CheckpointError(f"nn.load: {name} is an .npz file but not a chainrule checkpoint (it has no "
                                      f"{_KEY!r} entry; its arrays are {npz.files[:5]}). Use numpy.load for it.")
            meta = json.loads(str(npz[_KEY]))
            if not isinstance(meta, dict) or meta.get("format") != _MAGIC:
                raise CheckpointError(f"nn.load: {name} has an unrecognised {_KEY!r} entry: not a chainrule checkpoint")
            arrays = {k: npz[k] for k in npz.files if k != _KEY}
            return _decode(meta["root"], arrays)
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, json.JSONDecodeError) as e:
        raise CheckpointError(f"nn.load: {name} is not a readable chainrule checkpoint (truncated, corrupt, or "
                              f"not written by nn.save): {type(e).__name__}: {e}") from None

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

import math
import os
import re
import tempfile
import threading
import zipfile
from typing import Any

import numpy as np

from . import npz_format, torch_format
from .checkpoint_common import MAX_DEPTH, CheckpointError

DEFAULT_MAX_BYTES = 1 << 30                        # 1 GiB of array data: nn.load's default max_bytes


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
        arrays = npz_format.encode(obj)

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


def load(f: str | os.PathLike | Any, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES,
         **pickle_load_args: Any) -> Any:
    """Read what nn.save or torch.save wrote (PyTorch's zip format, or chainrule's .npz). Tensors come back as
    Tensors with their dtype, shape and strides (views of one storage as views of one array), Parameters as
    nn.Parameter, numpy arrays as numpy arrays. torch.load's signature: everything lands on the CPU
    (`map_location` is accepted and ignored), and `weights_only`, `mmap` and the pickle arguments change
    nothing, since nothing but data is ever loaded, whatever weights_only says.

    Safe on untrusted files: never runs code, reads only the members the object refers to, and refuses a
    file whose declared sizes add up to more than `max_bytes` (default 1 GiB; None: no limit) before reading
    them. Any file that is not a valid checkpoint raises CheckpointError."""
    name = repr(getattr(f, "name", "<file object>")) if hasattr(f, "read") else repr(os.fspath(f))
    if not hasattr(f, "read") and not os.path.exists(f):
        raise FileNotFoundError(f"nn.load: no checkpoint at {name}")
    if pickle_module is not None and getattr(pickle_module, "__name__", None) != "pickle":
        raise ValueError(f"nn.load: pickle_module={pickle_module!r}: chainrule reads pickles with its own restricted "
                         "reader, never with a pickle module")
    if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0):
        raise TypeError(f"nn.load: max_bytes must be a non-negative int or None, got {max_bytes!r}")
    try:
        return _load(f, name, math.inf if max_bytes is None else max_bytes)
    except CheckpointError as e:
        raise CheckpointError(f"nn.load: {name}: {e}") from None
    except Exception as e:                         # noqa: BLE001  any other failure on a bad file: one error type
        raise CheckpointError(f"nn.load: {name} is not a readable chainrule checkpoint (truncated, corrupt, or "
                              f"written by neither nn.save nor torch.save): {type(e).__name__}: {e}") from None


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
        info = members.get(npz_format.KEY + ".npy")
        prefix = torch_format.archive_prefix(list(members)) if info is None else None
        if prefix is not None:
            return torch_format.load_zip(zf, prefix, max_bytes)
        if info is None:
            shown = [n[:-4] if n.endswith(".npy") else n for n in list(members)[:5]]
            raise CheckpointError(f"it is an .npz file but not a chainrule checkpoint (it has no "
                                  f"{npz_format.KEY!r} entry; its arrays are {shown}), nor a PyTorch one (no "
                                  "data.pkl). Use numpy.load for it.")
        return npz_format.load_npz(zf, members, info, max_bytes)

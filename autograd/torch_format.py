"""PyTorch's checkpoint format, the zip torch.save writes since PyTorch 1.6: `<archive>/data.pkl` (the object, a
pickle whose tensors refer to storages by key), `<archive>/data/<key>` (each storage's raw bytes), `byteorder`,
`version` and `.format_version`. `load_zip` reads one, each tensor a view of its storage's array (views of one
storage stay views of one array); `prepare` writes one that torch.load(weights_only=True) reads."""
from __future__ import annotations

import math
import sys
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np

from .checkpoint_common import CheckpointError
from .tensor import Tensor
from .torch_pickler import Writer
from .torch_unpickler import STORAGES, read

LEGACY_MAGIC = b"\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")   # torch.save's format before 1.6
_STORAGE_OF = {dtype: name for name, dtype in STORAGES.items()}
_ALIGN = 64                                        # torch aligns each record's data so that it can be mmap-ed


def _check(ok: bool, msg: str) -> None:
    if not ok:
        raise CheckpointError(msg)


def archive_prefix(names: list[str]) -> str | None:
    """'archive/' when the zip holds one `<folder>/data.pkl`, as torch.save writes; otherwise None."""
    found = [n[: -len("data.pkl")] for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
    return found[0] if len(found) == 1 else None


def is_legacy(head: bytes) -> bool:
    """The first bytes of a file written by torch.save before PyTorch 1.6 (a pickled magic number)."""
    return len(head) >= 14 and head[0] == 0x80 and head[2:14] == LEGACY_MAGIC


def read_exact(zf: zipfile.ZipFile, info: zipfile.ZipInfo, nbytes: int) -> np.ndarray:
    """A record's bytes, exactly `nbytes` of them (checked against the zip directory before this is called)."""
    buf = np.empty(nbytes, np.uint8)
    view, got = memoryview(buf), 0
    with zf.open(info) as fp:
        while got < nbytes:                        # zipfile checks the CRC once the last byte is read
            n = fp.readinto(view[got:])
            _check(n > 0, f"record {info.filename!r} ends after {got} of {nbytes} bytes")
            got += n
    return buf


def _overlaps(size: tuple, stride: tuple) -> bool:
    """Whether two elements may share memory (an expanded tensor): strides, sorted, must each pass the extent of
    the dimensions below them."""
    extent = 0
    for s, d in sorted((s, d) for d, s in zip(size, stride) if d > 1):
        if s <= extent:
            return True
        extent += (d - 1) * s
    return False


def load_zip(zf: zipfile.ZipFile, prefix: str, max_bytes: float) -> Any:
    """The object a torch.save zip holds. Every size is checked against `max_bytes` before the bytes are read."""
    members = {i.filename: i for i in zf.infolist()}
    _check(prefix + "constants.pkl" not in members, "it is a TorchScript archive (torch.jit.save), not a "
           "torch.save checkpoint: load it in PyTorch and torch.save its state_dict()")
    order = members.get(prefix + "byteorder")
    text = b"little" if order is None else bytes(read_exact(zf, order, order.file_size)) if order.file_size < 8 else b""
    _check(text in (b"little", b"big"), f"its byteorder record is {text[:8]!r}, expected b'little' or b'big'")
    endian = "<" if text == b"little" else ">"           # the storages' byte order (torch's default: little)
    info = members[prefix + "data.pkl"]
    used = [info.file_size]
    _check(info.file_size <= max_bytes, f"its data.pkl declares {info.file_size} bytes, more than max_bytes="
           f"{max_bytes}; pass a larger max_bytes (or None) only for a file you trust")
    arrays: dict[str, np.ndarray] = {}

    def spend(nbytes: int, what: str) -> None:
        used[0] += nbytes
        _check(used[0] <= max_bytes, f"its {what} bring the bytes it declares to {used[0]}, more than max_bytes="
               f"{max_bytes}; pass a larger max_bytes (or None) only for a file you trust")

    def storage(key: str, dtype: str, numel: int, location: str) -> np.ndarray:
        if key in arrays:
            arr = arrays[key]
            _check(arr.dtype == np.dtype(dtype) and arr.size == numel, f"storage {key!r} is named twice with "
                   f"different types or sizes ({arr.dtype}[{arr.size}] and {dtype}[{numel}])")
            return arr
        dt = np.dtype(dtype)
        rec = members.get(f"{prefix}data/{key}")
        _check(rec is not None, f"its pickle refers to storage {key!r}, which the archive does not hold")
        _check(rec.file_size == numel * dt.itemsize, f"storage {key!r} should hold {numel} {dt} values "
               f"({numel * dt.itemsize} bytes) but its record declares {rec.file_size} bytes")
        spend(rec.file_size, "storages")
        arr = read_exact(zf, rec, rec.file_size).view(dt.newbyteorder(endian))
        arrays[key] = arr if arr.dtype.isnative else arr.astype(dt)
        return arrays[key]

    def tensor(store: np.ndarray, offset: int, size: tuple, stride: tuple, dtype: np.dtype | None) -> Tensor:
        if dtype is not None and dtype != store.dtype:     # _rebuild_tensor_v3: a dtype over an untyped storage
            _check(store.dtype == np.uint8 and store.size % dtype.itemsize == 0, f"a {dtype} tensor lies on a "
                   f"storage of {store.size} {store.dtype} values")
            store = store.view(dtype.newbyteorder(endian))
        _check(min(size, default=0) >= 0 and min(stride, default=0) >= 0 and offset >= 0,
               f"a tensor has size {size}, stride {stride} and offset {offset}: expected non-negative numbers")
        if 0 in size:                                     # no elements: torch's strides, over no memory
            empty = np.zeros(0, store.dtype.newbyteorder("="))
            return Tensor._wrap(np.lib.stride_tricks.as_strided(empty, size, [s * empty.itemsize for s in stride]))
        last = offset + sum((d - 1) * s for d, s in zip(size, stride))
        _check(last < store.size, f"a tensor of size {size}, stride {stride} and offset {offset} reaches element "
               f"{last} of a storage of {store.size}")
        arr = np.lib.stride_tricks.as_strided(store[offset:], size, [s * store.itemsize for s in stride])
        if _overlaps(size, stride):                       # expanded: a copy, so in-place ops stay sound
            spend(math.prod(size) * store.itemsize, "expanded tensors")
            arr = arr.copy()
        return Tensor._wrap(arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("=")))

    return read(bytes(read_exact(zf, info, info.file_size)), storage, tensor)


class _Storages:
    """The storages of the tensors being saved: one per numpy buffer, so views of one array share one storage."""

    def __init__(self) -> None:
        self.owners: dict[int, tuple[str, np.ndarray, np.ndarray]] = {}   # id(buffer) -> key, buffer, its bytes

    def layout(self, arr: np.ndarray) -> tuple:
        dt = arr.dtype.newbyteorder("=")
        name, v3 = _STORAGE_OF.get(dt.name), None
        if name is None and dt.name in ("uint16", "uint32", "uint64"):
            name, v3 = "UntypedStorage", dt.name        # torch names these storages by bytes, the dtype apart
        if name is None:
            raise TypeError(f"nn.save: cannot save a tensor of dtype {dt} in PyTorch's format")
        arr = arr if arr.dtype.isnative else arr.astype(dt)
        owner = arr
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        offset = arr.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
        if not (arr.size and owner.dtype == dt and (owner.flags.c_contiguous or owner.flags.f_contiguous)
                and offset >= 0 and offset % dt.itemsize == 0 and all(s >= 0 and s % dt.itemsize == 0
                                                                      for s in arr.strides)):
            owner, offset = np.ascontiguousarray(arr), 0    # its own storage (a copy only if not contiguous)
        entry = self.owners.get(id(owner))
        if entry is None:
            entry = self.owners[id(owner)] = (str(len(self.owners)), owner, owner.ravel(order="K").view(np.uint8))
        numel = entry[2].size if v3 else owner.size
        return name, entry[0], numel, offset // dt.itemsize, arr.shape, [s // dt.itemsize for s in arr.strides], v3


def _write_record(zf: zipfile.ZipFile, at: int | None, name: str, data: Any) -> None:
    """One stored record, its data aligned as torch aligns it (padding in an 'FB' extra field, as torch's)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    if at is not None:
        pad = -(at + 30 + len(name.encode()) + 4) % _ALIGN
        info.extra = b"FB" + pad.to_bytes(2, "little") + b"Z" * pad
    zf.writestr(info, data, zipfile.ZIP_STORED)


def prepare(obj: Any, max_depth: int, byteorder_record: bool = True) -> Callable[[Any], None]:
    """Encode obj now (so a TypeError comes before any file is touched); the result writes the zip to a file."""
    storages = _Storages()
    pkl = Writer(storages.layout, max_depth).dump(obj)

    def write(fp: Any) -> None:
        try:
            start = fp.tell()
        except (AttributeError, OSError):
            start = None                               # a stream: no alignment
        records = [("data.pkl", pkl), (".format_version", b"1"), (".storage_alignment", str(_ALIGN).encode())]
        records += [("byteorder", sys.byteorder.encode())] if byteorder_record else []
        records += [(f"data/{key}", data) for key, _, data in storages.owners.values()]
        with zipfile.ZipFile(fp, "w", zipfile.ZIP_STORED) as zf:
            for name, data in [*records, ("version", b"3\n")]:
                _write_record(zf, None if start is None else fp.tell() - start, f"archive/{name}", data)
    return write

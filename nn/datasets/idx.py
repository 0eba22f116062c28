"""The IDX file format (MNIST's): a streaming reader that refuses truncated, corrupt or hostile files,
and the two errors the dataset loaders raise."""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np


class IDXError(ValueError):
    """An IDX file (or a pair of them) is truncated, corrupt or inconsistent; the message names the file."""


class DatasetNotFoundError(FileNotFoundError):
    """The dataset's files are in none of the places we looked; the message lists them and how to get them."""




# IDX type code -> big-endian numpy dtype (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT").
_IDX_DTYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
               0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


_DEFLATE_RATIO = 1032          # deflate's largest possible expansion: a header needing more is a lie or a bomb


def _open(path: Path) -> tuple[Any, int]:
    """(a binary stream of the IDX bytes, gunzipped when the content is gzip, and the most bytes it can hold)."""
    try:
        f = open(path, "rb")
    except IsADirectoryError:
        raise IDXError(f"{path}: expected an IDX file, found a directory") from None
    size = os.fstat(f.fileno()).st_size
    magic = f.read(2)
    f.seek(0)
    if path.suffix == ".gz" and magic != b"\x1f\x8b":
        f.close()
        found = magic.hex(" ") or "an empty file"
        raise IDXError(f"{path}: expected a gzip file (magic 1f 8b), found {found}")
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f, mode="rb"), size * _DEFLATE_RATIO
    return f, size


def _read(stream: Any, n: int, path: Path) -> bytes:
    """Up to n bytes (fewer at the end of the data)."""
    try:
        return stream.read(n)
    except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError; a cut-off stream is EOFError
        raise IDXError(f"{path}: corrupt or truncated gzip data ({e})") from None


def _read_header(stream: Any, path: Path) -> tuple[np.dtype, tuple[int, ...]]:
    magic = _read(stream, 4, path)
    if len(magic) < 4:
        raise IDXError(f"{path}: expected a 4-byte IDX magic number, found only {len(magic)} bytes")
    zero0, zero1, code, ndim = magic
    if zero0 != 0 or zero1 != 0:
        raise IDXError(f"{path}: bad magic number {magic.hex(' ')}: expected 00 00 <type> <ndim> "
                       "(is this an IDX file?)")
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise IDXError(f"{path}: unknown IDX type code 0x{code:02X}: expected one of {known}")
    dims = _read(stream, 4 * ndim, path)
    if len(dims) < 4 * ndim:
        raise IDXError(f"{path}: truncated header: expected {4 + 4 * ndim} bytes for {ndim} dimensions, "
                       f"found {4 + len(dims)}")
    return _IDX_DTYPES[code], tuple(int.from_bytes(dims[i:i + 4], "big") for i in range(0, 4 * ndim, 4))


_TAIL = 1 << 20                # extra bytes read past the payload to report them (never the whole bomb)


def read_idx(path: str | os.PathLike, expect: Any = None) -> np.ndarray:
    """Read one IDX file (gzipped or not) into a native-endian numpy array of its stored dtype and shape.

    Checked, because a half-downloaded or hostile file should say so: the magic (0x00 0x00 type ndim), the type
    code, the header, and the exact payload length. The header is checked before the payload is read (and
    `expect(dtype, shape)` may refuse it then), and at most the declared payload is inflated: a gzip bomb, or a
    header declaring more than the file can hold, is an IDXError, never gigabytes of memory.
    """
    path = Path(path)
    stream, capacity = _open(path)
    gz = isinstance(stream, gzip.GzipFile)
    with stream:
        dtype, shape = _read_header(stream, path)
        header = 4 + 4 * len(shape)
        need = math.prod(shape) * dtype.itemsize         # Python ints: no overflow, however large the dims
        what = f"shape {shape} of {dtype.name} needs {need} payload bytes"
        if expect is not None:
            expect(dtype, shape)
        if not gz and need != capacity - header:
            kind = "truncated" if need > capacity - header else "extra bytes after the data"
            raise IDXError(f"{path}: {kind}: {what}, found {capacity - header}")
        if gz and need > capacity:
            raise IDXError(f"{path}: truncated or corrupt: {what}, more than a {capacity // _DEFLATE_RATIO}-byte "
                           "gzip file can hold")
        payload = _read(stream, need, path)
        if len(payload) < need:
            raise IDXError(f"{path}: truncated: {what}, found {len(payload)}")
        tail = _read(stream, _TAIL, path)
    if tail:
        more = "more than " if len(tail) == _TAIL else ""
        raise IDXError(f"{path}: extra bytes after the data: {what}, found {more}{need + len(tail)}")
    return np.frombuffer(payload, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))

"""Where things are, as int64 tensors with no gradient: nonzero and argwhere, count_nonzero, the indices of a
triangle (tril_indices, triu_indices), and the insertion points of searchsorted and bucketize."""
from __future__ import annotations

import numpy as np

from ..dtypes import to_dtype
from ..errors import ArgumentError, ShapeError
from ..ops.reduce import _dims
from ..tensor import Tensor, as_tensor


def nonzero(input: Tensor, *, as_tuple: bool = False):  # noqa: A002
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, row-major order; as_tuple=True gives
    one 1-d tensor per dim (what x[mask] indexes with)."""
    a = as_tensor(input)._data
    if as_tuple:
        where = np.nonzero(a.reshape(-1) if a.ndim == 0 else a)
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in where)
    return Tensor._wrap(np.argwhere(a).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    return nonzero(input)


def count_nonzero(input: Tensor, dim=None) -> Tensor:  # noqa: A002
    """The number of non-zero elements (over dim: an int or a tuple of ints), int64."""
    x = as_tensor(input)
    dims = _dims(x, dim, None, "count_nonzero")
    return Tensor._wrap(np.asarray(np.count_nonzero(x._data, axis=dims), dtype=np.int64))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None) -> Tensor:
    """The (2, n) coordinates of the lower triangle (on and below `offset`) of a row x col matrix, by rows."""
    return _triangle("tril_indices", row, col, offset, dtype, lower=True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None) -> Tensor:
    """The (2, n) coordinates of the upper triangle (on and above `offset`) of a row x col matrix, by rows."""
    return _triangle("triu_indices", row, col, offset, dtype, lower=False)


def _triangle(what: str, row: int, col: int, offset: int, dtype, lower: bool) -> Tensor:
    if row < 0 or col < 0:
        raise ArgumentError(f"{what}: row and col must be non-negative, got {row} and {col}")
    keep = np.tri(row, col, offset, dtype=bool) if lower else ~np.tri(row, col, offset - 1, dtype=bool)
    dt = np.dtype(np.int64) if dtype is None else to_dtype(dtype)
    return Tensor._wrap(np.stack(np.nonzero(keep)).astype(dt).reshape(2, -1))


def searchsorted(sorted_sequence: Tensor, input, *,  # noqa: A002
                 out_int32: bool = False, right: bool = False, side: str | None = None, sorter=None) -> Tensor:
    """Where each value of `input` would go in the sorted last dim of `sorted_sequence` to keep it sorted:
    the first such place, or the last one with right=True (side='right'). A 1-d sequence serves every value;
    an N-d one has one row per row of input (the same leading dims)."""
    seq = as_tensor(sorted_sequence)._data
    if side not in (None, "left", "right"):
        raise ArgumentError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    if side == "left" and right:
        raise ArgumentError(f"searchsorted: side={side!r} and right={right} contradict each other")
    side = side or ("right" if right else "left")
    if sorter is not None:
        order = sorter._data if isinstance(sorter, Tensor) else np.asarray(sorter)
        if order.shape != seq.shape:
            raise ShapeError(f"searchsorted: sorter of shape {tuple(order.shape)} must have the sequence's "
                             f"shape {tuple(seq.shape)}")
        seq = np.take_along_axis(seq, order.astype(np.int64), -1)
    scalar = not isinstance(input, Tensor) and np.ndim(input) == 0
    vals = as_tensor(input)._data
    if seq.ndim == 0:
        raise ShapeError("searchsorted: the sorted sequence must have at least 1 dim, got a 0-d tensor")
    if seq.ndim == 1:
        out = np.searchsorted(seq, vals, side=side)
    else:
        if scalar or vals.shape[:-1] != seq.shape[:-1]:
            raise ShapeError(f"searchsorted: an N-d sorted sequence {tuple(seq.shape)} needs input with the "
                             f"same leading dims, got {tuple(vals.shape)}")
        rows_s, rows_v = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
        out = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(rows_s, rows_v)]).reshape(vals.shape)
    return Tensor._wrap(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False,  # noqa: A002
              right: bool = False) -> Tensor:
    """The bucket of each value among the sorted 1-d `boundaries`: i with boundaries[i-1] < v <= boundaries[i]
    (right=True: boundaries[i-1] <= v < boundaries[i])."""
    b = as_tensor(boundaries)
    if b.ndim != 1:
        raise ShapeError(f"bucketize: boundaries must be 1-d, got shape {tuple(b.shape)}")
    return searchsorted(b, input, out_int32=out_int32, right=right)

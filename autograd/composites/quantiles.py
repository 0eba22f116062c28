"""Order statistics and nan-skipping reductions: median (the lower median, with its index), quantile and
nanquantile (between the two sorted neighbours, by `interpolation`), nansum and nanmean. The values are picked
with take_along_dim, so each gradient goes back to the elements a value came from."""
from __future__ import annotations

import numpy as np

from ..errors import ArgumentError, DTypeError, ShapeError
from ..ops.arithmetic import where
from ..ops.reduce import _dims, values_indices
from ..tensor import Tensor, as_tensor
from .rearrange import take_along_dim
from .shape import stack
from .sorting import _check, sort

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def median(input: Tensor, dim: int | None = None, keepdim: bool = False):  # noqa: A002
    """The lower median (the ⌊(n-1)/2⌋-th smallest; nan if there is a nan). Without dim: of every element,
    a 0-d tensor; with dim: (values, indices), as max(dim). Of equal elements, the index is the first in
    sorted order, where PyTorch's may be another."""
    x = as_tensor(input)
    if dim is None:
        flat = x.reshape(-1)
        if not flat.numel():
            return Tensor._wrap(np.array(np.nan, x._data.dtype))
        return flat[int(_median_index(flat._data[None], 1)[0, 0])]
    d = _check(x, dim, "median")
    y = x.reshape(1) if not x.ndim else x
    if not y.shape[d]:
        raise IndexError(f"median: dim {d} of shape {tuple(x.shape)} is empty: no median")
    idx = _median_index(y._data, d)
    values = take_along_dim(y, idx, d)
    if not keepdim or not x.ndim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return values_indices(values.reshape(x.shape) if not x.ndim else values, Tensor._wrap(idx))


def _median_index(a: np.ndarray, d: int) -> np.ndarray:
    """int64 index, along d (kept, size 1), of the lower median; of the first nan where there is one."""
    k = (a.shape[d] - 1) // 2
    idx = np.take(np.argsort(a, axis=d, kind="stable"), [k], axis=d)
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        idx = np.where(nan.any(d, keepdims=True), np.argmax(nan, axis=d, keepdims=True), idx)
    return idx.astype(np.int64)


def quantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles (q a number or a 1-d tensor in [0, 1]) over dim (all elements by default): rank
    q·(n-1) among the sorted values, between its two neighbours by `interpolation`. A 1-d q adds a first
    dim. A nan among the values makes the quantile nan."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation)


def nanquantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Tensor:
    """quantile of the values that are not nan: rank q·(m-1) among the m of them (nan where m = 0)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation)


def _quantile(what: str, input, q, dim, keepdim: bool, interpolation: str) -> Tensor:  # noqa: A002
    x = as_tensor(input)
    if x.dtype.kind != "f":
        raise DTypeError(f"{what}: the input must be a float tensor, got {x.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise ArgumentError(f"{what}: interpolation must be one of {_INTERPOLATIONS}, got "
                            f"{interpolation!r}")
    qs = q._data if isinstance(q, Tensor) else np.asarray(q, dtype=np.float64)
    if isinstance(q, Tensor) and q.dtype != x.dtype:
        raise DTypeError(f"{what}: q's dtype {q.dtype} must be the input's {x.dtype}")
    if qs.ndim > 1:
        raise ShapeError(f"{what}: q must be a number or a 0-d or 1-d tensor, got shape {tuple(qs.shape)}")
    if ((qs < 0) | (qs > 1)).any():
        raise ArgumentError(f"{what}: q must be in [0, 1], got {qs.tolist()}")
    if dim is None:
        flat, d = x.reshape(-1), 0
    else:
        d = _check(x, dim, what)
        flat = x.reshape(1) if not x.ndim else x
    n = flat.shape[d]
    if not n:
        raise ShapeError(f"{what}: the input (shape {tuple(x.shape)}) must be non-empty along the reduced "
                         "dims")
    s = sort(flat, d).values.movedim(d, -1)                   # (..., n), nan last
    nans = np.isnan(s._data).sum(-1, keepdims=True)
    if what == "quantile":                                   # a nan anywhere: rank n-1, the last (a nan)
        outs = [_pick(s, np.where(nans > 0, n - 1, float(qi) * (n - 1)), interpolation)   # each (..., 1)
                for qi in qs.reshape(-1)]
    else:                                                    # among the m = n - nans first; none: a nan
        m = n - nans
        outs = [_pick(s, np.where(m == 0, n - 1, float(qi) * np.maximum(m - 1, 0)), interpolation)
                for qi in qs.reshape(-1)]
    if dim is None:
        outs = [o.reshape((1,) * x.ndim if keepdim else ()) for o in outs]
    elif x.ndim:
        outs = [o.movedim(-1, d) if keepdim else o.squeeze(-1) for o in outs]
    else:
        outs = [o.reshape(()) for o in outs]
    return outs[0] if qs.ndim == 0 else stack(outs, 0)


def _pick(s: Tensor, rank: np.ndarray, how: str) -> Tensor:
    """The value at `rank` (per row, shape (..., 1)) of the sorted rows s, interpolated as `how` says."""
    rank = np.broadcast_to(rank, s.shape[:-1] + (1,))
    if how in ("lower", "higher", "nearest"):
        rank = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}[how](rank)
        return take_along_dim(s, rank.astype(np.int64), -1)
    lo, hi = np.floor(rank).astype(np.int64), np.ceil(rank).astype(np.int64)
    below, above = take_along_dim(s, lo, -1), take_along_dim(s, hi, -1)
    w = np.full(rank.shape, 0.5) if how == "midpoint" else rank - lo
    return below + (above - below) * Tensor._wrap(w.astype(s._data.dtype))


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """sum, with nan counted as 0 (and given a zero gradient)."""
    x = as_tensor(input)
    if x.dtype.kind == "f":
        x = where(np.isnan(x._data), Tensor._wrap(np.zeros((), x._data.dtype)), x)
    return x.sum(_dims(x, dim, None, "nansum"), keepdim, dtype=dtype)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """The mean of the elements that are not nan (nan where all are)."""
    x = as_tensor(input) if dtype is None else as_tensor(input).to(dtype)
    if x.dtype.kind != "f":
        raise DTypeError(f"nanmean: expected a float tensor, got {x.dtype}")
    dims = _dims(x, dim, None, "nanmean")
    count = np.asarray(np.sum(~np.isnan(x._data), axis=dims, keepdims=keepdim), dtype=x._data.dtype)
    return nansum(x, dims, keepdim) / Tensor._wrap(count)

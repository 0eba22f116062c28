"""Reductions that return two things or pick one element: aminmax, std_mean, var_mean, mode, kthvalue,
nanmedian. Each index is found in numpy (indices have no gradient); each picked value comes through
take_along_dim, so its gradient goes back to the element it came from, as PyTorch's."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..errors import DTypeError, IndexRangeError
from ..ops.reduce import amax, amin
from ..tensor import Tensor, as_tensor
from .math import std, var
from .rearrange import take_along_dim
from .sorting import _check

aminmax_result = namedtuple("aminmax_result", ["min", "max"])                 # torch.return_types.aminmax
mode_result = namedtuple("mode_result", ["values", "indices"])                # torch.return_types.mode
kthvalue_result = namedtuple("kthvalue_result", ["values", "indices"])        # torch.return_types.kthvalue
nanmedian_result = namedtuple("nanmedian_result", ["values", "indices"])      # torch.return_types.nanmedian


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> aminmax_result:  # noqa: A002
    """(min, max) over dim (all elements by default), as amin and amax: ties share the gradient evenly."""
    x = as_tensor(input)
    if not x._data.size or (dim is not None and x.ndim and not x.shape[_check(x, dim, "aminmax")]):
        raise IndexRangeError(f"aminmax: cannot reduce over an empty dim (shape {tuple(x.shape)}): no identity")
    return aminmax_result(amin(x, dim, keepdim), amax(x, dim, keepdim))


def _two(what: str, fn, input, dim, unbiased, keepdim, correction) -> tuple[Tensor, Tensor]:  # noqa: A002
    x = as_tensor(input)
    if x.dtype.kind != "f":
        raise DTypeError(f"{what}: expected a floating tensor, got {x.dtype} (as PyTorch, only floating point "
                         "is supported)")
    if isinstance(dim, bool):                           # torch.std_mean(input, unbiased)
        dim, unbiased = None, dim
    return (fn(x, dim, unbiased, keepdim, correction=correction),
            x.mean(None if dim is None else dim, keepdim))


def std_mean(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,  # noqa: A002
             correction: float | None = None) -> tuple[Tensor, Tensor]:
    """(std, mean) over dim, the tuple torch.std_mean returns; unbiased/correction as std."""
    return _two("std_mean", std, input, dim, unbiased, keepdim, correction)


def var_mean(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,  # noqa: A002
             correction: float | None = None) -> tuple[Tensor, Tensor]:
    """(var, mean) over dim, the tuple torch.var_mean returns; unbiased/correction as var."""
    return _two("var_mean", var, input, dim, unbiased, keepdim, correction)


def _rows(x: Tensor, dim, what: str) -> tuple[Tensor, int]:
    """x with at least one dim, and dim checked; an empty dim has nothing to pick."""
    d = _check(x, dim, what)
    y = x.reshape(1) if not x.ndim else x
    if not y.shape[d]:
        raise IndexError(f"{what}: dim {d} of shape {tuple(x.shape)} is empty: nothing to pick")
    return y, d


def _picked(x: Tensor, y: Tensor, idx: np.ndarray, d: int, keepdim: bool, kind):
    """The values at idx (int64, dim d kept at size 1) of y, and idx, shaped as x's reduction."""
    values = take_along_dim(y, idx, d)
    if not x.ndim:
        return kind(values.reshape(()), Tensor._wrap(idx.reshape(())))
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return kind(values, Tensor._wrap(idx))


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> mode_result:  # noqa: A002
    """The most frequent value along dim (the smallest, among equally frequent ones) and the index of its last
    occurrence, as PyTorch's CPU kernel."""
    x = as_tensor(input)
    y, d = _rows(x, dim, "mode")
    a = np.moveaxis(y._data, d, -1)
    s = np.sort(a, axis=-1)
    n = s.shape[-1]
    pos = np.arange(n)
    new_run = np.concatenate([np.ones(s.shape[:-1] + (1,), bool), s[..., 1:] != s[..., :-1]], axis=-1)
    run_start = np.maximum.accumulate(np.where(new_run, pos, 0), axis=-1)
    best = np.argmax(pos - run_start, axis=-1)[..., None]     # the end of the first longest run: smallest value
    value = np.take_along_axis(s, best, -1)
    last = n - 1 - np.argmax(np.flip(a == value, -1), axis=-1)
    idx = np.moveaxis(last[..., None].astype(np.int64), -1, d)
    return _picked(x, y, idx, d, keepdim, mode_result)


def kthvalue(input: Tensor, k: int, dim: int | None = None, keepdim: bool = False) -> kthvalue_result:  # noqa: A002
    """The k-th smallest element along dim (the last by default; k from 1; nan counts as the largest) and its
    index."""
    x = as_tensor(input)
    y, d = _rows(x, -1 if dim is None else dim, "kthvalue")
    n = y.shape[d]
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise IndexRangeError(f"kthvalue: k={k!r} is out of range for dim {d} of size {n} (shape "
                              f"{tuple(x.shape)}); expected 1 <= k <= {n}")
    idx = np.take(np.argsort(y._data, axis=d, kind="stable"), [k - 1], axis=d).astype(np.int64)
    return _picked(x, y, idx, d, keepdim, kthvalue_result)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False):  # noqa: A002
    """median, ignoring nan: the lower median of the elements that are not nan (nan, index 0, where all are).
    Without dim a 0-d tensor; with dim (values, indices)."""
    x = as_tensor(input)
    if dim is None:
        flat = x.reshape(-1)
        if not flat.numel():
            return Tensor._wrap(np.array(np.nan, x._data.dtype))
        return flat[int(_nanmedian_index(flat._data[None], 1)[0, 0])]
    y, d = _rows(x, dim, "nanmedian")
    return _picked(x, y, _nanmedian_index(y._data, d), d, keepdim, nanmedian_result)


def _nanmedian_index(a: np.ndarray, d: int) -> np.ndarray:
    """int64 index along d (kept, size 1) of the lower median of the non-nan elements; 0 where all are nan."""
    order = np.argsort(a, axis=d, kind="stable")                 # nan last
    valid = (~np.isnan(a)).sum(axis=d, keepdims=True) if a.dtype.kind == "f" else np.full(
        a.shape[:d] + (1,) + a.shape[d + 1:], a.shape[d])
    k = np.maximum(valid - 1, 0) // 2
    idx = np.take_along_axis(order, k, axis=d)
    return np.where(valid == 0, 0, idx).astype(np.int64)


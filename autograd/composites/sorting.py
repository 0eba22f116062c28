"""sort, topk, argsort: the order is found in numpy (no gradient: indices are integers), the values are
picked with take_along_dim, whose backward sends each gradient back to the element it came from."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..errors import DTypeError, ShapeError
from ..tensor import Tensor, as_tensor
from .rearrange import take_along_dim

sort_result = namedtuple("sort_result", ["values", "indices"])     # torch.return_types.sort
topk_result = namedtuple("topk_result", ["values", "indices"])     # torch.return_types.topk


def _order(a: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable order along dim. Descending: sort the reversed array and reverse back, so equal elements keep
    their first-come order and NaN comes first, as PyTorch (sorting -a would do neither)."""
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    n = a.shape[dim]
    rev = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
    return np.flip(n - 1 - rev, dim)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """int64 indices that sort x along dim (always stable here, which PyTorch allows for stable=False)."""
    input = as_tensor(input)
    if input.ndim == 0:
        _check(input, dim, "argsort")
        return Tensor._wrap(np.zeros((), np.int64))
    order = _order(input._data, _check(input, dim, "argsort"), descending)
    return Tensor._wrap(order.astype(np.int64, copy=False))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> sort_result:
    """(values, indices) sorted along dim; the gradient of values goes back to where each came from."""
    input = as_tensor(input)
    if input.ndim == 0:
        _check(input, dim, "sort")
        return sort_result(input[()], Tensor._wrap(np.zeros((), np.int64)))
    d = _check(input, dim, "sort")
    idx = _order(input._data, d, descending).astype(np.int64, copy=False)
    return sort_result(take_along_dim(input, idx, d), Tensor._wrap(idx))


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> topk_result:  # noqa: A002
    """The k largest (or smallest) elements along dim and their indices, largest first (always sorted)."""
    input = as_tensor(input)
    d = _check(input, dim, "topk")
    if input.dtype == np.bool_:
        raise DTypeError(f"topk: bool tensors are not supported, as in PyTorch (shape {tuple(input.shape)}); "
                         f"convert first, e.g. x.int()")
    n = input.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise ShapeError(f"topk: k={k} is out of range for dim {dim} of size {n} "
                         f"(shape {tuple(input.shape)})")
    if input.ndim == 0:
        return topk_result(input[()], Tensor._wrap(np.zeros((), np.int64)))
    idx = np.take(_order(input._data, d, largest), np.arange(k), axis=d).astype(np.int64, copy=False)
    return topk_result(take_along_dim(input, idx, d), Tensor._wrap(idx))


def _check(x: Tensor, dim, what: str) -> int:
    n = x.ndim or 1
    if not isinstance(dim, (int, np.integer)) or not -n <= dim < n:
        raise IndexError(f"{what}: dim {dim!r} is out of range for a tensor of shape {tuple(x.shape)} "
                         f"(expected an int in [{-n}, {n - 1}])")
    return int(dim) % n

"""Indexing: getitem and add_at are a dual pair (each one's backward is the other), so gradients of
gradients never leave the op set. index_put is what `x[idx] = v` records when x is part of a graph."""
from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor, as_tensor


class GetItem(Op):
    """y = x[idx]       dx = zeros like x, with g added at idx (repeated indices accumulate)"""
    name = "getitem"
    def forward(self, x, idx):
        self.idx, self.in_shape = idx, x.shape
        return x[idx]

    def backward(self, g):
        return (add_at(g, self.idx, self.in_shape),)


class IndexAdd(Op):
    """y = zeros(shape); y[idx] += x       dx = g[idx]"""
    def forward(self, x, idx, shape):
        self.idx = idx
        y = np.zeros(shape, dtype=x.dtype)
        if _is_basic(idx):
            y[idx] = x                             # a slice never repeats an element: plain assignment
        elif isinstance(idx, np.ndarray) and idx.dtype.kind in "iu" and idx.size and x.size and len(shape):
            _add_rows(y, idx, x)                   # an embedding's gradient: rows picked by one index array
        else:
            np.add.at(y, idx, x)                   # integer arrays may repeat: unbuffered add accumulates
        return y

    def backward(self, g):
        return (g[self.idx],)


def _add_rows(y: np.ndarray, idx: np.ndarray, x: np.ndarray) -> None:
    """y[idx] += x, repeated indices accumulating, as np.add.at but several times faster: the rows sorted by
    index (stably, so each sum adds its terms in add.at's order) and summed per index by one reduceat."""
    n = len(y)
    flat = idx.reshape(-1)
    flat = np.where(flat < 0, flat + n, flat)
    rows = x.reshape(len(flat), -1)
    order = np.argsort(flat, kind="stable")
    keys = flat[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    y.reshape(n, -1)[keys[starts]] += np.add.reduceat(rows[order], starts, axis=0)


def add_at(x: Tensor, idx, shape: tuple) -> Tensor:
    """zeros(shape) with x added at idx (numpy's np.add.at): getitem's adjoint. torch.index_add is
    composites/indexing.py's."""
    return IndexAdd.apply(x, idx=idx, shape=tuple(shape))


class IndexPut(Op):
    """y = x with y[idx] = v       dx = g with g[idx] = 0,   dv = g[idx]"""
    def forward(self, x, v, idx):
        self.idx = idx
        y = x.copy()
        y[idx] = v
        return y

    def backward(self, g):
        dx = index_put(g, self.idx, 0.0) if self.needs_grad[0] else None
        return dx, (g[self.idx] if self.needs_grad[1] else None)


def index_put(x: Tensor, idx, value) -> Tensor:
    idx = normalize_index(idx)
    try:
        return IndexPut.apply(x, as_tensor(value, like=x), idx=idx)
    except (IndexError, ValueError) as e:
        raise IndexError(f"setitem: cannot assign to index {_show(idx)} of a tensor of shape "
                         f"{tuple(x.shape)}: {e}") from None


def getitem(x: Tensor, idx) -> Tensor:
    idx = normalize_index(idx)
    try:
        return GetItem.apply(x, idx=idx)
    except IndexError as e:
        raise IndexError(f"getitem: index {_show(idx)} is invalid for a tensor of shape {tuple(x.shape)}: "
                         f"{e}") from None


def normalize_index(idx):
    """Turn Tensors, lists and ranges inside an index into numpy arrays (what numpy indexing expects)."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    out = []
    for p in parts:
        if isinstance(p, Tensor):
            p = p._data
        elif isinstance(p, (list, range)):
            p = np.asarray(p)
        if isinstance(p, np.ndarray) and p.dtype.kind not in "biu":
            raise IndexError(f"getitem: tensors used as indices must be integer or bool, got {p.dtype}")
        out.append(p)
    return tuple(out) if isinstance(idx, tuple) else out[0]


def _is_basic(idx) -> bool:
    parts = idx if isinstance(idx, tuple) else (idx,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


def _show(idx) -> str:
    s = repr(idx)
    return s if len(s) < 80 else s[:77] + "..."

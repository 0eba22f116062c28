"""Running and differencing ops along one dim: diff, cummax, cummin, logcumsumexp. cummax's indices are found in
numpy and its values picked with take_along_dim; logcumsumexp is a logsumexp over each prefix, so its gradients
of every order come from logsumexp's."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..errors import ArgumentError, ShapeError
from ..ops.arithmetic import where
from ..ops.logic import ne
from ..ops.shape import cat
from ..tensor import Tensor, as_tensor
from .layout import narrow
from .math import logsumexp
from .rearrange import take_along_dim
from .sorting import _check

cummax_result = namedtuple("cummax_result", ["values", "indices"])     # torch.return_types.cummax
cummin_result = namedtuple("cummin_result", ["values", "indices"])     # torch.return_types.cummin


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:  # noqa: A002
    """The n-th forward difference along dim, x[i+1] - x[i] applied n times, after joining prepend and append
    (same number of dims) on either side (n = 0: input itself). Bool tensors differ by xor, as PyTorch."""
    x = as_tensor(input)
    if not x.ndim:
        raise ShapeError("diff: expects input to be at least one-dimensional, got a 0-d tensor")
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ArgumentError(f"diff: the order n must be a non-negative int, got {n!r}")
    d = _check(x, dim, "diff")
    if n == 0:
        return x                                             # PyTorch's too: n = 0 ignores prepend and append
    parts = [as_tensor(p, like=x) for p in (prepend, x, append) if p is not None]
    if any(p.ndim != x.ndim for p in parts):
        raise ShapeError(f"diff: prepend and append must have as many dims as input {tuple(x.shape)}, got "
                         f"shapes {[tuple(p.shape) for p in parts if p is not x]}")
    if len(parts) > 1:
        x = cat(parts, d)
    for _ in range(n):
        size = x.shape[d]
        if size == 0:
            break
        after, before = narrow(x, d, 1, size - 1), narrow(x, d, 0, size - 1)
        x = ne(after, before) if x.dtype == np.bool_ else after - before
    return x


def _running(what: str, input, dim, accumulate, kind):  # noqa: A002
    x = as_tensor(input)
    d = _check(x, dim, what)
    y = x.reshape(1) if not x.ndim else x
    a = y._data
    best = accumulate(a, axis=d)                             # nan propagates, as in PyTorch
    hit = a == best
    if a.dtype.kind == "f":
        hit |= np.isnan(a)                                   # a nan takes the lead (and a later nan again)
    pos = np.arange(a.shape[d]).reshape((-1,) + (1,) * (a.ndim - 1 - d))
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=d).astype(np.int64)   # ties: the later index
    values = take_along_dim(y, idx, d)
    if not x.ndim:
        return kind(values.reshape(()), Tensor._wrap(idx.reshape(())))
    return kind(values, Tensor._wrap(idx))


def cummax(input: Tensor, dim: int) -> cummax_result:  # noqa: A002
    """(values, indices): the running maximum along dim and where it was found (of equal values, the later)."""
    return _running("cummax", input, dim, np.maximum.accumulate, cummax_result)


def cummin(input: Tensor, dim: int) -> cummin_result:  # noqa: A002
    """(values, indices): the running minimum along dim and where it was found (of equal values, the later)."""
    return _running("cummin", input, dim, np.minimum.accumulate, cummin_result)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """yᵢ = log Σ_{j≤i} exp(xⱼ) along dim: a logsumexp over each prefix (an n x n mask along dim), so each
    prefix is shifted by its own max and no element underflows however far apart they are."""
    x = as_tensor(input)
    if x.dtype.kind != "f":
        raise NotImplementedError(f"logcumsumexp: not implemented for {x.dtype}; convert to a float dtype")
    d = _check(x, dim, "logcumsumexp")
    if not x.ndim:
        return x * 1
    n = x.shape[d]
    rows = x.movedim(d, -1).unsqueeze(-2).expand(*x.movedim(d, -1).shape[:-1], n, n)
    prefix = np.tril(np.ones((n, n), bool))                 # row i keeps the elements j <= i
    out = logsumexp(where(prefix, rows, Tensor._wrap(np.array(-np.inf, x._data.dtype))), -1)
    return out.movedim(-1, d)

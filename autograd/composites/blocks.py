"""Matrices assembled from pieces: diag and diag_embed (a vector added at the diagonal's positions of a zero
matrix, add_at, whose gradient picks the diagonal back), block_diag (padded rows, then a cat), and the grids
meshgrid and cartesian_prod (reshape and expand)."""
from __future__ import annotations

import numpy as np

from ..errors import ArgumentError, ShapeError
from ..ops.indexing import add_at
from ..ops.shape import cat, expand, pad, reshape
from ..tensor import Tensor, as_tensor
from .rearrange import diagonal
from .shape import stack


def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A 1-d tensor becomes a square matrix with it on diagonal `diagonal` (above the main one for > 0); a
    matrix gives its diagonal `diagonal` as a 1-d tensor."""
    x = as_tensor(input)
    if x.ndim == 1:
        return diag_embed(x, diagonal)
    if x.ndim == 2:
        return _diagonal(x, diagonal)
    raise ShapeError(f"diag: expected a 1-d or 2-d tensor, got shape {tuple(x.shape)}")


_diagonal = diagonal


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Each last-dim vector of input on diagonal `offset` of a zero matrix, whose two dims are placed at dim1
    and dim2 of the result (one more dim than input)."""
    x = as_tensor(input)
    if not x.ndim:
        raise ShapeError("diag_embed: expected a tensor with at least 1 dim, got a 0-d tensor")
    n = x.ndim + 1
    d1, d2 = (_out_dim(d, n, "diag_embed") for d in (dim1, dim2))
    if d1 == d2:
        raise ArgumentError(f"diag_embed: dim1 and dim2 cannot be the same dim, got {dim1} and {dim2}")
    k = x.shape[-1]
    m = k + abs(offset)
    rows = np.arange(k) + max(0, -offset)
    out = add_at(x, (..., rows, rows + offset), x.shape[:-1] + (m, m))
    rest = [d for d in range(n) if d not in (d1, d2)]     # out's dims: the batch dims, then the matrix's two
    order = [0] * n
    for i, d in enumerate(rest + [d1, d2]):
        order[d] = i
    return out.permute(*order)


def _out_dim(d: int, n: int, what: str) -> int:
    if not -n <= d < n:
        raise IndexError(f"{what}: dim {d} is out of range for a result with {n} dims "
                         f"(expected [{-n}, {n - 1}])")
    return d % n


def block_diag(*tensors) -> Tensor:
    """The tensors (0-d, 1-d as one row, or 2-d) as blocks on the diagonal of a zero matrix, in the dtype
    they promote to."""
    ts = [as_tensor(t) for t in tensors]
    for i, t in enumerate(ts):
        if t.ndim > 2:
            raise ShapeError(f"block_diag: tensor {i} has shape {tuple(t.shape)}; expected at most 2 dims")
    if not ts:
        return Tensor._wrap(np.zeros((1, 0), np.float32))
    floats = [t._data.dtype for t in ts if t.dtype.kind == "f"]     # PyTorch's rule: ints never widen a float
    dt = max(floats, key=lambda d: d.itemsize) if floats else np.result_type(*(t._data.dtype for t in ts))
    ts = [reshape(t if t.dtype == dt else t.to(dt), (1, -1) if t.ndim < 2 else t.shape) for t in ts]
    width = sum(t.shape[1] for t in ts)
    rows, left = [], 0
    for t in ts:
        rows.append(pad(t, (left, width - left - t.shape[1])))
        left += t.shape[1]
    return cat(rows, 0)


def meshgrid(*tensors, indexing: str | None = None) -> tuple[Tensor, ...]:
    """One tensor per input (0-d or 1-d), each expanded to the grid of all their sizes; indexing='ij' (the
    default, as PyTorch's) puts input i along dim i, 'xy' swaps the first two dims."""
    ts = [as_tensor(t) for t in (tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
                                 else tensors)]
    indexing = indexing or "ij"
    if indexing not in ("ij", "xy"):
        raise ArgumentError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if any(t.ndim > 1 for t in ts):
        raise ShapeError(f"meshgrid: expected 0-d or 1-d tensors, got shapes {[tuple(t.shape) for t in ts]}")
    order = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:
        order[0], order[1] = 1, 0
    sizes = [ts[i].numel() for i in order]
    out = []
    for i, t in enumerate(ts):
        at = order.index(i)
        out.append(expand(reshape(t, tuple(-1 if j == at else 1 for j in range(len(ts)))), tuple(sizes)))
    return tuple(out)


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of the 1-d tensors' elements, one per row (itertools.product's order); one tensor:
    itself."""
    ts = [as_tensor(t) for t in tensors]
    if any(t.ndim != 1 for t in ts):
        raise ShapeError(f"cartesian_prod: expected 1-d tensors, got shapes {[tuple(t.shape) for t in ts]}")
    if len(ts) == 1:
        return ts[0]
    return stack([g.reshape(-1) for g in meshgrid(*ts, indexing="ij")], 1)

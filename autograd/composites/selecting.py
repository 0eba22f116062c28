"""Picking and splitting along a dim, and broadcasting: select, tensor_split, broadcast_shapes,
broadcast_tensors, diagflat, scatter_reduce. All are made of indexing, expand and scatter_add, so their
gradients come from those."""
from __future__ import annotations

import numpy as np

from ..errors import ArgumentError, DTypeError, IndexRangeError, ShapeError
from ..ops.arithmetic import where
from ..ops.indexing import add_at
from ..size import Size
from ..tensor import Tensor, as_tensor
from .blocks import diag
from .rearrange import _scatter_args
from .sorting import _check

_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def select(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """input[..., index, ...] at dim: the slice with that dim removed (a view in PyTorch, a copy here)."""
    x = as_tensor(input)
    if not x.ndim:
        raise IndexError("select: cannot be applied to a 0-d tensor")
    d = _check(x, dim, "select")
    n = x.shape[d]
    if not -n <= index < n:
        raise IndexRangeError(f"select: index {index} is out of range for dim {d} of size {n} (shape "
                              f"{tuple(x.shape)})")
    return x[(slice(None),) * d + (int(index),)]


def tensor_split(input: Tensor, indices_or_sections=None, dim: int = 0, *,  # noqa: A002
                 sections: int | None = None, indices=None) -> tuple[Tensor, ...]:
    """Split into `sections` near-equal parts (the first size % sections one longer) or at the `indices`
    along dim, as numpy's array_split; an int, a list, or an int64 tensor (0-d: sections, 1-d: indices)."""
    x = as_tensor(input)
    given = [a for a in (indices_or_sections, sections, indices) if a is not None]
    if len(given) != 1:
        raise TypeError("tensor_split: give one of indices_or_sections, sections= or indices=")
    how = given[0]
    if isinstance(how, Tensor):
        if how.dtype != np.int64 or how.ndim > 1:
            raise DTypeError(f"tensor_split: a tensor indices_or_sections must be a 0-d or 1-d int64 tensor, "
                             f"got {how.dtype} of shape {tuple(how.shape)}")
        how = how.item() if how.ndim == 0 else how.tolist()
    if not x.ndim:
        raise ShapeError("tensor_split: expected at least a 1-dimensional tensor, got a 0-d one")
    d = _check(x, dim, "tensor_split")
    size = x.shape[d]
    if isinstance(how, (int, np.integer)) and not isinstance(how, bool):
        if how <= 0:
            raise ArgumentError(f"tensor_split: the number of sections must be larger than 0, got {how}")
        q, r = divmod(size, int(how))
        bounds = [i * q + min(i, r) for i in range(int(how) + 1)]
    elif isinstance(how, (list, tuple)) and all(isinstance(i, (int, np.integer)) for i in how):
        bounds = [0, *(int(i) for i in how), size]
    else:
        raise TypeError(f"tensor_split: expected an int (sections) or a sequence of ints (indices), got {how!r}")
    return tuple(x[(slice(None),) * d + (slice(a, b),)] for a, b in zip(bounds[:-1], bounds[1:]))


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of these shapes broadcast to (an int stands for a 1-d shape)."""
    try:
        return Size(np.broadcast_shapes(*((s,) if isinstance(s, (int, np.integer)) else tuple(s)
                                          for s in shapes)))
    except ValueError:
        raise ShapeError(f"broadcast_shapes: shapes {[tuple(s) if not isinstance(s, int) else s for s in shapes]} "
                         "do not broadcast (each dim must match or be 1)") from None


def broadcast_tensors(*tensors) -> tuple[Tensor, ...]:
    """The tensors expanded to their common shape (gradients sum back over the expanded dims)."""
    ts = [as_tensor(t) for t in tensors]
    try:
        shape = np.broadcast_shapes(*(t.shape for t in ts))
    except ValueError:
        raise ShapeError(f"broadcast_tensors: shapes {[tuple(t.shape) for t in ts]} do not broadcast") from None
    return tuple(t.expand(shape) for t in ts)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:  # noqa: A002
    """A square matrix with the flattened input on its diagonal (above it for offset > 0)."""
    return diag(as_tensor(input).reshape(-1), offset)


def scatter_reduce(input: Tensor, dim: int, index, src, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """input with the src values at index (as scatter) reduced into each position by `reduce`: 'sum',
    'mean' (integers: floor), 'amax' or 'amin' (ties share the gradient evenly, as PyTorch); include_self=False
    leaves input's own value out where something lands. 'prod' is not implemented."""
    if reduce not in _REDUCES:
        raise ArgumentError(f"scatter_reduce: reduce must be one of {_REDUCES}, got {reduce!r}")
    if reduce == "prod":
        raise NotImplementedError("scatter_reduce: reduce='prod' is not implemented in chainrule (it has 'sum', "
                                  "'mean', 'amax' and 'amin')")
    x, grid, part = _scatter_args("scatter_reduce", input, dim, index, as_tensor(src))
    count = np.zeros(x.shape, np.int64)
    np.add.at(count, grid, 1)
    hit = count > 0
    own = ~hit | bool(include_self)                          # where input's own value takes part
    zero = Tensor._wrap(np.zeros((), x._data.dtype))
    if reduce in ("sum", "mean"):
        total = where(own, x, zero) + add_at(part, grid, x.shape)
        if reduce == "sum":
            return total
        n = Tensor._wrap(np.maximum(count + own, 1).astype(x._data.dtype))
        return total // n if x.dtype.kind in "iub" else where(hit, total / n, x)
    best = np.where(own, x._data, np.inf if reduce == "amin" else -np.inf).astype(x._data.dtype) \
        if x.dtype.kind == "f" else x._data.copy()
    if x.dtype.kind != "f" and not include_self:
        info = np.iinfo(x._data.dtype)
        best[hit] = info.max if reduce == "amin" else info.min
    (np.minimum if reduce == "amin" else np.maximum).at(best, grid, part._data)
    if x.dtype.kind != "f":
        return Tensor._wrap(best)
    mine, theirs = own & (x._data == best), part._data == best[grid]
    ties = mine.astype(np.int64)
    np.add.at(ties, grid, theirs)
    summed = where(mine, x, zero) + add_at(where(theirs, part, zero), grid, x.shape)
    return summed / Tensor._wrap(np.maximum(ties, 1).astype(x._data.dtype))

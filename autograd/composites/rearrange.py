"""Rearranging composites, each a few primitives: take_along_dim and gather (an index), tril/triu and
masked_fill (a where), repeat (expand + reshape), scatter (an index_put), scatter_add (an add_at),
diagonal (a permute and an index), ravel (a reshape)."""
from __future__ import annotations

import numpy as np

from ..errors import DTypeError, IndexRangeError, ShapeError
from ..ops.arithmetic import add, where
from ..ops.indexing import add_at, index_put
from ..ops.rearrange import _dim_tuple
from ..ops.shape import expand, reshape
from ..tensor import Tensor, as_tensor


def take_along_dim(input: Tensor, indices, dim: int | None = None) -> Tensor:
    """x's elements at `indices` along `dim` (numpy's take_along_axis), differentiable through getitem.
    dim=None picks from the flattened x, as PyTorch."""
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if dim is None:
        return input.reshape(-1)[idx.reshape(-1)]
    if idx.ndim != input.ndim:
        raise ValueError(f"take_along_dim: indices of shape {tuple(idx.shape)} need as many dims as x "
                         f"{tuple(input.shape)}")
    grid = list(np.ix_(*[np.arange(n) for n in idx.shape]))
    grid[dim % input.ndim] = idx
    return input[tuple(grid)]


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (on and below `diagonal`), zeros elsewhere."""
    return _triangle(input, diagonal, lower=True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (on and above `diagonal`), zeros elsewhere."""
    return _triangle(input, diagonal, lower=False)


def _triangle(x: Tensor, k: int, lower: bool) -> Tensor:
    x = as_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"{'tril' if lower else 'triu'}: needs a tensor with at least 2 dims, got shape "
                         f"{tuple(x.shape)}")
    n, m = x.shape[-2:]
    keep = np.tri(n, m, k, dtype=bool) if lower else ~np.tri(n, m, k - 1, dtype=bool)
    return where(keep, x, Tensor._wrap(np.zeros((), x.dtype)))


def masked_fill(input: Tensor, mask, value) -> Tensor:
    """x with `value` where the bool `mask` is True, both broadcast to their common shape (x.masked_fill_ keeps
    x's). A 0-d tensor value gets a gradient."""
    input = as_tensor(input)
    mask = mask if isinstance(mask, Tensor) else Tensor._wrap(np.asarray(mask))
    if mask.dtype != np.bool_:
        raise DTypeError(f"masked_fill: mask must be a bool tensor, got {mask.dtype} "
                         "(compare first, e.g. x == 0)")
    try:                                               # as PyTorch's, the result takes the mask's dims too
        np.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise ShapeError(f"masked_fill: a mask of shape {tuple(mask.shape)} does not broadcast with the "
                         f"tensor's shape {tuple(input.shape)}") from None
    if isinstance(value, Tensor):
        if value.ndim:
            raise ShapeError("masked_fill: value must be a number or a 0-d tensor, got shape "
                             f"{tuple(value.shape)}")
        value = value if value.dtype == input.dtype else value.to(input.dtype)
    elif input.dtype.kind != "f":                      # PyTorch casts the value to input's dtype: ints stay
        value = Tensor._wrap(np.asarray(value).astype(input.dtype))
    return where(mask, value, input)


def repeat(input: Tensor, *sizes) -> Tensor:
    """Tile x `sizes[i]` times along each dim (PyTorch's repeat; numpy's tile). Extra sizes add leading
    dims."""
    input = as_tensor(input)
    sizes = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)) else sizes
    if len(sizes) < input.ndim:
        raise ValueError(f"repeat: {len(sizes)} repeat sizes {sizes} for a tensor with {input.ndim} dims "
                         f"(shape {tuple(input.shape)}); give at least one per dim")
    if any(r < 0 for r in sizes):
        raise ValueError(f"repeat: sizes must be non-negative, got {sizes}")
    shape = (1,) * (len(sizes) - input.ndim) + input.shape
    pairs = tuple(v for s in shape for v in (1, s))                   # (1, s0, 1, s1, ...)
    tiled = expand(reshape(input, pairs), tuple(v for r, s in zip(sizes, shape) for v in (r, s)))
    return reshape(tiled, tuple(r * s for r, s in zip(sizes, shape)))


def gather(input: Tensor, dim: int, index, *, sparse_grad: bool = False) -> Tensor:
    """out[i][j] = x[index[i][j]][j] for dim=0 (and so on): index has x's number of dims, and no dim larger
    than x's except along `dim`, as torch.gather."""
    input = as_tensor(input)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise DTypeError(f"gather: index must be an integer tensor, got {idx.dtype}")
    if idx.ndim != input.ndim:
        raise ShapeError(f"gather: index of shape {tuple(idx.shape)} needs as many dims as the input "
                         f"{tuple(input.shape)}")
    d = _dim_tuple(input, dim, "gather")[0] if input.ndim else 0
    if input.ndim == 0:
        return reshape(reshape(input, (1,))[np.reshape(idx, (1,))], ())
    if any(i > s for k, (i, s) in enumerate(zip(idx.shape, input.shape)) if k != d):
        raise ShapeError(f"gather: index of shape {tuple(idx.shape)} is larger than the input "
                         f"{tuple(input.shape)} outside dim {d}")
    if idx.size and (idx.min() < 0 or idx.max() >= input.shape[d]):
        raise IndexRangeError(f"gather: index values must be in [0, {input.shape[d] - 1}] for dim {d} of shape "
                         f"{tuple(input.shape)}, "
                         f"got min {idx.min()} and max {idx.max()}")
    grid = list(np.ix_(*[np.arange(n) for n in idx.shape]))
    grid[d] = idx
    return input[tuple(grid)]


def scatter(input, dim: int, index, src=None, value=None, *,  # noqa: A002
            reduce: str | None = None) -> Tensor:
    """input with out[index[i][j]][j] = src[i][j] for dim=0 (and so on), or = value, as torch.scatter
    (a number as the 4th argument is `value`). Gradients: input's where nothing was written, src's
    gathered."""
    if reduce is not None:
        if reduce != "add":
            raise ValueError(f"scatter: reduce={reduce!r} is not supported; chainrule has reduce='add' "
                             "(= scatter_add)")
        return scatter_add(input, dim, index, src)
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    x, grid, part = _scatter_args("scatter", input, dim, index, src if value is None else None)
    if value is None and part is None:
        raise TypeError("scatter: give src (a tensor) or value (a number)")
    return index_put(x, grid, part if part is not None else value)


def scatter_add(input, dim: int, index, src) -> Tensor:  # noqa: A002
    """input with src[i][j] added at out[index[i][j]][j] for dim=0 (repeats accumulate), as
    torch.scatter_add."""
    x, grid, part = _scatter_args("scatter_add", input, dim, index, as_tensor(src))
    return add(x, add_at(part, grid, x.shape))


def _scatter_args(what: str, input, dim, index, src):  # noqa: A002
    """(input, the index grid, the index-shaped corner of src), checked as PyTorch checks them."""
    x = as_tensor(input)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise DTypeError(f"{what}: index must be an integer tensor, got {idx.dtype}")
    if idx.ndim == 0 and x.ndim == 1:            # PyTorch reads a 0-d index (and src) of a 1-d input as 1-d
        idx, src = idx.reshape(1), (src.reshape(1) if src is not None and src.ndim == 0 else src)
    if idx.ndim != x.ndim:
        raise ShapeError(f"{what}: index of shape {tuple(idx.shape)} needs as many dims as the input "
                         f"{tuple(x.shape)}")
    d = _dim_tuple(x, dim, what)[0] if x.ndim else 0
    if any(i > s for k, (i, s) in enumerate(zip(idx.shape, x.shape)) if k != d):
        raise ShapeError(f"{what}: index of shape {tuple(idx.shape)} is larger than the input "
                         f"{tuple(x.shape)} outside dim {d}")
    if idx.size and (idx.min() < 0 or idx.max() >= (x.shape[d] if x.ndim else 1)):
        raise IndexRangeError(f"{what}: index values must be in [0, {(x.shape[d] if x.ndim else 1) - 1}] for "
                         f"dim {d} of shape {tuple(x.shape)}, got min {idx.min()} and max {idx.max()}")
    if src is not None:
        if src.ndim != idx.ndim or any(i > s for i, s in zip(idx.shape, src.shape)):
            raise ValueError(f"{what}: index of shape {tuple(idx.shape)} is larger than src "
                             f"{tuple(src.shape)}")
        if src.dtype != x.dtype:
            raise TypeError(f"{what}: src's dtype {src._data.dtype} must be the input's {x._data.dtype}")
        if src.shape != idx.shape:
            src = src[tuple(slice(0, n) for n in idx.shape)]
    grid = list(np.ix_(*[np.arange(n) for n in idx.shape]))
    if x.ndim:
        grid[d] = idx
    return x, tuple(grid), src


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes (above it for offset > 0), as the last dim, as
    torch.diagonal."""
    input = as_tensor(input)
    if input.ndim < 2:
        raise ValueError(f"diagonal: needs a tensor with at least 2 dims, got shape {tuple(input.shape)}")
    d1, d2 = _dim_tuple(input, (dim1, dim2), "diagonal")
    moved = input.permute(*[d for d in range(input.ndim) if d not in (d1, d2)], d1, d2)
    n, m = moved.shape[-2:]
    rows = np.arange(max(0, -offset), max(0, min(n, m - offset)))
    return moved[..., rows, rows + offset]


def ravel(input: Tensor) -> Tensor:
    return reshape(as_tensor(input), (-1,))

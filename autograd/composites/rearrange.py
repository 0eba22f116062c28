"""Rearranging composites, each a few primitives: take_along_dim and gather (an index), tril/triu and
masked_fill (a where), repeat (expand + reshape), scatter (an index_put), scatter_add (an index_add),
diagonal (a permute and an index), ravel (a reshape)."""
from __future__ import annotations

import numpy as np

from ..errors import DTypeError, ShapeError
from ..ops.arithmetic import add, where
from ..ops.indexing import index_add, index_put
from ..ops.rearrange import _dim_tuple
from ..ops.shape import expand, reshape
from ..tensor import Tensor, as_tensor


def take_along_dim(x: Tensor, indices, dim: int | None = None) -> Tensor:
    """x's elements at `indices` along `dim` (numpy's take_along_axis), differentiable through getitem.
    dim=None picks from the flattened x, as PyTorch."""
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if dim is None:
        return x.reshape(-1)[idx.reshape(-1)]
    if idx.ndim != x.ndim:
        raise ValueError(f"take_along_dim: indices of shape {tuple(idx.shape)} need as many dims as x "
                         f"{tuple(x.shape)}")
    grid = list(np.ix_(*[np.arange(n) for n in idx.shape]))
    grid[dim % x.ndim] = idx
    return x[tuple(grid)]


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (on and below `diagonal`), zeros elsewhere."""
    return _triangle(x, diagonal, lower=True)


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (on and above `diagonal`), zeros elsewhere."""
    return _triangle(x, diagonal, lower=False)


def _triangle(x: Tensor, k: int, lower: bool) -> Tensor:
    x = as_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"{'tril' if lower else 'triu'}: needs a tensor with at least 2 dims, got shape "
                         f"{tuple(x.shape)}")
    n, m = x.shape[-2:]
    keep = np.tri(n, m, k, dtype=bool) if lower else ~np.tri(n, m, k - 1, dtype=bool)
    return where(keep, x, Tensor._wrap(np.zeros((), x.dtype)))


def masked_fill(x: Tensor, mask, value) -> Tensor:
    """x with `value` where the bool `mask` (broadcast to x's shape) is True. A 0-d tensor value gets a
    gradient."""
    x = as_tensor(x)
    mask = mask if isinstance(mask, Tensor) else Tensor._wrap(np.asarray(mask))
    if mask.dtype != np.bool_:
        raise DTypeError(f"masked_fill: mask must be a bool tensor, got {mask.dtype} "
                         "(compare first, e.g. x == 0)")
    try:
        fits = np.broadcast_shapes(x.shape, mask.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"masked_fill: a mask of shape {tuple(mask.shape)} does not broadcast to the "
                         f"tensor's shape {tuple(x.shape)}")
    if isinstance(value, Tensor):
        if value.ndim:
            raise ShapeError("masked_fill: value must be a number or a 0-d tensor, got shape "
                             f"{tuple(value.shape)}")
        value = value if value.dtype == x.dtype else value.to(x.dtype)
    elif x.dtype.kind != "f":                          # PyTorch casts the value to x's dtype: ints stay ints
        value = Tensor._wrap(np.asarray(value).astype(x.dtype))
    return where(mask, value, x)


def repeat(x: Tensor, *sizes) -> Tensor:
    """Tile x `sizes[i]` times along each dim (PyTorch's repeat; numpy's tile). Extra sizes add leading
    dims."""
    x = as_tensor(x)
    sizes = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)) else sizes
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: {len(sizes)} repeat sizes {sizes} for a tensor with {x.ndim} dims "
                         f"(shape {tuple(x.shape)}); give at least one per dim")
    if any(r < 0 for r in sizes):
        raise ValueError(f"repeat: sizes must be non-negative, got {sizes}")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    pairs = tuple(v for s in shape for v in (1, s))                   # (1, s0, 1, s1, ...)
    tiled = expand(reshape(x, pairs), tuple(v for r, s in zip(sizes, shape) for v in (r, s)))
    return reshape(tiled, tuple(r * s for r, s in zip(sizes, shape)))


def gather(x: Tensor, dim: int, index, *, sparse_grad: bool = False) -> Tensor:
    """out[i][j] = x[index[i][j]][j] for dim=0 (and so on): index has x's number of dims, and no dim larger
    than x's except along `dim`, as torch.gather."""
    x = as_tensor(x)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor, got {idx.dtype}")
    if idx.ndim != x.ndim:
        raise ValueError(f"gather: index of shape {tuple(idx.shape)} needs as many dims as the input "
                         f"{tuple(x.shape)}")
    d = _dim_tuple(x, dim, "gather")[0] if x.ndim else 0
    if x.ndim == 0:
        return reshape(reshape(x, (1,))[np.reshape(idx, (1,))], ())
    if any(i > s for k, (i, s) in enumerate(zip(idx.shape, x.shape)) if k != d):
        raise ValueError(f"gather: index of shape {tuple(idx.shape)} is larger than the input "
                         f"{tuple(x.shape)} outside dim {d}")
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[d]):
        raise IndexError(f"gather: index values must be in [0, {x.shape[d] - 1}] for dim {d} of shape "
                         f"{tuple(x.shape)}, "
                         f"got min {idx.min()} and max {idx.max()}")
    grid = list(np.ix_(*[np.arange(n) for n in idx.shape]))
    grid[d] = idx
    return x[tuple(grid)]


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
    return add(x, index_add(part, grid, x.shape))


def _scatter_args(what: str, input, dim, index, src):  # noqa: A002
    """(input, the index grid, the index-shaped corner of src), checked as PyTorch checks them."""
    x = as_tensor(input)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{what}: index must be an integer tensor, got {idx.dtype}")
    if idx.ndim == 0 and x.ndim == 1:            # PyTorch reads a 0-d index (and src) of a 1-d input as 1-d
        idx, src = idx.reshape(1), (src.reshape(1) if src is not None and src.ndim == 0 else src)
    if idx.ndim != x.ndim:
        raise ValueError(f"{what}: index of shape {tuple(idx.shape)} needs as many dims as the input "
                         f"{tuple(x.shape)}")
    d = _dim_tuple(x, dim, what)[0] if x.ndim else 0
    if any(i > s for k, (i, s) in enumerate(zip(idx.shape, x.shape)) if k != d):
        raise ValueError(f"{what}: index of shape {tuple(idx.shape)} is larger than the input "
                         f"{tuple(x.shape)} outside dim {d}")
    if idx.size and (idx.min() < 0 or idx.max() >= (x.shape[d] if x.ndim else 1)):
        raise IndexError(f"{what}: index values must be in [0, {(x.shape[d] if x.ndim else 1) - 1}] for "
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


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes (above it for offset > 0), as the last dim, as
    torch.diagonal."""
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs a tensor with at least 2 dims, got shape {tuple(x.shape)}")
    d1, d2 = _dim_tuple(x, (dim1, dim2), "diagonal")
    moved = x.permute(*[d for d in range(x.ndim) if d not in (d1, d2)], d1, d2)
    n, m = moved.shape[-2:]
    rows = np.arange(max(0, -offset), max(0, min(n, m - offset)))
    return moved[..., rows, rows + offset]


def ravel(x: Tensor) -> Tensor:
    return reshape(as_tensor(x), (-1,))

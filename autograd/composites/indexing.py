"""PyTorch's indexing functions: index_select, take, masked_select (a getitem), index_fill (a masked_fill),
index_add, index_copy and masked_scatter (an index write after moving `dim` to the front). Their gradients,
of every order, are getitem's, add_at's and index_put's."""
from __future__ import annotations

import math

import numpy as np

from ..errors import ArgumentError, DTypeError, IndexRangeError, ShapeError
from ..ops.indexing import add_at, index_put
from ..tensor import Tensor, as_tensor
from .rearrange import masked_fill
from .shape import _check_dim


def _index(index, what: str, size: int, vector: bool = True) -> np.ndarray:
    """An integer index as an array, its values checked against `size`; a vector (or 0-d) if `vector`."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise DTypeError(f"{what}: expected an int32 or int64 index tensor, got {idx.dtype}")
    if vector and idx.ndim > 1:
        raise IndexError(f"{what}: the index must be a vector (0-d or 1-d), got shape {tuple(idx.shape)}")
    low = -size if what == "take" else 0          # take counts from the end, as PyTorch; the others do not
    if idx.size and (idx.min() < low or idx.max() >= size):
        raise IndexRangeError(f"{what}: index values must be in [{low}, {size - 1}], got min {idx.min()} and "
                              f"max {idx.max()}")
    return idx.reshape(-1) if vector else idx


def _dim_index(what: str, input, dim: int, index) -> tuple[Tensor, int, np.ndarray]:
    x = as_tensor(input)
    d = _check_dim(x.ndim, dim, what)
    return x, d, _index(index, what, x.shape[d] if x.ndim else 1)


def index_select(input: Tensor, dim: int, index) -> Tensor:  # noqa: A002
    """The slices of `input` at `index` (a vector of ints) along `dim`, in index order."""
    x, d, idx = _dim_index("index_select", input, dim, index)
    if x.ndim == 0:
        _one_index("index_select", idx)
        return x.reshape(1)[idx].reshape(())
    return x[(slice(None),) * d + (idx,)]


def take(input: Tensor, index) -> Tensor:  # noqa: A002
    """input's elements at `index` counted in the flattened input; the result has index's shape."""
    x = as_tensor(input)
    return x.reshape(-1)[_index(index, "take", x.numel(), vector=False)]


def masked_select(input: Tensor, mask) -> Tensor:  # noqa: A002
    """A 1-d tensor of input's elements where the bool `mask` is True (the two broadcast together)."""
    x, m = as_tensor(input), _mask(mask, "masked_select")
    shape = _broadcast("masked_select", x, m)
    return x.expand(shape)[np.broadcast_to(m, shape)]


def index_fill(input: Tensor, dim: int, index, value) -> Tensor:  # noqa: A002
    """input with `value` (a number or a 0-d tensor, which gets a gradient) in the slices at `index`."""
    x, d, idx = _dim_index("index_fill", input, dim, index)
    if isinstance(value, Tensor) and value.ndim:
        raise ShapeError(f"index_fill: only a 0-d value tensor is supported, got shape {tuple(value.shape)}")
    hit = np.zeros(x.shape[d] if x.ndim else 1, dtype=bool)
    hit[idx] = True
    return masked_fill(x, hit.reshape((-1,) + (1,) * (x.ndim - d - 1)) if x.ndim else hit.reshape(()), value)


def index_add(input: Tensor, dim: int, index, source, *, alpha=1) -> Tensor:  # noqa: A002
    """input with alpha·source's slices added at `index` along `dim` (repeated indices accumulate)."""
    x, d, src, idx = _index_source("index_add", input, dim, index, source)
    src = src if alpha == 1 else src * alpha
    if x.ndim == 0:
        return x + src
    return x + add_at(src.movedim(d, 0), idx, (x.shape[d],) + x.shape[:d] + x.shape[d + 1:]).movedim(0, d)


def index_copy(input: Tensor, dim: int, index, source) -> Tensor:  # noqa: A002
    """input with its slices at `index` along `dim` replaced by source's (with repeats, the last one written
    wins here; PyTorch leaves that unspecified)."""
    x, d, src, idx = _index_source("index_copy", input, dim, index, source)
    if x.ndim == 0:
        return index_put(x.reshape(1), idx, src.reshape(-1)).reshape(())
    return index_put(x.movedim(d, 0), idx, src.movedim(d, 0)).movedim(0, d)


def masked_scatter(input: Tensor, mask, source) -> Tensor:  # noqa: A002
    """input with source's first elements (in order) written where the bool mask is True."""
    x, m, src = as_tensor(input), _mask(mask, "masked_scatter"), as_tensor(source)
    if src.dtype != x.dtype:
        raise DTypeError(f"masked_scatter: source's dtype {src.dtype} must be the input's {x.dtype}")
    shape = _broadcast("masked_scatter", x, m)
    m = np.broadcast_to(m, shape)
    k = int(m.sum())
    if src.numel() < k:
        raise ShapeError(f"masked_scatter: the mask has {k} True elements but source (shape "
                         f"{tuple(src.shape)}) has only {src.numel()}")
    return index_put(x.expand(shape), m, src.reshape(-1)[:k])


def _index_source(what: str, input, dim, index, source):  # noqa: A002
    x, d, idx = _dim_index(what, input, dim, index)
    src = as_tensor(source)
    if src.dtype != x.dtype:
        raise DTypeError(f"{what}: source's dtype {src.dtype} must be the input's {x.dtype}")
    if not x.ndim:
        _one_index(what, idx)
    want = x.shape[:d] + (len(idx),) + x.shape[d + 1:] if x.ndim else ()
    scalar = what == "index_copy" and src.numel() == 1 and src.ndim <= 1 and math.prod(want) == 1
    if tuple(src.shape) != want and not scalar:          # PyTorch's index_copy: one element as 0-d or 1-d
        raise ShapeError(f"{what}: source of shape {tuple(src.shape)} must have the input's shape "
                         f"{tuple(x.shape)} with dim {d} of size {len(idx)} (the index's length): {want}")
    return x, d, src, idx


def _one_index(what: str, idx: np.ndarray) -> None:
    if idx.size != 1:
        raise ArgumentError(f"{what}: a 0-d input takes exactly one index, got {idx.size}")


def _mask(mask, what: str) -> np.ndarray:
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise DTypeError(f"{what}: expected a bool mask, got {m.dtype} (compare first, e.g. x > 0)")
    return m


def _broadcast(what: str, x: Tensor, m: np.ndarray) -> tuple:
    try:
        return np.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise ShapeError(f"{what}: a mask of shape {tuple(m.shape)} does not broadcast with the input's "
                         f"shape {tuple(x.shape)}") from None

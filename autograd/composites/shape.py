"""Shape composites: squeeze, unsqueeze, flatten (reshapes), stack (unsqueeze + cat), split and chunk
(slices), one_hot (a constant)."""
from __future__ import annotations

import math

import numpy as np

from ..errors import ArgumentError, ShapeError
from ..ops.shape import cat, reshape
from ..tensor import Tensor, as_tensor


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Remove dims of size 1 (all of them, or those named that have size 1, as PyTorch)."""
    if dim is None:
        return reshape(input, tuple(s for s in input.shape if s != 1))
    dims = {_check_dim(input.ndim, d, "squeeze") for d in ((dim,) if isinstance(dim, int) else dim)}
    return reshape(input, tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1)))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    n = input.ndim + 1
    if not -n <= dim < n:
        raise IndexError(f"unsqueeze: dim {dim} is out of range for a tensor of shape {tuple(input.shape)} "
                         f"(expected a dim in [{-n}, {n - 1}])")
    d = dim % n
    return reshape(input, input.shape[:d] + (1,) + input.shape[d:])


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if input.ndim == 0:
        _check_dim(0, start_dim, "flatten"), _check_dim(0, end_dim, "flatten")
        return reshape(input, (1,))
    s, e = _check_dim(input.ndim, start_dim, "flatten"), _check_dim(input.ndim, end_dim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape "
                         f"{tuple(input.shape)}")
    return reshape(input, input.shape[:s] + (math.prod(input.shape[s:e + 1]),) + input.shape[e + 1:])


def stack(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    dim = dim if axis is None else axis
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("stack: expected a non-empty list of tensors")
    if any(t.shape != ts[0].shape for t in ts):
        raise ShapeError(f"stack: all tensors must have the same shape, got {[tuple(t.shape) for t in ts]}")
    return cat([unsqueeze(t, dim) for t in ts], dim)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of `split_size` along dim (the last may be smaller), or of the listed sizes."""
    if tensor.ndim == 0:
        raise ValueError("split: cannot split a 0-d tensor (it has no dims)")
    n = tensor.shape[_check_dim(tensor.ndim, dim, "split")]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, n - i) for i in range(0, n, step)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ShapeError(f"split: sections {sizes} sum to {sum(sizes)}, but dim {dim} of shape "
                             f"{tuple(tensor.shape)} has {n}")
    lead = (slice(None),) * (dim % tensor.ndim)
    bounds = np.cumsum([0] + sizes)
    return tuple(tensor[lead + (slice(a, b),)] for a, b in zip(bounds[:-1], bounds[1:]))


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most `chunks` pieces of equal size (ceil(n / chunks)) along dim, as PyTorch."""
    if chunks <= 0:
        raise ArgumentError(f"chunk: chunks must be positive, got {chunks}")
    if input.ndim == 0:
        raise ValueError("chunk: cannot chunk a 0-d tensor (it has no dims)")
    n = input.shape[_check_dim(input.ndim, dim, "chunk")]
    return split(input, max(1, -(-n // chunks)), dim)


def one_hot(t, num_classes: int = -1) -> Tensor:
    """int64 one-hot vectors (a constant: class indices have no gradient)."""
    t = as_tensor(t)
    if t.dtype != np.int64:                     # PyTorch refuses int32 indices too: only a LongTensor
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor: got {t.dtype} "
                           f"indices of shape {tuple(t.shape)}; pass tensor.long()")
    if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool):
        raise TypeError(f"one_hot: num_classes must be an int, got {type(num_classes).__name__}")
    if num_classes <= 0 and not t._data.size:     # PyTorch: 0 classes for no indices is an error too
        raise RuntimeError(f"one_hot: cannot infer the number of classes from an empty tensor (shape "
                           f"{tuple(t.shape)}); pass num_classes > 0, got {num_classes}")
    n = int(t._data.max()) + 1 if num_classes == -1 else num_classes
    if n <= 0 and t._data.size:
        raise RuntimeError(f"one_hot: num_classes must be positive (or -1 to infer it), got {num_classes}")
    if t._data.size and (t._data.min() < 0 or t._data.max() >= n):
        raise RuntimeError(f"one_hot: class values must be in [0, {n - 1}], got min {t._data.min()} "
                           f"and max {t._data.max()}")
    return Tensor._wrap((t._data[..., None] == np.arange(n)).astype(np.int64))


def _check_dim(ndim: int, dim: int, what: str) -> int:
    """dim in [-ndim, ndim) (a 0-d tensor accepts 0 and -1, as PyTorch), as a non-negative index."""
    n = ndim or 1
    if not -n <= dim < n:
        raise IndexError(f"{what}: dim {dim} is out of range for a tensor with {ndim} dims "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return dim % n

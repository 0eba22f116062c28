"""Max pooling's indices: the *_with_indices forms (always a (values, indices) pair) and max_unpool1d/2d/3d, the
partial inverse that puts each value back at its flat index (into H·W; L in 1-D, D·H·W in 3-D) in a zero output. The
unpooling is a scatter, so its gradient is a gather of the output's gradient at the same indices."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.errors import ArgumentError, DTypeError, IndexRangeError, ShapeError
from autograd.tensor import as_tensor

from .pooling import adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d
from .pooling3d import max_pool3d


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                            dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return ag.ops.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                            dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return ag.ops.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                            dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,  # noqa: A002
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,  # noqa: A002
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any,  # noqa: A002
                                     return_indices: bool = False) -> tuple[Tensor, Tensor]:
    return adaptive_max_pool3d(input, output_size, True)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """PyTorch's F.max_unpool1d on (N, C, L) or (C, L): max_unpool2d of width 1, as PyTorch computes it."""
    k = _ints("max_unpool1d", "kernel_size", kernel_size, 1)
    s = k if stride is None else _ints("max_unpool1d", "stride", stride, 1)
    size = _output_size(as_tensor(input), k, s, _ints("max_unpool1d", "padding", padding, 1), output_size)
    out = _unpool("max_unpool1d", as_tensor(input).unsqueeze(-1), as_tensor(indices).unsqueeze(-1), (*size, 1))
    return out.squeeze(-1)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """PyTorch's F.max_unpool2d on (N, C, H, W) or (C, H, W): the output is (H−1)·stride − 2·padding + kernel
    per dim unless output_size (2 or 4 numbers) picks another size the pooling could have come from."""
    k = _ints("max_unpool2d", "kernel_size", kernel_size, 2)
    s = k if stride is None else _ints("max_unpool2d", "stride", stride, 2)
    size = _output_size(as_tensor(input), k, s, _ints("max_unpool2d", "padding", padding, 2), output_size)
    return _unpool("max_unpool2d", as_tensor(input), as_tensor(indices), size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """PyTorch's F.max_unpool3d on (N, C, D, H, W) or (C, D, H, W), indices into D·H·W; sizes as max_unpool2d."""
    k = _ints("max_unpool3d", "kernel_size", kernel_size, 3)
    s = k if stride is None else _ints("max_unpool3d", "stride", stride, 3)
    size = _output_size(as_tensor(input), k, s, _ints("max_unpool3d", "padding", padding, 3), output_size)
    return _unpool("max_unpool3d", as_tensor(input), as_tensor(indices), size)


def _ints(what: str, name: str, v: Any, n: int) -> tuple[int, ...]:
    t = (v,) * n if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != n or not all(isinstance(i, (int, np.integer)) for i in t):
        raise ArgumentError(f"{what}: {name} must be an int or {n} ints, got {v!r}")
    return tuple(int(i) for i in t)


def _output_size(x: Tensor, k: tuple, s: tuple, p: tuple, output_size: Any) -> tuple[int, ...]:
    """PyTorch's _unpool_output_size: the default size, or output_size checked against it (ValueError)."""
    n = len(k)
    default = [(x.shape[x.ndim - n + d] - 1) * s[d] + k[d] - 2 * p[d] for d in range(n)]
    if output_size is None:
        size = default
    else:
        size = list(output_size)[2:] if len(output_size) == n + 2 else list(output_size)
        if len(size) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it has "
                             f"a length of '{len(size)}'")
        for d in range(n):
            lo, hi = default[d] - s[d], default[d] + s[d]
            if not lo < size[d] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
    for d, m in enumerate(size):
        if m < 0:
            raise ValueError(f"max_unpooling: output_size must contain non-negative spatial dimensions, "
                             f"but got output_size[{d}]={m}")
    return tuple(int(m) for m in size)


def _unpool(what: str, x: Tensor, idx: Tensor, size: tuple[int, ...]) -> Tensor:
    nd = len(size)
    if x.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{what}: expected a {nd + 1}-D or {nd + 2}-D input, got shape {tuple(x.shape)}")
    if idx.dtype != ag.int64:
        raise DTypeError(f"{what}: indices must be int64 (max_pool's return_indices), got {idx.dtype}")
    if tuple(idx.shape) != tuple(x.shape):
        raise ShapeError(f"{what}: indices of shape {tuple(idx.shape)} must have the input's shape "
                         f"{tuple(x.shape)}")
    lead, cells = tuple(x.shape[:-nd]), math.prod(size)
    flat = idx._data.reshape(*lead, -1)
    bad = flat[(flat < 0) | (flat >= cells)]
    if bad.size:
        raise IndexRangeError(f"{what}: Found an invalid max index: {bad.flat[0]} (output volumes are of size "
                              f"{'x'.join(map(str, size))})")
    zeros = ag.zeros(*lead, cells, dtype=x.dtype)
    return zeros.scatter(-1, Tensor._wrap(flat), x.reshape(*lead, -1)).reshape(*lead, *size)

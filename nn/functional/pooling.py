"""Adaptive pooling beyond adaptive_avg_pool2d: adaptive_avg_pool1d, adaptive_max_pool1d/2d.

Output cell i pools input cells floor(i·n/o) .. ceil((i+1)·n/o) − 1 along each dim, as PyTorch. The max's
indices are found on the arrays (max is separable: rows first, then columns, the first maximum in row-major
order as PyTorch's scan keeps it); the values are then a gather of those indices, so the gradient reaches
each window's maximum (summed where windows share it) and has gradients of its own.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.errors import ArgumentError, ShapeError
from autograd.tensor import as_tensor


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """PyTorch's F.adaptive_avg_pool1d on (N, C, L) or (C, L): an adaptive_avg_pool2d of height 1."""
    x = _checked("adaptive_avg_pool1d", input, 1)
    size = _sizes("adaptive_avg_pool1d", output_size, x, 1)
    return ag.ops.adaptive_avg_pool2d(x.unsqueeze(-2), (1, size[0])).squeeze(-2)


def adaptive_max_pool1d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """PyTorch's F.adaptive_max_pool1d on (N, C, L) or (C, L); indices index L."""
    x = _checked("adaptive_max_pool1d", input, 1)
    return _adaptive_max(x, (1,) + _sizes("adaptive_max_pool1d", output_size, x, 1), return_indices, 1)


def adaptive_max_pool2d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """PyTorch's F.adaptive_max_pool2d on (N, C, H, W) or (C, H, W); indices index H·W (flat)."""
    x = _checked("adaptive_max_pool2d", input, 2)
    return _adaptive_max(x, _sizes("adaptive_max_pool2d", output_size, x, 2), return_indices, 2)


def _checked(what: str, input: Any, dims: int) -> Tensor:  # noqa: A002
    x = as_tensor(input)
    if x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{what}: expected a {dims + 1}-D or {dims + 2}-D input, got shape {tuple(x.shape)}")
    if any(n == 0 for n in x.shape[-dims:]):
        raise ShapeError(f"{what}: expected non-empty spatial dims, got input {tuple(x.shape)}")
    return x


def _sizes(what: str, output_size: Any, x: Tensor, dims: int) -> tuple[int, ...]:
    """output_size as `dims` ints; None (PyTorch's 'keep this dim') takes the input's size."""
    t = (output_size,) * dims if output_size is None or isinstance(output_size, (int, np.integer)) \
        else tuple(output_size)
    if len(t) != dims:
        raise ArgumentError(f"{what}: output_size must be an int or a tuple of {dims}, got {output_size!r}")
    out = tuple(x.shape[x.ndim - dims + i] if v is None else int(v) for i, v in enumerate(t))
    if min(out) < 0:
        raise ArgumentError(f"{what}: output_size must be non-negative, got {output_size!r}")
    return out


def _windows(n: int, o: int) -> list[tuple[int, int]]:
    return [((i * n) // o, -(-((i + 1) * n) // o)) for i in range(o)]


def _argmax(a: np.ndarray, axis: int, n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """Per window along `axis`: the max and the index of its first occurrence."""
    idx = np.stack([a.take(range(lo, hi), axis).argmax(axis) + lo for lo, hi in _windows(n, o)], axis)
    return np.take_along_axis(a, idx, axis), idx


def _adaptive_max(x: Tensor, out: tuple[int, int], return_indices: bool, dims: int):
    """Both dims' windows on a (N, C, H, W) view (H = 1 for 1-D): indices into H·W, then a gather."""
    nb, ch = (x.shape[0] if x.ndim == dims + 2 else 1), x.shape[-dims - 1]
    x4 = x.reshape(nb, ch, *(1,) * (2 - dims), *x.shape[-dims:])
    n, c, h, w = x4.shape
    if min(out) == 0:
        idx = np.zeros((n, c, *out), dtype=np.int64)
    else:
        rows, cols = _argmax(x4._data, 3, w, out[1])              # (N, C, H, OW): max over each row window
        _, ih = _argmax(rows, 2, h, out[0])                       # (N, C, OH, OW): which row wins
        idx = ih * w + np.take_along_axis(cols, ih, 2)
    y = x4.reshape(n, c, h * w).gather(2, ag.tensor(idx.reshape(n, c, -1)))
    shape = (*x.shape[:-dims], *out[2 - dims:])
    y, i = y.reshape(*shape), ag.tensor(idx.reshape(shape))
    return (y, i) if return_indices else y

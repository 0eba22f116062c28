"""Adaptive pooling beyond adaptive_avg_pool2d: adaptive_avg_pool1d/3d, adaptive_max_pool1d/2d/3d.

Output cell i pools input cells floor(i·n/o) .. ceil((i+1)·n/o) − 1 along each dim, as PyTorch. The max's
indices are found on the arrays (max is separable: the last dim first, then the one before..., the first maximum
in row-major order as PyTorch's scan keeps it); the values are then a gather of those indices, so the gradient reaches
each window's maximum (summed where windows share it) and has gradients of its own.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.composites.conv import _averaging_matrix
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
    return _adaptive_max(x, _sizes("adaptive_max_pool1d", output_size, x, 1), return_indices, 1)


def adaptive_max_pool2d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """PyTorch's F.adaptive_max_pool2d on (N, C, H, W) or (C, H, W); indices index H·W (flat)."""
    x = _checked("adaptive_max_pool2d", input, 2)
    return _adaptive_max(x, _sizes("adaptive_max_pool2d", output_size, x, 2), return_indices, 2)


def adaptive_max_pool3d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """PyTorch's F.adaptive_max_pool3d on (N, C, D, H, W) or (C, D, H, W); indices index D·H·W (flat)."""
    x = _checked("adaptive_max_pool3d", input, 3)
    return _adaptive_max(x, _sizes("adaptive_max_pool3d", output_size, x, 3), return_indices, 3)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """PyTorch's F.adaptive_avg_pool3d on (N, C, D, H, W) or (C, D, H, W): one averaging matrix per dim,
    P_d·(P_h·x·P_wᵀ) with the (H, W) cells flattened for the depth product."""
    x = _checked("adaptive_avg_pool3d", input, 3)
    (od, oh, ow), (d, h, w) = _sizes("adaptive_avg_pool3d", output_size, x, 3), x.shape[-3:]
    pd, ph, pw = (Tensor._wrap(_averaging_matrix(n, o, x._data.dtype)) for n, o in ((d, od), (h, oh), (w, ow)))
    y = ph @ x @ pw.mT                                                            # (..., D, OH, OW)
    return (pd @ y.reshape(*x.shape[:-3], d, oh * ow)).reshape(*x.shape[:-3], od, oh, ow)


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


def _adaptive_max(x: Tensor, out: tuple[int, ...], return_indices: bool, dims: int):
    """Each dim's windows, the last dim first, on the arrays: indices into the flat spatial cells, then a
    gather."""
    lead, size = tuple(x.shape[:-dims]), tuple(x.shape[-dims:])
    if min(out) == 0:
        idx = np.zeros(lead + out, dtype=np.int64)
    else:
        vals, picks = x._data, {}
        for ax in reversed(range(dims)):        # picks[ax]: (*lead, *size[:ax], *out[ax:]), the winner along ax
            vals, picks[ax] = _argmax(vals, len(lead) + ax, size[ax], out[ax])
        grid, coords = np.indices(lead + out, sparse=True), []
        for ax in range(dims):                  # the winning first coordinate, then the second within it...
            coords.append(picks[ax][(*grid[:len(lead)], *coords, *grid[len(lead) + ax:])])
        idx = np.ravel_multi_index(coords, size).astype(np.int64)
    cells, pooled = math.prod(size), math.prod(out)
    y = x.reshape(*lead, cells).gather(-1, ag.tensor(idx.reshape(*lead, pooled))).reshape(*lead, *out)
    return (y, ag.tensor(idx)) if return_indices else y

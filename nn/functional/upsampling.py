"""Resampling as functions: interpolate (nearest, nearest-exact, linear, bilinear, trilinear, area), its old
names upsample / upsample_nearest / upsample_bilinear, and the channel rearrangements pixel_shuffle,
pixel_unshuffle, channel_shuffle.

Each spatial dim is resampled in turn: nearest modes gather one source index per output position, the linear
modes blend two gathered neighbours with weights λ and 1 − λ. Gathers (index_select) and weighted sums are ops,
so gradients of every order come free. Source positions follow PyTorch's CPU kernels (nearest's scale in
float32, the linear modes' in the input's precision), so the outputs are PyTorch's.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.errors import ArgumentError, ShapeError
from autograd.tensor import as_tensor

from .pooling import adaptive_avg_pool3d

_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}       # mode -> the input's ndim it needs


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """PyTorch's F.interpolate over (N, C, *spatial) with 1 to 3 spatial dims."""
    x = x0 = as_tensor(input)
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("interpolate: align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    else:
        align_corners = bool(align_corners)
    dim = x.ndim - 2
    spatial = tuple(x.shape[2:])
    out, scales = _output_size(x, dim, size, scale_factor)
    if recompute_scale_factor and size is not None:
        raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and scales is not None or recompute_scale_factor:
        out, scales = [math.floor(n * s) for n, s in zip(spatial, scales)], None
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported in chainrule (resize without it, "
                                  "or blur first with avg_pool2d)")
    if mode in ("bicubic", "lanczos"):
        raise NotImplementedError(f"interpolate: mode={mode!r} is not supported in chainrule; use 'bilinear'")
    if mode not in ("nearest", "nearest-exact", "area") and mode not in _LINEAR or not 1 <= dim <= 3:
        raise NotImplementedError(f"interpolate: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for "
                                  f"the modes: nearest | linear | bilinear | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if mode in _LINEAR and x.ndim != _LINEAR[mode]:
        raise NotImplementedError(f"interpolate: Got {x.ndim}D input, but {mode} mode needs {_LINEAR[mode]}D input")
    if min(out) < 1 or min(spatial) < 1:
        raise ShapeError(f"interpolate: Input and output sizes should be greater than 0, but got input "
                         f"{spatial} output {tuple(out)}")
    if mode == "area":
        return _area(x, tuple(out))
    for axis, (n, o) in enumerate(zip(spatial, out), start=2):
        scale = None if scales is None else scales[axis - 2]
        if o == n and (mode != "nearest-exact" and mode not in _LINEAR or scale in (None, 1.0)):
            continue                     # the identity: no node (the linear modes' own scale may still shift)
        if mode in _LINEAR:
            i0, i1, lam = _linear_source(n, o, scale, align_corners, x.dtype)
            shape = (o,) + (1,) * (x.ndim - 1 - axis)
            lam = Tensor._wrap(lam.reshape(shape))
            x = ag.index_select(x, axis, i0) * (1 - lam) + ag.index_select(x, axis, i1) * lam
        else:
            x = ag.index_select(x, axis, _nearest_source(n, o, scale, mode == "nearest-exact"))
    return x.clone() if x is x0 else x            # a new tensor, as PyTorch's, even when nothing moved


def _output_size(x: Tensor, dim: int, size: Any, scale_factor: Any) -> tuple[list[int], list[float] | None]:
    """PyTorch's checks: exactly one of size and scale_factor, with one value per spatial dim (or one for all)."""
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f"interpolate: Input and output must have the same number of spatial dimensions, "
                                 f"but got input with spatial dimensions of {list(x.shape[2:])} and output size "
                                 f"of {size}")
            if not all(isinstance(v, (int, np.integer)) for v in size):
                raise TypeError(f"interpolate: expected size to be an int or a tuple of ints, got {size!r}")
            return [int(v) for v in size], None
        return [int(size)] * dim, None
    if scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            raise ValueError(f"interpolate: Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of {list(x.shape[2:])} and "
                             f"scale_factor of shape {scale_factor}")
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * dim
    return [math.floor(float(n) * s) for n, s in zip(x.shape[2:], scales)], scales


def _nearest_source(n: int, o: int, scale: float | None, exact: bool) -> np.ndarray:
    """PyTorch's nearest_idx / nearest_exact_idx: floor((i [+ 0.5])·scale) in float32, clamped to n − 1."""
    i = np.arange(o)
    if not exact and o == 2 * n:
        return i >> 1
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(n) / np.float32(o)
    pos = (i.astype(np.float32) + np.float32(0.5 if exact else 0.0)) * s
    return np.minimum(np.floor(pos).astype(np.int64), n - 1)


def _linear_source(n: int, o: int, scale: float | None, align_corners: bool, dtype) -> tuple:
    """The two neighbours and the weight λ of the second, per output position (area_pixel_compute_source_index
    and guard_index_and_lambda in PyTorch)."""
    ft = np.float32 if np.dtype(dtype) == np.float32 else np.float64     # PyTorch's opmath precision
    i = np.arange(o, dtype=ft)
    if align_corners:
        src = i * ft((n - 1) / (o - 1) if o > 1 else 0.0)
    else:
        s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n) / ft(o)
        src = np.maximum((i + ft(0.5)) * s - ft(0.5), ft(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    lam = np.clip(src - i0, 0, 1).astype(dtype)
    return i0, np.minimum(i0 + 1, n - 1), lam


def _area(x: Tensor, out: tuple[int, ...]) -> Tensor:
    """mode='area' is adaptive average pooling."""
    if len(out) == 1:
        return ag.ops.adaptive_avg_pool2d(x.unsqueeze(-2), (1, out[0])).squeeze(-2)
    if len(out) == 2:
        return ag.ops.adaptive_avg_pool2d(x, out)
    return adaptive_avg_pool3d(x, out)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
             align_corners: bool | None = None) -> Tensor:
    """PyTorch's deprecated F.upsample: interpolate."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """PyTorch's deprecated F.upsample_nearest: interpolate(mode='nearest')."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """PyTorch's deprecated F.upsample_bilinear: interpolate(mode='bilinear', align_corners=True)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    """(*, C·r², H, W) -> (*, C, H·r, W·r): sub-pixel convolution's rearrangement."""
    x, r = as_tensor(input), upscale_factor
    if x.ndim < 3:
        raise ShapeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got shape "
                         f"{tuple(x.shape)}")
    if not isinstance(r, (int, np.integer)) or r < 1:
        raise ArgumentError(f"pixel_shuffle expects a positive upscale_factor, but got {r!r}")
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise ShapeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                         f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r} "
                         f"(input {tuple(x.shape)})")
    k = len(lead)
    y = x.reshape(*lead, c // (r * r), r, r, h, w).permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    """(*, C, H·r, W·r) -> (*, C·r², H, W): pixel_shuffle's inverse."""
    x, r = as_tensor(input), downscale_factor
    if x.ndim < 3:
        raise ShapeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got shape "
                         f"{tuple(x.shape)}")
    if not isinstance(r, (int, np.integer)) or r < 1:
        raise ArgumentError(f"pixel_unshuffle expects a positive downscale_factor, but got {r!r}")
    *lead, c, h, w = x.shape
    if h % r or w % r:
        raise ShapeError(f"pixel_unshuffle expects height and width to be divisible by downscale_factor {r}, "
                         f"but got input {tuple(x.shape)}")
    k = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r).permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002
    """(N, g·m, *) -> (N, m·g, *): channel j of group i moves to position j·g + i (ShuffleNet)."""
    x = as_tensor(input)
    if x.ndim < 3:
        raise ShapeError(f"channel_shuffle expects input with > 2 dims, but got shape {tuple(x.shape)}")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ArgumentError(f"channel_shuffle: the number of groups must be positive, got {groups!r}")
    n, c, *rest = x.shape
    if c % groups:
        raise ShapeError(f"channel_shuffle: Number of channels must be divisible by groups. Got {c} channels "
                         f"and {groups} groups (input {tuple(x.shape)}).")
    return x.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)

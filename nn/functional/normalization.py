"""Normalizations beyond batch_norm and layer_norm, as composites of autograd's ops (their gradients of every
order come free): group_norm, instance_norm, rms_norm, local_response_norm, and normalize (unit-norm vectors)."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor, no_grad
from autograd.tensor import as_tensor


def _per_channel(what: str, name: str, t: Tensor | None, c: int, x: Tensor) -> None:
    if t is not None and tuple(t.shape) != (c,):
        raise RuntimeError(f"{what}: {name} has shape {tuple(t.shape)}, but the input {tuple(x.shape)} has {c} "
                           f"channels (dim 1): expected ({c},)")


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """y·weight + bias, both per channel (dim 1)."""
    shape = (1, -1) + (1,) * (y.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    return y if bias is None else y + bias.reshape(shape)


def _standardize(x: Tensor, dims: tuple[int, ...], eps: float) -> Tensor:
    """(x − mean)/√(biased var + eps) over `dims`."""
    centred = x - x.mean(dims, keepdim=True)
    return centred * ((centred * centred).mean(dims, keepdim=True) + eps) ** -0.5


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise each sample's channels in num_groups groups (Wu & He, 2018), then scale and shift per channel."""
    x = as_tensor(input)
    if x.ndim < 2:
        raise RuntimeError(f"group_norm: expected an input of shape (N, C, *) with at least 2 dims, got "
                           f"{tuple(x.shape)}")
    n, c = x.shape[0], x.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"group_norm: expected the number of channels of an input of shape {tuple(x.shape)} "
                           f"({c}) to be divisible by num_groups, but got num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        _per_channel("group_norm", name, t, c, x)
    y = _standardize(x.reshape(n, num_groups, -1), (2,), eps).reshape(tuple(x.shape))
    return _affine(y, weight, bias)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each sample's channels over their own spatial dims (Ulyanov et al., 2016). With use_input_stats
    the running statistics (if given) move toward the batch's mean of per-instance means and unbiased
    variances, as PyTorch; without, the running statistics normalise."""
    x = as_tensor(input)
    if x.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of shape (N, C, *) with at least 3 dims, got "
                         f"{tuple(x.shape)}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        _per_channel("instance_norm", name, t, c, x)
    dims = tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * len(dims)
    if use_input_stats:
        y = _standardize(x, dims, eps)
        m = int(np.prod([x.shape[d] for d in dims]))
        with no_grad():
            d = x.detach()
            if running_mean is not None:
                mean = d.mean(dims).mean(0)
                running_mean.mul_(1 - momentum).add_(mean, alpha=momentum)
            if running_var is not None:
                var = d.var(dims, correction=1 if m > 1 else 0).mean(0)
                running_var.mul_(1 - momentum).add_(var, alpha=momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("instance_norm: Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        y = (x - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps) ** -0.5
    return _affine(y, weight, bias)


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """x / √(mean(x²) + eps) over the last dims (Zhang & Sennrich, 2019), times weight. eps=None: the
    dtype's machine epsilon, as PyTorch."""
    x = as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise RuntimeError(f"rms_norm: input of shape {tuple(x.shape)} does not end with normalized_shape "
                           f"{shape}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"rms_norm: weight has shape {tuple(weight.shape)}, expected normalized_shape {shape}")
    e = float(np.finfo(x.dtype).eps) if eps is None else eps
    dims = tuple(range(x.ndim - k, x.ndim))
    y = x * ag.rsqrt((x * x).mean(dims, keepdim=True) + e)
    return y if weight is None else y * weight


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """x / (k + alpha·mean of x² over `size` neighbouring channels)^beta (Krizhevsky et al., 2012); the
    window is zero-padded at the edges and always divided by `size`, as PyTorch."""
    x = as_tensor(input)
    if x.ndim < 3:
        raise ValueError(f"local_response_norm: expected 3D or higher dimensionality input (got {x.ndim} "
                         f"dimensions, shape {tuple(x.shape)})")
    if x.numel() == 0:
        return x
    c = x.shape[1]
    sq = (x * x).movedim(1, -1)                           # channels last: pad's widths start at the last dim
    padded = ag.ops.pad(sq, (size // 2, (size - 1) // 2))
    window = padded[..., 0:c]
    for j in range(1, size):
        window = window + padded[..., j:j + c]
    div = (window.movedim(-1, 1) / size * alpha + k) ** beta
    return x / div


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:
    """x / max(‖x‖_p, eps) along dim: unit vectors, with zero vectors left at zero."""
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    x = as_tensor(input)
    norm = ag.vector_norm(x, p, dim=dim, keepdim=True)
    return x / ag.clamp_min(norm, eps)

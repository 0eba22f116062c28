"""Normalization within each sample over groups of channels: GroupNorm (Wu & He, 2018), and InstanceNorm1d/2d/3d,
its case of one channel per group over the spatial dims (Ulyanov et al., 2016). InstanceNorm keeps BatchNorm's
buffers when track_running_stats=True, under PyTorch's names, so state_dicts load across."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.dtypes import get_default_dtype, to_dtype

from . import functional as F
from . import init
from .module import Module, Parameter
from .norm import _NormBase


def _affine_parameters(m: Module, n: int, affine: bool, bias: bool, dtype: Any) -> None:
    dt = get_default_dtype() if dtype is None else to_dtype(dtype)
    if affine:
        m.weight = Parameter(np.ones(n, dtype=dt))
        m.register_parameter("bias", Parameter(np.zeros(n, dtype=dt)) if bias else None)
    else:
        m.register_parameter("weight", None)
        m.register_parameter("bias", None)


class GroupNorm(Module):
    """Normalise each sample's channels in num_groups groups (mean and biased variance over the group's
    channels and positions), then scale and shift per channel."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _affine_parameters(self, num_channels, affine, bias, dtype)

    def reset_parameters(self) -> None:
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_NormBase):
    """What InstanceNorm1d/2d/3d share; `_rank` is the rank of a batched input (one less: unbatched)."""

    _rank = 0

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, num_features, affine, bias, dtype)
        self._running_stats(num_features, track_running_stats,
                            get_default_dtype() if dtype is None else to_dtype(dtype))

    def forward(self, input: Tensor) -> Tensor:
        r = self._rank
        if input.ndim not in (r - 1, r):
            raise ValueError(f"expected {r - 1}D or {r}D input (got {input.ndim}D input)")
        feature_dim = input.ndim - (r - 1)
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        x = input.unsqueeze(0) if input.ndim == r - 1 else input
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            self.momentum if self.momentum is not None else 0.0, self.eps)
        return y.squeeze(0) if input.ndim == r - 1 else y

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or (C, L) inputs."""

    _rank = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or (C, H, W) inputs."""

    _rank = 4


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of (N, C, D, H, W) or (C, D, H, W) inputs."""

    _rank = 5

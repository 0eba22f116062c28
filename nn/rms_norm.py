"""Normalization by a root of the mean square, without centring: RMSNorm over each sample's last dims (Zhang &
Sennrich, 2019; in most recent language models) and LocalResponseNorm across neighbouring channels (AlexNet)."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor
from autograd.dtypes import get_default_dtype, to_dtype

from . import functional as F
from . import init
from .module import Module, Parameter


class RMSNorm(Module):
    """x / √(mean(x²) + eps) over the last len(normalized_shape) dims, times a learned weight (ones at first).
    eps=None uses the input dtype's machine epsilon, as PyTorch."""

    def __init__(self, normalized_shape: Any, eps: float | None = None, elementwise_affine: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        self.normalized_shape, self.eps = tuple(int(s) for s in shape), eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            dt = get_default_dtype() if dtype is None else to_dtype(dtype)
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """x / (k + alpha·mean of x² over `size` neighbouring channels)^beta."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"

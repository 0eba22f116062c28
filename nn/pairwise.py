"""Layers of two inputs: CosineSimilarity, PairwiseDistance and Bilinear (y = x₁ᵀ A x₂ + b)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.dtypes import get_default_dtype, to_dtype

from . import functional as F
from . import init
from .module import Module, Parameter


class CosineSimilarity(Module):
    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class Bilinear(Module):
    """y = x₁ᵀ A x₂ + b with weight A of shape (out_features, in1_features, in2_features), weight and bias
    initialised as PyTorch: uniform on (−1/√in1_features, 1/√in1_features)."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features), dtype=dt))
        self.register_parameter("bias", Parameter(np.empty(out_features, dtype=dt)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")

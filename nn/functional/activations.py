"""Activations as functions (relu, gelu, softmax, ...): each one op of autograd, under PyTorch's signature."""
from __future__ import annotations

from typing import Any

import autograd as ag
from autograd import Tensor


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return ag.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return ag.leaky_relu(input, negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    return ag.gelu(input, approximate)


def sigmoid(input: Tensor) -> Tensor:
    return ag.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return ag.tanh(input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return input * ag.sigmoid(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return ag.softplus(input, beta, threshold)


def _softmax_dim(input: Tensor, dim: int | None) -> int:
    return dim if dim is not None else (0 if input.ndim in (0, 1, 3) else 1)   # PyTorch's legacy implicit dim


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    x = input if dtype is None else input.to(dtype)
    return ag.softmax(x, _softmax_dim(x, dim))


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    x = input if dtype is None else input.to(dtype)
    return ag.log_softmax(x, _softmax_dim(x, dim))

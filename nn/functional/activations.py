"""Activations as functions (relu, gelu, softmax, elu, ...): each one op or composite of autograd, under PyTorch's
signature. `inplace=True` is accepted and computes out of place: the result is the same tensor values."""
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
    return ag.ops.silu(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    return ag.ops.mish(input)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return ag.ops.elu(input, alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    return ag.selu(input)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return ag.celu(input, alpha)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    return ag.ops.hardtanh(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return ag.ops.relu6(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    return ag.ops.hardswish(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    return ag.ops.hardsigmoid(input)


def softsign(input: Tensor) -> Tensor:
    return ag.ops.softsign(input)


def tanhshrink(input: Tensor) -> Tensor:
    return ag.ops.tanhshrink(input)


def logsigmoid(input: Tensor) -> Tensor:
    return ag.ops.logsigmoid(input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    return ag.ops.glu(input, dim)


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

"""Activations as functions (relu, gelu, softmax, elu, ...): each one op or composite of autograd, under PyTorch's
signature. `inplace=True` is accepted and computes out of place: the result is the same tensor values."""
from __future__ import annotations

from typing import Any

import numpy as np

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


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """softmax(-x): weights favouring the smallest entries."""
    x = input if dtype is None else input.to(dtype)
    return ag.softmax(-x, _softmax_dim(x, dim))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight·x, with one learned slope per channel (dim 1) or one for all."""
    x = ag.as_tensor(input)
    n = weight.numel()
    if weight.ndim > 1 or (n != 1 and (x.ndim < 2 or x.shape[1] != n)):
        channels = x.shape[1] if x.ndim >= 2 else 1
        raise RuntimeError(f"prelu: mismatch of parameter numbers and input channel size: weight of shape "
                           f"{tuple(weight.shape)} ({n} values) for an input of shape {tuple(x.shape)} "
                           f"({channels} channels); expected 1 or {channels}")
    w = weight.reshape((n,) + (1,) * (x.ndim - 2)) if n > 1 else weight.reshape(())
    return ag.where(x > 0, x, w * x)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU (Xu et al., 2015): while training each negative element gets its own slope drawn
    from U(lower, upper) (the default generator's stream); otherwise the mean slope (lower + upper)/2."""
    x = ag.as_tensor(input)
    if not training:
        return ag.leaky_relu(x, (lower + upper) / 2)
    from autograd.random import generator
    slope = generator().uniform(lower, upper, size=tuple(x.shape)).astype(x.dtype)
    return ag.where(x >= 0, x, x * Tensor._wrap(slope))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    x = ag.as_tensor(input)
    return ag.where(x > threshold, x, ag.full_like(x, value))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    x = ag.as_tensor(input)
    return ag.where((x > lambd) | (x < -lambd), x, ag.zeros_like(x))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x − lambd above lambd, x + lambd below −lambd, 0 between: the proximal step of the L1 norm."""
    x = ag.as_tensor(input)
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}.")
    return ag.where(x > lambd, x - lambd, ag.where(x < -lambd, x + lambd, ag.zeros_like(x)))


# In-place forms (F.relu_ ...): x = op(x) through Tensor._become, which records the change out of place when a
# gradient is needed (and refuses a leaf that requires grad, as PyTorch does).
def relu_(input: Tensor) -> Tensor:
    return input._become(ag.relu, "relu_")


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return input._become(ag.ops.elu, "elu_", alpha)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return input._become(ag.leaky_relu, "leaky_relu_", negative_slope)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return input._become(ag.ops.hardtanh, "hardtanh_", min_val, max_val)


def selu_(input: Tensor) -> Tensor:
    return input._become(ag.selu, "selu_")


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return input._become(ag.celu, "celu_", alpha)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    return input._become(rrelu, "rrelu_", lower, upper, training)


_threshold = threshold   # threshold_'s argument shadows the function


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return input._become(_threshold, "threshold_", threshold, value)



def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """softmax((logits + g)/tau) with g ~ Gumbel(0, 1) drawn from the default generator: a differentiable sample
    of a categorical. hard=True returns the one-hot of its argmax with the soft sample's gradient
    (straight-through: y_hard − y_soft.detach() + y_soft)."""
    if eps != 1e-10:
        import warnings
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    x = ag.as_tensor(logits)
    from autograd.random import generator
    gumbels = -np.log(generator().standard_exponential(size=tuple(x.shape)))
    y_soft = ag.softmax((x + Tensor._wrap(gumbels.astype(x._data.dtype))) / tau, dim)
    if not hard:
        return y_soft
    d = dim % max(x.ndim, 1)
    hot = np.arange(x.shape[d]).reshape((-1,) + (1,) * (x.ndim - d - 1)) == y_soft._data.argmax(d, keepdims=True)
    return Tensor._wrap(hot.astype(x._data.dtype)) - y_soft.detach() + y_soft

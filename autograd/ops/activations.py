"""The activations: sigmoid, softplus, gelu, relu (and relu's gradient as an op, so that it has a gradient
too). Each backward reuses the forward's result (`self.out`) where that is cheaper and still
differentiable."""
from __future__ import annotations

import math

import numpy as np

from ..erf32 import gelu32
from ..errors import ArgumentError
from ..grad_mode import is_grad_enabled
from ..op import Op
from ..tensor import Tensor, as_tensor
from .arithmetic import where
from .unary import _erf, _floating, erf, tanh


class Sigmoid(Op):
    """y = 1 / (1 + e^-x)      dx = g * y * (1 - y)"""
    def forward(self, x):
        e = np.exp(-np.abs(x))                     # stable for large |x|: never exp of a big positive number
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def backward(self, g):
        y = self.out
        return (g * y * (1 - y),)


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(_floating(input))


class Softplus(Op):
    """y = log(1 + e^(βx))/β, y = x where βx > threshold      dx = g·σ(βx), dx = g where βx > threshold"""
    def forward(self, x, beta, threshold):
        self.beta, self.threshold = beta, threshold
        bx = x * beta
        return np.where(bx > threshold, x, _softplus(bx) / beta).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0]
        return (where(x._data * self.beta > self.threshold, g, g * (x * self.beta).sigmoid()),)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """PyTorch's F.softplus: a smooth relu, linear where βx exceeds `threshold` (as PyTorch)."""
    return Softplus.apply(_floating(input), beta=beta, threshold=threshold)


class Gelu(Op):
    """y = x·Φ(x), Φ(x) = (1 + erf(x/√2))/2       dx = g·(Φ(x) + x·φ(x)),   φ(x) = e^(-x²/2)/√(2π)
    The exact GELU as one node (five as a composite). When x will need a gradient, the slope Φ + x·φ is made
    in the forward (float32: in the same cache-sized blocks as Φ) and kept for the array kernel."""
    def forward(self, x, *, slope):
        if x.dtype == np.float32:
            y, self.slope = gelu32(x, slope)
            return y
        cdf = _erf(x * (1 / math.sqrt(2))).astype(x.dtype, copy=False)
        cdf += 1
        cdf *= 0.5
        self.slope = _gelu_slope(x, cdf) if slope else None
        return x * cdf

    def backward(self, g):
        x = self.inputs[0]
        cdf = 0.5 * (1 + erf(x * (1 / math.sqrt(2))))
        pdf = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
        return (g * (cdf + x * pdf),)

    def release(self) -> None:
        super().release()
        self.slope = None                  # an activation-sized array: freed with the inputs


def _gelu_slope(x: np.ndarray, cdf: np.ndarray) -> np.ndarray:
    """Φ(x) + x·φ(x) from Φ(x), each step in place (float32 goes to erf32.gelu_blocks instead, where φ's
    e^(-x²/2) is also a term of Φ)."""
    d = np.multiply(x, x, out=np.empty_like(x))     # an array even when 0-d, in x's memory order
    d *= -0.5
    np.exp(d, out=d)
    d *= 1 / math.sqrt(2 * math.pi)
    d *= x
    d += cdf
    return d


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x). 'none' is exact (erf); 'tanh' is the approximation of Hendrycks & Gimpel, as PyTorch."""
    if approximate == "tanh":
        return 0.5 * input * (1 + tanh(math.sqrt(2 / math.pi) * (input + 0.044715 * input * input * input)))
    if approximate != "none":
        raise ArgumentError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    input = _floating(input)
    return Gelu.apply(input, slope=input.requires_grad and is_grad_enabled())   # no slope in no_grad


class Relu(Op):
    """y = max(x, 0)    dx = g * [y ≠ 0]     (relu'(0) = 0, as in PyTorch; y = NaN passes g, as its threshold_backward)
    The mask is read from the output, as PyTorch's ReLU does: backward never needs the input's values."""
    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, g):
        return (ThresholdBackward.apply(g, self.out),)   # an op of (g, y): the gradient has a gradient too


def relu(input: Tensor) -> Tensor:
    return Relu.apply(as_tensor(input))


class ThresholdBackward(Op):
    """relu's gradient as an op:  out = g where y ≠ 0 else 0     dg = gg where y ≠ 0 else 0     dy = 0"""
    def forward(self, g, y):
        self.mask = y != 0
        return np.where(self.mask, g, np.zeros((), g.dtype))

    def backward(self, gg):
        return where(self.mask, gg, 0.0), Tensor._wrap(np.zeros_like(self.inputs[1]._data))


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + eˣ) on an array, as max(x, 0) + log1p(e^-|x|): exp never overflows."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

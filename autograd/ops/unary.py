"""Elementwise functions of one tensor: exp, log, sqrt, abs, sin, cos, tanh, erf, ... (the activations are in
activations.py). Each backward reuses the forward's result (`self.out`) where that is cheaper and still
differentiable."""
from __future__ import annotations

import math

import numpy as np

from ..dtypes import get_default_dtype
from ..erf32 import erf32
from ..op import Op
from ..tensor import Tensor, as_tensor
from ..threads import one_thread_scipy_blas
from .arithmetic import _unselected, where


class Exp(Op):
    """y = exp(x)       dx = g * y"""
    def forward(self, x):
        with np.errstate(over="ignore"):                        # inf above ~88 (float32): silent, as PyTorch
            return np.exp(x)

    def backward(self, g):
        return (g * self.out,)


def exp(input: Tensor) -> Tensor:
    return Exp.apply(_floating(input))


class Log(Op):
    """y = log(x)       dx = g / x"""
    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):   # -inf at 0, nan below: silent, as PyTorch
            return np.log(x)

    def backward(self, g):
        x = self.inputs[0]
        if (m := _unselected(g, x._data == 0)) is not None:
            x = where(m, 1.0, x)                   # where(x > 0, x.log(), 0) at x = 0: gradient 0, not nan
        return (g / x,)


def log(input: Tensor) -> Tensor:
    return Log.apply(_floating(input))


class LogBase(Op):
    """y = log_b(x) = ln x / ln b      dx = g / (x ln b)     (log2, log10: one pass, not log then a divide)"""
    name = "log_base"
    def forward(self, x, base):
        self.base = base
        return np.log2(x) if base == 2 else np.log10(x)

    def backward(self, g):
        x = self.inputs[0]
        if (m := _unselected(g, x._data == 0)) is not None:
            x = where(m, 1.0, x)
        return (g / (x * math.log(self.base)),)


def log2(input: Tensor) -> Tensor:
    return LogBase.apply(_floating(input), base=2)


def log10(input: Tensor) -> Tensor:
    return LogBase.apply(_floating(input), base=10)


class Log1p(Op):
    """y = log(1 + x)      dx = g / (1 + x)     (exact for tiny x, where log(1 + x) rounds 1 + x)"""
    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):   # -inf at -1, nan below: silent, as PyTorch
            return np.log1p(x)

    def backward(self, g):
        return (g / (1 + self.inputs[0]),)


def log1p(input: Tensor) -> Tensor:
    return Log1p.apply(_floating(input))


class Expm1(Op):
    """y = exp(x) - 1      dx = g * (y + 1)     (exact for tiny x)"""
    def forward(self, x):
        return np.expm1(x)

    def backward(self, g):
        return (g * (self.out + 1),)


def expm1(input: Tensor) -> Tensor:
    return Expm1.apply(_floating(input))


class Sqrt(Op):
    """y = √x           dx = g / (2y)"""
    def forward(self, x):
        with np.errstate(invalid="ignore"):                     # nan below 0: silent, as PyTorch
            return np.sqrt(x)

    def backward(self, g):
        y = self.out
        if (m := _unselected(g, ~(y._data > 0))) is not None:
            y = where(m, 1.0, y)                   # where(x > 0, x.sqrt(), 0) at x ≤ 0: gradient 0, not nan
        return (g / (2 * y),)


def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(_floating(input))


class Abs(Op):
    """y = |x|          dx = g * sign(x)     (abs'(0) = 0, as in PyTorch)"""
    def forward(self, x):
        return np.abs(x)

    def backward(self, g):
        return (g * Sign.apply(self.inputs[0]),)      # sign as an op: the gradient is a function of x (its own: 0)


def abs(input: Tensor) -> Tensor:  # noqa: A001
    return Abs.apply(as_tensor(input))


class Sign(Op):
    """y = sign(x)      dx = 0               (flat wherever it is differentiable, as PyTorch's sign)"""
    def forward(self, x):
        return np.sign(x) if x.dtype.kind != "b" else x.copy()     # numpy has no bool sign; PyTorch's is x

    def backward(self, g):
        return (Tensor._wrap(np.zeros_like(self.inputs[0]._data)),)


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element, in x's dtype (a bool stays bool), as torch.sign."""
    return Sign.apply(as_tensor(input))


class Round(Op):
    """y = x rounded to `decimals` places, halves to even      dx = 0      (a step function, as PyTorch)"""
    def forward(self, x, decimals):
        return np.round(x, decimals) if x.dtype.kind == "f" else x.copy()

    def backward(self, g):
        return (Tensor._wrap(np.zeros_like(self.inputs[0]._data)),)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    """torch.round: to the nearest integer (or `decimals` places), halves to the even neighbour."""
    return Round.apply(as_tensor(input), decimals=int(decimals))


class Sin(Op):
    """y = sin(x)       dx = g * cos(x)"""
    def forward(self, x):
        return np.sin(x)

    def backward(self, g):
        return (g * self.inputs[0].cos(),)


def sin(input: Tensor) -> Tensor:
    return Sin.apply(_floating(input))


class Cos(Op):
    """y = cos(x)       dx = -g * sin(x)"""
    def forward(self, x):
        return np.cos(x)

    def backward(self, g):
        return (-g * self.inputs[0].sin(),)


def cos(input: Tensor) -> Tensor:
    return Cos.apply(_floating(input))


class Tanh(Op):
    """y = tanh(x)      dx = g * (1 - y²)"""
    def forward(self, x):
        return np.tanh(x)

    def backward(self, g):
        y = self.out
        return (g * (1 - y * y),)


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(_floating(input))


class Erf(Op):
    """y = erf(x)       dx = g * 2/√π * exp(-x²)"""
    def forward(self, x):
        return _erf(x).astype(x.dtype, copy=False)

    def backward(self, g):
        x = self.inputs[0]
        return (g * (2 / math.sqrt(math.pi)) * (-(x * x)).exp(),)


def erf(input: Tensor) -> Tensor:
    return Erf.apply(_floating(input))


def _floating(x) -> Tensor:
    """exp, log, ... of an integer tensor give the default float dtype, as PyTorch (numpy would give float64)."""
    x = as_tensor(x)
    return Tensor._wrap(x._data.astype(get_default_dtype())) if x._data.dtype.kind in "iub" else x


def _erf(x: np.ndarray) -> np.ndarray:
    """numpy has no erf: float32 gets erf32's vectorised one, others scipy's (a dependency of chainrule),
    imported on first use, not with autograd."""
    if x.dtype == np.float32:
        return erf32(x)
    from scipy.special import erf
    one_thread_scipy_blas()                 # importing it loaded scipy's own BLAS
    return erf(x)

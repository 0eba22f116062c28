"""Integer-style division: `//` (floor_divide, a step function: no gradient), div's rounding modes and `%`
(remainder)."""
from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor
from .arithmetic import _operands


def _checked(what: str, x: Tensor, y: Tensor) -> None:
    if x.dtype == np.bool_ and y.dtype == np.bool_:          # PyTorch has no bool kernel for these
        raise NotImplementedError(f"{what}: not implemented for bool tensors (shapes {tuple(x.shape)} and "
                                  f"{tuple(y.shape)})")
    if x.dtype.kind in "iub" and y.dtype.kind in "iub" and not np.all(y._data):
        raise ZeroDivisionError(f"{what}: integer division by zero (divisor of shape {tuple(y.shape)})")


def floor_divide(input, other) -> Tensor:  # noqa: A002
    """⌊input / other⌋ elementwise (`//`): integers stay integers, as PyTorch. A step function, so it is
    outside the graph (its derivative is 0 wherever it has one)."""
    x, y = _operands(input, other)
    _checked("floor_divide", x, y)
    with np.errstate(divide="ignore", invalid="ignore"):     # float / 0: inf or nan, as PyTorch, no warning
        return Tensor._wrap(np.floor_divide(x._data, y._data))


def rounded_div(input, other, rounding_mode: str) -> Tensor:  # noqa: A002
    """div(input, other, rounding_mode='floor' | 'trunc'): the quotient rounded down or toward zero; integers
    stay integers. Outside the graph, as floor_divide."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode != "trunc":
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    x, y = _operands(input, other)
    _checked("div", x, y)
    a, b = x._data, y._data
    with np.errstate(divide="ignore", invalid="ignore"):
        if a.dtype.kind in "iub" and b.dtype.kind in "iub":
            return Tensor._wrap(np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b)))
        return Tensor._wrap(np.trunc(a / b))


class Remainder(Op):
    """z = x - y·⌊x / y⌋  (the sign of y, as Python's %)      dx = g,   dy = -g·⌊x / y⌋"""
    def forward(self, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.remainder(x, y)

    def backward(self, g):
        x, y = self.inputs
        return (g if self.needs_grad[0] else None, -g * floor_divide(x, y) if self.needs_grad[1] else None)


def remainder(input, other) -> Tensor:  # noqa: A002
    x, y = _operands(input, other)
    _checked("remainder", x, y)
    return Remainder.apply(x, y)


class Fmod(Op):
    """z = x - y·trunc(x / y)  (the sign of x, as C's fmod)      dx = g,   dy = -g·trunc(x / y)"""
    def forward(self, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.fmod(x, y)

    def backward(self, g):
        x, y = self.inputs
        return (g if self.needs_grad[0] else None,
                -g * rounded_div(x, y, "trunc") if self.needs_grad[1] else None)


def fmod(input, other) -> Tensor:  # noqa: A002
    """The remainder of input / other with the sign of input (remainder takes the sign of other), as
    torch.fmod; integers stay integers."""
    x, y = _operands(input, other)
    _checked("fmod", x, y)
    return Fmod.apply(x, y)

"""Integer-style division: `//` (floor_divide, a step function: no gradient) and `%` (remainder)."""
from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor
from .arithmetic import _operands


def _checked(what: str, x: Tensor, y: Tensor) -> None:
    if x.dtype.kind in "iub" and y.dtype.kind in "iub" and not np.all(y._data):
        raise ZeroDivisionError(f"{what}: integer division by zero (divisor of shape {tuple(y.shape)})")


def floor_divide(input, other) -> Tensor:  # noqa: A002
    """⌊input / other⌋ elementwise (`//`): integers stay integers, as PyTorch. A step function, so it is
    outside the graph (its derivative is 0 wherever it has one)."""
    x, y = _operands(input, other)
    _checked("floor_divide", x, y)
    with np.errstate(divide="ignore", invalid="ignore"):     # float / 0: inf or nan, as PyTorch, no warning
        return Tensor._wrap(np.floor_divide(x._data, y._data))


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

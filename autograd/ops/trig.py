"""Trigonometric and hyperbolic functions, their inverses, atan2 and hypot. Integer inputs give the default float
dtype, as PyTorch. Where a local gradient is infinite (asin at ±1, acosh at 1...) and the incoming gradient is 0,
the gradient is 0, not nan (arithmetic._unselected), as for sqrt and log."""
from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor
from .arithmetic import _operands, _unselected, where
from .unary import _floating


class Tan(Op):
    """y = tan(x)       dx = g * (1 + y²)"""
    def forward(self, x):
        return np.tan(x)

    def backward(self, g):
        y = self.out
        return (g * (1 + y * y),)


def tan(input: Tensor) -> Tensor:
    return Tan.apply(_floating(input))


class Sinh(Op):
    """y = sinh(x)      dx = g * cosh(x)"""
    def forward(self, x):
        return np.sinh(x)

    def backward(self, g):
        return (g * cosh(self.inputs[0]),)


def sinh(input: Tensor) -> Tensor:
    return Sinh.apply(_floating(input))


class Cosh(Op):
    """y = cosh(x)      dx = g * sinh(x)"""
    def forward(self, x):
        return np.cosh(x)

    def backward(self, g):
        return (g * sinh(self.inputs[0]),)


def cosh(input: Tensor) -> Tensor:
    return Cosh.apply(_floating(input))


class Asin(Op):
    """y = asin(x)      dx = g / √(1 - x²)      (inf at ±1, nan outside [-1, 1], as PyTorch)"""
    def forward(self, x):
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    def backward(self, g):
        return (g / _unit_root(g, self.inputs[0]),)


def asin(input: Tensor) -> Tensor:
    return Asin.apply(_floating(input))


class Acos(Op):
    """y = acos(x)      dx = -g / √(1 - x²)"""
    def forward(self, x):
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    def backward(self, g):
        return (-g / _unit_root(g, self.inputs[0]),)


def acos(input: Tensor) -> Tensor:
    return Acos.apply(_floating(input))


class Atan(Op):
    """y = atan(x)      dx = g / (1 + x²)"""
    def forward(self, x):
        return np.arctan(x)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (1 + x * x),)


def atan(input: Tensor) -> Tensor:
    return Atan.apply(_floating(input))


class Asinh(Op):
    """y = asinh(x)     dx = g / √(x² + 1)"""
    def forward(self, x):
        return np.arcsinh(x)

    def backward(self, g):
        x = self.inputs[0]
        return (g / (x * x + 1).sqrt(),)


def asinh(input: Tensor) -> Tensor:
    return Asinh.apply(_floating(input))


class Acosh(Op):
    """y = acosh(x)     dx = g / √(x² - 1)      (inf at 1, nan below, as PyTorch)"""
    def forward(self, x):
        with np.errstate(invalid="ignore"):
            return np.arccosh(x)

    def backward(self, g):
        x = self.inputs[0]
        if (m := _unselected(g, ~(x._data > 1))) is not None:
            x = where(m, 2.0, x)
        return (g / (x * x - 1).sqrt(),)


def acosh(input: Tensor) -> Tensor:
    return Acosh.apply(_floating(input))


class Atanh(Op):
    """y = atanh(x)     dx = g / (1 - x²)      (inf at ±1, as PyTorch)"""
    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.arctanh(x)

    def backward(self, g):
        x = self.inputs[0]
        if (m := _unselected(g, ~(np.abs(x._data) < 1))) is not None:
            x = where(m, 0.0, x)
        return (g / (1 - x * x),)


def atanh(input: Tensor) -> Tensor:
    return Atanh.apply(_floating(input))


def _unit_root(g: Tensor, x: Tensor) -> Tensor:
    """√(1 - x²) for asin and acos, with x at its singular points (|x| ≥ 1) moved to 0 where g is 0."""
    if (m := _unselected(g, ~(np.abs(x._data) < 1))) is not None:
        x = where(m, 0.0, x)
    return (1 - x * x).sqrt()


class Atan2(Op):
    """z = atan2(y, x), the angle of (x, y)      dy = g·x / (x² + y²),   dx = -g·y / (x² + y²)   (0 at (0, 0))"""
    def forward(self, y, x):
        return np.arctan2(y, x)

    def backward(self, g):
        y, x = self.inputs
        r = x * x + y * y
        if (r._data == 0).any():
            r = where(r._data == 0, 1.0, r)       # both numerators are 0 there: PyTorch's gradient, 0
        return (g * x / r if self.needs_grad[0] else None, -g * y / r if self.needs_grad[1] else None)


def atan2(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The angle of the point (other, input) in (-π, π], elementwise, as torch.atan2 (alias arctan2)."""
    return Atan2.apply(*_floats(*_operands(input, other)))


class Hypot(Op):
    """z = √(x² + y²)      dx = g·x / z,   dy = g·y / z      (nan at (0, 0), as PyTorch)"""
    def forward(self, x, y):
        return np.hypot(x, y)

    def backward(self, g):
        x, y = self.inputs
        z = self.out
        if (m := _unselected(g, z._data == 0)) is not None:
            z = where(m, 1.0, z)
        return (g * x / z if self.needs_grad[0] else None, g * y / z if self.needs_grad[1] else None)


def hypot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """√(input² + other²) without overflow, elementwise, as torch.hypot (floating-point tensors only)."""
    x, y = _operands(input, other)
    _float_only("hypot", x, y)
    return Hypot.apply(x, y)


def _floats(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Two integer (or bool) operands become the default float dtype, as PyTorch's atan2."""
    return (_floating(x), _floating(y)) if x.dtype.kind in "iub" else (x, y)


def _float_only(what: str, x: Tensor, y: Tensor) -> None:
    """PyTorch has no integer kernel for these: two integer or bool operands are refused, as there."""
    if x.dtype.kind in "iub" and y.dtype.kind in "iub":
        raise NotImplementedError(f"{what}: not implemented for integer or bool tensors (got {x.dtype} of shape "
                                  f"{tuple(x.shape)} and {y.dtype} of shape {tuple(y.shape)}); convert with "
                                  ".float()")


"""Rounding to integers: floor, ceil, trunc (round is in unary.py). Step functions: their gradient is 0 wherever
they have one, as PyTorch's; integer tensors come back unchanged (a copy), bool tensors are refused, as there."""
from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor, as_tensor


class Floor(Op):
    """y = ⌊x⌋          dx = 0"""
    def forward(self, x):
        return np.floor(x) if x.dtype.kind == "f" else x.copy()

    def backward(self, g):
        return (Tensor._wrap(np.zeros_like(self.inputs[0]._data)),)


def floor(input: Tensor) -> Tensor:  # noqa: A002
    return Floor.apply(_rounded("floor", input))


class Ceil(Op):
    """y = ⌈x⌉          dx = 0"""
    def forward(self, x):
        return np.ceil(x) if x.dtype.kind == "f" else x.copy()

    def backward(self, g):
        return (Tensor._wrap(np.zeros_like(self.inputs[0]._data)),)


def ceil(input: Tensor) -> Tensor:  # noqa: A002
    return Ceil.apply(_rounded("ceil", input))


class Trunc(Op):
    """y = x rounded toward 0      dx = 0"""
    def forward(self, x):
        return np.trunc(x) if x.dtype.kind == "f" else x.copy()

    def backward(self, g):
        return (Tensor._wrap(np.zeros_like(self.inputs[0]._data)),)


def trunc(input: Tensor) -> Tensor:  # noqa: A002
    """x rounded toward zero, as torch.trunc (alias fix)."""
    return Trunc.apply(_rounded("trunc", input))


def _rounded(what: str, x) -> Tensor:
    x = as_tensor(x)
    if x.dtype == np.bool_:
        raise NotImplementedError(f"{what}: not implemented for bool tensors (shape {tuple(x.shape)}); convert "
                                  "with .float() or .long()")
    return x

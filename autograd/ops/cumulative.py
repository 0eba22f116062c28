"""Running sums and products along one dim. Each backward is a running sum taken from the far end."""
from __future__ import annotations

import numpy as np

from ..dtypes import to_dtype
from ..op import Op
from ..tensor import Tensor, as_tensor
from .arithmetic import where
from .rearrange import flip


class Cumsum(Op):
    """yᵢ = Σ_{j≤i} xⱼ along dim      dxⱼ = Σ_{i≥j} gᵢ   (a cumsum of g from the far end)"""
    def forward(self, x, dim):
        self.dim = dim
        return np.cumsum(x, axis=dim)

    def backward(self, g):
        return (_from_the_end(g, self.dim),)


def _from_the_end(g: Tensor, dim: int) -> Tensor:
    return flip(Cumsum.apply(flip(g, dim), dim=dim), dim)


def cumsum(input: Tensor, dim: int, *, dtype=None, axis: int | None = None) -> Tensor:
    """Running sum along `dim`; integer and bool inputs give int64, as PyTorch (dtype= casts first)."""
    input = _prepared(input, dtype, "cumsum")
    d = _dim(input, dim if axis is None else axis, "cumsum")
    return Cumsum.apply(input, dim=d) if input.ndim else Cumsum.apply(input.reshape(1), dim=0).reshape(())


class Cumprod(Op):
    """yᵢ = Π_{j≤i} xⱼ along dim      dxⱼ = Σ_{i≥j} gᵢ yᵢ / xⱼ   (for xⱼ ≠ 0; past a zero see backward)"""
    def forward(self, x, dim):
        self.dim = dim
        return np.cumprod(x, axis=dim)

    def backward(self, g):
        x, d = self.inputs[0], self.dim
        zero = x._data == 0
        if not zero.any():
            return (_from_the_end(g * self.out, d) / x,)
        seen = np.cumsum(zero, axis=d)                 # zeros so far along dim, this one included
        before, first = seen == 0, zero & (seen == 1)
        # before the first zero the formula holds; at it, the gradient is the running product without it;
        # after it, every product holding x has the zero in it too: 0
        at_first = _from_the_end(g * Cumprod.apply(where(first, 1.0, x), dim=d), d)
        return (where(before, _from_the_end(g * self.out, d) / where(before, x, 1.0), where(first, at_first, 0.0)),)


def cumprod(input: Tensor, dim: int, *, dtype=None, axis: int | None = None) -> Tensor:
    input = _prepared(input, dtype, "cumprod")
    d = _dim(input, dim if axis is None else axis, "cumprod")
    return Cumprod.apply(input, dim=d) if input.ndim else Cumprod.apply(input.reshape(1), dim=0).reshape(())


def _prepared(x, dtype, what: str) -> Tensor:
    x = as_tensor(x)
    if dtype is not None:
        return x.to(to_dtype(dtype))
    return Tensor._wrap(x._data.astype(np.int64)) if x.dtype.kind in "iub" and x.dtype != np.int64 else x


def _dim(x: Tensor, dim, what: str) -> int:
    if dim is None:
        raise TypeError(f"{what}: missing the dim to run along (e.g. {what}(x, dim=0))")
    n = x.ndim or 1
    if not -n <= dim < n:
        raise IndexError(f"{what}: dim {dim} is out of range for a tensor of shape {tuple(x.shape)} "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return dim % n

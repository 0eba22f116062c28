"""Moving elements around: flip and roll, each its own dual (the rearranging composites, gather, scatter,
tril, ..., are in composites/rearrange.py)."""
from __future__ import annotations

import numpy as np

from ..op import Op
from ..tensor import Tensor, as_tensor


class Flip(Op):
    """y = x reversed along dims (a view)      dx = g reversed along the same dims"""
    def forward(self, x, dims):
        self.dims = dims
        return np.flip(x, dims)

    def backward(self, g):
        return (Flip.apply(g, dims=self.dims),)


def flip(input: Tensor, dims) -> Tensor:
    """Reverse the order of elements along `dims` (an int or a sequence of ints), as torch.flip."""
    input = as_tensor(input)
    return Flip.apply(input, dims=_dim_tuple(input, dims, "flip"))


class Roll(Op):
    """y = x shifted cyclically by `shifts` along dims      dx = g shifted back by -shifts"""
    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return np.roll(x, shifts, dims)

    def backward(self, g):
        back = -self.shifts if isinstance(self.shifts, int) else tuple(-s for s in self.shifts)
        return (Roll.apply(g, shifts=back, dims=self.dims),)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """torch.roll: elements pushed off one end come back at the other; dims=None rolls the flattened tensor."""
    input = as_tensor(input)
    if dims is None:
        if not isinstance(shifts, (int, np.integer)) and len(shifts) != 1:
            raise ValueError(f"roll: with dims=None, shifts must be one int, got {shifts!r}")
        return Roll.apply(input, shifts=int(np.ravel(shifts)[0]), dims=None)
    if not input.ndim:
        raise IndexError(f"roll: dims {dims!r} given for a 0-d tensor, which has no dims (use dims=None)")
    dims = _dim_tuple(input, dims, "roll")
    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else tuple(int(s) for s in shifts)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    return Roll.apply(input, shifts=shifts, dims=dims)


def _dim_tuple(x: Tensor, dims, what: str) -> tuple:
    """dims (an int or a sequence) as non-negative ints, each checked against x's dims; repeats refused."""
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    n = x.ndim or 1
    for d in dims:
        if not -n <= d < n:
            raise IndexError(f"{what}: dim {d} is out of range for a tensor of shape {tuple(x.shape)} "
                             f"(expected a dim in [{-n}, {n - 1}])")
    out = tuple(int(d) % n for d in dims) if x.ndim else ()
    if len(set(out)) != len(out):
        raise ValueError(f"{what}: dim {dims} names a dim more than once")
    return out

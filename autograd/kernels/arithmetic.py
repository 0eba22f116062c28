"""Kernels of the binary and selection ops: Mul, and the masks of Maximum, Minimum and Clamp."""
from __future__ import annotations

import numpy as np

from ..masking import all_finite, masked
from ..ops.arithmetic import Clamp, Maximum, Minimum, Mul
from ..tensor import Tensor
from . import register

_wrap = Tensor._wrap


@register(Mul)
def mul(op: Mul, g: Tensor) -> tuple:
    """dx = g * y, dy = g * x as two numpy products: no nodes built only to be dropped."""
    (x, y), need = op.inputs, op.needs_grad
    return (_wrap(g._data * y._data) if need[0] else None), (_wrap(g._data * x._data) if need[1] else None)


@register(Maximum)
def maximum(op: Maximum, g: Tensor) -> tuple:
    x, y = (t._data for t in op.inputs)
    dx, dy = op.needs_grad
    return selected(g, ~(x < y) if dx else None, ~(y < x) if dy else None, tie=x == y)


@register(Minimum)
def minimum(op: Minimum, g: Tensor) -> tuple:
    x, y = (t._data for t in op.inputs)
    dx, dy = op.needs_grad
    return selected(g, ~(x > y) if dx else None, ~(y > x) if dy else None, tie=x == y)


@register(Clamp)
def clamp(op: Clamp, g: Tensor) -> tuple:
    x, lo, hi = op.inputs[0]._data, op.lo, op.hi
    inside = x <= hi if lo is None else x >= lo if hi is None else (x >= lo) & (x <= hi)   # NaN: outside
    return selected(g, inside)


def selected(g: Tensor, *keeps: np.ndarray | None, tie: np.ndarray | None = None) -> tuple:
    """ops.arithmetic._selected on arrays: for each input g where its `keep`, else 0 (None: not wanted),
    half of g where `tie`. One multiply per input when g is finite; an inf or nan g gives 0 where dropped."""
    if tie is not None and tie.any():
        keeps = tuple(None if k is None else np.where(tie, 0.5, k).astype(g._data.dtype) for k in keeps)
    finite = all_finite(g._data)               # one check for both inputs
    return tuple(None if k is None else _wrap(masked(g._data, k, finite=finite)) for k in keeps)

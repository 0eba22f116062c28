"""Kernels of the reductions Sum, Mean and Max: one filled array each, laid out as the input."""
from __future__ import annotations

import numpy as np

from ..ops.reduce import Max, Mean, Sum, _keep_shape
from ..tensor import Tensor
from . import register


@register(Sum)
def sum(op: Sum, g: Tensor) -> tuple:  # noqa: A001
    return (Tensor._wrap(_spread(op, g._data)),)


@register(Mean)
def mean(op: Mean, g: Tensor) -> tuple:
    return (Tensor._wrap(_spread(op, np.asarray(g._data / op.n))),)


def _spread(op: Sum, g: np.ndarray) -> np.ndarray:
    """g broadcast back over the summed dims into a fresh array: the engine may keep it as .grad, and laid out
    as the input is (only its layout is read), so a batch-last conv output's reductions mix no layouts."""
    x = op._inputs[0]._data
    out = np.empty_like(x, g.dtype) if x.shape == op.in_shape else np.empty(op.in_shape, g.dtype)
    out[...] = g.reshape(_keep_shape(op.in_shape, op.dims))
    return out


@register(Max)
def max(op: Max, g: Tensor) -> tuple:  # noqa: A001
    """g / count at each tie of the max, 0 elsewhere: one full-size array besides the mask."""
    x = op.inputs[0]._data
    y = op.out._data.reshape(_keep_shape(op.in_shape, op.dims))
    ties = x == y
    count = np.add.reduce(ties, axis=op.dims, keepdims=True, dtype=x.dtype)
    return (Tensor._wrap(np.multiply(ties, g._data.reshape(y.shape) / count, dtype=x.dtype)),)

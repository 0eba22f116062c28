"""Kernels of elementwise functions of one tensor: Relu (masking in place when it may), Abs and Gelu."""
from __future__ import annotations

import numpy as np

from ..masking import masked
from ..ops.activations import Gelu, Relu
from ..ops.unary import Abs
from ..ownership import engine_owns
from ..parallel import binary
from ..tensor import Tensor
from . import register
from .arithmetic import selected


@register(Relu)
def relu(op: Relu, g: Tensor) -> tuple:
    """g where y ≠ 0, else 0. When nothing but the engine sees g, the mask is written into g itself, as numpy
    code does: one activation-sized array less at the peak of a step."""
    y = op.out
    mask = y._data != 0            # not y > 0: y is >= 0 or NaN, and a NaN y passes g, as PyTorch's
    if engine_owns(g, y):          # g's reference count is pinned by tests: bind it to no other name here
        masked(g._data, mask, out=g._data)
        return (g,)
    return selected(g, mask)


@register(Abs)
def abs(op: Abs, g: Tensor) -> tuple:  # noqa: A001
    return (Tensor._wrap(g._data * np.sign(op.inputs[0]._data)),)


@register(Gelu)
def gelu(op: Gelu, g: Tensor) -> tuple:
    """g·(Φ + x·φ(x)) with the slope the forward kept: one multiply, into g when only the engine sees g."""
    slope = op.slope
    if engine_owns(g, op.out) and g._data.dtype == slope.dtype and g._data.shape == slope.shape:
        np.multiply(g._data, slope, out=g._data)
        return (g,)
    return (Tensor._wrap(binary(np.multiply, g._data, slope)),)

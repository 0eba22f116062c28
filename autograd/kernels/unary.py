"""Kernels of elementwise functions of one tensor: Relu (masking in place when it may), Abs and Gelu."""
from __future__ import annotations

import math

import numpy as np

from ..masking import masked
from ..ops.activations import Gelu, Relu
from ..ops.unary import Abs
from ..ownership import engine_owns
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
    """g·(Φ + x·φ(x)) on the arrays, with the Φ the forward kept: no second erf, each step in place."""
    x = op.inputs[0]._data
    d = np.multiply(x, x, out=np.empty_like(x))     # an array even when 0-d, in x's memory order
    d *= -0.5
    np.exp(d, out=d)
    d *= 1 / math.sqrt(2 * math.pi)
    d *= x
    d += op.cdf
    gd = g._data
    if gd.dtype == d.dtype and gd.shape == d.shape:
        d *= gd
        return (Tensor._wrap(d),)
    return (Tensor._wrap(d * gd),)

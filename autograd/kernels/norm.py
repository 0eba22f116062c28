"""Kernel of LayerNorm: its rule on the arrays, with the x̂ and r the forward kept; the row means as
matrix-vector products, the sums over rows as ones @ ·."""
from __future__ import annotations

import numpy as np

from ..ops.layer_norm import LayerNorm, _row_mean
from ..tensor import Tensor
from . import register


def _column_sum(a: np.ndarray) -> np.ndarray:
    return np.ones(a.shape[0], a.dtype) @ a


@register(LayerNorm)
def layer_norm(op: LayerNorm, g: Tensor) -> tuple:
    """dx = r·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)),  dw = Σ g·x̂,  db = Σ g."""
    xs, need = op.inputs, op.needs_grad
    xh, r, shape = op.xh, op.r, xs[0]._data.shape
    g2 = g._data.reshape(xh.shape)
    grads: list = [None] * len(xs)
    if len(xs) > 1:
        wshape = xs[1]._data.shape
        if op.weight and need[1]:
            grads[1] = Tensor._wrap(_column_sum(g2 * xh).reshape(wshape))
        if need[-1] and (len(xs) == 3 or not op.weight):
            grads[-1] = Tensor._wrap(_column_sum(g2).reshape(wshape))
    if need[0]:
        gh = g2 * xs[1]._data.reshape(-1) if op.weight else g2.copy()
        proj = np.einsum("ij,ij->i", gh, xh)[:, None]
        proj /= xh.shape[1]
        gh -= _row_mean(gh)
        gh -= xh * proj
        gh *= r
        grads[0] = Tensor._wrap(gh.reshape(shape))
    return tuple(grads)

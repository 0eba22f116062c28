"""Kernel of the fused Linear (y = x @ Wᵀ + b, nn.functional.linear's op) and the layout helpers it needs."""
from __future__ import annotations

import numpy as np

from ..ops.linalg import Linear
from ..parallel import column_sum, matmul
from ..tensor import Tensor
from . import register

_wrap = Tensor._wrap


@register(Linear)
def linear(op: Linear, g: Tensor) -> tuple:
    """dx = g @ W, dW = gᵀ @ x, db = Σ g over rows: three BLAS calls, each result in the memory order of the
    array it is the gradient of."""
    xs, need = op.inputs, op.needs_grad             # (a property that checks versions: read once)
    x, w = xs[0]._data, xs[1]._data
    g2, x2 = g._data.reshape(-1, g._data.shape[-1]), x.reshape(-1, x.shape[-1])
    dx = _wrap(_shaped(_like(x2, g2, w), x.shape)) if need[0] else None
    dw = _wrap(_like(w, g2.T, x2)) if need[1] else None
    if len(need) == 2:
        return dx, dw
    return dx, dw, (_wrap(_row_sum(g2)) if need[2] else None)


def _shaped(a: np.ndarray, shape: tuple) -> np.ndarray:
    """a reshaped only if it must be: a reshape to the same shape is a view, and ReLU masks only an array
    of its own in place."""
    return a if a.shape == shape else a.reshape(shape)


def _row_sum(g: np.ndarray) -> np.ndarray:
    """Σ of the rows; from 32 rows on as ones @ g, BLAS calls (one per thread), faster than numpy's row-by-row
    sum along a non-contiguous axis and no less exact (that sum adds the rows one after another too)."""
    if len(g) >= 32 and g.dtype in (np.float32, np.float64):
        return column_sum(g)
    return g.sum(0)


def _like(w: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b in w's memory order: a column-major weight gets a column-major gradient (the optimizer's
    in-place update then reads one order, and .grad needs no copy), a column-major input (Flatten of a
    conv's batch-last output) a column-major gradient, so the ops before it see one layout."""
    if not (w.flags.f_contiguous and not w.flags.c_contiguous):
        return matmul(a, b)
    out = np.empty(w.shape, np.result_type(a, b), order="F")
    matmul(b.T, a.T, out=out.T)            # (a b)ᵀ = bᵀ aᵀ written row-major into outᵀ
    return out

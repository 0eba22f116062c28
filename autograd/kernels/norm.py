"""Kernel of LayerNorm: its rule on the arrays, with the x̂ and r the forward kept; every row or column sum is
a matrix-vector product, and dx is written into g when nothing but the engine sees g."""
from __future__ import annotations

import numpy as np

from ..ops.layer_norm import LayerNorm
from ..ownership import engine_owns
from ..parallel import for_ranges, recordable
from ..tensor import Tensor
from . import register


def layer_norm_backward(g2: np.ndarray, xh: np.ndarray, r: np.ndarray, w: np.ndarray | None,
                        dx: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Rows (m, n) of g, x̂, r (m, 1): dx = r·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)), ĝ = g·w, into `dx` (may be g2
    itself; None: skipped); returns this slice's column sums (Σ g·x̂, Σ g). Works on any slice of rows (the
    slices' column sums add up to the whole's). mean ĝ = g·(w/n) and mean(ĝ·x̂) = (g·x̂)·(w/n): products
    with w, so ĝ is never formed before dx is."""
    n = xh.shape[1]
    gx = np.multiply(g2, xh)
    ones = np.ones(len(xh), xh.dtype)
    sums = ones @ gx, ones @ g2
    if dx is not None:
        wn = (np.ones(n, xh.dtype) if w is None else w) * (1 / n)
        mean_g, mean_gx = (g2 @ wn)[:, None], (gx @ wn)[:, None]
        if w is not None:
            np.multiply(g2, w, out=dx)
        elif dx is not g2:
            np.copyto(dx, g2)
        dx -= mean_g
        np.multiply(xh, mean_gx, out=gx)
        dx -= gx
        dx *= r
    return sums


@recordable("dx")
def _layer_norm_backward_rows(g2: np.ndarray, xh: np.ndarray, r: np.ndarray, w: np.ndarray | None,
                              dx: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """layer_norm_backward with the rows split over the threads (their column sums added)."""
    def part(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        return layer_norm_backward(g2[lo:hi], xh[lo:hi], r[lo:hi], w, None if dx is None else dx[lo:hi])
    parts = for_ranges(part, len(xh), xh.size * 4)
    return parts[0] if len(parts) == 1 else (sum(p[0] for p in parts), sum(p[1] for p in parts))


@register(LayerNorm)
def layer_norm(op: LayerNorm, g: Tensor) -> tuple:
    """dx = r·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)),  dw = Σ g·x̂,  db = Σ g."""
    owned = engine_owns(g, op.out)         # asked before anything else refers to g's array
    xs, need = op.inputs, op.needs_grad
    xh, r = op.xh, op.r
    g2 = g._data.reshape(xh.shape)
    w = xs[1]._data.reshape(-1) if op.weight else None
    dx = None
    if need[0]:
        dx = g2 if owned and g2.dtype == xh.dtype and g2.base is g._data else np.empty_like(xh)
    dw, db = _layer_norm_backward_rows(g2, xh, r, w, dx)
    grads: list = [None] * len(xs)
    if need[0]:
        grads[0] = g if dx is g2 else Tensor._wrap(dx.reshape(xs[0]._data.shape))
    if len(xs) > 1:
        wshape = xs[1]._data.shape
        if op.weight and need[1]:
            grads[1] = Tensor._wrap(dw.reshape(wshape))
        if need[-1] and (len(xs) == 3 or not op.weight):
            grads[-1] = Tensor._wrap(db.reshape(wshape))
    return tuple(grads)

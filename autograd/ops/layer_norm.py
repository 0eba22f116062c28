"""layer_norm as one op: as a composite it is nine graph nodes (mean, subtract, square, mean, add, power,
multiply, weight, bias), each a pass over the activations forward and again backward, in every block of a
transformer. Rows are the leading dims, the normalised dims one row each."""
from __future__ import annotations

import math

import numpy as np

from ..op import Op
from ..tensor import Tensor


def _row_mean(a: np.ndarray) -> np.ndarray:
    """The mean of each row of a 2-D array as one matrix-vector product (numpy's mean along rows is
    several times slower for short rows); shape (rows, 1)."""
    return (a @ np.full(a.shape[1], 1 / a.shape[1], a.dtype))[:, None]


class LayerNorm(Op):
    """y = x̂·w + b, x̂ = (x − μ)·r    dx = r·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)), ĝ = g·w,  dw = Σ g·x̂,  db = Σ g
    r = (σ² + ε)^-½, μ and σ² the mean and biased variance over the last dims, Σ over the leading dims.
    x̂ and r are kept from the forward for the array kernel of a plain backward."""
    def forward(self, x, *wb, k, eps, weight):
        self.k, self.eps, self.weight = k, eps, weight
        n = math.prod(x.shape[x.ndim - k:])
        x2 = x.reshape(-1, n)
        xh = x2 - _row_mean(x2)
        r = np.einsum("ij,ij->i", xh, xh)[:, None]
        r /= n
        r += eps
        np.sqrt(r, out=r)
        np.divide(1, r, out=r)
        xh *= r
        self.xh, self.r = xh, r
        if not wb:
            return xh.reshape(x.shape).copy()
        y = xh * wb[0].reshape(-1) if weight else xh + wb[0].reshape(-1)
        if len(wb) == 2:
            y += wb[1].reshape(-1)
        return y.reshape(x.shape)

    def backward(self, g):
        x, *wb = self.inputs
        dims = tuple(range(x.ndim - self.k, x.ndim))
        c = x - x.mean(dims, keepdim=True)
        r = ((c * c).mean(dims, keepdim=True) + self.eps) ** -0.5
        xh = c * r
        gh = g * wb[0] if self.weight else g
        dx = r * (gh - gh.mean(dims, keepdim=True) - xh * (gh * xh).mean(dims, keepdim=True))
        if not wb:
            return (dx,)
        if self.weight:
            return (dx, g * xh, g)[:1 + len(wb)]   # the engine sums them over the leading dims (to w's shape)
        return dx, g

    def release(self) -> None:
        super().release()
        self.xh = self.r = None            # activation-sized: freed with the inputs


def _layer_norm(x: Tensor, k: int, weight: Tensor | None, bias: Tensor | None, eps: float) -> Tensor:
    """LayerNorm over the last k dims of checked tensors (weight and bias of the normalised shape or None)."""
    wb = [t for t in (weight, bias) if t is not None]
    return LayerNorm.apply(x, *wb, k=k, eps=eps, weight=weight is not None)

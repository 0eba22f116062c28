"""layer_norm as one op: as a composite it is nine graph nodes (mean, subtract, square, mean, add, power,
multiply, weight, bias), each a pass over the activations forward and again backward, in every block of a
transformer. Rows are the leading dims, the normalised dims one row each."""
from __future__ import annotations

import math

import numpy as np

from ..op import Op
from ..parallel import for_ranges, recordable
from ..tensor import Tensor


def _layer_norm_forward(x2: np.ndarray, w: np.ndarray | None, b: np.ndarray | None, eps: float,
                       xh: np.ndarray, r: np.ndarray, y: np.ndarray | None) -> None:
    """Rows of x2 (m, n): x̂ into `xh`, r = (σ² + ε)^-½ into `r` (m, 1) and, given `y`, x̂·w + b into it
    (w, b of length n or None). Works on any slice of rows. The row means are a matrix-vector product
    (numpy's mean of short rows is several times slower)."""
    n = x2.shape[1]
    np.matmul(x2, np.full(n, 1 / n, x2.dtype), out=r[:, 0])
    np.subtract(x2, r, out=xh)
    np.einsum("ij,ij->i", xh, xh, out=r[:, 0])
    r /= n
    r += eps
    np.sqrt(r, out=r)
    np.divide(1, r, out=r)
    xh *= r
    if y is None:
        return
    if w is not None:
        np.multiply(xh, w, out=y)
    if b is not None:
        np.add(xh if w is None else y, b, out=y)


@recordable("xh", "r", "y")
def _layer_norm_rows(x2: np.ndarray, w: np.ndarray | None, b: np.ndarray | None, eps: float, xh: np.ndarray,
                     r: np.ndarray, y: np.ndarray | None) -> None:
    """_layer_norm_forward with the rows split over the threads."""
    for_ranges(lambda lo, hi: _layer_norm_forward(x2[lo:hi], w, b, eps, xh[lo:hi], r[lo:hi],
                                                  None if y is None else y[lo:hi]), len(x2), x2.size * 4)


class LayerNorm(Op):
    """y = x̂·w + b, x̂ = (x − μ)·r    dx = r·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)), ĝ = g·w,  dw = Σ g·x̂,  db = Σ g
    r = (σ² + ε)^-½, μ and σ² the mean and biased variance over the last dims, Σ over the leading dims.
    x̂ and r are kept from the forward for the array kernel of a plain backward."""
    def forward(self, x, *wb, k, eps, weight):
        self.k, self.eps, self.weight = k, eps, weight
        n = math.prod(x.shape[x.ndim - k:])
        x2 = x.reshape(-1, n)
        self.xh, self.r = np.empty(x2.shape, x.dtype), np.empty((len(x2), 1), x.dtype)
        w = wb[0].reshape(-1) if weight else None
        b = wb[-1].reshape(-1) if len(wb) == 2 or (wb and not weight) else None
        y = np.empty(x2.shape, x.dtype) if wb else None
        _layer_norm_rows(x2, w, b, eps, self.xh, self.r, y)
        return (self.xh.copy() if y is None else y).reshape(x.shape)

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

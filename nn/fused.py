"""Fused primitives for the two hottest nn functions: one graph node each instead of three or eight.
Backward rules are written in Tensor ops (as every engine op), so second derivatives still work."""
from __future__ import annotations

import numpy as np

from autograd import Op, Tensor, is_grad_enabled


class Linear(Op):
    """y = x @ Wᵀ + b       dx = g @ W,   dW = gᵀ @ x,   db = Σ g over all but the last dim
    One node instead of transpose + matmul + add; Wᵀ is a numpy view, and a gradient nobody needs is skipped."""
    def forward(self, x, w, *b):
        out = np.matmul(x, w.T)
        if b:
            out += b[0]                    # in place: `out` is fresh, so no second (N, out) temporary
        return out

    def backward(self, g):
        xs = self.inputs                   # (a property that checks versions: read once)
        x, w, need = xs[0], xs[1], self.needs_grad
        if not is_grad_enabled():          # plain backward: raw numpy, three BLAS calls and no graph nodes
            return self._numpy_backward(g._data, x._data, w._data, need)   # (A/B CPU medians: W4 -11%, W1s -7%)
        dx = g @ w if need[0] else None
        if need[1] or (len(need) > 2 and need[2]):
            g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        dw = g2.mT @ (x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x) if need[1] else None
        if len(need) == 2:
            return dx, dw
        db = g2.sum(0) if need[2] else None
        return dx, dw, db

    @staticmethod
    def _numpy_backward(g, x, w, need):
        """The same rule on arrays, for a backward that records nothing (no create_graph)."""
        g2, x2 = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
        dx = Tensor._wrap(_shaped(_like(x2, g2, w), x.shape)) if need[0] else None   # in x's order (see _like)
        dw = Tensor._wrap(_like(w, g2.T, x2)) if need[1] else None
        if len(need) == 2:
            return dx, dw
        return dx, dw, (Tensor._wrap(_row_sum(g2)) if need[2] else None)


def _shaped(a: np.ndarray, shape: tuple) -> np.ndarray:
    """a reshaped only if it must be: a reshape to the same shape is a view, and ReLU masks only an array of its
    own in place (W1 batch 10000: +4 MiB at peak with the view)."""
    return a if a.shape == shape else a.reshape(shape)


def _row_sum(g: np.ndarray) -> np.ndarray:
    """Σ of the rows; from 32 rows on as ones @ g, one BLAS call (float32 64 x 128: 3.2 -> 2.7 µs, 10000 x 10:
    183 -> 25 µs; fewer rows: slower). No less exact than g.sum(0), which adds the rows one after another too
    (numpy sums pairwise only along the contiguous axis)."""
    if len(g) >= 32 and g.dtype in (np.float32, np.float64):
        return np.ones(len(g), g.dtype) @ g
    return g.sum(0)


def _like(w: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b in w's memory order: nn.Linear's column-major weight gets a column-major gradient, so the optimizer's
    in-place update runs over both arrays in one order (mixed, it was 5 x slower) and .grad needs no copy; and a
    column-major input (nn.Flatten of a conv's batch-last output) a column-major gradient, so the ReLU and pooling
    before it see one layout (conv-relu-flatten-linear step 5.4 -> 4.1 ms)."""
    if not (w.flags.f_contiguous and not w.flags.c_contiguous):
        return a @ b
    out = np.empty(w.shape, np.result_type(a, b), order="F")
    np.matmul(b.T, a.T, out=out.T)         # (a b)ᵀ = bᵀ aᵀ written row-major into outᵀ
    return out


class BCEWithLogits(Op):
    """ℓ = (1 - t)·x + (1 + (p - 1)·t)·softplus(-x)   (p = pos_weight; softplus(-x) = log(1 + e⁻ˣ) computed as
    max(-x, 0) + log1p(e^-|x|), finite for any x)      dx = g·((1 - t) - (1 + (p - 1)·t)·σ(-x)),
    dt = g·(-x + (p - 1)·softplus(-x))"""
    def forward(self, x, t, *pos_weight):
        sp = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
        scale = 1 + (pos_weight[0] - 1) * t if pos_weight else 1
        return (1 - t) * x + scale * sp

    def backward(self, g):
        x, t = self.inputs[0], self.inputs[1]
        pw = self.inputs[2] if len(self.inputs) > 2 else None
        scale = 1 + (pw - 1) * t if pw is not None else 1
        dx = g * ((1 - t) - scale * (-x).sigmoid()) if self.needs_grad[0] else None
        dt = None
        if self.needs_grad[1]:
            sp = (-x).relu() + (1 + (-x.abs()).exp()).log()
            dt = g * (-x + (pw - 1) * sp) if pw is not None else g * -x
        return (dx, dt) if pw is None else (dx, dt, None)


class BinaryCrossEntropy(Op):
    """ℓ = −(t·log p + (1 − t)·log(1 − p)), each log clamped at −100      dp = g·(p − t) / max(p(1 − p), 1e-12),
    dt = g·(log(1 − p) − log p)   (PyTorch's formulas: finite at p = 0 and p = 1, where composing logs gives nan)"""
    def forward(self, p, t):
        with np.errstate(divide="ignore"):
            return -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log1p(-p), -100))

    def backward(self, g):
        p, t = self.inputs
        dp = g * (p - t) / (p * (1 - p)).clamp(min=1e-12) if self.needs_grad[0] else None
        dt = g * ((1 - p).log().clamp(min=-100) - p.log().clamp(min=-100)) if self.needs_grad[1] else None
        return dp, dt

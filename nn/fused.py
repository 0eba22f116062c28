"""Fused primitives for the two hottest nn functions: one graph node each instead of three or eight.
Backward rules are written in Tensor ops (as every engine op), so second derivatives still work."""
from __future__ import annotations

import math

import numpy as np

from autograd import Op
from autograd.kernels import register
from autograd.kernels.linear import linear as linear_kernel


class Linear(Op):
    """y = x @ Wᵀ + b       dx = g @ W,   dW = gᵀ @ x,   db = Σ g over all but the last dim
    One node instead of transpose + matmul + add; Wᵀ is a numpy view, and a gradient nobody needs is skipped."""
    def forward(self, x, w, *b):
        if x.ndim > 2 and x.flags.c_contiguous:
            # one (N·T, C) @ Wᵀ: numpy's batched matmul is several times slower, more so with threads
            out = np.empty(x.shape[:-1] + (w.shape[0],), np.result_type(x, w))
            n = math.prod(x.shape[:-1])
            np.matmul(x.reshape(n, x.shape[-1]), w.T, out=out.reshape(n, w.shape[0]))
        else:
            out = np.matmul(x, w.T)
        if b:
            out += b[0]                    # in place: `out` is fresh, so no second (N, out) temporary
        return out

    def backward(self, g):
        xs = self.inputs                   # (a property that checks versions: read once)
        x, w, need = xs[0], xs[1], self.needs_grad
        dx = None
        if need[0]:
            dx = g @ w if g.ndim <= 2 else (g.reshape(math.prod(g.shape[:-1]), g.shape[-1]) @ w).reshape(x.shape)
        if need[1] or (len(need) > 2 and need[2]):
            g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        dw = g2.mT @ (x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x) if need[1] else None
        if len(need) == 2:
            return dx, dw
        db = g2.sum(0) if need[2] else None
        return dx, dw, db


register(Linear, linear_kernel)            # a plain backward: three BLAS calls on the arrays, no graph nodes


class BCEWithLogits(Op):
    """ℓ = (1-t)·x + (1+(p-1)·t)·sp(-x)      dx = g·(1 - t - (1+(p-1)·t)·σ(-x)),   dt = g·(-x + (p-1)·sp(-x))
    p = pos_weight; sp(-x) = softplus(-x) = log(1 + e⁻ˣ), computed as max(-x, 0) + log1p(e^-|x|): finite for
    any x."""
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

"""Kernel of ScaledDotProductAttention: its rule on the arrays, with the weights w the forward kept (no second
softmax) and the (..., L, S) gradient of the scores formed in place."""
from __future__ import annotations

import numpy as np

from ..ops.attention import ScaledDotProductAttention
from ..tensor import Tensor
from . import register


@register(ScaledDotProductAttention)
def attention(op: ScaledDotProductAttention, g: Tensor) -> tuple:
    """dv = wᵀ g,  dz = w ⊙ (g vᵀ − Σ (g vᵀ ⊙ w))·s,  dq = dz k,  dk = dzᵀ q."""
    q, k, v = (x._data for x in op.inputs)
    need, w, gd = op.needs_grad, op.w, g._data
    dv = Tensor._wrap(np.matmul(np.swapaxes(w, -1, -2), gd)) if need[2] else None
    if not (need[0] or need[1]):
        return None, None, dv
    dz = np.matmul(gd, np.swapaxes(v, -1, -2))
    if dz.shape != w.shape:                # v broadcast against a mask with more batch dims
        dz = np.array(np.broadcast_to(dz, w.shape))
    row = np.einsum("...j,...j->...", dz, w)[..., None]
    dz -= row
    dz *= w
    dz *= op.scale
    dq = Tensor._wrap(np.matmul(dz, k)) if need[0] else None
    dk = Tensor._wrap(np.matmul(np.swapaxes(dz, -1, -2), q)) if need[1] else None
    return dq, dk, dv

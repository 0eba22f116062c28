"""Kernel of ScaledDotProductAttention: its rule on the arrays, with the weights wᵀ the forward kept (no
second softmax) and the (..., S, L) gradient of the scores formed in place, in the forward's transposed
layout."""
from __future__ import annotations

import numpy as np

from ..ops.attention import ScaledDotProductAttention
from ..parallel import for_ranges, recordable
from ..tensor import Tensor
from . import register


def scores_grad_t_(dzt: np.ndarray, wt: np.ndarray, scale: float) -> np.ndarray:
    """dzᵀ ← wᵀ ⊙ (dzᵀ − Σₖₑᵧₛ dzᵀ ⊙ wᵀ)·scale in place, keys on axis -2 as _softmax_keys_ leaves them;
    works on any slice of the leading dims."""
    col = np.einsum("...jl,...jl->...l", dzt, wt)[..., None, :]
    dzt -= col
    dzt *= wt
    dzt *= scale
    return dzt


@recordable("dq", "dk", "dv")
def _attention_grads(q: np.ndarray, k: np.ndarray, v: np.ndarray, wt: np.ndarray, g: np.ndarray, scale: float,
                     dq: np.ndarray, dk: np.ndarray, dv: np.ndarray) -> None:
    """The kernel's formulas into dq, dk, dv, for arrays of one batch size: the batch split over the
    threads."""
    def part(lo: int, hi: int) -> None:
        w, gp = wt[lo:hi], g[lo:hi]
        np.matmul(w, gp, out=dv[lo:hi])
        dzt = np.matmul(v[lo:hi], np.swapaxes(gp, -1, -2))
        scores_grad_t_(dzt, w, scale)
        np.matmul(np.swapaxes(dzt, -1, -2), k[lo:hi], out=dq[lo:hi])
        np.matmul(dzt, q[lo:hi], out=dk[lo:hi])
    for_ranges(part, len(wt), wt.size * 8)


@register(ScaledDotProductAttention)
def attention(op: ScaledDotProductAttention, g: Tensor) -> tuple:
    """dv = wᵀ g,  dz = w ⊙ (g vᵀ − Σ (g vᵀ ⊙ w))·s,  dq = dz k,  dk = dzᵀ q."""
    q, k, v = (x._data for x in op.inputs)
    need, wt, gd = op.needs_grad, op.wt, g._data
    if all(need) and q.ndim == 4 and q.shape[:2] == k.shape[:2] == v.shape[:2] == wt.shape[:2] \
            == gd.shape[:2]:                                      # the usual (N, heads, L, E): on the threads
        # each in its input's memory order: the view and transpose backward of heads split off a projection
        # then reshape it without a copy
        dq, dk, dv = (np.empty_like(x, np.result_type(x, gd)) for x in (q, k, v))
        _attention_grads(q, k, v, wt, gd, op.scale, dq, dk, dv)
        return Tensor._wrap(dq), Tensor._wrap(dk), Tensor._wrap(dv)
    dv = Tensor._wrap(np.matmul(wt, gd)) if need[2] else None
    if not (need[0] or need[1]):
        return None, None, dv
    dzt = np.matmul(v, np.swapaxes(gd, -1, -2))
    if dzt.shape != wt.shape:              # v broadcast against a mask with more batch dims
        dzt = np.array(np.broadcast_to(dzt, wt.shape))
    scores_grad_t_(dzt, wt, op.scale)
    dq = Tensor._wrap(np.matmul(np.swapaxes(dzt, -1, -2), k)) if need[0] else None
    dk = Tensor._wrap(np.matmul(dzt, q)) if need[1] else None
    return dq, dk, dv

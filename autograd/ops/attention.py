"""Scaled dot-product attention as one op: a transformer's attention is otherwise eight graph nodes (two
products, a scale, a mask, softmax's three passes), each a full pass over the (..., L, S) weights and each a
backward node. nn.functional.scaled_dot_product_attention uses it when there is no dropout."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..op import Op
from ..parallel import for_ranges, recordable
from ..tensor import Tensor
from .arithmetic import where
from .logits import softmax


@lru_cache(maxsize=16)
def _causal_mask(L: int, S: int, dtype: np.dtype) -> np.ndarray:
    """The (L, S) additive mask of is_causal: 0 where query i may see key j (j <= i), -inf above; read-only,
    made once per size."""
    m = np.where(np.tri(L, S, dtype=bool), 0.0, -np.inf).astype(dtype)
    m.flags.writeable = False
    return m


def _softmax_keys_(st: np.ndarray, mask_t: np.ndarray | None) -> np.ndarray:
    """softmax(sᵀ + maskᵀ) over axis -2 (the keys), in place in the transposed scores `st` (..., S, L); a
    query every key of which is masked gets zeros. Keys on axis -2 make each reduction a pass of whole
    contiguous rows (numpy reduces a short last axis row by row) and the scaling a broadcast along them.
    Works on any slice of the leading dims (with the mask sliced alike)."""
    if mask_t is not None:
        st += mask_t
    top = st.max(-2, keepdims=True)
    dead = None
    if mask_t is not None:
        dead = np.isneginf(top)
        if dead.any():
            top[dead] = 0
        else:
            dead = None
    st -= top
    np.exp(st, out=st)
    total = np.matmul(np.ones(st.shape[-2], st.dtype), st)[..., None, :]   # a BLAS pass, not a row reduce
    if dead is not None:
        total[dead] = 1                    # exp(-inf) = 0 for every key: 0 / 1, not 0 / 0
    np.divide(1, total, out=total)
    st *= total
    return st


def _transposed(mask: np.ndarray) -> np.ndarray:
    """A mask broadcasting to (..., L, S) as a C-contiguous one broadcasting to (..., S, L) (a strided operand
    would halve the speed of the add)."""
    m = mask.reshape((1,) * (2 - mask.ndim) + mask.shape)
    return np.ascontiguousarray(np.swapaxes(m, -1, -2))


def _scores_t(q: np.ndarray, k: np.ndarray, scale: float) -> np.ndarray:
    """(q kᵀ·scale)ᵀ = k qᵀ·scale, (..., S, L): the scores in the layout _softmax_keys_ works in."""
    st = np.matmul(k, np.swapaxes(q, -1, -2))
    st *= scale
    return st


def _batch_part(a: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """a's part of batch rows lo:hi of the weights (all of a if it broadcasts along the first dim)."""
    return a[lo:hi] if a.shape[0] != 1 else a


@recordable("st", "y")
def _attend(q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: float, mask_t: np.ndarray | None,
            st: np.ndarray, y: np.ndarray) -> None:
    """st = softmax over keys of (k qᵀ·scale + maskᵀ), y = stᵀ v, for 4-D q, k, v of one batch size: the
    batch split over the threads (a mask of 4 dims sliced alike)."""
    def part(lo: int, hi: int) -> None:
        s = st[lo:hi]
        np.matmul(k[lo:hi], np.swapaxes(q[lo:hi], -1, -2), out=s)
        s *= scale
        m = mask_t if mask_t is None or mask_t.ndim < 4 else _batch_part(mask_t, lo, hi)
        _softmax_keys_(s, m)
        np.matmul(np.swapaxes(s, -1, -2), v[lo:hi], out=y[lo:hi])
    for_ranges(part, len(st), st.size * 8)


class ScaledDotProductAttention(Op):
    """y = w v, w = softmax(q kᵀ·s + m)    dv = wᵀg, dz = w ⊙ (g vᵀ − Σⱼ g vᵀ ⊙ w), dq = dz k·s, dk = dzᵀ q·s
    m: 0 / -inf or added floats; a fully masked row of w is 0. One node for the whole attention; w is kept
    from the forward (as wᵀ) for the array kernel of a plain backward."""
    def forward(self, q, k, v, *, scale, mask):
        self.scale, self.mask = scale, mask
        mask_t = None if mask is None else _transposed(mask)
        if q.ndim == 4 and q.shape[0] == k.shape[0] == v.shape[0] and q.shape[1] == k.shape[1] == v.shape[1] \
                and (mask is None or np.broadcast_shapes(mask.shape, q.shape[:-1] + k.shape[-2:-1])
                     == q.shape[:-1] + k.shape[-2:-1]):          # the usual (N, heads, L, E): on the threads
            self.wt = np.empty(k.shape[:-1] + q.shape[-2:-1], np.result_type(q, k))
            # in q's memory order, as PyTorch's: heads split off an (N, L, C) projection give an (N, L, heads, E)
            # layout, so the usual y.transpose(1, 2).reshape(N, L, C) after it is a view, not a copy
            y = np.empty_like(q, np.result_type(self.wt, v), shape=q.shape[:-1] + v.shape[-1:])
            _attend(q, k, v, scale, mask_t, self.wt, y)
            return y
        st = _scores_t(q, k, scale)
        if mask is not None:
            full = np.broadcast_shapes(st.shape, mask_t.shape)
            if full != st.shape:           # a mask with more batch dims than q and k: the weights take them
                st = np.array(np.broadcast_to(st, full))
        self.wt = _softmax_keys_(st, mask_t)
        return np.matmul(np.swapaxes(self.wt, -1, -2), v)

    def backward(self, g):
        q, k, v = self.inputs
        s = (q @ k.mT) * self.scale
        if self.mask is None:
            w = softmax(s, -1)
        else:
            s = s + Tensor._wrap(self.mask)
            dead = np.isneginf(s._data).all(-1, keepdims=True)
            w = where(dead, 0.0, softmax(where(dead, 0.0, s), -1)) if dead.any() else softmax(s, -1)
        dz = g @ v.mT
        dz = w * (dz - (dz * w).sum(-1, keepdim=True))
        return (dz @ k) * self.scale, (dz.mT @ q) * self.scale, w.mT @ g

    def release(self) -> None:
        super().release()
        self.wt = None                     # (..., S, L): freed with the inputs


def _scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor, scale: float,
                                 mask: np.ndarray | None = None) -> Tensor:
    """softmax(q kᵀ·scale + mask) v for checked tensors; `mask` an additive float array broadcasting to
    (..., L, S) or None."""
    return ScaledDotProductAttention.apply(q, k, v, scale=scale, mask=mask)

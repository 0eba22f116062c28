"""Scaled dot-product attention as one op: a transformer's attention is otherwise eight graph nodes (two
products, a scale, a mask, softmax's three passes), each a full pass over the (..., L, S) weights and each a
backward node. nn.functional.scaled_dot_product_attention uses it when there is no dropout."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..op import Op
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


def _weights(s: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """softmax(s + mask) over the last dim, in place in `s`; a row every key of which is masked gives zeros."""
    if mask is not None:
        s += mask
    top = s.max(-1, keepdims=True)
    dead = None
    if mask is not None:
        dead = np.isneginf(top)
        if dead.any():
            top[dead] = 0
        else:
            dead = None
    s -= top
    np.exp(s, out=s)
    total = s.sum(-1, keepdims=True)
    if dead is not None:
        total[dead] = 1                    # exp(-inf) = 0 everywhere in the row: 0 / 1, not 0 / 0
    s /= total
    return s


class ScaledDotProductAttention(Op):
    """y = w v, w = softmax(q kᵀ·s + m)    dv = wᵀg,  dz = w ⊙ (g vᵀ − Σⱼ g vᵀ ⊙ w),  dq = dz k·s,  dk = dzᵀ q·s
    m: 0 / -inf or added floats; a fully masked row of w is 0. One node for the whole attention; w is kept
    from the forward for the array kernel of a plain backward."""
    def forward(self, q, k, v, *, scale, mask):
        self.scale, self.mask = scale, mask
        s = np.matmul(q, np.swapaxes(k, -1, -2))
        s *= scale
        if mask is not None:
            full = np.broadcast_shapes(s.shape, mask.shape)
            if full != s.shape:            # a mask with more batch dims than q and k: the weights take them
                s = np.array(np.broadcast_to(s, full))
        self.w = _weights(s, mask)
        return np.matmul(self.w, v)

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
        self.w = None                      # (..., L, S): freed with the inputs


def _scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor, scale: float,
                                 mask: np.ndarray | None = None) -> Tensor:
    """softmax(q kᵀ·scale + mask) v for checked tensors; `mask` an additive float array broadcasting to
    (..., L, S) or None."""
    return ScaledDotProductAttention.apply(q, k, v, scale=scale, mask=mask)

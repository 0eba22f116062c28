"""scaled_dot_product_attention: PyTorch's masks, causal flag, scale, dropout and grouped-query heads."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.ops.attention import _causal_mask as causal_mask
from autograd.ops.attention import _scaled_dot_product_attention as _attention
from autograd.tensor import as_tensor

from .layers import dropout


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q kᵀ·scale + mask) v over the last two dims, scale = 1/√E by default. attn_mask: bool
    (True = takes part) or float (added), broadcast to (..., L, S); is_causal: query i sees keys 0..i. A row
    whose every key is masked gives zeros (and zero gradients), as PyTorch 2.5+ does. enable_gqa: key/value
    heads (dim -3) are repeated to match the query's, each serving query_heads / kv_heads consecutive ones."""
    q, k, v = as_tensor(query), as_tensor(key), as_tensor(value)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(f"scaled_dot_product_attention: query, key and value need at least 2 dims "
                           f"(..., L, E), got shapes {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: query (..., L, E) {tuple(q.shape)}, key "
                           f"(..., S, E) {tuple(k.shape)} and value (..., S, Ev) {tuple(v.shape)} "
                           f"do not agree")
    if not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(f"scaled_dot_product_attention: query, key and value must have the same dtype, "
                           f"got {q.dtype}, {k.dtype} and {v.dtype}")
    if q.dtype.kind != "f":
        raise RuntimeError(f"scaled_dot_product_attention: query, key and value must be floating point, "
                           f"got {q.dtype}")
    if attn_mask is not None and np.ndim(getattr(attn_mask, "_data", attn_mask)) < 2 \
            and not getattr(attn_mask, "requires_grad", False) and _flash_shapes(q, k, v, dropout_p, enable_gqa):
        raise IndexError(f"scaled_dot_product_attention: attn_mask of shape {tuple(np.shape(attn_mask))} "
                         f"with a 4-D query: PyTorch needs at least 2 dims (L, S) here, e.g. "
                         f"attn_mask.expand(L, S)")
    if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        k, v = _repeat_heads(k, q.shape[-3]), _repeat_heads(v, q.shape[-3])
    if dropout_p > 1:                        # a negative p is no dropout, in PyTorch too
        raise RuntimeError(f"scaled_dot_product_attention: dropout_p must be between 0 and 1, got {dropout_p}")
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:                        # E = 0: q kᵀ is 0 whatever the scale; PyTorch gives uniform weights
        scale = 1.0 / math.sqrt(q.shape[-1]) if q.shape[-1] else 1.0
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    m = Tensor._wrap(causal_mask(L, S, np.dtype(q.dtype))) if is_causal else None
    if attn_mask is not None:
        m = attn_mask if isinstance(attn_mask, Tensor) else Tensor._wrap(np.asarray(attn_mask))
        if m.dtype == np.bool_:
            m = Tensor._wrap(np.where(m._data, 0.0, -np.inf).astype(q.dtype))
        elif m.dtype.kind != "f" or m.dtype not in (np.float32, q.dtype):   # PyTorch's rule: float32 or q's
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask must be bool, float32 or the "
                               f"query's dtype ({q.dtype}), got {m.dtype}")
        want = (*np.broadcast_shapes(q.shape[:-2], k.shape[:-2]), L, S)
        try:
            fits = np.broadcast_shapes(m.shape, want) == want      # the mask may not add dims: PyTorch's
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask of shape {tuple(m.shape)} does not "
                               f"broadcast to the attention weights' shape "
                               f"{want} (..., L, S)")
    if dropout_p <= 0 and S and (m is None or not m.requires_grad):   # one node: ops/attention.py
        return _attention(q, k, v, scale, None if m is None else m._data)
    s = (q @ k.mT) * scale
    if m is not None:
        s = s + m
        dead = np.isneginf(s._data).all(-1, keepdims=True)
        if dead.any():                       # fully masked rows: softmax of zeros, then zeroed; no nan
            w = ag.where(dead, 0.0, ag.softmax(ag.where(dead, 0.0, s), -1))
            return dropout(w, dropout_p) @ v if dropout_p > 0 else w @ v
    w = ag.softmax(s, -1)
    return dropout(w, dropout_p) @ v if dropout_p > 0 else w @ v


def _flash_shapes(q: Tensor, k: Tensor, v: Tensor, dropout_p: float, enable_gqa: bool) -> bool:
    """Whether PyTorch's CPU runs its flash kernel, which reads the mask's dims -2 and -1 (an IndexError for a
    mask of fewer dims): 4-D inputs of one batch size, the same heads (or grouped ones), no dropout (and a
    mask that needs no gradient)."""
    if not q.ndim == k.ndim == v.ndim == 4 or dropout_p > 0 or not q.shape[0] == k.shape[0] == v.shape[0]:
        return False
    heads = q.shape[1] == k.shape[1] or (enable_gqa and q.shape[1] % k.shape[1] == 0)
    return heads and k.shape[1] == v.shape[1] and q.shape[2] > 0 and k.shape[2] > 0


def _repeat_heads(x: Tensor, heads: int) -> Tensor:
    """(..., Hkv, S, E) -> (..., heads, S, E), each kv head repeated heads/Hkv times (repeat_interleave)."""
    hkv = x.shape[-3]
    if heads % hkv:
        raise RuntimeError(f"scaled_dot_product_attention: enable_gqa needs the query's heads ({heads}) "
                           f"to be a multiple of the key/value heads ({hkv})")
    lead, (s, e) = x.shape[:-3], x.shape[-2:]
    return x.unsqueeze(-3).expand(*lead, hkv, heads // hkv, s, e).reshape(*lead, heads, s, e)

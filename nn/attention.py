"""nn.MultiheadAttention with PyTorch's parameters (in_proj_weight, in_proj_bias, out_proj, or
q/k/v_proj_weight when kdim/vdim differ), masks and numbers. Heads are a reshape: (L, N, E) -> (N, heads, L,
E/heads), then one batched matmul per product."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.dtypes import get_default_dtype, to_dtype
from autograd.errors import ShapeError

from . import functional as F
from . import init
from .layers import Linear
from .module import Module, Parameter


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear (PyTorch names MultiheadAttention's out_proj so; the name shows in repr)."""


def _float_mask(mask: Any, name: str, dtype: np.dtype) -> Tensor | None:
    """PyTorch's canonical mask: bool (True = masked out) -> 0 / -inf floats; a float mask is added as it is.
    """
    if mask is None:
        return None
    m = mask if isinstance(mask, Tensor) else Tensor._wrap(np.asarray(mask))
    if m.dtype == np.bool_:
        return Tensor._wrap(np.where(m._data, -np.inf, 0.0).astype(dtype))
    check_mask_dtype(m, name)
    return m


def check_mask_dtype(mask: Any, name: str) -> None:
    """PyTorch's AssertionError for a mask that is neither bool nor floating."""
    m = ag.as_tensor(mask) if mask is not None else None
    if m is not None and m.dtype != np.bool_ and m.dtype.kind != "f":
        raise AssertionError(f"MultiheadAttention: only bool and floating types of {name} are supported, "
                             f"got {m.dtype}")


class MultiheadAttention(Module):
    """Attention from query to key/value with num_heads heads of embed_dim / num_heads dims each (Vaswani et
    al., 2017). forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False) -> (output, weights or None). Inputs (L, N, E), (N, L, E) if
    batch_first, or unbatched (L, E). Masks follow PyTorch: bool True means "may not attend"; floats are
    added."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        if embed_dim % num_heads:
            raise AssertionError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by "
                                 f"num_heads ({num_heads})")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.batch_first = batch_first
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        self.add_zero_attn = add_zero_attn
        dt = get_default_dtype() if dtype is None else to_dtype(dtype)
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dt))
            for n in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(n, None)
        else:
            self.q_proj_weight = Parameter(np.empty((embed_dim, embed_dim), dtype=dt))
            self.k_proj_weight = Parameter(np.empty((embed_dim, self.kdim), dtype=dt))
            self.v_proj_weight = Parameter(np.empty((embed_dim, self.vdim), dtype=dt))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty(3 * embed_dim, dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dt)
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, embed_dim), dtype=dt))
            self.bias_v = Parameter(np.empty((1, 1, embed_dim), dtype=dt))
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """Xavier-uniform projections, zero in-projection and output biases, Xavier-normal bias_k/bias_v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None, average_attn_weights: bool = True,
                is_causal: bool = False, *, _fused: bool | None = None) -> tuple[Tensor, Tensor | None]:
        fused = _fused if _fused is not None else \
            self._fused_inference(query, key, value, key_padding_mask, attn_mask)
        q_in, k_in, v_in = ag.as_tensor(query), ag.as_tensor(key), ag.as_tensor(value)
        E, H, hd = self.embed_dim, self.num_heads, self.head_dim
        batched = self._check_shapes(q_in, k_in, v_in, key_padding_mask, attn_mask)
        if not batched:                                # one sequence: a batch of one, batch-first
            q_in, k_in, v_in = q_in.unsqueeze(0), k_in.unsqueeze(0), v_in.unsqueeze(0)
            if key_padding_mask is not None:
                key_padding_mask = ag.as_tensor(key_padding_mask).unsqueeze(0)
        bf = self.batch_first or not batched
        n, L, S = q_in.shape[0 if bf else 1], q_in.shape[1 if bf else 0], k_in.shape[1 if bf else 0]
        kpm = _float_mask(key_padding_mask, "key_padding_mask", q_in.dtype)
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: Need attn_mask if specifying the is_causal hint. You "
                               "may use the Transformer module method `generate_square_subsequent_mask` to "
                               "create this mask.")
        if is_causal and kpm is None and not need_weights and not fused:
            mask = None                                # the hint stands for the mask: sdpa's causal path
        else:
            mask, is_causal = _float_mask(attn_mask, "attn_mask", q_in.dtype), False
        if mask is not None:                           # (L, S) or (N·H, L, S) -> broadcasts to (N, H, L, S)
            if mask.ndim == 2 and tuple(mask.shape) != (L, S):
                raise RuntimeError(f"MultiheadAttention: The shape of the 2D attn_mask is "
                                   f"{tuple(mask.shape)}, "
                                   f"but should be {(L, S)}.")
            if mask.ndim == 3 and tuple(mask.shape) != (n * H, L, S):
                raise RuntimeError(f"MultiheadAttention: The shape of the 3D attn_mask is "
                                   f"{tuple(mask.shape)}, "
                                   f"but should be {(n * H, L, S)}.")
            mask = mask.reshape(n, H, L, S) if mask.ndim == 3 else mask
        if kpm is not None and tuple(kpm.shape) != (n, S):
            raise AssertionError(f"MultiheadAttention: expected key_padding_mask of shape {(n, S)}, got "
                               f"{tuple(kpm.shape)}")
        q, k, v = self._project(q_in, k_in, v_in)
        heads = (lambda t: t.reshape(n, -1, H, hd).permute(0, 2, 1, 3)) if bf else \
                (lambda t: t.reshape(-1, n, H, hd).permute(1, 2, 0, 3))
        q, k, v = heads(q), heads(k), heads(v)         # (N, H, L or S, hd)
        pads = 0
        if self.bias_k is not None:                    # one learned key/value appended to every sequence
            k = ag.cat([k, self.bias_k.reshape(1, H, 1, hd).expand(n, H, 1, hd)], 2)
            v = ag.cat([v, self.bias_v.reshape(1, H, 1, hd).expand(n, H, 1, hd)], 2)
            pads += 1
        if self.add_zero_attn:
            z = ag.zeros(n, H, 1, hd, dtype=q.dtype)
            k, v, pads = ag.cat([k, z], 2), ag.cat([v, z], 2), pads + 1
        if pads:
            mask = None if mask is None else F.pad(mask, (0, pads))
            kpm = None if kpm is None else F.pad(kpm, (0, pads))
        if kpm is not None:
            kpm = kpm.reshape(n, 1, 1, -1)
            mask = kpm if mask is None else mask + kpm
        if mask is not None and mask.dtype != q.dtype and need_weights:     # as PyTorch's baddbmm there
            raise RuntimeError(f"MultiheadAttention: a float mask of dtype {mask.dtype} for {q.dtype} query, "
                               f"key and value (need_weights=True): give the mask the same dtype")
        p = self.dropout if self.training else 0.0
        if need_weights or fused:                      # fused: PyTorch's inference kernels give nan rows too
            s = (q * math.sqrt(1.0 / hd)) @ k.mT
            w = ag.softmax(s if mask is None else s + mask, -1)    # a fully masked row: nan, as PyTorch here
            if p > 0:
                w = F.dropout(w, p)
            out = w @ v
            weights = (w.mean(1) if average_attn_weights else w) if need_weights else None
        else:
            out = F.scaled_dot_product_attention(q, k, v, mask, p, is_causal)
            weights = None
        out = out.permute(0, 2, 1, 3).reshape(n, L, E) if bf else out.permute(2, 0, 1, 3).reshape(L, n, E)
        out = self.out_proj(out)
        if not batched:
            return out.squeeze(0), None if weights is None else weights.squeeze(0)
        return out, weights

    def _fused_inference(self, query: Any, key: Any, value: Any, kpm: Any, mask: Any) -> bool:
        """Whether PyTorch runs its fused inference kernel here (self-attention in eval mode without
        gradients, batch_first, bool masks, ...): the same numbers, except nan, not zeros, for a fully masked
        row."""
        if self.training or not (query is key is value) or ag.as_tensor(query).ndim != 3 \
                or not self.batch_first or self.num_heads % 2 or self.bias_k is not None \
                or self.add_zero_attn or self.in_proj_bias is None or not self._qkv_same_embed_dim:
            return False
        if any(m is not None and ag.as_tensor(m).dtype.kind == "f" for m in (kpm, mask)):
            return False
        args = (ag.as_tensor(query), self.in_proj_weight, self.in_proj_bias, self.out_proj.weight,
                self.out_proj.bias)
        return not (ag.is_grad_enabled() and any(a is not None and a.requires_grad for a in args))

    def _project(self, q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        E, b = self.embed_dim, self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        if not self._qkv_same_embed_dim:
            return (F.linear(q, self.q_proj_weight, bq), F.linear(k, self.k_proj_weight, bk),
                    F.linear(v, self.v_proj_weight, bv))
        w = self.in_proj_weight
        if q is k and k is v:                          # self-attention: one matmul for all three
            return F.linear(q, w, b).chunk(3, -1)
        return F.linear(q, w[:E], bq), F.linear(k, w[E:2 * E], bk), F.linear(v, w[2 * E:], bv)

    def _check_shapes(self, q: Tensor, k: Tensor, v: Tensor, kpm: Any, mask: Any) -> bool:
        """PyTorch's _mha_shape_check and input checks, with its AssertionErrors."""
        def fail(msg: str) -> AssertionError:
            return AssertionError(f"MultiheadAttention: {msg}")
        if q.ndim not in (2, 3):
            raise fail(f"query should be unbatched 2D or batched 3D tensor but received {q.ndim}-D query "
                       f"tensor (shape {tuple(q.shape)})")
        if k.ndim != q.ndim or v.ndim != q.ndim:
            raise fail(f"for a {q.ndim}-D query, expected key and value to be {q.ndim}-D but found "
                       f"{k.ndim}-D and {v.ndim}-D tensors "
                       f"(shapes {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)})")
        kpm_nd = None if kpm is None else ag.as_tensor(kpm).ndim
        if kpm_nd is not None and kpm_nd != q.ndim - 1:
            raise fail(f"for a {q.ndim}-D query, expected key_padding_mask to be None or {q.ndim - 1}-D but "
                       f"found a {kpm_nd}-D tensor")
        m = None if mask is None else ag.as_tensor(mask)
        if m is not None and m.ndim not in (2, 3):
            raise fail(f"for a {q.ndim}-D query, expected attn_mask to be None, 2-D or 3-D but found a "
                       f"{m.ndim}-D tensor (shape {tuple(m.shape)})")
        if m is not None and m.ndim == 3 and q.ndim == 2 and \
                tuple(m.shape) != (self.num_heads, q.shape[0], k.shape[0]):
            raise fail(f"expected attn_mask shape to be {(self.num_heads, q.shape[0], k.shape[0])} but got "
                       f"{tuple(m.shape)}")
        if q.shape[-1] != self.embed_dim:
            raise fail(f"was expecting embedding dimension of {self.embed_dim}, but got {q.shape[-1]} "
                       f"(query shape {tuple(q.shape)})")
        if (k.shape[:-1] if not self._qkv_same_embed_dim else k.shape) != \
                (v.shape[:-1] if not self._qkv_same_embed_dim else v.shape):
            raise fail(f"key shape {tuple(k.shape)} does not match value shape {tuple(v.shape)}")
        b = 0 if self.batch_first else 1
        if q.ndim == 3 and k.shape[b] != q.shape[b]:
            raise ShapeError(f"MultiheadAttention: query {tuple(q.shape)} and key {tuple(k.shape)} have "
                             f"different batch sizes (dim {b}, batch_first={self.batch_first})")
        if k.shape[-1] != self.kdim or v.shape[-1] != self.vdim:
            raise ShapeError(f"MultiheadAttention: expected key and value with last dims {self.kdim}, "
                             f"{self.vdim} (kdim, vdim), got shapes {tuple(k.shape)}, {tuple(v.shape)}")
        return q.ndim == 3

    def extra_repr(self) -> str:
        return ""


def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
    """The causal mask: -inf above the diagonal, 0 on and below it (position i sees 0..i), as a float (sz,
    sz)."""
    dt = get_default_dtype() if dtype is None else to_dtype(dtype)
    return Tensor._wrap(np.triu(np.full((sz, sz), -np.inf, dtype=dt), 1))

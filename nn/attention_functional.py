"""F.multi_head_attention_forward (torch.nn.functional's name): nn.MultiheadAttention's forward over
weights passed as arguments. It lives beside the module, not in nn/functional, because it runs the
module's own code."""
from __future__ import annotations

from typing import Any

from autograd import Tensor

from . import functional as F
from .attention import MultiheadAttention


class _GivenWeights:
    """MultiheadAttention's forward over weights passed as arguments (F.multi_head_attention_forward):
    the same code, sequence-first, never PyTorch's fused inference path (only the module takes that)."""

    forward = MultiheadAttention.forward
    _check_shapes = MultiheadAttention._check_shapes
    _project = MultiheadAttention._project
    batch_first = False

    def __init__(self, embed_dim: int, num_heads: int, weights: dict[str, Any], separate: bool,
                 add_zero_attn: bool, dropout_p: float, training: bool) -> None:
        if num_heads <= 0 or embed_dim % num_heads:
            raise AssertionError(f"multi_head_attention_forward: embed_dim {embed_dim} not divisible by "
                                 f"num_heads {num_heads}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.__dict__.update(weights)
        self._qkv_same_embed_dim = not separate
        if separate:
            if any(weights[n] is None for n in ("q_proj_weight", "k_proj_weight", "v_proj_weight")):
                raise AssertionError("multi_head_attention_forward: use_separate_proj_weight is True but "
                                     "q_proj_weight, k_proj_weight or v_proj_weight is None")
            self.kdim, self.vdim = self.k_proj_weight.shape[1], self.v_proj_weight.shape[1]
        else:
            if self.in_proj_weight is None:
                raise AssertionError("multi_head_attention_forward: use_separate_proj_weight is False but "
                                     "in_proj_weight is None")
            self.kdim = self.vdim = embed_dim
        self.add_zero_attn, self.dropout, self.training = add_zero_attn, dropout_p, training

    def out_proj(self, x: Tensor) -> Tensor:
        return F.linear(x, self.out_proj_weight, self.out_proj_bias)


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int,
                                 num_heads: int, in_proj_weight: Tensor | None, in_proj_bias: Tensor | None,
                                 bias_k: Tensor | None, bias_v: Tensor | None, add_zero_attn: bool,
                                 dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Tensor | None,
                                 training: bool = True, key_padding_mask: Any = None,
                                 need_weights: bool = True, attn_mask: Any = None,
                                 use_separate_proj_weight: bool = False,
                                 q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
                                 v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
                                 static_v: Tensor | None = None, average_attn_weights: bool = True,
                                 is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """nn.MultiheadAttention's computation with its weights as arguments; inputs (L, N, E) or unbatched
    (L, E). Returns (output, weights or None)."""
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k and static_v are not supported in "
                                  "chainrule; project the keys and values with k_proj_weight/v_proj_weight")
    weights = dict(in_proj_weight=in_proj_weight, in_proj_bias=in_proj_bias, bias_k=bias_k, bias_v=bias_v,
                   out_proj_weight=out_proj_weight, out_proj_bias=out_proj_bias, q_proj_weight=q_proj_weight,
                   k_proj_weight=k_proj_weight, v_proj_weight=v_proj_weight)
    mha = _GivenWeights(embed_dim_to_check, num_heads, weights, use_separate_proj_weight, add_zero_attn,
                        dropout_p, training)
    return mha.forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights,
                       is_causal, _fused=False)

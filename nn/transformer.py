"""Transformer layers with PyTorch's submodule names (self_attn, linear1, linear2, norm1..., layers.0...), so
state_dicts load both ways: TransformerEncoderLayer/Encoder, TransformerDecoderLayer/Decoder and Transformer.
PyTorch's inference fast path computes the same numbers, except that its encoder's nested tensors return zeros
at the padded positions: TransformerEncoder does that too, under the same conditions (`_nested_padding`)."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor

from . import functional as F
from . import init
from .attention import MultiheadAttention, check_mask_dtype, generate_square_subsequent_mask
from .container import ModuleList
from .layers import GELU, Dropout, Linear, ReLU
from .module import Module
from .norm import LayerNorm


def _activation(activation: str | Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if isinstance(activation, str) or not callable(activation):
        raise RuntimeError(f"activation should be relu/gelu, not {activation}")
    return activation


def _relu_or_gelu(activation: Any) -> bool:
    return activation in (F.relu, F.gelu) or isinstance(activation, (ReLU, GELU))


def _is_causal(mask: Any, is_causal: bool | None, size: int) -> bool:
    """PyTorch's _detect_is_causal_mask: an explicit hint wins; else a mask equal to the causal mask counts.
    """
    if is_causal is not None or mask is None:
        return bool(is_causal)
    m = ag.as_tensor(mask)
    if tuple(m.shape) != (size, size):
        return False
    causal = np.triu(np.ones((size, size), dtype=bool), 1)
    return bool(np.array_equal(m._data, causal if m.dtype == np.bool_ else np.where(causal, -np.inf, 0.0)))


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward block, each with dropout, a residual connection and LayerNorm (after
    the residual, or before the block if norm_first). forward(src, src_mask=None, src_key_padding_mask=None,
    is_causal=False)."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        self.activation = _activation(activation)
        act = self.activation                           # PyTorch's flag for its fused kernel: 1 relu, 2 gelu
        self.activation_relu_or_gelu = 1 if act is F.relu or isinstance(act, ReLU) else \
            2 if act is F.gelu or isinstance(act, GELU) else 0

    def forward(self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:
        check_mask_dtype(src_key_padding_mask, "src_key_padding_mask")
        check_mask_dtype(src_mask, "src_mask")
        x = ag.as_tensor(src)
        fused = self._fused_inference(x)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal, fused)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal, fused))
        return self.norm2(x + self._ff_block(x))

    def _fused_inference(self, src: Tensor) -> bool:
        """Whether PyTorch runs its fused inference kernel for this layer (eval mode without gradients,
        batch_first, ...): the same numbers, except nan rather than zeros for a fully masked row."""
        sa = self.self_attn
        if src.ndim != 3 or self.training or not sa.batch_first or sa.in_proj_bias is None or \
                not sa._qkv_same_embed_dim or not _relu_or_gelu(self.activation) or \
                self.norm1.eps != self.norm2.eps or sa.num_heads % 2:
            return False
        return not (ag.is_grad_enabled() and any(p.requires_grad for p in (src, *self.parameters())))

    def _sa_block(self, x: Tensor, mask: Any, kpm: Any, is_causal: bool, fused: bool = False) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False,
                           is_causal=is_causal, _fused=fused)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """Self-attention, attention to the encoder's output (memory), then a feed-forward block; each with
    dropout, a residual connection and LayerNorm. forward(tgt, memory, tgt_mask, memory_mask,
    tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal=False, memory_is_causal=False)."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                 batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1, self.dropout2, self.dropout3 = Dropout(dropout), Dropout(dropout), Dropout(dropout)
        self.activation = _activation(activation)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        x = ag.as_tensor(tgt)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask,
                                    memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, mask: Any, kpm: Any, is_causal: bool) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _mha_block(self, x: Tensor, mem: Tensor, mask: Any, kpm: Any, is_causal: bool) -> Tensor:
        x = self.multihead_attn(x, mem, mem, attn_mask=mask, key_padding_mask=kpm, need_weights=False,
                                is_causal=is_causal)[0]
        return self.dropout2(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _seq_len(x: Tensor, batch_first: bool) -> int:
    return x.shape[0] if x.ndim == 2 else x.shape[1 if batch_first else 0]


class TransformerEncoder(Module):
    """num_layers deep copies of encoder_layer (layers.0, layers.1, ...), then an optional norm.
    forward(src, mask=None, src_key_padding_mask=None, is_causal=None)."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check
        sa = encoder_layer.self_attn if isinstance(encoder_layer, TransformerEncoderLayer) else None
        self.use_nested_tensor = bool(
            enable_nested_tensor and sa is not None and not encoder_layer.norm_first and sa.batch_first
            and sa._qkv_same_embed_dim and sa.in_proj_bias is not None and sa.num_heads % 2 == 0
            and _relu_or_gelu(encoder_layer.activation)
            and encoder_layer.norm1.eps == encoder_layer.norm2.eps)

    def forward(self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        check_mask_dtype(src_key_padding_mask, "src_key_padding_mask")
        check_mask_dtype(mask, "mask")
        out = ag.as_tensor(src)
        first = self.layers[0] if len(self.layers) else None
        bf = bool(first is not None and first.self_attn.batch_first)
        causal = _is_causal(mask, is_causal, _seq_len(out, bf))
        pad = self._nested_padding(out, mask, src_key_padding_mask)
        for layer in self.layers:
            out = layer(out, src_mask=mask, is_causal=causal, src_key_padding_mask=src_key_padding_mask)
        if pad is not None:
            out = ag.where(pad[..., None], 0.0, out)
        return out if self.norm is None else self.norm(out)

    def _nested_padding(self, src: Tensor, mask: Any, kpm: Any) -> np.ndarray | None:
        """The padded positions (N, S) where PyTorch's inference fast path (nested tensors) returns zeros: in
        eval mode without gradients, batch_first, a key padding mask whose kept keys lead each row, no
        mask."""
        if not self.use_nested_tensor or kpm is None or mask is not None or src.ndim != 3 or \
                self.layers[0].training:
            return None
        first = self.layers[0]
        sa = first.self_attn
        args = [src, sa.in_proj_weight, sa.in_proj_bias, sa.out_proj.weight, sa.out_proj.bias,
                first.norm1.weight, first.norm1.bias, first.norm2.weight, first.norm2.bias,
                first.linear1.weight, first.linear1.bias, first.linear2.weight, first.linear2.bias]
        if ag.is_grad_enabled() and any(a is not None and a.requires_grad for a in args):
            return None
        pad = np.asarray(ag.as_tensor(kpm)._data != 0)
        if (np.diff(pad.astype(np.int8), axis=-1) < 0).any():  # a kept key after a padded one: not nested
            return None
        return pad


class TransformerDecoder(Module):
    """num_layers deep copies of decoder_layer, then an optional norm. forward(tgt, memory, tgt_mask,
    memory_mask, tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal=None, memory_is_causal=False).
    """

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int,
                 norm: Module | None = None) -> None:
        super().__init__()
        self.layers = ModuleList([copy.deepcopy(decoder_layer) for _ in range(num_layers)])
        self.num_layers, self.norm = num_layers, norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        out = ag.as_tensor(tgt)
        first = self.layers[0] if len(self.layers) else None
        bf = bool(first is not None and first.self_attn.batch_first)
        causal = _is_causal(tgt_mask, tgt_is_causal, _seq_len(out, bf))
        for layer in self.layers:
            out = layer(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask,
                        memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=causal, memory_is_causal=memory_is_causal)
        return out if self.norm is None else self.norm(out)


class Transformer(Module):
    """The encoder-decoder of Vaswani et al. (2017): encoder and decoder stacks, each ending in a LayerNorm;
    every weight matrix re-initialised Xavier-uniform, as PyTorch. forward(src, tgt, src_mask, tgt_mask,
    memory_mask, src_key_padding_mask, tgt_key_padding_mask, memory_key_padding_mask, ...) -> decoder output.
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = F.relu, custom_encoder: Module | None = None,
                 custom_decoder: Module | None = None, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first,
                bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(TransformerEncoderLayer(*args, dtype=dtype), num_encoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(TransformerDecoderLayer(*args, dtype=dtype), num_decoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Any = None, tgt_mask: Any = None,
                memory_mask: Any = None, src_key_padding_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, src_is_causal: bool | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        src, tgt = ag.as_tensor(src), ag.as_tensor(tgt)
        if src.ndim == 3 and tgt.ndim == 3 and src.shape[0 if self.batch_first else 1] != \
                tgt.shape[0 if self.batch_first else 1]:
            raise RuntimeError(f"Transformer: the batch number of src and tgt must be equal, got shapes "
                               f"{tuple(src.shape)} and {tuple(tgt.shape)}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(f"Transformer: the feature number of src and tgt must be equal to d_model "
                               f"({self.d_model}), got shapes {tuple(src.shape)} and {tuple(tgt.shape)}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask: -inf above the diagonal, 0 on and below it."""
        return generate_square_subsequent_mask(sz, device, dtype)

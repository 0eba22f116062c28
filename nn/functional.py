"""torch.nn.functional's stateless functions: activations, losses, dropout, linear. The layers in nn call these,
so a layer and its functional form can never disagree."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor, guards
from autograd.ops.attention import _causal_mask as causal_mask
from autograd.ops.attention import _scaled_dot_product_attention as _attention
from autograd.ops.linalg import Linear
from autograd.ops.losses import BCEWithLogits, BinaryCrossEntropy
from autograd.random import generator
from autograd.tensor import as_tensor

_REDUCTIONS = ("mean", "sum", "none")


# -- activations ---------------------------------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return ag.relu(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return ag.leaky_relu(input, negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    return ag.gelu(input, approximate)


def sigmoid(input: Tensor) -> Tensor:
    return ag.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return ag.tanh(input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return input * ag.sigmoid(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return ag.softplus(input, beta, threshold)


def _softmax_dim(input: Tensor, dim: int | None) -> int:
    return dim if dim is not None else (0 if input.ndim in (0, 1, 3) else 1)   # PyTorch's legacy implicit dim


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    x = input if dtype is None else input.to(dtype)
    return ag.softmax(x, _softmax_dim(x, dim))


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    x = input if dtype is None else input.to(dtype)
    return ag.log_softmax(x, _softmax_dim(x, dim))


# -- layers as functions -------------------------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias, weight stored (out_features, in_features) as in PyTorch. One fused op."""
    x = as_tensor(input)
    xs, ws = x._data.shape, weight._data.shape           # no Tensor property calls (tiny MLP step: -1.3 % instructions)
    if len(ws) != 2 or not xs or xs[-1] != ws[1]:
        raise ValueError(f"linear: input of shape {tuple(x.shape)} needs its last dim to equal in_features = "
                         f"{ws[1] if len(ws) == 2 else '?'} of a weight of shape {tuple(weight.shape)} "
                         f"(out_features, in_features)")
    if x._data.dtype != weight._data.dtype and x._data.dtype.kind == "f":   # PyTorch raises; numpy would upcast
        raise RuntimeError(f"linear: mat1 and mat2 must have the same dtype, but got {x._data.dtype} input "
                           f"and {weight._data.dtype} weight: convert the input (e.g. x.float() for float32) "
                           "or the layer (layer.to(dtype), layer.double())")
    if x.grad_fn is None:
        guards.check_layer_input("linear", x, weight)   # uint8 / 0..255 data reaching the first layer
    if bias is None:
        return Linear.apply(x, weight)
    if bias._data.shape != ws[:1]:
        raise ValueError(f"linear: bias of shape {tuple(bias.shape)} does not match out_features {weight.shape[0]}")
    return Linear.apply(x, weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p), so the expected value is unchanged;
    the identity when not training. Random numbers come from autograd's seeded generator."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = _uniform_like(input._data) >= p
    mask = keep.astype(input.dtype) * (1.0 / (1.0 - p)) if input.dtype.kind == "f" else keep
    return input * Tensor._wrap(np.asarray(mask, dtype=input.dtype))


def _uniform_like(a: np.ndarray) -> np.ndarray:
    """Uniform float32 numbers in [0, 1) shaped like `a` and drawn in its memory order, so the dropout mask is laid
    out as `a` is: on a conv's batch-last output, mask and activations (and the gradient after them) are never
    read across each other (a conv-dropout net's step: 19.3 -> 13.4 ms). A row-major `a` gets the numbers it always
    got; any layout gets the same distribution."""
    order = sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))   # slowest-varying axis first
    r = generator().random(tuple(a.shape[i] for i in order), dtype=np.float32)
    return r.transpose(np.argsort(order))


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    return ag.one_hot(tensor, num_classes)


# -- attention -----------------------------------------------------------------------------------------------
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
                           f"(..., S, E) {tuple(k.shape)} and value (..., S, Ev) {tuple(v.shape)} do not agree")
    if not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(f"scaled_dot_product_attention: query, key and value must have the same dtype, "
                           f"got {q.dtype}, {k.dtype} and {v.dtype}")
    if attn_mask is not None and q.ndim == 4 and np.ndim(getattr(attn_mask, "_data", attn_mask)) < 2:
        raise IndexError(f"scaled_dot_product_attention: attn_mask of shape {tuple(np.shape(attn_mask))} "
                         f"with a 4-D query: PyTorch needs at least 2 dims (L, S) here, e.g. "
                         f"attn_mask.expand(L, S)")
    if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        k, v = _repeat_heads(k, q.shape[-3]), _repeat_heads(v, q.shape[-3])
    L, S = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    m = Tensor._wrap(causal_mask(L, S, np.dtype(q.dtype))) if is_causal else None
    if attn_mask is not None:
        m = attn_mask if isinstance(attn_mask, Tensor) else Tensor._wrap(np.asarray(attn_mask))
        if m.dtype == np.bool_:
            m = Tensor._wrap(np.where(m._data, 0.0, -np.inf).astype(q.dtype))
        elif m.dtype.kind != "f":
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask must be bool or floating, "
                               f"got {m.dtype}")
        try:
            np.broadcast_shapes(m.shape, (*np.broadcast_shapes(q.shape[:-2], k.shape[:-2]), L, S))
        except ValueError:
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask of shape {tuple(m.shape)} does not "
                               f"broadcast to the attention weights' shape "
                               f"{(*np.broadcast_shapes(q.shape[:-2], k.shape[:-2]), L, S)} (..., L, S)") from None
    if dropout_p <= 0 and (m is None or not m.requires_grad):   # one node: ops/attention.py
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


def _repeat_heads(x: Tensor, heads: int) -> Tensor:
    """(..., Hkv, S, E) -> (..., heads, S, E), each kv head repeated heads/Hkv times (repeat_interleave)."""
    hkv = x.shape[-3]
    if heads % hkv:
        raise ValueError(f"scaled_dot_product_attention: enable_gqa needs the query's heads ({heads}) to be "
                         f"a multiple of the key/value heads ({hkv})")
    lead, (s, e) = x.shape[:-3], x.shape[-2:]
    return x.unsqueeze(-3).expand(*lead, hkv, heads // hkv, s, e).reshape(*lead, heads, s, e)


# -- losses ----------------------------------------------------------------------------------------------------------
def _reduce(losses: Tensor, reduction: str, what: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"{what}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _same_shape(input: Tensor, target: Tensor, what: str, strict: bool) -> None:
    if input.shape == target.shape:
        return
    msg = (f"{what}: using a target of shape {tuple(target.shape)} with an input of shape {tuple(input.shape)}. "
           f"This will likely lead to incorrect results due to broadcasting; make them the same shape "
           f"(e.g. target.reshape({', '.join(map(str, input.shape))})).")
    if strict:
        raise ValueError(msg)
    guards.warn("loss_shape", msg)                # a ChainruleWarning at the user's line, once per line


def _floats(input: Tensor, target: Any) -> tuple[Tensor, Tensor]:
    x = as_tensor(input)
    t = as_tensor(target, like=x)
    if t.dtype.kind != "f" and x.dtype.kind == "f":
        t = Tensor._wrap(t._data.astype(x.dtype))
    return x, t


def cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None, size_average: Any = None,
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax + negative log-likelihood as one fused, stable op. target: class indices (N,) / (N, d1, ...)
    or class probabilities shaped like input. Backward is (softmax − target)/N."""
    x = as_tensor(input)
    if x._data.dtype.kind != "f":
        raise TypeError(f"cross_entropy: input (the logits, shape {tuple(x.shape)}) has dtype "
                        f"{x._data.dtype}, expected "
                        "floating-point scores: pass input.float()")
    t = target if isinstance(target, Tensor) else as_tensor(target)
    if t._data.dtype.kind == "f" and x.ndim >= 2 and t.shape == x.shape[:1] + x.shape[2:] and t.shape != x.shape:
        raise ValueError(f"cross_entropy: target of shape {tuple(t.shape)} holds {t._data.dtype} values, but class "
                         f"indices must be integers: pass target.long() (class probabilities would have the "
                         f"input's shape {tuple(x.shape)})")
    if t._data.dtype.kind == "f" and ignore_index != -100:
        raise RuntimeError(f"cross_entropy: ignore_index is not supported for floating point target (class "
                           f"probabilities), got ignore_index={ignore_index}")
    return ag.cross_entropy(x, t, weight=weight, ignore_index=ignore_index, reduction=reduction,
                            label_smoothing=label_smoothing)


def nll_loss(input: Tensor, target: Any, weight: Tensor | None = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """−input[i, target[i]] (input holds log-probabilities), weighted per class; 'mean' divides by the summed
    weights of the targets that were not ignored, as PyTorch."""
    x, t = as_tensor(input), as_tensor(target)
    guards.check_loss_input("nll_loss", x, log_probs=True)   # fed softmax output instead of log_softmax
    if reduction not in _REDUCTIONS:
        raise ValueError(f"nll_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if x.ndim == 0:
        raise ValueError("nll_loss: input must be (C,), (N, C) or (N, C, d1, ...), got a scalar")
    expected = tuple(x.shape[:1] + x.shape[2:]) if x.ndim >= 2 else ()
    if t.shape != expected or t.dtype.kind not in "iu":
        raise ValueError(f"nll_loss: input of shape {tuple(x.shape)} needs a target of class indices "
                         "(integers) of shape "
                         f"{expected}, got target of shape {tuple(t.shape)} and dtype {t.dtype}")
    c = x.shape[1] if x.ndim >= 2 else x.shape[0]
    keep = t._data != ignore_index
    bad = keep & ((t._data < 0) | (t._data >= c))
    if bad.any():
        raise IndexError(f"nll_loss: target class {int(t._data[bad].flat[0])} is out of range for {c} classes "
                         f"(input shape {tuple(x.shape)}); classes are 0..{c - 1}")
    rows = x.reshape(1, c) if x.ndim == 1 else x if x.ndim == 2 else x.permute(0, *range(2, x.ndim), 1).reshape(-1, c)
    idx = np.where(keep, t._data, 0).reshape(-1)
    w = np.ones(c, dtype=x.dtype) if weight is None else np.asarray(as_tensor(weight)._data, dtype=x.dtype)
    if w.shape != (c,):
        raise ValueError(f"nll_loss: weight must have shape ({c},), one per class; got {tuple(w.shape)}")
    scale = w[idx] * keep.reshape(-1)
    losses = -rows[np.arange(len(idx)), idx] * Tensor._wrap(scale)
    if reduction == "none":
        return losses.reshape(expected)
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / float(scale.sum())


def mse_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    x, t = _floats(input, target)
    _same_shape(x, t, "mse_loss", strict=False)
    d = x - t
    return _reduce(d * d, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean") -> Tensor:
    x, t = _floats(input, target)
    _same_shape(x, t, "l1_loss", strict=False)
    return _reduce((x - t).abs(), reduction, "l1_loss")


def smooth_l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    x, t = _floats(input, target)
    _same_shape(x, t, "smooth_l1_loss", strict=False)
    d = (x - t).abs()
    if beta == 0:
        return _reduce(d, reduction, "smooth_l1_loss")
    return _reduce(ag.where(d._data < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction, "smooth_l1_loss")


def binary_cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """−(t·log p + (1 − t)·log(1 − p)) on probabilities p, each log clamped at −100 as PyTorch does.
    Prefer binary_cross_entropy_with_logits: it is stable where sigmoid saturates."""
    x, t = _floats(input, target)
    _same_shape(x, t, "binary_cross_entropy", strict=True)
    if x._data.size and (np.nanmin(x._data) < 0 or np.nanmax(x._data) > 1):
        raise ValueError(f"binary_cross_entropy: all elements of input should be between 0 and 1 (probabilities), "
                         f"got min {np.nanmin(x._data):.4g} and max {np.nanmax(x._data):.4g}; for raw scores use "
                         f"binary_cross_entropy_with_logits")
    losses = BinaryCrossEntropy.apply(x, t)
    if weight is not None:
        losses = losses * as_tensor(weight, like=x)
    return _reduce(losses, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Tensor | None = None,
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross-entropy as one stable op (log-sum-exp form): finite for logits of any size.
    pos_weight (one per class, broadcast over the last dim) weighs the positive term."""
    x, t = _floats(input, target)
    _same_shape(x, t, "binary_cross_entropy_with_logits", strict=True)
    if pos_weight is None:
        losses = BCEWithLogits.apply(x, t)
    else:
        pw = as_tensor(pos_weight, like=x)
        try:
            np.broadcast_shapes(pw.shape, x.shape)
        except ValueError:
            raise ValueError(f"binary_cross_entropy_with_logits: pos_weight of shape {tuple(pw.shape)} does "
                             "not broadcast "
                             f"with input of shape {tuple(x.shape)} (expected one weight per class, the "
                             "last dim)") from None
        losses = BCEWithLogits.apply(x, t, pw)
    if weight is not None:
        losses = losses * as_tensor(weight, like=x)
    return _reduce(losses, reduction, "binary_cross_entropy_with_logits")


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    x, t = _floats(input, target)
    _same_shape(x, t, "huber_loss", strict=False)
    d = (x - t).abs()
    return _reduce(ag.where(d._data < delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction, "huber_loss")



# -- convolution, pooling, normalization, embedding: the ops live in autograd/ops/conv.py, pool.py, norm.py ----
conv1d, conv2d, unfold, fold = ag.ops.conv1d, ag.ops.conv2d, ag.ops.unfold, ag.ops.fold
max_pool1d, max_pool2d = ag.ops.max_pool1d, ag.ops.max_pool2d
avg_pool1d, avg_pool2d = ag.ops.avg_pool1d, ag.ops.avg_pool2d
adaptive_avg_pool2d = ag.ops.adaptive_avg_pool2d
batch_norm, layer_norm, embedding = ag.ops.batch_norm, ag.ops.layer_norm, ag.ops.embedding


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """PyTorch's F.pad: widths for the last dim first, (left, right, top, bottom, ...); constant mode."""
    return ag.ops.pad(input, tuple(pad), mode, 0.0 if value is None else value)

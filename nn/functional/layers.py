"""Layers as functions: linear (one fused op), dropout, one_hot, pad, and the convolution, pooling,
normalization and embedding ops of autograd under their torch.nn.functional names."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor, guards
from autograd.errors import ShapeError
from autograd.ops.linalg import Linear
from autograd.random import generator
from autograd.tensor import as_tensor


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias, weight stored (out_features, in_features) as in PyTorch. One fused op."""
    x = as_tensor(input)
    xs, ws = x._data.shape, weight._data.shape           # arrays' shapes: no Tensor property calls
    if len(ws) != 2 or not xs or xs[-1] != ws[1]:
        raise ShapeError(f"linear: input of shape {tuple(x.shape)} needs its last dim to equal in_features = "
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
    read across each other. A row-major `a` gets the same numbers as a plain draw; any layout gets the same
    distribution."""
    order = sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))   # slowest-varying axis first
    r = generator().random(tuple(a.shape[i] for i in order), dtype=np.float32)
    return r.transpose(np.argsort(order))


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    return ag.one_hot(tensor, num_classes)



# -- convolution, pooling, normalization, embedding: the ops live in autograd/ops/conv.py, pool.py, norm.py ----
conv1d, conv2d, conv3d, unfold, fold = ag.ops.conv1d, ag.ops.conv2d, ag.ops.conv3d, ag.ops.unfold, ag.ops.fold
conv_transpose1d, conv_transpose2d = ag.ops.conv_transpose1d, ag.ops.conv_transpose2d
conv_transpose3d = ag.ops.conv_transpose3d
max_pool1d, max_pool2d = ag.ops.max_pool1d, ag.ops.max_pool2d
avg_pool1d, avg_pool2d = ag.ops.avg_pool1d, ag.ops.avg_pool2d
adaptive_avg_pool2d = ag.ops.adaptive_avg_pool2d
batch_norm, layer_norm, embedding = ag.ops.batch_norm, ag.ops.layer_norm, ag.ops.embedding


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """PyTorch's F.pad: widths for the last dim first, (left, right, top, bottom, ...). 'constant' is one op;
    'reflect', 'replicate' and 'circular' index the input (edges mirrored, repeated or wrapped), so their
    gradient is getitem's: the scatter-add of every copy."""
    if mode == "constant":
        return ag.ops.pad(input, tuple(pad), mode, 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r}; expected 'constant', 'reflect', "
                                  "'replicate' or 'circular'")
    x, widths = as_tensor(input), tuple(int(w) for w in pad)
    k = len(widths) // 2
    if len(widths) % 2 or k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"pad: padding size {len(widths)} is not supported for {x.ndim}D input of "
                                  f"shape {tuple(x.shape)} in mode {mode!r}; supported: padding size 2 for 2D or 3D "
                                  "input, 4 for 3D or 4D, 6 for 4D or 5D")
    for i in range(k):
        a, b = widths[2 * i], widths[2 * i + 1]
        d = x.ndim - 1 - i
        n = x.shape[d]
        if mode == "reflect" and (a >= n or b >= n):
            raise RuntimeError(f"pad: padding size should be less than the corresponding input dimension in mode "
                               f"'reflect', but got padding ({a}, {b}) at dimension {d} of input {tuple(x.shape)}")
        idx = np.arange(-a, n + b)
        if mode == "circular":                   # PyTorch crops first (negative widths), then wraps what is left
            kept = np.arange(max(-a, 0), n - max(-b, 0))
            idx = kept[np.arange(-max(a, 0), len(kept) + max(b, 0)) % len(kept)]
        elif mode == "reflect":
            idx = np.abs(idx)
            idx = np.where(idx > n - 1, 2 * (n - 1) - idx, idx)
        else:
            idx = np.clip(idx, 0, n - 1)
        x = x[(slice(None),) * d + (idx,)]
    return x

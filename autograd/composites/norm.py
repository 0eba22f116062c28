"""Normalization (batch_norm; layer_norm checks its arguments, its op is ops/layer_norm.py) and the embedding
lookup, as composites of primitives.

batch_norm and embedding need no new primitive: mean, subtract, multiply, (var + eps)^-1/2 and getitem already
have gradients of every order, so second derivatives through a normalised network come free, for a few full
passes over the activations more than a fused op would make. layer_norm, in every block of a transformer, is
one op of its own.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..grad_mode import no_grad
from ..ops.arithmetic import where
from ..ops.layer_norm import _layer_norm
from ..tensor import Tensor, as_tensor


def _check_channel_vector(what: str, name: str, t: Tensor | None, c: int, x: Tensor) -> None:
    if t is not None and tuple(t.shape) != (c,):
        raise ValueError(f"{what}: {name} has shape {tuple(t.shape)}, but the input {tuple(x.shape)} has {c} channels "
                         f"(dim 1): expected ({c},)")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """PyTorch's F.batch_norm over dim 1 of (N, C, ...). Training normalises with the batch's biased variance
    and moves the running statistics toward the batch's mean and *unbiased* variance (PyTorch's rule):
    running = (1 - momentum)·running + momentum·batch. Evaluation uses the running statistics."""
    x = as_tensor(input)
    if x.ndim < 2:
        raise ValueError("batch_norm: expected an input of shape (N, C, ...) with at least 2 dims, got "
                         f"{tuple(x.shape)}")
    c = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        _check_channel_vector("batch_norm", name, t, c, x)
    dims = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)                      # broadcasts a per-channel vector over N, H, W
    if training:
        n = x._data.size // max(c, 1)
        if n <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input of "
                             f"shape {tuple(x.shape)}")
        mean = x.mean(dims, keepdim=True)
        centred = x - mean
        var = (centred * centred).mean(dims, keepdim=True)    # biased: what normalises the batch
        with no_grad():
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(Tensor._wrap(mean._data.reshape(c)), alpha=momentum)
            if running_var is not None:
                unbiased = var._data.reshape(c) * (n / (n - 1))
                running_var.mul_(1 - momentum).add_(Tensor._wrap(unbiased), alpha=momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
        centred = x - running_mean.reshape(shape)
        var = running_var.reshape(shape)
    y = centred * (var + eps) ** -0.5
    if weight is not None:
        y = y * as_tensor(weight).reshape(shape)
    return y if bias is None else y + as_tensor(bias).reshape(shape)


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """PyTorch's F.layer_norm: normalise over the last len(normalized_shape) dims (biased variance)."""
    x = as_tensor(input)
    norm_shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    k = len(norm_shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != norm_shape:
        raise ShapeError(f"layer_norm: input of shape {tuple(x.shape)} does not end with normalized_shape {norm_shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != norm_shape:
            raise ValueError(f"layer_norm: {name} has shape {tuple(t.shape)}, expected normalized_shape {norm_shape}")
    return _layer_norm(x, k, weight, bias, eps)     # one op: ops/layer_norm.py


def embedding(input, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,  # noqa: A002
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """PyTorch's F.embedding: rows of `weight` (num_embeddings, dim) picked by integer indices of any shape.
    The row at padding_idx gets no gradient; max_norm renormalises the looked-up rows in place, as PyTorch."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind == "O":                         # None or other objects: not a tensor at all
        raise TypeError(f"embedding: indices must be a Tensor of integers, got {type(input).__name__}")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: indices must be integers, got {idx.dtype} (convert with .long())")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got {tuple(weight.shape)}")
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported; with "
                                  "sparse=False the weight gets the same gradient as a dense tensor")
    num = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index {int(bad)} is out of range for {num} embeddings (weight "
                         f"{tuple(weight.shape)})")
    if max_norm is not None:
        rows = np.unique(idx)
        with no_grad():
            norms = np.linalg.norm(weight._data[rows], ord=norm_type, axis=1, keepdims=True)
            scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(weight.dtype)
            weight[rows] = weight._data[rows] * scale
    out = weight[idx]
    if scale_grad_by_freq and idx.size:                   # each row's gradient / its count in this batch
        _, inverse, counts = np.unique(idx, return_inverse=True, return_counts=True)
        scale = (1.0 / counts[inverse.reshape(idx.shape)]).astype(weight.dtype)[..., None]
        out = out.detach() + (out - out.detach()) * Tensor._wrap(scale)   # the same values, scaled gradient
    if padding_idx is None:
        return out
    if not -num <= padding_idx < num:
        raise ValueError(f"embedding: padding_idx {padding_idx} must be within [-{num}, {num - 1}]")
    keep = (idx != padding_idx % num)[..., None]          # same values; the gradient stops at the padding row
    return where(keep, out, out.detach())

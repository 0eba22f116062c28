"""Margin and embedding losses (margin_ranking, hinge_embedding, cosine_embedding, soft_margin, the multi-label
and multi-class margins, triplet), composites of existing ops written as PyTorch 2.13's kernels compute them."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.errors import DTypeError, IndexRangeError, ShapeError
from autograd.tensor import as_tensor

from .activations import logsigmoid
from .losses import _floats
from .losses_prob import _check_reduction, _reduce
from .pairwise import pairwise_distance


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0, size_average: Any = None,
                        reduce: Any = None, reduction: str = "mean") -> Tensor:
    """max(0, −target·(input1 − input2) + margin): target 1 asks input1 to rank higher, −1 input2."""
    a, b = as_tensor(input1), as_tensor(input2)
    t = as_tensor(target, like=a)
    _check_reduction(reduction)
    if not a.ndim == b.ndim == t.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {tuple(a.shape)}, input2: {tuple(b.shape)}, target: {tuple(t.shape)} ")
    return _reduce(ag.clamp_min(-t * (a - b) + margin, 0), reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """input where target is 1, max(0, margin − input) where it is −1 (input: a distance)."""
    x, t = _floats(input, target)
    _check_reduction(reduction)
    zeros = ag.zeros_like(x)
    out = ag.where(t._data != 1, ag.clamp_min(margin - x, 0), zeros) + ag.where(t._data != -1, x, zeros)
    return _reduce(out, reduction)


def soft_margin_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(−target·input)), written max(z, 0) + log1p(exp(−|z|)): finite where exp(z) overflows."""
    x, t = _floats(input, target)
    _check_reduction(reduction)
    z = -t * x
    return _reduce(ag.relu(z) + ag.log1p(ag.exp(-z.abs())), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Tensor | None = None,
                                size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """−(target·log σ(input) + (1 − target)·log σ(−input)), weighted per class, averaged over the classes."""
    x, t = _floats(input, target)
    losses = -(t * logsigmoid(x) + (1 - t) * logsigmoid(-x))
    if weight is not None:
        losses = losses * as_tensor(weight, like=x)
    losses = losses.sum(dim=x.ndim - 1) / x.shape[x.ndim - 1]
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction + " is not valid")
    return _reduce(losses, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0, size_average: Any = None,
                          reduce: Any = None, reduction: str = "mean") -> Tensor:
    """1 − cos(input1, input2) where target is 1, max(0, cos − margin) where it is −1 (cos along dim 1, or 0
    for a single pair)."""
    a, b = as_tensor(input1), as_tensor(input2)
    t = as_tensor(target)
    _check_reduction(reduction)
    d = t.ndim
    if d > 1:
        raise RuntimeError("cosine_embedding_loss: 0D or 1D target tensor expected, multi-target not supported, "
                           f"got target of shape {tuple(t.shape)}")
    if not a.ndim == b.ndim == d + 1:
        raise RuntimeError(f"cosine_embedding_loss: {d}D target tensor expects {d + 1}D input tensors, but found "
                           f"inputs with sizes {list(a.shape)} and {list(b.shape)}.")
    prod = (a * b).sum(d)
    cos = prod / ((a * a).sum(d) + 1e-12).mul((b * b).sum(d) + 1e-12).sqrt()   # PyTorch's EPSILON
    zeros = ag.zeros_like(cos)
    out = ag.where(t._data == 1, 1 - cos, zeros) + ag.where(t._data == -1, ag.clamp_min(cos - margin, 0), zeros)
    return _reduce(out, reduction)


def _class_targets(what: str, x: Tensor, t: Tensor) -> None:
    if t._data.dtype != np.int64:
        raise DTypeError(f"{what}: expected scalar type Long but found {t.dtype} (target of shape "
                         f"{tuple(t.shape)}): pass target.long()")
    if x.ndim > 2 or x._data.size == 0:
        raise ShapeError(f"{what}: Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                         f"{tuple(x.shape)}")


def multilabel_margin_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
                           reduction: str = "mean") -> Tensor:
    """Σⱼ Σᵢ max(0, 1 − (x[yⱼ] − x[i])) / C over the target classes yⱼ (listed first in target, ended by −1)
    and the classes i not among them."""
    x, t = as_tensor(input), as_tensor(target)
    _check_reduction(reduction)
    _class_targets("multilabel_margin_loss", x, t)
    c = 1 if x.ndim == 0 else x.shape[-1]
    if (x.ndim <= 1 and (t.ndim > 1 or t._data.size != c)) or (x.ndim == 2 and tuple(t.shape) != tuple(x.shape)):
        raise ShapeError(f"multilabel_margin_loss: inconsistent target size: {tuple(t.shape)} for input of size: "
                         f"{tuple(x.shape)}")
    rows, idx = x.reshape(-1, c), t._data.reshape(-1, c)
    if ((idx < -1) | (idx >= c)).any():
        raise IndexRangeError(f"multilabel_margin_loss: argument #2 'target' is out of range: classes are 0..{c - 1}, "
                         "and -1 ends a sample's list")
    count = np.zeros(rows.shape, dtype=x._data.dtype)       # how often each class is listed before the first -1
    for n, row in enumerate(idx):
        listed = row[:np.argmax(row < 0)] if (row < 0).any() else row
        np.add.at(count[n], listed, 1)
    pairs = count[:, :, None] * (count == 0)[:, None, :]    # (target class j, other class i)
    hinge = ag.relu(1 - rows.unsqueeze(2) + rows.unsqueeze(1))
    losses = (hinge * Tensor._wrap(pairs)).sum((1, 2)) / c
    return _reduce(losses.reshape(tuple(x.shape[:1]) if x.ndim == 2 else ()), reduction)


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Σ_{i≠y} max(0, margin − x[y] + x[i])^p · weight[y] / C: the multi-class hinge (p 1 or 2)."""
    x, t = as_tensor(input), as_tensor(target)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    w = None if weight is None else as_tensor(weight, like=x)
    if w is not None and w.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _class_targets("multi_margin_loss", x, t)
    n = x.shape[0] if x.ndim == 2 else 1
    c = x.shape[-1] if x.ndim else 1
    if t.ndim > 1 or t._data.size != n:
        raise ShapeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                         f"samples (batch size). Expected target size [{n}], but got {list(t.shape)}. Input has "
                         f"shape {list(x.shape)}.")
    if w is not None and w.shape[0] != c:
        raise ShapeError(f"multi_margin_loss: inconsistent weight size, expected {c} but got {list(w.shape)}")
    idx = t._data.reshape(-1)
    if ((idx < 0) | (idx >= c)).any():
        raise IndexRangeError(f"multi_margin_loss: target out of range: classes are 0..{c - 1}, got {idx.tolist()}")
    rows = x.reshape(n, c)
    picked = rows[np.arange(n), idx].unsqueeze(1)
    h = ag.relu(margin - picked + rows)
    h = (h * h if p == 2 else h) * Tensor._wrap((np.arange(c) != idx[:, None]).astype(x._data.dtype))
    if w is not None:
        h = h * w[idx].unsqueeze(1)
    losses = h.sum(1) / c
    return _reduce(losses if x.ndim == 2 or t.ndim == 1 else losses.reshape(()), reduction)


def _same_ndim(a: Tensor, p: Tensor, n: Tensor) -> None:
    if not a.ndim == p.ndim == n.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a.ndim}D, positive {p.ndim}D, and negative {n.ndim}D "
                           "inputs")


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, margin + d(anchor, positive) − d(anchor, negative)) with d the p-norm distance; swap uses
    min(d(a, n), d(p, n)) as the negative distance (Balntas et al., 2016)."""
    a, pos, neg = as_tensor(anchor), as_tensor(positive), as_tensor(negative)
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _same_ndim(a, pos, neg)
    d_neg = pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = ag.minimum(d_neg, pairwise_distance(pos, neg, p, eps))
    return _reduce(ag.clamp_min(margin + pairwise_distance(a, pos, p, eps) - d_neg, 0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """triplet_margin_loss with any distance (default pairwise_distance), e.g. 1 − cosine_similarity."""
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pos, neg = as_tensor(anchor), as_tensor(positive), as_tensor(negative)
    _same_ndim(a, pos, neg)
    dist = pairwise_distance if distance_function is None else distance_function
    d_neg = dist(a, neg)
    if swap:
        d_neg = ag.minimum(d_neg, dist(pos, neg))
    return _reduce(ag.clamp_min(margin + dist(a, pos) - d_neg, 0), reduction)


"""Softmax family and the fused cross-entropy: the ops where numerical stability decides correctness."""
from __future__ import annotations

import numpy as np

from ..observers import check_loss_input
from ..op import Op
from ..tensor import Tensor, as_tensor


def _max(x: np.ndarray, dim: int) -> np.ndarray:
    """max over `dim`, kept. numpy reduces a short last axis row by row; made contiguous the other way round
    it compares whole columns at once, much faster at 10 classes (nan still wins)."""
    if x.ndim == 2 and dim == 1 and x.shape[1] <= 16:
        return np.ascontiguousarray(x.T).max(0, initial=-np.inf)[:, None]
    return np.max(x, axis=dim, keepdims=True, initial=-np.inf)


def _sum(x: np.ndarray, dim: int) -> np.ndarray:
    """sum over `dim`, kept; a short last axis as one BLAS matrix-vector product (numpy sums row by row)."""
    if x.ndim == 2 and dim == 1 and x.shape[1] <= 16 and x.dtype.kind == "f":
        return (x @ np.ones(x.shape[1], x.dtype))[:, None]
    return np.sum(x, axis=dim, keepdims=True)


def _shifted(x: np.ndarray, dim: int) -> np.ndarray:
    """x minus its max along dim (largest logit -> 0: exp never overflows). A fully masked row (all -inf)
    gives nan, as PyTorch's softmax does, without numpy's warning."""
    m = _max(x, dim)
    if np.isinf(m).any():
        with np.errstate(invalid="ignore"):
            return x - m
    return x - m


def _log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = _shifted(x, dim)
    return shifted - np.log(_sum(np.exp(shifted), dim))


class LogSoftmax(Op):
    """y = x - logsumexp(x)      dx = g - softmax(x) * Σ g"""
    def forward(self, x, dim):
        self.dim = dim
        return _log_softmax(x, dim)

    def backward(self, g):
        return (g - self.out.exp() * g.sum(dim=self.dim, keepdim=True),)


def log_softmax(x: Tensor, dim: int = -1, *, axis: int | None = None) -> Tensor:
    return LogSoftmax.apply(x, dim=_dim(x, dim if axis is None else axis, "log_softmax"))


class Softmax(Op):
    """y = exp(x) / Σ exp(x)     dx = y * (g - Σ g * y)"""
    def forward(self, x, dim):
        self.dim = dim
        e = np.exp(_shifted(x, dim))
        return e / _sum(e, dim)

    def backward(self, g):
        y = self.out
        return (y * (g - (g * y).sum(dim=self.dim, keepdim=True)),)


def softmax(x: Tensor, dim: int = -1, *, axis: int | None = None) -> Tensor:
    return Softmax.apply(x, dim=_dim(x, dim if axis is None else axis, "softmax"))


class CrossEntropy(Op):
    """loss = -Σ q · log_softmax(x)  per row, q the target distribution      dx = (softmax(x) Σq - q) · g / n
    One fused op: no (N, C) log-probabilities kept, and stable at logits of ±1e4."""
    def forward(self, x, target, *weight, ignore_index, label_smoothing, reduction):
        weight = weight[0] if weight else None
        self.ignore_index, self.smoothing, self.reduction = ignore_index, label_smoothing, reduction
        if self.picks(target):                     # class indices: pick one log-probability per row, no (N, C) q
            shifted = x - _max(x, 1)
            e = np.exp(shifted)
            s = _sum(e, 1)[:, 0]
            t, r = self.row_weights(x, target, weight)
            losses = np.log(s) - shifted[np.arange(len(x)), t]
            if r is not None:
                losses *= r
            self.saved = (e, s, t, r)              # for the array kernel (kernels/nn.py): no second exp
            self.denominator = float(len(x)) if r is None else float(r.sum(dtype=np.float64))
        else:
            q = self.target_distribution(x, target, weight)
            losses = -np.einsum("ij,ij->i", q, _log_softmax(x, 1))
            self.denominator = self.mean_denominator(x, target, weight)
        if reduction == "none":
            return losses
        total = losses.sum(dtype=x.dtype)
        return total / self.denominator if reduction == "mean" else total

    def picks(self, target) -> bool:
        return target.dtype.kind != "f" and not self.smoothing

    def kept(self, target) -> np.ndarray:
        """The rows that count; all when cross_entropy() saw that no target equals ignore_index (None)."""
        return np.ones(target.shape, bool) if self.ignore_index is None else target != self.ignore_index

    def row_weights(self, x, target, weight) -> tuple[np.ndarray, np.ndarray | None]:
        """For class indices: each row's (safe) class and its weight (0 where ignored); None for the weight when
        every row counts once, the usual case (no per-row multiply, no second mask)."""
        if self.ignore_index is None and weight is None:   # cross_entropy() saw no target to ignore
            return target, None
        keep = self.kept(target)
        if weight is None and keep.all():
            return target, None
        t = np.where(keep, target, 0)
        r = keep.astype(x.dtype) if weight is None else np.where(keep, weight.astype(x.dtype, copy=False)[t], 0)
        return t, r

    def target_distribution(self, x, target, weight) -> np.ndarray:
        """q[i, c]: what row i's log-probability of class c is weighted by (one-hot, smoothed, class-weighted)."""
        n, c = x.shape
        eps = self.smoothing
        w = np.ones(c, dtype=x.dtype) if weight is None else weight.astype(x.dtype, copy=False)
        if target.dtype.kind == "f":                                    # class probabilities
            return (target * (1 - eps) + eps / c) * w
        keep = self.kept(target)
        t = np.where(keep, target, 0)
        q = np.zeros((n, c), dtype=x.dtype)
        q[np.arange(n), t] = (1 - eps) * w[t]
        if eps:
            q += (eps / c) * w
        return q * keep[:, None]

    def mean_denominator(self, x, target, weight) -> float:
        if target.dtype.kind == "f":
            return float(len(x))
        keep = self.kept(target)
        t = target[keep]
        return float(keep.sum() if weight is None else weight[t].sum())

    def backward(self, g):
        xs = self.inputs                           # (a property that checks versions: read once)
        x, target, weight = xs[0], xs[1], (xs[2]._data if len(xs) > 2 else None)
        scale = g / self.denominator if self.reduction == "mean" else g
        scale = scale.reshape(-1, 1) if self.reduction == "none" else scale
        p = softmax(x, dim=1)                      # recomputed in Tensor ops: second derivatives work
        if self.picks(target._data):                # q = r·onehot(t): dx = (p − onehot)·r·scale
            t, r = self.row_weights(x._data, target._data, weight)
            onehot = np.zeros(x.shape, dtype=x.dtype)
            onehot[np.arange(len(t)), t] = 1
            dx = (p - Tensor._wrap(onehot)) * (scale if r is None else Tensor._wrap(r[:, None]) * scale)
        else:
            q = self.target_distribution(x._data, target._data, weight)
            dx = (p * Tensor._wrap(q.sum(axis=1, keepdims=True)) - Tensor._wrap(q)) * scale
        return (dx,) + (None,) * (len(xs) - 1)

    def release(self) -> None:
        super().release()
        self.saved = None                          # forward's (N, C) exp goes with the inputs, not with the loss


def _as_unsigned(t: np.ndarray) -> np.ndarray:
    return t.view(f"u{t.itemsize}") if t.dtype.kind == "i" else t


def _dim(x: Tensor, dim: int, what: str) -> int:
    n = max(x.ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{what}: dim {dim} is out of range for a tensor of shape {tuple(x.shape)}")
    return dim % n


def cross_entropy(input: Tensor, target, weight=None, ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """PyTorch's F.cross_entropy: raw scores (N, C) or (N, C, d1, ...) and class indices (N,) / (N, d1, ...)
    or class probabilities shaped like the input."""
    x, t = input, as_tensor(target)
    if x.grad_fn is not None:
        check_loss_input("cross_entropy", x)       # guards: fed softmax / log_softmax output instead of logits
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    xs, kind = x._data.shape, t._data.dtype.kind     # arrays' attributes: cheaper than Tensor properties
    if not xs:
        raise ValueError("cross_entropy: input must have a class dim: (C,), (N, C) or (N, C, d1, ...); got a scalar")
    probs = kind == "f"
    expected = xs if probs else (xs[:1] + xs[2:] if len(xs) >= 2 else ())
    if t._data.shape != expected or kind not in "fiu":
        what = "class probabilities" if probs else "class indices"
        raise ValueError(f"cross_entropy: input of shape {tuple(x.shape)} (N, C, ...) needs a target of "
                         f"shape {expected} "
                         f"({what}), got target of shape {tuple(t.shape)} and dtype {t.dtype}")
    c = xs[1] if len(xs) >= 2 else xs[0]
    if not probs and t._data.size:
        if _as_unsigned(t._data).max() >= c:        # one pass (a negative class reads as a huge unsigned one)
            bad = (t._data != ignore_index) & ((t._data < 0) | (t._data >= c))
            if bad.any():
                raise IndexError(f"cross_entropy: target class {int(t._data[bad].flat[0])} is out of range for "
                                 f"{c} classes (input shape {tuple(x.shape)}); classes are 0..{c - 1}")
        elif not 0 <= ignore_index < c:
            ignore_index = None                    # every class is in 0..c-1, so none is ignored: no mask to make
    if weight is not None:
        weight = as_tensor(weight, like=x)
        if weight.shape != (c,):
            raise ValueError(f"cross_entropy: weight must have shape ({c},), one per class; got {tuple(weight.shape)}")
    flat_x, flat_t = x, t
    if len(xs) == 1:
        flat_x, flat_t = x.reshape(1, c), t.reshape(1, c) if probs else t.reshape(1)
    elif len(xs) > 2:                              # classes last, then one row per position
        order = (0, *range(2, len(xs)), 1)
        flat_x = x.permute(*order).reshape(-1, c)
        flat_t = t.permute(*order).reshape(-1, c) if probs else t.reshape(-1)
    extra = (weight,) if weight is not None else ()
    out = CrossEntropy.apply(flat_x, flat_t, *extra, ignore_index=ignore_index, label_smoothing=label_smoothing,
                             reduction=reduction)
    if reduction == "none":                        # one loss per sample (and position), as PyTorch
        out = out.reshape(xs[:1] + xs[2:] if len(xs) >= 2 else ())
    return out

"""Losses fused into one op each: cross-entropy (softmax + negative log-likelihood, with PyTorch's options),
binary cross-entropy on probabilities and on logits. Stable where composing their parts would overflow or
give nan."""
from __future__ import annotations

import numpy as np

from ..errors import ArgumentError, ShapeError
from ..observers import check_loss_input
from ..op import Op
from ..tensor import Tensor, as_tensor
from .activations import _softplus, softplus
from .logits import _log_softmax, _max, _sum, log_softmax, softmax


class CrossEntropy(Op):
    """loss = -Σ q · log_softmax(x)  per row, q the target distribution      dx = (softmax(x) Σq - q) · g / n
    One fused op: no (N, C) log-probabilities kept, and stable at logits of ±1e4. Class indices pick one
    log-probability per row; probabilities and label smoothing weigh every class by q
    (_target_distribution)."""
    def forward(self, x, target, *weight, ignore_index, label_smoothing, reduction):
        weight = weight[0] if weight else None
        self.ignore_index, self.smoothing, self.reduction = ignore_index, label_smoothing, reduction
        if self.picks(target):                     # class indices: pick one log-probability per row, no (N, C) q
            shifted = x - _max(x, 1)
            e = np.exp(shifted)
            s = _sum(e, 1)[:, 0]
            t, r = _row_weights(x, target, weight, ignore_index)
            losses = np.log(s) - shifted[np.arange(len(x)), t]
            if r is not None:
                losses *= r
            self.saved = (e, s, t, r)              # for the array kernel (kernels/losses.py): no second exp
            self.denominator = float(len(x)) if r is None else float(r.sum(dtype=np.float64))
        else:
            q = _target_distribution(x, target, weight, ignore_index, label_smoothing)
            losses = -np.einsum("ij,ij->i", q, _log_softmax(x, 1))
            self.denominator = _mean_denominator(x, target, weight, ignore_index)
        if reduction == "none":
            return losses
        total = losses.sum(dtype=x.dtype)
        return total / self.denominator if reduction == "mean" else total

    def picks(self, target) -> bool:
        return target.dtype.kind != "f" and not self.smoothing

    def backward(self, g):
        xs = self.inputs                           # (a property that checks versions: read once)
        x, target, weight = xs[0], xs[1], (xs[2]._data if len(xs) > 2 else None)
        if len(xs) > 2 and self.needs_grad[2]:
            return self.weighted_backward(x, target, xs[2], g)
        scale = g / self.denominator if self.reduction == "mean" else g
        scale = scale.reshape(-1, 1) if self.reduction == "none" else scale
        p = softmax(x, dim=1)                      # recomputed in Tensor ops: second derivatives work
        if self.picks(target._data):                # q = r·onehot(t): dx = (p − onehot)·r·scale
            t, r = _row_weights(x._data, target._data, weight, self.ignore_index)
            onehot = np.zeros(x.shape, dtype=x.dtype)
            onehot[np.arange(len(t)), t] = 1
            dx = (p - Tensor._wrap(onehot)) * (scale if r is None else Tensor._wrap(r[:, None]) * scale)
        else:
            q = _target_distribution(x._data, target._data, weight, self.ignore_index, self.smoothing)
            dx = (p * Tensor._wrap(q.sum(axis=1, keepdims=True)) - Tensor._wrap(q)) * scale
        return (dx,) + (None,) * (len(xs) - 1)

    def weighted_backward(self, x, target, w, g):
        """With a class weight w that requires grad, both gradients in Tensor ops of w (higher orders work).
        S = −log_softmax(x)·q₀, q₀ the unweighted target distribution, L = Σ S·w / D: dx as above with
        q = q₀·w; dw = g·(ΣᵢS − L·counts)/D, where D = Σᵢ w[tᵢ] for a 'mean' over class indices (counts: rows
        per class)."""
        q0 = Tensor._wrap(_target_distribution(x._data, target._data, None, self.ignore_index, self.smoothing))
        q = q0 * w
        s = -log_softmax(x, 1) * q0
        d, counts = 1.0, None
        if self.reduction == "mean" and target._data.dtype.kind == "f":
            d = float(len(x._data))
        elif self.reduction == "mean":
            keep = _kept(target._data, self.ignore_index)
            counts = Tensor._wrap(np.bincount(target._data[keep], minlength=x.shape[1]).astype(x.dtype))
            d = (counts * w).sum()
        scale = g.reshape(-1, 1) if self.reduction == "none" else g / d
        dx = (softmax(x, dim=1) * q.sum(1, keepdim=True) - q) * scale
        if counts is None:
            return dx, None, (s * scale).sum(0)
        return dx, None, scale * (s.sum(0) - counts * ((s.sum(0) * w).sum() / d))

    def release(self) -> None:
        super().release()
        self.saved = None                          # forward's (N, C) exp goes with the inputs, not with the loss


def _kept(target, ignore_index) -> np.ndarray:
    """The rows that count; all when cross_entropy() saw that no target equals ignore_index (None)."""
    return np.ones(target.shape, bool) if ignore_index is None else target != ignore_index


def _row_weights(x, target, weight, ignore_index) -> tuple[np.ndarray, np.ndarray | None]:
    """For class indices: each row's (safe) class and its weight (0 where ignored); None for the weight when
    every row counts once, the usual case (no per-row multiply, no second mask)."""
    if ignore_index is None and weight is None:    # cross_entropy() saw no target to ignore
        return target, None
    keep = _kept(target, ignore_index)
    if weight is None and keep.all():
        return target, None
    t = np.where(keep, target, 0)
    r = keep.astype(x.dtype) if weight is None else np.where(keep, weight.astype(x.dtype, copy=False)[t], 0)
    return t, r


def _target_distribution(x, target, weight, ignore_index, smoothing) -> np.ndarray:
    """q[i, c]: what row i's log-probability of class c is weighted by (one-hot, smoothed, class-weighted)."""
    n, c = x.shape
    w = np.ones(c, dtype=x.dtype) if weight is None else weight.astype(x.dtype, copy=False)
    if target.dtype.kind == "f":                                    # class probabilities
        return (target * (1 - smoothing) + smoothing / c) * w
    keep = _kept(target, ignore_index)
    t = np.where(keep, target, 0)
    q = np.zeros((n, c), dtype=x.dtype)
    q[np.arange(n), t] = (1 - smoothing) * w[t]
    if smoothing:
        q += (smoothing / c) * w
    return q * keep[:, None]


def _mean_denominator(x, target, weight, ignore_index) -> float:
    if target.dtype.kind == "f":
        return float(len(x))
    keep = _kept(target, ignore_index)
    return float(keep.sum() if weight is None else weight[target[keep]].sum())


def _as_unsigned(t: np.ndarray) -> np.ndarray:
    return t.view(f"u{t.itemsize}") if t.dtype.kind == "i" else t


def cross_entropy(input: Tensor, target, weight=None, ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """PyTorch's F.cross_entropy: raw scores (N, C) or (N, C, d1, ...) and class indices (N,) / (N, d1, ...)
    or class probabilities shaped like the input."""
    x, t = input, as_tensor(target)
    if x.grad_fn is not None:
        check_loss_input("cross_entropy", x)       # guards: fed softmax / log_softmax output instead of logits
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if not label_smoothing <= 1.0:                 # PyTorch 2.13 checks the upper bound only
        raise ArgumentError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    xs, kind = x._data.shape, t._data.dtype.kind     # arrays' attributes: cheaper than Tensor properties
    if not xs:
        raise ValueError("cross_entropy: input must have a class dim: (C,), (N, C) or (N, C, d1, ...); got a scalar")
    probs = kind == "f"
    expected = xs if probs else (xs[:1] + xs[2:] if len(xs) >= 2 else ())
    if t._data.shape != expected or kind not in "fiu":
        what = "class probabilities" if probs else "class indices"
        raise ShapeError(f"cross_entropy: input of shape {tuple(x.shape)} (N, C, ...) needs a target of "
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
            raise ShapeError(f"cross_entropy: weight must have shape ({c},), one per class; "
                             f"got {tuple(weight.shape)}")
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


class BCEWithLogits(Op):
    """ℓ = (1-t)·x + (1+(p-1)·t)·sp(-x)      dx = g·(1 - t - (1+(p-1)·t)·σ(-x)),   dt = g·(-x + (p-1)·sp(-x))
    p = pos_weight; sp(-x) = softplus(-x) = log(1 + e⁻ˣ), computed as max(-x, 0) + log1p(e^-|x|): finite for
    any x."""
    def forward(self, x, t, *pos_weight):
        sp = _softplus(-x)
        scale = 1 + (pos_weight[0] - 1) * t if pos_weight else 1
        return (1 - t) * x + scale * sp

    def backward(self, g):
        x, t = self.inputs[0], self.inputs[1]
        pw = self.inputs[2] if len(self.inputs) > 2 else None
        scale = 1 + (pw - 1) * t if pw is not None else 1
        dx = g * ((1 - t) - scale * (-x).sigmoid()) if self.needs_grad[0] else None
        dt = None
        if self.needs_grad[1]:
            sp = softplus(-x)                      # the primitive: its gradient σ is right at x = 0 too
            dt = g * (-x + (pw - 1) * sp) if pw is not None else g * -x
        return (dx, dt) if pw is None else (dx, dt, None)


class BinaryCrossEntropy(Op):
    """ℓ = −(t·log p + (1 − t)·log(1 − p)), each log clamped at −100      dp = g·(p − t) / max(p(1 − p), 1e-12),
    dt = g·(log(1 − p) − log p)   (PyTorch's formulas: finite at p = 0 and p = 1, where composing logs gives nan)"""
    def forward(self, p, t):
        with np.errstate(divide="ignore"):
            return -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log1p(-p), -100))

    def backward(self, g):
        p, t = self.inputs
        dp = g * (p - t) / (p * (1 - p)).clamp(min=1e-12) if self.needs_grad[0] else None
        dt = g * ((1 - p).log().clamp(min=-100) - p.log().clamp(min=-100)) if self.needs_grad[1] else None
        return dp, dt

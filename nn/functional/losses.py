"""Losses as functions (cross_entropy, nll_loss, mse_loss, ...) with PyTorch's reductions and input checks."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor, guards
from autograd.errors import ArgumentError, DTypeError
from autograd.ops.losses import BCEWithLogits, BinaryCrossEntropy
from autograd.tensor import as_tensor

_REDUCTIONS = ("mean", "sum", "none")


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


def _long_target(what: str, t: Tensor) -> None:
    """Class indices must be int64 (or uint8), as PyTorch: an int32 target is refused, not converted."""
    if t._data.dtype.kind in "iu" and t._data.dtype not in (np.int64, np.uint8):
        raise DTypeError(f"{what}: expected target dtype to be Long or Byte (int64 or uint8 class indices), "
                         f"got {t.dtype} of shape {tuple(t.shape)}: pass target.long()")


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
        raise ArgumentError(f"cross_entropy: target of shape {tuple(t.shape)} holds {t._data.dtype} values, "
                            f"but class indices must be integers: pass target.long() (class probabilities "
                            f"would have the input's shape {tuple(x.shape)})")
    _long_target("cross_entropy", t)
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
    _long_target("nll_loss", t)
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


def _weighted(losses: Tensor, x: Tensor, weight: Any, reduction: str, what: str, by_weight: bool) -> Tensor:
    """PyTorch's per-element weight: shaped as the input; 'mean' is sum(w·loss)/sum(w) for mse and l1 and
    mean(w·loss) for huber (by_weight False), as torch 2.13 computes them."""
    if weight is None:
        return _reduce(losses, reduction, what)
    w = as_tensor(weight, like=x)
    if w.shape != x.shape:
        raise ValueError(f"{what}: weight of shape {tuple(w.shape)} and input of shape {tuple(x.shape)}: "
                         "Weights and input must have the same size.")
    losses = losses * w
    if reduction == "mean" and by_weight:
        return losses.sum() / w.sum()
    return _reduce(losses, reduction, what)


def mse_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    x, t = _floats(input, target)
    _same_shape(x, t, "mse_loss", strict=False)
    d = x - t
    return _weighted(d * d, x, weight, reduction, "mse_loss", by_weight=True)


def l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    x, t = _floats(input, target)
    _same_shape(x, t, "l1_loss", strict=False)
    return _weighted((x - t).abs(), x, weight, reduction, "l1_loss", by_weight=True)


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


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    x, t = _floats(input, target)
    _same_shape(x, t, "huber_loss", strict=False)
    d = (x - t).abs()
    losses = ag.where(d._data < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _weighted(losses, x, weight, reduction, "huber_loss", by_weight=False)

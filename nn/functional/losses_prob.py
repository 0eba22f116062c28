"""Likelihood losses: kl_div, poisson_nll_loss, gaussian_nll_loss, composites of existing ops as PyTorch 2.13
writes them (so their gradients, to the target too, are the ops' own)."""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.tensor import as_tensor

from .losses import _REDUCTIONS, _floats
from .losses import _reduce as _reduce_by_name


def _check_reduction(reduction: str) -> None:
    """PyTorch's ValueError for a reduction it does not know, before any other check (as its losses do)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    return _reduce_by_name(losses, reduction, "")


def kl_div(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Σ target·(log target − input) with input log-probabilities; 'batchmean' divides the sum by the batch size
    (the KL divergence), 'mean' by the number of elements (PyTorch warns about that one, as here)."""
    x, t = _floats(input, target)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    losses = ag.exp(t) * (t - x) if log_target else ag.xlogy(t, t) - t * x
    if reduction == "batchmean":
        return losses.sum() / x.shape[0] if x.ndim else losses.sum()
    return _reduce(losses, reduction)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """exp(input) − target·input (input a log-rate), or input − target·log(input + eps); full adds Stirling's
    approximation of log(target!) where target > 1."""
    x, t = _floats(input, target)
    _check_reduction(reduction)
    losses = ag.exp(x) - t * x if log_input else x - t * ag.log(x + eps)
    if full:
        big = t._data > 1
        ts = ag.where(big, t, 2.0)                # a safe stand-in where the term is dropped: no log(0) warnings
        stirling = ts * ag.log(ts) - ts + 0.5 * ag.log(2 * math.pi * ts)
        losses = losses + ag.where(big, stirling, 0.0)
    return _reduce(losses, reduction)


def gaussian_nll_loss(input: Tensor, target: Any, var: Tensor | float, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """½(log var + (input − target)²/var) (+ ½ log 2π if full). var is shaped as input, or one dim short,
    or with one dim of size 1 (one variance shared); it is clamped at eps for the value only, so its gradient
    passes through the clamp as PyTorch's does."""
    x, t = _floats(input, target)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        v = ag.ones_like(x) * var
    else:
        v = as_tensor(var, like=x)
        if (v._data < 0).any():
            raise ValueError("var has negative entry/entries")
    if v.shape != x.shape:
        if tuple(x.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (x.ndim == v.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1):
            raise ValueError(f"var is of incorrect size: gaussian_nll_loss got var of shape {tuple(v.shape)} "
                             f"for input of shape {tuple(x.shape)} (expected the input's shape, or it with the "
                             "last dim dropped or one dim of size 1)")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction + " is not valid")
    v = v + Tensor._wrap(np.maximum(v._data, eps) - v._data)    # the clamp, as a constant: identity gradient
    losses = 0.5 * (ag.log(v) + (x - t) ** 2 / v)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)

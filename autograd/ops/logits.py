"""Softmax and log-softmax over one dim, logits to (log-)probabilities: the ops where numerical stability
decides correctness (the largest logit is shifted to 0, so exp never overflows)."""
from __future__ import annotations

import numpy as np

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


def log_softmax(input: Tensor, dim: int = -1, *, dtype=None, axis: int | None = None) -> Tensor:
    input = input if dtype is None else as_tensor(input).to(dtype)     # PyTorch's dtype=: cast first
    return LogSoftmax.apply(input, dim=_dim(input, dim if axis is None else axis, "log_softmax"))


class Softmax(Op):
    """y = exp(x) / Σ exp(x)     dx = y * (g - Σ g * y)"""
    def forward(self, x, dim):
        self.dim = dim
        e = np.exp(_shifted(x, dim))
        return e / _sum(e, dim)

    def backward(self, g):
        y = self.out
        return (y * (g - (g * y).sum(dim=self.dim, keepdim=True)),)


def softmax(input: Tensor, dim: int = -1, *, dtype=None, axis: int | None = None) -> Tensor:
    input = input if dtype is None else as_tensor(input).to(dtype)     # PyTorch's dtype=: cast first
    return Softmax.apply(input, dim=_dim(input, dim if axis is None else axis, "softmax"))


def _dim(x: Tensor, dim: int, what: str) -> int:
    if x._data.dtype.kind not in "fc":             # PyTorch's kernels exist for floating types only
        raise NotImplementedError(f"{what}: not implemented for {x.dtype} tensors (shape {tuple(x.shape)}); "
                                  f"pass dtype=chainrule.float32 or convert with .float()")
    n = max(x.ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{what}: dim {dim} is out of range for a tensor of shape {tuple(x.shape)}")
    return dim % n

"""Elementwise and reducing composites: var, std, logsumexp, square, leaky_relu."""
from __future__ import annotations

import math

import numpy as np

from ..ops.arithmetic import where
from ..ops.reduce import _dims, amax
from ..tensor import Tensor


def var(x: Tensor, dim=None, keepdim: bool = False, *, correction: float = 1, unbiased: bool | None = None,
        axis=None, keepdims=None) -> Tensor:
    """Sample variance with Bessel's correction by default (PyTorch's rule; numpy's var uses ddof=0)."""
    keepdim = keepdim if keepdims is None else keepdims
    if unbiased is not None:
        correction = 1 if unbiased else 0
    dims = _dims(x, dim, axis, "var")
    n = x._data.size if dims is None else math.prod(x.shape[d] for d in dims)
    centred = x - x.mean(dims, keepdim=True)
    return (centred * centred).sum(dims, keepdim) / max(n - correction, 0)


def std(x: Tensor, dim=None, keepdim: bool = False, *, correction: float = 1, unbiased: bool | None = None,
        axis=None, keepdims=None) -> Tensor:
    keepdim = keepdim if keepdims is None else keepdims
    return var(x, dim, keepdim, correction=correction, unbiased=unbiased, axis=axis).sqrt()


def logsumexp(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """log Σ exp(x), shifted by the max (a constant) so exp never overflows."""
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    dims = _dims(x, dim, axis, "logsumexp")
    if x._data.size:
        m = amax(x.detach(), dims, keepdim=True)
        m = Tensor._wrap(np.where(np.isfinite(m._data), m._data, 0))
    else:                                          # empty: log(0) = -inf over each empty group, as PyTorch
        kept = [1 if dims is None or i in dims else n for i, n in enumerate(x.shape)]
        m = Tensor._wrap(np.zeros(kept, x.dtype))
    out = (x - m).exp().sum(dims, keepdim=True).log() + m
    return out if keepdim else out.reshape(tuple(s for i, s in enumerate(x.shape) if dims and i not in dims))


def square(x: Tensor) -> Tensor:
    return x * x


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return where(x._data > 0, x, x * negative_slope)

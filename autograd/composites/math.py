"""Elementwise and reducing composites: var, std, logsumexp, square, leaky_relu."""
from __future__ import annotations

import math

import numpy as np

from ..ops.arithmetic import where
from ..ops.reduce import _dims, amax
from ..tensor import Tensor


def var(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, axis=None, keepdims=None) -> Tensor:
    """Sample variance with Bessel's correction by default (PyTorch's rule; numpy's var uses ddof=0).
    Positional order is PyTorch's var(input, dim, unbiased, keepdim); var(input, True) is unbiased."""
    if isinstance(dim, bool):                           # torch.var(input, unbiased)
        dim, unbiased = None, dim
    keepdim = keepdim if keepdims is None else keepdims
    if unbiased is not None and correction is not None:
        raise TypeError("var: give unbiased or correction, not both")
    correction = (1 if unbiased or unbiased is None else 0) if correction is None else correction
    dims = _dims(input, dim, axis, "var")
    n = input._data.size if dims is None else math.prod(input.shape[d] for d in dims)
    centred = input - input.mean(dims, keepdim=True)
    return (centred * centred).sum(dims, keepdim) / max(n - correction, 0)


def std(input: Tensor, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, axis=None, keepdims=None) -> Tensor:
    return var(input, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims).sqrt()


def logsumexp(input: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """log Σ exp(x), shifted by the max (a constant) so exp never overflows."""
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    dims = _dims(input, dim, axis, "logsumexp")
    if input._data.size:
        m = amax(input.detach(), dims, keepdim=True)
        m = Tensor._wrap(np.where(np.isfinite(m._data), m._data, 0))
    else:                                          # empty: log(0) = -inf over each empty group, as PyTorch
        kept = [1 if dims is None or i in dims else n for i, n in enumerate(input.shape)]
        m = Tensor._wrap(np.zeros(kept, input.dtype))
    out = (input - m).exp().sum(dims, keepdim=True).log() + m
    kept = tuple(s for i, s in enumerate(input.shape) if dims and i not in dims)
    return out if keepdim else out.reshape(kept)


def square(input: Tensor) -> Tensor:
    return input * input


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return where(input._data > 0, input, input * negative_slope)

"""Tensor's methods that are one line into an op function (autograd/ops, autograd/composites): the math, the
reductions, the shape functions, with PyTorch's names and signatures. Tensor inherits them from OpMethods."""
from __future__ import annotations

from typing import Any

ops: Any = None   # autograd.ops, bound by tensor.py once Tensor exists (the op modules import Tensor)


class OpMethods:
    """The one-liners; Tensor's state, conversions, operators and in-place machinery are in tensor.py."""

    __slots__ = ()

    def exp(self): return ops.exp(self)
    def log(self): return ops.log(self)
    def sqrt(self): return ops.sqrt(self)
    def abs(self): return ops.abs(self)
    def sin(self): return ops.sin(self)
    def cos(self): return ops.cos(self)
    def tanh(self): return ops.tanh(self)
    def sigmoid(self): return ops.sigmoid(self)
    def erf(self): return ops.erf(self)
    def relu(self): return ops.relu(self)
    def leaky_relu(self, negative_slope=0.01): return ops.leaky_relu(self, negative_slope)
    def gelu(self, approximate="none"): return ops.gelu(self, approximate)
    def square(self): return ops.square(self)
    def pow(self, exponent): return ops.pow(self, exponent)
    def clamp(self, min=None, max=None): return ops.clamp(self, min, max)  # noqa: A002
    clip = clamp
    def maximum(self, other): return ops.maximum(self, other)
    def minimum(self, other): return ops.minimum(self, other)
    def where(self, condition, other): return ops.where(condition, self, other)
    def matmul(self, other): return ops.matmul(self, other)
    def add(self, other, *, alpha=1): return ops.add(self, other, alpha=alpha)
    def sub(self, other, *, alpha=1): return ops.sub(self, other, alpha=alpha)
    def mul(self, other): return ops.mul(self, other)
    def div(self, other, *, rounding_mode=None): return ops.div(self, other, rounding_mode=rounding_mode)
    def neg(self): return ops.neg(self)
    def log2(self): return ops.log2(self)
    def log10(self): return ops.log10(self)
    def log1p(self): return ops.log1p(self)
    def expm1(self): return ops.expm1(self)
    def mm(self, mat2): return ops.mm(self, mat2)
    def bmm(self, mat2): return ops.bmm(self, mat2)
    def masked_fill(self, mask, value): return ops.masked_fill(self, mask, value)
    def tril(self, diagonal=0): return ops.tril(self, diagonal)
    def triu(self, diagonal=0): return ops.triu(self, diagonal)
    def round(self, decimals=0): return ops.round(self, decimals=decimals)
    def sign(self): return ops.sign(self)
    def isfinite(self): return ops.isfinite(self)
    def isnan(self): return ops.isnan(self)
    def isinf(self): return ops.isinf(self)
    def bincount(self, weights=None, minlength=0): return ops.bincount(self, weights, minlength)
    def unique(self, *a, **kw): return ops.unique(self, *a, **kw)   # sorted, return_inverse, return_counts

    def sum(self, dim=None, keepdim=False, **kw): return ops.sum(self, dim, keepdim, **kw)   # kw: axis=, keepdims=
    def mean(self, dim=None, keepdim=False, **kw): return ops.mean(self, dim, keepdim, **kw)
    def prod(self, dim=None, keepdim=False, **kw): return ops.prod(self, dim, keepdim, **kw)
    def var(self, dim=None, *a, **kw): return ops.var(self, dim, *a, **kw)   # unbiased, keepdim, correction=
    def std(self, dim=None, *a, **kw): return ops.std(self, dim, *a, **kw)
    def max(self, dim=None, keepdim=False, **kw): return ops.max(self, dim, keepdim, **kw)
    def min(self, dim=None, keepdim=False, **kw): return ops.min(self, dim, keepdim, **kw)
    def amax(self, dim=None, keepdim=False, **kw): return ops.amax(self, dim, keepdim, **kw)
    def amin(self, dim=None, keepdim=False, **kw): return ops.amin(self, dim, keepdim, **kw)
    def argmax(self, dim=None, keepdim=False, **kw): return ops.argmax(self, dim, keepdim, **kw)
    def argmin(self, dim=None, keepdim=False, **kw): return ops.argmin(self, dim, keepdim, **kw)
    def logsumexp(self, dim=None, keepdim=False, **kw): return ops.logsumexp(self, dim, keepdim, **kw)
    def all(self, dim=None, keepdim=False, **kw): return ops.all(self, dim, keepdim, **kw)
    def any(self, dim=None, keepdim=False, **kw): return ops.any(self, dim, keepdim, **kw)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None): return ops.norm(self, p, dim, keepdim, dtype)
    def softmax(self, dim=-1, dtype=None, *, axis=None): return ops.softmax(self, dim, dtype=dtype, axis=axis)
    def log_softmax(self, dim=-1, dtype=None, *, axis=None):
        return ops.log_softmax(self, dim, dtype=dtype, axis=axis)
    def cumsum(self, dim, *, dtype=None): return ops.cumsum(self, dim, dtype=dtype)
    def cumprod(self, dim, *, dtype=None): return ops.cumprod(self, dim, dtype=dtype)
    def sort(self, dim=-1, descending=False, stable=False): return ops.sort(self, dim, descending, stable)
    def argsort(self, dim=-1, descending=False, stable=False): return ops.argsort(self, dim, descending, stable)
    def topk(self, k, dim=-1, largest=True, sorted=True): return ops.topk(self, k, dim, largest, sorted)  # noqa: A002
    def isclose(self, other, *a, **kw): return ops.isclose(self, other, *a, **kw)   # rtol, atol, equal_nan
    def allclose(self, other, *a, **kw): return ops.allclose(self, other, *a, **kw)
    def equal(self, other): return ops.equal(self, other)
    def is_floating_point(self): return self._data.dtype.kind == "f"
    def histc(self, bins=100, min=0, max=0): return ops.histc(self, bins, min, max)  # noqa: A002
    def histogram(self, bins=100, **kw): return ops.histogram(self, bins, **kw)   # range=, weight=, density=

    def reshape(self, *shape, **kw): return ops.reshape(self, *shape, **kw)
    def view(self, *shape, size=None): return ops.reshape(self, *shape, shape=size)
    def view_as(self, other): return ops.reshape(self, other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return ops.flatten(self, start_dim, end_dim)
    def permute(self, *dims, **kw): return ops.permute(self, *dims, **kw)
    def transpose(self, dim0, dim1): return ops.transpose(self, dim0, dim1)
    def t(self): return ops.transpose(self, 0, 1) if self.ndim == 2 else self
    def squeeze(self, dim=None): return ops.squeeze(self, dim)
    def unsqueeze(self, dim): return ops.unsqueeze(self, dim)
    def expand(self, *sizes, **kw): return ops.expand(self, *sizes, **kw)
    def expand_as(self, other): return ops.expand(self, other.shape)
    def broadcast_to(self, size): return ops.expand(self, size)
    def split(self, split_size, dim=0): return ops.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return ops.chunk(self, chunks, dim)
    def flip(self, *dims, **kw): return ops.flip(self, kw.get("dims", dims[0] if len(dims) == 1 else dims))
    def roll(self, shifts, dims=None): return ops.roll(self, shifts, dims)
    def repeat(self, *sizes): return ops.repeat(self, *sizes)
    def gather(self, dim, index): return ops.gather(self, dim, index)
    def take_along_dim(self, indices, dim=None): return ops.take_along_dim(self, indices, dim)
    def ravel(self): return ops.ravel(self)
    def diagonal(self, offset=0, dim1=0, dim2=1): return ops.diagonal(self, offset, dim1, dim2)
    def scatter(self, dim, index, *a, **kw): return ops.scatter(self, dim, index, *a, **kw)   # src or value=
    def scatter_add(self, dim, index, src): return ops.scatter_add(self, dim, index, src)
    def scatter_(self, *a, **kw): return self._become(ops.scatter, "scatter_", *a, **kw)   # dim, index, src
    def scatter_add_(self, *a, **kw): return self._become(ops.scatter_add, "scatter_add_", *a, **kw)

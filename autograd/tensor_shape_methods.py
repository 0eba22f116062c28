"""Tensor's methods that are one line into a shape, indexing or linear-algebra function (autograd/ops,
autograd/composites), with PyTorch's names and signatures. Tensor inherits them from ShapeMethods; the math and
reduction methods are in tensor_methods.py."""
from __future__ import annotations

from typing import Any

ops: Any = None   # autograd.ops, bound by tensor.py once Tensor exists (the op modules import Tensor)


class ShapeMethods:
    """Views, reshapes, joins, indexing, scatter/gather and matrix products."""

    __slots__ = ()

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

    # shape, indexing, linear algebra (composites/layout.py, indexing.py, blocks.py, linalg.py, quantiles.py)
    def type_as(self, other): return self.to(other.dtype)
    def reshape_as(self, other): return ops.reshape(self, other.shape)
    def unflatten(self, dim, sizes): return ops.unflatten(self, dim, sizes)
    def movedim(self, source, destination): return ops.movedim(self, source, destination)
    def moveaxis(self, source, destination): return ops.movedim(self, source, destination)
    def swapaxes(self, axis0, axis1): return ops.transpose(self, axis0, axis1)
    def swapdims(self, dim0, dim1): return ops.transpose(self, dim0, dim1)
    def narrow(self, dim, start, length): return ops.narrow(self, dim, start, length)
    def unbind(self, dim=0): return ops.unbind(self, dim)
    def tile(self, *dims): return ops.tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int)
                                           else dims)
    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        return ops.repeat_interleave(self, repeats, dim, output_size=output_size)
    def rot90(self, k=1, dims=(0, 1)): return ops.rot90(self, k, dims)
    def unfold(self, dimension, size, step): return ops.composites.layout._unfold(self, dimension, size, step)
    def index_select(self, dim, index): return ops.index_select(self, dim, index)
    def take(self, index): return ops.take(self, index)
    def masked_select(self, mask): return ops.masked_select(self, mask)
    def nonzero(self, *, as_tuple=False): return ops.nonzero(self, as_tuple=as_tuple)
    def argwhere(self): return ops.argwhere(self)
    def count_nonzero(self, dim=None): return ops.count_nonzero(self, dim)
    def index_fill(self, dim, index, value): return ops.index_fill(self, dim, index, value)
    def index_add(self, dim, index, source, *, alpha=1):
        return ops.index_add(self, dim, index, source, alpha=alpha)
    def index_copy(self, dim, index, source): return ops.index_copy(self, dim, index, source)
    def masked_scatter(self, mask, source): return ops.masked_scatter(self, mask, source)
    def index_fill_(self, dim, index, value):
        return self._become(ops.index_fill, "index_fill_", dim, index, value)
    def index_add_(self, dim, index, source, *, alpha=1):
        return self._become(ops.index_add, "index_add_", dim, index, source, alpha=alpha)
    def index_copy_(self, dim, index, source):
        return self._become(ops.index_copy, "index_copy_", dim, index, source)
    def masked_scatter_(self, mask, source):
        return self._become(ops.masked_scatter, "masked_scatter_", mask, source)
    def diag(self, diagonal=0): return ops.diag(self, diagonal)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1): return ops.diag_embed(self, offset, dim1, dim2)
    def trace(self): return ops.trace(self)
    def outer(self, vec2): return ops.outer(self, vec2)
    def ger(self, vec2): return ops.outer(self, vec2)
    def dot(self, tensor): return ops.dot(self, tensor)
    def vdot(self, other): return ops.vdot(self, other)
    def mv(self, vec): return ops.mv(self, vec)
    def inner(self, other): return ops.inner(self, other)
    def kron(self, other): return ops.kron(self, other)
    def cross(self, other, dim=None): return ops.cross(self, other, dim)
    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        return self._become(ops.addmm, "addmm_", mat1, mat2, beta=beta, alpha=alpha)
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return self._become(ops.baddbmm, "baddbmm_", batch1, batch2, beta=beta, alpha=alpha)
    def dist(self, other, p=2): return ops.dist(self, other, p)
    def median(self, dim=None, keepdim=False): return ops.median(self, dim, keepdim)
    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return ops.quantile(self, q, dim, keepdim, interpolation=interpolation)
    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return ops.nansum(self, dim, keepdim, dtype=dtype)
    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return ops.nanmean(self, dim, keepdim, dtype=dtype)
    def diff(self, n=1, dim=-1, prepend=None, append=None): return ops.diff(self, n, dim, prepend, append)
    def aminmax(self, *, dim=None, keepdim=False): return ops.aminmax(self, dim=dim, keepdim=keepdim)
    def cummax(self, dim): return ops.cummax(self, dim)
    def cummin(self, dim): return ops.cummin(self, dim)
    def logcumsumexp(self, dim): return ops.logcumsumexp(self, dim)
    def mode(self, dim=-1, keepdim=False): return ops.mode(self, dim, keepdim)
    def kthvalue(self, k, dim=None, keepdim=False): return ops.kthvalue(self, k, dim, keepdim)
    def nanmedian(self, dim=None, keepdim=False): return ops.nanmedian(self, dim, keepdim)
    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return ops.nanquantile(self, q, dim, keepdim, interpolation=interpolation)
    def select(self, dim, index): return ops.select(self, dim, index)
    def tensor_split(self, indices_or_sections=None, dim=0, *, sections=None, indices=None):
        return ops.tensor_split(self, indices_or_sections, dim, sections=sections, indices=indices)
    def diagflat(self, offset=0): return ops.diagflat(self, offset)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return self._become(ops.scatter_reduce, "scatter_reduce_", dim, index, src, reduce, include_self=include_self)
    def det(self): return ops.det(self)
    def inverse(self): return ops.inverse(self)
    def slogdet(self): return ops.slogdet(self)
    def logdet(self): return ops.logdet(self)
    def matrix_power(self, n): return ops.matrix_power(self, n)
    def cholesky(self, upper=False): return ops.cholesky(self, upper)
    def svd(self, some=True, compute_uv=True): return ops.svd(self, some, compute_uv)
    def qr(self, some=True): return ops.qr(self, some)
    def pinverse(self, rcond=1e-15): return ops.pinverse(self, rcond)
    def lstsq(self, A):   # as torch.Tensor.lstsq: removed in PyTorch 1.9, it raises
        raise RuntimeError("This function was deprecated since version 1.9 and is now removed. `torch.lstsq` is "
                           "deprecated in favor of `torch.linalg.lstsq` (chainrule.linalg.lstsq).")
    def addmv(self, mat, vec, *, beta=1, alpha=1): return ops.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def addr(self, vec1, vec2, *, beta=1, alpha=1): return ops.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return ops.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

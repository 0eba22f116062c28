"""Reductions: sum, mean, prod, and max/min. `dim` is an int, a tuple or None (all); numpy's `axis=` also
works."""
from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ..errors import DTypeError
from ..op import Op
from ..tensor import Tensor

values_indices = namedtuple("values_indices", ["values", "indices"])   # what max(dim)/min(dim) return


def _dims(x: Tensor, dim, axis=None, what: str = "reduce") -> tuple | None:
    dim = axis if dim is None else dim
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if not dims:                                   # dim=() reduces every dim, as PyTorch
        return None
    n = x.ndim or 1          # not max(): this module defines its own max
    for d in dims:
        if not -n <= d < n:
            raise IndexError(f"{what}: dim {d} is out of range for a tensor of shape {tuple(x.shape)} "
                             f"(expected a dim in [{-n}, {n - 1}])")
    return tuple(sorted(d % n for d in dims)) if x.ndim else ()


def _keep_shape(in_shape: tuple, dims: tuple | None) -> tuple:
    """The output shape with keepdim=True: reduced dims become 1, so g broadcasts back over them."""
    return tuple(1 if dims is None or i in dims else s for i, s in enumerate(in_shape))


class Sum(Op):
    """y = Σ x over dims       dx = g broadcast back over the summed dims"""
    def forward(self, x, dims, keepdim):
        self.in_shape, self.dims = x.shape, dims
        return np.add.reduce(x, axis=dims, keepdims=keepdim)   # = np.sum without its Python dispatch

    def backward(self, g):
        return (g.reshape(_keep_shape(self.in_shape, self.dims)).expand(self.in_shape),)


class Mean(Sum):
    """y = Σ x / n over dims    dx = (g / n) broadcast back    (one node, not a sum and a divide)"""
    def forward(self, x, dims, keepdim, n):
        self.n = n
        return super().forward(x, dims, keepdim) / n   # numpy's weak scalar: keeps x's dtype, as the old divide

    def backward(self, g):
        return super().backward(g / self.n)


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, axis=None,  # noqa: A001
        keepdims=None) -> Tensor:
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    input = input if dtype is None else input.to(dtype)     # PyTorch's dtype=: cast first, then reduce
    return Sum.apply(input, dims=_dims(input, dim, axis, "sum"), keepdim=keepdim)


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    input = input if dtype is None else input.to(dtype)
    if input.dtype.kind not in "fc":
        raise DTypeError(f"mean: needs a floating-point tensor, got {input.dtype} (convert with .float() "
                         "or pass dtype=)")
    dims = _dims(input, dim, axis, "mean")
    n = input._data.size if dims is None else math.prod(input.shape[d] for d in dims)
    if not n:
        return input.sum(dims, keepdim) * float("nan")
    return Mean.apply(input, dims=dims, keepdim=keepdim, n=n)


class Prod(Op):
    """y = Π x over dims       dx = g * (product of the other elements)"""
    def forward(self, x, dims, keepdim):
        self.in_shape, self.dims = x.shape, dims
        return np.prod(x, axis=dims, keepdims=keepdim)

    def backward(self, g):
        x = self.inputs[0]
        g = g.reshape(_keep_shape(self.in_shape, self.dims))
        if np.all(x._data != 0):
            return (g * self.out.reshape(g.shape) / x,)
        return (g * _prod_of_others(x, self.dims),)    # exact with zeros, and still differentiable


def _prod_of_others(x: Tensor, dims: tuple | None) -> Tensor:
    """For each element, the product of the other elements of its reduction group (O(n²), zeros only)."""
    dims = tuple(range(x.ndim)) if dims is None else dims
    rest = [d for d in range(x.ndim) if d not in dims]
    moved = x.permute(*rest, *dims)
    flat = moved.reshape(*moved.shape[:len(rest)], -1)
    n = flat.shape[-1]
    cols = [flat[..., [j for j in range(n) if j != i]].prod(dim=-1) if n > 1 else flat[..., 0] * 0 + 1
            for i in range(n)]
    from ..composites.shape import stack
    return stack(cols, dim=-1).reshape(moved.shape).permute(*np.argsort(list(rest) + list(dims)))


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    input = input if dtype is None else input.to(dtype)
    return Prod.apply(input, dims=_dims(input, dim, axis, "prod"), keepdim=keepdim)


class Max(Op):
    """y = max x over dims      dx = g split evenly among the elements equal to the max (as torch.amax)"""
    def forward(self, x, dims, keepdim, smallest=False):
        self.in_shape, self.dims = x.shape, dims
        _check_nonempty(x, dims, "min" if smallest else "max")
        return (np.min if smallest else np.max)(x, axis=dims, keepdims=keepdim)

    def backward(self, g):
        x = self.inputs[0]._data
        y = self.out._data.reshape(_keep_shape(self.in_shape, self.dims))
        ties = x == y                              # g split evenly among the ties: g / count at each tie
        count = np.add.reduce(ties, axis=self.dims, keepdims=True, dtype=x.dtype)
        return (g.reshape(y.shape) / Tensor._wrap(count) * Tensor._wrap(ties.astype(x.dtype)),)


def _check_nonempty(x: np.ndarray, dims, what: str) -> None:
    """An empty tensor reduces over non-empty dims (to an empty result, as PyTorch), never over an empty one."""
    if x.size == 0:
        if dims is None:
            raise ValueError(f"{what}: cannot reduce an empty tensor of shape {tuple(x.shape)} (there is no identity); "
                             "name the dims to reduce with dim=")
        empty = [d for d in ((dims,) if isinstance(dims, (int, np.integer)) else dims) if x.shape[d] == 0]
        if empty:
            raise IndexError(f"{what}: cannot reduce dim {empty[0]} of size 0 of a tensor of shape {tuple(x.shape)} "
                             "(there is no identity)")


def amax(input: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    return Max.apply(input, dims=_dims(input, dim, axis, "amax"), keepdim=keepdim)


def amin(input: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    return Max.apply(input, dims=_dims(input, dim, axis, "amin"), keepdim=keepdim, smallest=True)


def max(input: Tensor, dim=None, keepdim: bool = False, *, other=None, axis=None, keepdims=None):  # noqa: A001
    """max(x): the largest element (ties share the gradient). max(x, dim): (values, indices), the gradient
    going to the index returned (the first of any ties), as PyTorch. max(x, other): elementwise maximum."""
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    return _extreme(input, dim if other is None else other, keepdim, axis, smallest=False)


def min(input: Tensor, dim=None, keepdim: bool = False, *, other=None, axis=None, keepdims=None):  # noqa: A001
    """min(x), min(x, dim) -> (values, indices), min(x, other): as `max`."""
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    return _extreme(input, dim if other is None else other, keepdim, axis, smallest=True)


def _extreme(x, dim, keepdim, axis, smallest):
    from ..composites.rearrange import take_along_dim  # here: composites import this module
    from .arithmetic import maximum, minimum
    if isinstance(dim, Tensor):
        return (minimum if smallest else maximum)(x, dim)
    dim = axis if dim is None else dim
    if dim is None:
        return Max.apply(x, dims=None, keepdim=False, smallest=smallest)
    if not isinstance(dim, (int, np.integer)):
        name = "min" if smallest else "max"
        raise TypeError(f"{name}(x, dim): dim must be one int (it returns values and indices), got {dim!r}; "
                        f"to reduce several dims use a{name}(x, dim={tuple(dim)!r})")
    (d,) = _dims(x, dim, None, "min" if smallest else "max") or (0,)
    _check_nonempty(x._data, d, "min" if smallest else "max")
    idx = (np.argmin if smallest else np.argmax)(x._data, axis=d, keepdims=True) if x.ndim else np.array(0)
    values = take_along_dim(x, idx, d) if x.ndim else x[()]
    if not keepdim and x.ndim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return values_indices(values, Tensor._wrap(np.asarray(idx, dtype=np.int64)))


def argmax(input: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    return _arg(np.argmax, input, dim if axis is None else axis, keepdim)


def argmin(input: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    return _arg(np.argmin, input, dim if axis is None else axis, keepdim)


def _arg(fn, x: Tensor, dim, keepdim: bool) -> Tensor:
    if x._data.size == 0 and (dim is None or not x.shape[dim]):     # empty along dim: PyTorch's IndexError
        raise IndexError(f"{fn.__name__}: cannot take it over an empty dim of shape {tuple(x.shape)}; "
                         f"dim={dim}")
    if dim is None:
        out = fn(x._data)
        out = np.reshape(out, (1,) * x.ndim) if keepdim else out
    else:
        (d,) = _dims(x, dim, None, fn.__name__)
        out = fn(x._data, axis=d, keepdims=keepdim)
    return Tensor._wrap(np.asarray(out, dtype=np.int64))

"""Ops built from primitives: they need no backward of their own, and higher order comes free."""
from __future__ import annotations

import math

import numpy as np

from .ops.arithmetic import where
from .ops.reduce import Mean, _dims, amax
from .ops.shape import Permute, cat, reshape
from .ops.unary import Gelu, _floating, tanh
from .tensor import Tensor, as_tensor


def mean(x: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    keepdim = keepdim if keepdims is None else keepdims     # numpy's name, which PyTorch accepts too
    if x.dtype.kind not in "fc":
        raise TypeError(f"mean: needs a floating-point tensor, got {x.dtype} (convert with .float())")
    dims = _dims(x, dim, axis, "mean")
    n = x._data.size if dims is None else math.prod(x.shape[d] for d in dims)
    return Mean.apply(x, dims=dims, keepdim=keepdim, n=n) if n else x.sum(dims, keepdim) * float("nan")


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
        m = Tensor._wrap(np.zeros([1 if dims is None or i in dims else n for i, n in enumerate(x.shape)], x.dtype))
    out = (x - m).exp().sum(dims, keepdim=True).log() + m
    return out if keepdim else out.reshape(tuple(s for i, s in enumerate(x.shape) if dims and i not in dims))


def square(x: Tensor) -> Tensor:
    return x * x


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return where(x._data > 0, x, x * negative_slope)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x). 'none' is exact (erf); 'tanh' is the approximation of Hendrycks & Gimpel, as PyTorch."""
    if approximate == "tanh":
        return 0.5 * x * (1 + tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(_floating(x))


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    n = x.ndim
    if n < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x
    for d in (dim0, dim1):
        if not -n <= d < n:
            raise IndexError(f"transpose: dim {d} is out of range for a tensor of shape {tuple(x.shape)}")
    dims = list(range(n))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return Permute.apply(x, dims=tuple(dims))     # a valid permutation by construction: x.mT twice as fast


def squeeze(x: Tensor, dim=None) -> Tensor:
    """Remove dims of size 1 (all of them, or those named that have size 1, as PyTorch)."""
    if dim is None:
        return reshape(x, tuple(s for s in x.shape if s != 1))
    dims = {_check_dim(x.ndim, d, "squeeze") for d in ((dim,) if isinstance(dim, int) else dim)}
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    n = x.ndim + 1
    if not -n <= dim < n:
        raise IndexError(f"unsqueeze: dim {dim} is out of range for a tensor of shape {tuple(x.shape)} "
                         f"(expected a dim in [{-n}, {n - 1}])")
    d = dim % n
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        _check_dim(0, start_dim, "flatten"), _check_dim(0, end_dim, "flatten")
        return reshape(x, (1,))
    s, e = _check_dim(x.ndim, start_dim, "flatten"), _check_dim(x.ndim, end_dim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {tuple(x.shape)}")
    return reshape(x, x.shape[:s] + (math.prod(x.shape[s:e + 1]),) + x.shape[e + 1:])


def stack(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    dim = dim if axis is None else axis
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("stack: expected a non-empty list of tensors")
    if any(t.shape != ts[0].shape for t in ts):
        raise ValueError(f"stack: all tensors must have the same shape, got {[tuple(t.shape) for t in ts]}")
    return cat([unsqueeze(t, dim) for t in ts], dim)


def split(x: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of `split_size` along dim (the last may be smaller), or of the listed sizes."""
    if x.ndim == 0:
        raise ValueError("split: cannot split a 0-d tensor (it has no dims)")
    n = x.shape[_check_dim(x.ndim, dim, "split")]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, n - i) for i in range(0, n, step)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ValueError(f"split: sections {sizes} sum to {sum(sizes)}, but dim {dim} of shape "
                             f"{tuple(x.shape)} has {n}")
    lead = (slice(None),) * (dim % x.ndim)
    bounds = np.cumsum([0] + sizes)
    return tuple(x[lead + (slice(a, b),)] for a, b in zip(bounds[:-1], bounds[1:]))


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most `chunks` pieces of equal size (ceil(n / chunks)) along dim, as PyTorch."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    if x.ndim == 0:
        raise ValueError("chunk: cannot chunk a 0-d tensor (it has no dims)")
    n = x.shape[_check_dim(x.ndim, dim, "chunk")]
    return split(x, max(1, -(-n // chunks)), dim)


def one_hot(t, num_classes: int = -1) -> Tensor:
    """int64 one-hot vectors (a constant: class indices have no gradient)."""
    t = as_tensor(t)
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot: needs integer class indices, got {t.dtype}")
    if num_classes == -1 and not t._data.size:
        raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; pass num_classes")
    n = int(t._data.max()) + 1 if num_classes == -1 else num_classes
    if t._data.size and (t._data.min() < 0 or t._data.max() >= n):
        raise ValueError(f"one_hot: class values must be in [0, {n - 1}], got min {t._data.min()} "
                         f"and max {t._data.max()}")
    return Tensor._wrap((t._data[..., None] == np.arange(n)).astype(np.int64))


def _check_dim(ndim: int, dim: int, what: str) -> int:
    """dim in [-ndim, ndim) (a 0-d tensor accepts 0 and -1, as PyTorch), as a non-negative index."""
    n = ndim or 1
    if not -n <= dim < n:
        raise IndexError(f"{what}: dim {dim} is out of range for a tensor with {ndim} dims "
                         f"(expected a dim in [{-n}, {n - 1}])")
    return dim % n


def cast(x: Tensor, dtype) -> Tensor:
    from .ops.arithmetic import Cast
    return Cast.apply(x, dtype=np.dtype(dtype))

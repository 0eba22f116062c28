"""Comparisons, truth tests, logical and bitwise operations and counts: bool or integer results, outside the graph
(nothing to differentiate)."""
from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..errors import DTypeError
from ..tensor import Tensor, as_tensor
from .arithmetic import _operands
from .reduce import _dims

histogram_result = namedtuple("histogram_result", ["hist", "bin_edges"])   # torch.return_types.histogram


def _arrays(x, other) -> tuple[np.ndarray, Any]:
    return as_tensor(x)._data, other._data if isinstance(other, Tensor) else other


def _cmp(fn, x, other) -> Tensor:
    a, b = _arrays(x, other)
    return Tensor._wrap(fn(a, b))


def eq(input, other) -> Tensor: return _cmp(np.equal, input, other)  # noqa: A002
def ne(input, other) -> Tensor: return _cmp(np.not_equal, input, other)  # noqa: A002
def lt(input, other) -> Tensor: return _cmp(np.less, input, other)  # noqa: A002
def le(input, other) -> Tensor: return _cmp(np.less_equal, input, other)  # noqa: A002
def gt(input, other) -> Tensor: return _cmp(np.greater, input, other)  # noqa: A002
def ge(input, other) -> Tensor: return _cmp(np.greater_equal, input, other)  # noqa: A002


def all(input, dim=None, keepdim: bool = False, *, keepdims=None, axis=None) -> Tensor:  # noqa: A001, A002
    """True where every element (over dim, or all of them) is non-zero."""
    return _truth(np.all, input, dim, keepdim if keepdims is None else keepdims, axis, "all")


def any(input, dim=None, keepdim: bool = False, *, keepdims=None, axis=None) -> Tensor:  # noqa: A001, A002
    """True where some element (over dim, or any of them) is non-zero."""
    return _truth(np.any, input, dim, keepdim if keepdims is None else keepdims, axis, "any")


def _truth(fn, x, dim, keepdim, axis, what) -> Tensor:
    x = as_tensor(x)
    dims = _dims(x, dim, axis, what)
    return Tensor._wrap(np.asarray(fn(x._data, axis=dims, keepdims=keepdim)))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:  # noqa: A002
    """|input - other| ≤ atol + rtol·|other|, elementwise (bool)."""
    a, b = _arrays(input, other)
    return Tensor._wrap(np.asarray(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:  # noqa: A002
    """isclose everywhere (a Python bool)."""
    a, b = _arrays(input, other)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other) -> bool:  # noqa: A002
    """The same shape and the same values (a Python bool)."""
    a, b = _arrays(input, other)
    return bool(np.shape(a) == np.shape(b) and np.array_equal(a, b))


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:  # noqa: A002
    return as_tensor(input).dtype.kind == "f"


def histc(input, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts in `bins` equal bins over [min, max] (the data's range when both are 0; values outside are
    dropped), in the input's dtype, as torch.histc."""
    x = as_tensor(input)
    if x.dtype.kind != "f":
        raise TypeError(f"histc: needs a floating-point tensor, got {x.dtype}")
    if bins <= 0:
        raise ValueError(f"histc: bins must be positive, got {bins}")
    lo, hi = float(min), float(max)
    if lo == hi and x.numel():
        lo, hi = float(x._data.min()), float(x._data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise ValueError(f"histc: max {max} must be larger than min {min}")
    counts, _ = np.histogram(x._data, bins=bins, range=(lo, hi))
    return Tensor._wrap(counts.astype(x.dtype))


def histogram(input, bins=100, *, range=None, weight=None, density: bool = False) -> histogram_result:  # noqa: A002
    """(hist, bin_edges): `bins` equal bins over `range` (the data's by default), or the given edges (a 1-d
    tensor), optionally weighted and normalised to a density, as torch.histogram."""
    x = as_tensor(input)
    if x.dtype.kind != "f":
        raise TypeError(f"histogram: needs a floating-point tensor, got {x.dtype}")
    edges = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else as_tensor(weight)._data
    if w is not None and w.shape != x.shape:
        raise ValueError(f"histogram: weight of shape {tuple(w.shape)} must have the input's shape {tuple(x.shape)}")
    if range is None and not x.numel() and np.ndim(edges) == 0:
        range = (0.0, 1.0)
    hist, out_edges = np.histogram(x._data, bins=edges, range=range, weights=w, density=density)
    return histogram_result(Tensor._wrap(hist.astype(x.dtype)), Tensor._wrap(out_edges.astype(x.dtype)))


def isfinite(input) -> Tensor:  # noqa: A002
    """True where an element is neither inf nor nan (integers are always finite)."""
    return Tensor._wrap(np.isfinite(as_tensor(input)._data))


def isnan(input) -> Tensor:  # noqa: A002
    return Tensor._wrap(np.isnan(as_tensor(input)._data))


def isinf(input) -> Tensor:  # noqa: A002
    return Tensor._wrap(np.isinf(as_tensor(input)._data))


def numel(input) -> int:  # noqa: A002
    return as_tensor(input)._data.size


def bincount(input, weights=None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How often each value 0, 1, ..., max(input) occurs in the 1-d non-negative integer `input` (at least
    `minlength` bins); with `weights`, their sums instead: int64 counts, or the weights' float dtype."""
    x = as_tensor(input)
    if x.ndim != 1 or x.dtype.kind not in "iub":
        raise TypeError(f"bincount: needs a 1-d integer tensor, got shape {tuple(x.shape)} and dtype "
                        f"{x.dtype}")
    if x.numel() and x._data.min() < 0:
        raise ValueError(f"bincount: values must be non-negative, got min {x._data.min()}")
    if minlength < 0:
        raise ValueError(f"bincount: minlength must be non-negative, got {minlength}")
    if weights is None:
        return Tensor._wrap(np.bincount(x._data, minlength=minlength).astype(np.int64))
    w = as_tensor(weights)._data
    if w.shape != x.shape:
        raise ValueError(f"bincount: weights of shape {tuple(w.shape)} must have the input's shape "
                         f"{tuple(x.shape)}")
    sums = np.bincount(x._data, w, minlength)
    return Tensor._wrap(sums.astype(w.dtype if w.dtype.kind == "f" else np.float64))


def unique(input, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Tensor | tuple[Tensor, ...]:
    """The distinct values (sorted; of the flattened input, or the distinct slices along `dim`), and on
    request where each element went (`inverse`) and how often each occurs, as torch.unique."""
    x = as_tensor(input)
    a = x._data
    if dim is not None:
        d = _dims(x, dim, None, "unique")[0] if x.ndim else 0
        moved = np.moveaxis(a, d, 0)
        values, inverse, counts = np.unique(moved.reshape(len(moved), -1), axis=0, return_inverse=True,
                                            return_counts=True)
        values = np.moveaxis(values.reshape((-1,) + moved.shape[1:]), 0, d)
    else:
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(a.shape)
    out = [Tensor._wrap(values)]
    if return_inverse:
        out.append(Tensor._wrap(inverse.reshape(-1) if dim is not None else inverse).long())
    if return_counts:
        out.append(Tensor._wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def logical_and(input, other) -> Tensor:  # noqa: A002
    """True where both are non-zero (any dtypes), as torch.logical_and."""
    return _cmp(np.logical_and, input, other)


def logical_or(input, other) -> Tensor:  # noqa: A002
    return _cmp(np.logical_or, input, other)


def logical_xor(input, other) -> Tensor:  # noqa: A002
    return _cmp(np.logical_xor, input, other)


def logical_not(input) -> Tensor:  # noqa: A002
    return Tensor._wrap(np.logical_not(as_tensor(input)._data))


def bitwise_and(input, other) -> Tensor:  # noqa: A002
    """Bitwise AND of integer or bool tensors (logical for bools), as torch.bitwise_and."""
    return _bitwise("bitwise_and", np.bitwise_and, input, other)


def bitwise_or(input, other) -> Tensor:  # noqa: A002
    return _bitwise("bitwise_or", np.bitwise_or, input, other)


def bitwise_xor(input, other) -> Tensor:  # noqa: A002
    return _bitwise("bitwise_xor", np.bitwise_xor, input, other)


def bitwise_not(input) -> Tensor:  # noqa: A002
    return _bitwise("bitwise_not", np.invert, input)


def heaviside(input, values) -> Tensor:  # noqa: A002
    """0 where input < 0, 1 where input > 0, `values` where input is 0, as torch.heaviside (a step function:
    outside the graph)."""
    x, v = as_tensor(input), as_tensor(values, like=as_tensor(input))
    if x.dtype != v.dtype:
        raise DTypeError(f"heaviside: not implemented for tensors with different dtypes (input {x.dtype} of shape "
                         f"{tuple(x.shape)}, values {v.dtype} of shape {tuple(v.shape)})")
    return Tensor._wrap(np.heaviside(x._data, v._data).astype(x.dtype, copy=False))

def _bitwise(what: str, fn, *operands) -> Tensor:
    """Integers and bools only (PyTorch has no float kernel); a Python int takes the tensor's dtype."""
    xs = _operands(*operands) if len(operands) == 2 else (as_tensor(operands[0]),)
    for x in xs:
        if x._data.dtype.kind not in "iub":
            raise NotImplementedError(f"{what}: not implemented for {x.dtype} tensors (shape {tuple(x.shape)}); "
                                      "bitwise operations take integer or bool tensors")
    return Tensor._wrap(fn(*(x._data for x in xs)))

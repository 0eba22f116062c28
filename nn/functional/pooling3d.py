"""3-D pooling over (N, C, D, H, W) or unbatched (C, D, H, W): max_pool3d and avg_pool3d, with PyTorch's
geometry (ops/pool.py's checks: -inf padding for the max, ceil_mode's partial last window).

max_pool3d finds each window's pick on the arrays (the first maximum in (d, h, w) order, or the last NaN, as
PyTorch's kernel), then gathers those flat indices: the gradient reaches each pick (summed where overlapping
windows share it) and has gradients of its own. avg_pool3d sums windows with conv3d's im2col (Unfold, whose
gradient is Fold) and divides by the per-window count, which is a product of one count per dim.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

import autograd as ag
from autograd import Tensor
from autograd.errors import ArgumentError
from autograd.ops.conv import Unfold
from autograd.ops.pool import _batched, _pool_setup
from autograd.tensor import as_tensor


@_batched(nd=3)
def _max_pool3d(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
                return_indices: bool) -> Tensor | tuple[Tensor, Tensor]:
    k, s, p, d, out, extra = _pool_setup("max_pool3d", x, kernel_size, stride, padding, dilation, ceil_mode, 3)
    n, c, *size = x.shape
    a = np.pad(x._data, ((0, 0), (0, 0), *((q, q + e) for q, e in zip(p, extra))), constant_values=-np.inf)
    st = a.strides
    view = as_strided(a, (n, c, *out, *k), (*st[:2], *(t * q for t, q in zip(st[2:], s)),
                                             *(t * q for t, q in zip(st[2:], d))), writeable=False)
    cells = view.reshape(n, c, *out, math.prod(k))                       # a copy: every window's cells in a row
    which = cells.argmax(-1)
    nan = np.isnan(cells)
    if nan.any():                               # rare: PyTorch's scan keeps replacing its pick by each NaN
        last = cells.shape[-1] - 1 - nan[..., ::-1].argmax(-1)
        which = np.where(nan.any(-1), last, which)
    grid = np.indices(out, sparse=True)
    coords = [g * ss + i * dd - q for g, ss, i, dd, q in zip(grid, s, np.unravel_index(which, k), d, p)]
    idx = np.ravel_multi_index(coords, size, mode="clip").astype(np.int64)
    flat = x.reshape(n, c, math.prod(size)).gather(2, Tensor._wrap(idx.reshape(n, c, -1)))
    y = flat.reshape(n, c, *out)
    return (y, Tensor._wrap(idx)) if return_indices else y


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """PyTorch's F.max_pool3d; with return_indices also the flat index of each maximum in D·H·W."""
    return _max_pool3d(as_tensor(input), kernel_size, stride, padding, dilation, ceil_mode, return_indices)


@_batched(nd=3)
def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """PyTorch's F.avg_pool3d: window sums over a divisor that counts the zero padding (by default) but never
    the part of a ceil_mode window hanging past the padded input; divisor_override replaces it."""
    x = input
    k, s, p, _, out, extra = _pool_setup("avg_pool3d", x, kernel_size, stride, padding, 1, ceil_mode, 3)
    if divisor_override is not None and (not isinstance(divisor_override, (int, np.integer))
                                         or divisor_override == 0):
        raise ArgumentError(f"avg_pool3d: divisor_override must be a non-zero int, got "
                            f"{divisor_override!r}")
    n, c, *size = x.shape
    if any(p) or any(extra):
        x = ag.ops.pad(x, tuple(w for q, e in zip(reversed(p), reversed(extra)) for w in (q, q + e)))
    cols = Unfold.apply(x, kernel_size=k, dilation=(1, 1, 1), padding=(0, 0, 0), stride=s)   # (C·K, L·N)
    sums = cols.reshape(c, math.prod(k), -1).sum(1).reshape(c, *out, n).permute(4, 0, 1, 2, 3)
    if divisor_override is not None:
        return sums / float(divisor_override)
    counts = []
    for m, kk, ss, q, o in zip(size, k, s, p, out):          # per dim: the window's cells the divisor counts
        lo = np.arange(o) * ss - q
        hi = np.minimum(lo + kk, m + q)
        counts.append(hi - lo if count_include_pad else np.minimum(hi, m) - np.maximum(lo, 0))
    divisor = np.einsum("i,j,k->ijk", *counts).astype(x._data.dtype)
    return sums / Tensor._wrap(divisor)

"""Max pooling's primitives, the dual pair PoolGather/PoolScatter: the first is "take from each window the cell
`which` names", the second its adjoint. A composite (one-hot mask, where, sum over unfolded windows) is
slower (see benchmarks W5): it copies every window and reduces along a strided axis, where this makes one
elementwise pass per window cell. Padding follows PyTorch: max pooling pads with -inf; ceil_mode adds a
partial window at the end when it starts inside. Average pooling is a composite (composites/conv.py); the
memory layouts the passes work in are in pool_layout.py."""
from __future__ import annotations

import functools

import numpy as np

from ..errors import ArgumentError
from ..masking import all_finite, masked
from ..op import Op
from ..pool_layout import batch_last, disjoint, fresh, nchw, phys, tiled, windows
from ..tensor import Tensor, as_tensor
from .conv import _tuplen
from .shape import pad


def _pool_size(size: int, k: int, d: int, p: int, s: int, ceil_mode: bool) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:     # PyTorch: the last window must start inside the input
        out -= 1
    return out


def _pool_setup(what: str, x: Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool, nd: int = 2) -> tuple:
    """Checked geometry over `nd` spatial dims: (k, s, p, d, out, extra), `extra` being the right/bottom padding
    ceil_mode needs."""
    if x.ndim != nd + 2:
        dims = "D, H, W" if nd == 3 else "H, W"
        raise ValueError(f"{what}: expected a {nd + 1}-D (C, {dims}) or {nd + 2}-D (N, C, {dims}) input, got shape "
                         f"{tuple(x.shape)}")
    k = _tuplen(kernel_size, nd, what, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _tuplen(stride, nd, what,
                                                                                               "stride")
    p, d = _tuplen(padding, nd, what, "padding"), _tuplen(dilation, nd, what, "dilation")
    if min(k) < 1 or min(s) < 1 or min(d) < 1 or min(p) < 0:
        raise ArgumentError(f"{what}: expected kernel_size, stride, dilation >= 1 and padding >= 0, got "
                            f"kernel_size={k}, stride={s}, dilation={d}, padding={p}")
    extent = tuple(dd * (kk - 1) + 1 for kk, dd in zip(k, d))
    if any(pp > kk // 2 for pp, kk in zip(p, k)):        # PyTorch's rule (on the undilated kernel)
        raise ArgumentError(f"{what}: padding {p} should be at most half of kernel_size {k}")
    size = tuple(x.shape[2:])
    if any(m + 2 * pp < e for m, pp, e in zip(size, p, extent)):
        raise ArgumentError(f"{what}: kernel size {k} (extent {extent}) is larger than the padded input "
                            f"{tuple(m + 2 * pp for m, pp in zip(size, p))} of input shape {tuple(x.shape)}")
    out = tuple(_pool_size(n, kk, dd, pp, ss, ceil_mode) for n, kk, dd, pp, ss in zip(size, k, d, p, s))
    extra = tuple(max(0, (o - 1) * ss + e - (n + 2 * pp)) for o, ss, e, n, pp in zip(out, s, extent, size, p))
    return k, s, p, d, out, extra


class PoolGather(Op):
    """y[n,c,oy,ox] = x[n, c, oy·sh + i·dh, ox·sw + j·dw]      dx = pool_scatter(g)
    (i, j) = the window cell `which` picks."""
    def forward(self, x, which, geom, values=None):
        self.which, self.geom, self.in_shape = which, geom, x.shape
        if values is not None:                  # max_pool2d found the values together with `which`
            return values
        k, d, s, out = geom
        last = batch_last(which)               # work in the memory layout max_pool2d's input had
        view, w = windows(phys(x, last), k, d, s, out), phys(which, last)
        y = np.empty(w.shape, dtype=x.dtype)
        for q in range(k[0] * k[1]):            # kh·kw strided passes, not a loop over pixels
            np.copyto(y, view[:, q // k[1], q % k[1]], where=w == q)
        return nchw(y, last, x.shape)

    def backward(self, g):
        return (PoolScatter.apply(g, which=self.which, geom=self.geom, shape=self.in_shape),)


class PoolScatter(Op):
    """y = zeros(shape); y[n, c, oy·sh + i·dh, ox·sw + j·dw] += x[n,c,oy,ox]      dx = pool_gather(g)
    (i, j) = the cell `which` picks.

    y is laid out as max_pool2d's input was (`which` records it), so relu's in-place mask before it multiplies
    arrays of one layout. Disjoint windows store instead of adding (see benchmarks W5)."""
    def forward(self, x, which, geom, shape):
        self.which, self.geom = which, geom
        k, d, s, out = geom
        last = batch_last(which)
        x, w = phys(x, last), phys(which, last)
        y = fresh(shape, x.dtype, last)
        yp, apart, finite = phys(y, last), disjoint(geom), all_finite(x)   # finite: see masked()
        if not (apart and tiled(geom, shape)):   # else every cell is stored below
            yp.fill(0)
        view = windows(yp, k, d, s, out, writeable=True)
        for q in range(k[0] * k[1]):
            cell = view[:, q // k[1], q % k[1]]
            if apart:                           # no other window writes here: store, don't add
                masked(x, w == q, out=cell, finite=finite)
            else:                               # for one (i, j) the cells are distinct, so += is exact
                cell += masked(x, w == q, finite=finite)
        return y

    def backward(self, g):
        return (PoolGather.apply(g, which=self.which, geom=self.geom),)


class MaxPool2d(PoolGather):
    """y = max of each window (its first maximum, as PyTorch)      dx = g placed at that maximum (pool_scatter)"""
    # PoolGather with the cells chosen by the data; a class of its own so graphs and errors say max_pool2d


def _first_max(x: np.ndarray, geom) -> tuple[np.ndarray, np.ndarray]:
    """Each window's maximum and the window cell holding it: the first one, or in a window holding NaN its last
    NaN, as PyTorch's kernel (each NaN it meets replaces the pick), so the gradient goes where PyTorch's does.
    `which` counts the leading cells that are not the pick, by bool arithmetic: plain passes over memory, where
    np.where, copyto(where=), masked stores and argmax over window cells are slower. Disjoint windows are first
    copied cell-major (one pass, no bigger than x), so that the later passes are contiguous (see benchmarks W5).
    Both results keep x's memory layout (see phys)."""
    k, d, s, out = geom
    a = phys(x, last := batch_last(x))
    view = windows(a, k, d, s, out)
    if disjoint(geom):
        cells = np.empty((k[0], k[1], a.shape[0]) + out + a.shape[3:], dtype=x.dtype)
        cells[...] = view.transpose(1, 2, 0, 3, 4, 5)
        cells = cells.reshape((k[0] * k[1],) + cells.shape[2:])     # not -1: an empty batch has size 0
    else:                                        # overlapping windows: strided views, no kh·kw-fold copy
        cells = [view[:, q // k[1], q % k[1]] for q in range(k[0] * k[1])]
    best = cells[0].copy()
    for v in cells[1:]:
        np.maximum(best, v, out=best)           # propagates NaN, as PyTorch does
    which = np.zeros(best.shape, dtype=np.min_scalar_type(len(cells)))
    missed = np.ones(best.shape, dtype=bool)    # no pick among the cells seen so far
    for v in cells[:-1]:
        missed &= v != best
        which += missed.view(np.uint8)
    if np.isnan(best).any():                    # rare: those windows' pick is their last NaN cell
        for q, v in enumerate(cells):
            which[np.isnan(v)] = q
    return nchw(best, last, x.shape), nchw(which, last, x.shape)


def _batched(fn=None, *, nd: int = 2):
    """Accept an unbatched (C, H, W) input (with nd=3: (C, D, H, W)), as PyTorch does, by adding and removing a
    batch dim."""
    if fn is None:
        return functools.partial(_batched, nd=nd)

    @functools.wraps(fn)
    def wrapper(input, *args, **kwargs):  # noqa: A002
        x = as_tensor(input)
        if x.ndim != nd + 1:
            return fn(x, *args, **kwargs)
        out = fn(x.unsqueeze(0), *args, **kwargs)
        return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)
    return wrapper


@_batched
def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,  # noqa: A002
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """PyTorch's F.max_pool2d. The gradient goes to the first maximum of each window, as PyTorch's."""
    k, s, p, d, (oh, ow), extra = _pool_setup("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)
    x = input
    if p != (0, 0) or extra != (0, 0):
        x = pad(x, (p[1], p[1] + extra[1], p[0], p[0] + extra[0]), value=-np.inf)
    geom = (k, d, s, (oh, ow))
    values, which = _first_max(x._data, geom)
    out = MaxPool2d.apply(x, which=which, geom=geom, values=values)
    if not return_indices:
        return out
    i, j = np.divmod(which.astype(np.int64), k[1])                         # kernel row/col of each maximum
    rows = np.arange(oh)[:, None] * s[0] + i * d[0] - p[0]
    cols = np.arange(ow)[None, :] * s[1] + j * d[1] - p[1]
    return out, Tensor._wrap(rows * input.shape[3] + cols)               # flat index in H·W, as PyTorch

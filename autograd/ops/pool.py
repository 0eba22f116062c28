"""Pooling. Average pooling is a composite over `unfold`: (N, C, H, W) becomes (N, C, kh·kw, L) windows summed
over the window axis, so its gradients of any order come from unfold/fold. Max pooling has its own dual pair,
PoolGather/PoolScatter: the first is "take from each window the cell `which` names", the second its adjoint.
A composite (one-hot mask, where, sum over unfolded windows) measured ~5x slower on LeNet's 2x2 pools: it
copies every window and reduces along a strided axis, where this makes one elementwise pass per window cell.
Padding follows PyTorch: max pooling pads with -inf, average pooling with zeros (counted in the
divisor unless count_include_pad=False); ceil_mode adds a partial window at the end when it starts inside.
"""
from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..op import Op
from ..tensor import Tensor, as_tensor
from .arithmetic import all_finite, masked
from .conv import _tuple2, unfold
from .shape import pad


def _pool_size(size: int, k: int, d: int, p: int, s: int, ceil_mode: bool) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:     # PyTorch: the last window must start inside the input
        out -= 1
    return out


def _pool_setup(what: str, x: Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool) -> tuple:
    """Checked geometry: (k, s, p, d, out, extra), `extra` being the right/bottom padding ceil_mode needs."""
    if x.ndim != 4:
        raise ValueError(f"{what}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {tuple(x.shape)}")
    k = _tuple2(kernel_size, what, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _tuple2(stride, what, "stride")
    p, d = _tuple2(padding, what, "padding"), _tuple2(dilation, what, "dilation")
    if min(k) < 1 or min(s) < 1 or min(d) < 1 or min(p) < 0:
        raise ValueError(f"{what}: expected kernel_size, stride, dilation >= 1 and padding >= 0, got "
                         f"kernel_size={k}, stride={s}, dilation={d}, padding={p}")
    extent = tuple(dd * (kk - 1) + 1 for kk, dd in zip(k, d))
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:             # PyTorch's rule (on the undilated kernel)
        raise ValueError(f"{what}: padding {p} should be at most half of kernel_size {k}")
    h, w = x.shape[2:]
    if h + 2 * p[0] < extent[0] or w + 2 * p[1] < extent[1]:
        raise ValueError(f"{what}: kernel size {k} (extent {extent}) is larger than the padded input "
                         f"{(h + 2 * p[0], w + 2 * p[1])} of input shape {tuple(x.shape)}")
    out = tuple(_pool_size(n, kk, dd, pp, ss, ceil_mode) for n, kk, dd, pp, ss in zip((h, w), k, d, p, s))
    extra = tuple(max(0, (o - 1) * ss + e - (n + 2 * pp)) for o, ss, e, n, pp in zip(out, s, extent, (h, w), p))
    return k, s, p, d, out, extra


def _unfolded(x: Tensor, k, s, p, d, extra, value: float) -> Tensor:
    """(N, C, kh·kw, L): every pooling window of x, borders filled with `value`."""
    n, c = x.shape[:2]
    if p != (0, 0) or extra != (0, 0):
        x = pad(x, (p[1], p[1] + extra[1], p[0], p[0] + extra[0]), value=value)
    return unfold(x, k, d, 0, s).reshape(n, c, k[0] * k[1], -1)


class PoolGather(Op):
    """y[n,c,oy,ox] = x[n, c, oy·sh + i·dh, ox·sw + j·dw]      dx = pool_scatter(g)
    (i, j) = the window cell `which` picks."""
    def forward(self, x, which, geom, values=None):
        self.which, self.geom, self.in_shape = which, geom, x.shape
        if values is not None:                  # max_pool2d found the values together with `which`
            return values
        k, d, s, out = geom
        last = _batch_last(which)               # work in the memory layout max_pool2d's input had
        view, w = _windows(_phys(x, last), k, d, s, out), _phys(which, last)
        y = np.empty(w.shape, dtype=x.dtype)
        for q in range(k[0] * k[1]):            # kh·kw strided passes, not a loop over pixels
            np.copyto(y, view[:, q // k[1], q % k[1]], where=w == q)
        return _nchw(y, last, x.shape)

    def backward(self, g):
        return (PoolScatter.apply(g, which=self.which, geom=self.geom, shape=self.in_shape),)


class PoolScatter(Op):
    """y = zeros(shape); y[n, c, oy·sh + i·dh, ox·sw + j·dw] += x[n,c,oy,ox]      dx = pool_gather(g)
    (i, j) = the cell `which` picks.

    y is laid out as max_pool2d's input was (`which` records it), so relu's in-place mask before it multiplies
    arrays of one layout. Disjoint windows store instead of adding. W5 (LeNet, batch 64, in the training step):
    772 -> 390 us on the 6x24x24 pool, 224 -> 137 us on the 16x8x8 one."""
    def forward(self, x, which, geom, shape):
        self.which, self.geom = which, geom
        k, d, s, out = geom
        last = _batch_last(which)
        x, w = _phys(x, last), _phys(which, last)
        y = _fresh(shape, x.dtype, last)
        yp, disjoint, finite = _phys(y, last), _disjoint(geom), all_finite(x)   # finite: see masked()
        if not (disjoint and _tiled(geom, shape)):   # else every cell is stored below
            yp.fill(0)
        view = _windows(yp, k, d, s, out, writeable=True)
        for q in range(k[0] * k[1]):
            cell = view[:, q // k[1], q % k[1]]
            if disjoint:                        # no other window writes here: store, don't add
                masked(x, w == q, out=cell, finite=finite)
            else:                               # for one (i, j) the cells are distinct, so += is exact
                cell += masked(x, w == q, finite=finite)
        return y

    def backward(self, g):
        return (PoolGather.apply(g, which=self.which, geom=self.geom),)


class MaxPool2d(PoolGather):
    """y = max of each window (its first maximum, as PyTorch)      dx = g placed at that maximum (pool_scatter)"""
    # PoolGather with the cells chosen by the data; a class of its own so graphs and errors say max_pool2d


def _disjoint(geom) -> bool:
    """No two windows share a cell (stride >= dilated kernel extent): LeNet's 2x2 stride 2 and every tiling."""
    k, d, s, _ = geom
    return all(ss >= dd * (kk - 1) + 1 for kk, dd, ss in zip(k, d, s))


def _first_max(x: np.ndarray, geom) -> tuple[np.ndarray, np.ndarray]:
    """Each window's maximum and the window cell holding it: the first one, or in a window holding NaN its last
    NaN, as PyTorch's kernel (each NaN it meets replaces the pick), so the gradient goes where PyTorch's does.
    `which` counts the leading cells that are not the pick, by bool arithmetic: np.where, copyto(where=) and
    masked stores measured 5-10x slower per pass here, and argmax over a trailing axis of window cells ~5x slower
    than the old loop. Disjoint windows are first copied cell-major (one pass, no bigger than x), so that the
    later passes are contiguous. W5 (LeNet, batch 64, in the training step): 436 -> 295 us on the 6x24x24 pool,
    226 -> 152 us on the 16x8x8 one. Both results keep x's memory layout (see _phys)."""
    k, d, s, out = geom
    a = _phys(x, last := _batch_last(x))
    view = _windows(a, k, d, s, out)
    if _disjoint(geom):
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
    return _nchw(best, last, x.shape), _nchw(which, last, x.shape)


def _batch_last(a: np.ndarray) -> bool:
    """a (N, C, H, W) is laid out (C, H, W, N) in memory (conv2d's output, or any permuted view)."""
    return not a.flags.c_contiguous and a.transpose(1, 2, 3, 0).flags.c_contiguous


def _fresh(shape: tuple, dtype, last: bool) -> np.ndarray:
    """A new (N, C, H, W) array laid out as _phys reads it, owning its memory: the engine keeps only such a
    gradient as .grad, and relu masks only such one in place (autograd/ownership.py); a view each would copy."""
    if not last:
        return np.empty(shape, dtype)
    (n, _, h, w), i = shape, np.dtype(dtype).itemsize
    return np.ndarray(shape, dtype, strides=(i, h * w * n * i, w * n * i, n * i))


def _tiled(geom, shape) -> bool:
    """The windows cover every input cell (LeNet's 2x2 stride 2 on an even size)."""
    k, d, s, out = geom
    return d == (1, 1) and k == s and (out[0] * s[0], out[1] * s[1]) == tuple(shape[2:])


def _phys(a: np.ndarray, last: bool) -> np.ndarray:
    """(N, C, H, W) as a row-major (A, H, W, B) array, the pooled axes in the middle: (C, H, W, N) when `last`,
    else (N·C, H, W, 1). A view when a is laid out so, else a copy. A batch-last input (a permuted view, say) is
    pooled in its own layout, every pass contiguous; made row-major first it took a transposing copy
    against the cache (max_pool2d forward + backward of a batch-last (64, 16, 28, 28) leaf: 5.5 -> 3.9 ms)."""
    if last:
        return np.ascontiguousarray(a.transpose(1, 2, 3, 0))
    return np.ascontiguousarray(a).reshape(-1, *a.shape[2:], 1)


def _nchw(r: np.ndarray, last: bool, shape: tuple) -> np.ndarray:
    """The (N, C, OH, OW) view of a result `r` computed in _phys's layout."""
    return r.transpose(3, 0, 1, 2) if last else r.reshape(shape[:2] + r.shape[1:3])


def _windows(a: np.ndarray, k, d, s, out, writeable: bool = False) -> np.ndarray:
    """A (A, kh, kw, OH, OW, B) strided view of an (A, H, W, B) array: element [a, i, j, y, x, b] is
    a[a, y·sh + i·dh, x·sw + j·dw, b]. No copy."""
    sa, sy, sx, sb = a.strides
    return as_strided(a, (a.shape[0], k[0], k[1], out[0], out[1], a.shape[3]),
                      (sa, sy * d[0], sx * d[1], sy * s[0], sx * s[1], sb), writeable=writeable)


def _batched(fn):
    """Accept an unbatched (C, H, W) input, as PyTorch does, by adding and removing a batch dim."""
    @functools.wraps(fn)
    def wrapper(input, *args, **kwargs):  # noqa: A002
        x = as_tensor(input)
        if x.ndim != 3:
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


@_batched
def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """PyTorch's F.avg_pool2d: window sums over a divisor that counts the zero padding (by default) but never
    the part of a ceil_mode window hanging past the padded input."""
    k, s, p, d, (oh, ow), extra = _pool_setup("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)
    n, c, h, w = input.shape
    sums = _unfolded(input, k, s, p, d, extra, 0.0).sum(2)
    if divisor_override is not None:
        divisor = float(divisor_override)
    elif p == (0, 0) and extra == (0, 0):
        divisor = float(k[0] * k[1])
    else:                                    # count, per window, the cells that belong to the divisor
        inside = np.zeros((1, 1, h + 2 * p[0] + extra[0], w + 2 * p[1] + extra[1]), dtype=input.dtype)
        if count_include_pad:
            inside[..., :h + 2 * p[0], :w + 2 * p[1]] = 1
        else:
            inside[..., p[0]:p[0] + h, p[1]:p[1] + w] = 1
        divisor = Tensor._wrap(unfold(Tensor._wrap(inside), k, 1, 0, s)._data.sum(1).reshape(-1))
    return (sums / divisor).reshape(n, c, oh, ow)


@_batched
def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:  # noqa: A002
    """PyTorch's F.adaptive_avg_pool2d: output cell i averages input rows floor(i·H/OH) .. ceil((i+1)·H/OH).
    Written as P_h @ x @ P_wᵀ with constant averaging matrices, which handles uneven windows exactly."""
    x = input
    if x.ndim != 4:
        raise ValueError(f"adaptive_avg_pool2d: expected a 3-D or 4-D input, got shape {tuple(x.shape)}")
    size = (output_size, output_size) if isinstance(output_size, int) or output_size is None else output_size
    oh, ow = (x.shape[2 + i] if size[i] is None else int(size[i]) for i in range(2))
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
    if (oh, ow) == (1, 1):
        return x.mean((2, 3), keepdim=True)
    h, w = x.shape[2:]
    if h % oh == 0 and w % ow == 0:          # even windows: a plain average pool
        return avg_pool2d.__wrapped__(x, (h // oh, w // ow))
    ph, pw = (Tensor._wrap(_averaging_matrix(n, o, x.dtype)) for n, o in ((h, oh), (w, ow)))
    return ph @ x @ pw.mT


def _averaging_matrix(n: int, out: int, dtype) -> np.ndarray:
    m = np.zeros((out, n), dtype=dtype)
    for i in range(out):                     # out rows, not pixels: at most a few dozen iterations
        a, b = (i * n) // out, -(-((i + 1) * n) // out)
        m[i, a:b] = 1.0 / (b - a)
    return m


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,  # noqa: A002
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """PyTorch's F.max_pool1d on (N, C, L) or (C, L): a max_pool2d of height 1."""
    one = _one_d("max_pool1d")
    out = max_pool2d(as_tensor(input).unsqueeze(-2), (1, one(kernel_size)),
                     None if stride is None else (1, one(stride)), (0, one(padding)), (1, one(dilation)),
                     ceil_mode, return_indices)
    return tuple(o.squeeze(-2) for o in out) if return_indices else out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True) -> Tensor:
    """PyTorch's F.avg_pool1d on (N, C, L) or (C, L): an avg_pool2d of height 1."""
    one = _one_d("avg_pool1d")
    out = avg_pool2d(as_tensor(input).unsqueeze(-2), (1, one(kernel_size)),
                     None if stride is None else (1, one(stride)), (0, one(padding)), ceil_mode, count_include_pad)
    return out.squeeze(-2)


def _one_d(what: str):
    def one(v) -> int:
        t = (v,) if isinstance(v, (int, np.integer)) else tuple(v)
        if len(t) != 1:
            raise ValueError(f"{what}: expected an int or a 1-tuple, got {v!r}")
        return int(t[0])
    return one

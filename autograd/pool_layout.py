"""Memory layouts for max pooling's passes (ops/pool.py): an (N, C, H, W) array is pooled as a row-major
(A, H, W, B) array, (C, H, W, N) when its batch is last in memory (conv2d's output, a permuted view) or
(N·C, H, W, 1), so that every pass over a window cell is contiguous; and the strided window view."""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


def disjoint(geom) -> bool:
    """No two windows share a cell (stride >= dilated kernel extent): LeNet's 2x2 stride 2 and every
    tiling."""
    k, d, s, _ = geom
    return all(ss >= dd * (kk - 1) + 1 for kk, dd, ss in zip(k, d, s))


def batch_last(a: np.ndarray) -> bool:
    """a (N, C, H, W) is laid out (C, H, W, N) in memory (conv2d's output, or any permuted view)."""
    return not a.flags.c_contiguous and a.transpose(1, 2, 3, 0).flags.c_contiguous


def fresh(shape: tuple, dtype, last: bool) -> np.ndarray:
    """A new (N, C, H, W) array laid out as phys reads it, owning its memory: the engine keeps only such a
    gradient as .grad, and relu masks only such one in place (autograd/ownership.py); a view each would
    copy."""
    if not last:
        return np.empty(shape, dtype)
    (n, _, h, w), i = shape, np.dtype(dtype).itemsize
    return np.ndarray(shape, dtype, strides=(i, h * w * n * i, w * n * i, n * i))


def tiled(geom, shape) -> bool:
    """The windows cover every input cell (LeNet's 2x2 stride 2 on an even size)."""
    k, d, s, out = geom
    return d == (1, 1) and k == s and (out[0] * s[0], out[1] * s[1]) == tuple(shape[2:])


def phys(a: np.ndarray, last: bool) -> np.ndarray:
    """(N, C, H, W) as a row-major (A, H, W, B) array, the pooled axes in the middle: (C, H, W, N) when
    `last`, else (N·C, H, W, 1). A view when a is laid out so, else a copy. A batch-last input (a permuted
    view, say) is pooled in its own layout, every pass contiguous; made row-major first it would take a
    transposing copy against the cache."""
    if last:
        return np.ascontiguousarray(a.transpose(1, 2, 3, 0))
    return np.ascontiguousarray(a).reshape(-1, *a.shape[2:], 1)


def nchw(r: np.ndarray, last: bool, shape: tuple) -> np.ndarray:
    """The (N, C, OH, OW) view of a result `r` computed in phys's layout."""
    return r.transpose(3, 0, 1, 2) if last else r.reshape(shape[:2] + r.shape[1:3])


def windows(a: np.ndarray, k, d, s, out, writeable: bool = False) -> np.ndarray:
    """A (A, kh, kw, OH, OW, B) strided view of an (A, H, W, B) array: element [a, i, j, y, x, b] is
    a[a, y·sh + i·dh, x·sw + j·dw, b]. No copy."""
    sa, sy, sx, sb = a.strides
    return as_strided(a, (a.shape[0], k[0], k[1], out[0], out[1], a.shape[3]),
                      (sa, sy * d[0], sx * d[1], sy * s[0], sx * s[1], sb), writeable=writeable)

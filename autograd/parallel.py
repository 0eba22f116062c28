"""Large array ops cut into ranges of their leading dimension and run on the intra-op threads (threads.py):
products (numpy's BLAS runs at one thread under chainrule), elementwise arithmetic, optimizer updates.
Small work (below the thresholds) runs whole, so small models pay one comparison."""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from .threads import count, get_num_threads, run

_record: list = [None]         # compile's hook while it records: a split op is one line of the program


def recordable(*writes: str) -> Callable:
    """Mark a split op (arrays in, arrays out) so that `compile` records each call as one line of its program,
    which then runs on the threads too; `writes` names the arguments it fills in place."""
    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def call(*args, **kwargs):  # noqa: ANN202
            hook = _record[0]
            return fn(*args, **kwargs) if hook is None else hook(fn, writes, args, kwargs)
        return call
    return wrap


MIN_ELEMENTS = 1 << 18         # elementwise work (element-passes) a part must have to pay for its hand-off
_BINARY = 2 * MIN_ELEMENTS     # an add or multiply (one pass) split from this many elements
MIN_FLOPS = 1 << 23            # a product worth splitting


def ranges(n: int, cost: float, minimum: float = MIN_ELEMENTS) -> list[tuple[int, int]]:
    """[0, n) cut into contiguous (lo, hi) ranges, one per thread, when the whole costs at least `minimum`
    per extra thread; else (or inside `serial`) one range."""
    k = max(1, min(count(), n, int(cost // minimum)))
    cuts = [n * i // k for i in range(k + 1)]
    return list(zip(cuts[:-1], cuts[1:]))


def for_ranges(fn: Callable[[int, int], object], n: int, cost: float, minimum: float = MIN_ELEMENTS) -> list:
    """fn(lo, hi) over [0, n) in ranges run at the same time (see `ranges`); their results in order."""
    if cost < 2 * minimum:                 # small: one call, nothing else (small models come here often)
        return [fn(0, n)]
    return run(fn, ranges(n, cost, minimum))


def for_weighted(fn: Callable[[int, int], object], weights: Sequence[int],
                 minimum: float = MIN_ELEMENTS) -> list:
    """fn(lo, hi) over the items [0, len(weights)) in ranges of about equal total weight (elements), run at
    the same time when the total is large enough (see `ranges`); their results in order."""
    total = float(sum(weights))
    if total < 2 * minimum:
        return [fn(0, len(weights))] if weights else []
    k = len(ranges(len(weights), total, minimum))
    cuts, so_far, i = [0], 0.0, 0
    for j in range(1, k):                  # cut after the item where the running total passes j/k of it
        while i < len(weights) and so_far + weights[i] / 2 < total * j / k:
            so_far += weights[i]
            i += 1
        cuts.append(max(i, cuts[-1]))
    cuts.append(len(weights))
    return run(fn, [(lo, hi) for lo, hi in zip(cuts[:-1], cuts[1:]) if hi > lo])


def binary(ufunc: np.ufunc, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ufunc(x, y) split over the first dim of the result, for two large row-major arrays of one float dtype
    (a residual connection, two gradients summed); numpy's call otherwise (which keeps other memory
    orders)."""
    if x.size < _BINARY and y.size < _BINARY:
        return ufunc(x, y)                 # small: numpy's call, first (every add of a small model comes here)
    if _record[0] is not None:             # (not @recordable: a lighter call on every add)
        return _record[0](_binary, (), (ufunc, x, y), {})
    return _binary(ufunc, x, y)


def _binary(ufunc: np.ufunc, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if (count() == 1 or x.dtype != y.dtype or x.dtype.kind != "f" or max(x.size, y.size) < _BINARY
            or not (x.flags.c_contiguous and y.flags.c_contiguous)):
        return ufunc(x, y)
    shape = np.broadcast_shapes(x.shape, y.shape)
    out = np.empty(shape, x.dtype)

    def rows(a: np.ndarray, lo: int, hi: int) -> np.ndarray:     # a's part of rows lo:hi (all if broadcast)
        return a[lo:hi] if a.ndim == len(shape) and a.shape[0] != 1 else a
    run(lambda lo, hi: ufunc(rows(x, lo, hi), rows(y, lo, hi), out=out[lo:hi]), ranges(shape[0], out.size))
    return out


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None,
           add: np.ndarray | None = None) -> np.ndarray:
    """a @ b for 2-D a and b (into `out` if given), plus `add` (a bias: one value per column) if given, split
    over a's rows, or b's columns when a has fewer rows than b has columns; each part adds its bias while its
    rows are in cache. As with BLAS's own threads, the last bits of a sum can depend on the thread count (BLAS
    blocks a smaller product differently); a given count gives the same bits every run."""
    if (2.0 * a.shape[0] * b.shape[1] * a.shape[1] < 2 * MIN_FLOPS or get_num_threads() == 1
            or (add is not None and add.shape != (b.shape[1],))):
        out = np.matmul(a, b, out=out)     # small (a small model's every product): numpy's, nothing else
        if add is not None:
            out += add
        return out
    return _split_matmul(a, b, out, add)


@recordable("out")
def _split_matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None, add: np.ndarray | None) -> np.ndarray:
    m, n = a.shape[0], b.shape[1]
    if out is None:
        out = np.empty((m, n), np.result_type(a, b))
    cost = 2.0 * m * n * a.shape[1]

    def rows(lo: int, hi: int) -> None:
        np.matmul(a[lo:hi], b, out=out[lo:hi])
        if add is not None:
            out[lo:hi] += add

    def columns(lo: int, hi: int) -> None:
        np.matmul(a, b[:, lo:hi], out=out[:, lo:hi])
        if add is not None:
            out[:, lo:hi] += add[lo:hi]
    if m >= n:
        run(rows, ranges(m, cost, MIN_FLOPS))
    else:
        run(columns, ranges(n, cost, MIN_FLOPS))
    return out


def column_sum(g: np.ndarray) -> np.ndarray:
    """Σ of g's rows (a bias's gradient) as ones @ g, one BLAS product per part of the rows on the threads."""
    if g.size < 2 * MIN_ELEMENTS or get_num_threads() == 1:
        return np.ones(len(g), g.dtype) @ g
    return _split_column_sum(g)


@recordable()
def _split_column_sum(g: np.ndarray) -> np.ndarray:
    parts = for_ranges(lambda lo, hi: np.ones(hi - lo, g.dtype) @ g[lo:hi], len(g), g.size)
    return parts[0] if len(parts) == 1 else sum(parts[1:], parts[0])


def any_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.matmul(a, b) of arrays of 2 or more dims: split as `matmul` for matrices, over the first batch dim
    for stacks of them that share it; as numpy's otherwise."""
    if a.ndim == 2 == b.ndim:
        return matmul(a, b)
    if b.ndim == 2 and a.flags.c_contiguous:           # (..., k) @ (k, n): one (rows, k) @ (k, n) product
        return matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + (b.shape[1],))
    if a.ndim < 3 or a.ndim != b.ndim or a.shape[0] != b.shape[0] or get_num_threads() == 1:
        return np.matmul(a, b)
    full = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    if 2.0 * np.prod(full, dtype=float) * a.shape[-1] < 2 * MIN_FLOPS:
        return np.matmul(a, b)
    return _split_batched(a, b)


@recordable()
def _split_batched(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    full = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    out = np.empty(full, np.result_type(a, b))
    run(lambda lo, hi: np.matmul(a[lo:hi], b[lo:hi], out=out[lo:hi]),
        ranges(full[0], 2.0 * out.size * a.shape[-1], MIN_FLOPS))
    return out

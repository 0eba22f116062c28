"""Intra-op threads, as PyTorch's `set_num_threads`: a large array op runs split into ranges of its leading
dimension on several cores. Plain Python threads are enough because numpy releases the GIL inside its loops
and BLAS calls.

numpy's BLAS is kept at one thread and products are split here instead: after each product BLAS's idle
threads spin on the other cores for a while, taking the core a split elementwise op would run on. Small
work (below the `cost` thresholds) runs inline, so small models pay one comparison.
"""
from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Sequence

import numpy as np

MIN_ELEMENTS = 1 << 17         # elementwise work worth a second thread (its hand-off costs tens of µs)
MIN_FLOPS = 1 << 23            # a product worth splitting


def _default_threads() -> int:
    """OMP_NUM_THREADS if set (as PyTorch reads it), else the CPUs this process may run on."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.strip().isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                  # macOS, Windows
        return os.cpu_count() or 1


class _Pool:
    """Worker threads fed through queues; the calling thread runs the first part itself."""

    def __init__(self, threads: int) -> None:
        self.threads, self.inboxes, self.busy = threads, [], threading.Lock()

    def run(self, fn: Callable, parts: Sequence[tuple]) -> list:
        """[fn(*p) for p in parts], the parts after the first on worker threads. Serial when the pool is
        already in use (a nested call, or a second user thread): never waits on itself."""
        if len(parts) < 2 or not self.busy.acquire(blocking=False):
            return [fn(*p) for p in parts]
        try:
            while len(self.inboxes) < len(parts) - 1:
                self.inboxes.append(_start_worker())
            reply: queue.SimpleQueue = queue.SimpleQueue()
            for inbox, p in zip(self.inboxes, parts[1:]):
                inbox.put((fn, p, reply))
            results, failure = [None] * len(parts), None
            try:
                results[0] = fn(*parts[0])
            except BaseException as e:      # still collect the workers' parts: they write into shared arrays
                failure = e
            for _ in parts[1:]:
                i, ok, value = reply.get()
                if ok:
                    results[i + 1] = value
                elif failure is None:
                    failure = value
            if failure is not None:
                raise failure
            return results
        finally:
            self.busy.release()


def _start_worker() -> queue.SimpleQueue:
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    index = len(_pool.inboxes)

    def loop() -> None:
        while True:
            fn, args, reply = inbox.get()
            try:
                reply.put((index, True, fn(*args)))
            except BaseException as e:
                reply.put((index, False, e))
    threading.Thread(target=loop, name=f"chainrule-{index + 1}", daemon=True).start()
    return inbox


_pool = _Pool(_default_threads())


def _after_fork() -> None:
    """A forked child (a DataLoader worker) has none of the parent's threads: start afresh."""
    global _pool
    _pool = _Pool(_pool.threads)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def set_num_threads(n: int) -> None:
    """Use n threads for chainrule's large array ops (PyTorch's name; the default is the CPUs available)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise RuntimeError(f"set_num_threads: expected a positive integer, got {n!r}")
    _pool.threads = int(n)


def get_num_threads() -> int:
    """How many threads chainrule's large array ops use."""
    return _pool.threads


class serial:
    """Within it, ops run whole on the calling thread (compile records each numpy call as one line)."""

    def __enter__(self) -> serial:
        _serial[0] += 1
        return self

    def __exit__(self, *exc: object) -> None:
        _serial[0] -= 1


_serial = [0]


def ranges(n: int, cost: float, minimum: float = MIN_ELEMENTS) -> list[tuple[int, int]]:
    """[0, n) cut into contiguous (lo, hi) ranges, one per thread, when the whole costs at least `minimum`
    per extra thread; else (or inside `serial`) one range."""
    k = 1 if _serial[0] else max(1, min(_pool.threads, n, int(cost // minimum)))
    cuts = [n * i // k for i in range(k + 1)]
    return list(zip(cuts[:-1], cuts[1:]))


def for_ranges(fn: Callable[[int, int], object], n: int, cost: float, minimum: float = MIN_ELEMENTS) -> list:
    """fn(lo, hi) over [0, n) in ranges run at the same time (see `ranges`); their results in order."""
    return _pool.run(fn, ranges(n, cost, minimum))


def for_weighted(fn: Callable[[int, int], object], weights: Sequence[int], minimum: float = MIN_ELEMENTS) -> list:
    """fn(lo, hi) over the items [0, len(weights)) in ranges of about equal total weight (elements), run at
    the same time when the total is large enough (see `ranges`); their results in order."""
    total = float(sum(weights))
    k = len(ranges(len(weights), total, minimum))
    cuts, run, i = [0], 0.0, 0
    for j in range(1, k):                  # cut after the item where the running total passes j/k of it
        while i < len(weights) and run + weights[i] / 2 < total * j / k:
            run += weights[i]
            i += 1
        cuts.append(max(i, cuts[-1]))
    cuts.append(len(weights))
    return _pool.run(fn, [(lo, hi) for lo, hi in zip(cuts[:-1], cuts[1:]) if hi > lo])


def binary(ufunc: np.ufunc, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ufunc(x, y) split over the first dim of the result, for two large row-major arrays of one float dtype
    (a residual connection, two gradients summed); numpy's call otherwise (which keeps other memory orders)."""
    if (_pool.threads == 1 or x.dtype != y.dtype or x.dtype.kind != "f" or max(x.size, y.size) < 2 * MIN_ELEMENTS
            or _serial[0] or not (x.flags.c_contiguous and y.flags.c_contiguous)):
        return ufunc(x, y)
    shape = np.broadcast_shapes(x.shape, y.shape)
    out = np.empty(shape, x.dtype)

    def rows(a: np.ndarray, lo: int, hi: int) -> np.ndarray:     # a's part of rows lo:hi (all of it if broadcast)
        return a[lo:hi] if a.ndim == len(shape) and a.shape[0] != 1 else a
    _pool.run(lambda lo, hi: ufunc(rows(x, lo, hi), rows(y, lo, hi), out=out[lo:hi]),
              ranges(shape[0], out.size))
    return out


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a @ b for 2-D a and b (into `out` if given), split over a's rows, or b's columns when a has fewer
    rows than b has columns. Each range is the same product BLAS would compute, so results are identical."""
    m, n = a.shape[0], b.shape[1]
    if out is None:
        out = np.empty((m, n), np.result_type(a, b))
    cost = 2.0 * m * n * a.shape[1]
    if cost < 2 * MIN_FLOPS or _pool.threads == 1 or _serial[0]:
        return np.matmul(a, b, out=out)
    if m >= n:
        _pool.run(lambda lo, hi: np.matmul(a[lo:hi], b, out=out[lo:hi]), ranges(m, cost, MIN_FLOPS))
    else:
        _pool.run(lambda lo, hi: np.matmul(a, b[:, lo:hi], out=out[:, lo:hi]), ranges(n, cost, MIN_FLOPS))
    return out


def any_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.matmul(a, b) of arrays of 2 or more dims: split as `matmul` for matrices, over the first batch dim
    for stacks of them that share it; as numpy's otherwise."""
    if a.ndim == 2 == b.ndim:
        return matmul(a, b)
    if b.ndim == 2 and a.flags.c_contiguous:           # (..., k) @ (k, n): one (rows, k) @ (k, n) product
        return matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + (b.shape[1],))
    if a.ndim < 3 or a.ndim != b.ndim or a.shape[0] != b.shape[0] or _pool.threads == 1 or _serial[0]:
        return np.matmul(a, b)
    full = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
    cost = 2.0 * np.prod(full, dtype=float) * a.shape[-1]
    parts = ranges(full[0], cost, MIN_FLOPS)
    if len(parts) == 1:
        return np.matmul(a, b)
    out = np.empty(full, np.result_type(a, b))
    _pool.run(lambda lo, hi: np.matmul(a[lo:hi], b[lo:hi], out=out[lo:hi]), parts)
    return out


def one_thread_blas() -> None:
    """Limit numpy's BLAS to one thread (see the module's docstring); a BLAS threadpoolctl cannot reach
    (Apple's Accelerate) keeps its own threads."""
    from threadpoolctl import ThreadpoolController
    ThreadpoolController().select(user_api="blas").limit(limits=1)

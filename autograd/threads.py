"""Intra-op threads, as PyTorch's `set_num_threads`: the worker threads that run the parts of a large array
op at the same time (autograd/parallel.py cuts the ops). Plain Python threads are enough because numpy
releases the GIL inside its loops and BLAS calls.

Each thread that calls into chainrule gets workers of its own, so an op is cut the same way whether its
thread runs alone or beside others, and gives the same bits. A part that itself calls a split op runs that
op whole: nesting never waits on a busy pool."""
from __future__ import annotations

import functools
import os
import queue
import threading
import weakref
from collections.abc import Callable, Sequence

import numpy as np


def _default_threads() -> int:
    """OMP_NUM_THREADS if set (as PyTorch reads it), else the CPUs this process may run on."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.strip().isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                  # macOS, Windows
        return os.cpu_count() or 1


_threads = [_default_threads()]
_forks = [0]                                # bumped in a forked child: its pools' workers did not survive
_serial = [0]
_local = threading.local()                  # .pool: the calling thread's workers; .worker: True in a worker


class _Pool:
    """One calling thread's workers, fed through queues; the calling thread runs the first part itself."""

    def __init__(self) -> None:
        self.inboxes: list[queue.SimpleQueue] = []
        self.busy, self.forks = False, _forks[0]
        weakref.finalize(self, _stop, self.inboxes)    # the calling thread ended: so do its workers

    def run(self, fn: Callable, parts: Sequence[tuple]) -> list:
        while len(self.inboxes) < len(parts) - 1:
            self.inboxes.append(_start_worker(len(self.inboxes)))
        reply: queue.SimpleQueue = queue.SimpleQueue()
        for inbox, p in zip(self.inboxes, parts[1:]):
            inbox.put((fn, p, reply))
        results, failure = [None] * len(parts), None
        try:
            with np.errstate(all="ignore"):     # inf and nan without numpy's warnings, as PyTorch (and workers)
                results[0] = fn(*parts[0])
        except BaseException as e:          # still wait for the workers' parts: they write into shared arrays
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


def _start_worker(index: int) -> queue.SimpleQueue:
    inbox: queue.SimpleQueue = queue.SimpleQueue()

    def loop() -> None:
        _local.worker = True
        np.seterr(all="ignore")             # this thread's own setting: PyTorch warns of no inf or nan either
        while (task := inbox.get()) is not None:
            fn, args, reply = task
            try:
                reply.put((index, True, fn(*args)))
            except BaseException as e:
                reply.put((index, False, e))
    threading.Thread(target=loop, name=f"chainrule-worker-{index + 1}", daemon=True).start()
    return inbox


def _stop(inboxes: list) -> None:
    for inbox in inboxes:
        inbox.put(None)


def run(fn: Callable, parts: Sequence[tuple]) -> list:
    """[fn(*p) for p in parts], the parts after the first on the calling thread's workers; in turn on the
    calling thread when there is one part, inside a worker, or while its own pool is busy (nesting)."""
    if len(parts) < 2 or getattr(_local, "worker", False):
        return [fn(*p) for p in parts]
    pool = getattr(_local, "pool", None)
    if pool is None or pool.forks != _forks[0]:
        pool = _local.pool = _Pool()
    if pool.busy:
        return [fn(*p) for p in parts]
    pool.busy = True
    try:
        return pool.run(fn, parts)
    finally:
        pool.busy = False


if hasattr(os, "register_at_fork"):         # a DataLoader worker: none of the parent's threads came along
    os.register_at_fork(after_in_child=lambda: _forks.__setitem__(0, _forks[0] + 1))


def set_num_threads(n: int) -> None:
    """Use n threads for chainrule's large array ops (PyTorch's name; the default is the CPUs available,
    or OMP_NUM_THREADS). numpy's BLAS stays at one thread: chainrule splits its products itself."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise RuntimeError(f"set_num_threads: expected a positive integer, got {n!r}")
    _threads[0] = int(n)


def get_num_threads() -> int:
    """How many threads chainrule's large array ops use."""
    return _threads[0]


def count() -> int:
    """The threads an op may be cut for now: 1 inside `serial`."""
    return 1 if _serial[0] else _threads[0]


class serial:
    """Within it, ops run whole on the calling thread (compile records each numpy call as one line)."""

    def __enter__(self) -> serial:
        _serial[0] += 1
        return self

    def __exit__(self, *exc: object) -> None:
        _serial[0] -= 1


def pause_serial() -> int:
    """Leave `serial` for a moment (compile runs a split op for real, as its replay will); returns the
    depth."""
    depth, _serial[0] = _serial[0], 0
    return depth


def resume_serial(depth: int) -> None:
    _serial[0] = depth


def one_thread_blas() -> None:
    """Limit numpy's BLAS to one thread: after each product its idle threads spin on the other cores for a
    while, taking the core a split elementwise op would run on. A BLAS threadpoolctl cannot reach (Apple's
    Accelerate) keeps its own threads."""
    from threadpoolctl import ThreadpoolController
    ThreadpoolController().select(user_api="blas").limit(limits=1)


@functools.cache                            # once per process
def one_thread_scipy_blas() -> None:
    """Limit the BLAS that PyPI's scipy bundles (a second OpenBLAS, loaded with scipy's compiled modules) to
    one thread as well, once scipy is imported: two thread pools spinning on the same cores slow each other
    badly. A BLAS that scipy shares with numpy (conda, Debian) is left alone."""
    import scipy
    from threadpoolctl import ThreadpoolController
    prefix = os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy")
    controller = ThreadpoolController()
    own = [lib.filepath for lib in controller.lib_controllers if lib.filepath.startswith(prefix)]
    if own:
        controller.select(filepath=own).limit(limits=1)

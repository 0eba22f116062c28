"""Micro-benchmarks of the hottest paths: `Op.apply` (every graph node goes through it), the operator
and Python-number wrappers in front of it, and one backward step; plus a check that a step's graph is freed
by reference counting alone (no garbage collector)."""
from __future__ import annotations

import gc
import statistics
import time
import timeit
import tracemalloc
import weakref

import numpy as np


def apply_costs(quick: bool = False, timer=time.perf_counter) -> list[tuple[str, float]]:
    """(what, microseconds per call), on 16-element float32 tensors; `timer` as in timeit."""
    def _us(fn, number: int = 20000, repeat: int = 7) -> float:
        return statistics.median(timeit.repeat(fn, number=number, repeat=repeat, timer=timer)) / number * 1e6

    import autograd as ag
    from autograd.ops.arithmetic import Add
    number, repeat = (5000, 3) if quick else (20000, 7)
    a = np.ones(16, np.float32)
    x, c = ag.tensor(a, requires_grad=True), ag.tensor(a)
    rows = [("numpy a + a (the floor)", _us(lambda: a + a, number, repeat)),
            ("Add.apply, nothing requires grad", _us(lambda: Add.apply(c, c), number, repeat)),
            ("Add.apply, recording a node", _us(lambda: Add.apply(x, c), number, repeat)),
            ("x + c (operator, recording)", _us(lambda: x + c, number, repeat)),
            ("x * 2.0 (Python number wrapped)", _us(lambda: x * 2.0, number, repeat))]
    with ag.no_grad():
        rows.append(("x + c under no_grad", _us(lambda: x + c, number, repeat)))
    g = ag.tensor(a)

    def fwd_bwd() -> None:
        (x * c).backward(g)
    rows.append(("(x * c).backward(g): one node, fwd + bwd", _us(fwd_bwd, number // 4, repeat)))
    return rows


def graph_freed() -> tuple[bool, float]:
    """Run an MLP step with the garbage collector off: is every node gone once the loss is dropped, and how
    much traced memory did the step keep (gradients are accumulated in place, so ~0 after the first step)?"""
    import autograd as ag
    rng = np.random.default_rng(0)
    X = ag.tensor(rng.standard_normal((64, 784), dtype=np.float32))
    y = ag.tensor(rng.integers(0, 10, 64))
    W1 = ag.tensor(rng.standard_normal((128, 784), dtype=np.float32) * 0.03, requires_grad=True)
    W2 = ag.tensor(rng.standard_normal((10, 128), dtype=np.float32) * 0.1, requires_grad=True)

    def step() -> list:
        h = (X @ W1.mT).relu()
        loss = ag.cross_entropy(h @ W2.mT, y)
        refs = [weakref.ref(h), weakref.ref(h.grad_fn), weakref.ref(loss.grad_fn)]
        loss.backward()
        return refs

    was = gc.isenabled()
    gc.disable()
    try:
        step()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        refs = step()
        kept = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        return all(r() is None for r in refs), kept / 1024
    finally:
        if was:
            gc.enable()

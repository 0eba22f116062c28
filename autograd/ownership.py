"""May this gradient array be kept or written into? Yes when nothing but the engine can see it.

PyTorch's engine steals a gradient nobody else holds instead of copying it; a numpy engine can tell the same from
reference counts. Two places use it: the engine, to make a leaf's first gradient its .grad without a copy
(`owned`), and ReLU's array kernel (kernels/unary.py), to mask its incoming gradient in place (`engine_owns`).
The counts depend on the interpreter: known-valid on CPython <= 3.13 (3.14 changed borrowed references);
elsewhere both say no.
Tests pin each count (tests/test_engine.py): one reference fewer or more makes them fail."""
from __future__ import annotations

import sys

from .tensor import Tensor

REFCOUNTS_OK = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def owned(g: Tensor) -> Tensor:
    """A .grad the leaf may add into in place: g itself when nothing else can see g or its array, else a copy
    (one copy per parameter per step saved). g's 5 references: the engine's pending entry,
    its loop variable, 2 arguments, getrefcount's; d's 3: g._data, d, getrefcount's. More (one g sent to two
    leaves, a seed, a hook): copy."""
    d = g._data
    if REFCOUNTS_OK and d.base is None and sys.getrefcount(d) == 3 and sys.getrefcount(g) == 5 and d.flags.writeable:
        return g
    return Tensor._wrap(d.copy(order="K"))         # in d's order: nn.Linear's weight gradient stays column-major


def engine_owns(g: Tensor, out: Tensor) -> bool:
    """True when the gradient `g` handed to a kernel is the engine's own fresh array, so the kernel may write
    into it. g's 5 references: the engine's pending entry and `g_out`, the kernel's argument, ours and
    getrefcount's; its array's 3: g._data, `d` and getrefcount's. Anyone else holding g (retain_grad, grad()
    targets, a hook, the one g Add sends to two inputs, a seed) adds one. A hook on `out` may swap in a tensor of
    its own that the engine does not count: then never. Views and read-only arrays (expand's) never."""
    d = g._data
    return (REFCOUNTS_OK and not out._hooks and d.base is None and d.flags.writeable
            and sys.getrefcount(d) == 3 and sys.getrefcount(g) == 5)

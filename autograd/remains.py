"""What an op leaves behind once backward has used it, so a graph can still be drawn after a plain `backward()`.

Backward frees each op's inputs as it goes: that is what lets a training step's activations go as soon as
their gradient is known. Just before, the engine calls `keep`, which gives the op a light `Remains`: which ops
or leaves fed it, their shapes and dtypes, arrays of at most KEEP elements themselves, and of larger gradients
only their L2 norm: of every gradient in a graph of up to SMALL_GRAPH ops, else of gradients up to
NORM_ELEMENTS (a norm is one more pass over the gradient, which a transformer's training step would pay on
every step). Remains point at other remains and weakly at leaves, never at interior tensors or ops, so the
arrays are freed as before; the chain lives as long as the output whose `grad_fn` holds it (as PyTorch keeps
its graph's structure). `autograd.viz` reads it. The engine imports neither: `keep` observes it through
`engine.on_release`, registered here when autograd is imported.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from . import engine, parallel

if TYPE_CHECKING:
    from .op import Op
    from .tensor import Tensor

KEEP = 16          # arrays with at most this many elements are kept whole (what viz shows as values)
SMALL_GRAPH = 64   # a backward over at most this many ops also keeps the gradient sent along each edge,
                   # and the norm of every gradient
NORM_ELEMENTS = 1 << 16   # in a larger backward, the norms of gradients up to this size (they are in cache)
enabled = True     # False: keep nothing (structure included); viz then needs watch() after backward


class Remains:
    """One released op and the tensor it made. `inputs[i]` is the Remains of the op that made input i, or for a
    leaf `(weakref, shape, dtype, name, the array if small else None, requires_grad)`. Gradients are kept as
    the array (small) or a float (the norm of a large one): `grad` is the output's total gradient, `edges[i]`
    the one sent to input i (small graphs only)."""

    __slots__ = ("name", "doc", "needs_grad", "inputs", "grad", "edges", "step", "shape", "dtype", "label",
                 "value", "__weakref__")

    def __init__(self) -> None:
        self.inputs, self.grad, self.edges, self.step = (), None, None, 0
        self.shape = self.label = self.value = None
        self.dtype = "?"

    def edge(self, i: int, g: Tensor) -> None:
        """The gradient the op sends to input i, as `small` keeps it (the engine calls it for small graphs)."""
        a = g._data
        self.edges[i] = a.copy() if a.size <= KEEP else None


def of(op: Op) -> Remains:
    """The op's Remains, made on first use (a consumer is released before the op that made its input)."""
    r = op.__dict__.get("_remains")
    if r is None:
        r = op.__dict__["_remains"] = Remains()
    return r


def light(a: np.ndarray) -> np.ndarray | float:
    """A gradient as kept: a copy if small (holding the engine's own array would stop ReLU's backward from
    masking it in place: ownership.py), else its norm, one pass over it."""
    if a.size <= KEEP:
        return a.copy()
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    with np.errstate(all="ignore"):
        if a.dtype.kind == "f" and not (a.flags.c_contiguous or a.flags.f_contiguous):
            dims = list(range(a.ndim))     # a strided view: vdot would copy it first, einsum reads it in place
            return float(np.sqrt(np.einsum(a, dims, a, dims, [])))
        if a.size < 2 * parallel.MIN_ELEMENTS:
            return float(np.sqrt(abs(np.vdot(a, a))))
        flat = a.ravel(order="K")          # contiguous: a view; the sum of squares in parts on the threads
        parts = parallel.for_ranges(lambda lo, hi: np.vdot(flat[lo:hi], flat[lo:hi]), flat.size, flat.size)
        return float(np.sqrt(abs(sum(parts))))


def small(a: np.ndarray) -> np.ndarray | None:
    """An edge's gradient as kept: a copy if small, else nothing (the picture uses the tensor's total instead)."""
    return a.copy() if a.size <= KEEP else None


def _leaf(x: Tensor) -> tuple:
    a = x._data
    return weakref.ref(x), a.shape, a.dtype, x.name, a if a.size <= KEEP else None, x._requires_grad


def keep(op: Op, upstream: Tensor | None, out: Tensor | None, step: int, ops: int) -> Callable | None:
    """engine.on_release: called before `op.backward` and `op.release()`; `upstream` is the gradient of op's
    output `out` (both None if no gradient reached it), `ops` how many ops this backward runs. For a small graph
    it returns the Remains' `edge`, which the engine calls with each gradient the op sends."""
    if not enabled or op._inputs is None:
        return None
    r = op.__dict__.get("_remains") or of(op)
    r.name, r.doc, r.needs_grad, r.step = op.name, op.__doc__, op.needs_grad, step
    if upstream is not None:
        a = upstream._data
        r.grad = light(a) if ops <= SMALL_GRAPH or a.size <= NORM_ELEMENTS else None
    if out is not None:
        a = out._data
        r.shape, r.dtype, r.label, r.value = a.shape, a.dtype, out.name, a if a.size <= KEEP else None
    r.inputs = tuple([_leaf(x) if x.grad_fn is None else of(x.grad_fn) for x in op._inputs])
    if upstream is None or ops > SMALL_GRAPH:
        r.edges = None
        return None
    r.edges = [None] * len(r.inputs)
    return r.edge


engine.on_release.append(keep)

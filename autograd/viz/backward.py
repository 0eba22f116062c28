"""Backward, run privately for a picture: one output gradient through one op (`vjp`), a small op's local
Jacobian (one VJP per output element), and a cheap scan of a live graph (consumer counts for Kahn's order)."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from ..grad_mode import no_grad
from .summary import SMALL

if TYPE_CHECKING:
    from ..op import Op
    from .record import ONode


def live_scan(heads: list[Op]) -> tuple[dict[int, int], Counter, int]:
    """One cheap pass over a live graph: consumers per op (id), op counts by name, and the number of tensors
    (one output per op, plus the distinct leaves). No snapshots: about a microsecond per op."""
    consumers: dict[int, int] = {id(h): 0 for h in heads}
    get = consumers.get
    by_type: dict[type, int] = {}
    leaves: set[int] = set()
    stack = list(heads)
    pop, push = stack.pop, stack.append
    while stack:
        op = pop()
        t = type(op)
        by_type[t] = by_type.get(t, 0) + 1
        for x in op._inputs or ():
            p = x.grad_fn
            if p is None:
                leaves.add(id(x))
                continue
            k = id(p)
            n = get(k)
            if n is None:
                consumers[k] = 1
                push(p)
            else:
                consumers[k] = n + 1
    example = {type(h): h for h in heads}
    names: Counter = Counter()
    for t, n in by_type.items():
        names[_type_name(t, example)] += n
    return consumers, names, sum(by_type.values()) + len(leaves)


def _type_name(t: type, example: dict) -> str:
    op = example.get(t)
    if op is not None:
        return op.name
    try:
        return t.__new__(t).name          # `name` is a property of the class (type name, lowercased)
    except Exception:
        return t.__name__.lower()


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead > 0 else g
    axes = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def vjp(op: Op, g: np.ndarray) -> list[np.ndarray | None]:
    """The gradients `op` sends to each input for output gradient `g`, as arrays shaped like the inputs."""
    from ..tensor import Tensor
    with no_grad():
        grads = op.backward(Tensor._wrap(g))
    if not isinstance(grads, (tuple, list)):
        grads = (grads,)
    return [None if gi is None or not need else _sum_to(np.asarray(gi._data), x.shape)
            for x, need, gi in zip(op.inputs, op.needs_grad, grads)]


def jacobians(op: Op, node: ONode) -> list[np.ndarray | None] | None:
    """For small ops, the local gradient d out / d input_i as a matrix, one VJP per output element."""
    o = op._out()
    if o is None or o._data.size > SMALL:
        return None
    wanted = [need and x._data.size <= SMALL for x, need in zip(op._inputs, op.needs_grad)]
    if not any(wanted):
        return None
    rows: list[list[np.ndarray]] = [[] for _ in wanted]
    for j in range(o._data.size):
        e = np.zeros(o._data.size, dtype=o._data.dtype if o._data.dtype.kind == "f" else np.float64)
        e[j] = 1
        for k, g in enumerate(vjp(op, e.reshape(o._data.shape))):
            if wanted[k]:
                rows[k].append(np.zeros(op._inputs[k]._data.size) if g is None else g.reshape(-1))
    return [np.stack(r) if wanted[k] else None for k, r in enumerate(rows)]

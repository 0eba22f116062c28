"""The chain rule: order the recorded ops, then push each op's output gradient through its local backward."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .errors import freed_graph_error
from .grad_mode import set_grad_enabled
from .kernels import KERNELS, kernels_enabled
from .observers import releasing
from .ops.shape import unbroadcast
from .ownership import owned
from .version import _standins, counter, source

if TYPE_CHECKING:
    from .op import Op
    from .tensor import Tensor

on_edge: list[Callable[[Op, int, Tensor], None]] = []   # observers (viz, anomaly) of each gradient sent
on_backward: list[Callable[[Sequence[Tensor], list[Op], bool], None]] = []   # guard-rails: roots, order, retain
on_accumulate: list[Callable[[Tensor, Tensor | None, Tensor], None]] = []    # guard-rails: leaf, old .grad, g
on_release: list[Callable[..., Callable[[int, Tensor], None] | None]] = []   # remains: ops freed (observers.py)


def toposort(heads: Sequence[Op]) -> list[Op]:
    """Ops, each after every op that consumed its output (Kahn): iterative, linear time, a finished list."""
    heads = list(dict.fromkeys(heads))
    consumers: dict[Op, int] = {}
    stack, seen, popped, shared = list(heads), set(heads), [], False
    while stack:                                   # pass 1: count the ops consuming each op's output
        op = stack.pop()
        popped.append(op)
        for x in _inputs(op, heads):
            p = x.grad_fn
            if p is not None:                      # x * x counts twice, consistently
                consumers[p] = consumers.get(p, 0) + 1
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
                else:                              # a second consumer, or a head that is also an input
                    shared = True
    if not shared:                                 # a tree (chains, MLPs): each op was popped after its one
        return popped                              # consumer, so that order is already topological: no pass 2
    order, ready = [], [h for h in heads if h not in consumers]
    while ready:                                   # pass 2: an op is ready once all its consumers are done
        op = ready.pop()
        order.append(op)
        for x in _inputs(op):
            p = x.grad_fn
            if p is not None:
                consumers[p] -= 1
                if consumers[p] == 0:
                    ready.append(p)
    if len(order) < len(seen):                     # a cycle: a bug, never silently skipped ops
        raise RuntimeError(f"backward: the graph has a cycle through {sorted(op.name for op in seen - set(order))}")
    return order


def _inputs(op: Op, heads: Sequence[Op] = ()) -> Sequence[Tensor]:
    """op's inputs as the graph connects them: after a recorded in-place change, routed by version."""
    xs = op._inputs
    if xs is None:                                 # freed: a second backward, or built on an earlier iteration
        raise freed_graph_error(op, any(op is h for h in heads))
    if _standins:                                  # a recorded in-place change happened: route by version
        xs = [x if x._vc[0] == v else source(x, v) for x, v in zip(xs, op._versions)]
    return xs


def run_backward(roots: Sequence[Tensor], grads: Sequence[Tensor], *, retain_graph: bool | None = None,
                 create_graph: bool = False, targets: Sequence[Tensor] | None = None) -> list | None:
    """Backward from `roots` seeded with `grads`. Leaves get `.grad` added, or, when `targets` is given
    (autograd.grad), the gradients of the targets are returned and no `.grad` is touched."""
    retain_graph = create_graph if retain_graph is None else retain_graph   # PyTorch's: create_graph keeps it
    want = None if targets is None else {id(t): i for i, t in enumerate(targets)}
    found: list = [None] * (0 if targets is None else len(targets))
    pending: dict = {}                             # op or leaf -> [gradient so far, the tensor it belongs to]
    for t, g in zip(roots, grads):
        _add(pending, t.grad_fn or t, t, g)
    with set_grad_enabled(create_graph), np.errstate(all="ignore"):   # recorded if asked; inf, nan silent
        order = toposort([t.grad_fn for t in roots if t.grad_fn is not None])
        for observe in on_backward:
            observe(roots, order, retain_graph)
        n, release = len(order), None if retain_graph else releasing(on_release)   # pictures after backward
        kernels = KERNELS if kernels_enabled() and not create_graph else {}   # array kernels: only unrecorded
        for step, op in enumerate(order, 1):
            entry = pending.pop(op, None)          # freed as soon as it is used
            g_out, out = entry or (None, None)     # `out` held here so op.out stays alive
            if entry is not None and (out._hooks is not None or want is not None or out._retains_grad):   # no call
                g_out = _finish(out, g_out, want, found)
            sent = release and release(op, g_out, out, step, n)   # before backward: relu may reuse g_out
            if entry is not None:
                xs, versions, run = op._inputs, op._versions, kernels.get(type(op), type(op).backward)   # or kernel
                for i, g in enumerate(run(op, g_out)):
                    if g is None or not op.needs_grad[i]:
                        continue
                    x = xs[i]
                    if x._vc[0] != versions[i]:    # changed in place since (backward did not need its value)
                        x = source(x, versions[i])
                    if g._data.shape != x._data.shape:   # the one place broadcasting is undone
                        g = unbroadcast(op, g, x)
                    if g._data.dtype != x._data.dtype:   # ._data: no property calls in the hottest loop
                        g = g.to(x.dtype)
                    for observe in on_edge:
                        observe(op, i, g)
                    if sent is not None:
                        sent(i, g)
                    _add(pending, x.grad_fn or x, x, g)
            if not retain_graph:
                op.release()                       # drop inputs now; a second backward gets a clear error
    for g, leaf in pending.values():               # leaves: one summed gradient each, then hooks, then .grad
        if leaf._hooks is not None or want is not None or leaf._retains_grad:
            g = _finish(leaf, g, want, found)
        if want is None and leaf._requires_grad:
            accumulate_grad(leaf, g, create_graph)
    return None if targets is None else found


def _add(pending: dict, key: object, t: Tensor, g: Tensor) -> None:
    if (entry := pending.get(key)) is None:
        pending[key] = [g, t]
    else:
        entry[0] = entry[0] + g


def _finish(t: Tensor, g: Tensor, want: dict | None, found: list) -> Tensor:
    """A tensor's total gradient is known: run its hooks, keep it if retained or asked for."""
    for hook in t._hooks or ():
        if (replaced := hook(g)) is not None:
            g = replaced
    if want is not None and id(t) in want:
        found[want[id(t)]] = g
    elif t._retains_grad and t.grad_fn is not None:
        t.grad = g if t.grad is None else t.grad + g
    return g


def accumulate_grad(leaf: Tensor, g: Tensor, create_graph: bool) -> None:
    old = leaf._grad                               # _grad, not the .grad property: g's shape is already right
    if old is None:                                # own the buffer: g may be shared (x + y) or a read-only view
        leaf._grad = g if create_graph and g._requires_grad else owned(g)
    elif create_graph or old._requires_grad:
        leaf._grad = old + g
    else:
        old._data += g._data                         # in place: no fresh temporary per step (see benchmarks)
        counter(old)[0] += 1                       # ops that saved this .grad see the change
    for observe in on_accumulate:                  # the guard-rails count passes: a forgotten zero_grad()
        observe(leaf, old, g)

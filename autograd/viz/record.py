"""Snapshots of the graph that outlive backward, and `watch()`, the recorder that takes them.

Backward frees the graph as it goes (each op drops its inputs once used), so a picture drawn after
`loss.backward()` needs what was seen before. A `Recorder` keeps, per op and per tensor, a small snapshot
(`ONode`, `TNode`: names, shapes, values of small tensors, statistics of large ones) and, per edge, the
gradient that flowed along it. It fills them from three sources:

- `op.on_record` (forward inside `watch()`): structure, the module call, the call site;
- `engine.on_edge` (backward inside `watch()`): each gradient sent, seen before the op is released;
- `replay()` (gradients.py): a private backward over a graph that still exists, when nobody watched
  (touches no `.grad`);
- `autograd/remains.py`: what a plain backward leaves of each op it released (structure, small arrays, norms).
"""
from __future__ import annotations

import itertools
import linecache
import sys
import warnings
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import engine
from .. import op as op_module
from ..usercode import LIBRARY
from . import scope
from .gradients import GradientsMixin
from .nodes import ONode, TNode
from .summary import Summary, split_formula, summarize

if TYPE_CHECKING:
    from ..op import Op
    from ..tensor import Tensor


class Recorder(GradientsMixin):
    """Snapshots of ops and tensors, keyed by identity (checked by weak reference: ids are reused).

    Use as `with viz.watch() as rec:` around forward and/or backward; `viz.draw` and `viz.trace` find it."""

    def __init__(self, callsites: bool = False) -> None:
        self.callsites = callsites
        self._keys = itertools.count(1)
        self._visits = itertools.count(1)
        self._tensors: dict[int, tuple[Any, TNode]] = {}
        self._ops: dict[int, tuple[Any, ONode]] = {}
        self._dead: dict[int, tuple[Any, TNode]] = {}   # leaves gone since backward, by their kept weakref
        self._sums: dict[Any, np.ndarray] = {}   # gradients flowing in: interior TNode key, or (leaf key, root key)
        self._root: ONode | None = None
        self._roots: deque[int] = deque()               # recent roots; older ones' leaf sums become Summaries
        self._done: dict[tuple[int, int], Summary] = {}  # (leaf key, root key) -> finished leaf gradient
        self.names: dict[int, tuple[Any, str]] = {}   # id(parameter) -> (weakref, 'fc1.weight')
        self.errors: list[str] = []                    # what could not be recorded (a warning is given once)

    # -- watch(): the observers ------------------------------------------------------------------------------
    def __enter__(self) -> Recorder:
        op_module.on_record.append(self._on_record)
        engine.on_edge.append(self._on_edge)
        scope.start()
        scope._observers.append(self._name_parameters)
        _active.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _discard(op_module.on_record, self._on_record)
        _discard(engine.on_edge, self._on_edge)
        _discard(scope._observers, self._name_parameters)
        scope.stop()
        _discard(_active, self)
        _recent.append(self)

    def _on_record(self, op: Op) -> None:
        try:
            node = self.op_node(op)
            for x, t in zip(node.inputs, op._inputs):      # values as the forward saw them
                self.fill(x, t)
            self.fill(node.out, op._out())
            node.scope = scope.current()
            if self.callsites:
                node.callsite = _callsite()
        except Exception as e:                         # a picture must never break the user's forward
            self._failed(op, e)

    def _on_edge(self, op: Op, i: int, g: Tensor) -> None:
        try:
            node = self.op_node(op)
            if node is None:
                return
            if node.visit is None or i <= node.last_i:     # first gradient of this op in this backward pass
                self._visit(op, node, first=(i, g._data), source="watch")
            node.last_i = i
            self._edge(node, i, g._data)
        except Exception as e:                         # ... nor the user's backward
            self._failed(op, e)

    def _failed(self, op: Op, e: Exception) -> None:
        msg = f"viz.watch: could not record {getattr(op, 'name', op)!s}: {type(e).__name__}: {e}"
        if not self.errors:
            warnings.warn(msg + " (the picture will be incomplete)", RuntimeWarning, stacklevel=3)
        self.errors.append(msg)

    def _name_parameters(self, module: Any) -> None:
        named = getattr(module, "named_parameters", None)
        if named is not None:
            for name, p in named():
                self.names.setdefault(id(p), (weakref.ref(p), name))

    # -- snapshots ---------------------------------------------------------------------------------------------
    def tensor_node(self, t: Tensor) -> TNode:
        hit = self._tensors.get(id(t))
        if hit is not None and hit[0]() is t:
            return hit[1]
        ref = weakref.ref(t)
        node = TNode(next(self._keys), ref, t.name, tuple(t.shape), str(t._data.dtype), bool(t.requires_grad),
                     t.grad_fn is None, type(t).__name__ == "Parameter")
        self._tensors[id(t)] = (ref, node)
        return node

    def lookup(self, op: Op) -> ONode | None:
        hit = self._ops.get(id(op))
        return hit[1] if hit is not None and hit[0]() is op else None

    def op_node(self, op: Op, out: Tensor | None = None) -> ONode | None:
        """The op's snapshot, taken now if new; None if backward already freed it unseen."""
        node = self.lookup(op)
        if node is not None:
            return node
        if op._inputs is None:                     # released by backward: what it left, if anything
            r = op.__dict__.get("_remains")
            return self.remains_node(r, op._out() if out is None else out) if r is not None and r.inputs else None
        o = op._out()
        o = out if o is None else o
        if o is not None:
            out_node = self.tensor_node(o)
        else:                                       # nobody holds the output any more: keep what we know
            out_node = TNode(next(self._keys), lambda: None, None, None, "?", True, False, False)
        fwd, local = split_formula(op.__doc__)     # instance first: autograd.Function sets its own
        node = ONode(next(self._keys), op.name, fwd, local, [self.tensor_node(x) for x in op._inputs],
                     tuple(op.needs_grad), out_node)
        out_node.producer = node
        self._ops[id(op)] = (_weak(op), node)
        return node

    def remains_node(self, r: Any, out: Tensor | None = None) -> ONode:
        """An op that a plain backward released, from its Remains (autograd/remains.py): structure, shapes,
        small values, and the gradients it kept (small arrays whole, larger ones as norms)."""
        hit = self._ops.get(id(r))
        if hit is not None and hit[0]() is r:
            return hit[1]
        out_node = self.tensor_node(out) if out is not None else self._remains_tensor(r)
        inputs, edges = [], []
        for i, x_kept in enumerate(r.inputs):
            if isinstance(x_kept, tuple):             # a leaf: (weakref, shape, dtype, name, small array, rg)
                ref, shape, dtype, name, small, rg = x_kept
                live = ref()
                x = self.tensor_node(live) if live is not None else self._dead_leaf(ref, (name, shape, dtype, rg))
                if x.data is None and small is not None:
                    x.data = summarize(small)
                sent = r.edges[i] if r.edges is not None else None
            else:                                     # made by another released op
                live, shape, dtype = None, x_kept.shape, x_kept.dtype
                x = self._remains_tensor(x_kept)
                sent = r.edges[i] if r.edges is not None and r.edges[i] is not None else x_kept.grad
            inputs.append(x)
            edges.append(_kept_summary(sent, shape, dtype))
            if isinstance(x_kept, tuple) and live is None and isinstance(sent, np.ndarray):   # a dead leaf's
                x.grad = summarize(sent if x.grad is None else x.grad.values + sent)          # gradient: the sum
        fwd, local = split_formula(r.doc)
        node = ONode(next(self._keys), r.name, fwd, local, inputs, r.needs_grad, out_node, visit=r.step,
                     seed=r.step == 1, source="backward", edges=edges)
        out_node.producer = node
        if out_node.grad is None:
            out_node.grad = _kept_summary(r.grad, out_node.shape, out_node.dtype)
        self._ops[id(r)] = (weakref.ref(r), node)
        return node

    def _dead_leaf(self, ref: Any, meta: tuple) -> TNode:
        """One node per leaf that died after backward (the remains hold the same weakref for each use)."""
        hit = self._dead.get(id(ref))
        if hit is not None and hit[0] is ref:
            return hit[1]
        name, shape, dtype, rg = meta
        node = TNode(next(self._keys), ref, name, shape, str(dtype), rg, True, False)
        self._dead[id(ref)] = (ref, node)
        return node

    def _remains_tensor(self, r: Any) -> TNode:
        """The (freed) tensor that the released op `r` made."""
        hit = self._tensors.get(id(r))
        if hit is not None and hit[0]() is r:
            return hit[1]
        node = TNode(next(self._keys), lambda: None, r.label, r.shape, str(r.dtype), True, False, False,
                     data=summarize(r.value) if r.value is not None else None, remains=r)
        node.grad = _kept_summary(r.grad, r.shape, r.dtype) if r.shape is not None else None
        self._tensors[id(r)] = (weakref.ref(r), node)
        return node

    def producer(self, t: TNode) -> ONode | None | str:
        """The op that made `t`: an ONode, None for a leaf, or FREED when backward dropped it unrecorded."""
        if t.producer is not None:
            return t.producer
        if t.remains is not None:
            t.producer = self.remains_node(t.remains)
            return t.producer
        live = t.ref()
        if live is None or live.grad_fn is None:
            return None
        node = self.op_node(live.grad_fn, out=live)
        if node is None:
            return FREED
        t.producer = node
        return node

    def fill(self, t: TNode, live: Tensor | None = None) -> None:
        """Snapshot the values of `t` if not done yet and it is still alive."""
        if t.data is None:
            live = live if live is not None else t.ref()
            if live is not None:
                t.data = summarize(live._data)


FREED = "freed"


def _kept_summary(kept: Any, shape: tuple | None, dtype: Any) -> Summary | None:
    """A gradient as remains.py kept it: the array itself (small) or the norm of a large one."""
    if kept is None:
        return None
    if isinstance(kept, np.ndarray):
        return summarize(kept)
    return Summary(tuple(shape) if shape is not None else (), str(dtype), float(kept))
_active: list[Recorder] = []
_recent: deque[Recorder] = deque(maxlen=8)


def recorders() -> list[Recorder]:
    """Active recorders (innermost first), then recently finished ones (newest first)."""
    return _active[::-1] + list(_recent)[::-1]


def _discard(lst: list, item: Any) -> None:
    for k, x in enumerate(lst):
        if x == item:
            del lst[k]
            return


def _weak(op: Op) -> Any:
    try:
        return weakref.ref(op)
    except TypeError:                               # an Op subclass with __slots__ and no __weakref__
        return lambda op=op: op


def _callsite() -> str | None:
    """The first frame outside autograd/ and nn/: where the user's code called the op."""
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(LIBRARY):
        f = f.f_back
    if f is None:
        return None
    line = linecache.getline(f.f_code.co_filename, f.f_lineno).strip()
    return f"{f.f_code.co_filename}:{f.f_lineno} in {f.f_code.co_name}" + (f"\n    {line}" if line else "")


def watch(callsites: bool = False) -> Recorder:
    """Record the graph and the gradients backward sends, so it can be drawn after backward freed it:

        with viz.watch():
            loss = model(x, y)
            loss.backward()
        viz.draw(loss).save("graph.svg")

    callsites=True also keeps, for every op, the line of your code that made it (shown in SVG tooltips)."""
    return Recorder(callsites)

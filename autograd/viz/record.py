"""Snapshots of the graph that outlive backward, and `watch()`, the recorder that takes them.

Backward frees the graph as it goes (each op drops its inputs once used), so a picture drawn after
`loss.backward()` needs what was seen before. A `Recorder` keeps, per op and per tensor, a small snapshot
(`ONode`, `TNode`: names, shapes, values of small tensors, statistics of large ones) and, per edge, the
gradient that flowed along it. It fills them from three sources:

- `op.on_record` (forward inside `watch()`): structure, the module call, the call site;
- `engine.on_edge` (backward inside `watch()`): each gradient sent, seen before the op is released;
- `replay()`: a private backward over a graph that still exists, when nobody watched (touches no `.grad`);
- `autograd/remains.py`: what a plain backward leaves of each op it released (structure, small arrays, norms).
"""
from __future__ import annotations

import itertools
import linecache
import sys
import warnings
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import engine
from .. import op as op_module
from ..usercode import LIBRARY
from . import scope
from .backward import jacobians, live_scan, vjp
from .summary import Summary, split_formula, summarize

if TYPE_CHECKING:
    from ..op import Op
    from ..tensor import Tensor


@dataclass(eq=False)
class TNode:
    """A tensor as the picture shows it."""

    key: int
    ref: Any                                   # weakref to the Tensor (dead once backward freed it)
    name: str | None
    shape: tuple[int, ...] | None
    dtype: str
    requires_grad: bool
    is_leaf: bool
    is_param: bool
    data: Summary | None = None
    grad: Summary | None = None                # d root / d this tensor (interior tensors: set when visited)
    producer: ONode | None = None
    remains: Any = None                        # the Remains of the op that made it, once backward released it


@dataclass(eq=False)
class ONode:
    """An op as the picture shows it, with the gradients backward sent through it."""

    key: int
    name: str
    forward: str                               # the docstring's forward formula, e.g. "z = x + y"
    local: str                                 # and its local gradient, e.g. "dx = g,   dy = g"
    inputs: list[TNode]
    needs_grad: tuple[bool, ...]
    out: TNode
    scope: scope.ModuleCall | None = None
    callsite: str | None = None
    visit: int | None = None                   # order in which backward reached this op (1 = first)
    seed: bool = False                         # a root of backward: its upstream gradient was the seed
    source: str | None = None                  # 'watch' (a real backward was observed) or 'replay'
    edges: list[Summary | None] = field(default_factory=list)      # gradient sent to each input
    jacobians: list[np.ndarray | None] | None = None   # small ops: d out / d input_i, (out.size, in.size)
    note: str | None = None                    # why something is missing
    last_i: int = -1


class Recorder:
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

    # -- gradients ---------------------------------------------------------------------------------------------
    def _visit(self, op: Op, node: ONode, first: tuple[int, np.ndarray] | None = None, root: bool = False,
               source: str = "replay") -> np.ndarray | None:
        """Backward reached `op`: its upstream gradient is complete (every consumer ran before it)."""
        node.visit, node.last_i, node.source = next(self._visits), -1, source
        node.edges = [None] * len(node.inputs)
        upstream = self._sums.pop(node.out.key, None)
        if upstream is None and first is not None:     # nothing flowed in: a root, seeded by backward()
            root, upstream = True, self._seed(op, node, *first)
        if root:
            node.seed = True
            self._root = node
            for key in [k for k in self._sums if isinstance(k, tuple) and k[1] == node.key]:
                del self._sums[key]                     # a new backward through the same graph
            self._retire(node.key)
        node.out.grad = summarize(upstream) if upstream is not None else None
        for x, t in zip(node.inputs, op._inputs):
            self.fill(x, t)
        self.fill(node.out, op._out())
        try:
            node.jacobians = jacobians(op, node)
        except Exception as e:                         # never break the user's backward over a picture
            node.note = f"local gradient not computed: {type(e).__name__}: {e}"
        return upstream

    def _edge(self, node: ONode, i: int, g: np.ndarray) -> None:
        node.edges[i] = summarize(g)
        x = node.inputs[i]
        key = (x.key, self._root.key if self._root else 0) if x.is_leaf else x.key
        prev = self._sums.get(key)
        self._sums[key] = np.array(g, copy=True) if prev is None else prev + g

    def _seed(self, op: Op, node: ONode, i: int, g: np.ndarray) -> np.ndarray | None:
        """The seed of a scalar root: backward is linear in it, so compare the gradient sent to input i with
        the one a seed of 1 sends. (backward(gradient=...) is not visible to observers.)"""
        o = op._out()
        if o is None or o._data.size != 1:
            return None
        try:
            one = vjp(op, np.ones_like(o._data))[i]
        except Exception:
            return None
        denom = float(np.vdot(one, one)) if one is not None else 0.0
        if denom == 0.0:
            return None
        return np.full_like(o._data, float(np.vdot(one, g)) / denom)

    def _retire(self, root: int, keep: int = 4) -> None:
        """A watch() around a training loop sees a backward per step: keep full leaf gradients (the size of the
        parameters) for the last few roots only, and a Summary for older ones."""
        if root in self._roots:
            self._roots.remove(root)
        self._roots.append(root)
        while len(self._roots) > keep:
            old = self._roots.popleft()
            for key in [k for k in self._sums if isinstance(k, tuple) and k[1] == old]:
                self._done[key] = summarize(self._sums.pop(key))

    def leaf_grad(self, t: TNode, roots: list[ONode]) -> Summary | None:
        """d roots / d leaf for this backward: the gradients sent to it, summed."""
        parts = [self._sums[(t.key, r.key)] for r in roots if (t.key, r.key) in self._sums]
        done = [self._done[(t.key, r.key)] for r in roots if (t.key, r.key) in self._done]
        if done and not parts:
            return done[0] if len(done) == 1 else None   # summaries of several roots cannot be added
        if not parts:
            left = self._sums.get(t.key)            # an interior tensor whose producer backward never reached
            return summarize(left) if left is not None else None
        return summarize(sum(parts[1:], parts[0]))

    def replay(self, roots: list[Tensor], limit: int | None = None, consumers: dict[int, int] | None = None) -> None:
        """Backward from `roots` (seed: ones) run privately, sending the gradients here rather than to `.grad`.
        Kahn's order, as the engine: an op runs once all its consumers ran, so it has its full upstream gradient
        even when `limit` stops the pass early (a summarised picture needs only the part nearest the output).
        `consumers`: id(op) -> how many inputs of other ops it made (from `live_scan`)."""
        heads = list({id(r.grad_fn): r.grad_fn for r in roots if r.grad_fn is not None}.values())
        for r in roots:
            if r.grad_fn is not None:
                node = self.op_node(r.grad_fn, out=r)
                prev = self._sums.get(node.out.key)
                seed = np.ones(r.shape, dtype=r.dtype)
                self._sums[node.out.key] = seed if prev is None else prev + seed
        if consumers is None:
            consumers = live_scan(heads)[0]
        consumers = dict(consumers)
        ready = [h for h in heads if not consumers.get(id(h))]
        heads_ids = {id(h) for h in heads}
        done = 0
        while ready and (limit is None or done < limit):
            op = ready.pop()
            node = self.op_node(op)
            if node is not None and node.out.key in self._sums:
                upstream = self._visit(op, node, root=id(op) in heads_ids)
                for i, g in enumerate(vjp(op, upstream)):
                    if g is not None:
                        self._edge(node, i, g)
                done += 1
            for x in op._inputs or ():
                p = x.grad_fn
                if p is not None:
                    consumers[id(p)] -= 1
                    if consumers[id(p)] == 0:
                        ready.append(p)


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

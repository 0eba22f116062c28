"""The graph a picture shows: which tensors and ops, which edges, which gradients, and what was left out.

`collect` walks back from the roots breadth first, so when a graph is over `max_nodes` the part nearest the
output (where a reader starts) is drawn and the rest is counted, never snapshotted: a million-op chain costs one
cheap pass over the live ops."""
from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .backward import live_scan
from .record import FREED, ONode, Recorder, TNode, recorders
from .summary import Summary, summarize

if TYPE_CHECKING:
    from ..tensor import Tensor


@dataclass
class Edge:
    src: TNode | ONode
    dst: TNode | ONode
    grad: Summary | None                # the gradient that flowed backward along this edge


@dataclass
class Graph:
    roots: list[TNode]
    tensors: list[TNode] = field(default_factory=list)
    ops: list[ONode] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    boundary: list[TNode] = field(default_factory=list)    # drawn tensors whose producer is not drawn
    freed: list[TNode] = field(default_factory=list)       # tensors whose producer backward freed unrecorded
    hidden_ops: Counter = field(default_factory=Counter)   # op name -> count, for the ops not drawn
    hidden_tensors: int = 0
    grad_source: str | None = None      # 'watch', 'replay', 'backward' (autograd/remains.py), '.grad' or None
    notes: list[str] = field(default_factory=list)
    recorder: Recorder | None = None
    names: dict[int, str] = field(default_factory=dict)   # TNode key -> display name
    params: set[int] = field(default_factory=set)         # TNode keys of parameters (params=, nn.Parameter, module)

    @property
    def summarized(self) -> bool:
        return bool(self.boundary)

    @property
    def total_nodes(self) -> int:
        return len(self.tensors) + len(self.ops) + self.hidden_tensors + sum(self.hidden_ops.values())


def find_recorder(roots: list[Tensor]) -> Recorder | None:
    """The newest recorder (active or recent) that saw the op which made one of the roots."""
    for rec in recorders():
        if any(r.grad_fn is not None and rec.lookup(r.grad_fn) is not None for r in roots):
            return rec
    return None


def collect(roots: list[Tensor], max_nodes: int | None = 300, show_grad: bool = True,
            recorder: Recorder | None = None, params: dict[str, Any] | None = None,
            replay_limit: int | None = -1, show_data: bool | str = "auto") -> Graph:
    """Snapshot the graph of `roots` (nearest the roots first, at most about `max_nodes` tensors and ops)."""
    from ..tensor import Tensor
    for r in roots:
        if not isinstance(r, Tensor):
            raise TypeError(f"viz: expected Tensors to draw, got {type(r).__name__}")
    rec = recorder or find_recorder(roots) or Recorder()
    root_nodes = [rec.tensor_node(r) for r in roots]
    for r, t in zip(roots, root_nodes):
        if r.grad_fn is not None and rec.producer(t) is FREED:
            raise RuntimeError(
                f"viz: the graph of this {t.dtype} tensor of shape {tuple(r.shape)} was freed by backward() "
                f"(it is made by {r.grad_fn.name}, whose inputs backward released to save memory), and no "
                "viz.watch() recorded it. Either draw before backward, call backward(retain_graph=True), or "
                "record it:\n    with autograd.viz.watch():\n        loss = ...\n        loss.backward()\n"
                "    autograd.viz.draw(loss)")
    g = Graph(root_nodes, recorder=rec)
    _walk(g, rec, max_nodes)
    heads = list({id(r.grad_fn): r.grad_fn for r in roots if r.grad_fn is not None}.values())
    live = bool(heads) and all(h._inputs is not None for h in heads)
    recorded = _recorded_source(g, rec) if show_grad else None
    scan = live_scan(heads) if live and (g.summarized or (show_grad and not recorded)) else None
    if g.summarized:
        _count_hidden(g, rec, scan)
    if recorded:
        g.grad_source = recorded
    elif show_grad and scan is not None:
        _replay(g, rec, roots, max_nodes if replay_limit == -1 else replay_limit, scan)
    _names(g, params)
    if show_grad and g.grad_source is None and any(t.is_leaf and _live_grad(t) is not None for t in g.tensors):
        g.grad_source = ".grad"
    seeds = [o for o in g.ops if o.seed]
    for t in g.tensors:
        rec.fill(t)
        live = t.ref()
        if show_data is True and live is not None and t.data is not None and t.data.values is None:
            t.data = summarize(live._data, keep_values=True)   # asked for every value: the current ones
        if show_grad and t.is_leaf and g.grad_source in ("watch", "replay"):
            t.grad = rec.leaf_grad(t, seeds)
        elif show_grad and t.is_leaf and g.grad_source in (".grad", "backward"):
            t.grad = _live_grad(t) or t.grad
    for o in g.ops:
        for i, x in enumerate(o.inputs):
            grad = o.edges[i] if i < len(o.edges) else None
            if grad is None and g.grad_source in (".grad", "backward") and x.is_leaf:
                grad = _live_grad(x)
            g.edges.append(Edge(x, o, grad if show_grad else None))
        g.edges.append(Edge(o, o.out, o.out.grad if show_grad else None))
    return g


def _recorded_source(g: Graph, rec: Recorder) -> str | None:
    """'watch' or 'replay' if gradients through these roots are recorded already."""
    for t in g.roots:
        o = rec.producer(t)
        if isinstance(o, ONode) and o.visit is not None:
            return o.source
    return None


def _replay(g: Graph, rec: Recorder, roots: list[Tensor], limit: int | None, scan: tuple) -> None:
    """Nobody watched backward, but the graph is still there: run a private backward over it."""
    try:
        rec.replay([r for r in roots if r.grad_fn is not None], limit=limit, consumers=scan[0])
        g.grad_source = "replay"
        if any(r._data.size != 1 for r in roots if r.grad_fn is not None):
            g.notes.append("the output is not a scalar: gradients shown are for a seed of ones")
    except Exception as e:                  # e.g. a tensor changed in place: show the graph, say why no gradients
        g.notes.append(f"gradients not computed: {type(e).__name__}: {e}")


def _walk(g: Graph, rec: Recorder, max_nodes: int | None) -> None:
    seen_t = {t.key for t in g.roots}
    seen_o: set[int] = set()
    g.tensors.extend(_unique(g.roots))
    queue = deque(g.tensors)
    while queue:
        t = queue.popleft()
        op = rec.producer(t)
        if op is None:
            continue
        if op is FREED:
            g.freed.append(t)
            continue
        if op.key in seen_o:
            continue
        if max_nodes is not None and len(g.tensors) + len(g.ops) >= max_nodes:
            g.boundary.append(t)
            continue
        seen_o.add(op.key)
        g.ops.append(op)
        for x in op.inputs:
            if x.key not in seen_t:
                seen_t.add(x.key)
                g.tensors.append(x)
                queue.append(x)


def _count_hidden(g: Graph, rec: Recorder, scan: tuple | None) -> None:
    """How many ops (by name) and tensors the summary leaves out."""
    if scan is not None:                        # a live graph: the cheap scan counted everything
        names, total_tensors = scan[1], scan[2]
    else:                                       # freed but recorded: walk the snapshots
        names, keys = Counter(), {t.key for t in g.roots}
        seen, stack = set(), [o for o in (t.producer for t in g.boundary) if o is not None]
        while stack:
            o = stack.pop()
            if o.key in seen:
                continue
            seen.add(o.key)
            names[o.name] += 1
            for x in o.inputs:
                keys.add(x.key)
                p = rec.producer(x)
                if isinstance(p, ONode):
                    stack.append(p)
        names.update(o.name for o in g.ops)
        keys.update(t.key for t in g.tensors)
        total_tensors = len(keys)
    g.hidden_ops = names - Counter(o.name for o in g.ops)
    g.hidden_tensors = max(total_tensors - len(g.tensors), 0)


def kind_of(t: TNode, roots: set[int], params: set[int]) -> str:
    if t.key in roots:
        return "output"
    if not t.is_leaf:
        return "interior"
    if not t.requires_grad:
        return "const"
    return "param" if t.is_param or t.key in params else "leaf"


def _names(g: Graph, params: dict[str, Any] | None) -> None:
    """Display names: `params=` first, then the tensor's own name, then the parameter names of a module called
    under watch(). Those from `params=` and from modules mark parameters."""
    by_id = {id(v): k for k, v in dict(params or {}).items()}    # a dict, or named_parameters() itself
    rec_names = g.recorder.names if g.recorder is not None else {}
    for t in g.tensors:
        live = t.ref()
        name = None
        if live is not None:
            name = by_id.get(id(live))
            if name is None and id(live) in rec_names and rec_names[id(live)][0]() is live:
                name = rec_names[id(live)][1]
            if name is not None:
                g.params.add(t.key)
            name = live.name or name if id(live) not in by_id else name
        name = name or t.name
        if name:
            g.names[t.key] = name


def _unique(nodes: list[TNode]) -> list[TNode]:
    return list({t.key: t for t in nodes}.values())


def _live_grad(t: TNode) -> Summary | None:
    live = t.ref()
    if live is None or live.grad is None:
        return None
    return summarize(live.grad._data)

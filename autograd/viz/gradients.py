"""The Recorder's gradient side (a mixin of Recorder): each op backward reaches, each gradient it sends
along an edge, the seed of a root, leaf gradients per backward, and `replay()`, a private backward over a graph
nobody watched."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .backward import jacobians, live_scan, vjp
from .nodes import ONode, TNode
from .summary import Summary, summarize

if TYPE_CHECKING:
    from ..op import Op
    from ..tensor import Tensor


class GradientsMixin:
    """Fills ONode.edges, ONode.jacobians and TNode.grad from the gradients of a backward (watched or replayed)."""

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

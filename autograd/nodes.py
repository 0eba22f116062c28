"""PyTorch's view of the graph from a `grad_fn`: `next_functions` and the AccumulateGrad node of a leaf."""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor

# one node per leaf while someone holds it, so `a.next_functions[0][0] is b.next_functions[0][0]` as in PyTorch
_accumulators: weakref.WeakValueDictionary[int, AccumulateGrad] = weakref.WeakValueDictionary()


class Node:
    """PyTorch's torch.autograd.graph.Node: what every grad_fn (each Op) and AccumulateGrad share."""

    __slots__ = ()

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """((node, 0), ...) for each input, in the op's input order (0: every op here has one output)."""
        if self._inputs is None:                    # PyTorch keeps the structure after backward; we free it all
            raise RuntimeError(f"next_functions: the graph behind {self.name} was freed by backward(); pass "
                               f"retain_graph=True to backward() to inspect it afterwards")
        return tuple((node_of(t), 0) for t in self._inputs)


class AccumulateGrad(Node):
    """Where a leaf's gradient is summed into `.grad`; `variable` is the leaf (PyTorch's AccumulateGrad)."""

    __slots__ = ("variable", "__weakref__")
    next_functions: tuple = ()      # a leaf: nothing further back

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def node_of(t: Tensor) -> Any:
    """The node a gradient flows into from `t`: its grad_fn, an AccumulateGrad for a leaf that requires grad,
    None for a tensor outside the graph."""
    if t.grad_fn is not None:
        return t.grad_fn
    if not t._requires_grad:
        return None
    node = _accumulators.get(id(t))                 # the node holds t, so the id is not reused while it lives
    if node is None or node.variable is not t:
        node = _accumulators[id(t)] = AccumulateGrad(t)
    return node


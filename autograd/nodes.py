"""PyTorch's view of the graph from a `grad_fn`: `next_functions` and the AccumulateGrad node of a leaf. After
backward has released the ops, the same view is read from what they left behind (remains.py)."""
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
        if self._inputs is None:          # released by backward: PyTorch keeps the structure, so do we
            r = self.__dict__.get("_remains")
            if r is None:                           # remains.enabled was False
                raise RuntimeError(f"next_functions: the graph behind {self.name} was freed by backward(); "
                                   f"pass retain_graph=True to backward() to inspect it afterwards")
            return _next_of_remains(r)
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


class Released(Node):
    """An op that backward released, seen through its Remains: its name and next_functions, as before."""

    __slots__ = ("_r", "__weakref__")

    def __init__(self, r: Any) -> None:
        self._r = r

    name = property(lambda self: getattr(self._r, "name", "op"))
    next_functions = property(lambda self: _next_of_remains(self._r))

    def __repr__(self) -> str:
        return f"<{_class_name(self.name)}Backward0>"


_released: weakref.WeakValueDictionary[int, Released] = weakref.WeakValueDictionary()
_classes: dict[str, str] = {}


def _next_of_remains(r: Any) -> tuple[tuple[Any, int], ...]:
    """next_functions from a Remains: its inputs are other Remains (ops) or leaf records (weakref first)."""
    out = []
    for x in r.inputs:
        if isinstance(x, tuple):          # a leaf: (weakref, shape, dtype, name, value, requires_grad)
            leaf = x[0]()
            out.append((node_of(leaf) if leaf is not None and x[5] else None, 0))
            continue
        node = _released.get(id(x))
        if node is None or node._r is not x:
            node = _released[id(x)] = Released(x)
        out.append((node, 0))
    return tuple(out)


def _class_name(name: str) -> str:
    """The Op class behind an op name (matmul -> MatMul): a released op prints as it did before backward."""
    if not _classes:                                 # every op class is a Node (op.py's Op subclasses it)
        todo = [Node]
        while todo:
            cls = todo.pop()
            todo += cls.__subclasses__()
            if isinstance(getattr(cls, "name", None), str):
                _classes.setdefault(cls.name, cls.__name__)
    return _classes.get(name, "".join(w.capitalize() for w in name.split("_")))


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


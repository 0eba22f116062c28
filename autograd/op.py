"""Op: one recorded primitive (forward on arrays, backward in Tensor ops). `apply` is the only place the graph grows."""
from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import freed_graph_error, inplace_error, shape_error
from .grad_mode import _state
from .nodes import Node
from .version import counter

on_record: list[Callable[[Op], None]] = []   # observers of each recorded op (anomaly mode keeps its call site)


class Op(Node):   # Node: PyTorch's graph-node interface, next_functions (nodes.py)
    """Base class of every primitive. `inputs`/`out` are Tensors still attached to the graph."""

    __slots__ = ("_inputs", "needs_grad", "_versions", "_out", "_out_version", "__dict__")  # __dict__: dim, shapes...
    name = "op"                         # what graph pictures and error messages call it: cross_entropy

    def forward(self, *xs: Any, **params: Any) -> Any: raise NotImplementedError   # arrays in, array out
    def backward(self, g: Tensor) -> tuple[Tensor | None, ...]: raise NotImplementedError   # Tensor ops only

    @classmethod
    def apply(cls, *inputs: Tensor, **params: Any) -> Tensor:
        """Run forward; record the node only if grad mode is on and some input requires grad."""
        op = cls()
        if len(inputs) == 2:                    # binary ops unrolled: 3.11 runs each comprehension as a call
            x, y = inputs
            arrays, needs = (x._data, y._data), (x._requires_grad, y._requires_grad)
        else:
            arrays, needs = [t._data for t in inputs], tuple([t._requires_grad for t in inputs])
        try:
            out = _wrap(op.forward(*arrays, **params))
        except ValueError as e:                 # numpy's broadcast error, retold with the op and both shapes
            raise shape_error(op, inputs, e) from None
        if out._data.base is not None:           # a numpy view of an input: one storage, one version counter
            out._vc = next((counter(t) for t in inputs if np.may_share_memory(out._data, t._data)), out._vc)
        if _state.enabled and True in needs:
            op._inputs, op.needs_grad = inputs, needs
            op._versions = (x._vc[0], y._vc[0]) if len(inputs) == 2 else tuple([t._vc[0] for t in inputs])
            op._out, op._out_version = weakref.ref(out), out._vc[0]   # weak: out -> op -> out would be a cycle
            out.grad_fn, out._requires_grad = op, True
            for observe in on_record:
                observe(op)
        return out

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        """The inputs, checked: a tensor changed in place since this op saw it would give a wrong gradient."""
        xs = self._inputs
        if xs is None:
            raise freed_graph_error(self)
        for i, v in enumerate(self._versions):
            if xs[i]._vc[0] != v:
                raise inplace_error(self, i, xs[i], v)
        return xs

    @property
    def out(self) -> Tensor:
        """The output, so backward may reuse it (exp, tanh, sigmoid); the engine keeps it alive meanwhile."""
        t = self._out()
        if t is not None and t._vc[0] != self._out_version:
            raise inplace_error(self, None, t, self._out_version)
        return t

    def __init_subclass__(cls) -> None:
        if "name" not in cls.__dict__:      # CrossEntropy -> cross_entropy, BCEWithLogits -> bce_with_logits
            cls.name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls.__name__).lower()
    def release(self) -> None: self._inputs = None   # drop the inputs (and their arrays) once backward used them
    def __repr__(self) -> str: return f"<{type(self).__name__}Backward0>"


from .tensor import Tensor  # noqa: E402  below Op: tensor.py's op modules, which it imports last, subclass Op

_wrap = Tensor._wrap

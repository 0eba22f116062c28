"""The graph picture's snapshots: a TNode per tensor and an ONode per op, kept after backward freed them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import scope
from .summary import Summary


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

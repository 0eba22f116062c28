"""torch.autograd.graph: Node, the type of every `grad_fn` (and of a leaf's AccumulateGrad)."""
from autograd.nodes import Node

__all__ = ["Node"]

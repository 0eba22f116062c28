"""Observer lists for the places a learner's likely mistake passes through, outside the engine's loop: reading
.grad of a non-leaf, a recorded in-place update, the first layer's input, a loss's input. The guard-rails
(guards/) append their checks when imported; an empty list costs one loop over nothing. The engine's own lists
are `op.on_record`, `engine.on_edge`, `engine.on_backward` and `engine.on_accumulate`."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor

on_nonleaf_grad: list[Callable[[Tensor], None]] = []            # t.grad read on a non-leaf that keeps none
on_inplace_update: list[Callable[[Tensor, Any], None]] = []     # `t += other` recorded in the graph
on_layer_input: list[Callable[[str, Tensor, Tensor], None]] = []   # raw data x reaching a layer's weight
on_loss_input: list[Callable[[str, Tensor, bool], None]] = []      # what a loss was fed (log_probs: nll_loss)


def check_layer_input(what: str, x: Tensor, weight: Tensor) -> None:
    """conv2d, linear: `x`, data no op made, reaches `weight` (uint8 images, values on the 0..255 scale)."""
    for observe in on_layer_input:
        observe(what, x, weight)


def check_loss_input(what: str, input: Tensor, log_probs: bool = False) -> None:
    """cross_entropy, nll_loss: `input` may have been made by softmax, or already be log-probabilities."""
    for observe in on_loss_input:
        observe(what, input, log_probs)

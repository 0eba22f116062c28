"""Observer lists for the places a learner's likely mistake passes through, outside the engine's loop: reading
.grad of a non-leaf, a recorded in-place update, the first layer's input, a loss's input. The guard-rails
(guards/) append their checks when imported; an empty list costs one loop over nothing. The engine's own lists
are `op.on_record`, `engine.on_edge`, `engine.on_backward`, `engine.on_accumulate` and `engine.on_release`."""
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


def releasing(hooks: list[Callable[..., Any]]) -> Callable[..., Any] | None:
    """engine.on_release's observers as the one call backward makes before it frees each op: none, the one itself
    (remains.keep, the usual case), or each in turn. Each gets (op, its upstream gradient or None, its output or
    None, step, ops in this backward) and may return a callable that receives (i, g) for each gradient sent."""
    if len(hooks) <= 1:
        return hooks[0] if hooks else None

    def each(*args: Any) -> Callable[[int, Any], None] | None:
        sent = [s for s in (h(*args) for h in hooks) if s is not None]
        return (lambda i, g: [s(i, g) for s in sent]) if sent else None
    return each

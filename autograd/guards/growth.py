"""Graphs that grow across iterations: a kept graph that backward reaches again and again (`retain_graph=True`
with a hidden state carried over), and `total += loss` adding a graph that is already used up.

It watches the engine's `on_backward` (which also counts the backward passes: nn's eval-mode check reads
`backward_passes`) and the recorded in-place updates (`observers.on_inplace_update`)."""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from .. import engine, observers
from ..usercode import describe, var_name
from .report import on_reset, warn

if TYPE_CHECKING:
    from ..op import Op

backward_passes = 0                                   # backward() calls so far
_growth: dict[str, Any] = {"size": 0, "streak": 0, "deepest": None}
GROWTH_PASSES = 5                                     # a kept graph that grew in this many backward passes in a row…
GROWTH_OPS = 100                                      # …and holds at least this many ops gets a warning


def on_backward(roots: Any, order: list[Op], retain_graph: bool) -> None:
    """Once per backward(): count it; with retain_graph=True, look at how the kept graph grows."""
    global backward_passes
    backward_passes += 1
    if retain_graph:
        kept_graph(roots, order)


def kept_graph(roots: Any, order: list[Op]) -> None:
    """A backward with retain_graph=True over `order`: warn when successive backwards keep reaching the previous
    one's ops through a graph that grows each time (a hidden state carried across iterations, total += loss)."""
    prev = _growth["deepest"]
    prev_op = prev() if prev is not None else None
    grew = len(order) > _growth["size"] and prev_op is not None and prev_op in order
    _growth["streak"] = _growth["streak"] + 1 if grew else 0
    _growth["size"] = len(order)
    _growth["deepest"] = weakref.ref(order[-1]) if order else None
    if _growth["streak"] >= GROWTH_PASSES and len(order) >= GROWTH_OPS:
        root = roots[0]
        warn("growth", f"backward: the graph behind {describe(root)} has grown in each of the last "
                       f"{_growth['streak']} backward passes and now holds {len(order)} ops, most of them built in "
                       "earlier iterations. retain_graph=True keeps every iteration's graph alive: each backward() "
                       "gets slower and adds the earlier iterations' gradients again. Cut what you carry from one "
                       "iteration to the next: `h = h.detach()` for a hidden state (truncated backprop through time), "
                       "`total_loss += loss.item()` for a running total; then drop retain_graph=True.")


def inplace_accumulation(target: Any, other: Any) -> None:
    """`total += loss` while recording: warn when `loss` was already backpropagated (its graph freed), so the
    total only piles up graph nodes; the usual fix is `total += loss.item()`."""
    fn = getattr(other, "grad_fn", None)
    if fn is not None and fn._inputs is None:
        warn("growth", f"in-place add: {describe(target)} accumulates {describe(other)}, whose graph an earlier "
                       f"backward() already used, so {var_name(target) or 'the total'} keeps every iteration's "
                       "graph alive for nothing. To add up losses for logging, use a number: "
                       "`total_loss += loss.item()`.")


engine.on_backward.append(on_backward)
observers.on_inplace_update.append(inplace_accumulation)
on_reset.append(lambda: _growth.update(size=0, streak=0, deepest=None))

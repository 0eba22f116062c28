"""Gradients that pile up: .grad summing several backward passes with an update in between (forgotten zero_grad).

It watches the engine's `on_accumulate`: a note on each .grad counts the passes it sums since it was last None or
all zeros. nn's optimizers read the notes before a step (nn/guards.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import engine
from ..usercode import describe
from .report import warn

if TYPE_CHECKING:
    from ..tensor import Tensor


class _Passes:
    """Kept on a leaf's .grad: how many backward passes it sums, and the leaf's version at the last one."""

    __slots__ = ("n", "leaf_version", "told")

    def __init__(self, n: int, leaf_version: int, told: bool = False) -> None:
        self.n, self.leaf_version, self.told = n, leaf_version, told


def accumulated(leaf: Tensor, old: Tensor | None, g: Tensor) -> None:
    """The engine added `g` (one backward pass) into leaf.grad, which was `old`. Counts the passes .grad holds
    since it was last None or all zeros, and warns when the leaf was updated in between (the zero_grad mistake):
    accumulating on purpose never changes the parameters between passes."""
    grad = leaf._grad
    if old is None:                                # the first pass: just the leaf's version (no object to build)
        grad._guard = leaf._vc[0]
        return
    note = getattr(old, "_guard", None)
    if type(note) is int:
        note = _Passes(1, note)
    version = leaf._vc[0]
    if not isinstance(note, _Passes) or _was_zero(grad._data, g._data):
        grad._guard = _Passes(1, version)
        return
    if note.leaf_version != version and not note.told:
        note.told = True
        warn("zero_grad", f"backward: the gradient of {describe(leaf)} now sums {note.n + 1} backward passes, and "
                          "the tensor was updated in between (by an optimizer step or `w -= lr * w.grad`). Gradients "
                          "accumulate in .grad, so this update uses old gradients too. Did you forget "
                          "optimizer.zero_grad()? Zero the gradients once per iteration, before loss.backward(): "
                          "optimizer.zero_grad(), or w.grad = None / w.grad.zero_() in a hand-written loop.")
    note.n, note.leaf_version = note.n + 1, version
    grad._guard = note                             # the same note, updated: no object per pass


def _was_zero(total: np.ndarray, added: np.ndarray) -> bool:
    """Did .grad hold zeros before `added` went in (zeroed in place, e.g. grad._data.fill(0))? Compares at most
    64 evenly spaced elements, O(1) per step. A mostly-zero gradient may look zeroed: then a warning is missed,
    never a false one given."""
    if total.size and total.item(0) != added.item(0):   # usually settles it: two scalar reads
        return False
    step = max(1, total.size // 64)
    if total.shape == added.shape and total.flags.c_contiguous and added.flags.c_contiguous:   # flat views: cheap
        return bool((total.reshape(-1)[::step] == added.reshape(-1)[::step]).all())
    return bool(np.array_equal(total.flat[::step], added.flat[::step]))


def passes(grad: Tensor | None) -> int:
    """How many backward passes this .grad sums since it was last None or zeroed (0 for None)."""
    if grad is None:
        return 0
    note = getattr(grad, "_guard", None)
    return note.n if isinstance(note, _Passes) else 1


def unreported_passes(grad: Tensor | None) -> int:
    """passes(grad), or 1 once a warning already told the user about this .grad (so it is told once)."""
    note = getattr(grad, "_guard", None)
    return note.n if isinstance(note, _Passes) and not note.told else 1


engine.on_accumulate.append(accumulated)

"""Version counters: how an op knows that a tensor it saved was changed in place since.

Every storage has one counter, shared by the tensors that view it; in-place ops bump it, ops record it. Most
tensors are never viewed or changed, so they all start on one shared, immutable counter, FRESH, and get a list
of their own only when they need one. A list per tensor was one more object per graph node for Python's garbage
collector to scan again and again while a graph grows (W3 forward, 200k-op chain: see README, performance).

A recorded in-place change on a tensor in a graph (`h[1:] += v`) leaves a stand-in holding the old value; `source`
tells the engine which of the two an op that saw a given version is connected to."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor

FRESH = (0,)                 # read as t._vc[0] like a list; a bump that forgot counter() fails loudly (tuple)


def counter(t: Any) -> list[int]:
    """t's own version counter, made a list first if t was still on FRESH: to share with a view, or to bump."""
    if t._vc is FRESH:
        t._vc = [0]
    return t._vc


_standins: dict[int, list] = {}                   # id(tensor) -> [(its last version, weakref to the stand-in), ...]


def source(x: Tensor, version: int) -> Tensor:
    """What an op that recorded `x` at `version` is connected to: x itself, or, when a recorded in-place op has
    changed x since, the stand-in holding x's value from then. The engine sends that op's gradient there, so
    `h[1:] += v` (getitem of h, then setitem on h) routes each gradient to the right version of h."""
    for last, ref in _standins.get(id(x), ()):
        if version <= last:
            old = ref()
            if old is None:
                raise RuntimeError(f"backward: a {tuple(x.shape)} tensor was changed in place and the graph "
                                   "of its earlier "
                                   "value was already freed by a backward; pass retain_graph=True to that one.")
            return old
    return x

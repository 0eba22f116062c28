"""Version counters: how an op knows that a tensor it saved was changed in place since.

Every storage has one counter, shared by the tensors that view it; in-place ops bump it, ops record it. Most
tensors are never viewed or changed, so they all start on one shared, immutable counter, FRESH, and get a list
of their own only when they need one. A list per tensor was one more object per graph node for Python's garbage
collector to scan again and again while a graph grows (W3 forward, 200k-op chain: see README, performance)."""
from __future__ import annotations

from typing import Any

FRESH = (0,)                 # read as t._vc[0] like a list; a bump that forgot counter() fails loudly (tuple)


def counter(t: Any) -> list[int]:
    """t's own version counter, made a list first if t was still on FRESH: to share with a view, or to bump."""
    if t._vc is FRESH:
        t._vc = [0]
    return t._vc

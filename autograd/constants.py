"""Python numbers mixed into ops (`y * 0.5`, `1 - p`): one read-only constant tensor per number and dtype, shared
by every op that uses it. A fresh tensor per op costs time to build and stays in the graph as one more object for
Python's garbage collector to rescan while the graph grows (benchmark W3, a long chain, measures it)."""
from __future__ import annotations

from typing import Any

from .tensor import Tensor, as_tensor  # tensor.py imports this module last, once Tensor exists

_constants: dict[tuple, Tensor] = {}                # (type, number, dtype) -> its read-only constant tensor


def number(v: Any, like: Tensor) -> Tensor:
    """`v` mixed into an op with the tensor `like`, as a tensor of like's dtype: the shared constant for a
    floating `like`. Not kept: zero (+0.0 is -0.0 as a key), nan, past 1024 numbers."""
    dtype = like._data.dtype
    if type(v) not in (int, float) or dtype.kind != "f" or v == 0 or v != v:
        return as_tensor(v, like)
    key = (type(v), v, dtype)
    t = _constants.get(key)
    if t is None:
        t = as_tensor(v, like)
        if len(_constants) < 1024:
            t._data.flags.writeable = False     # shared from now on: nobody may change it
            _constants[key] = t
    return t

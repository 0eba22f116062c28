"""Size: a tensor's shape as PyTorch gives it, a tuple that prints as `chainrule.Size([3, 4])`."""
from __future__ import annotations

import math
import operator
from typing import Any, SupportsIndex


class Size(tuple):
    """PyTorch's torch.Size: a tuple of ints (equal to plain tuples, accepted by numpy as a shape) with
    `numel()`; slicing, `+` and `*` give Sizes."""

    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> Size:
        items = tuple(sizes)
        for i, s in enumerate(items):
            if not hasattr(type(s), "__index__"):
                raise TypeError(f"Size() takes an iterable of 'int' (item {i} is '{type(s).__name__}')")
        return tuple.__new__(cls, [operator.index(s) for s in items])

    def __repr__(self) -> str:
        return f"chainrule.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)

    def __getitem__(self, i: SupportsIndex | slice) -> Any:
        r = tuple.__getitem__(self, i)
        return tuple.__new__(Size, r) if isinstance(i, slice) else r

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Any:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n: SupportsIndex) -> Any:
        r = tuple.__mul__(self, n)
        return r if r is NotImplemented else tuple.__new__(Size, r)

    __rmul__ = __mul__


def as_size(shape: tuple) -> Size:
    """The fast constructor for shapes that are already tuples of ints (an ndarray's `.shape`)."""
    return tuple.__new__(Size, shape)

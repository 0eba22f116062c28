"""Binary and selection primitives. numpy broadcasts in forward; the engine sums each gradient back
to its input's shape."""
from __future__ import annotations

import numpy as np

from ..dtypes import get_default_dtype
from ..op import Op
from ..tensor import Tensor, const, pair


class Add(Op):
    """z = x + y        dx = g,   dy = g"""
    def forward(self, x, y):
        return x + y

    def backward(self, g):
        return g, g


def add(x, y) -> Tensor:
    return Add.apply(*pair(x, y))


class Sub(Op):
    """z = x - y        dx = g,   dy = -g"""
    def forward(self, x, y):
        return x - y

    def backward(self, g):
        return g, (-g if self.needs_grad[1] else None)


def sub(x, y) -> Tensor:
    return Sub.apply(*pair(x, y))


class Mul(Op):
    """z = x * y        dx = g * y,   dy = g * x"""
    def forward(self, x, y):
        return x * y

    def backward(self, g):
        x, y = self.inputs
        return (g * y if self.needs_grad[0] else None), (g * x if self.needs_grad[1] else None)


def mul(x, y) -> Tensor:
    return Mul.apply(*pair(x, y))


class Div(Op):
    """z = x / y        dx = g / y,   dy = -g * x / y²"""
    def forward(self, x, y):
        z = x / y
        return z if z.dtype.kind == "f" else z.astype(get_default_dtype())   # int / int -> default float, as PyTorch

    def backward(self, g):
        x, y = self.inputs
        return (g / y if self.needs_grad[0] else None), (-g * x / (y * y) if self.needs_grad[1] else None)


def div(x, y) -> Tensor:
    return Div.apply(*pair(x, y))


class Neg(Op):
    """y = -x           dx = -g"""
    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


def neg(x) -> Tensor:
    return Neg.apply(x)


class Pow(Op):
    """z = x ** y       dx = g * y * x^(y-1),   dy = g * z * log(x)"""
    def forward(self, x, y):
        return x ** y

    def backward(self, g):
        x, y = self.inputs
        dx = g * y * x ** (y - 1) if self.needs_grad[0] else None
        dy = g * self.out * x.log() if self.needs_grad[1] else None
        return dx, dy


def pow(x, y) -> Tensor:  # noqa: A001
    if isinstance(y, (int, float)) and not isinstance(y, bool) and isinstance(x, Tensor):
        return PowScalar.apply(x, c=y)
    return Pow.apply(*pair(x, y))


class PowScalar(Op):
    """y = x ** c  (c a number)      dx = g * c * x^(c-1)"""
    def forward(self, x, c):
        self.c = c
        return x ** c

    def backward(self, g):
        (x,) = self.inputs
        return (g * (self.c * x ** (self.c - 1)),)


class Maximum(Op):
    """z = max(x, y)    dx = g * [x > y],   dy = g * [y > x]     (ties: half each, as PyTorch)"""
    def forward(self, x, y):
        return np.maximum(x, y)

    def backward(self, g):
        x, y = (t.data for t in self.inputs)
        return g * _mask((x > y) + 0.5 * (x == y), g), g * _mask((y > x) + 0.5 * (x == y), g)


def maximum(x, y) -> Tensor:
    return Maximum.apply(*pair(x, y))


class Minimum(Op):
    """z = min(x, y)    dx = g * [x < y],   dy = g * [y < x]     (ties: half each, as PyTorch)"""
    def forward(self, x, y):
        return np.minimum(x, y)

    def backward(self, g):
        x, y = (t.data for t in self.inputs)
        return g * _mask((x < y) + 0.5 * (x == y), g), g * _mask((y < x) + 0.5 * (x == y), g)


def minimum(x, y) -> Tensor:
    return Minimum.apply(*pair(x, y))


class Where(Op):
    """z = cond ? x : y       dx = cond ? g : 0,   dy = cond ? 0 : g"""
    def forward(self, cond, x, y):
        return np.where(cond, x, y)

    def backward(self, g):
        cond = self.inputs[0]
        zero = const(0.0, g)
        return (None, where(cond, g, zero) if self.needs_grad[1] else None,
                where(cond, zero, g) if self.needs_grad[2] else None)


def where(condition, x, y) -> Tensor:
    """Elementwise choice; `condition` is a bool tensor or array (no gradient flows into it)."""
    cond = condition if isinstance(condition, Tensor) else Tensor._wrap(np.asarray(condition, dtype=bool))
    if cond.dtype != np.bool_:
        cond = Tensor._wrap(cond.data.astype(bool))
    x, y = pair(x, y)
    return Where.apply(cond, x, y)


class Clamp(Op):
    """y = min(max(x, lo), hi)      dx = g * [lo ≤ x ≤ hi]"""
    def forward(self, x, lo, hi):
        self.lo, self.hi = lo, hi
        return np.clip(x, lo, hi)

    def backward(self, g):
        x = self.inputs[0].data
        inside = np.ones(x.shape, dtype=bool)
        for bound, keep in ((self.lo, np.greater_equal), (self.hi, np.less_equal)):
            if bound is not None:
                inside &= keep(x, bound)
        return (g * _mask(inside, g),)


def clamp(x: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp.apply(x, lo=_bound(min), hi=_bound(max))


class Cast(Op):
    """y = x as dtype   dx = g as x's dtype"""
    def forward(self, x, dtype):
        self.in_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return (g.to(self.in_dtype),)


def _mask(m: np.ndarray, like: Tensor) -> Tensor:
    return Tensor._wrap(np.asarray(m, dtype=like.dtype))


def _bound(b):
    return b.data if isinstance(b, Tensor) else b

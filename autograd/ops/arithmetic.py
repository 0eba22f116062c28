"""Binary and selection primitives. numpy broadcasts in forward; the engine sums each gradient back
to its input's shape."""
from __future__ import annotations

import numpy as np

from ..dtypes import get_default_dtype
from ..errors import ArgumentError, DTypeError
from ..op import Op
from ..parallel import binary
from ..tensor import Tensor, const, pair


class Add(Op):
    """z = x + y        dx = g,   dy = g"""
    def forward(self, x, y):
        return binary(np.add, x, y)            # x + y, on several threads when large

    def backward(self, g):
        return g, g


def add(input, other, *, alpha: float = 1) -> Tensor:
    """input + alpha * other, as torch.add."""
    return Add.apply(*_operands(input, other if alpha == 1 else mul(other, alpha)))


class Sub(Op):
    """z = x - y        dx = g,   dy = -g"""
    def forward(self, x, y):
        return binary(np.subtract, x, y)

    def backward(self, g):
        return g, (-g if self.needs_grad[1] else None)


def sub(input, other, *, alpha: float = 1) -> Tensor:
    """input - alpha * other, as torch.sub."""
    if isinstance(other, Tensor) and other._data.dtype == np.bool_ == getattr(input, "_data", other._data).dtype:
        raise DTypeError("sub: subtraction, the `-` operator, with two bool tensors is not supported: "
                         "use ^ (logical_xor) instead")
    return Sub.apply(*_operands(input, other if alpha == 1 else mul(other, alpha)))


class Mul(Op):
    """z = x * y        dx = g * y,   dy = g * x"""
    def forward(self, x, y):
        return binary(np.multiply, x, y)

    def backward(self, g):
        x, y = self.inputs
        return (g * y if self.needs_grad[0] else None), (g * x if self.needs_grad[1] else None)


def mul(input, other) -> Tensor:
    return Mul.apply(*_operands(input, other))


class Div(Op):
    """z = x / y        dx = g / y,   dy = -g * x / y²"""
    def forward(self, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):   # x / 0: inf or nan, silent, as PyTorch
            z = x / y
        if x.dtype.kind in "iub" and y.dtype.kind in "iub":
            return z.astype(get_default_dtype())   # int / int -> the default float, as PyTorch
        return z

    def backward(self, g):
        x, y = self.inputs
        if (m := _unselected(g, y._data == 0)) is not None:
            y = where(m, 1.0, y)                   # where(x != 0, 1 / x, 0) at x = 0: gradient 0, not nan
        return (g / y if self.needs_grad[0] else None), (-g * x / (y * y) if self.needs_grad[1] else None)


def div(input, other, *, rounding_mode: str | None = None) -> Tensor:
    """x / y; rounding_mode 'trunc' or 'floor' rounds the quotient (division.py: outside the graph)."""
    if rounding_mode is None:
        return Div.apply(*_operands(input, other))
    from .division import rounded_div  # here, not at the top: division.py imports this module
    return rounded_div(input, other, rounding_mode)


class Neg(Op):
    """y = -x           dx = -g"""
    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


def neg(input) -> Tensor:
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise DTypeError(f"neg: negation, the `-` operator, on a bool tensor (shape {tuple(input.shape)}) is "
                         "not supported: use ~ or logical_not() to invert it")
    return Neg.apply(input)


class Pow(Op):
    """z = x ** y       dx = g * y * x^(y-1),   dy = g * z * log(x)    (0 where x = 0 and y ≥ 0, as PyTorch)"""
    def forward(self, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):   # 0 ** -1, (-1) ** 0.5: silent, as PyTorch
            return x ** y

    def backward(self, g):
        x, y = self.inputs
        dx = dy = None
        if self.needs_grad[0]:
            if (m := _unselected(g, (x._data == 0) & (y._data < 1))) is not None:
                x = where(m, 1.0, x)
            dx = g * y * x ** (y - 1)
            zero_zero = (y._data == 0) & (x._data == 0)
            if zero_zero.any():                                      # d(x⁰)/dx = 0 at x = 0 too, not 0 · inf
                dx = where(zero_zero, 0.0, dx)
        if self.needs_grad[1]:
            at_zero = (x._data == 0) & (y._data >= 0)
            safe_x = where(x._data == 0, 1.0, x) if at_zero.any() else x   # log(1) = 0: no 0 · -inf = nan
            dy = g * self.out * safe_x.log()
        return dx, dy


def pow(input, exponent) -> Tensor:  # noqa: A001
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool) and isinstance(input, Tensor):
        c = float(exponent) if isinstance(exponent, float) else exponent    # np.float64 must not upcast
        if input._data.dtype.kind in "iub" and isinstance(c, float):      # int ** 0.5: the default float
            input = Tensor._wrap(input._data.astype(get_default_dtype()))
        elif input._data.dtype.kind in "iu" and c < 0:
            raise ArgumentError(f"pow: integers to negative integer powers are not allowed (a {input.dtype} "
                                f"tensor of shape {tuple(input.shape)} ** {c}); use a float tensor")
        return PowScalar.apply(input, c=c)
    return Pow.apply(*_operands(input, exponent))


class PowScalar(Op):
    """y = x ** c  (c a number)      dx = g * c * x^(c-1)     (0 for c = 0, even at x = 0)"""
    def forward(self, x, c):
        self.c = c
        with np.errstate(divide="ignore", invalid="ignore"):   # 0 ** -1, (-1) ** 0.5: silent, as PyTorch
            return x ** c

    def backward(self, g):
        (x,) = self.inputs
        if self.c == 0:
            return (g * 0,)
        if self.c < 1 and (m := _unselected(g, x._data == 0)) is not None:
            x = where(m, 1.0, x)
        return (g * (self.c * x ** (self.c - 1)),)


class Maximum(Op):
    """z = max(x, y)    dx = g * [not x < y],   dy = g * [not y < x]    (ties: half each; NaN: g to both, as PyTorch)"""
    def forward(self, x, y):
        return np.maximum(x, y)

    def backward(self, g):
        x, y = (t._data for t in self.inputs)
        dx, dy = self.needs_grad
        return _selected(g, ~(x < y) if dx else None, ~(y < x) if dy else None, tie=x == y)


def maximum(input, other) -> Tensor:
    return Maximum.apply(*_operands(input, other))


class Minimum(Op):
    """z = min(x, y)    dx = g * [not x > y],   dy = g * [not y > x]    (ties: half each; NaN: g to both, as PyTorch)"""
    def forward(self, x, y):
        return np.minimum(x, y)

    def backward(self, g):
        x, y = (t._data for t in self.inputs)
        dx, dy = self.needs_grad
        return _selected(g, ~(x > y) if dx else None, ~(y > x) if dy else None, tie=x == y)


def minimum(input, other) -> Tensor:
    return Minimum.apply(*_operands(input, other))


class Where(Op):
    """z = cond ? x : y       dx = cond ? g : 0,   dy = cond ? 0 : g"""
    def forward(self, cond, x, y):
        return np.where(cond, x, y)

    def backward(self, g):
        cond = self.inputs[0]
        zero = const(0.0, g)
        return (None, where(cond, g, zero) if self.needs_grad[1] else None,
                where(cond, zero, g) if self.needs_grad[2] else None)


def where(condition, input, other) -> Tensor:
    """Elementwise choice; `condition` is a bool tensor or array (no gradient flows into it)."""
    if isinstance(condition, Tensor) and condition._data.dtype != np.bool_:
        raise DTypeError(f"where: expected condition to be a bool tensor, got {condition.dtype} of shape "
                         f"{tuple(condition.shape)}: compare it (x > 0) or use .bool()")
    cond = condition if isinstance(condition, Tensor) else Tensor._wrap(np.asarray(condition, dtype=bool))
    if cond.dtype != np.bool_:
        cond = Tensor._wrap(cond._data.astype(bool))
    input, other = _operands(input, other)
    return Where.apply(cond, input, other)


class Clamp(Op):
    """y = min(max(x, lo), hi)      dx = g * [lo ≤ x ≤ hi]"""
    def forward(self, x, lo, hi):
        self.lo, self.hi = lo, hi
        return np.clip(x, lo, hi)

    def backward(self, g):
        x, lo, hi = self.inputs[0]._data, self.lo, self.hi
        inside = x <= hi if lo is None else x >= lo if hi is None else (x >= lo) & (x <= hi)   # NaN: outside
        return _selected(g, inside)


def clamp(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    """Bounds may be numbers or tensors (broadcast); a bound that requires grad gets g where it is the output."""
    if min is None and max is None:
        raise ArgumentError("clamp: at least one of min and max must be given")
    if input._data.dtype.kind in "iub" and any(np.asarray(_bound(b)).dtype.kind == "f" for b in (min, max)):
        input = Tensor._wrap(input._data.astype(get_default_dtype()))   # ints clamped to 0.5: floats, as PyTorch
    if any(isinstance(b, Tensor) and b.requires_grad for b in (min, max)):
        # a learnable bound: composed from where(), so a bound gets g where it is the output, and x only where
        # min <= x <= max: a NaN x stays NaN with gradient 0, as PyTorch
        y = input if min is None else where(input >= min, input, where(input < min, min, input.detach()))
        return y if max is None else where(y <= max, y, where(y > max, max, y.detach()))
    return Clamp.apply(input, lo=_bound(min), hi=_bound(max))


class Cast(Op):
    """y = x as dtype      dx = g as x's dtype"""
    def forward(self, x, dtype):
        self.in_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return (g.to(self.in_dtype),)


def cast(x: Tensor, dtype) -> Tensor:
    return Cast.apply(x, dtype=np.dtype(dtype))


def _operands(x, y) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors; an integer one mixed with a float one takes the float dtype (PyTorch's rule:
    numpy would make int64 * float32 a float64)."""
    if isinstance(x, Tensor) and isinstance(y, Tensor) and x._data.dtype == y._data.dtype:
        return x, y                            # the usual case, without pair(): the hottest call
    x, y = pair(x, y)
    dx, dy = x._data.dtype, y._data.dtype
    if dx != dy and (dx.kind in "iub") != (dy.kind in "iub"):
        if dx.kind in "iub":
            x = Tensor._wrap(x._data.astype(dy))
        else:
            y = Tensor._wrap(y._data.astype(dx))
    elif dx != dy and (x._data.ndim == 0) != (y._data.ndim == 0) and _kind(dx) == _kind(dy):
        # a 0-d tensor of the same kind takes the other's dtype, as a number would (PyTorch's rule)
        x, y = (cast(x, dy), y) if x._data.ndim == 0 else (x, cast(y, dx))
    return x, y


def _kind(d: np.dtype) -> str:
    """PyTorch's dtype categories: bool, integer, floating."""
    return "f" if d.kind == "f" else "b" if d.kind == "b" else "i"


def _selected(g: Tensor, *keeps: np.ndarray | None, tie: np.ndarray | None = None) -> tuple[Tensor | None, ...]:
    """For each input: g where its `keep`, else 0 (keep None: no gradient wanted); half of g where `tie`
    (maximum/minimum split ties, as PyTorch). PyTorch selects rather than multiplies, so an inf or nan g where
    keep is False gives 0, not inf·0 = nan; `where` keeps the gradient of g flowing for higher orders."""
    if tie is not None and tie.any():
        g = g * Tensor._wrap(np.where(tie, 0.5, 1.0).astype(g.dtype))   # 1 where dropped: no inf·0
    return tuple(None if k is None else where(k, g, 0.0) for k in keeps)


def _unselected(g: Tensor, singular: np.ndarray) -> np.ndarray | None:
    """Where the local gradient is infinite or nan (`singular`, e.g. 1/x at x = 0) and the incoming gradient is
    exactly 0, the gradient is 0, not 0 · inf = nan. That is the branch where() did not select, as in
    where(x > 0, x.sqrt(), 0) at x = 0. Returns those positions (the caller swaps in a harmless 1 there), or None:
    the usual case, at the cost of one pass over `singular`."""
    if not singular.any():
        return None
    m = singular & (g._data == 0)
    return m if m.any() else None


def _bound(b):
    return b._data if isinstance(b, Tensor) else b

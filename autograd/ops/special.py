"""Special functions of the elementwise kind: rsqrt, erfc, erfinv, sinc, xlogy, logaddexp, lerp, logit,
nan_to_num.
Integer inputs give the default float dtype where PyTorch's do; PyTorch's values at the edges (rsqrt(0) = inf,
sinc(0) = 1, xlogy(0, y) = 0, erfinv(±1) = ±inf)."""
from __future__ import annotations

import math

import numpy as np

from ..errors import DTypeError
from ..op import Op
from ..tensor import Tensor, as_tensor
from ..threads import one_thread_scipy_blas
from .activations import sigmoid
from .arithmetic import _operands, _unselected, cast, where
from .trig import _float_only, _floats
from .unary import _floating, cos


class Rsqrt(Op):
    """y = 1 / √x       dx = -g·y³ / 2      (rsqrt(0) = inf with gradient -inf, as PyTorch)"""
    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / np.sqrt(x)

    def backward(self, g):
        y = self.out
        if (m := _unselected(g, ~(self.inputs[0]._data > 0))) is not None:
            y = where(m, 1.0, y)
        return (g * y * y * y * -0.5,)


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(_floating(input))


class Erfc(Op):
    """y = 1 - erf(x)       dx = -g · 2/√π · exp(-x²)     (exact where erf(x) rounds to 1)"""
    def forward(self, x):
        return _special("erfc", x)

    def backward(self, g):
        x = self.inputs[0]
        return (g * (-2 / math.sqrt(math.pi)) * (-(x * x)).exp(),)


def erfc(input: Tensor) -> Tensor:
    return Erfc.apply(_floating(input))


class Erfinv(Op):
    """y = erf⁻¹(x)        dx = g · √π/2 · exp(y²)     (±inf at ±1, nan outside, as PyTorch)"""
    def forward(self, x):
        return _special("erfinv", x)

    def backward(self, g):
        y = self.out
        if (m := _unselected(g, ~(np.abs(self.inputs[0]._data) < 1))) is not None:
            y = where(m, 0.0, y)
        return (g * (math.sqrt(math.pi) / 2) * (y * y).exp(),)


def erfinv(input: Tensor) -> Tensor:
    return Erfinv.apply(_floating(input))


class Sinc(Op):
    """y = sin(πx) / (πx), 1 at 0      dx = g·(cos(πx) - y) / x,  0 at x = 0 (as PyTorch)"""
    def forward(self, x):
        return np.sinc(x).astype(x.dtype, copy=False)

    def backward(self, g):
        x, y = self.inputs[0], self.out
        small = np.abs(x._data) < 1e-3               # cos(πx) - y cancels there: its Taylor series instead
        if not small.any():
            return (g * (cos(x * math.pi) - y) / x,)
        x2 = x * x
        series = g * x * (x2 * (math.pi ** 4 / 30) - math.pi ** 2 / 3)      # 0 at x = 0, as PyTorch
        return (where(small, series, g * (cos(where(small, 1.0, x) * math.pi) - y) / where(small, 1.0, x)),)


def sinc(input: Tensor) -> Tensor:
    return Sinc.apply(_floating(input))


class Xlogy(Op):
    """z = x·log(y), 0 where x = 0 (unless y is nan)      dx = g·log(y) (0 at x = 0, y ≤ 0),   dy = g·x / y"""
    def forward(self, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x == 0) & ~np.isnan(y), np.zeros((), x.dtype), x * np.log(y))

    def backward(self, g):
        x, y = self.inputs
        dx = dy = None
        if self.needs_grad[0]:
            dx = xlogy(g, y)                           # g·log(y), 0 where g = 0
            if (m := (x._data == 0) & (y._data <= 0)).any():
                dx = where(m, 0.0, dx)                 # PyTorch's 0 where x = 0 and log(y) is -inf or nan
        if self.needs_grad[1]:
            if (m := _unselected(g, y._data == 0)) is not None:
                y = where(m, 1.0, y)
            dy = g * x / y
        return dx, dy


def xlogy(input, other) -> Tensor:  # noqa: A002
    """input · log(other), with 0 where input is 0 (the entropy convention 0·log 0 = 0), as torch.xlogy."""
    return Xlogy.apply(*_floats(*_operands(input, other)))


class Logaddexp(Op):
    """z = log(eˣ + eʸ)      dx = g·σ(x - y),   dy = g·σ(y - x)"""
    def forward(self, x, y):
        return np.logaddexp(x, y)

    def backward(self, g):
        x, y = self.inputs
        return (g * sigmoid(x - y) if self.needs_grad[0] else None,
                g * sigmoid(y - x) if self.needs_grad[1] else None)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """log(exp(input) + exp(other)) without overflow, as torch.logaddexp (floating-point tensors only)."""
    x, y = _operands(input, other)
    _float_only("logaddexp", x, y)
    return Logaddexp.apply(x, y)


class Lerp(Op):
    """z = s + w·(e - s)      ds = g·(1 - w),   de = g·w,   dw = g·(e - s)"""
    def forward(self, s, e, w):
        d = e - s
        return np.where(np.abs(w) < 0.5, s + w * d, e - d * (1 - w))   # PyTorch's two forms: exact at w = 0, 1

    def backward(self, g):
        s, e, w = self.inputs
        return (g * (1 - w) if self.needs_grad[0] else None, g * w if self.needs_grad[1] else None,
                g * (e - s) if self.needs_grad[2] else None)


def lerp(input: Tensor, end: Tensor, weight) -> Tensor:  # noqa: A002
    """input + weight · (end - input), elementwise and broadcast; weight a number or a tensor, as torch.lerp."""
    s = as_tensor(input)
    e, w = as_tensor(end, like=s), as_tensor(weight, like=s)
    if s.dtype.kind != "f":
        raise NotImplementedError(f"lerp: not implemented for {s.dtype} tensors (shape {tuple(s.shape)}); "
                                  "convert with .float()")
    if w.ndim == 0 and w.dtype != s.dtype:
        w = cast(w, s.dtype)                    # a 0-d weight acts as a number, as in PyTorch
    for name, t in (("end", e), ("weight", w)):
        if t.dtype != s.dtype:
            raise DTypeError(f"lerp: expected dtype {s.dtype} for `{name}` but got dtype {t.dtype} (input of shape "
                             f"{tuple(s.shape)}, {name} of shape {tuple(t.shape)})")
    return Lerp.apply(s, e, w)


class Logit(Op):
    """y = log(z / (1 - z)), z = x clamped to [ε, 1 - ε]      dx = g / (x(1 - x)) inside [ε, 1 - ε], else 0"""
    def forward(self, x, eps):
        self.eps = eps
        z = x if eps is None else np.clip(x, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z))

    def backward(self, g):
        x = self.inputs[0]
        d = g / (x * (1 - x))
        if self.eps is None:                     # nan outside [0, 1], where the log's argument is negative
            outside = (x._data < 0) | (x._data > 1)
            return (where(outside, math.nan, d) if outside.any() else d,)
        return (where((x._data >= self.eps) & (x._data <= 1 - self.eps), d, 0.0),)


def logit(input: Tensor, eps: float | None = None) -> Tensor:  # noqa: A002
    """log(p / (1 - p)), the inverse of sigmoid; with eps, p is first clamped to [eps, 1 - eps], as torch.logit."""
    return Logit.apply(_floating(input), eps=eps)


class NanToNum(Op):
    """y = x with nan, inf, -inf replaced by numbers      dx = g where x is finite, else 0"""
    def forward(self, x, nan, posinf, neginf):
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        return (where(np.isfinite(self.inputs[0]._data), g, 0.0),)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None) -> Tensor:
    """nan → `nan`, inf → `posinf`, -inf → `neginf` (by default the dtype's largest and lowest finite values),
    as torch.nan_to_num; integer and bool tensors come back unchanged (a copy)."""
    x = as_tensor(input)
    if x.dtype.kind in "iub":
        return Tensor._wrap(x._data.copy())
    return NanToNum.apply(x, nan=nan, posinf=posinf, neginf=neginf)


def _special(name: str, x: np.ndarray) -> np.ndarray:
    """scipy.special's `name` (numpy has no erfc, erfinv), imported on first use, in x's dtype."""
    import scipy.special
    one_thread_scipy_blas()                 # importing scipy loads its own BLAS
    with np.errstate(all="ignore"):
        return getattr(scipy.special, name)(x).astype(x.dtype, copy=False)

"""Elementwise composites of PyTorch's math names: reciprocal, exp2, frac, deg2rad, rad2deg, clamp_min,
clamp_max, logaddexp2. Integer inputs give the default float dtype where PyTorch's do."""
from __future__ import annotations

import math

from ..ops.arithmetic import clamp, div, pow
from ..ops.rounding import trunc
from ..ops.special import logaddexp
from ..ops.unary import _floating
from ..tensor import Tensor, as_tensor


def reciprocal(input: Tensor) -> Tensor:  # noqa: A002
    """1 / x (inf at 0), in the default float dtype for integers, as torch.reciprocal."""
    x = _floating(input)
    return div(as_tensor(1.0, like=x), x)


def exp2(input: Tensor) -> Tensor:  # noqa: A002
    """2 ** x, as torch.exp2."""
    x = _floating(input)
    return pow(as_tensor(2.0, like=x), x)


def frac(input: Tensor) -> Tensor:  # noqa: A002
    """x - trunc(x): the fractional part with x's sign, as torch.frac (gradient 1; floating-point only)."""
    x = as_tensor(input)
    if x.dtype.kind != "f":
        raise NotImplementedError(f"frac: not implemented for {x.dtype} tensors (shape {tuple(x.shape)}); "
                                  "convert with .float()")
    return x - trunc(x)


def deg2rad(input: Tensor) -> Tensor:  # noqa: A002
    return _floating(input) * (math.pi / 180)


def rad2deg(input: Tensor) -> Tensor:  # noqa: A002
    return _floating(input) * (180 / math.pi)


def clamp_min(input: Tensor, min) -> Tensor:  # noqa: A002
    """max(input, min) elementwise, as torch.clamp_min (clamp(input, min=min))."""
    return clamp(input, min=min)


def clamp_max(input: Tensor, max) -> Tensor:  # noqa: A002
    """min(input, max) elementwise, as torch.clamp_max (clamp(input, max=max))."""
    return clamp(input, max=max)


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """log2(2ˣ + 2ʸ) without overflow, as torch.logaddexp2."""
    ln2 = math.log(2)
    return logaddexp(input * ln2, other * ln2) * (1 / ln2)

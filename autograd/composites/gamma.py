"""The log-gamma family as composites: lgamma, digamma, mvlgamma (torch's names; torch.special's gammaln,
psi and multigammaln). For x > 0 the argument is shifted up by 10 (Γ(x+1) = xΓ(x)) and an asymptotic series summed,
accurate to about float64's eps; x ≤ 0 goes through the reflection formulas. Their gradients, of every order,
are the engine's (digamma is lgamma's derivative up to rounding, as trigamma is digamma's)."""
from __future__ import annotations

import math

import numpy as np

from ..errors import ArgumentError
from ..ops.arithmetic import where
from ..ops.logic import isfinite
from ..ops.trig import tan
from ..ops.unary import _floating, sin
from ..ops.unary import round as round_
from ..tensor import Tensor

_SHIFT = 10
# Stirling: ln Γ(z) ≈ (z − ½) ln z − z + ½ ln 2π + Σ B₂ₖ / (2k(2k − 1) z^(2k−1))
_LGAMMA = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
# ψ(z) ≈ ln z − 1/(2z) − Σ B₂ₖ / (2k z^2k)
_DIGAMMA = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


def _lgamma_positive(x: Tensor) -> Tensor:
    z = x + _SHIFT
    inv = z.reciprocal()
    inv2, series, power = inv * inv, 0, inv
    for c in _LGAMMA:
        series = series + c * power
        power = power * inv2
    shifted = sum(((x + k).log() for k in range(1, _SHIFT)), x.log())       # ln(x(x+1)…(x+9))
    return (z - 0.5) * z.log() - z + 0.5 * math.log(2 * math.pi) + series - shifted


def _digamma_positive(x: Tensor) -> Tensor:
    z = x + _SHIFT
    inv2 = z.reciprocal().square()
    series, power = 0, inv2
    for c in _DIGAMMA:
        series = series + c * power
        power = power * inv2
    shifted = sum(((x + k).reciprocal() for k in range(1, _SHIFT)), x.reciprocal())
    return z.log() - 0.5 * z.reciprocal() - series - shifted


def _parts(x: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(x > 0, the series' argument x or 1 − x, the reflection's argument reduced to [−½, ½], the poles 0,
    −1, −2, …): every branch sees arguments where it is finite, so a masked branch sends back no nan."""
    pos = x > 0
    finite = isfinite(x)
    xp = where(finite, where(pos, x, 1 - x), 1.0)
    xs = where(pos | ~finite, 0.5, x)
    xs = xs - round_(xs)                       # sin πx and tan πx repeat every 1: exact, and near a pole exact
    data = x._data
    pole = Tensor._wrap((data <= 0) & (data == np.floor(data)))
    return pos, xp, xs, pole


def lgamma(input: Tensor) -> Tensor:  # noqa: A002
    """ln |Γ(x)|, as torch.lgamma (inf at 0, −1, −2, … and at ±inf; x < 0 by reflection:
    ln(π / |sin πx|) − ln Γ(1 − x)). Its gradient is digamma's value."""
    x = _floating(input)
    pos, xp, xs, pole = _parts(x)
    lg = _lgamma_positive(xp)
    reflected = math.log(math.pi) - sin(math.pi * xs).abs().log() - lg
    out = where(pos, lg, where(pole, math.inf, reflected))
    return where(x.abs() == math.inf, math.inf, out)


def digamma(input: Tensor) -> Tensor:  # noqa: A002
    """ψ(x) = d ln Γ(x)/dx, as torch.digamma (−inf at 0, nan at −1, −2, …; x < 0 by reflection:
    ψ(1 − x) − π / tan πx)."""
    x = _floating(input)
    pos, xp, xs, pole = _parts(x)
    dg = _digamma_positive(xp)
    reflected = dg - math.pi / tan(math.pi * xs)
    out = where(pos, dg, where(x == 0, -math.inf, where(pole, math.nan, reflected)))
    return where(x == math.inf, math.inf, where(x == -math.inf, math.nan, out))


def mvlgamma(input: Tensor, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma ln Γₚ(x) = p(p − 1)/4 · ln π + Σᵢ₌₀..ₚ₋₁ ln Γ(x − i/2), as torch.mvlgamma
    (every element must exceed (p − 1)/2)."""
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise ArgumentError(f"mvlgamma: p has to be greater than or equal to 1, got {p!r}")
    x = _floating(input)
    if x.numel() and not bool((x._data > (p - 1) / 2).all()):
        raise ArgumentError(f"mvlgamma: All elements must be greater than (p-1)/2 = {(p - 1) / 2} (input of "
                            f"shape {tuple(x.shape)}, smallest element {x._data.min()})")
    return sum((lgamma(x - i / 2) for i in range(1, p)), lgamma(x)) + p * (p - 1) / 4 * math.log(math.pi)

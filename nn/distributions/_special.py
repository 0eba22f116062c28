"""lgamma and digamma for positive arguments, as composites of Tensor ops (so their gradients, at every
order, are the engine's). autograd has neither op yet; these serve Gamma, Beta, Poisson and Binomial.
Both shift the argument up by 10 (Γ(x+1) = xΓ(x)) and then sum an asymptotic series, accurate to about
float64's eps for x > 0."""
from __future__ import annotations

import math

from autograd import Tensor

_SHIFT = 10
# Stirling: ln Γ(z) ≈ (z-½)ln z - z + ½ln 2π + Σ B_2k / (2k(2k-1) z^(2k-1))
_LGAMMA = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
# ψ(z) ≈ ln z - 1/(2z) - Σ B_2k / (2k z^2k)
_DIGAMMA = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


def _shifted_log_sum(x: Tensor) -> Tensor:
    return sum(((x + k).log() for k in range(1, _SHIFT)), x.log())


def lgamma(x: Tensor) -> Tensor:
    """ln Γ(x) for x > 0 (torch.lgamma on that range)."""
    z = x + _SHIFT
    inv, inv2 = z.reciprocal(), z.reciprocal().square()
    series, power = 0, inv
    for c in _LGAMMA:
        series = series + c * power
        power = power * inv2
    return (z - 0.5) * z.log() - z + 0.5 * math.log(2 * math.pi) + series - _shifted_log_sum(x)


def digamma(x: Tensor) -> Tensor:
    """ψ(x) = d ln Γ(x)/dx for x > 0 (torch.digamma on that range)."""
    z = x + _SHIFT
    inv2 = z.reciprocal().square()
    series, power = 0, inv2
    for c in _DIGAMMA:
        series = series + c * power
        power = power * inv2
    shift = sum(((x + k).reciprocal() for k in range(1, _SHIFT)), x.reciprocal())
    return z.log() - 0.5 * z.reciprocal() - series - shift

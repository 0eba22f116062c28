"""erf and the normal CDF Φ for float32 arrays, in numpy's vectorised arithmetic: scipy's erf computes each
float32 in double precision through a scalar loop, about ten times slower, and GELU is a large part of a
transformer's step. float64 keeps scipy's erf (gradchecks need its full accuracy). Each numpy call is one pass
over a block that stays in the CPU's cache: the count of passes sets the cost.

erf32, phi32: erf(z) = tanh(z·R(z²)), z² clamped to 4.25² (where tanh's argument passes 10: float32's tanh is
exactly ±1), R a degree-6 polynomial with R(0) = 2/√π fitted (weighted least squares, relative error) to
atanh(erf(z))/z: within 2e-7 of erf in float32 (3e-7 relative; PyTorch's float32 erf: 6e-8). tanh keeps it
odd, within ±1 and exactly ±1 in the tails.

GELU (gelu_blocks): Φ(x) = ½ + ½·tanh(x·f(w)), w = x², f(w) = p0 + p1·w + p2·w² + p3·w³ + E·(s0 + s2·w²) with
E = e^(-w/2), the Gaussian that GELU's slope Φ + x·φ needs anyway: f takes ten passes where R takes twelve and
a clamp. The coefficients minimise max |x|·2Φ(1-Φ)·max(1, |x|/2)·|f - atanh(2Φ-1)/x| (the error in Φ, and half
the error in x·Φ past |x| = 2, where x·Φ's float32 spacing is 2.4e-7 or more) over 0 < x ≤ 6.5, with x·f ≥ 10
from 6.5 to 1e5: a linear program, scripts/fit_gelu32.py. That error is under 6.2e-8 in float64. In float32,
over [-10, 10] and the tails: the slope within 2.3e-7 of float64's; x·Φ within 2.6e-7 for |x| ≤ 2, within 1.6
times its float32 spacing beyond. Past 6.5, x·f grows with |x| (to ±inf where w overflows), and tanh is
exactly ±1.
"""
from __future__ import annotations

import math

import numpy as np

from .parallel import for_ranges, recordable

_R = (1.3693214822714325e-07, -5.5771351375345085e-06, 8.704155325481872e-05, -0.0006180955365384338,
      -0.000193913629246593, 0.10277002158521435, 2 / math.sqrt(math.pi))   # z¹² ... z⁰ of R(z²)
_BOUND = 4.25
_BLOCK = 1 << 16                   # elements per block: a few float32 arrays of it fit in L2, and split over
                                   # threads, few numpy calls (each passes the GIL) per element

_R32 = tuple(np.float32(c) for c in _R)
# Φ(x) = ½ + ½·tanh(x·R'(x²)) with z = x/√2 folded in: R'(w) = R(w/2)/√2
_R_PHI = tuple(np.float32(c * 0.5 ** (len(_R) - 1 - i) / math.sqrt(2)) for i, c in enumerate(_R))
_BOUND_PHI = _BOUND * math.sqrt(2)

# GELU's f (scripts/fit_gelu32.py): p0, p1, p2, p3 of w⁰...w³, then s0, s2 of E·w⁰, E·w²
_G = (0.7927661143350859, 0.038900164547024274, -0.0005744317615820007, 6.548189018716388e-06,
      0.005117621020562618, -0.00011299451141899341)
_G32 = tuple(np.array(c, np.float32) for c in        # 0-d arrays: numpy takes them faster than scalars
             (*_G[:4], _G[5], _G[4] / _G[5], 1 / (_G[4] * math.sqrt(2 * math.pi)), -0.5, 0.5))


def _tanh_poly(xi: np.ndarray, xx: np.ndarray, w: np.ndarray, o: np.ndarray, r: tuple, bound: float) -> None:
    """o = tanh(x·R(w)), w = min(x², bound²), xx = x² (xx may be w), on one block. x itself, not x clamped,
    multiplies R: past the bound |x|·R(bound²) only grows past 10, where tanh is ±1 as at the bound."""
    np.multiply(xi, xi, out=xx)
    np.minimum(xx, bound * bound, out=w)           # NaN stays NaN
    np.multiply(w, r[0], out=o)
    for k in r[1:-1]:
        o += k
        o *= w
    o += r[-1]
    o *= xi
    np.tanh(o, out=o)


def _blocks(x: np.ndarray, r: tuple, bound: float, half: bool) -> np.ndarray:
    """tanh(x·R(min(x², bound²))) (½ + ½· that if half) of a float32 array, block by block."""
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty(flat.shape, np.float32)
    w = np.empty(min(len(flat), _BLOCK), np.float32)
    with np.errstate(over="ignore"):                # x² of |x| > 1.8e19 is inf: min(inf, bound²) is the bound
        for i in range(0, len(flat), _BLOCK):
            o = out[i:i + _BLOCK]
            _tanh_poly(flat[i:i + _BLOCK], w[:len(o)], w[:len(o)], o, r, bound)
            if half:                               # Φ = ½ + ½·tanh
                o *= 0.5
                o += 0.5
    return out.reshape(x.shape)


def gelu_blocks(x: np.ndarray, y: np.ndarray, slope: np.ndarray | None) -> None:
    """y = x·Φ(x) and, given `slope`, slope = Φ(x) + x·φ(x) (GELU's derivative, φ(x) = e^(-x²/2)/√(2π)), for
    flat float32 arrays of one length, in cache-sized blocks: each block of x is read from memory once, each
    block of y and slope written once. Any range [lo:hi] of the three arrays gives what the whole gives
    there."""
    n = min(len(x), _BLOCK)
    w, o = np.empty(n, np.float32), np.empty(n, np.float32)
    e = np.empty(n, np.float32) if slope is None else None
    mul, add = np.multiply, np.add                 # positional out=, 0-d constants: numpy's cheapest calls
    p0, p1, p2, p3, s2, s0_s2, c_s0, k, half = _G32
    with np.errstate(over="ignore", invalid="ignore"):   # x² of |x| > 1.8e19 is inf, x = ±inf: x·φ = inf·0
        for i in range(0, len(x), _BLOCK):
            xi, yi = x[i:i + _BLOCK], y[i:i + _BLOCK]
            m = len(xi)
            wi, oi = w[:m], o[:m]
            ei = e[:m] if slope is None else slope[i:i + _BLOCK]
            np.square(xi, wi)
            mul(wi, k, ei)
            np.exp(ei, ei)                         # E = e^(-w/2) (not exp2: a scalar loop without AVX-512)
            mul(ei, s2, ei)
            mul(wi, p3, oi)                        # f = ((p3·w + p2 + s2·E)·w + p1)·w + p0 + s0·E
            add(oi, p2, oi)
            add(oi, ei, oi)
            mul(oi, wi, oi)
            add(oi, p1, oi)
            mul(oi, wi, oi)
            add(oi, p0, oi)
            mul(ei, s0_s2, ei)
            add(oi, ei, oi)
            mul(oi, xi, oi)
            np.tanh(oi, yi)
            mul(yi, half, yi)                      # Φ = ½ + ½·tanh
            add(yi, half, yi)
            if slope is not None:
                mul(ei, c_s0, ei)                  # s0·E to E/√(2π) = φ
                mul(ei, xi, ei)
                add(ei, yi, ei)
            mul(yi, xi, yi)


def erf32(z: np.ndarray) -> np.ndarray:
    """erf of a float32 array, as a new C-contiguous float32 array of z's shape."""
    return _blocks(z, _R32, _BOUND, False)


def phi32(x: np.ndarray) -> np.ndarray:
    """Φ(x) = (1 + erf(x/√2))/2, the standard normal CDF, of a float32 array (a new float32 array)."""
    return _blocks(x, _R_PHI, _BOUND_PHI, True)


def gelu32(x: np.ndarray, slope: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """GELU of a float32 array and, if `slope`, its derivative Φ(x) + x·φ(x) (else None): new float32 arrays
    of x's shape, C-contiguous."""
    flat = np.ascontiguousarray(x).reshape(-1)
    y = np.empty(flat.shape, np.float32)
    d = np.empty(flat.shape, np.float32) if slope else None
    _gelu_ranges(flat, y, d)
    return y.reshape(x.shape), None if d is None else d.reshape(x.shape)


@recordable("y", "slope")
def _gelu_ranges(x: np.ndarray, y: np.ndarray, slope: np.ndarray | None) -> None:
    """gelu_blocks over ranges of the flat arrays, on the threads."""
    for_ranges(lambda lo, hi: gelu_blocks(x[lo:hi], y[lo:hi], None if slope is None else slope[lo:hi]),
               len(x), len(x) * 8)

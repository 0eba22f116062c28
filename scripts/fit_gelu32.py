"""Fit the coefficients of autograd/erf32.py's GELU: Φ(x) = ½ + ½·tanh(x·f(x²)), f(w) = p0 + p1·w + p2·w² +
p3·w³ + e^(-w/2)·(s0 + s2·w²), as a linear program (scipy's HiGHS): minimise the largest |x|·2Φ(1-Φ)·max(1,
|x|/2)·|f - atanh(2Φ-1)/x| (the error it makes in Φ; half that in x·Φ past |x| = 2) over 0 < x ≤ 6.5, with x·f
≥ 10 from 6.5 to 1e5 (tanh is exactly ±1 there in float32, and f's cubic keeps growing).

    python scripts/fit_gelu32.py        # prints the six coefficients and the weighted error
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.special import erfc, ndtr


def basis(x: np.ndarray) -> np.ndarray:
    w = x * x
    e = np.exp(-w / 2)
    return np.stack([w ** 0, w, w ** 2, w ** 3, e, e * w * w], 1)


def fit() -> tuple[np.ndarray, float]:
    x = np.linspace(1e-3, 6.5, 6000)
    z = x / np.sqrt(2)
    target = 0.5 * np.log((2 - erfc(z)) / erfc(z)) / x          # atanh(erf(z))/x without erf's rounding to 1
    phi = ndtr(x)
    weight = 2 * phi * (1 - phi) * x * np.maximum(1, x / 2) * 1e6  # scaled: HiGHS's tolerances are absolute
    b = basis(x)
    scale = np.abs(b).max(0)
    b = b / scale
    tail_x = np.geomspace(6.5, 1e5, 300)
    tail = basis(tail_x) / scale
    norm = np.abs(tail).max(1, keepdims=True)
    n, k = b.shape
    a_ub = np.vstack([np.hstack([weight[:, None] * b, -np.ones((n, 1))]),      # ±weight·(f - target) <= t
                      np.hstack([-weight[:, None] * b, -np.ones((n, 1))]),
                      np.hstack([-tail / norm, np.zeros((len(tail_x), 1))])])  # f >= 10/x in the tail
    b_ub = np.concatenate([weight * target, -weight * target, -(10 / tail_x) / norm[:, 0]])
    res = linprog(np.r_[np.zeros(k), 1.0], A_ub=a_ub, b_ub=b_ub, bounds=[(None, None)] * k + [(0, None)],
                  method="highs", options={"primal_feasibility_tolerance": 1e-10,
                                           "dual_feasibility_tolerance": 1e-10})
    return res.x[:k] / scale, res.x[k] / 1e6


if __name__ == "__main__":
    coef, err = fit()
    print("p0, p1, p2, p3, s0, s2 =", ", ".join(repr(float(c)) for c in coef))
    print(f"largest weighted error: {err:.3g}")

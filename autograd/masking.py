"""Masking on arrays: g where a mask holds, else 0, without inf·0 = nan. What a plain backward of relu,
maximum/minimum and max-pooling's scatter computes (autograd/kernels/, ops/pool.py)."""
from __future__ import annotations

import numpy as np


def masked(g: np.ndarray, keep: np.ndarray, out: np.ndarray | None = None,
           finite: bool | None = None) -> np.ndarray:
    """g where `keep`, else 0: the plain backward of a masking op (relu, max_pool2d's scatter, _selected). One
    multiply by the bool mask (or by float weights, 0 dropping); but an inf or nan gradient at a dropped position
    would give inf·0 = nan where PyTorch gives 0, so one reduction first tells whether g is finite (the usual case;
    `finite` if the caller knows) and np.where takes the rare other one."""
    if finite if finite is not None else all_finite(g):
        return np.multiply(g, keep, out=out)
    r = np.where(keep, g, 0).astype(g.dtype, copy=False)
    if keep.dtype != np.bool_:
        r *= keep                             # the weights; r is 0 where they are, so no inf·0
    if out is None:
        return r
    out[...] = r
    return out


def all_finite(a: np.ndarray) -> bool:
    """No inf or nan in `a`. isfinite().all(), not a sum: a sum overflows or warns on inf - inf, and is
    slower."""
    return bool(np.isfinite(a).all())

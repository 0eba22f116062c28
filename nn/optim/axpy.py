"""y += a·x in place and in one pass over memory: the BLAS routine axpy, through scipy's wrapper.

numpy has no fused multiply-add: `p -= lr * g` writes a temporary the size of p, then reads it back. On a small
model that second pass is much of the optimizer step (see benchmarks W1s and W4).

scipy is imported on first use, not with nn (its linear algebra takes ~0.25 s to import). Arrays BLAS cannot
take as they are (float16, different memory orders, non-contiguous views) get numpy's two passes instead."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd.threads import one_thread_scipy_blas

_routines: dict[str, Callable] = {}               # dtype char 'f' / 'd' -> scipy's saxpy / daxpy


def axpy(a: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """y += a * x, in place; returns y. x must have y's shape."""
    if (x.dtype == y.dtype and x.dtype.char in "fd" and x.strides == y.strides and x.shape == y.shape and y.size
            and (y.flags.c_contiguous or y.flags.f_contiguous) and y.flags.writeable):
        f = _routines.get(y.dtype.char) or blas_routine(y.dtype)
        f(x.ravel(order="K"), y.ravel(order="K"), a=a)   # same strides, contiguous: both views walk one order
        return y
    y += a * x
    return y


def blas_routine(dtype: np.dtype) -> Callable:
    """scipy's axpy for float32 or float64, loaded once (also by benchmarks, before they limit BLAS threads)."""
    from scipy.linalg.blas import get_blas_funcs
    one_thread_scipy_blas()
    f = _routines[dtype.char] = get_blas_funcs("axpy", dtype=dtype)
    return f

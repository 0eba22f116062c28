"""PyTorch-style repr: `tensor([1., 2.], requires_grad=True)`, so printed output reads like the lessons'."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .dtypes import get_default_dtype

if TYPE_CHECKING:
    from .tensor import Tensor


def _float_formatter(a: np.ndarray):
    finite = a[np.isfinite(a)].astype(np.float64)   # float16 would overflow at 1e8
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        fmt = lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)   # noqa: E731  whole numbers: "1."
    else:
        big = finite.size and (np.abs(finite).max() >= 1e8 or 0 < np.abs(finite[finite != 0]).min() < 1e-4)
        fmt = (lambda v: f"{v:.4e}") if big else (lambda v: f"{v:.4f}")
    width = max((len(fmt(v)) for v in finite.flat), default=0)   # nan/inf do not widen columns (as torch)
    return lambda v: fmt(v).rjust(width)


def tensor_repr(t: Tensor) -> str:
    a = t._data
    prefix = "tensor("
    if a.dtype.kind == "f" and a.size:
        body = np.array2string(a, separator=", ", prefix=prefix, formatter={"float_kind": _float_formatter(a)},
                               threshold=1000, edgeitems=3)
    else:
        body = np.array2string(a, separator=", ", prefix=prefix, threshold=1000, edgeitems=3)
    extras = []
    if a.size == 0 and a.ndim != 1:
        extras.append(f"size={a.shape}")
    if a.dtype != get_default_dtype() and a.dtype != np.int64 and a.dtype != np.bool_:
        extras.append(f"dtype={a.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn={t.grad_fn!r}")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return prefix + body + "".join(", " + e for e in extras) + ")"

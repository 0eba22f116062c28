"""torch.linalg on the engine's ops (so they are differentiable): the norms `vector_norm`, `matrix_norm`
(Frobenius and the 1/inf norms; the spectral and nuclear ones need an SVD chainrule does not have), `norm`;
`inv det slogdet solve matrix_power cholesky multi_dot` and `LinAlgError`."""
from __future__ import annotations

import math
from typing import Any

from autograd import Tensor, as_tensor
from autograd.errors import LinAlgError
from autograd.ops import cholesky as _cholesky
from autograd.ops import det, inv, matrix_power, multi_dot, slogdet, solve, vector_norm

from ._missing import missing as _missing

__all__ = ["LinAlgError", "cholesky", "det", "inv", "matrix_norm", "matrix_power", "multi_dot", "norm", "slogdet",
           "solve", "vector_norm"]


def cholesky(A: Any, *, upper: bool = False) -> Tensor:  # noqa: N803
    """L with A = L Lᵀ (U = Lᵀ with upper=True), as torch.linalg.cholesky (upper is keyword-only here)."""
    return _cholesky(A, upper)


def matrix_norm(A: Any, ord: Any = "fro", dim: tuple[int, int] = (-2, -1),  # noqa: N803
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The norm of each matrix over the two dims `dim`: 'fro' (√Σ|a|²), 1 / -1 (largest / smallest column
    sum of |a|), inf / -inf (largest / smallest row sum), as torch.linalg.matrix_norm."""
    A = as_tensor(A) if dtype is None else as_tensor(A).to(dtype)  # noqa: N806
    if A.ndim < 2:
        raise ValueError(f"linalg.matrix_norm: needs a tensor with at least 2 dims, got shape "
                         f"{tuple(A.shape)}")
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        d0, d1 = (d % A.ndim for d in dim)
        summed, over = (d0, d1) if ord in (1, -1) else (d1, d0)   # 1: sum down the columns, then the best one
        sums = A.abs().sum(summed, keepdim=True)
        out = sums.amax(over, keepdim=True) if ord > 0 else sums.amin(over, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1))
    raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs singular values; chainrule has no SVD "
                              "(it has ord='fro', 1, -1, inf and -inf)")


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: N803
         dtype: Any = None) -> Tensor:
    """torch.linalg.norm: the 2-norm of all elements when ord and dim are None; else a vector norm (an int
    dim, or a 1-d input) or a matrix norm (two dims, or a 2-d input)."""
    A = as_tensor(A)  # noqa: N806
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None and A.ndim not in (1, 2):
        raise ValueError(f"linalg.norm: with ord={ord!r}, the input must be 1-d or 2-d, or dim given; got "
                         f"shape {tuple(A.shape)}")
    two = (dim is None and A.ndim == 2) or (dim is not None and not isinstance(dim, int) and len(dim) == 2)
    if two:
        return matrix_norm(A, ord, (-2, -1) if dim is None else tuple(dim), keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


__getattr__ = _missing("torch.linalg", globals())

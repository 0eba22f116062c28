"""torch.linalg on the engine's ops (so they are differentiable): the norms `vector_norm`, `matrix_norm`, `norm`;
`inv det slogdet solve matrix_power cholesky multi_dot`; the decompositions `eigh svd qr` and what is
built on them (`eigvalsh svdvals pinv matrix_rank lstsq solve_triangular cond`); `vecdot vander cross diagonal
matmul`; `LinAlgError`. Eigenvectors and singular vectors are LAPACK's, as PyTorch's: each up to sign."""
from __future__ import annotations

import math
from typing import Any

from autograd import Tensor, as_tensor
from autograd.errors import LinAlgError
from autograd.ops import cholesky as _cholesky
from autograd.ops import (
    cond,
    det,
    eigvalsh,
    inv,
    lstsq,
    matmul,
    matrix_power,
    matrix_rank,
    multi_dot,
    pinv,
    slogdet,
    solve,
    solve_triangular,
    svdvals,
    vecdot,
    vector_norm,
)
from autograd.ops import cross as _cross
from autograd.ops import diagonal as _diagonal
from autograd.ops import linalg_eigh as eigh
from autograd.ops import linalg_qr as qr
from autograd.ops import linalg_svd as svd
from autograd.ops import vander as _vander

from ._missing import missing as _missing

__all__ = ["LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "lstsq", "matmul",
           "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet",
           "solve", "solve_triangular", "svd", "svdvals", "vander", "vecdot", "vector_norm"]


def cholesky(A: Any, *, upper: bool = False) -> Tensor:  # noqa: N803
    """L with A = L Lᵀ (U = Lᵀ with upper=True), as torch.linalg.cholesky (upper is keyword-only here)."""
    return _cholesky(A, upper)


def cross(input: Any, other: Any, *, dim: int = -1) -> Tensor:  # noqa: A002
    """The cross product of the 3-vectors along dim (default the last), the two broadcast, as torch.linalg.cross."""
    a, b = as_tensor(input), as_tensor(other)
    n = max(a.ndim, b.ndim)
    return _cross(a.reshape((1,) * (n - a.ndim) + a.shape), b.reshape((1,) * (n - b.ndim) + b.shape), dim)


def diagonal(A: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    """The diagonals of a batch of matrices (the last two dims by default), as torch.linalg.diagonal."""
    return _diagonal(as_tensor(A), offset, dim1, dim2)


def vander(x: Any, *, N: int | None = None) -> Tensor:  # noqa: N803
    """The Vandermonde matrices of x (…, n): (…, n, N), column j is x^j (increasing, unlike torch.vander)."""
    v = as_tensor(x)
    if (v.shape[-1] if N is None and v.ndim else N if N is not None else 0) <= 1:
        raise RuntimeError(f"linalg.vander: N must be greater than 1 (x of shape {tuple(v.shape)}, N={N})")
    return _vander(v, N, increasing=True)


def matrix_norm(A: Any, ord: Any = "fro", dim: tuple[int, int] = (-2, -1),  # noqa: N803
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The norm of each matrix over the two dims `dim`: 'fro' (√Σ|a|²), 'nuc' (Σσ), 2 / -2 (largest / smallest
    singular value), 1 / -1 (largest / smallest column sum of |a|), inf / -inf (largest / smallest row sum), as
    torch.linalg.matrix_norm."""
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
    if ord in ("nuc", 2, -2):
        d0, d1 = (d % A.ndim for d in dim)
        S = svdvals(A.movedim((d0, d1), (-2, -1)))  # noqa: N806
        out = S.sum(-1) if ord == "nuc" else S.amax(-1) if ord == 2 else S.amin(-1)
        return out.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1)) if keepdim else out
    raise RuntimeError(f"linalg.matrix_norm: Order {ord!r} not supported (it takes 'fro', 'nuc', 2, -2, 1, -1, "
                     "inf and -inf)")


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

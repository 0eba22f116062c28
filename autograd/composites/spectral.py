"""Linear algebra built on the spectral primitives (ops/spectral.py): torch.svd, torch.qr and torch.pinverse
(PyTorch's older spellings), vander; and torch.linalg's eigvalsh, svdvals, pinv, matrix_rank, lstsq,
solve_triangular, cond, vecdot (chainrule.linalg's only: ops.NOT_TOP_LEVEL). Their gradients of every order
come from eigh, svd, inverse and matmul."""
from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ..errors import ArgumentError, ShapeError
from ..ops.arithmetic import where
from ..ops.decompositions import _square, inverse
from ..ops.linalg import matmul, vector_norm
from ..ops.spectral import _float, linalg_eigh, linalg_qr, linalg_svd
from ..tensor import Tensor, as_tensor, pair
from .shape import stack

svd_result = namedtuple("svd", ["U", "S", "V"])                        # torch.return_types.svd
qr_result = namedtuple("qr", ["Q", "R"])
lstsq_result = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> svd_result:  # noqa: A002
    """(U, S, V) with input = U diag(S) Vᵀ: V, not linalg.svd's Vh; some=False gives the full U and V;
    compute_uv=False gives zero-filled U (m, m) and V (n, n), as torch.svd."""
    a = _float("svd", input)
    if not compute_uv:
        S = svdvals(a)  # noqa: N806
        m, n = a.shape[-2:]
        zeros = (Tensor._wrap(np.zeros(a.shape[:-2] + (k, k), a._data.dtype)) for k in (m, n))
        return svd_result(next(zeros), S, next(zeros))
    U, S, Vh = linalg_svd(a, full_matrices=not some)  # noqa: N806
    return svd_result(U, S, Vh.transpose(-2, -1))


def qr(input: Tensor, some: bool = True) -> qr_result:  # noqa: A002
    """(Q, R): linalg.qr with mode 'reduced' (some=True) or 'complete', as torch.qr."""
    return qr_result(*linalg_qr(input, "reduced" if some else "complete"))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues of a symmetric matrix, ascending (linalg.eigh's first half)."""
    return linalg_eigh(A, UPLO).eigenvalues


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:  # noqa: N803
    """The singular values, descending (linalg.svd's S; the gradient U diag(g) Vh needs no vectors' gaps)."""
    return linalg_svd(A, full_matrices=False, driver=driver).S


def _tolerance(S: Tensor, size: int, atol, rtol, absolute: bool = False) -> Tensor:  # noqa: N803
    """PyTorch's cut-off max(atol, rtol · σ_max), (…, 1): rtol defaults to eps · max(m, n), or to 0 when
    atol > 0 is given. Ops, not arrays, so a compiled function recomputes it."""
    if rtol is None:
        given = atol is not None and bool(np.all(as_tensor(atol)._data > 0))
        rtol = 0.0 if given else float(np.finfo(S._data.dtype).eps * size)
    s = (S.abs() if absolute else S).detach()
    biggest = s.amax(-1, keepdim=True) if s.shape[-1] else s.sum(-1, keepdim=True)
    tol = biggest * (as_tensor(rtol, like=S).unsqueeze(-1) if isinstance(rtol, Tensor) else rtol)
    if atol is None:
        return tol
    a = as_tensor(atol, like=S)
    return where(tol > (a.unsqueeze(-1) if a.ndim else a), tol, a.unsqueeze(-1) if a.ndim else a)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:  # noqa: N803
    """The Moore-Penrose pseudo-inverse V diag(1/σ) Uᵀ over the singular values above max(atol, rtol · σ_max)
    (hermitian=True: through eigh, |λ| for σ), as torch.linalg.pinv."""
    a = _float("linalg.pinv", A)
    m, n = a.shape[-2:]
    if hermitian:
        lam, Q = linalg_eigh(_square("linalg.pinv", a))  # noqa: N806
        keep = lam.abs() > _tolerance(lam, max(m, n), atol, rtol, absolute=True)
        inv_lam = where(keep, 1 / where(keep, lam, 1.0), 0.0)
        return matmul(Q * inv_lam.unsqueeze(-2), Q.transpose(-2, -1))
    U, S, Vh = linalg_svd(a, full_matrices=False)  # noqa: N806
    keep = S > _tolerance(S, max(m, n), atol, rtol)
    inv_s = where(keep, 1 / where(keep, S, 1.0), 0.0)
    return matmul(Vh.transpose(-2, -1) * inv_s.unsqueeze(-2), U.transpose(-2, -1))


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """torch.pinverse: linalg.pinv with rtol=rcond."""
    return pinv(input, rtol=rcond)


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, tol=None) -> Tensor:  # noqa: N803
    """The number of singular values (|eigenvalues| when hermitian) above max(atol, rtol · σ_max), int64, as
    torch.linalg.matrix_rank (tol= is its older name for atol)."""
    a = _float("linalg.matrix_rank", A).detach()
    atol = tol if tol is not None else atol
    S = linalg_eigh(_square("linalg.matrix_rank", a))[0].abs() if hermitian else svdvals(a)  # noqa: N806
    keep = S > _tolerance(S, max(a.shape[-2:]), atol, rtol, absolute=hermitian)
    return keep.sum(-1)


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> lstsq_result:  # noqa: N803
    """X minimising ‖A X - B‖ (the least-norm one when A is rank-deficient), as torch.linalg.lstsq on CPU: the
    fields each driver fills (default 'gelsy': solution and rank; 'gelsd'/'gelss' add residuals and
    singular_values; 'gels': solution and residuals), the others empty. The solution is pinv(A) B."""
    a, b = _float("linalg.lstsq", A), as_tensor(B)
    driver = "gelsy" if driver is None else driver
    if driver not in LSTSQ_DRIVERS:
        raise ArgumentError(f"torch.linalg.lstsq: parameter `driver` should be one of {LSTSQ_DRIVERS}, got "
                            f"{driver!r}")
    if b.dtype != a.dtype:
        raise ArgumentError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                            f"{a.dtype} and {b.dtype}")
    vector = b.ndim == a.ndim - 1
    bm = b.unsqueeze(-1) if vector else b
    if bm.ndim < 2 or bm.shape[-2] != a.shape[-2]:
        raise ShapeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2): A has shape "
                         f"{tuple(a.shape)}, B has shape {tuple(b.shape)}")
    m, n = a.shape[-2:]
    eps = np.finfo(a._data.dtype).eps * max(m, n)
    rtol = eps if rcond is None or rcond < 0 else rcond
    X = matmul(pinv(a, rtol=rtol), bm)  # noqa: N806
    batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    empty = Tensor._wrap(np.empty((0,), a._data.dtype))
    rank = matrix_rank(a, rtol=rtol) if driver != "gels" else Tensor._wrap(np.empty((0,), np.int64))
    full = driver == "gels" or bool(np.all(rank._data == n))
    residuals = empty
    if driver != "gelsy" and m > n and full:
        residuals = ((matmul(a, X) - bm) ** 2).sum(-2)              # a vector B keeps its (…, 1), as PyTorch
    if rank.ndim:
        rank = Tensor._wrap(np.broadcast_to(rank._data, batch).copy()) if driver != "gels" else rank
    values = svdvals(a.detach()) if driver in ("gelsd", "gelss") else empty
    return lstsq_result(X.squeeze(-1) if vector else X, residuals, rank, values)


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,  # noqa: N803
                     unitriangular: bool = False) -> Tensor:
    """X with A X = B (left=True) or X A = B, reading only A's upper or lower triangle (its diagonal taken as
    ones when unitriangular), as torch.linalg.solve_triangular; differentiable through inverse."""
    a, b = pair(A, B)
    _square("linalg.solve_triangular", a)
    if b.ndim < 2:
        raise ShapeError(f"linalg.solve_triangular: B must be a matrix (or a batch of them), got shape "
                         f"{tuple(b.shape)}")
    n = a.shape[-1]
    if b.shape[-2 if left else -1] != n:
        raise ShapeError(f"linalg.solve_triangular: A of shape {tuple(a.shape)} and B of shape {tuple(b.shape)} "
                         f"do not fit ({'B' if left else 'B transposed'} needs {n} rows)")
    t = a.triu(1 if unitriangular else 0) if upper else a.tril(-1 if unitriangular else 0)
    if unitriangular:
        t = t + Tensor._wrap(np.eye(n, dtype=a._data.dtype))
    return matmul(inverse(t), b) if left else matmul(b, inverse(t))


def cond(A: Tensor, p=None) -> Tensor:  # noqa: N803
    """The condition number ‖A‖ₚ ‖A⁻¹‖ₚ; p = None or 2: σ_max / σ_min (any shape), -2: σ_min / σ_max, as
    torch.linalg.cond."""
    a = _float("linalg.cond", A)
    if p in (None, 2, -2):
        S = svdvals(a)  # noqa: N806
        big, small = S[..., 0], S[..., -1]
        return big / small if p in (None, 2) else small / big
    if a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.cond: A must be a batch of square matrices for p={p!r}, got shape "
                         f"{tuple(a.shape)}")
    return _matrix_norm(a, p) * _matrix_norm(inverse(a), p)


def _matrix_norm(a: Tensor, p) -> Tensor:
    if p == "fro":
        return vector_norm(a, 2, (-2, -1))
    if p == "nuc":
        return svdvals(a).sum(-1)
    if p in (1, -1, math.inf, -math.inf):
        sums = a.abs().sum(-2 if p in (1, -1) else -1)
        return sums.amax(-1) if p > 0 else sums.amin(-1)
    raise ArgumentError(f"linalg.cond: got an invalid norm type {p!r}")


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """Σ x·y along dim, the two broadcast, as torch.linalg.vecdot (real: no conjugation)."""
    a, b = pair(x, y)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"linalg.vecdot: x {tuple(a.shape)} and y {tuple(b.shape)} do not broadcast") from None
    if not -len(shape) <= dim < len(shape):
        raise IndexError(f"linalg.vecdot: dim {dim} is out of range for shape {shape}")
    return (a * b).sum(dim)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of a 1-d x: column j is x^(N-1-j), or x^j when increasing, as torch.vander
    (chainrule.linalg.vander: increasing, any batch). A running product, as PyTorch: x⁰ = 1 exactly."""
    v = as_tensor(x)
    if v.ndim < 1:
        raise ShapeError(f"vander: x must have at least 1 dim, got shape {tuple(v.shape)}")
    n = v.shape[-1] if N is None else N
    if n < 0:
        raise ArgumentError(f"vander: N must be non-negative, got {n}")
    cols = [Tensor._wrap(np.ones(v.shape, v._data.dtype))][:n]
    for _ in range(n - 1):
        cols.append(cols[-1] * v)
    out = stack(cols, -1) if cols else Tensor._wrap(np.ones(v.shape + (0,), v._data.dtype))
    return out if increasing else out.flip(-1)


def _nuclear_norm(x: Tensor, dim, keepdim: bool) -> Tensor:
    """Σσ of the matrices over the two dims `dim` (a 2-d x's when None): torch.norm(x, 'nuc')."""
    dims = (-2, -1) if dim is None and x.ndim == 2 else tuple(dim) if dim is not None else ()
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dims if dim is not None else ''} "
                           f"(input shape {tuple(x.shape)})")
    d0, d1 = (d % x.ndim for d in dims)
    out = svdvals(x.movedim((d0, d1), (-2, -1))).sum(-1)
    return out.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1)) if keepdim else out

"""The spectral decompositions as primitives, on numpy.linalg (LAPACK, batched over leading dims): eigh, svd, qr
(named linalg_*: torch.svd and torch.qr, composites/spectral.py, are PyTorch's older spellings).
An Op has one output, so each packs its factors into one array along the last dim (`_pack`) and the public
function unpacks them with differentiable slices; backward unpacks the gradient the same way. The formulas are
PyTorch's (FunctionsManual.cpp), written with matmul and these ops so that gradients of gradients work.
Eigenvectors and singular vectors are LAPACK's, as PyTorch's are: each column is defined only up to sign."""
from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ..errors import ArgumentError, DTypeError, LinAlgError, ShapeError
from ..op import Op
from ..tensor import Tensor, as_tensor
from .linalg import matmul
from .shape import cat

eigh_result = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])     # torch.return_types.linalg_eigh
svd_result = namedtuple("linalg_svd", ["U", "S", "Vh"])
qr_result = namedtuple("linalg_qr", ["Q", "R"])


def _pack(batch: tuple[int, ...], *arrays: np.ndarray) -> np.ndarray:
    """The factors flattened over their own dims (after `batch`) and joined along the last dim: one array."""
    return np.concatenate([a.reshape(batch + (-1,)) for a in arrays], axis=-1)


def _unpack(t: Tensor, shapes: list[tuple[int, ...]]) -> list[Tensor]:
    """The factors back from a packed tensor (or its gradient): slices and reshapes, so differentiable."""
    out, at = [], 0
    for s in shapes:
        n = math.prod(s)
        out.append(t[..., at:at + n].reshape(*t.shape[:-1], *s))
        at += n
    return out


def _mT(t: Tensor) -> Tensor:  # noqa: N802
    return t.transpose(-2, -1)


def _eye(n: int, like: Tensor) -> Tensor:
    return Tensor._wrap(np.eye(n, dtype=like._data.dtype))


def _float(what: str, A, square: bool = False) -> Tensor:  # noqa: N803
    a = as_tensor(A)
    if a.dtype.kind != "f":
        raise DTypeError(f"{what}: expected a floating point tensor as input, got {a.dtype}")
    if a.ndim < 2 or (square and a.shape[-1] != a.shape[-2]):
        kind = "a square matrix or a batch of them (shape (*, n, n))" if square else "a matrix (shape (*, m, n))"
        raise ShapeError(f"{what}: A must be {kind}, got shape {tuple(a.shape)}")
    return a


class Eigh(Op):
    """A = Q diag(λ) Qᵀ      dA = Q (diag(gλ) + skew(Qᵀ gQ) / (λⱼ - λᵢ)) Qᵀ   (degenerate λ: inf/nan, as PyTorch)"""
    def forward(self, a, uplo):
        try:
            w, v = np.linalg.eigh(a, UPLO=uplo)
        except np.linalg.LinAlgError:
            raise LinAlgError(f"linalg.eigh: the algorithm failed to converge (input shape {a.shape})") from None
        self.n = a.shape[-1]
        return _pack(a.shape[:-2], w, v)

    def backward(self, g):
        n = self.n
        lam, Q = _unpack(self.out, [(n,), (n, n)])  # noqa: N806
        g_lam, gQ = _unpack(g, [(n,), (n, n)])  # noqa: N806
        inner = g_lam.unsqueeze(-1) * _eye(n, g)
        if np.any(gQ._data):           # eigenvalues alone: PyTorch skips this term, so degenerate λ stay finite
            x = matmul(_mT(Q), gQ)
            gap = lam.unsqueeze(-2) - lam.unsqueeze(-1) + _eye(n, g)      # [i, j] = λⱼ - λᵢ; 1 on the diagonal
            inner = inner + 0.5 * (x - _mT(x)) / gap
        return (matmul(matmul(Q, inner), _mT(Q)),)


def linalg_eigh(A: Tensor, UPLO: str = "L") -> eigh_result:  # noqa: N803
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric matrix, reading only its lower (UPLO='L')
    or upper ('U') triangle, as torch.linalg.eigh. Each eigenvector's sign is LAPACK's choice."""
    a = _float("linalg.eigh", A, square=True)
    if UPLO not in ("L", "U"):
        raise ArgumentError(f"linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    n = a.shape[-1]
    lam, Q = _unpack(Eigh.apply(a, uplo=UPLO), [(n,), (n, n)])  # noqa: N806
    return eigh_result(lam, Q)


class Svd(Op):
    """A = U diag(S) Vh      dA = U [(skew(Uᵀ gU) S + S skew(Vh gVhᵀ)) / (Sⱼ² - Sᵢ²) + diag(gS)] Vh + the parts
    outside the spans ((I - UUᵀ) gU S⁻¹ Vh when m > n, U S⁻¹ gVh (I - VhᵀVh) when m < n); full_matrices: the
    first min(m, n) vectors' gradients only, as PyTorch"""
    def forward(self, a, full_matrices):
        try:
            u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        except np.linalg.LinAlgError:
            raise LinAlgError(f"linalg.svd: the algorithm failed to converge (input shape {a.shape})") from None
        self.shapes = [u.shape[-2:], s.shape[-1:], vh.shape[-2:]]
        return _pack(a.shape[:-2], u, s, vh)

    def backward(self, g):
        (m, p), (k,), (q, n) = self.shapes
        U, S, Vh = _unpack(self.out, self.shapes)  # noqa: N806
        gU, gS, gVh = _unpack(g, self.shapes)  # noqa: N806
        if p != k:
            U, gU = U[..., :k], gU[..., :k]  # noqa: N806
        if q != k:
            Vh, gVh = Vh[..., :k, :], gVh[..., :k, :]  # noqa: N806
        has_u, has_v = bool(np.any(gU._data)), bool(np.any(gVh._data))
        if not has_u and not has_v:                      # singular values alone: U diag(gS) Vh
            return (matmul(U * gS.unsqueeze(-2), Vh),)
        s2 = S * S
        gap = s2.unsqueeze(-2) - s2.unsqueeze(-1) + _eye(k, g)           # [i, j] = Sⱼ² - Sᵢ²
        inner = gS.unsqueeze(-1) * _eye(k, g)
        if has_u:
            x = matmul(_mT(U), gU)
            inner = inner + (x - _mT(x)) * S.unsqueeze(-2) / gap
        if has_v:
            y = matmul(Vh, _mT(gVh))
            inner = inner + S.unsqueeze(-1) * (y - _mT(y)) / gap
        if m > n and has_u:
            gus = gU / S.unsqueeze(-2)
            return (matmul(matmul(U, inner) + gus - matmul(U, matmul(_mT(U), gus)), Vh),)
        if m < n and has_v:
            sgv = gVh / S.unsqueeze(-1)
            return (matmul(U, matmul(inner, Vh) + sgv - matmul(matmul(sgv, _mT(Vh)), Vh)),)
        return (matmul(matmul(U, inner), Vh),)


def linalg_svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None) -> svd_result:  # noqa: N803
    """(U, S, Vh) with A = U diag(S) Vh, S descending, as torch.linalg.svd (full_matrices=True: U is (m, m) and
    Vh (n, n)). Each pair of singular vectors' sign is LAPACK's choice."""
    a = _float("linalg.svd", A)
    if driver is not None:
        raise ArgumentError(f"linalg.svd: driver= is for CUDA inputs only, got {driver!r}")
    m, n = a.shape[-2:]
    k = min(m, n)
    shapes = [(m, m if full_matrices else k), (k,), (n if full_matrices else k, n)]
    U, S, Vh = _unpack(Svd.apply(a, full_matrices=bool(full_matrices)), shapes)  # noqa: N806
    return svd_result(U, S, Vh)


class Qr(Op):
    """A = Q R      dA = [gQ + Q copyutl(gR Rᵀ - Qᵀ gQ)] R⁻ᵀ (m ≥ n; copyutl: the upper half mirrored, the
    diagonal kept); m < n: A = [X | Y] with X = Q U square, and R = [U | Qᵀ Y]"""
    def forward(self, a, mode):
        self.mode = mode
        q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
        self.shapes = [q.shape[-2:], r.shape[-2:]]
        return _pack(a.shape[:-2], q, r)

    def backward(self, g):
        Q, R = _unpack(self.out, self.shapes)  # noqa: N806
        gQ, gR = _unpack(g, self.shapes)  # noqa: N806
        (m, _), (_, n) = self.shapes
        if self.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                               "through linalg.qr.")
        if self.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if m >= n:
            return (_qr_tall(Q, R, gQ, gR),)
        Y = self.inputs[0][..., m:]  # noqa: N806
        gU, gV = gR[..., :m], gR[..., m:]  # noqa: N806
        gX = _qr_tall(Q, R[..., :m], gQ + matmul(Y, _mT(gV)), gU)  # noqa: N806
        return (cat([gX, matmul(Q, gV)], -1),)


def _qr_tall(Q: Tensor, R: Tensor, gQ: Tensor, gR: Tensor) -> Tensor:  # noqa: N803
    """QR's gradient for m ≥ n: [gQ + Q copyutl(M)] R⁻ᵀ with M = gR Rᵀ - Qᵀ gQ."""
    M = matmul(gR, _mT(R)) - matmul(_mT(Q), gQ)  # noqa: N806
    upper = M.triu(1)
    sym = upper + _mT(upper) + M.diagonal(0, -2, -1).unsqueeze(-1) * _eye(M.shape[-1], M)
    b = gQ + matmul(Q, sym)
    return _mT(_triangular_solve_upper(R, _mT(b)))


def _triangular_solve_upper(R: Tensor, B: Tensor) -> Tensor:  # noqa: N803
    """X with R X = B for an upper-triangular R, through the inverse op (so differentiable to every order)."""
    from .decompositions import Inverse
    return matmul(Inverse.apply(R), B)


def linalg_qr(A: Tensor, mode: str = "reduced") -> qr_result:  # noqa: N803
    """(Q, R) with A = Q R, Q orthonormal columns and R upper-triangular, as torch.linalg.qr: mode 'reduced'
    (Q (m, k), R (k, n), k = min(m, n)), 'complete' (Q (m, m), R (m, n)) or 'r' (R only; Q is empty)."""
    a = _float("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise ArgumentError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                            "'r', or 'complete'")
    m, n = a.shape[-2:]
    k = m if mode == "complete" else min(m, n)
    Q, R = _unpack(Qr.apply(a, mode=mode), [(m, k), (k, n)])  # noqa: N806
    if mode == "r":
        Q = Tensor._wrap(np.empty((0,), a._data.dtype))  # noqa: N806
    return qr_result(Q, R)


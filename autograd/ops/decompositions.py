"""Primitives of the matrix decompositions, on numpy.linalg over the last two dims (batched): inverse, det,
log|det| (slogdet's differentiable half), cholesky and eigh. Each backward is the standard formula written with
these same ops and matmul, so gradients of gradients work; composites/matrices.py builds the rest on them."""
from __future__ import annotations

import numpy as np

from ..errors import DTypeError, LinAlgError, ShapeError
from ..op import Op
from ..tensor import Tensor, as_tensor
from .linalg import matmul


def _square(what: str, A) -> Tensor:  # noqa: N803
    """A as a float tensor of (batches of) square matrices, or the error PyTorch raises."""
    a = as_tensor(A)
    if a.dtype.kind != "f":
        raise DTypeError(f"{what}: expected a floating point tensor as input, got {a.dtype}")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{what}: A must be a square matrix or a batch of them (shape (*, n, n)), got shape "
                         f"{tuple(a.shape)}")
    return a


def _mT(t: Tensor) -> Tensor:  # noqa: N802
    return t.transpose(-2, -1)


class Inverse(Op):
    """Y = A⁻¹      dA = -Yᵀ g Yᵀ"""
    def forward(self, a):
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise LinAlgError(f"linalg.inv: the input (shape {a.shape}) is singular: it has no inverse") from None

    def backward(self, g):
        y = _mT(self.out)
        return (-matmul(matmul(y, g), y),)


def inverse(input: Tensor) -> Tensor:  # noqa: A002
    """The inverse of a square matrix (or of each in a batch); a singular one raises LinAlgError."""
    return Inverse.apply(_square("inverse", input))


class Det(Op):
    """y = det(A)      dA = g · y · A⁻ᵀ   (Jacobi's formula; A must be invertible for the gradient)"""
    def forward(self, a):
        return np.linalg.det(a)

    def backward(self, g):
        a = self.inputs[0]
        if not np.all(self.out._data):
            raise LinAlgError("det: the gradient at a singular matrix (det = 0) is not implemented in chainrule")
        return ((g * self.out).unsqueeze(-1).unsqueeze(-1) * _mT(Inverse.apply(a)),)


def det(input: Tensor) -> Tensor:  # noqa: A002
    """The determinant of a square matrix (or of each in a batch)."""
    return Det.apply(_square("linalg.det", input))


class LogAbsDet(Op):
    """y = log|det(A)|      dA = g · A⁻ᵀ"""
    def forward(self, a):
        return np.linalg.slogdet(a)[1]

    def backward(self, g):
        return (g.unsqueeze(-1).unsqueeze(-1) * _mT(Inverse.apply(self.inputs[0])),)


def _logabsdet(A: Tensor) -> Tensor:  # noqa: N803
    """log|det A|, slogdet's differentiable half (its sign has no gradient)."""
    return LogAbsDet.apply(_square("linalg.slogdet", A))


class Cholesky(Op):
    """A = L Lᵀ, L lower      dA = sym(L⁻ᵀ Φ(Lᵀ g) L⁻¹), Φ: the lower half, the diagonal halved"""
    def forward(self, a):
        try:
            return np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise LinAlgError(f"linalg.cholesky: the input (shape {a.shape}) is not positive-definite: the "
                              "factorization could not be completed") from None

    def backward(self, g):
        L = self.out  # noqa: N806
        p = matmul(_mT(L), g).tril()
        s = 0.5 * (p + _mT(p.tril(-1)))                   # symmetric: p's lower half mirrored, diagonal halved
        inv = Inverse.apply(L)
        return (matmul(matmul(_mT(inv), s), inv),)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    """L with A = L Lᵀ for a symmetric positive-definite A (its lower triangle is read), or U = Lᵀ with
    upper=True, as torch.cholesky."""
    L = Cholesky.apply(_square("linalg.cholesky", input))  # noqa: N806
    return _mT(L) if upper else L

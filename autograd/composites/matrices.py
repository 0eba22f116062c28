"""Linear algebra built on matmul and the decompositions' primitives (ops/decompositions.py): slogdet,
logdet, solve, matrix_power, inv, multi_dot, chain_matmul, and the fused products addmv, addr, addbmm.
torch.linalg-only names (inv, solve, multi_dot) stay out of autograd's top level (ops.NOT_TOP_LEVEL) and
are chainrule.linalg's."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..errors import ArgumentError, ShapeError
from ..ops.decompositions import _logabsdet, _square, det, inverse
from ..ops.linalg import matmul
from ..ops.unary import sign
from ..tensor import Tensor, as_tensor
from .linalg import _scaled_sum, bmm, mm, mv, outer

slogdet_result = namedtuple("slogdet_result", ["sign", "logabsdet"])     # torch.return_types.slogdet


def slogdet(A: Tensor) -> slogdet_result:  # noqa: N803
    """(sign, log|det A|): the determinant as a sign and a logarithm, which neither overflows nor underflows.
    The sign has no gradient; log|det| has A⁻ᵀ."""
    a = _square("linalg.slogdet", A)
    return slogdet_result(sign(det(a.detach())), _logabsdet(a))     # ops, not arrays: compile replays them


def logdet(input: Tensor) -> Tensor:  # noqa: A002
    """log det A: nan where det < 0, -inf where det = 0, as torch.logdet."""
    sign, value = slogdet(input)
    s = sign._data
    return value + Tensor._wrap(np.where(s < 0, np.nan, np.where(s == 0, -np.inf, 0)).astype(s.dtype))


def inv(A: Tensor) -> Tensor:  # noqa: N803
    """torch.linalg.inv: the inverse of a square matrix (or of each in a batch)."""
    return inverse(A)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803
    """X with A X = B (left=True) or X A = B: A⁻¹ B, differentiable through inverse. B is a matrix, or a
    vector (…, n) when its shape is A's without the last dim, as torch.linalg.solve."""
    a, b = _square("linalg.solve", A), as_tensor(B)
    if b.dtype != a.dtype:
        raise ArgumentError(f"linalg.solve: A and B must have the same dtype, got {a.dtype} and {b.dtype}")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    n = a.shape[-1]
    if (b.shape[-1] if vector else b.shape[-2 if left else -1]) != n:
        raise ShapeError(f"linalg.solve: A of shape {tuple(a.shape)} and B of shape {tuple(b.shape)} do not fit "
                         f"({'B' if left else 'B transposed'} needs {n} rows)")
    if vector:
        return matmul(inverse(a), b.unsqueeze(-1)).squeeze(-1) if left else matmul(b.unsqueeze(-2), inverse(a)
                                                                                    ).squeeze(-2)
    return matmul(inverse(a), b) if left else matmul(b, inverse(a))


def matrix_power(input: Tensor, n: int) -> Tensor:  # noqa: A002
    """Aⁿ by repeated squaring; n = 0 gives the identity, n < 0 powers the inverse."""
    a = as_tensor(input)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"matrix_power: expected a square matrix or a batch of them, got shape {tuple(a.shape)}")
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power: n must be an int, got {n!r}")
    if n == 0:
        return Tensor._wrap(np.broadcast_to(np.eye(a.shape[-1], dtype=a._data.dtype), a.shape).copy())
    if n < 0:
        a, n = inverse(a), -n
    out, square = None, a
    while n:
        if n & 1:
            out = square if out is None else matmul(out, square)
        n >>= 1
        if n:
            square = matmul(square, square)
    return out


def multi_dot(tensors) -> Tensor:
    """The product of the matrices in order; the first may be a 1-d row and the last a 1-d column, as
    torch.linalg.multi_dot (left to right: chainrule does not reorder the products)."""
    ts = [as_tensor(t) for t in tensors]
    if len(ts) < 2:
        raise ArgumentError(f"linalg.multi_dot: expected at least 2 tensors, got {len(ts)}")
    first, last = ts[0].ndim == 1, ts[-1].ndim == 1
    inner = ts[1:-1]
    if any(t.ndim != 2 for t in inner) or ts[0].ndim not in (1, 2) or ts[-1].ndim not in (1, 2):
        raise ShapeError("linalg.multi_dot: the first and last tensors must be 1-d or 2-d and the others 2-d, got "
                         f"shapes {[tuple(t.shape) for t in ts]}")
    mats = [ts[0].unsqueeze(0) if first else ts[0], *inner, ts[-1].unsqueeze(-1) if last else ts[-1]]
    out = mats[0]
    for m in mats[1:]:
        out = mm(out, m)
    if first:
        out = out.squeeze(0)
    return out.squeeze(-1) if last else out


def chain_matmul(*matrices) -> Tensor:
    """The product of 2-d matrices in order (PyTorch's deprecated spelling of linalg.multi_dot)."""
    if len(matrices) == 1:
        return as_tensor(matrices[0]) * 1
    if any(as_tensor(m).ndim != 2 for m in matrices):
        raise ShapeError(f"chain_matmul: expected 2-d matrices, got shapes "
                         f"{[tuple(as_tensor(m).shape) for m in matrices]}")
    return multi_dot(matrices)


def addmv(input, mat, vec, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta · input + alpha · (mat @ vec), mat 2-d and vec 1-d; beta = 0 ignores input (nan included)."""
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta · input + alpha · outer(vec1, vec2); beta = 0 ignores input."""
    return _scaled_sum("addr", input, outer(vec1, vec2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta · input + alpha · Σ_b batch1[b] @ batch2[b] (the batch summed away); beta = 0 ignores input."""
    return _scaled_sum("addbmm", input, bmm(batch1, batch2).sum(0), beta, alpha)

"""Checked front ends of matmul and vector_norm: mm, bmm (no broadcasting, as PyTorch), torch.norm, and the
products built on them: dot, mv, outer, inner, tensordot, kron, trace, cross, addmm, baddbmm, dist, cdist."""
from __future__ import annotations

import math

import numpy as np

from ..errors import ArgumentError, DTypeError, ShapeError
from ..ops.linalg import matmul, vector_norm
from ..tensor import Tensor, as_tensor, pair


def mm(input, mat2) -> Tensor:  # noqa: A002
    """The product of two matrices (2-d only, no broadcasting, as torch.mm)."""
    a, b = pair(input, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expected two 2-d tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)} "
                         "(matmul broadcasts)")
    return matmul(a, b)


def bmm(input, mat2) -> Tensor:  # noqa: A002
    """Batched product of (b, n, m) and (b, m, p) tensors, the same b (no broadcasting, as torch.bmm)."""
    a, b = pair(input, mat2)
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ShapeError("bmm: expected (b, n, m) and (b, m, p) tensors with the same b, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None, *, keepdims=None) -> Tensor:
    """torch.norm: p='fro' (or 2) is the 2-norm of all the elements or over dim; other p as vector_norm."""
    if p in ("fro", None):
        p = 2
    elif p == "nuc":
        from .spectral import _nuclear_norm  # spectral.py imports this module's neighbours
        return _nuclear_norm(as_tensor(input), dim, keepdim)
    return vector_norm(input, p, dim, keepdim, dtype=dtype, keepdims=keepdims)


def _vector(what: str, name: str, t: Tensor) -> None:
    if t.ndim != 1:
        raise ShapeError(f"{what}: expected a 1-d {name}, got shape {tuple(t.shape)}")


def dot(input, tensor) -> Tensor:  # noqa: A002
    """The inner product of two 1-d tensors of the same size and dtype, as torch.dot."""
    a, b = pair(input, tensor)
    _vector("dot", "input", a), _vector("dot", "tensor", b)
    if a.dtype != b.dtype:
        raise DTypeError(f"dot: expected both vectors to have the same dtype, got {a.dtype} and {b.dtype}")
    if a.shape != b.shape:
        raise ShapeError(f"dot: the vectors have {a.shape[0]} and {b.shape[0]} elements; they need as many")
    return matmul(a, b)


def vdot(input, other) -> Tensor:  # noqa: A002
    """dot of the (real) tensors: conjugation does nothing without complex numbers."""
    return dot(input, other)


def mv(input, vec) -> Tensor:  # noqa: A002
    """Matrix (n, m) times vector (m,): (n,)."""
    a, v = pair(input, vec)
    if a.ndim != 2 or v.ndim != 1:
        raise ShapeError(f"mv: expected a 2-d matrix and a 1-d vector, got shapes {tuple(a.shape)} and "
                         f"{tuple(v.shape)}")
    return matmul(a, v)


def outer(input, vec2) -> Tensor:  # noqa: A002
    """out[i, j] = input[i] · vec2[j], for two 1-d tensors."""
    a, b = pair(input, vec2)
    _vector("outer", "input", a), _vector("outer", "vec2", b)
    return a.reshape(-1, 1) * b.reshape(1, -1)


def ger(input, vec2) -> Tensor:  # noqa: A002
    return outer(input, vec2)


def inner(input, other) -> Tensor:  # noqa: A002
    """Σ over the last dims of both: shape input.shape[:-1] + other.shape[:-1]; a 0-d operand multiplies."""
    a, b = pair(input, other)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"inner: the last dims of {tuple(a.shape)} and {tuple(b.shape)} must match")
    return tensordot(a, b, ([-1], [-1]))


def tensordot(a, b, dims=2, out=None) -> Tensor:
    """Σ over the dims dims[0] of a paired with dims[1] of b (an int n: a's last n with b's first n); the
    result has a's other dims then b's. A permute, a reshape and one matmul."""
    a, b = pair(a, b)
    if isinstance(dims, (int, np.integer)):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise ArgumentError(f"tensordot: dims={dims} for shapes {tuple(a.shape)} and {tuple(b.shape)}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
        da = [_dim(a, d, "tensordot") for d in da]
        db = [_dim(b, d, "tensordot") for d in db]
    if len(da) != len(db) or any(a.shape[i] != b.shape[j] for i, j in zip(da, db)):
        raise ShapeError(f"tensordot: dims {da} of {tuple(a.shape)} and {db} of {tuple(b.shape)} must pair "
                         "up with equal sizes")
    ra, rb = [d for d in range(a.ndim) if d not in da], [d for d in range(b.ndim) if d not in db]
    k = math.prod(a.shape[d] for d in da)
    left = a.permute(*ra, *da).reshape(math.prod(a.shape[d] for d in ra), k)
    right = b.permute(*db, *rb).reshape(k, math.prod(b.shape[d] for d in rb))
    return matmul(left, right).reshape(*(a.shape[d] for d in ra), *(b.shape[d] for d in rb))


def _dim(x: Tensor, d: int, what: str) -> int:
    if not -x.ndim <= d < x.ndim:
        raise IndexError(f"{what}: dim {d} is out of range for shape {tuple(x.shape)}")
    return d % x.ndim


def kron(input, other) -> Tensor:  # noqa: A002
    """The Kronecker product: block (i, j) is input[i, j] · other, for any number of dims."""
    a, b = pair(input, other)
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + a.shape, (1,) * (n - b.ndim) + b.shape
    prod = a.reshape(*(v for s in sa for v in (s, 1))) * b.reshape(*(v for s in sb for v in (1, s)))
    return prod.reshape(*(x * y for x, y in zip(sa, sb)))


def trace(input) -> Tensor:  # noqa: A002
    """The sum of a matrix's main diagonal (integers sum to int64, as PyTorch)."""
    x = as_tensor(input)
    if x.ndim != 2:
        raise ShapeError(f"trace: expected a matrix (2-d), got shape {tuple(x.shape)}")
    return x.diagonal().sum()


def cross(input, other, dim: int | None = None) -> Tensor:  # noqa: A002
    """The cross product of the 3-vectors along `dim` (default: input's first dim of size 3, as PyTorch),
    the two broadcast together: roll(a, -1)·roll(b, -2) - roll(a, -2)·roll(b, -1)."""
    a, b = pair(input, other)
    if a.ndim != b.ndim:
        raise ShapeError(f"cross: the inputs must have the same number of dims, got shapes {tuple(a.shape)} "
                         f"and {tuple(b.shape)}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"cross: shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast") from None
    if dim is None:
        dim = next((i for i, s in enumerate(a.shape) if s == 3), None)
        if dim is None:
            raise ShapeError(f"cross: no dim of size 3 in shape {shape}; pass dim")
    d = _dim(a, dim, "cross")
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise ShapeError(f"cross: dim {d} must have size 3, got {tuple(a.shape)} and {tuple(b.shape)}")
    a, b = a.expand(shape), b.expand(shape)
    return a.roll(-1, d) * b.roll(-2, d) - a.roll(-2, d) * b.roll(-1, d)


def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta · input + alpha · (mat1 @ mat2), mat1 and mat2 2-d; beta = 0 ignores input (nan included)."""
    return _scaled_sum("addmm", input, mm(mat1, mat2), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta · input + alpha · (batch1 @ batch2), both 3-d with the same batch size; beta = 0 ignores input."""
    return _scaled_sum("baddbmm", input, bmm(batch1, batch2), beta, alpha)


def _scaled_sum(what: str, input, product: Tensor, beta, alpha) -> Tensor:  # noqa: A002
    x = as_tensor(input, like=product)
    try:
        fits = np.broadcast_shapes(x.shape, product.shape) == product.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{what}: input of shape {tuple(x.shape)} does not broadcast to the product's shape "
                         f"{tuple(product.shape)}")
    out = product if alpha == 1 else product * alpha
    if beta == 0:
        return out.expand(product.shape) if out is product else out
    return out + (x if beta == 1 else x * beta)


def dist(input, other, p: float = 2) -> Tensor:  # noqa: A002
    """The p-norm of input - other (the two broadcast)."""
    a, b = pair(input, other)
    return vector_norm(a - b, p)


def cdist(x1, x2, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """The p-norm distances between each row of x1 (..., P, M) and each row of x2 (..., R, M): (..., P, R)."""
    a, b = pair(x1, x2)
    if a.ndim < 2 or b.ndim < 2:
        raise ShapeError(f"cdist: expected x1 and x2 with at least 2 dims, got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"cdist: x1 {tuple(a.shape)} and x2 {tuple(b.shape)} must have the same number of "
                         "columns")
    if p < 0:
        raise ArgumentError(f"cdist: p must be non-negative, got {p}")
    return vector_norm(a.unsqueeze(-2) - b.unsqueeze(-3), p, -1)

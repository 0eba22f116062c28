"""Checked front ends of matmul and vector_norm: mm, bmm (no broadcasting, as PyTorch) and torch.norm."""
from __future__ import annotations

from ..errors import ShapeError
from ..ops.linalg import matmul, vector_norm
from ..tensor import Tensor, pair


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
        raise NotImplementedError("norm: the nuclear norm (p='nuc') is not implemented; chainrule has no SVD")
    return vector_norm(input, p, dim, keepdim, dtype=dtype, keepdims=keepdims)

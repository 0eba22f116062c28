"""Matrix multiplication: the one op that carries most of a network's arithmetic."""
from __future__ import annotations

from ..op import Op
from ..tensor import Tensor, pair


class MatMul(Op):
    """C = A @ B        dA = g @ Bᵀ,   dB = Aᵀ @ g   (batch dims are summed back by the engine)"""
    name = "matmul"
    def forward(self, a, b):
        return a @ b

    def backward(self, g):
        a, b = self.inputs
        da = g @ b.mT if self.needs_grad[0] else None     # never compute a gradient nobody asked for
        db = a.mT @ g if self.needs_grad[1] else None     # .mT is a view: no copy
        return da, db


def matmul(a, b) -> Tensor:
    """numpy's rules: a 1-d operand is promoted to a matrix and the added dim removed afterwards."""
    a, b = pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: both arguments need at least 1 dim, got shapes {a.shape} and {b.shape} "
                         f"(use * to multiply by a scalar)")
    k1, k2 = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k1 != k2:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied: a has {k1} columns "
                         f"(its last dim) but b has {k2} rows (its {'only' if b.ndim == 1 else 'second-to-last'} dim)")
    if a.ndim >= 2 and b.ndim >= 2:
        try:
            return MatMul.apply(a, b)
        except ValueError:
            raise ValueError(f"matmul: batch dims of {a.shape} and {b.shape} do not broadcast") from None
    out = MatMul.apply(a.unsqueeze(0) if a.ndim == 1 else a, b.unsqueeze(-1) if b.ndim == 1 else b)
    if b.ndim == 1:
        out = out.squeeze(-1)
    if a.ndim == 1:
        out = out.squeeze(-1 if b.ndim == 1 else -2)
    return out

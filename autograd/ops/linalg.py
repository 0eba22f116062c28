"""Matrix products (matmul, the fused Linear, einsum) and vector norms: the ops that carry most of a
network's arithmetic (mm, bmm and torch.norm, their checked front ends, are in composites/linalg.py)."""
from __future__ import annotations

import math
import string

import numpy as np

from ..errors import ShapeError
from ..op import Op
from ..parallel import any_matmul
from ..parallel import matmul as split_matmul
from ..tensor import Tensor, as_tensor, pair
from .arithmetic import where
from .reduce import _dims, _keep_shape


class MatMul(Op):
    """C = A @ B        dA = g @ Bᵀ,   dB = Aᵀ @ g   (batch dims are summed back by the engine)"""
    name = "matmul"
    def forward(self, a, b):
        return any_matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
        da = g @ b.mT if self.needs_grad[0] else None     # never compute a gradient nobody asked for
        db = a.mT @ g if self.needs_grad[1] else None     # .mT is a view: no copy
        return da, db


def matmul(input, other) -> Tensor:  # noqa: A002
    """numpy's rules: a 1-d operand is promoted to a matrix and the added dim removed afterwards."""
    a, b = pair(input, other)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both arguments need at least 1 dim, got shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)} "
                         f"(use * to multiply by a scalar)")
    da, db = a._data.dtype, b._data.dtype
    if da != db and da.kind == "f" == db.kind:          # PyTorch raises; numpy would upcast
        raise RuntimeError(f"matmul: expected both operands to have the same dtype, got {a.dtype} and "
                           f"{b.dtype} (shapes {tuple(a.shape)} and {tuple(b.shape)}): convert one, e.g. "
                           f"b.to(a.dtype)")
    k1, k2 = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k1 != k2:
        raise ShapeError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied: a has "
                         f"{k1} columns "
                         f"(its last dim) but b has {k2} rows (its {'only' if b.ndim == 1 else 'second-to-last'} dim)")
    if a.ndim >= 2 and b.ndim >= 2:
        try:
            return MatMul.apply(a, b)
        except ValueError:
            raise ShapeError(f"matmul: batch dims of {tuple(a.shape)} and {tuple(b.shape)} do not broadcast") from None
    out = MatMul.apply(a.unsqueeze(0) if a.ndim == 1 else a, b.unsqueeze(-1) if b.ndim == 1 else b)
    if b.ndim == 1:
        out = out.squeeze(-1)
    if a.ndim == 1:
        out = out.squeeze(-1 if b.ndim == 1 else -2)
    return out


class Linear(Op):
    """y = x @ Wᵀ + b       dx = g @ W,   dW = gᵀ @ x,   db = Σ g over all but the last dim
    nn.functional.linear's op: one node instead of transpose + matmul + add; Wᵀ is a numpy view, and a gradient
    nobody needs is skipped."""
    def forward(self, x, w, *b):
        bias = b[0] if b else None
        if x.ndim == 2:
            return split_matmul(x, w.T, add=bias)
        if x.ndim > 2 and x.flags.c_contiguous:
            # one (N·T, C) @ Wᵀ: numpy's batched matmul is several times slower, more so with threads;
            # the bias added by each part of the product while its rows are in cache
            out = np.empty(x.shape[:-1] + (w.shape[0],), np.result_type(x, w))
            n = math.prod(x.shape[:-1])
            split_matmul(x.reshape(n, x.shape[-1]), w.T, out=out.reshape(n, w.shape[0]), add=bias)
            return out
        out = any_matmul(x, w.T) if x.ndim >= 2 else np.matmul(x, w.T)
        if b:
            out += bias                    # in place: `out` is fresh, so no second (N, out) temporary
        return out

    def backward(self, g):
        xs = self.inputs                   # (a property that checks versions: read once)
        x, w, need = xs[0], xs[1], self.needs_grad
        dx = None
        if need[0]:
            flat = g if g.ndim <= 2 else g.reshape(math.prod(g.shape[:-1]), g.shape[-1])
            dx = flat @ w if g.ndim <= 2 else (flat @ w).reshape(x.shape)
        if need[1] or (len(need) > 2 and need[2]):
            g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        dw = g2.mT @ (x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x) if need[1] else None
        if len(need) == 2:
            return dx, dw
        db = g2.sum(0) if need[2] else None
        return dx, dw, db


class Einsum(Op):
    """y = einsum(eq, x₁, …, xₙ)      dxₖ = einsum(g and the other x's → xₖ's subscripts)
    One rule for every contraction: a letter only xₖ has comes from a ones operand, a letter xₖ repeats
    (a diagonal) from an identity, so each gradient is an einsum too and so is every higher one."""
    def forward(self, *xs, ins, out):
        self.ins, self.out_subs = ins, out
        return np.einsum(",".join(ins) + "->" + out, *xs, optimize=len(xs) > 1)   # optimize: BLAS when it can

    def backward(self, g):
        xs, grads = self.inputs, []
        free = iter(c for c in string.ascii_letters if c not in "".join(self.ins) + self.out_subs)
        for k, sub in enumerate(self.ins):
            if not self.needs_grad[k]:
                grads.append(None)
                continue
            terms = [self.out_subs] + [s for i, s in enumerate(self.ins) if i != k]
            args = [g] + [x for i, x in enumerate(xs) if i != k]
            have, target = set("".join(terms)), ""
            for c, size in zip(sub, xs[k].shape):
                if c in target:                      # a repeated letter: a new one, tied to c by an identity
                    f = next(free)
                    terms.append(c + f)
                    args.append(Tensor._wrap(np.eye(size, dtype=g.dtype)))
                    c = f
                elif c not in have:                  # summed inside xₖ alone: every element gets g
                    terms.append(c)
                    args.append(Tensor._wrap(np.ones(size, dtype=g.dtype)))
                    have.add(c)
                target += c
            grads.append(Einsum.apply(*args, ins=tuple(terms), out=target))
        return tuple(grads)


def einsum(equation: str, *operands) -> Tensor:
    """torch.einsum: explicit ('ij,jk->ik') or implicit ('ij,jk') form, '...' for broadcast dims, operands
    as arguments or as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    xs = [as_tensor(x) for x in operands]
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(xs):
        raise ValueError(f"einsum: {equation!r} names {len(ins)} operands, got {len(xs)}")
    letters = "".join(ins).replace(".", "")
    if any(c not in string.ascii_letters for c in letters + rhs.replace(".", "")):
        raise ValueError(f"einsum: {equation!r} may hold only letters, ',', '->' and '...'")
    spare = [c for c in string.ascii_letters if c not in letters + rhs][::-1]
    n_ell = max([x.ndim - len(s.replace("...", "")) for s, x in zip(ins, xs) if "..." in s], default=0)
    ell = "".join(spare.pop() for _ in range(n_ell))
    subs = []
    for s, x in zip(ins, xs):
        s = s.replace("...", ell[n_ell - (x.ndim - len(s.replace("...", ""))):]) if "..." in s else s
        if len(s) != x.ndim:
            raise ValueError(f"einsum: subscripts {s!r} in {equation!r} name {len(s)} dims, but that operand "
                             f"has shape {tuple(x.shape)}")
        subs.append(s)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        out = ell + "".join(once)
    sizes: dict[str, int] = {}
    for s, x in zip(subs, xs):
        for c, n in zip(s, x.shape):
            if sizes.get(c, 1) != 1 and n != 1 and sizes[c] != n:
                raise ValueError(f"einsum: letter {c!r} in {equation!r} has sizes {sizes[c]} and {n} "
                                 f"(shapes {[tuple(x.shape) for x in xs]})")
            sizes[c] = n if sizes.get(c, 1) == 1 else sizes[c]
    xs = [x.expand(tuple(sizes[c] for c in s)) if any(n != sizes[c] for c, n in zip(s, x.shape)) else x
          for s, x in zip(subs, xs)]                       # size-1 dims broadcast, as PyTorch
    return Einsum.apply(*xs, ins=tuple(subs), out=out)


class Norm(Op):
    """y = √(Σ x²) over dims      dx = g · x / y     (0 where y = 0, PyTorch's choice at the kink)"""
    def forward(self, x, dims, keepdim):
        self.in_shape, self.dims = x.shape, dims
        return np.sqrt(np.add.reduce(x * x, axis=dims, keepdims=keepdim))

    def backward(self, g):
        shape = _keep_shape(self.in_shape, self.dims)
        y = self.out.reshape(shape)
        if (y._data == 0).any():
            y = where(y._data == 0, 1.0, y)        # x is all zeros there: g · 0 / 1 = 0
        return (g.reshape(shape) * self.inputs[0] / y,)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None, keepdims=None) -> Tensor:
    """torch.linalg.vector_norm: (Σ |x|^ord)^(1/ord) over dim (all by default); ord inf/-inf: max/min |x|;
    ord 0: the count of non-zeros."""
    x = as_tensor(x) if dtype is None else as_tensor(x).to(dtype)
    if x.dtype.kind not in "fc":
        raise TypeError(f"norm: needs a floating-point tensor, got {x.dtype} (convert with .float())")
    dims, keepdim = _dims(x, dim, None, "norm"), keepdim if keepdims is None else keepdims
    if ord == 2:
        return Norm.apply(x, dims=dims, keepdim=keepdim)
    if ord == 1:
        return x.abs().sum(dims, keepdim)
    if ord in (math.inf, -math.inf):
        a = x.abs()
        if x.numel() == 0:
            raise ValueError(f"norm: the {ord}-norm of an empty tensor of shape {tuple(x.shape)} is undefined")
        return a.amax(dims, keepdim) if ord > 0 else a.amin(dims, keepdim)
    if ord == 0:
        return Tensor._wrap(np.count_nonzero(x._data, axis=dims, keepdims=keepdim).astype(x.dtype))
    if not isinstance(ord, (int, float)):
        raise ValueError(f"norm: ord must be a number, inf, -inf or 'fro', got {ord!r}")
    s = (x.abs() ** ord).sum(dims, keepdim)
    zero = s._data == 0
    return where(zero, 0.0, where(zero, 1.0, s) ** (1 / ord)) if zero.any() else s ** (1 / ord)

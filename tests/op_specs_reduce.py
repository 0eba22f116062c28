"""The op table's rows for the reductions and scans (scans.py, stats.py), selection (selecting.py) and the
matrix functions (matrices.py, ops/decompositions.py): tests/op_specs.py adds them to SPECS and NO_ROW.
Matrices for det, inverse, solve... are A + 4I with A's entries in [-1, 1], so they are far from singular."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_strategies import SIDE, _var_args, nonscalar, one_dim, reduce_shape, two, var_shape
from torch_twins import T, no_empty

import autograd as ag
from autograd import ops
from autograd.testing import Spec, shapes, tensors, values

NAN = math.nan
REDUCES = ["sum", "mean", "amax", "amin"]


@st.composite
def diff_inputs(draw):
    """x, n, dim, and prepend / append (None or tensors with x's shape but their own size along dim)."""
    shape = draw(shapes(min_dims=1, max_dims=3, max_side=SIDE))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    side = [draw(st.none() | st.builds(lambda k: shape[:d % len(shape)] + (k,) + shape[d % len(shape) + 1:],
                                       st.integers(1, 2))) for _ in range(2)]
    pre, app = (None if s is None else draw(tensors(s)) for s in side)
    return draw(tensors(shape)), pre, app, draw(st.integers(0, 3)), d


@st.composite
def nan_distinct_inputs(draw):
    """x (no ties: an order statistic's gradient jumps there), a mask of where to put nan, dim, keepdim."""
    shape = draw(shapes(min_dims=0, max_dims=3, max_side=SIDE))
    d = draw(st.none() | (st.integers(-len(shape), len(shape) - 1) if shape else st.just(0)))
    return draw(tensors(shape, distinct=True)), ag.tensor(draw(hnp.arrays(np.bool_, shape))), d, draw(st.booleans())


@st.composite
def kth_inputs(draw):
    shape = draw(shapes(min_dims=0, max_dims=3, max_side=SIDE))
    d = draw(one_dim(shape))
    n = shape[d] if shape else 1
    return draw(tensors(shape, distinct=True)), draw(st.integers(1, n)), d, draw(st.booleans())


@st.composite
def select_inputs(draw):
    (shape,) = draw(nonscalar)
    d = draw(one_dim(shape))
    return draw(tensors(shape)), d, draw(st.integers(-shape[d], shape[d] - 1))


@st.composite
def split_args(draw):
    (shape,) = draw(nonscalar)
    d = draw(one_dim(shape))
    how = draw(st.integers(1, 4) | st.lists(st.integers(0, 4), max_size=3).map(sorted))
    return draw(tensors(shape)), how, d


@st.composite
def scatter_reduce_inputs(draw):
    """x, src, index (repeats allowed), dim, reduce, include_self; every value distinct (amax has no ties)."""
    (shape,) = draw(nonscalar)
    d = draw(one_dim(shape)) % len(shape)
    idx_shape = tuple(draw(st.integers(1, 4)) if i == d else draw(st.integers(1, s)) for i, s in enumerate(shape))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    idx = rng.integers(0, shape[d], idx_shape)
    n, k = math.prod(shape), math.prod(idx_shape)
    pool = draw(values(n + k, distinct=True))
    x, src = (ag.tensor(p.reshape(s), requires_grad=True) for p, s in ((pool[:n], shape), (pool[n:], idx_shape)))
    return x, src, ag.tensor(idx), d, draw(st.sampled_from(REDUCES)), draw(st.booleans())


square = st.tuples(st.sampled_from([(), (2,)]), st.integers(1, SIDE)).map(lambda t: (t[0] + (t[1], t[1]),))


@st.composite
def solve_inputs(draw):
    b, n = draw(st.sampled_from([(), (2,)])), draw(st.integers(1, SIDE))
    rhs = draw(st.sampled_from([b + (n,), b + (n, 1), b + (n, 2)]))
    left = len(rhs) == len(b) + 1 or draw(st.booleans())       # X A = B only for a matrix B (…, k, n)
    return draw(tensors(b + (n, n), -1, 1)), draw(tensors(rhs)), left


@st.composite
def fused_inputs(draw, kind: str):
    """input (broadcasting to the product), the two factors, beta and alpha for addmv / addr / addbmm."""
    n, m, p, b = (draw(st.integers(1, SIDE)) for _ in range(4))
    out, first, second = {"addmv": ((n,), (n, m), (m,)), "addr": ((n, p), (n,), (p,)),
                          "addbmm": ((n, p), (b, n, m), (b, m, p))}[kind]
    inp = draw(st.sampled_from([out, out[-1:], ()]))
    return (draw(tensors(inp)), draw(tensors(first)), draw(tensors(second)), draw(st.sampled_from([1, 0.5, 0])),
            draw(st.sampled_from([1, 0.5, -2.0])))


@st.composite
def chain_inputs(draw, vectors: bool):
    sides = [draw(st.integers(1, SIDE)) for _ in range(draw(st.integers(3, 5)))]
    shapes_ = [(a, b) for a, b in zip(sides[:-1], sides[1:])]
    if vectors and draw(st.booleans()):
        shapes_[0] = shapes_[0][1:]
    if vectors and draw(st.booleans()) and len(shapes_) > 1:
        shapes_[-1] = shapes_[-1][:1]
    return tuple(draw(tensors(s)) for s in shapes_)


def _eye(x, lib):
    return x + 4 * lib.eye(x.shape[-1], dtype=x.dtype)


def _spd(x, lib):
    return x @ x.mT + lib.eye(x.shape[-1], dtype=x.dtype)


def _nan(x, m):
    return T.where(m, NAN, x)


def _fused(name):
    return dict(fn=lambda i, a, b, be, al: getattr(ag, name)(i, a, b, beta=be, alpha=al),
                twin=lambda i, a, b, be, al: getattr(T, name)(i, a, b, beta=be, alpha=al))


REDUCE_SPECS: list[Spec] = [
    # -- scans.py ------------------------------------------------------------------------------------------------
    Spec("diff", lambda x, p, a, n, d: ag.diff(x, n, d, p, a), inputs=diff_inputs(),
         twin=lambda x, p, a, n, d: T.diff(x, n, d, p, a)),
    Spec("cummax", lambda x, d: ag.cummax(x, d), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s)), twin=T.cummax),
    Spec("cummin", lambda x, d: ag.cummin(x, d), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s)), twin=T.cummin),
    Spec("logcumsumexp", ag.logcumsumexp, shapes=reduce_shape, args=lambda s: st.tuples(one_dim(s)),
         twin=T.logcumsumexp),
    # -- stats.py, nanquantile (quantiles.py) -------------------------------------------------------------------
    Spec("aminmax", lambda x, d, k: ag.aminmax(x, dim=d, keepdim=k), shapes=nonscalar, distinct=True,
         args=lambda s: st.tuples(one_dim(s), st.booleans()), twin=lambda x, d, k: T.aminmax(x, dim=d, keepdim=k)),
    Spec("aminmax:all", ag.aminmax, shapes=reduce_shape, distinct=True, twin=T.aminmax),
    Spec("std_mean", lambda x, d, k, c: ag.std_mean(x, d, keepdim=k, correction=c), shapes=var_shape,
         distinct=True, args=_var_args, twin=lambda x, d, k, c: T.std_mean(x, no_empty(d), keepdim=k, correction=c)),
    Spec("var_mean", lambda x, d, k, c: ag.var_mean(x, d, keepdim=k, correction=c), shapes=var_shape,
         args=_var_args, twin=lambda x, d, k, c: T.var_mean(x, no_empty(d), keepdim=k, correction=c)),
    Spec("mode", lambda x, d, k: ag.mode(x, d, k), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s), st.booleans()), twin=T.mode),
    Spec("kthvalue", ag.kthvalue, inputs=kth_inputs(), twin=T.kthvalue),
    Spec("nanmedian", lambda x, m, d, k: ag.nanmedian(ag.where(m, NAN, x), d, k), inputs=nan_distinct_inputs(),
         twin=lambda x, m, d, k: T.nanmedian(_nan(x, m)) if d is None else T.nanmedian(_nan(x, m), d, k)),
    Spec("nanquantile", lambda x, m, d, k: ag.nanquantile(ag.where(m, NAN, x), 0.3, d, k), inputs=nan_distinct_inputs(),
         twin=lambda x, m, d, k: T.nanquantile(_nan(x, m), 0.3, d, k)),
    # -- selecting.py ------------------------------------------------------------------------------------------
    Spec("select", ag.select, inputs=select_inputs(), twin=T.select),
    Spec("tensor_split", ag.tensor_split, inputs=split_args(), twin=T.tensor_split),
    Spec("broadcast_tensors", ag.broadcast_tensors, arity=2, shapes=two, twin=T.broadcast_tensors),
    Spec("diagflat", lambda x, o: ag.diagflat(x, o), shapes=reduce_shape,
         args=lambda s: st.tuples(st.integers(-2, 2)), twin=T.diagflat),
    Spec("scatter_reduce", lambda x, s, i, d, r, inc: ag.scatter_reduce(x, d, i, s, r, include_self=inc),
         inputs=scatter_reduce_inputs(),
         twin=lambda x, s, i, d, r, inc: T.scatter_reduce(x, d, i, s, r, include_self=inc)),
    # -- matrices.py, ops/decompositions.py --------------------------------------------------------------------
    Spec("det", lambda x: ag.det(_eye(x, ag)), shapes=square, low=-1, high=1, twin=lambda x: T.det(_eye(x, T))),
    Spec("inverse", lambda x: ag.inverse(_eye(x, ag)), shapes=square, low=-1, high=1,
         twin=lambda x: T.inverse(_eye(x, T))),
    Spec("inv", lambda x: ops.inv(_eye(x, ag)), shapes=square, low=-1, high=1,
         twin=lambda x: T.linalg.inv(_eye(x, T))),
    Spec("slogdet", lambda x: ag.slogdet(_eye(x, ag) * -1), shapes=square, low=-1, high=1,
         twin=lambda x: T.slogdet(_eye(x, T) * -1)),
    Spec("logdet", lambda x: ag.logdet(_eye(x, ag)), shapes=square, low=-1, high=1,
         twin=lambda x: T.logdet(_eye(x, T))),
    Spec("cholesky", lambda x, u: ag.cholesky(_spd(x, ag), u), shapes=square, args=lambda s: st.tuples(st.booleans()),
         twin=lambda x, u: T.linalg.cholesky(_spd(x, T), upper=u)),
    Spec("matrix_power", lambda x, n: ag.matrix_power(_eye(x, ag), n), shapes=square, low=-1, high=1,
         args=lambda s: st.tuples(st.integers(-2, 4)), twin=lambda x, n: T.linalg.matrix_power(_eye(x, T), n)),
    Spec("solve", lambda a, b, left: ops.solve(_eye(a, ag), b if left else b.mT, left=left),
         inputs=solve_inputs(),
         twin=lambda a, b, left: T.linalg.solve(_eye(a, T), b if left else b.mT, left=left)),
    Spec("addmv", inputs=fused_inputs("addmv"), **_fused("addmv")),
    Spec("addr", inputs=fused_inputs("addr"), **_fused("addr")),
    Spec("addbmm", inputs=fused_inputs("addbmm"), **_fused("addbmm")),
    Spec("multi_dot", lambda *ts: ops.multi_dot(ts), inputs=chain_inputs(True),
         twin=lambda *ts: T.linalg.multi_dot(ts)),
    Spec("chain_matmul", ag.chain_matmul, inputs=chain_inputs(False), twin=lambda *ts: T.linalg.multi_dot(ts)),
]

REDUCE_NO_ROW: dict[str, str] = {
    "broadcast_shapes": "no gradient: a shape (tests/test_reduce_ops.py pins it against PyTorch)",
}

# the spectral decompositions and their composites: tests/op_specs_linalg.py
from op_specs_linalg import LINALG_NO_ROW, LINALG_SPECS  # noqa: E402

REDUCE_SPECS += LINALG_SPECS
REDUCE_NO_ROW.update(LINALG_NO_ROW)

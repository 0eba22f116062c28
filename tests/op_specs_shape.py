"""The op table's rows for the shape, indexing and linear-algebra composites (layout.py, indexing.py,
blocks.py, linalg.py, quantiles.py in autograd/composites): tests/op_specs.py adds them to SPECS, so every
test over the table (gradcheck, gradgradcheck, float32, PyTorch twins, kernels, wiring) runs them."""
from __future__ import annotations

import math

from hypothesis import strategies as st
from op_inputs_shape import (
    addmm_inputs,
    block_diag_inputs,
    cross_inputs,
    diag_embed_inputs,
    index_inputs,
    mask_inputs,
    move_inputs,
    nan_inputs,
    narrow_inputs,
    quantile_inputs,
    repeat_interleave_inputs,
    stack_like_inputs,
    take_inputs,
    tensordot_inputs,
    unflatten_inputs,
    unfold_inputs,
    vectors,
)
from op_strategies import matrices, mm_shapes, nonscalar, one_dim, reduce_shape, two
from torch_twins import T

import autograd as ag
from autograd.testing import Spec, broadcastable_shapes, shapes

NAN = math.nan


def _same(n: int, side_min: int = 1):
    """n shapes that are equal."""
    return shapes(min_dims=1, max_dims=1, min_side=side_min, max_side=3).map(lambda s: (s,) * n)


def _cross(a, b, d):
    """torch.cross's dim=None (the input's first dim of size 3), without its deprecation warning."""
    return T.linalg.cross(a, b, dim=[i for i, n in enumerate(a.shape) if n == 3][0] if d is None else d)


def _last(shapes_, k):
    """Shapes ending in k, unless both are 0-d."""
    return (shapes_[0] + (k,) if any(shapes_) else (), shapes_[1] + (k,) if any(shapes_) else ())


_inner_shapes = st.tuples(st.tuples(shapes(max_dims=2, max_side=3), shapes(max_dims=2, max_side=3)),
                          st.integers(1, 3)).map(lambda t: _last(*t))


def _nan(fn):
    return lambda x, m, d, k: fn(T.where(m, NAN, x), d, k)


SHAPE_SPECS: list[Spec] = [
    # -- layout (composites/layout.py) -----------------------------------------------------------------------
    Spec("movedim", ag.movedim, inputs=move_inputs(), twin=T.movedim),
    Spec("moveaxis", ag.moveaxis, inputs=move_inputs(), twin=T.moveaxis),
    Spec("swapaxes", ag.swapaxes, shapes=nonscalar, args=lambda s: st.tuples(one_dim(s), one_dim(s)),
         twin=T.swapaxes),
    Spec("swapdims", ag.swapdims, shapes=nonscalar, args=lambda s: st.tuples(one_dim(s), one_dim(s)),
         twin=T.swapdims),
    Spec("narrow", ag.narrow, inputs=narrow_inputs(), twin=T.narrow),
    Spec("unbind", ag.unbind, shapes=nonscalar, args=lambda s: st.tuples(one_dim(s)), twin=T.unbind),
    Spec("unflatten", ag.unflatten, inputs=unflatten_inputs(), twin=T.unflatten),
    Spec("tile", ag.tile, shapes=reduce_shape,
         args=lambda s: st.tuples(st.lists(st.integers(0, 2), max_size=len(s) + 1).map(tuple)), twin=T.tile),
    Spec("repeat_interleave", lambda x, r, d: ag.repeat_interleave(x, r, d),
         inputs=repeat_interleave_inputs(),
         twin=lambda x, r, d: T.repeat_interleave(x, r, d)),
    Spec("rot90", ag.rot90, shapes=matrices, twin=T.rot90,
         args=lambda s: st.tuples(st.integers(-5, 5),
                                  st.permutations(range(len(s))).map(lambda p: list(p[:2])))),
    Spec("atleast_1d", ag.atleast_1d, shapes=reduce_shape, twin=T.atleast_1d),
    Spec("atleast_2d", ag.atleast_2d, shapes=reduce_shape, twin=T.atleast_2d),
    Spec("atleast_3d", ag.atleast_3d, arity=2, shapes=broadcastable_shapes(2, max_dims=3, max_side=2),
         twin=T.atleast_3d),                                                  # two tensors in: a tuple out
    Spec("hstack", lambda *a: ag.hstack(a), inputs=stack_like_inputs("hstack"), twin=lambda *a: T.hstack(a)),
    Spec("vstack", lambda *a: ag.vstack(a), inputs=stack_like_inputs("vstack"), twin=lambda *a: T.vstack(a)),
    Spec("row_stack", lambda *a: ag.row_stack(a), inputs=stack_like_inputs("vstack"),
         twin=lambda *a: T.vstack(a)),
    Spec("dstack", lambda *a: ag.dstack(a), inputs=stack_like_inputs("dstack"), twin=lambda *a: T.dstack(a)),
    Spec("column_stack", lambda *a: ag.column_stack(a), inputs=stack_like_inputs("column_stack"),
         twin=lambda *a: T.column_stack(a)),
    Spec("Tensor.unfold", lambda x, d, n, s: x.unfold(d, n, s), inputs=unfold_inputs(),
         twin=lambda x, d, n, s: x.unfold(d, n, s)),
    # -- indexing (composites/indexing.py) -------------------------------------------------------------------
    Spec("index_select", ag.index_select, inputs=index_inputs("index_select"), twin=T.index_select),
    Spec("take", ag.take, inputs=take_inputs(), twin=T.take),
    Spec("masked_select", ag.masked_select, inputs=mask_inputs(), twin=T.masked_select),
    Spec("index_fill", ag.index_fill, inputs=index_inputs("index_fill"), twin=T.index_fill),
    Spec("index_add", lambda x, s, d, i: ag.index_add(x, d, i, s, alpha=-1.5),
         inputs=index_inputs("index_add"),
         twin=lambda x, s, d, i: T.index_add(x, d, i, s, alpha=-1.5)),
    Spec("index_copy", lambda x, s, d, i: ag.index_copy(x, d, i, s), inputs=index_inputs("index_copy"),
         twin=lambda x, s, d, i: T.index_copy(x, d, i, s)),
    Spec("masked_scatter", lambda x, s, m: ag.masked_scatter(x, m, s), inputs=mask_inputs(scatter=True),
         twin=lambda x, s, m: T.masked_scatter(x, m, s)),
    # -- matrices and grids (composites/blocks.py) -----------------------------------------------------------
    Spec("diag", ag.diag, shapes=shapes(min_dims=1, max_dims=2, max_side=3).map(lambda s: (s,)),
         args=lambda s: st.tuples(st.integers(-3, 3)), twin=T.diag),
    Spec("diag_embed", ag.diag_embed, inputs=diag_embed_inputs(), twin=T.diag_embed),
    Spec("block_diag", ag.block_diag, inputs=block_diag_inputs(), twin=T.block_diag),
    Spec("meshgrid", lambda *a: ag.meshgrid(*a[:-1], indexing=a[-1]),
         inputs=st.tuples(vectors(scalar=True), st.sampled_from(["ij", "xy"])).map(lambda v: v[0] + (v[1],)),
         twin=lambda *a: T.meshgrid(*a[:-1], indexing=a[-1])),
    Spec("cartesian_prod", ag.cartesian_prod, inputs=vectors(), twin=T.cartesian_prod),
    # -- products (composites/linalg.py) ---------------------------------------------------------------------
    Spec("trace", ag.trace, shapes=shapes(min_dims=2, max_dims=2, max_side=3).map(lambda s: (s,)),
         twin=T.trace),
    Spec("outer", ag.outer, arity=2,
         shapes=st.tuples(st.integers(1, 3), st.integers(1, 3)).map(lambda n: ((n[0],), (n[1],))),
         twin=T.outer),
    Spec("ger", ag.ger, arity=2, shapes=_same(2), twin=T.ger),
    Spec("dot", ag.dot, arity=2, shapes=_same(2), twin=T.dot),
    Spec("vdot", ag.vdot, arity=2, shapes=_same(2), twin=T.vdot),
    Spec("mv", ag.mv, arity=2, shapes=mm_shapes.map(lambda s: (s[0], s[1][:1])), twin=T.mv),
    Spec("inner", ag.inner, arity=2, shapes=_inner_shapes, twin=T.inner),
    Spec("tensordot", lambda a, b, d: ag.tensordot(a, b, d), inputs=tensordot_inputs(),
         twin=lambda a, b, d: T.tensordot(a, b, d)),
    Spec("kron", ag.kron, arity=2,
         shapes=st.tuples(shapes(max_dims=2, max_side=2), shapes(max_dims=3, max_side=2)),
         twin=T.kron),
    Spec("cross", ag.cross, inputs=cross_inputs(), twin=_cross),
    Spec("addmm", lambda i, a, b, be, al: ag.addmm(i, a, b, beta=be, alpha=al), inputs=addmm_inputs(),
         twin=lambda i, a, b, be, al: T.addmm(i, a, b, beta=be, alpha=al)),
    Spec("baddbmm", lambda i, a, b, be, al: ag.baddbmm(i, a, b, beta=be, alpha=al), inputs=addmm_inputs(True),
         twin=lambda i, a, b, be, al: T.baddbmm(i, a, b, beta=be, alpha=al)),
    Spec("dist", ag.dist, arity=2, shapes=two, distinct=True,
         args=lambda *s: st.tuples(st.sampled_from([2, 1, 3, math.inf])), twin=T.dist),
    Spec("cdist", ag.cdist, arity=2, distinct=True,
         shapes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.sampled_from([(), (2,)]))
         .map(lambda t: (t[3] + (t[0], t[2]), t[3] + (t[1], t[2]))),
         args=lambda *s: st.tuples(st.sampled_from([2.0, 1.0, 3.0])), twin=T.cdist),
    # -- order statistics, nan-skipping reductions (composites/quantiles.py) ---------------------------------
    Spec("median", ag.median, shapes=reduce_shape, distinct=True, twin=T.median),
    Spec("median:dim", lambda x, d, k: ag.median(x, d, k), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s), st.booleans()), twin=lambda x, d, k: T.median(x, d, k)),
    Spec("quantile", lambda x, q, d, k, how: ag.quantile(x, q, d, k, interpolation=how),
         inputs=quantile_inputs(),
         twin=lambda x, q, d, k, how: T.quantile(x, q, d, k, interpolation=how)),
    Spec("nansum", lambda x, m, d, k: ag.nansum(ag.where(m, NAN, x), d, k), inputs=nan_inputs(),
         twin=_nan(T.nansum)),
    Spec("nanmean", lambda x, m, d, k: ag.nanmean(ag.where(m, NAN, x), d, k), inputs=nan_inputs(),
         twin=_nan(T.nanmean)),
]

SHAPE_NO_ROW: dict[str, str] = dict.fromkeys(
    "nonzero argwhere count_nonzero tril_indices triu_indices searchsorted bucketize".split(),
    "no gradient: integer indices or counts (tests/test_shape_ops.py pins them against PyTorch)")

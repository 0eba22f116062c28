"""Argument strategies for the op table (tests/op_specs.py): shapes, dims, indices and other arguments an
op takes besides its tensors, drawn small (finite differences cost two forward passes per element)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd.testing import broadcastable_shapes, dims, shapes

SIDE, NDIM = 3, 3                     # small tensors: finite differences cost two forward passes per element
one_shape = broadcastable_shapes(1, max_dims=NDIM, max_side=SIDE)
nonscalar = shapes(min_dims=1, max_dims=NDIM, max_side=SIDE).map(lambda s: (s,))


# -- argument strategies ------------------------------------------------------------------------------------------

def dim_keepdim(shape):
    """(dim, keepdim) for a reduction: dim None, an int (0-d tensors accept 0 and -1, as PyTorch) or a tuple
    (() included: it means every dim, as PyTorch)."""
    d = dims(len(shape)) if shape else st.sampled_from([None, 0, -1])
    return st.tuples(d, st.booleans())


def one_dim(shape, extra: int = 0):
    n = max(len(shape) + extra, 1)
    return st.integers(-n, n - 1)


def reducible_to(shape):
    """A shape that broadcasts to `shape` (fewer leading dims, some dims 1): sum_to's target."""
    @st.composite
    def draw(draw):
        lead = draw(st.integers(0, len(shape)))
        return tuple(1 if draw(st.booleans()) else s for s in shape[lead:])
    return draw()


def reshape_target(shape):
    """Another shape with as many elements: dims regrouped, 1s inserted, maybe one -1."""
    @st.composite
    def draw(draw):
        sizes = list(draw(st.permutations(list(shape))))
        groups, cur = [], 1
        for s in sizes:
            cur *= s
            if draw(st.booleans()):
                groups.append(cur)
                cur = 1
        groups.append(cur)
        for _ in range(draw(st.integers(0, 1))):
            groups.insert(draw(st.integers(0, len(groups))), 1)
        if draw(st.booleans()):
            groups[draw(st.integers(0, len(groups) - 1))] = -1
        return tuple(groups)
    return draw()


def expand_target(shape):
    @st.composite
    def draw(draw):
        lead = draw(st.lists(st.integers(1, 3), max_size=2))
        return tuple(lead) + tuple(draw(st.sampled_from([-1, 1, 2, 3])) if s == 1 else
                                   draw(st.sampled_from([s, -1])) for s in shape)
    return draw()


def flatten_dims(shape):
    n = max(len(shape), 1)
    return st.tuples(st.integers(-n, n - 1), st.integers(-n, n - 1)).filter(lambda se: se[0] % n <= se[1] % n)


def squeeze_dim(shape):
    n = max(len(shape), 1)
    return st.one_of(st.none(), st.integers(-n, n - 1),
                     st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True).map(tuple))


def compatible_shape(shape):
    """A shape that broadcasts against `shape` without changing the result (where's condition)."""
    return reducible_to(shape)


def index(shape):
    """Every kind of index: basic (ints, slices with steps, None, Ellipsis), integer arrays with repeats,
    lists like x[[0, 0, 1]], boolean masks, and mixed integer/slice indices."""
    options = [hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True)]
    if shape:
        n0 = shape[0]
        options += [
            hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)),
            st.lists(st.integers(-n0, n0 - 1), min_size=1, max_size=5),                     # x[[0, 0, 1]]
            hnp.arrays(np.bool_, shape),                                                   # x[x > 0]
            hnp.arrays(np.bool_, shape[:1]).map(lambda m: (m, Ellipsis)),                  # rows by mask
            st.lists(st.integers(0, 9), min_size=1, max_size=4).map(                        # x[:, [1, 1, 0]]
                lambda i: (slice(None), np.array(i) % shape[1]) if len(shape) > 1 else (Ellipsis, np.array(i) % n0)),
        ]
    return st.one_of(options)


with_empty = shapes(min_dims=0, max_dims=NDIM, min_side=0, max_side=SIDE).map(lambda s: (s,))
matrices = shapes(min_dims=2, max_dims=NDIM, max_side=SIDE).map(lambda s: (s,))
matrix_2 = shapes(min_dims=2, max_dims=NDIM, min_side=2, max_side=SIDE).map(lambda s: (s,))   # x.mT: a copy


def dim_of(shape):
    """One dim of `shape`, and its size (1 for a 0-d tensor)."""
    return one_dim(shape).map(lambda d: (d, shape[d] if shape else 1))


def flip_dims(shape):
    n = len(shape)
    if not n:
        return st.sampled_from([(), (0,), (-1,)])
    return st.lists(st.integers(0, n - 1), unique=True, max_size=n).map(lambda ds: tuple(d - n if d % 2 else d
                                                                                          for d in ds))


def roll_args(shape):
    n = len(shape)
    if not n:
        return st.tuples(st.integers(-2, 2), st.none())
    dims_ = st.lists(st.integers(-n, n - 1), unique_by=lambda d: d % n, min_size=1, max_size=n).map(tuple)
    return st.one_of(st.tuples(st.integers(-4, 4), st.none()),
                     dims_.flatmap(lambda ds: st.tuples(st.lists(st.integers(-4, 4), min_size=len(ds),
                                                                 max_size=len(ds)).map(tuple), st.just(ds))))


def repeat_sizes(shape):
    return st.integers(0, 2).flatmap(lambda extra: st.lists(st.integers(0, 3), min_size=len(shape) + extra,
                                                            max_size=len(shape) + extra).map(tuple))


def norm_args(shape):
    return st.tuples(st.sampled_from(["fro", 2, 1, 3, 0.5]), dims(len(shape)), st.booleans())


mm_shapes = st.tuples(st.integers(1, SIDE), st.integers(1, SIDE), st.integers(1, SIDE)).map(
    lambda nkm: ((nkm[0], nkm[1]), (nkm[1], nkm[2])))
bmm_shapes = st.tuples(st.integers(1, 2), st.integers(1, SIDE), st.integers(1, SIDE), st.integers(1, SIDE)).map(
    lambda b: ((b[0], b[1], b[2]), (b[0], b[2], b[3])))
EINSUMS = ["ij,jk->ik", "ij,jk", "bij,bjk->bik", "i,i->", "i,j->ij", "ii->i", "ii", "ij->ji", "ij->", "ijk,ik->j",
           "iij,j->i", "bhqd,bhkd->bhqk", "...ij,jk->...ik", "...i,...i->...", "i,i,i->", "ab,bc,cd->ad"]


matmul_shapes = hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=SIDE).map(
    lambda b: b.input_shapes)
two = broadcastable_shapes(2, max_dims=NDIM, max_side=SIDE)
three = broadcastable_shapes(3, max_dims=NDIM, max_side=SIDE)
reduce_shape = shapes(min_dims=0, max_dims=NDIM, max_side=SIDE).map(lambda s: (s,))
var_shape = shapes(min_dims=1, max_dims=NDIM, min_side=2, max_side=SIDE).map(lambda s: (s,))


def _var_args(shape):
    return st.tuples(dims(len(shape)), st.booleans(), st.sampled_from([0, 1]))

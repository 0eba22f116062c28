"""Complete argument tuples for the shape, indexing and linear-algebra rows of tests/op_specs_shape.py, whose
tensors and arguments depend on each other (index ranges, matching sizes, masks)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_strategies import NDIM, SIDE, dim_of, reducible_to

import autograd as ag
from autograd.testing import shapes, tensors

small = shapes(min_dims=0, max_dims=NDIM, max_side=SIDE)
nonempty = shapes(min_dims=1, max_dims=NDIM, max_side=SIDE)


def _ints(shape, low: int, high: int):
    return hnp.arrays(np.int64, shape, elements=st.integers(low, high))


@st.composite
def move_inputs(draw):
    """x, source dims, destination dims (ints or tuples, negative ones too)."""
    shape = draw(nonempty)
    n = len(shape)
    k = draw(st.integers(1, n))
    src = draw(st.permutations(range(n)))[:k]
    dst = draw(st.permutations(range(n)))[:k]
    signed = [d - n if draw(st.booleans()) else d for d in src]
    one = k == 1 and draw(st.booleans())
    return draw(tensors(shape)), signed[0] if one else tuple(signed), dst[0] if one else tuple(dst)


@st.composite
def narrow_inputs(draw):
    shape = draw(nonempty)
    d, n = draw(dim_of(shape))
    start = draw(st.integers(-n, n))
    first = start + n if start < 0 else start
    return draw(tensors(shape)), d, start, draw(st.integers(0, n - first))


@st.composite
def unflatten_inputs(draw):
    shape = draw(nonempty)
    d, n = draw(dim_of(shape))
    sizes = draw(st.sampled_from([s for s in [(n,), (1, n), (n, 1), (-1,), (n, -1), (1, -1, 1)]]))
    return draw(tensors(shape)), d, sizes


@st.composite
def repeat_interleave_inputs(draw):
    """x, repeats (an int, a 1-element or a per-slice int64 array), dim (None: the flattened x)."""
    shape = draw(small)
    dim = draw(st.none() | st.integers(-len(shape), len(shape) - 1)) if shape else None
    n = (int(np.prod(shape)) if dim is None else shape[dim] if shape else 1)
    repeats = draw(st.integers(0, 3) | _ints(draw(st.sampled_from([(1,), (n,)])), 0, 3))
    return draw(tensors(shape)), repeats, dim


@st.composite
def index_inputs(draw, what: str):
    """x, dim, a vector index (with repeats; 0-d too) for index_select/index_fill; for index_add and
    index_copy also the source (index_copy: distinct indices, since the winner of a repeat is unspecified)."""
    shape = draw(small)
    d, n = draw(dim_of(shape))
    d_ = d % len(shape) if shape else 0
    x = draw(tensors(shape))
    if not shape and what != "index_fill":                  # a 0-d input takes one index
        idx = draw(_ints(draw(st.sampled_from([(), (1,)])), 0, 0))
    elif not shape:                    # index_fill of 0-d: no empty index (torch's backward to a value fails)
        idx = draw(_ints(draw(st.sampled_from([(), (1,), (2,)])), 0, 0))
    elif what == "index_copy":
        k = draw(st.integers(0, n))
        idx = np.asarray(draw(st.permutations(range(n)))[:k], dtype=np.int64)
    else:
        idx = draw(_ints(draw(st.sampled_from([(), (1,), (draw(st.integers(0, 4)),)])), 0, n - 1))
    if what in ("index_select", "index_fill"):
        value = draw(st.sampled_from([-1.5, 0.0]) | tensors(())) if what == "index_fill" else None
        return (x, d, idx) + ((value,) if what == "index_fill" else ())
    src_shape = (shape[:d_] + (idx.size,) + shape[d_ + 1:]) if shape else ()
    if what == "index_copy" and idx.size == 1 and len(shape) <= 1 and draw(st.booleans()):
        src_shape = (1,) if not shape else ()
    return x, draw(tensors(src_shape)), d, idx


@st.composite
def take_inputs(draw):
    shape = draw(small)
    n = int(np.prod(shape))
    return draw(tensors(shape)), draw(_ints(draw(shapes(max_dims=2, max_side=4)), -n, n - 1))


@st.composite
def mask_inputs(draw, scatter: bool = False):
    """x and a bool mask that broadcast together (either may be the larger); masked_scatter: the mask
    broadcasts to x, and a source with at least as many elements as the mask selects."""
    shape = draw(small)
    mask_shape = draw(reducible_to(shape))
    if not scatter and draw(st.booleans()):
        shape, mask_shape = mask_shape, shape
    mask = draw(hnp.arrays(np.bool_, mask_shape))
    x = draw(tensors(shape))
    if not scatter:
        return x, ag.tensor(mask)
    need = int(np.broadcast_to(mask, shape).sum())
    return x, draw(tensors((need + draw(st.integers(0, 2)),))), ag.tensor(mask)


@st.composite
def unfold_inputs(draw):
    shape = draw(small)
    d, n = draw(dim_of(shape))
    return draw(tensors(shape)), d, draw(st.integers(0 if shape else 1, n)), draw(st.integers(1, 3))


@st.composite
def stack_like_inputs(draw, how: str):
    """Tensors hstack/vstack/dstack/column_stack accept: equal shapes but along the joined dim."""
    k = draw(st.integers(1, 3))
    if how == "column_stack":
        n = draw(st.integers(1, SIDE))
        kinds = [(n,), (n, draw(st.integers(1, 2)))] + ([()] if n == 1 else [])
        return tuple(draw(tensors(draw(st.sampled_from(kinds)))) for _ in range(k))
    ndim = draw(st.integers(0, 3))
    base = list(draw(shapes(min_dims=ndim, max_dims=ndim, max_side=SIDE)))
    joined = {"hstack": 1 if ndim > 1 else 0, "vstack": 0, "dstack": 2}[how]
    if ndim == 0 or (how == "dstack" and ndim < 3) or (how == "vstack" and ndim < 2):
        return tuple(draw(tensors(tuple(base))) for _ in range(k))          # made bigger, then equal
    out = []
    for _ in range(k):
        base[joined] = draw(st.integers(1, SIDE))
        out.append(draw(tensors(tuple(base))))
    return tuple(out)


@st.composite
def diag_embed_inputs(draw):
    shape = draw(nonempty)
    n = len(shape) + 1
    d1, d2 = draw(st.permutations(range(n)))[:2]
    return draw(tensors(shape)), draw(st.integers(-2, 2)), d1 - n if draw(st.booleans()) else d1, d2


@st.composite
def block_diag_inputs(draw):
    k = draw(st.integers(1, 3))
    return tuple(draw(tensors(draw(shapes(max_dims=2, max_side=SIDE)))) for _ in range(k))


@st.composite
def vectors(draw, k_min: int = 1, k_max: int = 3, scalar: bool = False):
    k = draw(st.integers(k_min, k_max))
    sides = st.sampled_from([(), (1,), (2,), (3,)]) if scalar else st.integers(1, SIDE).map(lambda n: (n,))
    return tuple(draw(tensors(draw(sides))) for _ in range(k))


@st.composite
def tensordot_inputs(draw):
    a_shape = draw(shapes(min_dims=1, max_dims=3, max_side=SIDE))
    k = draw(st.integers(0, len(a_shape)))
    da = list(draw(st.permutations(range(len(a_shape))))[:k])
    rest = draw(shapes(min_dims=0, max_dims=3 - k, max_side=SIDE)) if k < 3 else ()
    b_dims = [a_shape[d] for d in da] + list(rest)
    order = draw(st.permutations(range(len(b_dims))))
    b_shape = tuple(b_dims[i] for i in order)
    db = [order.index(i) for i in range(k)]
    contiguous = da == list(range(len(a_shape) - k, len(a_shape))) and db == list(range(k))
    dims = k if contiguous and draw(st.booleans()) else (da, db)
    return draw(tensors(a_shape)), draw(tensors(b_shape)), dims


@st.composite
def cross_inputs(draw):
    shape = list(draw(shapes(min_dims=1, max_dims=3, max_side=2)))
    d = draw(st.integers(0, len(shape) - 1))
    shape[d] = 3
    other = tuple(s if i == d or draw(st.booleans()) else 1 for i, s in enumerate(shape))
    dim = None if 3 not in shape[:d] and draw(st.booleans()) else d - len(shape) * draw(st.integers(0, 1))
    return draw(tensors(tuple(shape))), draw(tensors(other)), dim


@st.composite
def addmm_inputs(draw, batched: bool = False):
    b = (draw(st.integers(1, 2)),) if batched else ()
    n, m, p = (draw(st.integers(1, SIDE)) for _ in range(3))
    inp = draw(reducible_to(b + (n, p)))
    coef = st.sampled_from([1, 0.5, -2.0])
    return (draw(tensors(inp)), draw(tensors(b + (n, m))), draw(tensors(b + (m, p))), draw(coef),
            draw(st.sampled_from([1, 0.5, 0])))


@st.composite
def quantile_inputs(draw):
    shape = draw(small)
    dim = draw(st.none() | (st.integers(-len(shape), len(shape) - 1) if shape else st.just(0)))
    qs = hnp.arrays(np.float64, draw(st.integers(1, 3)), elements=st.floats(0, 1)).map(ag.tensor)
    q = draw(st.floats(0, 1) | qs)
    how = draw(st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
    return draw(tensors(shape, distinct=True)), q, dim, draw(st.booleans()), how


@st.composite
def nan_inputs(draw):
    """x, a mask of where to put nan, and (dim, keepdim)."""
    shape = draw(small)
    d = draw(st.none() | (st.integers(-len(shape), len(shape) - 1) if shape else st.just(0)))
    return draw(tensors(shape)), ag.tensor(draw(hnp.arrays(np.bool_, shape))), d, draw(st.booleans())

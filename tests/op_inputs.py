"""Complete argument tuples for the op table's rows whose tensors and arguments depend on each other
(tests/op_specs.py: `Spec(inputs=...)`)."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_strategies import (
    EINSUMS,
    NDIM,
    SIDE,
    dim_of,
    index,
    nonscalar,
    one_dim,
    reduce_shape,
    reducible_to,
    with_empty,
)

import autograd as ag
from autograd.testing import shapes, tensors, values


@st.composite
def pick_inputs(draw):
    """logp[range(n), y]: the classic negative log-likelihood pick, with repeated rows and classes."""
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x = draw(tensors((n, c)))
    y = draw(hnp.arrays(np.int64, n, elements=st.integers(0, c - 1)))
    rows = draw(st.sampled_from([range(n), np.zeros(n, dtype=np.int64)]))   # all rows, or row 0 n times
    return x, (rows, y)


@st.composite
def index_add_inputs(draw):
    shape = draw(shapes(max_dims=NDIM, max_side=SIDE))
    idx = draw(index(shape))
    idx = ag.ops.normalize_index(idx)
    out_shape = np.zeros(shape)[idx].shape
    return draw(tensors(out_shape)), idx, shape


@st.composite
def index_put_inputs(draw):
    """Unique positions only: with repeats `x[idx] = v` keeps one write, which no gradient can describe."""
    shape = draw(shapes(max_dims=NDIM, max_side=SIDE))
    idx = draw(st.one_of(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True),
                         hnp.arrays(np.bool_, shape)))
    target = np.zeros(shape)[idx].shape
    v_shape = draw(reducible_to(target))
    return draw(tensors(shape)), draw(tensors(v_shape)), idx


@st.composite
def cat_inputs(draw):
    base = list(draw(shapes(min_dims=1, max_dims=NDIM, max_side=SIDE)))
    d = draw(st.integers(-len(base), len(base) - 1))
    xs = []
    for _ in range(draw(st.integers(1, 3))):
        base[d] = draw(st.integers(1, SIDE))
        xs.append(draw(tensors(tuple(base))))
    return *xs, d


@st.composite
def stack_inputs(draw):
    shape = draw(shapes(max_dims=NDIM, max_side=SIDE))
    xs = [draw(tensors(shape)) for _ in range(draw(st.integers(1, 3)))]
    return *xs, draw(st.integers(-len(shape) - 1, len(shape)))


@st.composite
def split_inputs(draw, chunk: bool = False):
    shape = draw(shapes(min_dims=1, max_dims=NDIM, max_side=4))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[d]
    if chunk:
        how = draw(st.integers(1, n + 1))
    elif draw(st.booleans()):
        how = draw(st.integers(1, n + 1))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        how = [b - a for a, b in zip([0, *cuts], [*cuts, n])]
    return draw(tensors(shape)), how, d


@st.composite
def pad_inputs(draw):
    shape = draw(shapes(min_dims=1, max_dims=NDIM, max_side=SIDE))
    k = draw(st.integers(1, len(shape)))
    widths = tuple(draw(st.lists(st.integers(0, 2), min_size=2 * k, max_size=2 * k)))
    return draw(tensors(shape)), widths, draw(st.sampled_from([0.0, -1.5]))


@st.composite
def take_along_inputs(draw):
    shape = draw(shapes(min_dims=1, max_dims=NDIM, max_side=SIDE))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    idx_shape = list(shape)
    idx_shape[d] = draw(st.integers(1, 4))
    idx = draw(hnp.arrays(np.int64, tuple(idx_shape), elements=st.integers(0, shape[d] - 1)))
    return draw(tensors(shape)), idx, d


@st.composite
def cross_entropy_inputs(draw, learned_weight: bool = False):
    """(C,), (N, C) or (N, C, d); class indices (with ignore_index) or class probabilities; weights; every
    reduction; label smoothing. learned_weight: a weight that requires grad, with class probabilities (the
    targets PyTorch differentiates the weight for; tests/test_nn_functional.py checks class indices)."""
    layout = draw(st.sampled_from(["C", "NC", "NCd"]))
    n, c, d = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    shape = {"C": (c,), "NC": (n, c), "NCd": (n, c, d)}[layout]
    x = draw(tensors(shape))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    smoothing = draw(st.sampled_from([0.0, 0.1]))
    weight = draw(st.none() | hnp.arrays(np.float64, c, elements=st.floats(0.2, 2.0)).map(ag.tensor))
    if learned_weight:
        weight = draw(hnp.arrays(np.float64, c, elements=st.floats(0.2, 2.0))
                      .map(lambda w: ag.tensor(w, requires_grad=True)))
    if learned_weight or draw(st.booleans()):                 # class probabilities, shaped like the input
        p = draw(values(math.prod(shape), 0.05, 1.0)).reshape(shape)
        target = ag.tensor(p / p.sum(axis=0 if layout == "C" else 1, keepdims=True))
        ignore = -100
    else:
        t_shape = shape[:1] + shape[2:] if layout != "C" else ()
        t = draw(hnp.arrays(np.int64, t_shape, elements=st.integers(0, c - 1)))
        ignore = draw(st.sampled_from([-100, c - 1])) if c > 1 else -100
        if ignore == c - 1:                                    # ignore one class, but never every target
            t.flat[0] = draw(st.integers(0, c - 2))
        target = ag.tensor(t)
    return x, target, weight, ignore, reduction, smoothing


@st.composite
def running_inputs(draw, empty: bool = True, avoid: tuple = ()):
    """cumsum/cumprod: any shape (empty ones too) and one dim."""
    (shape,) = draw(with_empty if empty else reduce_shape)
    return draw(tensors(shape, avoid=avoid, margin=0.3)), draw(one_dim(shape))


@st.composite
def cumprod_zero_inputs(draw):
    """cumprod through exact zeros (the backward's second branch): x times a fixed 0/1 mask."""
    x, d = draw(running_inputs(empty=False, avoid=(0.0,)))
    mask = draw(hnp.arrays(np.bool_, x.shape)).astype(np.float64)
    return x, ag.tensor(mask), d


@st.composite
def gather_inputs(draw):
    (shape,) = draw(reduce_shape)
    d, n = draw(dim_of(shape))
    idx_shape = tuple(draw(st.integers(1, 4)) if i == d % max(len(shape), 1) else draw(st.integers(1, s))
                      for i, s in enumerate(shape))
    idx = draw(hnp.arrays(np.int64, idx_shape, elements=st.integers(0, n - 1)))
    return draw(tensors(shape)), ag.tensor(idx), d


@st.composite
def scatter_inputs(draw, unique: bool = True):
    """x, src, index, dim for scatter/scatter_add: index no larger than x outside dim. scatter's indices are
    distinct along dim (with repeats, which write wins is unspecified, as in PyTorch, so src's gradient is too)."""
    (shape,) = draw(nonscalar)
    d, n = draw(dim_of(shape))
    d %= len(shape)
    k = draw(st.integers(1, n if unique else 4))
    idx_shape = tuple(k if i == d else draw(st.integers(1, s)) for i, s in enumerate(shape))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if unique:
        order = np.argsort(rng.random(idx_shape[:d] + (n,) + idx_shape[d + 1:]), axis=d)
        idx = np.take(order, range(k), axis=d)
    else:
        idx = rng.integers(0, n, idx_shape)
    return draw(tensors(shape)), draw(tensors(idx_shape)), ag.tensor(idx), d


@st.composite
def masked_fill_inputs(draw, tensor_value: bool = False):
    """A bool mask that broadcasts to x's shape; the value a number or a 0-d tensor that learns too."""
    (shape,) = draw(reduce_shape)
    mask = ag.tensor(draw(hnp.arrays(np.bool_, draw(reducible_to(shape)))))
    value = draw(tensors(())) if tensor_value else draw(st.sampled_from([0.0, -1.5]))
    return draw(tensors(shape)), mask, value


@st.composite
def topk_inputs(draw):
    (shape,) = draw(reduce_shape)
    d, n = draw(dim_of(shape))
    return (draw(tensors(shape, distinct=True)), draw(st.integers(0 if shape else 1, n)), d,
            draw(st.booleans()))


@st.composite
def einsum_inputs(draw):
    """Contractions, outer products, diagonals and traces, implicit outputs, '...' batch dims (broadcast
    among the operands too), chains of three."""
    eq = draw(st.sampled_from(EINSUMS))
    size = {c: draw(st.integers(1, SIDE)) for c in sorted(set(eq) - set(",.->"))}
    ell = draw(shapes(max_dims=2, max_side=SIDE))
    xs = []
    for term in eq.split("->")[0].split(","):
        lead = ell[draw(st.integers(0, len(ell))):] if "..." in term else ()
        lead = tuple(1 if draw(st.booleans()) else s for s in lead)
        xs.append(draw(tensors(lead + tuple(size[c] for c in term.replace("...", "")))))
    return (*xs, eq)


@st.composite
def remainder_inputs(draw):
    """x = y·(k + f), f in [0.15, 0.85]: finite differences never cross one of remainder's jumps. y (either
    sign) broadcasts against x."""
    (shape,) = draw(reduce_shape)
    y = draw(tensors(draw(reducible_to(shape)), low=0.5, high=2.5)).numpy()
    y = y * draw(st.sampled_from([1, -1]))
    k = draw(hnp.arrays(np.int64, shape, elements=st.integers(-2, 2)))
    f = draw(values(max(k.size, 1), 0.15, 0.85))[:k.size].reshape(shape)
    return ag.tensor(y * (k + f), requires_grad=True), ag.tensor(y, requires_grad=True)


@st.composite
def linear_inputs(draw):
    """x (..., in), weight (out, in) and maybe a bias (out,): nn.functional.linear's fused op."""
    lead = draw(shapes(max_dims=2, max_side=SIDE))
    n_in, n_out = draw(st.integers(1, SIDE)), draw(st.integers(1, SIDE))
    xs = (draw(tensors(lead + (n_in,))), draw(tensors((n_out, n_in))))
    return xs + ((draw(tensors((n_out,))),) if draw(st.booleans()) else ())


@st.composite
def bce_inputs(draw, logits: bool, pos_weight: bool = False):
    """Scores (probabilities in (0, 1), or logits), targets in [0, 1] that learn too, a reduction, and for
    the logits form maybe a pos_weight that broadcasts over the last dim."""
    (shape,) = draw(nonscalar)
    x = draw(tensors(shape) if logits else tensors(shape, low=0.05, high=0.95))
    xs = (x, draw(tensors(shape, low=0.0, high=1.0)))
    if pos_weight:
        xs += (draw(tensors(shape[-1:], low=0.5, high=2.0, requires_grad=False)),)   # no gradient, as PyTorch
    return xs + (draw(st.sampled_from(["mean", "sum", "none"])),)


@st.composite
def attention_inputs(draw):
    """q (..., L, E), k (..., S, E), v (..., S, Ev) with no, one or two batch dims, and no mask, is_causal, a
    bool mask (a row may be all False: zeros out) or a float one."""
    lead = draw(st.sampled_from([(), (2,), (2, 1)]))
    L, S, E, Ev = (draw(st.integers(1, SIDE)) for _ in range(4))
    q, k, v = draw(tensors(lead + (L, E))), draw(tensors(lead + (S, E))), draw(tensors(lead + (S, Ev)))
    kind = draw(st.sampled_from(["none", "causal", "bool", "float"]))
    mask = None
    if kind == "bool":
        mask = ag.tensor(draw(hnp.arrays(np.bool_, (L, S))))
    elif kind == "float":
        mask = ag.tensor(draw(values(L * S, -1.0, 1.0)).reshape(L, S))
    return q, k, v, mask, kind == "causal"

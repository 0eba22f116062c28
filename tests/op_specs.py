"""The op table: one `Spec` row per public differentiable op (more for ops with several forms), each saying
where the op's inputs may lie, which extra arguments to draw and what PyTorch computes instead (`twin`, or
why there is no twin). tests/test_ops_gradcheck.py runs gradcheck and gradgradcheck over every row,
tests/test_ops_vs_torch.py compares each row with its twin, tests/test_kernels.py runs it with kernels on
and off. Adding an op = one row here; a name after ':' marks a variant. tests/test_wiring.py fails when an
op class no row reaches, a row without a twin or reason, or a public op without a row (or a NO_ROW reason).
"""
from __future__ import annotations

import importlib
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd.testing import Spec, broadcastable_shapes, dims, shapes, tensors, values
from nn import functional as nnf

SIDE, NDIM = 3, 3                     # small tensors: finite differences cost two forward passes per element
one_shape = broadcastable_shapes(1, max_dims=NDIM, max_side=SIDE)
nonscalar = shapes(min_dims=1, max_dims=NDIM, max_side=SIDE).map(lambda s: (s,))


class _Torch:
    """`T.add` stands for torch.add, `F.pad` for torch.nn.functional.pad, looked up when called: the table
    loads without torch (test_ops_vs_torch skips then)."""
    def __init__(self, path: str = "torch") -> None:
        self.path = path

    def __getattr__(self, name: str) -> _Torch:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Torch(f"{self.path}.{name}")

    def __call__(self, *args, **kwargs):
        obj = importlib.import_module("torch")
        for part in self.path.split(".")[1:]:
            obj = getattr(obj, part)
        return obj(*args, **kwargs)

    def __repr__(self) -> str:
        return self.path


T, F = _Torch(), _Torch("torch.nn.functional")


# -- twins that need more than one PyTorch call ---------------------------------------------------------------

def _all(x, d):
    return tuple(range(x.ndim)) if d is None else d


def _no_empty(d):
    """torch 2.13's var/std reduce everything for dim=() but their gradient is then wrong: ask with None."""
    return None if d == () else d


def _prod(x, d, k):
    dims = sorted({i % max(x.ndim, 1) for i in ((d,) if isinstance(d, int) else _all(x, d) or range(x.ndim))},
                  reverse=True)
    if x.ndim == 0:
        return x * 1
    for i in dims:
        x = x.prod(i, keepdim=True)
    return x if k else x.reshape([s for i, s in enumerate(x.shape) if i not in dims])


def _ce(x, t, w, ignore, reduction, smoothing):
    return F.cross_entropy(x, t, weight=w, ignore_index=ignore, reduction=reduction, label_smoothing=smoothing)


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
def cross_entropy_inputs(draw):
    """(C,), (N, C) or (N, C, d); class indices (with ignore_index) or class probabilities; weights; every
    reduction; label smoothing."""
    layout = draw(st.sampled_from(["C", "NC", "NCd"]))
    n, c, d = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    shape = {"C": (c,), "NC": (n, c), "NCd": (n, c, d)}[layout]
    x = draw(tensors(shape))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    smoothing = draw(st.sampled_from([0.0, 0.1]))
    weight = draw(st.none() | hnp.arrays(np.float64, c, elements=st.floats(0.2, 2.0)).map(ag.tensor))
    if draw(st.booleans()):                                   # class probabilities, shaped like the input
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


def ce(x, target, weight, ignore_index, reduction, label_smoothing):
    return ag.cross_entropy(x, target, weight=weight, ignore_index=ignore_index, reduction=reduction,
                            label_smoothing=label_smoothing)


with_empty = shapes(min_dims=0, max_dims=NDIM, min_side=0, max_side=SIDE).map(lambda s: (s,))
matrices = shapes(min_dims=2, max_dims=NDIM, max_side=SIDE).map(lambda s: (s,))
matrix_2 = shapes(min_dims=2, max_dims=NDIM, min_side=2, max_side=SIDE).map(lambda s: (s,))   # x.mT: not row-major


def dim_of(shape):
    """One dim of `shape`, and its size (1 for a 0-d tensor)."""
    return one_dim(shape).map(lambda d: (d, shape[d] if shape else 1))


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


def norm_args(shape):
    return st.tuples(st.sampled_from(["fro", 2, 1, 3, 0.5]), dims(len(shape)), st.booleans())


mm_shapes = st.tuples(st.integers(1, SIDE), st.integers(1, SIDE), st.integers(1, SIDE)).map(
    lambda nkm: ((nkm[0], nkm[1]), (nkm[1], nkm[2])))
bmm_shapes = st.tuples(st.integers(1, 2), st.integers(1, SIDE), st.integers(1, SIDE), st.integers(1, SIDE)).map(
    lambda b: ((b[0], b[1], b[2]), (b[0], b[2], b[3])))
EINSUMS = ["ij,jk->ik", "ij,jk", "bij,bjk->bik", "i,i->", "i,j->ij", "ii->i", "ii", "ij->ji", "ij->", "ijk,ik->j",
           "iij,j->i", "bhqd,bhkd->bhqk", "...ij,jk->...ik", "...i,...i->...", "i,i,i->", "ab,bc,cd->ad"]


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


matmul_shapes = hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=SIDE).map(
    lambda b: b.input_shapes)
two = broadcastable_shapes(2, max_dims=NDIM, max_side=SIDE)
three = broadcastable_shapes(3, max_dims=NDIM, max_side=SIDE)
reduce_shape = shapes(min_dims=0, max_dims=NDIM, max_side=SIDE).map(lambda s: (s,))
var_shape = shapes(min_dims=1, max_dims=NDIM, min_side=2, max_side=SIDE).map(lambda s: (s,))


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


def _var_args(shape):
    return st.tuples(dims(len(shape)), st.booleans(), st.sampled_from([0, 1]))


SPECS: list[Spec] = [
    # -- arithmetic -------------------------------------------------------------------------------------------
    Spec("add", ag.add, arity=2, shapes=two, twin=T.add),
    Spec("sub", ag.sub, arity=2, shapes=two, twin=T.sub),
    Spec("mul", ag.mul, arity=2, shapes=two, twin=T.mul),
    Spec("div", ag.div, arity=2, shapes=two, domains=((-3, 3), (0.3, 3)), twin=T.div),
    Spec("div:negative", ag.div, arity=2, shapes=two, domains=((-3, 3), (-3, -0.3)), twin=T.div),
    Spec("neg", ag.neg, shapes=one_shape, twin=T.neg),
    Spec("pow", ag.pow, arity=2, shapes=two, domains=((0.2, 3), (-2.5, 2.5)), twin=T.pow),   # tensor ** tensor
    Spec("pow:number_exponent", lambda x, c: x ** c, shapes=one_shape, low=0.2,
         args=lambda s: st.tuples(st.sampled_from([2, 3, 0.5, -1, -2.5, 1])), twin=lambda x, c: x ** c),
    Spec("pow:integer_exponent_negative_base", lambda x, c: x ** c, shapes=one_shape, avoid=(0.0,), margin=0.3,
         args=lambda s: st.tuples(st.sampled_from([2, 3, -1, -2])), twin=lambda x, c: x ** c),
    Spec("pow:number_base", lambda x, c: c ** x, shapes=one_shape,
         args=lambda s: st.tuples(st.sampled_from([2.0, 0.5, math.e])), twin=lambda x, c: c ** x),
    Spec("square", ag.square, shapes=one_shape, twin=T.square),
    Spec("maximum", ag.maximum, arity=2, shapes=two, distinct=True, twin=T.maximum),
    Spec("minimum", ag.minimum, arity=2, shapes=two, distinct=True, twin=T.minimum),
    Spec("where", lambda x, y, cond: ag.where(cond, x, y), arity=2, shapes=two,
         args=lambda sx, sy: st.tuples(hnp.arrays(np.bool_, reducible_to(np.broadcast_shapes(sx, sy)))),
         twin=lambda x, y, c: T.where(c, x, y)),
    Spec("clamp", lambda x, lo, hi: ag.clamp(x, lo, hi), shapes=one_shape, avoid=(-1.0, 1.5),
         args=lambda s: st.sampled_from([(-1.0, 1.5), (-1.0, None), (None, 1.5)]),
         twin=lambda x, lo, hi: T.clamp(x, lo, hi)),
    Spec("clamp:tensor_bounds", ag.clamp, arity=3, shapes=three, distinct=True,
         twin=lambda *a: T.clamp(*T.broadcast_tensors(*a))),        # the bounds learn too
    Spec("pow:zero_base", lambda x, y: (x * 0) ** y, arity=2, shapes=two, domains=((-3, 3), (0.5, 3)),
         twin=lambda x, y: (x * 0) ** y),
    Spec("cast", lambda x: ag.cast(x, x.dtype), shapes=one_shape,
         twin="no PyTorch function: cast(x, dtype) is chainrule's differentiable x.to(dtype)"),
    # -- unary ------------------------------------------------------------------------------------------------
    Spec("exp", ag.exp, shapes=one_shape, twin=T.exp),
    Spec("log", ag.log, shapes=one_shape, low=0.2, twin=T.log),
    Spec("sqrt", ag.sqrt, shapes=one_shape, low=0.2, twin=T.sqrt),
    Spec("abs", ag.abs, shapes=one_shape, avoid=(0.0,), twin=T.abs),
    Spec("sin", ag.sin, shapes=one_shape, twin=T.sin),
    Spec("cos", ag.cos, shapes=one_shape, twin=T.cos),
    Spec("tanh", ag.tanh, shapes=one_shape, twin=T.tanh),
    Spec("sigmoid", ag.sigmoid, shapes=one_shape, low=-8, high=8, twin=T.sigmoid),
    Spec("erf", ag.erf, shapes=one_shape, twin=T.erf),
    Spec("relu", ag.relu, shapes=one_shape, avoid=(0.0,), twin=T.relu),
    Spec("leaky_relu", lambda x, a: ag.leaky_relu(x, a), shapes=one_shape, avoid=(0.0,),
         args=lambda s: st.tuples(st.sampled_from([0.01, 0.2])), twin=F.leaky_relu),
    Spec("gelu", ag.gelu, shapes=one_shape, twin=F.gelu),
    Spec("softplus", lambda x, b: ag.softplus(x, b), shapes=one_shape,
         args=lambda s: st.tuples(st.sampled_from([1.0, 2.0, 0.5])), twin=lambda x, b: F.softplus(x, b)),
    Spec("softplus:threshold", lambda x: ag.softplus(x, 2.0, 1.0), shapes=one_shape, avoid=(0.5,),   # x = x past it
         twin=lambda x: F.softplus(x, 2.0, 1.0)),
    Spec("gelu:tanh", lambda x: ag.gelu(x, approximate="tanh"), shapes=one_shape,
         twin=lambda x: F.gelu(x, approximate="tanh")),
    # -- reductions -------------------------------------------------------------------------------------------
    Spec("sum", lambda x, d, k: ag.sum(x, d, k), shapes=reduce_shape, args=dim_keepdim,
         twin=lambda x, d, k: T.sum(x, d, k)),
    Spec("mean", lambda x, d, k: ag.mean(x, d, k), shapes=reduce_shape, args=dim_keepdim,
         twin=lambda x, d, k: T.mean(x, d, k)),
    Spec("var", lambda x, d, k, c: ag.var(x, d, k, correction=c), shapes=var_shape, args=_var_args,
         twin=lambda x, d, k, c: T.var(x, _no_empty(d), correction=c, keepdim=k)),
    Spec("std", lambda x, d, k, c: ag.std(x, d, k, correction=c), shapes=var_shape, args=_var_args,
         distinct=True, twin=lambda x, d, k, c: T.std(x, _no_empty(d), correction=c, keepdim=k)),
    Spec("prod", lambda x, d, k: ag.prod(x, d, k), shapes=reduce_shape, args=dim_keepdim, avoid=(0.0,), margin=0.3,
         twin=_prod),
    Spec("prod:with_zeros", lambda x, d, k: ag.prod(x * ag.tensor((np.arange(x.numel()) % 3 != 0).reshape(
        x.shape).astype(x.dtype)), d, k), shapes=reduce_shape, args=dim_keepdim,
         twin=lambda x, d, k: _prod(x * T.tensor(np.arange(x.numel()).reshape(x.shape) % 3 != 0), d, k)),
    Spec("amax", lambda x, d, k: ag.amax(x, d, k), shapes=reduce_shape, args=dim_keepdim, distinct=True,
         twin=lambda x, d, k: T.amax(x, _all(x, d), k)),
    Spec("amin", lambda x, d, k: ag.amin(x, d, k), shapes=reduce_shape, args=dim_keepdim, distinct=True,
         twin=lambda x, d, k: T.amin(x, _all(x, d), k)),
    Spec("max", ag.max, shapes=reduce_shape, distinct=True, twin=T.max),
    Spec("max:dim", lambda x, d, k: ag.max(x, d, k), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s), st.booleans()), twin=lambda x, d, k: T.max(x, d, k)),
    Spec("max:other", lambda x, y: ag.max(x, y), arity=2, shapes=two, distinct=True, twin=T.max),
    Spec("min", ag.min, shapes=reduce_shape, distinct=True, twin=T.min),
    Spec("min:dim", lambda x, d, k: ag.min(x, d, k), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s), st.booleans()), twin=lambda x, d, k: T.min(x, d, k)),
    Spec("min:other", lambda x, y: ag.min(x, y), arity=2, shapes=two, distinct=True, twin=T.min),
    Spec("logsumexp", lambda x, d, k: ag.logsumexp(x, d, k), shapes=reduce_shape, args=dim_keepdim,
         twin=lambda x, d, k: T.logsumexp(x, _all(x, _no_empty(d)), k) if x.ndim else x * 1),
    # -- softmax family ---------------------------------------------------------------------------------------
    Spec("softmax", lambda x, d: ag.softmax(x, d), shapes=reduce_shape, args=lambda s: st.tuples(one_dim(s)),
         twin=lambda x, d: T.softmax(x, d)),
    Spec("log_softmax", lambda x, d: ag.log_softmax(x, d), shapes=reduce_shape, args=lambda s: st.tuples(one_dim(s)),
         twin=lambda x, d: T.log_softmax(x, d)),
    Spec("cross_entropy", ce, inputs=cross_entropy_inputs(), twin=_ce),
    Spec("binary_cross_entropy", lambda p, t, r: nnf.binary_cross_entropy(p, t, reduction=r),
         inputs=bce_inputs(logits=False), twin=lambda p, t, r: F.binary_cross_entropy(p, t, reduction=r)),
    Spec("binary_cross_entropy_with_logits", lambda x, t, r: nnf.binary_cross_entropy_with_logits(x, t, reduction=r),
         inputs=bce_inputs(logits=True), twin=lambda x, t, r: F.binary_cross_entropy_with_logits(x, t, reduction=r)),
    Spec("binary_cross_entropy_with_logits:pos_weight",
         lambda x, t, w, r: nnf.binary_cross_entropy_with_logits(x, t, reduction=r, pos_weight=w),
         inputs=bce_inputs(logits=True, pos_weight=True),
         twin=lambda x, t, w, r: F.binary_cross_entropy_with_logits(x, t, reduction=r, pos_weight=w)),
    # -- linear algebra ---------------------------------------------------------------------------------------
    Spec("linear", nnf.linear, inputs=linear_inputs(), twin=F.linear),
    Spec("matmul", ag.matmul, arity=2, shapes=matmul_shapes, twin=T.matmul),
    # -- shape ------------------------------------------------------------------------------------------------
    Spec("reshape", lambda x, s: ag.reshape(x, s), shapes=reduce_shape, args=lambda s: st.tuples(reshape_target(s)),
         twin=T.reshape),
    Spec("permute", lambda x, p: ag.permute(x, *p), shapes=reduce_shape,
         args=lambda s: st.tuples(st.permutations(range(len(s)))), twin=lambda x, p: x.permute(tuple(p))),
    Spec("contiguous", lambda x, p: ag.contiguous(ag.permute(x, *p)), shapes=reduce_shape,   # a copy when permuted
         args=lambda s: st.tuples(st.permutations(range(len(s)))),
         twin=lambda x, p: x.permute(tuple(p)).contiguous()),
    Spec("contiguous:copy", lambda x: ag.contiguous(x.mT), shapes=matrix_2, twin=lambda x: x.mT.contiguous()),
    Spec("transpose", lambda x, a, b: ag.transpose(x, a, b), shapes=nonscalar,
         args=lambda s: st.tuples(one_dim(s), one_dim(s)), twin=T.transpose),
    Spec("expand", lambda x, s: ag.expand(x, s), shapes=reduce_shape, args=lambda s: st.tuples(expand_target(s)),
         twin=lambda x, s: x.expand(tuple(s))),
    Spec("sum_to", lambda x, s: ag.sum_to(x, s), shapes=reduce_shape, args=lambda s: st.tuples(reducible_to(s)),
         twin=lambda x, s: x.sum_to_size(s) if s else x.sum()),
    Spec("squeeze", lambda x, d: ag.squeeze(x, d), shapes=shapes(max_dims=NDIM, max_side=2).map(lambda s: (s,)),
         args=lambda s: st.tuples(squeeze_dim(s)),
         twin=lambda x, d: x.squeeze() if d is None else x.squeeze(d)),
    Spec("unsqueeze", lambda x, d: ag.unsqueeze(x, d), shapes=reduce_shape,
         args=lambda s: st.tuples(one_dim(s, extra=1)), twin=T.unsqueeze),
    Spec("flatten", lambda x, se: ag.flatten(x, *se), shapes=reduce_shape, args=lambda s: st.tuples(flatten_dims(s)),
         twin=lambda x, se: T.flatten(x, *se)),
    Spec("cat", lambda *a: ag.cat(a[:-1], a[-1]), inputs=cat_inputs(), twin=lambda *a: T.cat(a[:-1], a[-1])),
    Spec("stack", lambda *a: ag.stack(a[:-1], a[-1]), inputs=stack_inputs(),
         twin=lambda *a: T.stack(a[:-1], a[-1])),
    Spec("split", lambda x, how, d: ag.split(x, how, d), inputs=split_inputs(), twin=T.split),
    Spec("chunk", lambda x, n, d: ag.chunk(x, n, d), inputs=split_inputs(chunk=True), twin=T.chunk),
    Spec("pad", lambda x, w, v: ag.pad(x, w, value=v), inputs=pad_inputs(),
         twin=lambda x, w, v: F.pad(x, w, value=v)),
    # -- indexing ---------------------------------------------------------------------------------------------
    Spec("getitem", lambda x, i: x[i], shapes=reduce_shape, args=lambda s: st.tuples(index(s)),
         twin="numpy's indexing (boolean masks with newaxis, lists as index tuples) is not torch's"),
    Spec("getitem:pick", lambda x, i: x[i], inputs=pick_inputs(), twin=lambda x, i: x[i]),
    Spec("index_add", lambda x, i, s: ag.ops.index_add(x, i, s), inputs=index_add_inputs(),
         twin="the engine's own getitem adjoint; torch.index_add takes (dim, index, source)"),
    Spec("index_put", lambda x, v, i: ag.ops.index_put(x, i, v), inputs=index_put_inputs(),
         twin="the engine's own x[i] = v; torch.index_put takes a tuple of index tensors"),
    Spec("take_along_dim", lambda x, i, d: ag.take_along_dim(x, i, d), inputs=take_along_inputs(),
         twin=T.take_along_dim),
    # -- logs, running sums, rearranging, sorting, norms, products (PyTorch's names learners type) ---------------
    Spec("log2", ag.log2, shapes=one_shape, low=0.2, twin=T.log2),
    Spec("log10", ag.log10, shapes=one_shape, low=0.2, twin=T.log10),
    Spec("log1p", ag.log1p, shapes=one_shape, low=-0.8, twin=T.log1p),
    Spec("expm1", ag.expm1, shapes=one_shape, twin=T.expm1),
    Spec("cumsum", lambda x, d: ag.cumsum(x, d), inputs=running_inputs(), twin=T.cumsum),
    Spec("cumprod", lambda x, d: ag.cumprod(x, d), inputs=running_inputs(avoid=(0.0,)), twin=T.cumprod),
    Spec("cumprod:with_zeros", lambda x, m, d: ag.cumprod(x * m, d), inputs=cumprod_zero_inputs(),
         twin=lambda x, m, d: T.cumprod(x * m, d)),
    Spec("gather", lambda x, i, d: ag.gather(x, d, i), inputs=gather_inputs(),
         twin=lambda x, i, d: T.gather(x, d, i)),
    Spec("flip", lambda x, d: ag.flip(x, d), shapes=with_empty, args=lambda s: st.tuples(flip_dims(s)),
         twin=lambda x, d: T.flip(x, d)),
    Spec("roll", lambda x, sh, d: ag.roll(x, sh, d), shapes=with_empty, args=roll_args,
         twin=lambda x, sh, d: T.roll(x, sh, d) if d is not None else T.roll(x, sh)),
    Spec("tril", lambda x, k: ag.tril(x, k), shapes=matrices, args=lambda s: st.tuples(st.integers(-3, 3)),
         twin=T.tril),
    Spec("triu", lambda x, k: ag.triu(x, diagonal=k), shapes=matrices, args=lambda s: st.tuples(st.integers(-3, 3)),
         twin=T.triu),
    Spec("masked_fill", lambda x, m, v: ag.masked_fill(x, m, v), inputs=masked_fill_inputs(),
         twin=T.masked_fill),
    Spec("masked_fill:tensor_value", lambda x, m, v: x.masked_fill(m, v), inputs=masked_fill_inputs(True),
         twin=T.masked_fill),
    Spec("repeat", lambda x, r: ag.repeat(x, *r), shapes=with_empty, args=lambda s: st.tuples(repeat_sizes(s)),
         twin=lambda x, r: x.repeat(*r) if r else x * 1),
    Spec("ravel", ag.ravel, shapes=with_empty, twin=T.ravel),
    Spec("diagonal", lambda x, o, d: ag.diagonal(x, o, *d), shapes=matrices,
         args=lambda s: st.tuples(st.integers(-3, 3), st.permutations(range(len(s))).map(lambda p: tuple(p[:2]))),
         twin=lambda x, o, d: T.diagonal(x, o, *d)),
    Spec("topk", lambda x, k, d, big: ag.topk(x, k, d, big), inputs=topk_inputs(), twin=T.topk),
    Spec("sort", lambda x, d, desc: ag.sort(x, d, desc), shapes=reduce_shape, distinct=True,
         args=lambda s: st.tuples(one_dim(s), st.booleans()), twin=lambda x, d, desc: T.sort(x, d, desc)),
    Spec("norm", lambda x, p, d, k: ag.norm(x, p, d, k), shapes=reduce_shape, avoid=(0.0,), margin=0.2,
         args=norm_args, twin=lambda x, p, d, k: T.norm(x, p, _all(x, d) if p != "fro" else d, k)),
    Spec("norm:inf", lambda x, d, k: x.norm(float("inf"), d, k), shapes=reduce_shape, low=0.2, distinct=True,
         args=dim_keepdim, twin=lambda x, d, k: T.linalg.vector_norm(x, float("inf"), d, k)),
    Spec("vector_norm", lambda x, d, k: ag.vector_norm(x, 2, d, keepdims=k), shapes=reduce_shape, avoid=(0.0,),
         margin=0.2, args=dim_keepdim, twin=lambda x, d, k: T.linalg.vector_norm(x, 2, d, k)),
    Spec("mm", ag.mm, arity=2, shapes=mm_shapes, twin=T.mm),
    Spec("bmm", ag.bmm, arity=2, shapes=bmm_shapes, twin=T.bmm),
    Spec("einsum", lambda *a: ag.einsum(a[-1], *a[:-1]), inputs=einsum_inputs(),
         twin=lambda *a: T.einsum(a[-1], *a[:-1])),
    Spec("remainder", ag.remainder, inputs=remainder_inputs(), twin=T.remainder),
    Spec("round", ag.round, shapes=one_shape, avoid=(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5), twin=T.round),
    Spec("sign", ag.sign, shapes=one_shape, avoid=(0.0,), twin=T.sign),
    Spec("scatter", lambda x, s, i, d: ag.scatter(x, d, i, s), inputs=scatter_inputs(),
         twin=lambda x, s, i, d: T.scatter(x, d, i, s)),
    Spec("scatter:value", lambda x, s, i, d: x.scatter(d, i, value=1.5), inputs=scatter_inputs(unique=False),
         twin=lambda x, s, i, d: x.scatter(d, i, value=1.5)),
    Spec("scatter_add", lambda x, s, i, d: ag.scatter_add(x, d, i, s), inputs=scatter_inputs(unique=False),
         twin=lambda x, s, i, d: T.scatter_add(x, d, i, s)),
]

# Public ops (autograd.ops.__all__) with no row in SPECS, each with why.
NO_ROW: dict[str, str] = {
    **dict.fromkeys("eq ne lt le gt ge all any isclose allclose equal is_tensor is_floating_point isfinite isnan isinf "
                    "argmax argmin argsort floor_divide rounded_div one_hot bincount unique numel histc histogram"
                    .split(), "no gradient: a bool, integer or count result"),
    **dict.fromkeys("conv1d conv2d unfold fold max_pool1d max_pool2d avg_pool1d avg_pool2d adaptive_avg_pool2d".split(),
                    "gradient-checked over conv geometries in tests/test_conv.py"),
    **dict.fromkeys("batch_norm layer_norm embedding".split(), "gradient-checked in tests/test_norm.py"),
    **dict.fromkeys("normalize_index unbroadcast".split(), "the engine's helper, not an op"),
}

# Op classes that no row above runs, each with where their gradients are checked instead.
OPS_CHECKED_ELSEWHERE: dict[str, str] = dict.fromkeys(
    "Unfold Fold ConvMatMul PoolGather PoolScatter MaxPool2d".split(), "tests/test_conv.py, over conv geometries")

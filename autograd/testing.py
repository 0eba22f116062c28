"""Hypothesis strategies for testing differentiable code, the ones chainrule's own op table runs on.

    from hypothesis import given
    import autograd as ag
    from autograd.testing import tensors, broadcastable_shapes

    @given(tensors(low=0.1))                 # float64, requires_grad, kept inside log's domain
    def test_log(x):
        assert ag.gradcheck(ag.log, x)

A row of an op table is a `Spec`; `inputs_for(spec)` draws the arguments for it. hypothesis is a test
dependency, so this module is loaded only when used (`import autograd` alone never imports hypothesis).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.strategies import SearchStrategy

from .tensor import Tensor

__all__ = ["Spec", "broadcastable_shapes", "dims", "inputs_for", "shapes", "tensors", "values"]


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 5) -> SearchStrategy[tuple]:
    """Array shapes, 0-d (a scalar tensor) included by default."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(n: int = 2, min_dims: int = 0, max_dims: int = 4, min_side: int = 1,
                         max_side: int = 5) -> SearchStrategy[tuple[tuple, ...]]:
    """Tuples of `n` shapes that broadcast together (size-1 dims, missing leading dims and 0-d included):
    the inputs a binary op must handle, whose gradients the engine has to sum back."""
    return hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side).map(lambda b: b.input_shapes)


def dims(ndim: int, allow_none: bool = True, allow_tuple: bool = True) -> SearchStrategy:
    """A `dim` argument for a reduction over a tensor of `ndim` dims: None, an int or a tuple (negative dims and
    the empty tuple, which PyTorch reads as every dim, included)."""
    options = []
    if allow_none:
        options.append(st.none())
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
        if allow_tuple:
            tuples = st.lists(st.integers(-ndim, ndim - 1), unique_by=lambda d: d % ndim, max_size=ndim)
            options.append(tuples.map(tuple))
    return st.one_of(options) if options else st.none()


def _away(v: float, low: float, high: float, avoid: Sequence[float], margin: float) -> float:
    """Move v out of the margin around each singular point, staying inside [low, high] when possible."""
    for a in avoid:
        if abs(v - a) < margin:
            v = a + margin if (v >= a and a + margin <= high) or a - margin < low else a - margin
    return v


@st.composite
def values(draw: Any, n: int, low: float = -3.0, high: float = 3.0, avoid: Sequence[float] = (),
           margin: float = 0.1, distinct: bool = False) -> np.ndarray:
    """`n` float64 values in [low, high], each at least `margin` from every point in `avoid`.

    distinct=True draws them from a grid (one random offset, spacing ≤ margin) without repeats, so no two
    values tie or sit within finite-difference reach of each other: what max, min and sort need.
    """
    if not distinct:
        elements = st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)
        arr = draw(hnp.arrays(np.float64, n, elements=elements, fill=st.nothing()))
        return np.array([_away(float(v), low, high, avoid, margin) for v in arr], dtype=np.float64)
    step = min(margin, (high - low) / (2 * max(n, 1) + 2))
    offset = draw(st.floats(0, step / 2))
    grid = low + offset + step * np.arange(int((high - low - offset) / step) + 1)
    grid = [float(v) for v in grid if v <= high and all(abs(v - a) >= margin for a in avoid)]
    if n > len(grid):
        raise ValueError(f"values: cannot draw {n} distinct values from [{low}, {high}] avoiding {avoid}")
    picks = draw(st.lists(st.integers(0, len(grid) - 1), min_size=n, max_size=n, unique=True))
    return np.array([grid[k] for k in picks], dtype=np.float64)


@st.composite
def tensors(draw: Any, shape: tuple | SearchStrategy | None = None, low: float = -3.0, high: float = 3.0,
            avoid: Sequence[float] = (), margin: float = 0.1, dtype: Any = np.float64, requires_grad: bool = True,
            distinct: bool = False) -> Tensor:
    """A leaf Tensor of `shape` (a tuple, a strategy of shapes, or None: any shape) with elements in
    [low, high], kept at least `margin` away from the points in `avoid` (log at 0, relu's kink, a pole):
    finite differences across a kink or a pole measure nothing useful."""
    shape = shapes() if shape is None else shape
    shape = draw(shape) if isinstance(shape, SearchStrategy) else tuple(shape)
    flat = draw(values(int(np.prod(shape, dtype=np.int64)), low, high, avoid, margin, distinct))
    return Tensor(flat.reshape(shape).astype(dtype), requires_grad=requires_grad)


@dataclass(frozen=True)
class Spec:
    """One row of an op table: how to call an op and where its inputs may lie.

    fn is called as fn(*tensors, *extra): `arity` float64 tensors drawn from `shapes` (default: mutually
    broadcastable shapes, 0-d included), then the extra arguments `args(*shapes)` draws (dims, indices,
    targets). `inputs`, when given, replaces all of that with a strategy of complete argument tuples.
    `twin` is PyTorch's version of fn, called with the same arguments as torch tensors, or a sentence saying
    why there is none.
    """
    name: str
    fn: Callable[..., Any]
    arity: int = 1
    low: float = -3.0               # keep inputs inside the op's domain…
    high: float = 3.0
    avoid: tuple[float, ...] = ()   # …and away from kinks and poles (relu at 0, 1/x at 0)
    margin: float = 0.1
    smooth: bool = True             # False: not twice differentiable here, skip gradgradcheck
    distinct: bool = False          # no ties among the elements of all inputs (max, min, maximum)
    domains: tuple[tuple[float, float], ...] | None = None   # per-input (low, high), overriding low/high
    shapes: SearchStrategy | None = None
    args: Callable[..., SearchStrategy] | None = None
    inputs: SearchStrategy | None = None
    atol: float = 1e-5
    rtol: float = 1e-3
    twin: Callable[..., Any] | str | None = None


def inputs_for(spec: Spec) -> SearchStrategy[tuple]:
    """The argument tuples for `spec.fn`: float64 tensors with requires_grad=True, then any extra arguments."""
    if spec.inputs is not None:
        return spec.inputs

    @st.composite
    def draw_inputs(draw: Any) -> tuple:
        shape_list = draw(spec.shapes if spec.shapes is not None else broadcastable_shapes(spec.arity))
        sizes = [int(np.prod(s, dtype=np.int64)) for s in shape_list]
        domains = spec.domains or [(spec.low, spec.high)] * len(shape_list)
        if spec.distinct:                          # one pool, so no ties across inputs either
            low, high = min(d[0] for d in domains), max(d[1] for d in domains)
            pool = draw(values(sum(sizes), low, high, spec.avoid, spec.margin, distinct=True))
            flats = np.split(pool, np.cumsum(sizes)[:-1])
        else:
            flats = [draw(values(n, lo, hi, spec.avoid, spec.margin)) for n, (lo, hi) in zip(sizes, domains)]
        xs = tuple(Tensor(f.reshape(s), requires_grad=True) for f, s in zip(flats, shape_list))
        extra = draw(spec.args(*shape_list)) if spec.args is not None else ()
        return xs + tuple(extra)

    return draw_inputs()

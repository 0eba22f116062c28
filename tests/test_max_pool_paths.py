"""Max pooling's two code paths agree: disjoint windows (stride >= kernel extent, LeNet's 2x2 stride 2) are
copied cell-major and scattered by plain stores; overlapping ones are read and accumulated through strided
views. Both are pinned here against a per-window loop (first maximum, first NaN) and against each other
(values, indices, so `which`, first and second order gradients), with ties, NaNs, infinities, odd sizes,
ceil_mode, float32 and float64."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import ops, pool_layout
from autograd.ops import pool as pool_module


def _data(rng: np.random.Generator, shape: tuple, dtype, kind: str) -> np.ndarray:
    x = rng.standard_normal(shape)
    if kind == "ties":                          # ReLU outputs: whole windows of equal zeros
        x = np.maximum(np.round(x), 0)
    elif kind == "nan":                         # NaNs (some windows with two), infinities, ties
        x = np.round(x)
        flat = x.reshape(-1)
        flat[rng.choice(flat.size, max(2, flat.size // 6), replace=False)] = np.nan
        flat[rng.choice(flat.size, max(1, flat.size // 10), replace=False)] = np.inf
        flat[rng.choice(flat.size, max(1, flat.size // 10), replace=False)] = -np.inf
    return x.astype(dtype)


def _reference(x: np.ndarray, k, d, s, out) -> tuple[np.ndarray, np.ndarray]:
    """A loop over every window: its cells in row-major order, the pick is the last NaN, else the first max."""
    best, which = np.empty(x.shape[:2] + out, x.dtype), np.empty(x.shape[:2] + out, np.int64)
    for n, c, oy, ox in itertools.product(*map(range, best.shape)):
        cells = [x[n, c, oy * s[0] + i * d[0], ox * s[1] + j * d[1]] for i in range(k[0]) for j in range(k[1])]
        nans = [q for q, v in enumerate(cells) if np.isnan(v)]
        which[n, c, oy, ox] = nans[-1] if nans else int(np.argmax(cells))     # argmax: the first maximum
        best[n, c, oy, ox] = cells[which[n, c, oy, ox]]
    return best, which


@st.composite
def window_problem(draw) -> dict:
    """An unpadded input and a window geometry, disjoint or overlapping, with enough rows for one window."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    s = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    extent = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
    size = tuple(e + draw(st.integers(0, 5)) for e in extent)
    out = tuple((n - e) // ss + 1 for n, e, ss in zip(size, extent, s))
    return dict(k=k, d=d, s=s, out=out, size=size, seed=draw(st.integers(0, 2**16)),
                dtype=draw(st.sampled_from([np.float32, np.float64])), kind=draw(st.sampled_from(["", "ties", "nan"])))


@given(window_problem())
def test_first_max_matches_a_per_window_loop(g: dict) -> None:
    _check_first_max(g)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["", "ties", "nan"])
@pytest.mark.parametrize("k, d, s, size", [((2, 2), (1, 1), (2, 2), (9, 8)),     # disjoint, odd H cropped
                                           ((3, 3), (1, 1), (2, 2), (9, 8)),     # overlapping
                                           ((2, 3), (2, 1), (1, 2), (7, 9))])    # overlapping, dilated
def test_first_max_on_both_paths(k, d, s, size, kind: str, dtype) -> None:
    out = tuple((n - dd * (kk - 1) - 1) // ss + 1 for n, kk, dd, ss in zip(size, k, d, s))
    _check_first_max(dict(k=k, d=d, s=s, out=out, size=size, seed=5, dtype=dtype, kind=kind))


def _check_first_max(g: dict) -> None:
    x = _data(np.random.default_rng(g["seed"]), (2, 3) + g["size"], g["dtype"], g["kind"])
    best, which = pool_module._first_max(x, (g["k"], g["d"], g["s"], g["out"]))
    ref_best, ref_which = _reference(x, g["k"], g["d"], g["s"], g["out"])
    np.testing.assert_array_equal(which, ref_which)
    np.testing.assert_array_equal(best, ref_best)          # NaN where the reference has NaN
    assert best.dtype == x.dtype and which.dtype == np.min_scalar_type(g["k"][0] * g["k"][1])


def _results(x: np.ndarray, kw: dict) -> list[np.ndarray]:
    """max_pool2d's values and indices, its input gradient (PoolScatter) and that gradient's own gradient with
    respect to the output gradient (PoolGather), for fixed random seeds."""
    xt = ag.from_numpy(x).requires_grad_()               # from_numpy: keeps x's memory layout
    y, idx = ops.max_pool2d(xt, return_indices=True, **kw)
    rng = np.random.default_rng(1)
    gy = ag.tensor(rng.standard_normal(y.shape).astype(x.dtype), requires_grad=True)
    (dx,) = ag.grad(y, xt, gy, create_graph=True)
    (dgy,) = ag.grad((dx * ag.tensor(rng.standard_normal(x.shape).astype(x.dtype))).sum(), gy)
    return [y.numpy(), idx.numpy(), dx.numpy(), dgy.numpy()]


# (shape, kernel, stride, padding, dilation, ceil_mode): disjoint windows, several not covering the input
DISJOINT = [((64, 6, 24, 24), 2, None, 0, 1, False),          # W5's first pool
            ((3, 2, 7, 9), 2, None, 0, 1, False),             # odd H, W: floor mode drops the last row/col
            ((3, 2, 7, 9), 2, None, 0, 1, True),              # ceil mode: a partial window padded with -inf
            ((2, 3, 9, 8), (3, 2), None, 1, 1, False),        # padding
            ((2, 3, 10, 11), 2, 3, 0, 1, True),               # gaps between windows
            ((2, 2, 11, 11), 2, 3, 0, (1, 2), False),         # dilated, still disjoint (extent 3, stride 3)
            ((2, 2, 6, 7), 1, 1, 0, 1, False)]                # 1x1 windows


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["", "ties", "nan"])
@pytest.mark.parametrize("case", DISJOINT)
def test_disjoint_path_equals_the_overlapping_path(case, kind: str, dtype, monkeypatch) -> None:
    shape, k, s, p, d, ceil = case
    kw = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
    kk, ss, _, dd, out, _ = pool_module._pool_setup("max_pool2d", ag.zeros(*shape), k, s, p, d, ceil)
    assert pool_module.disjoint((kk, dd, ss, out))         # the case does take the fast path
    x = _data(np.random.default_rng(sum(shape)), shape, dtype, kind)
    fast = _results(x, kw)
    monkeypatch.setattr(pool_module, "disjoint", lambda geom: False)   # now every window via strided views
    general = _results(x, kw)
    for a, b in zip(fast, general):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


OVERLAPPING = [((2, 3, 9, 8), 3, 2, 0, 1, False), ((2, 3, 7, 9), (2, 3), (1, 2), 0, (2, 1), False)]


@pytest.mark.parametrize("kind", ["", "ties", "nan"])
@pytest.mark.parametrize("case", DISJOINT + OVERLAPPING)
def test_batch_last_layout_gives_the_same_results(case, kind: str) -> None:
    """conv2d returns (N, C, H, W) laid out (C, H, W, N) in memory; pooling works in that layout (and keeps it
    for its values and input gradient) with the same values, indices and gradients as on a row-major input."""
    shape, k, s, p, d, ceil = case
    kw = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
    x = _data(np.random.default_rng(sum(shape)), shape, np.float32, kind)
    batch_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    assert pool_layout.batch_last(batch_last) and not pool_layout.batch_last(x)
    ref, got = _results(x, kw), _results(batch_last, kw)
    for a, b in zip(ref, got):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    if p == 0 and not ceil:                             # no -inf padding copy in between: the layout is kept
        assert pool_layout.batch_last(got[0]) and pool_layout.batch_last(got[2])


def test_gradient_of_a_batch_last_input_is_fresh_and_batch_last() -> None:
    """PoolScatter's result owns its memory in the input's layout, so the engine keeps it as .grad (and relu masks
    it in place) without a copy; a transposed view would be copied row-major, a transposing copy against the cache."""
    rng = np.random.default_rng(0)
    x = ag.from_numpy(np.ascontiguousarray(rng.standard_normal((3, 8, 8, 4)).astype(np.float32)).transpose(3, 0, 1, 2))
    x.requires_grad_()
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2), dict(kernel_size=3, stride=3)):   # tiled,
        # overlapping, disjoint with an uncovered edge
        x.grad = None
        y = ops.max_pool2d(x, **kw)
        y.backward(ag.ones_like(y))
        assert x.grad.numpy().base is None and pool_layout.batch_last(x.grad.numpy())
        ref = ag.tensor(np.ascontiguousarray(x.numpy()), requires_grad=True)
        ops.max_pool2d(ref, **kw).backward(ag.ones_like(y))
        np.testing.assert_array_equal(x.grad.numpy(), ref.grad.numpy())


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1)])    # disjoint, overlapping
def test_max_pool2d_on_an_empty_batch(kw: dict) -> None:
    x = ag.tensor(np.ones((0, 2, 6, 6), np.float32), requires_grad=True)
    y, idx = ops.max_pool2d(x, return_indices=True, **kw)
    assert y.shape == idx.shape == (0, 2) + ((3, 3) if kw["kernel_size"] == 2 else (4, 4))
    (dx,) = ag.grad(y.sum(), [x], create_graph=True)
    assert dx.shape == x.shape

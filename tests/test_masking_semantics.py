"""Masking ops (maximum, minimum, clamp, relu) on non-finite values give PyTorch's gradients.

PyTorch's backward formulas select (where / masked_fill), they do not multiply by a 0/1 mask: an inf or nan
incoming gradient at a dropped position gives 0, not inf·0 = nan. Its masks are also written so that a NaN input
picks a side: maximum/minimum send g to both inputs where either is NaN (only `x < y` or `y < x` drops), clamp
drops g at a NaN input (`lo <= x <= hi` is False), relu passes it (threshold_backward zeroes only where y <= 0).
The expected arrays below were read from torch 2.13 and are checked against torch again when it is importable.
No numpy RuntimeWarning may escape (inf·0 raises one): every test here turns them into errors."""
import numpy as np
import pytest

import autograd as ag

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

inf, nan = np.inf, np.nan
X = [1.0, 2.0, 3.0, 2.0, nan, 1.0, nan, inf, -inf]        # against Y: x<y, x>y, tie, NaN right/left/both, infs
Y = [2.0, 1.0, 3.0, nan, 1.0, 1.0, nan, inf, 0.0]
C = [-2.0, -1.0, 0.0, 1.0, 2.0, nan, inf, -inf, -0.0]       # clamp/relu inputs: outside, at the bounds, NaN, infs
UPSTREAM = [inf, -inf, nan, 3.0]

# d max(x, y) / d x and / d y per position, for an incoming gradient of 1 (torch 2.13: the same numbers)
MAX_DX = [0.0, 1.0, 0.5, 1.0, 1.0, 0.5, 1.0, 0.5, 0.0]
MAX_DY = [1.0, 0.0, 0.5, 1.0, 1.0, 0.5, 1.0, 0.5, 1.0]
MIN_DX = [1.0, 0.0, 0.5, 1.0, 1.0, 0.5, 1.0, 0.5, 1.0]
MIN_DY = [0.0, 1.0, 0.5, 1.0, 1.0, 0.5, 1.0, 0.5, 0.0]
CLAMP = {(-1.0, 1.0): [0, 1, 1, 1, 0, 0, 0, 0, 1], (-1.0, None): [0, 1, 1, 1, 1, 0, 1, 0, 1],
         (None, 1.0): [1, 1, 1, 1, 0, 0, 0, 1, 1]}
RELU = [0, 0, 0, 1, 1, 1, 1, 0, 0]


def expected(weights, up: float) -> np.ndarray:
    """Selection, as PyTorch: `up` scaled by the weight where it is nonzero, exactly 0 elsewhere."""
    w = np.asarray(weights, dtype=np.float64)
    return np.where(w != 0, np.float64(up) * np.where(w != 0, w, 1.0), 0.0)


def ours(fn, xs, up, create_graph: bool, dtype=np.float64) -> list[np.ndarray]:
    ts = [ag.tensor(np.asarray(x, dtype=dtype), requires_grad=True) for x in xs]
    out = fn(*ts)
    g = ag.tensor(np.full(out.shape, up, dtype=dtype))
    return [d.numpy() for d in ag.grad(out, ts, grad_outputs=g, create_graph=create_graph)]


def theirs(torch, fn, xs, up, create_graph: bool, dtype=np.float64) -> list[np.ndarray]:
    ts = [torch.tensor(np.asarray(x, dtype=dtype), requires_grad=True) for x in xs]
    out = fn(*ts)
    g = torch.full(out.shape, up, dtype=out.dtype)
    return [d.detach().numpy() for d in torch.autograd.grad(out, ts, g, create_graph=create_graph)]


CASES = [  # name, ours, torch's, inputs, expected weights per input
    ("maximum", ag.maximum, "maximum", (X, Y), (MAX_DX, MAX_DY)),
    ("minimum", ag.minimum, "minimum", (X, Y), (MIN_DX, MIN_DY)),
    *[(f"clamp{b}", lambda x, b=b: ag.clamp(x, *b), lambda x, b=b: x.clamp(*b), (C,), (w,)) for b, w in CLAMP.items()],
    ("relu", ag.relu, "relu", (C,), (RELU,)),
]


def _torch_fn(torch, f):
    return getattr(torch, f) if isinstance(f, str) else f


@pytest.mark.parametrize("create_graph", [False, True], ids=["plain", "create_graph"])
@pytest.mark.parametrize("up", UPSTREAM)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_masking_gradients_select_like_pytorch(case, up, create_graph) -> None:
    _, fn, _, xs, weights = case
    for got, w in zip(ours(fn, xs, up, create_graph), weights):
        np.testing.assert_array_equal(got, expected(w, up))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("create_graph", [False, True], ids=["plain", "create_graph"])
@pytest.mark.parametrize("up", UPSTREAM)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_masking_gradients_match_torch(case, up, create_graph, dtype) -> None:
    torch = pytest.importorskip("torch")
    _, fn, tfn, xs, _ = case
    want = theirs(torch, _torch_fn(torch, tfn), xs, up, create_graph, dtype)
    for got, ref in zip(ours(fn, xs, up, create_graph, dtype), want):
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)


def test_mixed_upstream_with_ties_and_array_bounds() -> None:
    """One gradient array with every kind of value at once (+inf and -inf too, without a numpy warning); ties
    halve inf to inf; array bounds broadcast x."""
    g = np.array([inf, nan, -inf, 4.0, nan, inf, 2.0, -inf, 1.0])
    x, y = ag.tensor(X, requires_grad=True), ag.tensor(Y, requires_grad=True)
    ag.maximum(x, y).backward(ag.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), [0, nan, -inf, 4, nan, inf, 2, -inf, 0])
    np.testing.assert_array_equal(y.grad.numpy(), [inf, 0, -inf, 4, nan, inf, 2, -inf, 1])
    z = ag.tensor([[-2.0], [0.5]], requires_grad=True)
    out = ag.clamp(z, ag.tensor([-1.0, 0.0, 1.0]))                      # a non-learnable array bound: (2, 3)
    out.backward(ag.tensor([[inf, 1.0, 2.0], [nan, 3.0, 4.0]]))
    np.testing.assert_array_equal(z.grad.numpy(), [[0.0], [nan]])        # row 1 keeps nan and 3, drops 4
    w = ag.tensor(np.float32(2.0), requires_grad=True)                   # 0-d, float32 kept
    ag.maximum(w, 2.0).backward(ag.tensor(np.float32(inf)))
    assert w.grad.numpy() == inf and w.grad.dtype == np.float32


@pytest.mark.parametrize("name", ["maximum", "minimum", "clamp", "relu"])
def test_second_order_selects_too(name) -> None:
    """The create_graph gradient is a graph in g: differentiating it again by g with an inf or nan vector also
    selects (PyTorch's where/masked_fill double backward), and ties still halve."""
    fn = {"maximum": ag.maximum, "minimum": ag.minimum, "clamp": lambda x: ag.clamp(x, -1.0, 1.0),
          "relu": ag.relu}[name]
    xs = (X, Y) if name in ("maximum", "minimum") else (C,)
    weights = {"maximum": MAX_DX, "minimum": MIN_DX, "clamp": CLAMP[(-1.0, 1.0)], "relu": RELU}[name]
    x = [ag.tensor(v, requires_grad=True) for v in xs]
    g = ag.tensor(np.ones(len(xs[0])), requires_grad=True)
    (dx,) = ag.grad(fn(*x), x[0], grad_outputs=g, create_graph=True)
    (dg,) = ag.grad(dx, g, grad_outputs=ag.tensor(np.full(len(xs[0]), inf)))
    np.testing.assert_array_equal(dg.numpy(), expected(weights, inf))
    torch = pytest.importorskip("torch")
    tx = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in xs]
    tg = torch.ones(len(xs[0]), dtype=torch.float64, requires_grad=True)
    tfn = {"maximum": torch.maximum, "minimum": torch.minimum, "clamp": lambda t: t.clamp(-1.0, 1.0),
           "relu": torch.relu}[name]
    (tdx,) = torch.autograd.grad(tfn(*tx), tx[0], tg, create_graph=True)
    (tdg,) = torch.autograd.grad(tdx, tg, torch.full((len(xs[0]),), inf, dtype=torch.float64))
    np.testing.assert_array_equal(dg.numpy(), tdg.numpy())


def test_relu_in_place_path_passes_nan_inputs(monkeypatch) -> None:
    """Relu masks an engine-owned gradient in place (ownership.engine_owns); the NaN rule holds there too."""
    from autograd.kernels import unary
    from autograd.ownership import REFCOUNTS_OK
    in_place, plain = [], unary.masked
    monkeypatch.setattr(unary, "masked", lambda g, keep, out=None: in_place.append(out is g) or plain(g, keep, out))
    x = ag.tensor(C, requires_grad=True)
    (x * 1.0).relu().mul(2.0).sum().backward()                             # mul's fresh g reaches relu
    np.testing.assert_array_equal(x.grad.numpy(), 2.0 * np.asarray(RELU, dtype=np.float64))
    assert in_place == [REFCOUNTS_OK]


@pytest.mark.parametrize("create_graph", [False, True], ids=["plain", "create_graph"])
def test_max_pool2d_sends_a_nan_windows_gradient_to_its_last_nan(create_graph) -> None:
    """PyTorch's kernel replaces its pick at every NaN it meets (row-major), so a NaN window's index and gradient
    go to its last NaN; the value is NaN either way."""
    x = np.array([[[[nan, 2.0, 1.0, nan], [3.0, nan, nan, 0.0]]]])          # windows: [nan 2 / 3 nan], [1 nan / nan 0]
    p = ag.tensor(x, requires_grad=True)
    out, idx = ag.ops.max_pool2d(p, 2, return_indices=True)
    (dp,) = ag.grad(out, p, grad_outputs=ag.tensor([[[[5.0, 7.0]]]]), create_graph=create_graph)
    assert idx.tolist() == [[[[5, 6]]]]
    np.testing.assert_array_equal(dp.numpy(), [[[[0, 0, 0, 0], [0, 5.0, 7.0, 0]]]])
    torch = pytest.importorskip("torch")
    t = torch.tensor(x, requires_grad=True)
    tout, tidx = torch.nn.functional.max_pool2d(t, 2, return_indices=True)
    tout.backward(torch.tensor([[[[5.0, 7.0]]]], dtype=torch.float64))
    assert tidx.tolist() == idx.tolist()
    np.testing.assert_array_equal(dp.numpy(), t.grad.numpy())


@pytest.mark.parametrize("bounds", ["min", "max", "both"])
def test_clamp_with_learnable_bounds_gives_a_nan_input_no_gradient(bounds) -> None:
    """With bounds that require grad, clamp is composed from where(); x gets g only where min <= x <= max, so a
    NaN x gets 0 (as PyTorch), and each bound gets g where it is the output (ties go to x)."""
    xv = np.array([nan, -2.0, 0.5, 3.0, 1.0])
    lo, hi = np.array([0.0, 0.0, 0.0, 0.0, 1.0]), np.array([2.0, 2.0, 2.0, 2.0, 1.0])
    x, lt, ht = (ag.tensor(v, requires_grad=True) for v in (xv, lo, hi))
    kw = {"min": lt if bounds != "max" else None, "max": ht if bounds != "min" else None}
    y = ag.clamp(x, **kw)
    y.backward(ag.ones(5))
    want_y = np.clip(xv, lo if kw["min"] is not None else None, hi if kw["max"] is not None else None)
    np.testing.assert_array_equal(y.numpy(), want_y)
    inside = (xv >= lo if kw["min"] is not None else True) & (xv <= hi if kw["max"] is not None else True)
    np.testing.assert_array_equal(x.grad.numpy(), inside.astype(float))
    if kw["min"] is not None:
        np.testing.assert_array_equal(lt.grad.numpy(), (xv < lo).astype(float))
    if kw["max"] is not None:
        before = np.maximum(xv, lo) if kw["min"] is not None else xv          # what reaches the max bound
        np.testing.assert_array_equal(ht.grad.numpy(), (before > hi).astype(float))
    torch = pytest.importorskip("torch")
    tx, tl, th = (torch.tensor(v, requires_grad=True) for v in (xv, lo, hi))
    ty = torch.clamp(tx, tl if kw["min"] is not None else None, th if kw["max"] is not None else None)
    ty.backward(torch.ones(5, dtype=torch.float64))
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    for mine, theirs in ((lt, tl), (ht, th)):
        if mine.grad is not None:
            np.testing.assert_array_equal(mine.grad.numpy(), theirs.grad.numpy())

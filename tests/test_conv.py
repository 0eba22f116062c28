"""Convolution and pooling: finite-difference gradient checks (first and second order) over hypothesis-drawn
geometries, exact agreement with PyTorch (values, gradients, indices), shape errors, and the nn layers."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_specs import NO_ROW

import autograd as ag
import nn
from autograd import ops
from autograd.gradcheck import gradcheck, gradgradcheck

try:                                   # PyTorch is the reference when installed, never a dependency
    import torch
    F = torch.nn.functional
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

# Every conv/pool op and the tests that check its gradients (the ops' own table; tests/op_specs.py's NO_ROW
# names this file for them).
CHECKED_HERE = {"conv1d", "conv2d", "unfold", "fold", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
                "adaptive_avg_pool2d"}


def test_every_conv_op_is_checked() -> None:
    assert {name for name, why in NO_ROW.items() if "test_conv.py" in why} == CHECKED_HERE


def _t(rng: np.random.Generator, *shape: int, grad: bool = True) -> ag.Tensor:
    return ag.tensor(rng.standard_normal(shape), requires_grad=grad)


@st.composite
def conv_geometry(draw, max_side: int = 3) -> dict:
    """A valid conv2d problem: groups, channels, kernel, stride, padding, dilation and an input big enough."""
    groups = draw(st.integers(1, 2))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    s = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    size = tuple(max(1, dd * (kk - 1) + 1 - 2 * pp + draw(st.integers(0, max_side)))
                 for kk, dd, pp in zip(k, d, p))
    return dict(n=draw(st.integers(1, 2)), cin=cin, cout=cout, groups=groups, k=k, d=d, s=s, p=p, size=size,
                bias=draw(st.booleans()), seed=draw(st.integers(0, 2**16)))


def _conv_inputs(g: dict):
    rng = np.random.default_rng(g["seed"])
    x = _t(rng, g["n"], g["cin"], *g["size"])
    w = _t(rng, g["cout"], g["cin"] // g["groups"], *g["k"])
    b = _t(rng, g["cout"]) if g["bias"] else None
    return x, w, b


def _conv_fn(g: dict):
    return lambda x, w, b=None: ops.conv2d(x, w, b, g["s"], g["p"], g["d"], g["groups"])


# -- gradients against finite differences -------------------------------------------------------------------
@given(conv_geometry())
def test_conv2d_gradcheck(g: dict) -> None:
    x, w, b = _conv_inputs(g)
    assert gradcheck(_conv_fn(g), [x, w] + ([b] if b is not None else []))


@settings(max_examples=6)
@given(conv_geometry(max_side=1))
def test_conv2d_gradgradcheck(g: dict) -> None:
    x, w, b = _conv_inputs(g)
    assert gradgradcheck(_conv_fn(g), [x, w] + ([b] if b is not None else []))


@settings(max_examples=8)
@given(conv_geometry(max_side=2))
def test_unfold_fold_gradcheck_and_gradgradcheck(g: dict) -> None:
    x, _, _ = _conv_inputs(g)
    geo = (g["k"], g["d"], g["p"], g["s"])
    assert gradcheck(lambda x: ops.unfold(x, *geo), [x])
    assert gradgradcheck(lambda x: ops.unfold(x, *geo) ** 2, [x])
    cols = ag.tensor(ops.unfold(x, *geo).numpy(), requires_grad=True)
    assert gradcheck(lambda c: ops.fold(c, g["size"], *geo), [cols])
    assert gradgradcheck(lambda c: ops.fold(c, g["size"], *geo) ** 2, [cols])


@st.composite
def pool_geometry(draw, dilation: bool = True) -> dict:
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    # size >= dilation: otherwise a dilated window can fall wholly in the padding (output -inf; PyTorch's index
    # for it is arbitrary)
    size = tuple(max(dd, dd * (kk - 1) + 1 - 2 * pp + draw(st.integers(0, 3))) for kk, dd, pp in zip(k, d, p))
    return dict(k=k, d=d, s=s, p=p, size=size, ceil=draw(st.booleans()), seed=draw(st.integers(0, 2**16)),
                n=draw(st.integers(1, 2)), c=draw(st.integers(1, 2)))


def _distinct(g: dict) -> ag.Tensor:
    """Values far apart (a shuffled grid), so a finite-difference step never changes which one is the max."""
    rng = np.random.default_rng(g["seed"])
    n = g["n"] * g["c"] * math.prod(g["size"])
    return ag.tensor(rng.permutation(n).reshape(g["n"], g["c"], *g["size"]) * 0.1, requires_grad=True)


@given(pool_geometry())
def test_max_pool2d_gradcheck_and_gradgradcheck(g: dict) -> None:
    def f(x):
        return ops.max_pool2d(x, g["k"], g["s"], g["p"], g["d"], g["ceil"])
    x = _distinct(g)
    assert gradcheck(f, [x])
    assert gradgradcheck(f, [x])


@given(pool_geometry(dilation=False), st.booleans())
def test_avg_pool2d_gradcheck_and_gradgradcheck(g: dict, include_pad: bool) -> None:
    def f(x):
        return ops.avg_pool2d(x, g["k"], g["s"], g["p"], g["ceil"], include_pad)
    x = _distinct(g)
    assert gradcheck(f, [x])
    assert gradgradcheck(f, [x])


@pytest.mark.parametrize("out", [1, (2, 3), (3, None), 4])
def test_adaptive_avg_pool2d_gradcheck(out) -> None:
    x = _t(np.random.default_rng(0), 2, 2, 5, 6)
    assert gradcheck(lambda x: ops.adaptive_avg_pool2d(x, out), [x])
    assert gradgradcheck(lambda x: ops.adaptive_avg_pool2d(x, out) ** 2, [x])


def test_conv1d_and_1d_pools_gradcheck() -> None:
    rng = np.random.default_rng(1)
    x, w, b = _t(rng, 2, 4, 7), _t(rng, 6, 2, 3), _t(rng, 6)
    assert gradcheck(lambda x, w, b: ops.conv1d(x, w, b, 2, 1, 2, groups=2), [x, w, b])
    assert gradgradcheck(lambda x, w: ops.conv1d(x, w, None, 1, 1, 1, groups=2), [x, w])
    xd = ag.tensor(rng.permutation(2 * 4 * 7).reshape(2, 4, 7) * 0.1, requires_grad=True)
    assert gradcheck(lambda x: ops.max_pool1d(x, 3, 2, 1, ceil_mode=True), [xd])
    assert gradcheck(lambda x: ops.avg_pool1d(x, 3, 2, 1, count_include_pad=False), [xd])


# -- agreement with PyTorch ----------------------------------------------------------------------------------
def _same_as_torch(ours, theirs, inputs: list[np.ndarray], seed: int = 0) -> None:
    """Outputs and every input's gradient (for a random output gradient) equal PyTorch's, float64."""
    xs = [ag.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    ts = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    y, ty = ours(*xs), theirs(*ts)
    if isinstance(y, tuple):
        np.testing.assert_array_equal(y[1].numpy(), ty[1].numpy())        # max-pool indices
        y, ty = y[0], ty[0]
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(seed).standard_normal(y.shape)
    y.backward(ag.tensor(g))
    ty.backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        if t.requires_grad:
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@needs_torch
@given(conv_geometry(max_side=4))
def test_conv2d_matches_torch(g: dict) -> None:
    x, w, b = _conv_inputs(g)
    arrays = [x.numpy(), w.numpy()] + ([b.numpy()] if b is not None else [])
    _same_as_torch(_conv_fn(g), lambda x, w, b=None: F.conv2d(x, w, b, g["s"], g["p"], g["d"], g["groups"]), arrays)
    geo = dict(kernel_size=g["k"], dilation=g["d"], padding=g["p"], stride=g["s"])
    _same_as_torch(lambda x: ops.unfold(x, **geo), lambda x: F.unfold(x, **geo), [x.numpy()])
    cols = ops.unfold(x, **geo).numpy()
    _same_as_torch(lambda c: ops.fold(c, g["size"], **geo), lambda c: F.fold(c, g["size"], **geo), [cols])


@needs_torch
@given(pool_geometry(), st.booleans())
def test_pools_match_torch_including_ties(g: dict, ties: bool) -> None:
    rng = np.random.default_rng(g["seed"])
    x = rng.standard_normal((g["n"], g["c"], *g["size"]))
    if ties:                                       # ReLU outputs: many equal zeros; PyTorch takes the first
        x = np.maximum(np.round(x), 0)
    k, s, p, d, c = g["k"], g["s"], g["p"], g["d"], g["ceil"]
    _same_as_torch(lambda x: ops.max_pool2d(x, k, s, p, d, c, return_indices=True),
                   lambda x: F.max_pool2d(x, k, s, p, d, c, return_indices=True), [x])
    if d == (1, 1):
        for inc in (True, False):
            _same_as_torch(lambda x, inc=inc: ops.avg_pool2d(x, k, s, p, c, inc),
                           lambda x, inc=inc: F.avg_pool2d(x, k, s, p, c, inc), [x])


@needs_torch
@pytest.mark.parametrize("out", [1, (3, 2), (4, None), 5, (7, 3), (2, 6)])
def test_adaptive_avg_pool2d_matches_torch(out) -> None:
    x = np.random.default_rng(3).standard_normal((2, 3, 10, 7))
    _same_as_torch(lambda x: ops.adaptive_avg_pool2d(x, out), lambda x: F.adaptive_avg_pool2d(x, out), [x])


@needs_torch
def test_1d_ops_unbatched_inputs_and_divisor_override_match_torch() -> None:
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 4, 11)), rng.standard_normal((6, 2, 3)), rng.standard_normal(6)
    _same_as_torch(lambda *a: ops.conv1d(*a, 2, 1, 2, 2), lambda *a: F.conv1d(*a, 2, 1, 2, 2), [x, w, b])
    _same_as_torch(lambda x: ops.max_pool1d(x, 3, 2, 1, 1, True), lambda x: F.max_pool1d(x, 3, 2, 1, 1, True), [x])
    _same_as_torch(lambda x: ops.avg_pool1d(x, 3, 2, 1, True, False), lambda x: F.avg_pool1d(x, 3, 2, 1, True, False),
                   [x])
    x3, w4 = rng.standard_normal((3, 6, 5)), rng.standard_normal((4, 3, 2, 2))
    _same_as_torch(lambda x, w: ops.conv2d(x, w), lambda x, w: F.conv2d(x, w), [x3, w4])
    _same_as_torch(lambda x: ops.max_pool2d(x, 2), lambda x: F.max_pool2d(x, 2), [x3])
    _same_as_torch(lambda x: ops.avg_pool2d(x, 3, 2, 1, True, True, 5),
                   lambda x: F.avg_pool2d(x, 3, 2, 1, True, True, 5), [rng.standard_normal((2, 2, 7, 7))])


@needs_torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")       # PyTorch's note about its own extra copy
@pytest.mark.parametrize("k,d", [((3, 3), (1, 1)), ((2, 4), (1, 1)), ((3, 2), (2, 1))])
def test_padding_same_and_valid_match_torch(k, d) -> None:
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 3, 6, 7)), rng.standard_normal((4, 3, *k))
    for mode in ("same", "valid"):
        _same_as_torch(lambda x, w, mode=mode: ops.conv2d(x, w, padding=mode, dilation=d),
                       lambda x, w, mode=mode: F.conv2d(x, w, padding=mode, dilation=d), [x, w])


@needs_torch
def test_float32_conv_matches_torch_closely() -> None:
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((4, 3, 12, 12)).astype(np.float32), rng.standard_normal((8, 3, 5, 5)).astype(np.float32)
    y = ops.conv2d(ag.tensor(x), ag.tensor(w), padding=2)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), F.conv2d(torch.tensor(x), torch.tensor(w), padding=2).numpy(), rtol=1e-4,
                               atol=1e-4)


# -- errors name the shapes ----------------------------------------------------------------------------------
def test_bad_shapes_are_clear_errors() -> None:
    x, w = ag.zeros(1, 3, 5, 5), ag.zeros(4, 2, 3, 3)
    with pytest.raises(ValueError, match=r"conv2d: input \(1, 3, 5, 5\) has 3 channels, but weight \(4, 2, 3, 3\)"):
        ops.conv2d(x, w)
    with pytest.raises(ValueError, match=r"kernel size \(8, 8\).*larger than the padded input \(7, 7\)"):
        ops.conv2d(x, ag.zeros(2, 3, 8, 8), padding=1)
    with pytest.raises(ValueError, match="groups=2 must divide both in_channels 3"):
        ops.conv2d(x, ag.zeros(4, 1, 3, 3), groups=2)
    with pytest.raises(ValueError, match="4-D weight"):
        ops.conv2d(x, ag.zeros(4, 3, 3))
    with pytest.raises(ValueError, match=r"bias of shape \(3,\) should be \(4,\)"):
        ops.conv2d(x, ag.zeros(4, 3, 3, 3), ag.zeros(3))
    with pytest.raises(ValueError, match="3-D .* or 4-D"):
        ops.conv2d(ag.zeros(5, 5), w)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        ops.conv2d(x, ag.zeros(4, 3, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match="at most half of kernel_size"):
        ops.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="max_pool2d: kernel size"):
        ops.max_pool2d(ag.zeros(1, 1, 2, 2), 3)
    with pytest.raises(ValueError, match="fold: input of shape"):
        ops.fold(ag.zeros(1, 9, 5), (4, 4), 3)
    conv = nn.Conv2d(3, 8, 3)
    with pytest.raises(ValueError, match=r"has 1 channels, but weight \(8, 3, 3, 3\)"):
        conv(ag.zeros(2, 1, 8, 8))
    with pytest.raises(ValueError, match="groups=2 must be positive and divide in_channels=3"):
        nn.Conv2d(3, 8, 3, groups=2)


# -- the nn layers -------------------------------------------------------------------------------------------
def test_conv2d_default_init_matches_pytorch_bounds() -> None:
    ag.manual_seed(0)
    conv = nn.Conv2d(6, 16, 5)
    bound = 1 / math.sqrt(6 * 25)                       # kaiming_uniform(a=√5) on fan_in = in·kh·kw
    assert conv.weight.shape == (16, 6, 5, 5) and conv.bias.shape == (16,)
    assert np.abs(conv.weight.numpy()).max() <= bound and np.abs(conv.weight.numpy()).max() > 0.9 * bound
    assert np.abs(conv.bias.numpy()).max() <= bound
    assert conv.weight.dtype == np.float32
    assert nn.Conv2d(4, 6, (3, 2), groups=2, bias=False).weight.shape == (6, 2, 3, 2)
    assert nn.Conv1d(4, 6, 3, groups=2).weight.shape == (6, 2, 3)


def _lenet(lib):
    m = nn if lib is ag else lib.nn
    return m.Sequential(m.Conv2d(1, 6, 5, padding=2), m.BatchNorm2d(6), m.ReLU(), m.MaxPool2d(2),
                        m.Conv2d(6, 16, 5), m.ReLU(), m.AvgPool2d(2), m.Conv2d(16, 16, 3, groups=4, padding="same"),
                        m.AdaptiveAvgPool2d((2, 2)), m.Flatten(), m.Linear(64, 10))


@needs_torch
def test_cnn_state_dict_loads_into_pytorch_and_back_with_same_outputs() -> None:
    ag.manual_seed(1)
    ours, theirs = _lenet(ag), _lenet(torch).double()
    for _ in range(2):                                  # move the BatchNorm running statistics
        ours(ag.tensor(np.random.default_rng(2).standard_normal((4, 1, 28, 28)).astype(np.float32)))
    ours.double()
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict())     # same keys, same order, num_batches_tracked included
    theirs.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
    ours.eval(), theirs.eval()
    x = np.random.default_rng(3).standard_normal((3, 1, 28, 28))
    np.testing.assert_allclose(ours(ag.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-9,
                               atol=1e-10)
    back = _lenet(ag).double()                          # and the other way: PyTorch's weights into ours
    back.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    back.eval()
    np.testing.assert_allclose(back(ag.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-9,
                               atol=1e-10)


@needs_torch
def test_layers_match_torch_functional_and_repr() -> None:
    x = ag.tensor(np.random.default_rng(7).standard_normal((2, 3, 9, 9)))
    pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
    theirs = F.max_pool2d(torch.tensor(x.numpy()), 3, 2, 1, ceil_mode=True).numpy()
    np.testing.assert_array_equal(pool(x).numpy(), theirs)
    y, idx = nn.MaxPool2d(2, return_indices=True)(x)
    assert idx.dtype == np.int64 and y.shape == idx.shape == (2, 3, 4, 4)
    assert "kernel_size=(3, 3), stride=(2, 2), padding=(1, 1)" in repr(nn.Conv2d(3, 4, 3, 2, 1))
    assert nn.AvgPool1d(2)(ag.ones(1, 2, 6)).shape == (1, 2, 3)
    assert nn.MaxPool1d(2)(ag.ones(1, 2, 6)).shape == (1, 2, 3)


@needs_torch
def test_max_pool_with_more_than_255_cells_per_window_matches_torch() -> None:
    x = np.random.default_rng(8).standard_normal((1, 2, 20, 20))          # 17x17 = 289 cells: a uint16 index
    _same_as_torch(lambda x: ops.max_pool2d(x, 17, 3, return_indices=True),
                   lambda x: F.max_pool2d(x, 17, 3, return_indices=True), [x])


def test_functional_forms_are_exported() -> None:
    import nn.functional as F_

    for name in CHECKED_HERE | {"batch_norm", "layer_norm", "embedding"}:
        assert getattr(F_, name) is getattr(ops, name), name
    x = ag.tensor(np.arange(6.0).reshape(1, 2, 3), requires_grad=True)
    y = F_.pad(x, (1, 2))                                 # PyTorch's order: the last dim first
    assert y.shape == (1, 2, 6) and y.numpy()[0, 0].tolist() == [0, 0, 1, 2, 0, 0]
    y.sum().backward()
    assert np.all(x.grad.numpy() == 1)


def test_unfold_buffer_reuse_never_overwrites_a_live_value() -> None:
    """Unfold reuses last call's column buffer only when nothing holds it: a kept result stays intact."""
    rng = np.random.default_rng(0)
    x1, x2 = (rng.standard_normal((3, 2, 6, 6)).astype(np.float32) for _ in range(2))
    kept = ops.conv.unfold(ag.tensor(x1), 3)
    expected = kept.numpy().copy()
    second = ops.conv.unfold(ag.tensor(x2), 3)
    np.testing.assert_array_equal(kept.numpy(), expected)
    del second
    third = ops.conv.unfold(ag.tensor(x2), 3)            # may reuse `second`'s buffer: same values either way
    np.testing.assert_array_equal(kept.numpy(), expected)
    np.testing.assert_array_equal(third.numpy(), ops.conv.unfold(ag.tensor(x2), 3).numpy())


def test_conv2d_bias_added_in_place_keeps_numpy_promotion() -> None:
    """The bias goes into the fresh matmul product in place, unless its dtype would promote the result."""
    x = ag.tensor(np.ones((1, 1, 3, 3), np.float32))
    w = ag.tensor(np.ones((2, 1, 2, 2), np.float32), requires_grad=True)
    for dtype, expected in ((np.float32, np.float32), (np.float64, np.float64)):
        b = ag.tensor(np.array([1.0, -2.0], dtype), requires_grad=True)
        y = ops.conv2d(x, w, b)
        assert y.dtype == expected and y.numpy()[0, :, 0, 0].tolist() == [5.0, 2.0]
        y.sum().backward()
        assert b.grad.dtype == dtype and b.grad.numpy().tolist() == [4.0, 4.0]


def test_unfold_reads_a_batch_last_input_in_place_with_the_same_columns() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 6, 7)).astype(np.float32)
    batch_last = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    for p, s in (((0, 0), (1, 1)), ((1, 0), (2, 1))):          # no copy of x; padded: the usual copy
        a = ops.conv.Unfold.apply(ag.from_numpy(batch_last), kernel_size=(2, 3), dilation=(1, 1), padding=p, stride=s)
        b = ops.conv.Unfold.apply(ag.tensor(x), kernel_size=(2, 3), dilation=(1, 1), padding=p, stride=s)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("groups", [1, 2])
def test_conv2d_on_an_empty_batch(groups: int) -> None:
    x = ag.tensor(np.ones((0, 2, 5, 5), np.float32), requires_grad=True)
    w = ag.tensor(np.ones((4, 2 // groups, 2, 2), np.float32), requires_grad=True)
    b = ag.tensor(np.ones(4, np.float32), requires_grad=True)
    y = ops.conv2d(x, w, b, groups=groups)
    assert y.shape == (0, 4, 4, 4)
    y.sum().backward()
    assert x.grad.shape == x.shape and not w.grad.numpy().any() and not b.grad.numpy().any()
    (gw,) = ag.grad(ops.conv2d(x, w, b, groups=groups).sum(), [w], create_graph=True)
    assert gw.shape == w.shape


def _batch_last(a: np.ndarray) -> bool:
    """(N, C, H, W) laid out as (C, H, W, N): the batch is the fastest axis, then W, H, C (a padded Fold's output
    is such a view with gaps)."""
    return a.ndim == 4 and a.strides[0] == a.itemsize < a.strides[3] < a.strides[2] < a.strides[1]


@pytest.mark.parametrize("padding", [0, 1])
def test_conv2d_output_and_input_gradient_are_batch_last_and_the_layout_carries_through(padding: int) -> None:
    """conv2d returns its (O, OH, OW, N) product as a view, and each op after it keeps that layout in forward and
    backward (relu, max pooling, BatchNorm's reductions, Flatten + Linear), so no op mixes two layouts. Values are
    checked against PyTorch elsewhere; here the layouts, and that they do not change a value."""
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((3, 2, 8, 9)).astype(np.float32), requires_grad=True)
    w = ag.tensor(rng.standard_normal((4, 2, 3, 3)).astype(np.float32), requires_grad=True)
    h = ag.relu(x * 1.0)
    y = ops.conv2d(h, w, padding=padding)
    assert _batch_last(y.numpy())
    (dh,) = ag.grad(y.sum(), [h], retain_graph=True)
    assert _batch_last(dh.numpy())

    r = ag.relu(nn.BatchNorm2d(4)(y))
    p = nn.functional.max_pool2d(r, 2)
    flat = nn.Flatten()(p)
    lin = nn.Linear(flat.shape[1], 5)
    for t in (r, p, flat):
        t.retain_grad()
    lin(flat).sum().backward()
    assert _batch_last(r.numpy()) and _batch_last(p.numpy()) and flat.numpy().flags.f_contiguous
    assert flat.grad.numpy().flags.f_contiguous and _batch_last(p.grad.numpy()) and _batch_last(r.grad.numpy())
    np.testing.assert_allclose(flat.grad.numpy(), np.broadcast_to(lin.weight.numpy().sum(0), flat.shape), rtol=1e-6)
    again = ops.conv2d(ag.tensor(np.ascontiguousarray(h.numpy())), w, padding=padding)   # a row-major input
    np.testing.assert_array_equal(again.numpy(), y.numpy())
    assert y.contiguous().numpy().flags.c_contiguous

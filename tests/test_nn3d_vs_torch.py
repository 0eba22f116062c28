"""The 3-D layers (conv3d, conv_transpose3d, max/avg/adaptive pooling in 3-D, max_unpool3d, BatchNorm3d,
InstanceNorm3d, the Lazy*3d forms, interpolate on 5-D): values and gradients (input, weight, bias) equal to
PyTorch 2.13's in float64 over grids of options, batched and unbatched; second-order gradients by finite
differences; state_dict interop both ways; printing; error kinds."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from op_specs import NO_ROW

import autograd as ag
import chainrule
import chainrule.nn as cnn
import chainrule.nn.functional as CF
from autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
F = torch.nn.functional


def test_the_ops_are_checked_here() -> None:
    assert {n for n, why in NO_ROW.items() if "test_nn3d_vs_torch.py" in why} == {"conv3d", "conv_transpose3d"}


def _run(ours, theirs, arrays: list, rng, tol: float = 1e-10):
    """Call both on the same float64 arrays (None stays None), compare outputs, then every input's gradient for
    one random output gradient. Returns both outputs."""
    a = [None if v is None else ag.tensor(v, requires_grad=np.issubdtype(v.dtype, np.floating)) for v in arrays]
    t = [None if v is None else torch.tensor(v, requires_grad=np.issubdtype(v.dtype, np.floating)) for v in arrays]
    y, ty = ours(*a), theirs(*t)
    y1, ty1 = (y[0], ty[0]) if isinstance(ty, tuple) else (y, ty)
    assert tuple(y1.shape) == tuple(ty1.shape)
    np.testing.assert_allclose(y1.detach().numpy(), ty1.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(tuple(ty1.shape))
    (y1 * ag.tensor(g)).sum().backward()
    (ty1 * torch.tensor(g)).sum().backward()
    for u, v in zip(a, t):
        if u is not None and u.requires_grad:
            np.testing.assert_allclose(u.grad.numpy(), v.grad.numpy(), rtol=tol, atol=tol)
    return y, ty


def _conv_grid():
    for s, p, d, g in itertools.product([1, (2, 1, 2)], [0, 1, (1, 0, 2), "same", "valid"], [1, (2, 1, 1)], [1, 2]):
        if p == "same" and s != 1:
            continue
        yield s, p, d, g


@pytest.mark.filterwarnings("ignore:Using padding='same'")       # PyTorch's note about its own extra copy
@pytest.mark.parametrize("s, p, d, g", list(_conv_grid()))
@pytest.mark.parametrize("bias", [True, False])
def test_conv3d_matches_torch(s, p, d, g, bias):
    rng = np.random.default_rng(abs(hash((str(s), str(p), str(d), g, bias))) % 2**32)
    x, w = rng.standard_normal((2, 2 * g, 5, 4, 6)), rng.standard_normal((3 * g, 2, 3, 2, 3))
    b = rng.standard_normal(3 * g) if bias else None
    for xx in (x, x[0]):                                         # batched and unbatched
        _run(lambda x, w, b: CF.conv3d(x, w, b, s, p, d, g), lambda x, w, b: F.conv3d(x, w, b, s, p, d, g),
             [xx, w, b], rng)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [(1, 2, 1), "same"])
def test_conv3d_layer_padding_modes_and_state_dict(mode, padding):
    torch.manual_seed(0)
    theirs = torch.nn.Conv3d(4, 6, (3, 2, 3), padding=padding, padding_mode=mode, groups=2).double()
    ours = cnn.Conv3d(4, 6, (3, 2, 3), padding=padding, padding_mode=mode, groups=2, dtype=chainrule.float64)
    ours.load_state_dict({k: chainrule.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 4, 5, 6))
    for xx in (x, x[0]):
        y, ty = ours(chainrule.tensor(xx)), theirs(torch.tensor(xx))
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    back = torch.nn.Conv3d(4, 6, (3, 2, 3), padding=padding, padding_mode=mode, groups=2).double()
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(back(torch.tensor(x)).detach().numpy(), ours(chainrule.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-10)


def _transpose_grid():
    for s, p, op, d, g in itertools.product([1, (2, 1, 3)], [0, (1, 0, 2)], [0, (1, 0, 2)], [1, (2, 1, 1)], [1, 2]):
        ops = op if isinstance(op, tuple) else (op,) * 3
        ss, dd = (s if isinstance(s, tuple) else (s,) * 3), (d if isinstance(d, tuple) else (d,) * 3)
        if all(o < a or o < b for o, a, b in zip(ops, ss, dd)):
            yield s, p, op, d, g


@pytest.mark.parametrize("s, p, op, d, g", list(_transpose_grid()))
def test_conv_transpose3d_matches_torch(s, p, op, d, g):
    rng = np.random.default_rng(abs(hash((str(s), str(p), str(op), str(d), g))) % 2**32)
    x, w = rng.standard_normal((2, 2 * g, 3, 4, 3)), rng.standard_normal((2 * g, 3, 2, 3, 3))
    b = rng.standard_normal(3 * g)
    for xx in (x, x[0]):
        _run(lambda x, w, b: CF.conv_transpose3d(x, w, b, s, p, op, g, d),
             lambda x, w, b: F.conv_transpose3d(x, w, b, s, p, op, g, d), [xx, w, b], rng)


def test_conv_transpose3d_layer_output_size_state_dict_and_repr():
    torch.manual_seed(0)
    theirs = torch.nn.ConvTranspose3d(4, 6, 3, stride=2, padding=1, groups=2, bias=False).double()
    ours = cnn.ConvTranspose3d(4, 6, 3, stride=2, padding=1, groups=2, bias=False, dtype=chainrule.float64)
    ours.load_state_dict({k: chainrule.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(2).standard_normal((1, 4, 3, 4, 5))
    for size in (None, (6, 8, 10), (1, 6, 5, 7, 9)):
        y, ty = ours(chainrule.tensor(x), output_size=size), theirs(torch.tensor(x), output_size=size)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match="zeros"):
        cnn.ConvTranspose3d(4, 6, 3, padding_mode="reflect")


def test_conv3d_default_init_matches_torch_bounds():
    m = cnn.Conv3d(4, 8, (3, 2, 2))
    bound = 1 / np.sqrt(4 * 12)
    assert m.weight.shape == (8, 4, 3, 2, 2) and np.abs(m.weight.numpy()).max() <= bound
    assert np.abs(m.bias.numpy()).max() <= bound and m.weight.numpy().std() > bound / 4


@pytest.mark.parametrize("k, s, p, d, ceil", [(2, None, 0, 1, False), ((3, 2, 3), (2, 1, 2), (1, 1, 0), 1, True),
                                              (3, 2, 1, (1, 2, 1), False), ((2, 3, 2), 2, (1, 1, 1), 2, True),
                                              (3, 1, 1, 1, False)])
def test_max_pool3d_matches_torch_with_indices(k, s, p, d, ceil):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 6, 7, 8))
    x[0, 0, :2, :2, :2] = 1.5                                   # ties: the first maximum wins, as PyTorch's
    for xx in (x, x[0]):
        (y, i), (ty, ti) = _run(lambda x: CF.max_pool3d(x, k, s, p, d, ceil, True),
                                lambda x: F.max_pool3d(x, k, s, p, d, ceil, True), [xx], rng)
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
        assert i.dtype == chainrule.int64
        yi, ii = CF.max_pool3d_with_indices(chainrule.tensor(xx), k, s, p, d, ceil)
        np.testing.assert_array_equal(ii.numpy(), ti.numpy())
        m = cnn.MaxPool3d(k, s, p, d, return_indices=True, ceil_mode=ceil)
        np.testing.assert_array_equal(m(chainrule.tensor(xx))[1].numpy(), ti.numpy())
        out = (ti.shape[-3] - 1) * np.array(m.stride if s else k) + np.array(k) - 2 * np.array(p)
        if d == 1 and not ceil and np.all(out == np.array(xx.shape[-3:])):
            _run(lambda y, i: CF.max_unpool3d(y, i, k, s, p), lambda y, i: F.max_unpool3d(y, i, k, s, p),
                 [ty.detach().numpy(), ti.numpy()], rng)


def test_max_pool3d_nan_goes_where_torch_sends_it():
    x = np.arange(64.0).reshape(1, 1, 4, 4, 4)
    x[0, 0, 0, 0, 0] = x[0, 0, 1, 1, 1] = np.nan
    y, i = CF.max_pool3d(chainrule.tensor(x), 2, return_indices=True)
    ty, ti = F.max_pool3d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    np.testing.assert_array_equal(np.isnan(y.numpy()), np.isnan(ty.numpy()))


@pytest.mark.parametrize("k, s, p, ceil, incl, div", [
    (2, None, 0, False, True, None), ((3, 2, 3), (2, 1, 2), (1, 1, 0), True, True, None),
    ((3, 2, 3), (2, 1, 2), (1, 1, 0), True, False, None), (3, 2, 1, False, False, None),
    (3, 2, 1, True, True, 5), ((2, 3, 2), 1, (1, 1, 1), False, False, 7)])
def test_avg_pool3d_matches_torch(k, s, p, ceil, incl, div):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 5, 7, 6))
    for xx in (x, x[0]):
        _run(lambda x: CF.avg_pool3d(x, k, s, p, ceil, incl, div), lambda x: F.avg_pool3d(x, k, s, p, ceil, incl, div),
             [xx], rng)
        m, tm = cnn.AvgPool3d(k, s, p, ceil, incl, div), torch.nn.AvgPool3d(k, s, p, ceil, incl, div)
        assert repr(m) == repr(tm)
        np.testing.assert_allclose(m(chainrule.tensor(xx)).numpy(), tm(torch.tensor(xx)).numpy(), rtol=1e-10)


@pytest.mark.parametrize("size", [1, 2, (3, 4, 5), (None, 3, 2), (4, 7, 6)])
def test_adaptive_pool3d_matches_torch(size):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 4, 7, 6))
    x[0, 0, 0, 0, :3] = 9.0                                     # a tie across windows
    for xx in (x, x[0]):
        _run(lambda x: CF.adaptive_avg_pool3d(x, size), lambda x: F.adaptive_avg_pool3d(x, size), [xx], rng)
        (_, i), (_, ti) = _run(lambda x: CF.adaptive_max_pool3d(x, size, True),
                               lambda x: F.adaptive_max_pool3d(x, size, True), [xx], rng)
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
        np.testing.assert_array_equal(CF.adaptive_max_pool3d_with_indices(chainrule.tensor(xx), size)[1].numpy(),
                                      ti.numpy())
        for ours, theirs in ((cnn.AdaptiveAvgPool3d(size), torch.nn.AdaptiveAvgPool3d(size)),
                             (cnn.AdaptiveMaxPool3d(size), torch.nn.AdaptiveMaxPool3d(size))):
            assert repr(ours) == repr(theirs)
            np.testing.assert_allclose(ours(chainrule.tensor(xx)).numpy(), theirs(torch.tensor(xx)).numpy(),
                                       rtol=1e-10, atol=1e-12)


def test_max_unpool3d_layer_output_size_and_reprs():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 5, 6, 7))
    ty, ti = F.max_pool3d(torch.tensor(x), 2, return_indices=True)
    m, tm = cnn.MaxUnpool3d(2), torch.nn.MaxUnpool3d(2)
    assert repr(m) == repr(tm) and repr(cnn.MaxPool3d(2)) == repr(torch.nn.MaxPool3d(2))
    for size in ((5, 6, 7), (2, 3, 5, 6, 7), (4, 7, 7)):
        np.testing.assert_array_equal(m(chainrule.tensor(ty.numpy()), chainrule.tensor(ti.numpy()), size).numpy(),
                                      tm(ty, ti, size).numpy())
    with pytest.raises(RuntimeError, match="invalid max index"):
        CF.max_unpool3d(chainrule.zeros(1, 1, 2, 2, 2), chainrule.full((1, 1, 2, 2, 2), 100, dtype=chainrule.int64), 2)


@pytest.mark.parametrize("layer", ["BatchNorm3d", "InstanceNorm3d"])
def test_norm3d_train_eval_state_dict_both_ways(layer):
    rng = np.random.default_rng(7)
    kw = {} if layer == "BatchNorm3d" else {"affine": True, "track_running_stats": True}
    theirs = getattr(torch.nn, layer)(3, momentum=0.2, **kw).double()
    ours = getattr(cnn, layer)(3, momentum=0.2, dtype=chainrule.float64, **kw)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-0.5, 0.5)
    ours.load_state_dict({k: chainrule.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    x = rng.standard_normal((2, 3, 3, 4, 5))
    _run(ours, theirs, [x], rng)                                           # training: batch statistics
    ours.eval(), theirs.eval()
    _run(ours, theirs, [x], rng)                                           # eval: the updated running ones
    if layer == "InstanceNorm3d":
        _run(ours, theirs, [x[0]], rng)
    back = getattr(torch.nn, layer)(3, **kw).double()
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    for k, v in back.state_dict().items():
        np.testing.assert_allclose(v.numpy(), theirs.state_dict()[k].numpy(), rtol=1e-12)


@pytest.mark.parametrize("name, args, shape", [("LazyConv3d", (4, 3), (2, 3, 4, 5, 6)),
                                               ("LazyConvTranspose3d", (4, 2), (2, 3, 3, 4, 5)),
                                               ("LazyBatchNorm3d", (), (2, 3, 3, 4, 5)),
                                               ("LazyInstanceNorm3d", (), (2, 3, 3, 4, 5))])
def test_lazy_3d_layers_become_their_layer(name, args, shape):
    m = getattr(cnn, name)(*args)
    y = m(chainrule.randn(*shape))
    assert type(m).__name__ == name.removeprefix("Lazy")
    assert tuple(y.shape) == tuple(getattr(torch.nn, name)(*args)(torch.randn(*shape)).shape)


@pytest.mark.parametrize("mode, kw", [("nearest", {"scale_factor": 2}), ("nearest", {"size": (3, 7, 4)}),
                                      ("area", {"size": (2, 3, 4)}), ("trilinear", {"size": (3, 7, 4)}),
                                      ("nearest-exact", {"size": (5, 3, 8)})])
def test_interpolate_5d(mode, kw):
    x = np.random.default_rng(8).standard_normal((2, 3, 4, 5, 6))
    _run(lambda x: CF.interpolate(x, mode=mode, **kw), lambda x: F.interpolate(x, mode=mode, **kw), [x],
         np.random.default_rng(9))


@pytest.mark.parametrize("fn", [
    lambda x, w, b: ag.conv3d(x, w, b, (2, 1, 1), (1, 0, 1), (1, 2, 1), 2),
    lambda x, w, b: ag.conv_transpose3d(x, w, None, 2, 1, 1, 1, 1)[..., :3, :3, :3] + b.sum(),
])
def test_second_order_gradients(fn):
    rng = np.random.default_rng(10)
    x, w, b = (ag.tensor(rng.standard_normal(s), requires_grad=True) for s in ((1, 2, 3, 4, 3), (2, 1, 2, 2, 2), (2,)))
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_pool3d_second_order_gradients():
    x = ag.tensor(np.random.default_rng(11).standard_normal((1, 2, 4, 3, 4)), requires_grad=True)
    for fn in (lambda x: CF.max_pool3d(x, 2, 1, 1) ** 2, lambda x: CF.avg_pool3d(x, 2, 1, 1, True, False) ** 2,
               lambda x: CF.adaptive_max_pool3d(x, (3, 2, 3)) ** 2, lambda x: CF.adaptive_avg_pool3d(x, 3) ** 2):
        assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


ERRORS = {
    "conv3d_channels": lambda m: m.nn.functional.conv3d(m.zeros(1, 3, 4, 4, 4), m.zeros(2, 2, 2, 2, 2)),
    "conv3d_rank": lambda m: m.nn.functional.conv3d(m.zeros(1, 2, 4, 4), m.zeros(2, 2, 2, 2)),
    "conv3d_kernel_too_big": lambda m: m.nn.functional.conv3d(m.zeros(1, 2, 1, 4, 4), m.zeros(2, 2, 2, 2, 2)),
    "conv3d_bias": lambda m: m.nn.functional.conv3d(m.zeros(1, 2, 4, 4, 4), m.zeros(2, 2, 2, 2, 2), m.zeros(3)),
    "conv_transpose3d_channels": lambda m: m.nn.functional.conv_transpose3d(m.zeros(1, 3, 2, 2, 2),
                                                                            m.zeros(2, 2, 2, 2, 2)),
    "max_pool3d_padding": lambda m: m.nn.functional.max_pool3d(m.zeros(1, 1, 4, 4, 4), 2, padding=2),
    "avg_pool3d_divisor": lambda m: m.nn.functional.avg_pool3d(m.zeros(1, 1, 4, 4, 4), 2, divisor_override=0),
    "adaptive_max_pool3d_rank": lambda m: m.nn.functional.adaptive_max_pool3d(m.zeros(1, 2, 3), 2),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_error_kinds_match_torch(case):
    with pytest.raises(Exception) as theirs:
        ERRORS[case](torch)
    with pytest.raises(type(theirs.value)):
        ERRORS[case](chainrule)


@pytest.mark.parametrize("make", [lambda m: m.Conv3d(2, 4, 3, padding_mode="foo"),
                                  lambda m: m.Conv3d(2, 4, 3, stride=2, padding="same"),
                                  lambda m: m.Conv3d(3, 4, 3, groups=2)])
def test_layer_argument_errors_are_value_errors(make):
    for m in (torch.nn, cnn):
        with pytest.raises(ValueError):
            make(m)


def test_batchnorm3d_rejects_4d():
    for m, t in ((torch.nn, torch), (cnn, chainrule)):
        with pytest.raises(ValueError, match="5D"):
            m.BatchNorm3d(3)(t.zeros(2, 3, 4, 4))

"""Resampling and rearranging layers: F.interpolate (nearest, nearest-exact, linear, bilinear, trilinear, area;
size= or scale_factor=; align_corners), Upsample, UpsamplingNearest2d/Bilinear2d, pixel_shuffle/unshuffle,
channel_shuffle, adaptive pooling (avg 1d, max 1d/2d with indices), nn.Fold/Unfold: values and gradients equal
to PyTorch 2.13's in float64, printing, error kinds."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd as ag
import nn  # noqa: F401  (the LAYERS specs are eval-ed as nn.<spec>)
import nn.functional as F
from autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(0)


def _check(ours, theirs, x, exact=False):
    """Values and the gradient of a random weighting of the output, ours against PyTorch's."""
    X, T = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(X), theirs(T)
    if isinstance(ty, tuple):
        np.testing.assert_array_equal(y[1].numpy(), ty[1].numpy())
        y, ty = y[0], ty[0]
    assert tuple(y.shape) == tuple(ty.shape)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=0 if exact else 1e-13, atol=1e-14)
    w = RNG.standard_normal(tuple(ty.shape))
    (y * ag.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(X.grad.numpy(), T.grad.numpy(), rtol=1e-13, atol=1e-14)


def interp_cases():
    sizes = {3: [(7,), (3,), (1,), (13,), (2,)], 4: [(7, 4), (5, 5), (1, 9), (12, 3)], 5: [(3, 5, 2)]}
    scales = {3: [2, 0.5, 1.7, 3.0, 0.3], 4: [2, (1.5, 0.75), 2.6, (1, 3.0)], 5: [(2, 0.5, 1.3)]}
    for nd, modes in ((3, ["nearest", "nearest-exact", "linear", "area"]),
                      (4, ["nearest", "nearest-exact", "bilinear", "area"]), (5, ["nearest", "trilinear"])):
        for mode in modes:
            corners = [False, True, None] if "linear" in mode else [None]
            for ac, (kind, v) in itertools.product(corners, [("size", s) for s in sizes[nd]] +
                                                   [("scale_factor", s) for s in scales[nd]]):
                for recompute in ([None, True] if kind == "scale_factor" else [None]):
                    yield nd, mode, ac, kind, v, recompute


@pytest.mark.parametrize("nd, mode, ac, kind, value, recompute", list(interp_cases()))
def test_interpolate_matches_torch(nd, mode, ac, kind, value, recompute):
    x = RNG.standard_normal((2, 3, 5, 6, 4)[:nd])
    kw = {kind: value, "mode": mode, "align_corners": ac, "recompute_scale_factor": recompute}
    _check(lambda t: F.interpolate(t, **kw), lambda t: TF.interpolate(t, **kw), x, exact="nearest" in mode)


@pytest.mark.parametrize("n, o", [(n, o) for n in (3, 7, 10, 33) for o in (1, 2, 5, 6, 21, 64, 100)])
def test_nearest_indices_match_torch_at_awkward_ratios(n, o):
    x = np.arange(float(n)).reshape(1, 1, n)
    for mode in ("nearest", "nearest-exact"):
        y = F.interpolate(ag.tensor(x), size=o, mode=mode).numpy()
        np.testing.assert_array_equal(y, TF.interpolate(torch.tensor(x), size=o, mode=mode).numpy())


def test_interpolate_float32_and_second_order():
    x = RNG.standard_normal((1, 2, 4, 5)).astype(np.float32)
    y = F.interpolate(ag.tensor(x), scale_factor=1.5, mode="bilinear")
    assert y.dtype == ag.float32
    np.testing.assert_allclose(y.numpy(), TF.interpolate(torch.tensor(x), scale_factor=1.5, mode="bilinear"),
                               rtol=1e-6, atol=1e-6)
    t = ag.tensor(RNG.standard_normal((1, 1, 3, 2)), requires_grad=True)
    fn = lambda t: F.interpolate(t, size=(5, 3), mode="bilinear") ** 2        # noqa: E731
    assert gradcheck(fn, (t,)) and gradgradcheck(fn, (t,))


def test_interpolate_returns_a_new_tensor():
    x = ag.ones(1, 1, 3)
    y = F.interpolate(x, size=3)
    assert y is not x and y.shape == x.shape


ERRORS = {
    "both": lambda m, x: m.interpolate(x, size=3, scale_factor=2),
    "neither": lambda m, x: m.interpolate(x),
    "align_nearest": lambda m, x: m.interpolate(x, size=3, align_corners=True),
    "size_len": lambda m, x: m.interpolate(x, size=(3, 3, 3)),
    "recompute_size": lambda m, x: m.interpolate(x, size=3, recompute_scale_factor=True),
}
NOT_IMPLEMENTED = {
    "linear_4d": lambda m, x: m.interpolate(x, size=3, mode="linear"),
    "trilinear_4d": lambda m, x: m.interpolate(x, size=3, mode="trilinear"),
    "mode": lambda m, x: m.interpolate(x, size=3, mode="foo"),
}


@pytest.mark.parametrize("table, kind", [(ERRORS, ValueError), (NOT_IMPLEMENTED, NotImplementedError)])
def test_interpolate_error_kinds(table, kind):
    x = np.zeros((1, 2, 4, 4))
    for case in table.values():
        with pytest.raises(kind):
            case(TF, torch.tensor(x))
        with pytest.raises(kind, match="interpolate"):
            case(F, ag.tensor(x))
    for m, t in ((TF, torch.tensor), (F, ag.tensor)):
        with pytest.raises(RuntimeError):
            m.interpolate(t(x), size=(0, 3))


LAYERS = ["Upsample(scale_factor=2)", "Upsample(size=(3, 4), mode='bilinear', align_corners=True)",
          "Upsample(scale_factor=(2, 1.5), mode='nearest-exact')", "Upsample(size=7, mode='bilinear')",
          "UpsamplingNearest2d(scale_factor=2)", "UpsamplingNearest2d(size=(3, 5))",
          "UpsamplingBilinear2d(size=3)", "UpsamplingBilinear2d(scale_factor=1.5)", "PixelShuffle(2)",
          "PixelUnshuffle(2)", "ChannelShuffle(2)", "AdaptiveAvgPool1d(3)", "AdaptiveMaxPool1d(4)",
          "AdaptiveMaxPool1d(3, return_indices=True)", "AdaptiveMaxPool2d((3, None))",
          "AdaptiveMaxPool2d(5, return_indices=True)", "AdaptiveMaxPool2d((2, 3))", "Unfold(2)",
          "Unfold((2, 3), dilation=2, padding=1, stride=(1, 2))", "Fold(output_size=(4, 6), kernel_size=2)",
          "Fold((5, 7), (2, 3), 1, 1, 2)"]


@pytest.mark.parametrize("spec", LAYERS)
def test_layers_print_and_compute_as_torch(spec):
    ours, theirs = eval(f"nn.{spec}"), eval(f"torch.nn.{spec}")
    assert repr(ours) == repr(theirs)
    name = spec.split("(")[0]
    if name.endswith("1d"):
        shapes = [(2, 4, 11), (4, 7)]
    elif name == "Fold":
        k = theirs.kernel_size if isinstance(theirs.kernel_size, tuple) else (theirs.kernel_size,) * 2
        shapes = [(2, 2 * k[0] * k[1], _blocks(theirs))]
    elif name.startswith("Upsampl") or name == "Unfold":    # 3-D input is (N, C, L) to interpolate
        shapes = [(2, 4, 6, 8)]
    else:
        shapes = [(2, 4, 6, 8), (4, 6, 8)]
    for shape in shapes:
        _check(ours, theirs, RNG.standard_normal(shape), exact=name != "UpsamplingBilinear2d")


def _blocks(fold) -> int:
    """How many windows a Fold layer expects: unfold a zero image of its output size and count."""
    size = fold.output_size if isinstance(fold.output_size, tuple) else (fold.output_size,) * 2
    return TF.unfold(torch.zeros(1, 1, *size), fold.kernel_size, fold.dilation, fold.padding,
                     fold.stride).shape[-1]


@pytest.mark.parametrize("shape, r", [((2, 8, 3, 5), 2), ((9, 2, 2), 3), ((2, 1, 4, 4, 2), 1), ((3, 2, 4, 1), 2)])
def test_pixel_shuffle_and_unshuffle_match_torch(shape, r):
    x = RNG.standard_normal(shape)
    if shape[-3] % (r * r) == 0:
        _check(lambda t: F.pixel_shuffle(t, r), lambda t: TF.pixel_shuffle(t, r), x, exact=True)
    if shape[-1] % r == 0 and shape[-2] % r == 0:
        _check(lambda t: F.pixel_unshuffle(t, r), lambda t: TF.pixel_unshuffle(t, r), x, exact=True)
    else:
        with pytest.raises(RuntimeError):
            TF.pixel_unshuffle(torch.tensor(x), r)
        with pytest.raises(RuntimeError, match="pixel_unshuffle"):
            F.pixel_unshuffle(ag.tensor(x), r)


@pytest.mark.parametrize("fn, args", [("pixel_shuffle", ((2, 3, 4, 4), 2)), ("pixel_shuffle", ((4, 4), 2)),
                                      ("pixel_shuffle", ((2, 4, 4, 4), 0)), ("channel_shuffle", ((2, 3, 4), 2)),
                                      ("channel_shuffle", ((4, 4), 2)), ("channel_shuffle", ((2, 4, 4), 0))])
def test_shuffle_error_kinds(fn, args):
    shape, r = args
    with pytest.raises(RuntimeError):
        getattr(TF, fn)(torch.zeros(shape), r)
    with pytest.raises(RuntimeError, match=fn):
        getattr(F, fn)(ag.zeros(*shape), r)


@pytest.mark.parametrize("fn, out", [(f, o) for f in ("adaptive_avg_pool1d", "adaptive_max_pool1d")
                                     for o in (1, 3, 4, 7, 11, 15)])
def test_adaptive_pool1d_matches_torch(fn, out):
    x = RNG.standard_normal((2, 3, 11))
    kw = {"return_indices": True} if "max" in fn else {}
    _check(lambda t: getattr(F, fn)(t, out, **kw), lambda t: getattr(TF, fn)(t, out, **kw), x)


@pytest.mark.parametrize("out", [1, 2, (3, 5), (None, 4), (7, 9), (10, 3)])
def test_adaptive_max_pool2d_with_ties_matches_torch(out):
    x = RNG.integers(0, 3, (2, 3, 7, 9)).astype(np.float64)      # many ties: the first maximum wins, as there
    _check(lambda t: F.adaptive_max_pool2d(t, out, True), lambda t: TF.adaptive_max_pool2d(t, out, True), x)

"""Transposed convolution (F.conv_transpose1d/2d, nn.ConvTranspose1d/2d): values and gradients equal to
PyTorch 2.13's in float64 over a grid of strides, paddings, output paddings, groups and dilations; gradients
of the second order by finite differences; output_size=, state_dict round trips, printing, error kinds."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from op_specs import NO_ROW

import autograd as ag
import nn
from autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
F = torch.nn.functional


def test_the_ops_are_checked_here() -> None:
    assert {n for n, why in NO_ROW.items() if "test_conv_transpose.py" in why} == {"conv_transpose1d",
                                                                                  "conv_transpose2d"}


def grid():
    for g, s, p, op, d, k, bias in itertools.product([1, 2], [1, 2, 3], [0, 1, 2], [0, 1, 2], [1, 2],
                                                     [(1, 1), (2, 3), (3, 3)], [False, True]):
        if op < s or op < d:
            yield g, (s, max(1, s - 1)), (p, 0), (op, 0), (d, 1), k, bias


def _both(x, *rest):
    ours = [None if a is None else ag.tensor(a, requires_grad=True) for a in (x, *rest)]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in (x, *rest)]
    return ours, theirs


def _compare(y, ty, ours, theirs, rng):
    assert tuple(y.shape) == tuple(ty.shape)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    w = rng.standard_normal(tuple(ty.shape))
    (y * ag.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    for a, t in zip(ours, theirs):
        if a is not None:
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("g, s, p, op, d, k, bias", list(grid()))
def test_conv_transpose2d_matches_torch(g, s, p, op, d, k, bias):
    rng = np.random.default_rng(hash((g, s, p, op, d, k, bias)) % 2**32)
    x, w = rng.standard_normal((2, 2 * g, 4, 5)), rng.standard_normal((2 * g, 3, *k))
    b = rng.standard_normal(3 * g) if bias else None
    ours, theirs = _both(x, w, b)
    try:
        ty = F.conv_transpose2d(*theirs, s, p, op, g, d)
    except RuntimeError:                       # an empty output: ours refuses it too, with the same kind
        with pytest.raises(RuntimeError, match="conv_transpose2d"):
            ag.conv_transpose2d(*ours, s, p, op, g, d)
        return
    _compare(ag.conv_transpose2d(*ours, s, p, op, g, d), ty, ours, theirs, rng)


@pytest.mark.parametrize("s, p, op, d, unbatched", [(1, 0, 0, 1, False), (2, 1, 1, 1, False), (3, 2, 2, 1, True),
                                                     (2, 0, 1, 2, False), (1, 1, 2, 3, True)])
def test_conv_transpose1d_matches_torch(s, p, op, d, unbatched):
    rng = np.random.default_rng(s + 10 * p + 100 * op + 1000 * d)
    x, w, b = rng.standard_normal((2, 4, 6)), rng.standard_normal((4, 3, 3)), rng.standard_normal(6)
    if unbatched:
        x = x[0]
    ours, theirs = _both(x, w, b)
    _compare(ag.conv_transpose1d(*ours, s, p, op, 2, d), F.conv_transpose1d(*theirs, s, p, op, 2, d), ours,
             theirs, rng)


def test_unbatched_2d_and_float32():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 3, 4)).astype(np.float32), rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
    y = ag.conv_transpose2d(ag.tensor(x), ag.tensor(w), stride=2)
    assert y.dtype == ag.float32 and y.shape == (3, 6, 8)
    np.testing.assert_allclose(y.numpy(), F.conv_transpose2d(torch.tensor(x), torch.tensor(w), stride=2).numpy(),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("s, p, op, d, g", [(2, 1, 1, 1, 1), (1, 0, 0, 2, 2), (3, 1, 2, 1, 1), (1, 1, 1, 2, 1)])
def test_gradients_of_the_first_and_second_order(s, p, op, d, g):
    rng = np.random.default_rng(7)
    x, w, b = (ag.tensor(rng.standard_normal(shape), requires_grad=True)
               for shape in ((1, 2, 3, 2), (2, 2 // g, 2, 3), (2,)))
    fn = lambda x, w, b: ag.conv_transpose2d(x, w, b, s, p, op, g, d)         # noqa: E731
    assert gradcheck(fn, (x, w, b)) and gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize("cls, dims", [("ConvTranspose1d", 1), ("ConvTranspose2d", 2)])
@pytest.mark.parametrize("kwargs", [{}, dict(stride=2, padding=1, output_padding=1), dict(groups=2, bias=False),
                                    dict(stride=3, dilation=2, output_padding=2, groups=2)])
def test_layers_print_load_and_compute_as_torch(cls, dims, kwargs):
    ours, theirs = getattr(nn, cls)(4, 6, 3, **kwargs), getattr(torch.nn, cls)(4, 6, 3, **kwargs).double()
    assert repr(ours) == repr(theirs)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((2, 4) + (5,) * dims)
    y = ours(ag.tensor(x).float() if ours.weight.dtype == ag.float32 else ag.tensor(x))
    ty = theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())


def test_initialisation_bounds_are_torchs():
    """kaiming_uniform(a=√5) over fan_in = weight.shape[1]·k: W and b within ±1/√fan_in, filling the range."""
    layer = nn.ConvTranspose2d(16, 8, 3, groups=2)
    bound = 1 / np.sqrt(4 * 9)
    for p in (layer.weight, layer.bias):
        a = p.detach().numpy()
        assert a.max() <= bound and a.min() >= -bound and a.max() > 0.8 * bound
    assert layer.weight.shape == (16, 4, 3, 3)


@pytest.mark.parametrize("size", [(9, 9), (10, 10), (2, 6, 10, 9), [10, 9]])
def test_output_size_chooses_output_padding(size):
    ours, theirs = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1), torch.nn.ConvTranspose2d(4, 6, 3, 2, 1)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 5)).astype(np.float32)
    y, ty = ours(ag.tensor(x), output_size=size), theirs(torch.tensor(x), output_size=size)
    assert tuple(y.shape) == tuple(ty.shape)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)


X, W = np.zeros((2, 4, 5, 5)), np.zeros((4, 3, 3, 3))
ERRORS = {
    "output_padding": lambda m, t: m.conv_transpose2d(t(X), t(W), stride=2, output_padding=2),
    "channels": lambda m, t: m.conv_transpose2d(t(X[:, :3]), t(W)),
    "groups": lambda m, t: m.conv_transpose2d(t(X), t(W), groups=3),
    "bias": lambda m, t: m.conv_transpose2d(t(X), t(W), t(np.zeros(4))),
    "input_5d": lambda m, t: m.conv_transpose2d(t(X[None]), t(W)),
    "negative_padding": lambda m, t: m.conv_transpose2d(t(X), t(W), padding=-1),
    "stride_0": lambda m, t: m.conv_transpose2d(t(X), t(W), stride=0),
    "empty_output": lambda m, t: m.conv_transpose2d(t(X[..., :1, :1]), t(W), padding=2),
    "stride_triple": lambda m, t: m.conv_transpose2d(t(X), t(W), stride=(1, 1, 1)),
    "1d_input_4d": lambda m, t: m.conv_transpose1d(t(X), t(W[..., 0])),
}


@pytest.mark.parametrize("case", ERRORS)
def test_error_kinds_are_torchs(case):
    with pytest.raises(RuntimeError):
        ERRORS[case](F, torch.tensor)
    with pytest.raises(RuntimeError, match="conv_transpose"):
        ERRORS[case](ag, ag.tensor)


def test_string_padding_is_a_type_error_and_layer_errors():
    with pytest.raises(TypeError):
        F.conv_transpose2d(torch.zeros(1, 4, 3, 3), torch.zeros(4, 3, 3, 3), padding="same")
    with pytest.raises(TypeError, match="padding"):
        ag.conv_transpose2d(ag.zeros(1, 4, 3, 3), ag.zeros(4, 3, 3, 3), padding="same")
    for m in (torch.nn, nn):
        with pytest.raises(ValueError, match="zeros"):
            m.ConvTranspose2d(4, 6, 3, padding_mode="reflect")
        with pytest.raises(ValueError):
            m.ConvTranspose2d(4, 6, 3, groups=4)
        with pytest.raises(ValueError, match="output size"):
            m.ConvTranspose2d(4, 6, 3, stride=2)(_zeros(m), output_size=(20, 20))


def _zeros(m):
    return torch.zeros(1, 4, 5, 5) if m is torch.nn else ag.zeros(1, 4, 5, 5)

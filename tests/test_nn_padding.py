"""F.pad's 'reflect', 'replicate' and 'circular' modes and the padding layers (ZeroPad, ConstantPad,
ReflectionPad, ReplicationPad, CircularPad in 1d/2d/3d): values, gradients and printing as PyTorch's,
negative widths (cropping) included, and PyTorch's error kinds."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
rng = np.random.default_rng(0)
KINDS = ["ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad"]


def cases():
    for kind in KINDS:
        for d in (1, 2, 3):
            for pad in (2, tuple(range(1, 2 * d + 1)), (-1, 2) * d, (3, -2) * d):
                if kind in ("ZeroPad", "ConstantPad") and isinstance(pad, tuple) and min(pad) < 0:
                    continue                       # constant mode's negative widths are not supported here
                yield kind, d, pad


@pytest.mark.parametrize("kind, d, pad", list(cases()))
def test_padding_layers_match_torch(kind, d, pad):
    args = (pad, 1.5) if kind == "ConstantPad" else (pad,)
    ours, theirs = getattr(nn, f"{kind}{d}d")(*args), getattr(torch.nn, f"{kind}{d}d")(*args)
    assert repr(ours) == repr(theirs)
    for shape in [(2,) + (7,) * (d + 1), (7,) * (d + 1)]:       # batched and unbatched
        x = rng.standard_normal(shape)
        X, T = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = ours(X), theirs(T)
        np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
        w = rng.standard_normal(tuple(ty.shape))
        (y * ag.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(X.grad.numpy(), T.grad.numpy(), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("x_shape, pad, mode", [
    ((3,), (1, 1), "reflect"), ((1, 2, 3), (3, 3), "reflect"), ((2, 2, 2, 2, 2, 2), (1, 1), "replicate"),
    ((1, 2, 3), (1, 1), "nope"), ((2, 3), (1, 1, 1, 1, 1, 1), "circular"),
])
def test_pad_errors_are_torchs_kinds(x_shape, pad, mode):
    with pytest.raises(Exception) as theirs:
        torch.nn.functional.pad(torch.zeros(x_shape), pad, mode)
    with pytest.raises(theirs.type):
        F.pad(ag.zeros(*x_shape), pad, mode)


def test_a_bad_padding_argument_names_the_layer():
    with pytest.raises(ValueError, match="ReflectionPad2d: padding must be an int or a tuple of 4 ints"):
        nn.ReflectionPad2d((1, 2))

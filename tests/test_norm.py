"""batch_norm, layer_norm and embedding: gradient checks (first and second order) over hypothesis-drawn shapes,
and the nn layers against PyTorch step by step (running statistics, train/eval, momentum, state_dict)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _t(rng: np.random.Generator, *shape: int, grad: bool = True, scale: float = 1.0) -> ag.Tensor:
    return ag.tensor(rng.standard_normal(shape) * scale, requires_grad=grad)


# -- gradients against finite differences -------------------------------------------------------------------
@settings(max_examples=15)
@given(n=st.integers(2, 3), c=st.integers(1, 3), spatial=st.lists(st.integers(1, 2), max_size=2),
       training=st.booleans(), affine=st.booleans(), seed=st.integers(0, 2**16))
def test_batch_norm_gradcheck_and_gradgradcheck(n, c, spatial, training, affine, seed) -> None:
    rng = np.random.default_rng(seed)
    x = _t(rng, n, c, *spatial, scale=2.0)
    mean, var = ag.tensor(rng.standard_normal(c)), ag.tensor(rng.random(c) + 0.5)
    params = [_t(rng, c), _t(rng, c)] if affine else []

    def f(x, *wb):
        # copies: a training step moves the running statistics, and gradcheck calls f many times
        return ops.batch_norm(x, mean.clone(), var.clone(), *wb, training=training, eps=1e-3)
    assert gradcheck(f, [x, *params])
    assert gradgradcheck(f, [x, *params])


@settings(max_examples=15)
@given(lead=st.lists(st.integers(1, 2), min_size=1, max_size=2), norm=st.lists(st.integers(2, 3), min_size=1,
       max_size=2), affine=st.booleans(), seed=st.integers(0, 2**16))
def test_layer_norm_gradcheck_and_gradgradcheck(lead, norm, affine, seed) -> None:
    rng = np.random.default_rng(seed)
    x = _t(rng, *lead, *norm)
    params = [_t(rng, *norm), _t(rng, *norm)] if affine else []
    assert gradcheck(lambda x, *wb: ops.layer_norm(x, tuple(norm), *wb), [x, *params])
    assert gradgradcheck(lambda x, *wb: ops.layer_norm(x, tuple(norm), *wb), [x, *params])


@settings(max_examples=10)
@given(shape=st.lists(st.integers(1, 3), max_size=2), seed=st.integers(0, 2**16))
def test_embedding_gradcheck(shape, seed) -> None:
    # (with padding_idx the gradient deliberately disagrees with finite differences: see the next test)
    rng = np.random.default_rng(seed)
    idx = ag.tensor(rng.integers(0, 4, shape))
    w = _t(rng, 4, 3)
    assert gradcheck(lambda w: ops.embedding(idx, w), [w])
    assert gradgradcheck(lambda w: ops.embedding(idx, w) ** 2, [w])


def test_embedding_padding_row_gets_no_gradient() -> None:
    emb = nn.Embedding(5, 3, padding_idx=1)
    assert np.all(emb.weight.numpy()[1] == 0)
    emb(ag.tensor([[1, 2, 1], [0, 1, 4]])).sum().backward()
    assert np.all(emb.weight.grad.numpy()[1] == 0) and np.all(emb.weight.grad.numpy()[2] == 1)
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [1, 0, 1, 0, 1])


# -- errors ---------------------------------------------------------------------------------------------------
def test_errors_name_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4D input, got 3D input of shape \(2, 3, 4\)"):
        nn.BatchNorm2d(3)(ag.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(4\): input of shape \(2, 3\) has 3 channels"):
        nn.BatchNorm1d(4)(ag.zeros(2, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(ag.zeros(1, 3))
    with pytest.raises(ValueError, match=r"input of shape \(2, 3, 4\) does not end with normalized_shape \(3,\)"):
        nn.LayerNorm(3)(ag.zeros(2, 3, 4))
    with pytest.raises(IndexError, match=r"index 7 is out of range for 5 embeddings \(weight \(5, 2\)\)"):
        nn.Embedding(5, 2)(ag.tensor([1, 7]))
    with pytest.raises(RuntimeError, match="indices must be integers, got float32"):
        nn.Embedding(5, 2)(ag.zeros(3))
    with pytest.raises(ValueError, match="running_mean has shape"):
        ops.batch_norm(ag.zeros(2, 3), ag.zeros(4), ag.ones(3))


def test_eval_mode_uses_running_statistics() -> None:
    bn = nn.BatchNorm1d(2)
    bn.running_mean.numpy()[...] = [1.0, -1.0]
    bn.running_var.numpy()[...] = [4.0, 1.0]
    bn.eval()
    y = bn(ag.tensor([[3.0, 0.0], [1.0, -1.0]]))
    np.testing.assert_allclose(y.numpy(), [[1.0, 1.0], [0.0, 0.0]], atol=1e-5)
    assert int(bn.num_batches_tracked.item()) == 0          # eval never counts batches


# -- agreement with PyTorch ----------------------------------------------------------------------------------
def _same_forward_and_input_grad(ours, theirs, x: np.ndarray, g: np.ndarray) -> None:
    """Our module and PyTorch's on the same float64 input: equal outputs, and equal input gradients for seed g."""
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yt = ours(xa), theirs(xt)
    ya.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(ya.numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("shape,cls", [((6, 3), "BatchNorm1d"), ((4, 3, 5), "BatchNorm1d"),
                                       ((4, 3, 5, 6), "BatchNorm2d")])
def test_batchnorm_module_matches_torch_over_steps(shape, cls, momentum) -> None:
    rng = np.random.default_rng(0)
    ours = getattr(nn, cls)(3, momentum=momentum).double()
    theirs = getattr(torch.nn, cls)(3, momentum=momentum).double()
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    ours.weight.numpy()[...], ours.bias.numpy()[...] = w, b
    theirs.load_state_dict({**theirs.state_dict(), "weight": torch.tensor(w), "bias": torch.tensor(b)})
    for step in range(3):
        x = rng.standard_normal(shape) * 3 + step
        g = rng.standard_normal(shape)
        _same_forward_and_input_grad(ours, theirs, x, g)
    for k, v in theirs.state_dict().items():                  # running stats (unbiased var) and the count
        np.testing.assert_allclose(ours.state_dict()[k], v.numpy(), rtol=1e-10, err_msg=k)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours.bias.grad.numpy(), theirs.bias.grad.numpy(), rtol=1e-9)
    ours.eval(), theirs.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(ours(ag.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)


@needs_torch
@pytest.mark.parametrize("kwargs", [dict(affine=False), dict(track_running_stats=False)])
def test_batchnorm_options_match_torch(kwargs) -> None:
    rng = np.random.default_rng(1)
    ours, theirs = nn.BatchNorm2d(2, **kwargs).double(), torch.nn.BatchNorm2d(2, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for train in (True, False):
        ours.train(train), theirs.train(train)
        x = rng.standard_normal((3, 2, 4, 4))
        np.testing.assert_allclose(ours(ag.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)


@needs_torch
def test_layer_norm_and_embedding_match_torch() -> None:
    rng = np.random.default_rng(2)
    x, g = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 4, 5))
    ours, theirs = nn.LayerNorm((4, 5)).double(), torch.nn.LayerNorm((4, 5)).double()
    w = rng.standard_normal((4, 5))
    ours.weight.numpy()[...] = w
    theirs.load_state_dict({**theirs.state_dict(), "weight": torch.tensor(w)})
    _same_forward_and_input_grad(ours, theirs, x, g)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-9)

    table = rng.standard_normal((6, 3))
    idx = rng.integers(0, 6, (4, 5))
    for kwargs in ({}, {"padding_idx": 2}, {"max_norm": 1.0}):
        ea = nn.Embedding.from_pretrained(ag.tensor(table), freeze=False, **kwargs)
        et = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False, **kwargs)
        ya, yt = ea(ag.tensor(idx)), et(torch.tensor(idx))
        ga = rng.standard_normal(ya.shape)
        ya.backward(ag.tensor(ga))
        yt.backward(torch.tensor(ga))
        np.testing.assert_allclose(ya.numpy(), yt.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(ea.weight.grad.numpy(), et.weight.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(ea.weight.numpy(), et.weight.detach().numpy(), rtol=1e-12)   # max_norm renorms
    assert nn.Embedding.from_pretrained(ag.tensor(table)).weight.requires_grad is False

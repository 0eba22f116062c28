"""nn.functional's in-place activations, max pooling's indices and max unpooling, gumbel_softmax and pdist
against PyTorch (float64): outputs, gradients, and the kind of error PyTorch raises."""
from __future__ import annotations

import numpy as np
import pytest
from test_lm_vs_torch import _compare, _error_kind

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


# -- in-place activations ------------------------------------------------------------------------------------
INPLACE = [("relu_", ()), ("elu_", (0.7,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 0.8)), ("selu_", ()),
           ("celu_", (1.3,)), ("rrelu_", (0.1, 0.3, False)), ("threshold_", (0.1, -2.0))]


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activation_changes_its_input_and_backpropagates(name, args):
    x = np.random.default_rng(0).standard_normal((3, 4))

    def run(fn, lib):
        def f(v):
            h = v * 1.0                        # a non-leaf: in place on a leaf that requires grad is refused
            out = fn(h, *args)
            assert out is h
            return h
        return f
    # torch's celu_ differentiates through its result (CeluBackward1), 1e-8 off its own celu's gradient
    _compare(run(getattr(F, name), "ag"), run(getattr(TF, name), "t"), [x], tol=1e-7 if name == "celu_" else 1e-11)


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activation_on_a_leaf_that_requires_grad_is_refused(name, args):
    x = np.linspace(-1, 1, 5)
    a = _error_kind(getattr(F, name), ag.tensor(x, requires_grad=True), *args)
    t = _error_kind(getattr(TF, name), torch.tensor(x, requires_grad=True), *args)
    assert t is RuntimeError and a is not None and issubclass(a, t)


@pytest.mark.parametrize("name,args", INPLACE)
def test_inplace_activation_without_grad_writes_the_storage(name, args):
    x = np.linspace(-2, 2, 7)
    a, t = ag.tensor(x.copy()), torch.tensor(x.copy())
    getattr(F, name)(a, *args)
    getattr(TF, name)(t, *args)
    np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-12)


# -- max pooling's indices and max unpooling -----------------------------------------------------------------
POOL_CASES = [((2, 3, 6, 7), dict(kernel_size=2)), ((2, 3, 6, 7), dict(kernel_size=3, stride=2, padding=1)),
              ((3, 5, 5), dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1))),
              ((1, 2, 7, 5), dict(kernel_size=2, ceil_mode=True))]


@pytest.mark.parametrize("shape,kw", POOL_CASES)
def test_max_pool2d_with_indices_then_unpool(shape, kw):
    x = np.random.default_rng(1).standard_normal(shape)
    (ya, ia), (yt, it) = _compare(lambda v: F.max_pool2d_with_indices(v, **kw),
                                  lambda v: TF.max_pool2d_with_indices(v, **kw), [x])
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    assert ia.dtype == ag.int64
    un = {k: v for k, v in kw.items() if k in ("kernel_size", "stride", "padding")}
    size = shape[-2:]
    vals = np.random.default_rng(2).standard_normal(tuple(yt.shape))
    if "dilation" in kw or "ceil_mode" in kw:
        return                                 # windows that overlap put two values on one cell: order-dependent
    _compare(lambda v, i: F.max_unpool2d(v, i, output_size=size, **un),
             lambda v, i: TF.max_unpool2d(v, i, output_size=size, **un), [vals, it.numpy()])
    _compare(lambda v, i: nn.MaxUnpool2d(**un)(v, i, size), lambda v, i: torch.nn.MaxUnpool2d(**un)(v, i, size),
             [vals, it.numpy()])


@pytest.mark.parametrize("shape,kw", [((2, 3, 9), dict(kernel_size=3)), ((3, 8), dict(kernel_size=2, stride=2)),
                                      ((2, 2, 10), dict(kernel_size=3, stride=3, padding=1))])
def test_max_pool1d_with_indices_then_unpool(shape, kw):
    x = np.random.default_rng(3).standard_normal(shape)
    (ya, ia), (yt, it) = _compare(lambda v: F.max_pool1d_with_indices(v, **kw),
                                  lambda v: TF.max_pool1d_with_indices(v, **kw), [x])
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    (ya, ia), (yt, it) = _compare(lambda v: nn.MaxPool1d(return_indices=True, **kw)(v),
                                  lambda v: torch.nn.MaxPool1d(return_indices=True, **kw)(v), [x])
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    for size in (None, shape[-1:], (0, 0, shape[-1])):          # 3 numbers: the first two are skipped
        _compare(F.max_unpool1d, TF.max_unpool1d, [yt.detach().numpy(), it.numpy()], {"output_size": size, **kw})
    assert repr(nn.MaxUnpool1d(**kw)) == repr(torch.nn.MaxUnpool1d(**kw))


def test_adaptive_max_pool_with_indices():
    x = np.random.default_rng(4).standard_normal((2, 3, 7, 5))
    (_, ia), (_, it) = _compare(lambda v: F.adaptive_max_pool2d_with_indices(v, (3, 2)),
                                lambda v: TF.adaptive_max_pool2d_with_indices(v, (3, 2)), [x])
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    (_, ia), (_, it) = _compare(lambda v: F.adaptive_max_pool1d_with_indices(v, 3),
                                lambda v: TF.adaptive_max_pool1d_with_indices(v, 3), [x[0]])
    np.testing.assert_array_equal(ia.numpy(), it.numpy())


_I = np.zeros((1, 1, 4, 4), dtype=np.int64)


@pytest.mark.parametrize("index,lead,kw", [
    (_I[..., :3], (), {}),                                        # indices' shape differs from the input's
    (_I + 64, (), {}),                                            # an index past the 8x8 output
    (_I - 1, (), {}),
    (_I.astype(np.int32), (), {}),
    (_I[0, 0], (0, 0), {}),                                       # a 2-D input
    (_I, (), {"output_size": (5, 5)}),                            # outside (6, 10)
    (_I, (), {"output_size": (10,)}),
])
def test_max_unpool2d_errors_are_pytorchs_kind(index, lead, kw):
    x = np.random.default_rng(5).standard_normal((1, 1, 4, 4))[lead]
    t = _error_kind(TF.max_unpool2d, torch.tensor(x), torch.tensor(index), 2, **kw)
    a = _error_kind(F.max_unpool2d, ag.tensor(x), ag.tensor(index), 2, **kw)
    assert t is not None and a is not None and issubclass(a, t), (a, t)


# -- gumbel_softmax, pdist -----------------------------------------------------------------------------------
@pytest.mark.parametrize("tau,hard,dim", [(1.0, False, -1), (0.5, True, -1), (2.0, True, 0), (0.3, False, 1)])
def test_gumbel_softmax_is_pytorchs_given_the_same_noise(tau, hard, dim, monkeypatch):
    """PyTorch's own code run on the exponential draws chainrule's seeded generator made: same values and
    gradients (the straight-through gradient for hard=True)."""
    x = np.random.default_rng(6).standard_normal((3, 4, 5))
    ag.manual_seed(7)
    from autograd.random import generator
    draws = generator().standard_exponential(size=x.shape)
    monkeypatch.setattr(torch.Tensor, "exponential_", lambda self: self.copy_(torch.from_numpy(draws)))
    ag.manual_seed(7)
    (ya,), (yt,) = _compare(lambda v: F.gumbel_softmax(v, tau, hard, dim=dim),
                            lambda v: TF.gumbel_softmax(v, tau, hard, dim=dim), [x])
    if hard:
        assert set(np.unique(ya.numpy())) == {0.0, 1.0} and (ya.numpy().sum(dim) == 1).all()


def test_gumbel_softmax_samples_the_softmax_and_follows_the_seed():
    logits = ag.tensor(np.log([[0.2, 0.5, 0.3]]).repeat(20000, 0))
    ag.manual_seed(0)
    y = F.gumbel_softmax(logits, hard=True)
    np.testing.assert_allclose(y.numpy().mean(0), [0.2, 0.5, 0.3], atol=0.015)
    ag.manual_seed(0)
    np.testing.assert_array_equal(F.gumbel_softmax(logits, hard=True).numpy(), y.numpy())
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(logits[:2], eps=1e-3)


@pytest.mark.parametrize("p", [2, 1, 0, 3, 0.5, float("inf")])
def test_pdist_with_repeated_rows(p):
    x = np.random.default_rng(8).standard_normal((5, 3))
    x[3] = x[1]                                # a zero distance: PyTorch's gradient there is 0
    _compare(lambda v: F.pdist(v, p), lambda v: TF.pdist(v, p), [x])


@pytest.mark.parametrize("x,p", [(np.zeros((2, 2, 2)), 2), (np.zeros((3, 2)), -1), (np.zeros((3, 2), np.int64), 2)])
def test_pdist_errors_are_pytorchs_kind(x, p):
    t = _error_kind(TF.pdist, torch.tensor(x), p)
    a = _error_kind(F.pdist, ag.tensor(x), p)
    assert t is RuntimeError and a is not None and issubclass(a, t)
    assert tuple(F.pdist(ag.zeros(1, 2)).shape) == (0,) and tuple(F.pdist(ag.zeros(0, 2)).shape) == (0,)

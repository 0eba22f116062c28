"""The likelihood, margin and embedding losses against PyTorch 2.13: values and gradients in float64 (every
reduction, weights, edge cases), float32 in float32 out, module signatures and reprs, error kinds."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd as ag
import nn
import nn.functional as F

RNG = np.random.default_rng(0)
REDUCTIONS = ("mean", "sum", "none")


def _both(ours, theirs, *arrays, grad=None, kw=None, dtype=np.float64):
    """Call our function and PyTorch's on the same arrays; compare values and the gradients of the float
    arrays whose index is in `grad` (all float arrays by default)."""
    kw = kw or {}
    grad = [i for i, a in enumerate(arrays) if np.asarray(a).dtype.kind == "f"] if grad is None else grad
    a_in = [ag.tensor(np.asarray(a, dtype=dtype) if np.asarray(a).dtype.kind == "f" else a,
                      requires_grad=i in grad) for i, a in enumerate(arrays)]
    t_in = [torch.tensor(np.asarray(a, dtype=dtype) if np.asarray(a).dtype.kind == "f" else a,
                         requires_grad=i in grad) for i, a in enumerate(arrays)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, ref = ours(*a_in, **kw), theirs(*t_in, **kw)
    assert tuple(out.shape) == tuple(ref.shape)
    assert out.dtype == ref.detach().numpy().dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=tol, atol=tol)
    if grad:
        g = RNG.standard_normal(tuple(ref.shape))
        out.backward(ag.tensor(g.astype(dtype)))
        ref.backward(torch.tensor(g.astype(dtype)))
        for i in grad:
            np.testing.assert_allclose(a_in[i].grad.numpy(), t_in[i].grad.numpy(), rtol=tol, atol=tol)
    return out


def _pm1(*shape):
    return np.where(RNG.random(shape) < 0.5, -1.0, 1.0)


@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = np.log(RNG.dirichlet(np.ones(5), size=4))
    t = RNG.dirichlet(np.ones(5), size=4)
    t[0, 1] = 0.0                                                    # xlogy(0, 0) = 0
    t = np.log(t + 0.1) if log_target else t
    _both(F.kl_div, TF.kl_div, x, t, grad=[0, 1] if log_target else [0], kw=dict(reduction=reduction,
                                                                                  log_target=log_target))


def test_kl_div_warns_on_mean_and_scalar_batchmean():
    x, t = ag.tensor([-1.0, -0.5]), ag.tensor([0.3, 0.7])
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(x, t)
    _both(F.kl_div, TF.kl_div, np.array(-0.7), np.array(0.3), kw=dict(reduction="batchmean"))
    _both(F.kl_div, TF.kl_div, x.numpy(), t.numpy(), kw=dict(reduction="batchmean"), dtype=np.float32)
    loss = nn.KLDivLoss(reduction="batchmean", log_target=True)
    assert repr(loss) == "KLDivLoss()" and loss.reduction == "batchmean" and loss.log_target


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input,full", [(True, False), (False, False), (True, True), (False, True)])
def test_poisson_nll_loss(reduction, log_input, full):
    x = RNG.standard_normal((3, 4)) if log_input else RNG.random((3, 4)) + 0.1
    t = RNG.poisson(2.0, (3, 4)).astype(float)
    t[0, :3] = [0.0, 1.0, 5.0]                                       # the Stirling term starts above 1
    kw = dict(log_input=log_input, full=full, reduction=reduction)
    _both(F.poisson_nll_loss, TF.poisson_nll_loss, x, t, grad=[0] if full else [0, 1], kw=kw)
    tt = ag.tensor(t, requires_grad=True)          # PyTorch's is nan where target is 0 (0·log 0 under the mask)
    F.poisson_nll_loss(ag.tensor(x), tt, **kw).sum().backward()
    assert np.isfinite(tt.grad.numpy()).all()
    m = nn.PoissonNLLLoss(log_input=log_input, full=full, reduction=reduction)
    _both(m, torch.nn.PoissonNLLLoss(log_input=log_input, full=full, reduction=reduction), x, t, grad=[0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
def test_gaussian_nll_loss(reduction, var_shape):
    x, t = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    var = RNG.random(var_shape) + 0.05
    var.flat[0] = 1e-9                                               # clamped at eps for the value only
    for full in (False, True):
        _both(F.gaussian_nll_loss, TF.gaussian_nll_loss, x, t, var, kw=dict(full=full, reduction=reduction))
    _both(nn.GaussianNLLLoss(full=True, eps=1e-3), torch.nn.GaussianNLLLoss(full=True, eps=1e-3), x, t, var)
    _both(lambda a, b: F.gaussian_nll_loss(a, b, 0.5), lambda a, b: TF.gaussian_nll_loss(a, b, 0.5), x, t)


def test_gaussian_nll_loss_errors():
    x = ag.zeros(4, 3)
    with pytest.raises(ValueError, match="var has negative"):
        F.gaussian_nll_loss(x, x, -ag.ones(4, 3))
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, x, ag.ones(3, 4))
    with pytest.raises(ValueError, match="bad is not valid"):
        F.gaussian_nll_loss(x, x, ag.ones(4, 3), reduction="bad")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_hinge_embedding(reduction):
    a, b, y = RNG.standard_normal(6), RNG.standard_normal(6), _pm1(6)
    for margin in (0.0, 0.5):
        kw = dict(margin=margin, reduction=reduction)
        _both(F.margin_ranking_loss, TF.margin_ranking_loss, a, b, y, grad=[0, 1], kw=kw)
        _both(F.hinge_embedding_loss, TF.hinge_embedding_loss, a, y, grad=[0], kw=kw)
    yi = np.array([1, -1, 1, -1, 0, 2])                  # integer targets; 0 and 2 count both terms, as PyTorch
    _both(F.hinge_embedding_loss, TF.hinge_embedding_loss, a, yi, kw=dict(reduction=reduction))
    _both(nn.MarginRankingLoss(0.3, reduction=reduction), torch.nn.MarginRankingLoss(0.3, reduction=reduction),
          a, b, y, grad=[0, 1])
    _both(nn.HingeEmbeddingLoss(2.0), torch.nn.HingeEmbeddingLoss(2.0), a, y, grad=[0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_and_multilabel_soft_margin(reduction):
    x, y = RNG.standard_normal((4, 5)) * 3, _pm1(4, 5)
    _both(F.soft_margin_loss, TF.soft_margin_loss, x, y, grad=[0], kw=dict(reduction=reduction))
    t = (RNG.random((4, 5)) < 0.4).astype(float)
    w = RNG.random(5) + 0.5
    _both(F.multilabel_soft_margin_loss, TF.multilabel_soft_margin_loss, x, t, kw=dict(reduction=reduction))
    _both(F.multilabel_soft_margin_loss, TF.multilabel_soft_margin_loss, x, t, w, kw=dict(reduction=reduction))
    _both(F.multilabel_soft_margin_loss, TF.multilabel_soft_margin_loss, x[0], t[0], kw=dict(reduction=reduction))
    _both(nn.SoftMarginLoss(reduction=reduction), torch.nn.SoftMarginLoss(reduction=reduction), x, y, grad=[0])
    big = np.array([800.0, -800.0])                     # finite where log1p(exp(800)) overflows
    assert np.isfinite(F.soft_margin_loss(ag.tensor(big), ag.tensor([-1.0, 1.0])).item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss(reduction):
    a, b, y = RNG.standard_normal((5, 4)), RNG.standard_normal((5, 4)), _pm1(5)
    for margin in (0.0, -0.2, 0.4):
        _both(F.cosine_embedding_loss, TF.cosine_embedding_loss, a, b, y, grad=[0, 1],
              kw=dict(margin=margin, reduction=reduction))
    _both(F.cosine_embedding_loss, TF.cosine_embedding_loss, a[0], b[0], np.array(-1.0), grad=[0, 1],
          kw=dict(reduction=reduction))
    _both(nn.CosineEmbeddingLoss(0.1), torch.nn.CosineEmbeddingLoss(0.1), a, b, y, grad=[0, 1])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    x = RNG.standard_normal((3, 5))
    t = np.array([[3, 0, -1, 1, 1], [1, 1, 4, 2, 0], [-1, 2, 0, 0, 0]])   # duplicates count twice; -1 ends
    _both(F.multilabel_margin_loss, TF.multilabel_margin_loss, x, t, kw=dict(reduction=reduction))
    _both(F.multilabel_margin_loss, TF.multilabel_margin_loss, x[0], t[0], kw=dict(reduction=reduction))
    _both(nn.MultiLabelMarginLoss(reduction=reduction), torch.nn.MultiLabelMarginLoss(reduction=reduction), x, t)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(reduction, p):
    x, t, w = RNG.standard_normal((4, 5)), np.array([0, 4, 2, 2]), RNG.random(5) + 0.5
    for margin in (1.0, 0.3):
        kw = dict(p=p, margin=margin, reduction=reduction)
        _both(F.multi_margin_loss, TF.multi_margin_loss, x, t, grad=[0], kw=kw)
        _both(lambda a, b, kw=kw: F.multi_margin_loss(a, b, weight=ag.tensor(w), **kw),
              lambda a, b, kw=kw: TF.multi_margin_loss(a, b, weight=torch.tensor(w), **kw), x, t)
    _both(F.multi_margin_loss, TF.multi_margin_loss, x[1], np.array(3), kw=dict(p=p, reduction=reduction))
    _both(F.multi_margin_loss, TF.multi_margin_loss, x[1], np.array([3]), kw=dict(p=p, reduction=reduction))
    m, ref = nn.MultiMarginLoss(p, 0.5, ag.tensor(w)), torch.nn.MultiMarginLoss(p, 0.5, torch.tensor(w))
    _both(m, ref, x, t)
    assert list(m.state_dict()) == list(ref.state_dict()) == ["weight"] and repr(m) == "MultiMarginLoss()"


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_losses(reduction, swap):
    a, p, n = (RNG.standard_normal((5, 3)) for _ in range(3))
    n[0] = p[0] + 0.01                                               # swap picks d(p, n) on this row
    for norm in (2, 1, 3.0):
        _both(F.triplet_margin_loss, TF.triplet_margin_loss, a, p, n,
              kw=dict(margin=0.7, p=norm, swap=swap, reduction=reduction))
    kw = dict(swap=swap, reduction=reduction)
    _both(F.triplet_margin_with_distance_loss, TF.triplet_margin_with_distance_loss, a, p, n, kw=kw)
    ours = nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), **kw)
    ref = torch.nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1 - TF.cosine_similarity(x, y),
                                                 **kw)
    _both(ours, ref, a, p, n)
    _both(nn.TripletMarginLoss(swap=swap, reduction=reduction),
          torch.nn.TripletMarginLoss(swap=swap, reduction=reduction), a, p, n)


def test_reprs_and_state_dicts():
    for name in ("KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
                 "CosineEmbeddingLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss",
                 "MultiMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss"):
        ours, ref = getattr(nn, name)(), getattr(torch.nn, name)()
        assert repr(ours) == repr(ref), name
        assert list(ours.state_dict()) == list(ref.state_dict()), name
    w = [0.5, 2.0, 1.0]
    assert list(nn.MultiLabelSoftMarginLoss(ag.tensor(w)).state_dict()) == ["weight"]


class _Ours:                                  # the two libraries' constructors the error cases call
    F, ones, long = F, staticmethod(ag.ones), staticmethod(ag.tensor)


class _Torch:
    F, ones, long = TF, staticmethod(torch.ones), staticmethod(torch.tensor)


@pytest.mark.parametrize("call", [
    lambda m: m.F.kl_div(m.ones(3), m.ones(3), reduction="bad"),
    lambda m: m.F.poisson_nll_loss(m.ones(3), m.ones(3), reduction="bad"),
    lambda m: m.F.hinge_embedding_loss(m.ones(3), m.ones(3), reduction="bad"),
    lambda m: m.F.multi_margin_loss(m.ones(2, 3), m.long([0, 1]), p=3),
    lambda m: m.F.triplet_margin_loss(m.ones(3), m.ones(3), m.ones(3), margin=0),
    lambda m: m.F.triplet_margin_with_distance_loss(m.ones(3), m.ones(3), m.ones(3), margin=-1.0),
])
def test_value_errors_as_pytorch(call):
    for m in (_Torch, _Ours):
        with pytest.raises(ValueError):
            call(m)


@pytest.mark.parametrize("call", [
    lambda m: m.F.multi_margin_loss(m.ones(2, 3), m.long([0, 3])),
    lambda m: m.F.multi_margin_loss(m.ones(2, 3), m.long([0, 1, 1])),
    lambda m: m.F.multi_margin_loss(m.ones(2, 3), m.long([0, 1]), weight=m.ones(4)),
    lambda m: m.F.multi_margin_loss(m.ones(2, 3), m.long([0, 1]).int()),
    lambda m: m.F.multilabel_margin_loss(m.ones(2, 3), m.long([[0, 5, -1], [0, 1, -1]])),
    lambda m: m.F.multilabel_margin_loss(m.ones(2, 3), m.long([0, 1])),
    lambda m: m.F.margin_ranking_loss(m.ones(3), m.ones(3), m.ones(1, 3)),
    lambda m: m.F.triplet_margin_loss(m.ones(3), m.ones(2, 3), m.ones(3)),
    lambda m: m.F.soft_margin_loss(m.ones(3), m.ones(4)),
    lambda m: m.F.cosine_embedding_loss(m.ones(4), m.ones(4), m.ones(4)),
])
def test_runtime_errors_as_pytorch(call):
    for m in (_Torch, _Ours):
        with pytest.raises(RuntimeError):
            call(m)

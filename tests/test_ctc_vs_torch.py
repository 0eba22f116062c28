"""F.ctc_loss and nn.CTCLoss against PyTorch (float64): losses and gradients over random cases (repeated labels,
empty targets, short inputs, impossible alignments, zero_infinity), padded and concatenated targets, unbatched
input, every reduction; finite-difference checks of the composite; errors of PyTorch's kinds."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.gradcheck import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _case(seed):
    """Random (logits, padded targets, input lengths, target lengths); some labels repeat, some targets are too
    long for their input (infinite loss: a repeated label needs a blank between, so 2L > T can't align)."""
    rng = np.random.default_rng(seed)
    t, n, c = rng.integers(1, 9), rng.integers(1, 5), rng.integers(2, 6)
    s = rng.integers(1, 6)
    x = rng.normal(size=(t, n, c))
    blank = int(rng.integers(0, c))
    labels = [v for v in range(c) if v != blank]
    targets = rng.choice(labels, size=(n, s))
    if s > 1:
        targets[:, 1] = targets[:, 0]                  # a repeated label
    in_len = rng.integers(0, t + 1, size=n)
    in_len[0] = t
    tg_len = rng.integers(0, s + 1, size=n)
    return x, targets, in_len, tg_len, blank


def _both(x, targets, in_len, tg_len, blank, reduction, zero_infinity, concat=False):
    if concat:
        targets = np.concatenate([row[:k] for row, k in zip(targets, tg_len)]).astype(np.int64)
    xo, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    kw = dict(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    lo = F.ctc_loss(xo.log_softmax(-1), ag.tensor(targets), ag.tensor(in_len), ag.tensor(tg_len), **kw)
    lt = TF.ctc_loss(xt.log_softmax(-1), torch.tensor(targets), torch.tensor(in_len), torch.tensor(tg_len), **kw)
    return (lo, xo), (lt, xt)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("seed", range(12))
def test_loss_and_gradient_as_pytorchs(seed, reduction):
    case = _case(seed)
    for zero_infinity in (False, True):
        for concat in (False, True):
            (lo, xo), (lt, xt) = _both(*case, reduction, zero_infinity, concat)
            np.testing.assert_allclose(lo.numpy(), lt.detach().numpy(), rtol=1e-10, atol=1e-12)
            if not np.isfinite(lt.detach().numpy()).all():
                continue                               # PyTorch's gradient of an infinite loss is nan
            g = np.random.default_rng(seed).normal(size=tuple(lt.shape))
            lo.backward(ag.tensor(g))
            lt.backward(torch.tensor(g))
            np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-11)


def test_impossible_alignments():
    x = np.random.default_rng(0).normal(size=(3, 2, 4))
    targets, in_len, tg_len = np.array([[1, 1, 2], [1, 2, 3]]), np.array([3, 3]), np.array([3, 2])
    (lo, xo), (lt, xt) = _both(x, targets, in_len, tg_len, 0, "none", False)
    assert np.isinf(lo.numpy()[0]) and np.isinf(lt.detach().numpy()[0])   # 1 1 2 needs 4 frames
    lo.sum().backward()
    lt.sum().backward()
    assert np.isnan(xo.grad.numpy()[:, 0]).all() and np.isnan(xt.grad.numpy()[:, 0]).all()   # as PyTorch
    np.testing.assert_allclose(xo.grad.numpy()[:, 1], xt.grad.numpy()[:, 1], rtol=1e-10)
    (lo, xo), (lt, xt) = _both(x, targets, in_len, tg_len, 0, "mean", True)
    lo.backward()
    lt.backward()
    np.testing.assert_allclose(lo.item(), lt.item(), rtol=1e-12)
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_gradient_wrt_log_probs_is_the_true_one():
    """PyTorch's kernel returns exp(log_probs) − γ for the gradient wrt log_probs (which only equals the true
    −γ after log_softmax's backward); here it is −γ, checked by finite differences, and equals PyTorch's minus
    exp(log_probs) on the frames each input uses."""
    x, targets, in_len, tg_len, blank = _case(3)
    lp = np.log(np.exp(x) / np.exp(x).sum(-1, keepdims=True))
    lo, lt = ag.tensor(lp, requires_grad=True), torch.tensor(lp, requires_grad=True)
    F.ctc_loss(lo, ag.tensor(targets), ag.tensor(in_len), ag.tensor(tg_len), blank, "sum").backward()
    TF.ctc_loss(lt, torch.tensor(targets), torch.tensor(in_len), torch.tensor(tg_len), blank, "sum").backward()
    used = np.arange(x.shape[0])[:, None, None] < in_len[None, :, None]
    finite = np.isfinite(lt.grad.numpy())
    expect = np.where(used, lt.grad.numpy() - np.exp(lp), 0.0)
    np.testing.assert_allclose(lo.grad.numpy()[finite], expect[finite], atol=1e-10)
    a = ag.tensor(np.random.default_rng(0).normal(size=(5, 2, 3)), requires_grad=True).log_softmax(-1).detach()
    assert gradcheck(lambda a: F.ctc_loss(a, ag.tensor([[1, 1, 2], [2, 0, 0]]), [5, 4], [3, 1], reduction="sum"),
                     (a.requires_grad_(),))


def test_unbatched_and_module():
    x, targets, in_len, tg_len, blank = _case(5)
    lp = ag.tensor(x[:, 0]).log_softmax(-1)
    tlp = torch.tensor(x[:, 0]).log_softmax(-1)
    t = targets[0][: tg_len[0]]
    for reduction in ("none", "mean", "sum"):
        ours = nn.CTCLoss(blank, reduction)(lp, ag.tensor(t), ag.tensor([in_len[0]]), ag.tensor([len(t)]))
        theirs = torch.nn.CTCLoss(blank, reduction)(tlp, torch.tensor(t), torch.tensor([in_len[0]]),
                                                     torch.tensor([len(t)]))
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    assert repr(nn.CTCLoss()) == repr(torch.nn.CTCLoss()) == "CTCLoss()"
    lp32 = ag.tensor(x.astype(np.float32)).log_softmax(-1)
    out = F.ctc_loss(lp32, ag.tensor(targets), ag.tensor(in_len), ag.tensor(tg_len), blank)
    assert out.dtype == ag.float32


def _kind(fn):
    try:
        fn()
    except Exception as e:                             # noqa: BLE001
        return type(e).__name__
    return None


ERRORS = [  # (targets, input lengths, target lengths, blank)
    ([[1, 1, 2], [1, 2, 3]], [4, 3], [3, 2], 0),
    ([[1, 1, 2], [1, 2, 3]], [3, 3], [4, 2], 0),
    ([[1, 1, 2], [1, 2, 3]], [3, 3], [3, 2], 4),
    ([[1, 1, 2], [1, 2, 3]], [3, 3], [3, 2], -1),
    ([1, 1, 2, 1, 2], [3, 3], [3, 3], 0),
    ([[1, 1, 2], [1, 2, 3]], [3], [3, 2], 0),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_of_pytorchs_kinds(case):
    targets, in_len, tg_len, blank = ERRORS[case]
    x = np.random.default_rng(0).normal(size=(3, 2, 4))
    ours = _kind(lambda: F.ctc_loss(ag.tensor(x), ag.tensor(targets), ag.tensor(in_len), ag.tensor(tg_len), blank))
    theirs = _kind(lambda: TF.ctc_loss(torch.tensor(x), torch.tensor(targets), torch.tensor(in_len),
                                       torch.tensor(tg_len), blank))
    assert ours is not None and ours == theirs, (ours, theirs)

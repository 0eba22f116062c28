"""Losses: known values, PyTorch agreement (values and gradients), stability, and every error message."""
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

rng = np.random.default_rng(0)
X = rng.standard_normal((6, 4)) * 2
Y = np.array([0, 3, 1, 1, 2, 0])
P = rng.dirichlet(np.ones(4), 6)
B = (rng.random((6, 4)) > 0.5).astype(np.float64)
W = np.array([1.0, 2.0, 0.5, 3.0])


def both(torch, fn_ours, fn_torch, x, *rest):
    """Value and input-gradient of a loss in both libraries (float64)."""
    a = ag.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    la = fn_ours(a, *[ag.tensor(r) if isinstance(r, np.ndarray) else r for r in rest])
    lt = fn_torch(t, *[torch.tensor(r) if isinstance(r, np.ndarray) else r for r in rest])
    ga = np.ones(la.shape)
    la.backward(ag.tensor(ga))
    lt.backward(torch.tensor(ga))
    return (la.numpy(), a.grad.numpy()), (lt.detach().numpy(), t.grad.numpy())


def assert_same(pair_a, pair_b):
    for u, v in zip(pair_a, pair_b):
        np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.1}, {"weight": W}, {"ignore_index": 1},
                                    {"weight": W, "label_smoothing": 0.2, "ignore_index": 0}])
def test_cross_entropy_indices_matches_torch(reduction, kwargs):
    torch = pytest.importorskip("torch")
    kw_t = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    kw_a = {k: ag.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    assert_same(*both(torch, lambda x, y: F.cross_entropy(x, y, reduction=reduction, **kw_a),
                      lambda x, y: torch.nn.functional.cross_entropy(x, y, reduction=reduction, **kw_t), X, Y))


@pytest.mark.parametrize("kwargs", [{}, {"label_smoothing": 0.15}])
def test_cross_entropy_probabilities_and_spatial_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    assert_same(*both(torch, lambda x, p: F.cross_entropy(x, p, **kwargs),
                      lambda x, p: torch.nn.functional.cross_entropy(x, p, **kwargs), X, P))
    x4 = rng.standard_normal((2, 3, 4, 5))
    y4 = rng.integers(0, 3, (2, 4, 5))
    assert_same(*both(torch, lambda x, y: F.cross_entropy(x, y, **kwargs),
                      lambda x, y: torch.nn.functional.cross_entropy(x, y, **kwargs), x4, y4))


def test_cross_entropy_known_value_and_backward_is_softmax_minus_onehot():
    x = ag.tensor([[0.0, 0.0], [1.0, 0.0]], dtype=ag.float64, requires_grad=True)
    loss = F.cross_entropy(x, [0, 1])
    expected = (np.log(2) + np.log(1 + np.e)) / 2
    assert loss.item() == pytest.approx(expected)
    loss.backward()
    p = np.exp(x.numpy()) / np.exp(x.numpy()).sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad.numpy(), (p - np.eye(2)) / 2)


def test_cross_entropy_keeps_forward_arrays_only_while_a_backward_may_need_them():
    """Memory (issue 6): the plain backward reuses forward's (N, C) exp; a retained graph keeps it for the next
    backward, the last backward drops it though the loss tensor (and its grad_fn) lives on."""
    x = ag.tensor(X, requires_grad=True)
    loss = F.cross_entropy(x, Y)
    loss.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)
    assert loss.grad_fn.saved is None


def test_cross_entropy_stable_at_huge_logits():
    x = ag.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], requires_grad=True)
    loss = nn.CrossEntropyLoss()(x, [1, 1])
    assert loss.item() == pytest.approx(1e4, rel=1e-6)
    loss.backward()
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, -0.5, 0], [0, 0, 0]], atol=1e-6)


def test_cross_entropy_errors_name_shapes_and_bad_index():
    x = ag.randn(4, 3)
    with pytest.raises(ValueError, match=r"input of shape \(4, 3\).*target of shape \(4,\).*got target of shape "
                                         r"\(4, 1\)"):
        F.cross_entropy(x, ag.zeros(4, 1, dtype=ag.int64))
    with pytest.raises(IndexError, match=r"target class 3 is out of range for 3 classes"):
        F.cross_entropy(x, [0, 1, 3, 2])
    with pytest.raises(IndexError, match=r"target class -2 is out of range"):
        nn.CrossEntropyLoss()(x, [0, 1, -2, 2])
    with pytest.raises(ValueError, match="reduction must be"):
        nn.CrossEntropyLoss(reduction="avg")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    lp = np.log(P)
    for kw in ({}, {"weight": W}, {"ignore_index": 0}):
        kw_t = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        assert_same(*both(torch, lambda x, y, kw=kw: F.nll_loss(x, y, reduction=reduction, **kw),
                          lambda x, y, kw_t=kw_t: torch.nn.functional.nll_loss(x, y, reduction=reduction, **kw_t),
                          lp, Y))
    x4 = rng.standard_normal((2, 3, 4))
    y4 = rng.integers(0, 3, (2, 4))
    assert_same(*both(torch, lambda x, y: F.nll_loss(x, y, reduction=reduction),
                      lambda x, y: torch.nn.functional.nll_loss(x, y, reduction=reduction), x4, y4))


def test_nll_of_log_softmax_equals_cross_entropy():
    x = ag.tensor(X)
    np.testing.assert_allclose(nn.NLLLoss()(nn.LogSoftmax(dim=1)(x), Y).numpy(), F.cross_entropy(x, Y).numpy())
    with pytest.raises(IndexError, match="target class 4 is out of range for 4 classes"):
        F.nll_loss(x, [0, 1, 2, 3, 4, 0])
    with pytest.raises(ValueError, match=r"needs a target of class indices \(integers\) of shape \(6,\)"):
        F.nll_loss(x, ag.zeros(6))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses_match_torch(name, reduction):
    torch = pytest.importorskip("torch")
    assert_same(*both(torch, lambda x, y: getattr(F, name)(x, y, reduction=reduction),
                      lambda x, y: getattr(torch.nn.functional, name)(x, y, reduction=reduction), X, P))


def test_regression_loss_modules_and_known_values():
    pred, target = ag.tensor([1.0, 2.0, 4.0]), ag.tensor([1.0, 0.0, 1.0])
    assert nn.MSELoss()(pred, target).item() == pytest.approx(13 / 3)
    assert nn.MSELoss(reduction="sum")(pred, target).item() == pytest.approx(13)
    assert nn.L1Loss()(pred, target).item() == pytest.approx(5 / 3)
    np.testing.assert_allclose(nn.L1Loss(reduction="none")(pred, target).numpy(), [0, 2, 3])


def test_mse_warns_about_broadcasting_shapes():
    with pytest.warns(UserWarning, match=r"target of shape \(5,\) with an input of shape \(5, 1\)"):
        F.mse_loss(ag.zeros(5, 1), ag.zeros(5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(ag.zeros(5), ag.zeros(5))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    probs = 1 / (1 + np.exp(-X))
    assert_same(*both(torch, lambda x, y: F.binary_cross_entropy(x, y, reduction=reduction),
                      lambda x, y: torch.nn.functional.binary_cross_entropy(x, y, reduction=reduction), probs, B))
    assert_same(*both(torch, lambda x, y: F.binary_cross_entropy(x, y, weight=ag.tensor(W), reduction=reduction),
                      lambda x, y: torch.nn.functional.binary_cross_entropy(x, y, weight=torch.tensor(W),
                                                                            reduction=reduction), probs, B))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_matches_torch_with_pos_weight(reduction):
    torch = pytest.importorskip("torch")
    for kw in ({}, {"pos_weight": W}, {"weight": W, "pos_weight": W[::-1].copy()}):
        kw_a = {k: ag.tensor(v) for k, v in kw.items()}
        kw_t = {k: torch.tensor(v) for k, v in kw.items()}
        assert_same(*both(torch, lambda x, y, kw_a=kw_a: F.binary_cross_entropy_with_logits(
            x, y, reduction=reduction, **kw_a),
                          lambda x, y, kw_t=kw_t: torch.nn.functional.binary_cross_entropy_with_logits(
                              x, y, reduction=reduction, **kw_t), X, P))


def test_bce_with_logits_is_stable_and_differentiable_twice():
    x = ag.tensor([1e4, -1e4, 50.0, -50.0], requires_grad=True)
    t = ag.tensor([0.0, 1.0, 1.0, 0.0])
    loss = nn.BCEWithLogitsLoss(reduction="none")(x, t)
    np.testing.assert_allclose(loss.numpy(), [1e4, 1e4, 0, 0], atol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1, -1, 0, 0], atol=1e-6)
    xs = ag.tensor(X, requires_grad=True)
    ts = ag.tensor(P, requires_grad=True)
    pw = ag.tensor(W)
    fn = lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw)   # noqa: E731
    assert ag.gradcheck(fn, (xs, ts))
    assert ag.gradgradcheck(fn, (xs, ts))


def test_bce_errors():
    with pytest.raises(ValueError, match=r"target of shape \(3, 1\) with an input of shape \(3,\)"):
        F.binary_cross_entropy_with_logits(ag.zeros(3), ag.zeros(3, 1))
    with pytest.raises(ValueError, match="between 0 and 1.*with_logits"):
        nn.BCELoss()(ag.tensor([0.5, 1.5]), ag.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"pos_weight of shape \(3,\) does not broadcast with input of shape"):
        F.binary_cross_entropy_with_logits(ag.zeros(2, 4), ag.zeros(2, 4), pos_weight=ag.ones(3))


def test_bce_clamps_log_like_torch():
    loss = F.binary_cross_entropy(ag.tensor([0.0, 1.0]), ag.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(loss.numpy(), [100, 100])


def test_one_hot_and_functional_activations():
    np.testing.assert_array_equal(F.one_hot(ag.tensor([0, 2]), 3).numpy(), [[1, 0, 0], [0, 0, 1]])
    x = ag.tensor([-1.0, 2.0])
    np.testing.assert_allclose(F.relu(x).numpy(), [0, 2])
    np.testing.assert_allclose(F.leaky_relu(x, 0.1).numpy(), [-0.1, 2])
    np.testing.assert_allclose(F.sigmoid(x).numpy(), 1 / (1 + np.exp([1.0, -2.0])), rtol=1e-6)
    np.testing.assert_allclose(F.tanh(x).numpy(), np.tanh([-1.0, 2.0]), rtol=1e-6)
    np.testing.assert_allclose(F.log_softmax(x, 0).numpy().sum() < 0, True)
    assert F.gelu(x).shape == (2,)


def test_bce_gradient_is_finite_at_saturated_probabilities():
    x = ag.tensor([0.0, 1.0, 0.3], requires_grad=True)
    F.binary_cross_entropy(x, ag.tensor([1.0, 0.0, 1.0]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad.numpy(), [-1e12, 1e12, -1 / 0.3], rtol=1e-5)   # PyTorch's values
    xs, ts = ag.tensor(1 / (1 + np.exp(-X)), requires_grad=True), ag.tensor(P, requires_grad=True)
    assert ag.gradcheck(F.binary_cross_entropy, (xs, ts))
    assert ag.gradgradcheck(F.binary_cross_entropy, (xs, ts))


@pytest.mark.parametrize("kwargs", [{}, {"weight": W, "ignore_index": 1}, {"label_smoothing": 0.1},
                                    {"reduction": "none", "weight": W}, {"reduction": "sum"}])
def test_cross_entropy_and_nll_gradients_first_and_second_order(kwargs):
    x = ag.tensor(X, requires_grad=True)
    ce_kw = {k: ag.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    assert ag.gradcheck(lambda a: F.cross_entropy(a, Y, **ce_kw), (x,))
    assert ag.gradgradcheck(lambda a: F.cross_entropy(a, Y, **ce_kw), (x,))
    if "label_smoothing" not in kwargs:
        assert ag.gradcheck(lambda a: F.nll_loss(F.log_softmax(a, 1), Y, **ce_kw), (x,))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_cross_entropy_class_weight_learns_from_class_indices(reduction, smoothing, ignore_index):
    """PyTorch refuses a weight that requires grad with class indices (nll_loss is not differentiable in it);
    here the weight gets the exact gradient, to any order, with or without the array kernel."""
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((7, 4)), requires_grad=True)
    w = ag.tensor(rng.uniform(0.3, 2.0, 4), requires_grad=True)
    t = ag.tensor([0, 3, 2, 1, 3, 2, 0])

    def loss(x, w):
        return F.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=smoothing,
                               ignore_index=ignore_index)
    assert ag.gradcheck(loss, (x, w)) and ag.gradgradcheck(loss, (x, w))
    grads = []
    for kernels in (True, False):
        with ag.use_kernels(kernels):
            grads.append(ag.grad(loss(x, w).sum(), (x, w)))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-15)

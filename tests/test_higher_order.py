"""Gradients of gradients: create_graph=True makes the gradient a graph of its own."""
import numpy as np
import pytest

import autograd as ag
from autograd import functional as F


def leaf(values):
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_second_derivative_of_tanh():
    x = leaf(np.linspace(-2, 2, 7))
    (g,) = ag.grad(x.tanh().sum(), x, create_graph=True)
    (g2,) = ag.grad(g.sum(), x)
    t = np.tanh(x.numpy())
    np.testing.assert_allclose(g.numpy(), 1 - t ** 2)
    np.testing.assert_allclose(g2.numpy(), -2 * t * (1 - t ** 2))


def test_third_derivative_of_cube_via_backward_and_grad():
    x = leaf(2.0)
    (x ** 3).backward(create_graph=True)             # x.grad = 3x² is a graph
    g1 = x.grad
    assert g1.requires_grad and g1.item() == pytest.approx(12.0)
    (g2,) = ag.grad(g1, x, create_graph=True)         # 6x
    (g3,) = ag.grad(g2, x)                           # 6
    assert g2.item() == pytest.approx(12.0) and g3.item() == pytest.approx(6.0)
    (g4,) = ag.grad(g3 * x, x, allow_unused=True)    # g3 is a constant: its derivative is gone, x's is 6
    assert g4.item() == pytest.approx(6.0)


def test_softmax_cross_entropy_hessian_is_diag_p_minus_ppT():
    z = leaf([0.3, -1.2, 2.0, 0.5])
    target = ag.tensor([2])

    def loss(logits):
        return ag.cross_entropy(logits.reshape(1, 4), target)

    H = F.hessian(loss)(z)
    p = np.exp(z.numpy()) / np.exp(z.numpy()).sum()
    np.testing.assert_allclose(H.numpy(), np.diag(p) - np.outer(p, p), atol=1e-12)


def test_hessian_of_small_mlp_loss_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = ag.tensor(rng.normal(size=(5, 3)))
    y = ag.tensor(rng.integers(0, 2, size=5))
    shapes = [(3, 4), (4,), (4, 2)]
    sizes = [int(np.prod(s)) for s in shapes]

    def loss(theta):
        parts, i = [], 0
        for s, n in zip(shapes, sizes):
            parts.append(theta[i:i + n].reshape(s))
            i += n
        w1, b1, w2 = parts
        h = (X @ w1 + b1).tanh()
        return ag.cross_entropy(h @ w2, y)

    theta = rng.normal(scale=0.5, size=sum(sizes))
    H = F.hessian(loss)(theta)
    grad = F.grad(loss)
    eps = 1e-5
    H_fd = np.empty_like(H)
    for i in range(theta.size):                      # central differences of the analytic gradient
        e = np.zeros_like(theta)
        e[i] = eps
        H_fd[i] = (grad(theta + e) - grad(theta - e)) / (2 * eps)
    np.testing.assert_allclose(H, H.T, atol=1e-10)
    np.testing.assert_allclose(H, H_fd, atol=1e-6)


def test_hessian_through_broadcasting_and_retained_forward():
    x = leaf([1.0, 2.0])
    b = leaf(3.0)
    y = ((x * b).exp()).sum()                        # b is broadcast: its gradient goes through sum_to
    gx, gb = ag.grad(y, [x, b], create_graph=True)
    (hbb,) = ag.grad(gb, b)
    assert hbb.item() == pytest.approx((x.numpy() ** 2 * np.exp(x.numpy() * 3)).sum())


def test_gradient_penalty_pattern():
    """The WGAN-GP idiom: the norm of a gradient, itself minimised."""
    w = leaf([0.5, -1.0])
    x = leaf([1.0, 2.0])
    out = (w * x).tanh().sum()
    (gx,) = ag.grad(out, x, create_graph=True)
    penalty = (gx * gx).sum()
    penalty.backward()
    t = np.tanh(w.numpy() * x.numpy())
    d = (1 - t ** 2)                                 # gx = w * d
    expected = 2 * w.numpy() * d ** 2 + 2 * (w.numpy() * d) * w.numpy() * (-2 * t * d) * x.numpy()
    np.testing.assert_allclose(w.grad.numpy(), expected)

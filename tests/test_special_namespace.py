"""chainrule.special: torch.special's names, each equal to PyTorch's in value and gradient (float64); the names
chainrule lacks raise the teaching AttributeError."""
import math

import numpy as np
import pytest

import autograd as ag
import chainrule
import chainrule.special as special

torch = pytest.importorskip("torch")
X = np.linspace(-2.5, 2.5, 11)
P = np.linspace(0.05, 0.95, 7)
UNARY = {"erf": X, "erfc": X, "erfinv": P * 2 - 1, "exp2": X, "expit": X, "expm1": X, "log1p": P, "logit": P,
         "round": X + 0.3, "sinc": X, "ndtr": X, "ndtri": P, "entr": np.r_[P, 2.0]}  # at 0: grad inf in torch, nan here


def _both(name, *arrays, **kw):
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, t = getattr(special, name)(*xs, **kw), getattr(torch.special, name)(*ts, **kw)
    np.testing.assert_allclose(y.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(0).standard_normal(tuple(t.shape))
    y.backward(ag.tensor(g))
    t.backward(torch.tensor(g))
    for x, tt in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), tt.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_matches_torch(name):
    _both(name, UNARY[name])


def test_binary_and_reductions_match_torch():
    _both("xlogy", X, P.repeat(2)[:11])
    _both("xlog1py", X + 0.1, np.linspace(-0.5, 3, 11))    # at x = 0 the x-gradient is 0 here, log1p(y) in torch
    m = np.random.default_rng(1).standard_normal((3, 4))
    _both("logsumexp", m, dim=1)
    _both("softmax", m, dim=0)
    _both("log_softmax", m, dim=-1)


def test_edges_as_torch():
    x = np.array([-1.0, 0.0])
    np.testing.assert_array_equal(special.entr(x).numpy(), torch.special.entr(torch.tensor(x)).numpy())
    np.testing.assert_array_equal(special.xlog1py(np.zeros(2), np.array([-1.0, 5.0])).numpy(), [0.0, 0.0])


def test_same_functions_as_the_top_level():
    assert chainrule.special.erf is chainrule.erf and chainrule.special.expit is chainrule.sigmoid
    assert chainrule.special.softmax is chainrule.softmax


@pytest.mark.parametrize("name", ["polygamma", "i0e", "zeta", "bessel_j0"])
def test_missing_names_teach(name):
    with pytest.raises(AttributeError, match=rf"chainrule has no torch\.special\.{name} \(yet\)"):
        getattr(chainrule.special, name)


def test_typo_is_a_plain_attribute_error():
    with pytest.raises(AttributeError, match="Did you mean: chainrule.special.erfc"):
        chainrule.special.erfcc  # noqa: B018


def test_log_gamma_family_matches_torch_on_both_sides_of_zero_and_at_the_poles():
    torch = pytest.importorskip("torch")
    x = np.array([-7.5, -2.5, -0.5, -1e-3, 1e-8, 0.5, 1.0, 2.0, 3.7, 30.0, 1e10, 0.0, -1.0, -2.0, np.inf,
                  -np.inf])
    for ours, theirs in ((chainrule.special.gammaln, torch.special.gammaln),
                         (chainrule.special.psi, torch.special.psi), (chainrule.lgamma, torch.lgamma),
                         (chainrule.digamma, torch.digamma)):
        np.testing.assert_allclose(ours(chainrule.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(),
                                   rtol=1e-13, atol=1e-14, equal_nan=True)
    y = np.array([1.2, 2.5, 7.0])
    np.testing.assert_allclose(chainrule.special.multigammaln(chainrule.tensor(y), 3).numpy(),
                               torch.special.multigammaln(torch.tensor(y), 3).numpy(), rtol=1e-14)
    assert chainrule.lgamma(chainrule.tensor([1, 4])).dtype == chainrule.float32    # integers: default float
    with pytest.raises(RuntimeError, match=r"greater than \(p-1\)/2"):
        chainrule.mvlgamma(chainrule.tensor([0.5]), 3)
    t = chainrule.tensor([2.5])
    assert t.lgamma_() is t and abs(t.item() - math.lgamma(2.5)) < 1e-6

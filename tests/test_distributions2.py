"""The distributions on transforms and the further families on their own: seeded draws and their statistics,
reparameterised gradients, gradient checks of log-densities, TransformedDistribution's change of variables,
and the names chainrule.distributions now has. The comparisons with PyTorch are in
test_distributions2_vs_torch.py and test_distributions2_transforms.py."""
from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule
import chainrule.distributions as D
from chainrule.autograd import gradcheck, gradgradcheck

EULER = 0.5772156649015329


def t(v, **kw):
    return chainrule.tensor(v, dtype=chainrule.float64, **kw)


# (distribution, its mean, its variance) with batch shape (2,)
STATS = {
    "LogNormal": (lambda: D.LogNormal(t([0.0, 0.5]), t([0.5, 0.25])),
                  [math.exp(0.125), math.exp(0.53125)],
                  [math.expm1(0.25) * math.exp(0.25), math.expm1(0.0625) * math.exp(1.0625)]),
    "Gumbel": (lambda: D.Gumbel(t([0.0, 1.0]), t([1.0, 2.0])), [EULER, 1 + 2 * EULER],
               [math.pi**2 / 6, 4 * math.pi**2 / 6]),
    "HalfNormal": (lambda: D.HalfNormal(t([1.0, 2.0])), [math.sqrt(2 / math.pi), 2 * math.sqrt(2 / math.pi)],
                   [1 - 2 / math.pi, 4 * (1 - 2 / math.pi)]),
    "Weibull": (lambda: D.Weibull(t([1.0, 2.0]), t([1.0, 2.0])), [1.0, math.sqrt(math.pi)],
                [1.0, 4 * (1 - math.pi / 4)]),
    "Pareto": (lambda: D.Pareto(t([1.0, 2.0]), t([5.0, 6.0])), [1.25, 2.4], [5 / 48, 4 * 6 / 100]),
    "StudentT": (lambda: D.StudentT(t([5.0, 8.0]), t([1.0, -1.0]), t([1.0, 2.0])), [1.0, -1.0],
                 [5 / 3, 4 * 8 / 6]),
    "Chi2": (lambda: D.Chi2(t([1.0, 5.0])), [1.0, 5.0], [2.0, 10.0]),
    "Dirichlet": (lambda: D.Dirichlet(t([[2.0, 3.0], [0.5, 0.5]])), [[0.4, 0.6], [0.5, 0.5]],
                  [[0.04, 0.04], [0.125, 0.125]]),
    "Geometric": (lambda: D.Geometric(t([0.3, 0.8])), [7 / 3, 0.25], [0.7 / 0.09, 0.2 / 0.64]),
    "NegativeBinomial": (lambda: D.NegativeBinomial(t([3.0, 0.5]), t([0.4, 0.7])), [2.0, 7 / 6],
                         [2.0 / 0.6, (7 / 6) / 0.3]),
    "ContinuousBernoulli": (lambda: D.ContinuousBernoulli(t([0.2, 0.5])),
                            [0.2 / -0.6 + 1 / math.log(4), 0.5],
                            [0.2 * -0.8 / 0.36 + 1 / math.log(4) ** 2, 1 / 12]),
    "LowRankMultivariateNormal": (lambda: D.LowRankMultivariateNormal(t([1.0, -1.0]), t([[1.0], [2.0]]),
                                                                      t([0.5, 1.0])),
                                  [1.0, -1.0], [1.5, 5.0]),
    "Multinomial": (lambda: D.Multinomial(10, t([[0.2, 0.8], [0.5, 0.5]])), [[2.0, 8.0], [5.0, 5.0]],
                    [[1.6, 1.6], [2.5, 2.5]]),
}


@pytest.mark.parametrize("name", STATS)
def test_seeded_draws_have_the_distributions_mean_and_variance(name):
    make, mean, var = STATS[name]
    d = make()
    np.testing.assert_allclose(d.mean.detach().numpy(), mean, rtol=1e-12)
    np.testing.assert_allclose(d.variance.detach().numpy(), var, rtol=1e-12)
    chainrule.manual_seed(0)
    x = d.sample((40000,)).double()
    n = x.shape[0]
    assert (np.abs(x.mean(0).numpy() - mean) < 5 * np.sqrt(np.array(var) / n)).all()   # 5 standard errors
    np.testing.assert_allclose(x.var(0).numpy(), var, rtol=0.1, atol=1e-3)
    assert bool(d.support.check(x).all())
    chainrule.manual_seed(0)
    assert chainrule.equal(make().sample((40000,)).double(), x)         # the seed fixes the draws


def test_cauchy_draws_have_its_quartiles():
    chainrule.manual_seed(0)
    x = D.Cauchy(t(1.0), t(2.0)).sample((40000,)).numpy()
    np.testing.assert_allclose(np.quantile(x, [0.25, 0.5, 0.75]), [-1.0, 1.0, 3.0], atol=0.06)
    y = D.HalfCauchy(t(2.0)).sample((40000,)).numpy()
    np.testing.assert_allclose(np.median(y), 2.0, atol=0.06)


def test_von_mises_draws_have_its_circular_moments():
    chainrule.manual_seed(0)
    d = D.VonMises(t([0.5, -3.0]), t([2.0, 1.0]))
    x = d.sample((40000,)).numpy()
    assert (np.abs(x) <= math.pi).all()
    resultant = np.exp(1j * x).mean(0)                   # E e^(ix) = I1(κ)/I0(κ) e^(i loc)
    np.testing.assert_allclose(np.angle(resultant), [0.5, -3.0], atol=0.03)
    np.testing.assert_allclose(1 - np.abs(resultant), d.variance.numpy(), atol=0.01)


def test_relaxed_draws_approach_the_discrete_ones_at_low_temperature():
    chainrule.manual_seed(0)
    x = D.RelaxedBernoulli(t(0.05), probs=t([0.3, 0.9])).sample((20000,)).numpy()
    np.testing.assert_allclose((x > 0.5).mean(0), [0.3, 0.9], atol=0.015)   # P(x > 1/2) is probs exactly
    assert ((x < 0.01) | (x > 0.99)).mean() > 0.9
    probs = t([0.2, 0.5, 0.3])
    y = D.RelaxedOneHotCategorical(t(0.1), probs).sample((20000,)).numpy()
    np.testing.assert_allclose(np.bincount(y.argmax(-1), minlength=3) / 20000, probs.numpy(), atol=0.015)
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-12)
    z = D.LogisticNormal(t([0.0, 0.0]), t([1.0, 1.0])).sample((5,))
    assert tuple(z.shape) == (5, 3) and np.allclose(z.sum(-1).numpy(), 1.0)


def test_rsample_is_a_differentiable_function_of_the_parameters():
    """Pathwise derivatives through the transforms: d/dloc of exp(loc + scale ε) is x itself, and so on."""
    chainrule.manual_seed(0)
    loc, scale = t([0.3, -0.2], requires_grad=True), t([1.5, 0.5], requires_grad=True)
    x = D.LogNormal(loc, scale).rsample((7,))
    g_loc, g_scale = chainrule.autograd.grad(x.sum(), [loc, scale])
    np.testing.assert_allclose(g_loc.numpy(), x.sum(0).detach().numpy())
    np.testing.assert_allclose(g_scale.numpy(), (x * (x.log() - loc) / scale).sum(0).detach().numpy())
    for make in (D.Cauchy, D.Gumbel):
        x = make(loc, scale).rsample((7,))
        g_loc, g_scale = chainrule.autograd.grad(x.sum(), [loc, scale])
        np.testing.assert_allclose(g_loc.numpy(), [7, 7])
        np.testing.assert_allclose(g_scale.numpy(), ((x - loc) / scale).sum(0).detach().numpy())
    for make in (D.HalfNormal, D.HalfCauchy):
        x = make(scale).rsample((7,))
        (g_scale,) = chainrule.autograd.grad(x.sum(), [scale])
        np.testing.assert_allclose(g_scale.numpy(), (x / scale).sum(0).detach().numpy())


def test_reparameterised_gradients_estimate_the_gradient_of_an_expectation():
    chainrule.manual_seed(0)
    n = 50000
    loc, scale = t(0.2, requires_grad=True), t(0.5, requires_grad=True)
    g = chainrule.autograd.grad(D.LogNormal(loc, scale).rsample((n,)).mean(), [loc, scale])
    m = math.exp(0.2 + 0.125)                                     # E x = exp(loc + scale²/2)
    np.testing.assert_allclose([v.item() for v in g], [m, 0.5 * m], rtol=0.03)
    k, lam = t(2.0, requires_grad=True), t(1.5, requires_grad=True)
    g = chainrule.autograd.grad(D.Weibull(lam, k).rsample((n,)).mean(), [lam, k])
    np.testing.assert_allclose(g[0].item(), math.gamma(1.5), rtol=0.03)   # E x = λ Γ(1 + 1/k)
    alpha = t(4.0, requires_grad=True)
    (g,) = chainrule.autograd.grad(D.Pareto(1.0, alpha).rsample((n,)).mean(), [alpha])
    np.testing.assert_allclose(g.item(), -1 / 9, rtol=0.05)        # E x = α / (α - 1)


@pytest.mark.parametrize("make,value", [
    (lambda p: D.LogNormal(p[0], p[1].exp()), [0.5, 2.0]),
    (lambda p: D.Gumbel(p[0], p[1].exp()), [0.5, -1.0]),
    (lambda p: D.Weibull(p[0].exp(), p[1].exp()), [0.5, 2.0]),
    (lambda p: D.StudentT(p[1].exp() + 1, p[0]), [0.5, -1.0]),
    (lambda p: D.Cauchy(p[0], p[1].exp()), [0.5, -1.0]),
    (lambda p: D.NegativeBinomial(p[1].exp(), logits=p[0]), [1.0, 3.0]),
])
def test_log_prob_gradients_pass_gradcheck_to_second_order(make, value):
    p = t([[0.3, -0.4], [0.2, 0.1]], requires_grad=True)
    fn = lambda q: make(q).log_prob(t(value))  # noqa: E731
    assert gradcheck(fn, (p,)) and gradgradcheck(fn, (p,))


def test_dirichlet_log_prob_passes_gradcheck():
    c = t([[0.5, 2.0, 1.5]], requires_grad=True)
    x = t([0.2, 0.3, 0.5])
    assert gradcheck(lambda a: D.Dirichlet(a).log_prob(x), (c,))
    assert gradgradcheck(lambda a: D.Dirichlet(a).entropy(), (c,))


def test_change_of_variables_integrates_to_one():
    """A TransformedDistribution's density (base density over |dy/dx|) integrates to 1 on its support."""
    T = D.transforms
    d = D.TransformedDistribution(D.Normal(t(0.3), t(0.8)), [T.TanhTransform(), T.AffineTransform(2.0, 3.0)])
    y = np.linspace(-1 + 1e-9, 5 - 1e-9, 200001)
    p = d.log_prob(t(y)).exp().numpy()
    np.testing.assert_allclose(np.trapezoid(p, y), 1.0, atol=1e-4)
    np.testing.assert_allclose(d.cdf(t([2.0])).numpy(), D.Normal(t(0.3), t(0.8)).cdf(t([0.0])).numpy())
    flipped = D.TransformedDistribution(D.Normal(t(0.0), t(1.0)), T.AffineTransform(0.0, -1.0))
    np.testing.assert_allclose(flipped.cdf(t([1.0])).item(), D.Normal(0.0, 1.0).cdf(t(1.0)).item())


def test_new_names_are_there_and_missing_ones_still_say_so():
    import chainrule.distributions.transforms as T
    for name in ("LogNormal", "TransformedDistribution", "Dirichlet", "StudentT", "Multinomial", "Gumbel"):
        assert getattr(D, name).__name__ == name
    assert T.ExpTransform is D.ExpTransform and T.identity_transform is D.identity_transform
    with pytest.raises(AttributeError, match=r"chainrule has no torch.distributions.LKJCholesky \(yet\)"):
        D.LKJCholesky  # noqa: B018

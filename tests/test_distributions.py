"""chainrule.distributions on its own: seeded draws and their statistics, reparameterised gradients, gradient
checks (first and second order) of log-densities, register_kl's dispatch, validation switched off, expand,
the teaching AttributeError, and the two lessons it serves (REINFORCE with Categorical.log_prob, a VAE's
KL term). The comparisons with PyTorch are in test_distributions_vs_torch.py."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import chainrule
import chainrule.distributions as D
from chainrule.autograd import gradcheck, gradgradcheck


def t(v, **kw):
    return chainrule.tensor(v, dtype=chainrule.float64, **kw)


# (distribution, its mean, its variance) with batch shape (2,)
STATS = {
    "Normal": (lambda: D.Normal(t([0.5, -1.0]), t([1.0, 2.0])), [0.5, -1.0], [1.0, 4.0]),
    "Laplace": (lambda: D.Laplace(t([0.5, -1.0]), t([1.0, 2.0])), [0.5, -1.0], [2.0, 8.0]),
    "Uniform": (lambda: D.Uniform(t([0.0, -1.0]), t([1.0, 3.0])), [0.5, 1.0], [1 / 12, 16 / 12]),
    "Exponential": (lambda: D.Exponential(t([0.5, 2.0])), [2.0, 0.5], [4.0, 0.25]),
    "Gamma": (lambda: D.Gamma(t([0.5, 3.0]), t([1.0, 2.0])), [0.5, 1.5], [0.5, 0.75]),
    "Beta": (lambda: D.Beta(t([0.5, 2.0]), t([0.5, 5.0])), [0.5, 2 / 7], [1 / 8, 10 / 392]),
    "Poisson": (lambda: D.Poisson(t([0.5, 7.0])), [0.5, 7.0], [0.5, 7.0]),
    "Binomial": (lambda: D.Binomial(t([10.0, 3.0]), t([0.3, 0.9])), [3.0, 2.7], [2.1, 0.27]),
    "Bernoulli": (lambda: D.Bernoulli(t([0.1, 0.6])), [0.1, 0.6], [0.09, 0.24]),
    "Categorical": (lambda: D.Categorical(t([[0.2, 0.0, 0.8], [0.5, 0.25, 0.25]])), [1.6, 0.75],
                    [0.64, 0.6875]),
    "MultivariateNormal": (lambda: D.MultivariateNormal(t([1.0, -1.0]), t([[2.0, 0.5], [0.5, 1.0]])),
                           [1.0, -1.0], [2.0, 1.0]),
}


@pytest.mark.parametrize("name", STATS)
def test_seeded_draws_have_the_distributions_mean_and_variance(name):
    make, mean, var = STATS[name]
    chainrule.manual_seed(0)
    x = make().sample((40000,)).double()
    n = x.shape[0]
    assert (np.abs(x.mean(0).numpy() - mean) < 5 * np.sqrt(np.array(var) / n)).all()   # 5 standard errors
    np.testing.assert_allclose(x.var(0).numpy(), var, rtol=0.05, atol=1e-3)
    chainrule.manual_seed(0)
    assert chainrule.equal(make().sample((40000,)).double(), x)         # the seed fixes the draws


def test_categorical_draws_follow_the_probabilities_and_skip_zero_ones():
    chainrule.manual_seed(1)
    probs = t([0.1, 0.0, 0.6, 0.3])
    x = D.Categorical(probs * 5).sample((20000,))             # unnormalised probs are divided by their sum
    assert x.dtype == chainrule.int64
    freq = np.bincount(x.numpy(), minlength=4) / 20000
    assert freq[1] == 0
    np.testing.assert_allclose(freq, probs.numpy(), atol=0.015)
    onehot = D.OneHotCategorical(probs).sample((5,))
    assert tuple(onehot.shape) == (5, 4) and (onehot.sum(-1) == 1).all() and (onehot[:, 1] == 0).all()


def test_a_generator_seed_separates_draws():
    chainrule.manual_seed(3)
    a = D.Normal(0.0, 1.0).sample((4,))
    b = D.Normal(0.0, 1.0).sample((4,))
    assert not chainrule.equal(a, b)


def test_rsample_is_a_differentiable_function_of_the_parameters():
    """Pathwise derivatives: x = loc + scale·ε gives dx/dloc = 1, dx/dscale = (x - loc)/scale, and so on."""
    chainrule.manual_seed(0)
    loc, scale = t([0.3, -0.2], requires_grad=True), t([1.5, 0.5], requires_grad=True)
    for make in (D.Normal, D.Laplace):
        x = make(loc, scale).rsample((7,))
        g_loc, g_scale = chainrule.autograd.grad(x.sum(), [loc, scale])
        np.testing.assert_allclose(g_loc.numpy(), [7, 7])
        np.testing.assert_allclose(g_scale.numpy(), ((x - loc) / scale).sum(0).detach().numpy())
    low, high = t([0.0, 1.0], requires_grad=True), t([2.0, 4.0], requires_grad=True)
    x = D.Uniform(low, high).rsample((5,))
    g_low, g_high = chainrule.autograd.grad(x.sum(), [low, high])
    u = ((x - low) / (high - low)).detach()
    np.testing.assert_allclose(g_low.numpy(), (1 - u).sum(0).numpy())
    np.testing.assert_allclose(g_high.numpy(), u.sum(0).numpy())
    rate = t([0.5, 2.0], requires_grad=True)
    x = D.Exponential(rate).rsample((5,))
    (g_rate,) = chainrule.autograd.grad(x.sum(), [rate])
    np.testing.assert_allclose(g_rate.numpy(), (-x / rate).sum(0).detach().numpy())


def test_reparameterised_gradients_estimate_the_gradient_of_an_expectation():
    """d/dθ E[x²] by averaging the pathwise gradient over seeded draws, against the closed form."""
    chainrule.manual_seed(0)
    n = 50000
    loc, scale = t(0.5, requires_grad=True), t(2.0, requires_grad=True)
    g = chainrule.autograd.grad((D.Normal(loc, scale).rsample((n,)) ** 2).mean(), [loc, scale])
    np.testing.assert_allclose([v.item() for v in g], [2 * 0.5, 2 * 2.0], rtol=0.03)  # E x² = loc² + scale²
    rate = t(2.0, requires_grad=True)
    (g,) = chainrule.autograd.grad((D.Exponential(rate).rsample((n,)) ** 2).mean(), [rate])
    np.testing.assert_allclose(g.item(), -4 / 2.0**3, rtol=0.03)                     # E x² = 2 / rate²
    scale = t(1.5, requires_grad=True)
    (g,) = chainrule.autograd.grad((D.Laplace(0.0, scale).rsample((n,)) ** 2).mean(), [scale])
    np.testing.assert_allclose(g.item(), 4 * 1.5, rtol=0.03)                         # E x² = 2 scale²
    low = t(-1.0, requires_grad=True)
    (g,) = chainrule.autograd.grad(D.Uniform(low, 3.0).rsample((n,)).mean(), [low])
    np.testing.assert_allclose(g.item(), 0.5, rtol=0.03)                             # E x = (low + high)/2
    L = t([[1.0, 0.0], [0.5, 2.0]], requires_grad=True)  # noqa: N806
    mu = t([1.0, -1.0], requires_grad=True)
    x = D.MultivariateNormal(mu, scale_tril=L).rsample((n,))
    g_mu, g_L = chainrule.autograd.grad((x**2).sum(-1).mean(), [mu, L])    # E|x|² = |mu|² + |L|²_F
    np.testing.assert_allclose(g_mu.numpy(), 2 * mu.detach().numpy(), atol=0.05)
    np.testing.assert_allclose(np.tril(g_L.numpy()), 2 * L.detach().numpy(), atol=0.06)


def test_log_probs_pass_gradcheck_and_gradgradcheck():
    x = t([0.3, -1.2, 2.0])
    checks = [
        (lambda loc, scale: D.Normal(loc, scale).log_prob(x), (t([0.1, 0.2, -0.3]), t([1.0, 0.7, 2.0]))),
        (lambda logits: D.Categorical(logits=logits).log_prob(chainrule.tensor([2, 0])),
         (t([[0.1, 2.0, -1.0], [0.5, 0.5, 0.0]]),)),
        (lambda a, b: D.Beta(a, b).log_prob(t([0.2, 0.9])) + D.Beta(a, b).entropy(),
         (t([0.5, 3.0]), t([2.0, 0.8]))),
        (lambda a, b: D.Gamma(a, b).log_prob(t([0.4, 3.0])) + D.Gamma(a, b).entropy(),
         (t([0.5, 3.0]), t([2.0, 0.8]))),
        (lambda loc, tril: D.MultivariateNormal(loc, scale_tril=tril.tril()).log_prob(t([[0.5, 1], [0, 0]])),
         (t([0.1, -0.2]), t([[1.2, 0.0], [0.3, 0.8]]))),
        (lambda logits: D.Bernoulli(logits=logits).log_prob(t([1.0, 0.0, 1.0])), (t([0.0, 1.5, -3.0]),)),
    ]
    for fn, inputs in checks:
        inputs = tuple(i.requires_grad_() for i in inputs)
        assert gradcheck(fn, inputs)
        assert gradgradcheck(fn, inputs)


def test_register_kl_picks_the_most_specific_rule():
    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(t([0.0]), t([1.0])), D.Normal(t([1.0]), t([2.0]))
    expected = D.kl_divergence(D.Normal(t([0.0]), t([1.0])), q)
    assert chainrule.allclose(D.kl_divergence(p, q), expected)             # inherits (Normal, Normal)

    @D.register_kl(MyNormal, D.Normal)
    def _kl_mine(p, q):
        return chainrule.zeros(p.batch_shape)

    assert (D.kl_divergence(p, q) == 0).all()                               # the new rule wins, memo reset
    with pytest.raises(TypeError, match="type_p to be a Distribution subclass"):
        D.register_kl(int, D.Normal)
    with pytest.raises(NotImplementedError, match="p type Categorical and q type Normal"):
        D.kl_divergence(D.Categorical(t([0.5, 0.5])), q)


def test_kl_of_categoricals_with_zero_probabilities():
    p, q = D.Categorical(t([0.5, 0.5, 0.0])), D.Categorical(t([0.5, 0.0, 0.5]))
    assert D.kl_divergence(p, q).item() == math.inf
    assert D.kl_divergence(q, q).item() == 0
    assert D.kl_divergence(D.Uniform(0.0, 1.0), D.Uniform(0.0, 0.5)).item() == math.inf


def test_validation_can_be_switched_off_per_distribution_and_by_default():
    with pytest.raises(ValueError, match="constraint GreaterThan"):
        D.Normal(t([0.0]), t([-1.0]))
    assert D.Normal(t([0.0]), t([-1.0]), validate_args=False).batch_shape == (1,)
    D.Distribution.set_default_validate_args(False)
    try:
        assert D.Exponential(t([1.0])).log_prob(t([-2.0])).item() == 2.0        # no check: just the formula
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="within the support"):
        D.Exponential(t([1.0])).log_prob(t([-2.0]))
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args("yes")


def test_expand_shares_parameters_and_keeps_validation():
    d = D.Normal(t([[0.0], [1.0]]), t(2.0)).expand((2, 3))
    assert d.batch_shape == (2, 3) and tuple(d.loc.shape) == (2, 3) and d._validate_args
    assert tuple(d.log_prob(t(0.5)).shape) == (2, 3)
    c = D.Categorical(logits=t([0.0, 1.0, 2.0])).expand((4,))
    assert tuple(c.sample((5,)).shape) == (5, 4) and tuple(c.probs.shape) == (4, 3)
    m = D.MultivariateNormal(t([0.0, 0.0]), t(np.eye(2))).expand((3,))
    assert m.batch_shape == (3,) and tuple(m.covariance_matrix.shape) == (3, 2, 2)
    ind = D.Independent(D.Normal(t([0.0, 1.0]), 1.0), 1).expand((5,))
    assert (ind.batch_shape, ind.event_shape) == ((5,), (2,))


def test_float32_parameters_give_float32_results():
    d = D.Normal(chainrule.zeros(3), chainrule.ones(3))
    assert d.sample().dtype == d.log_prob(chainrule.zeros(3)).dtype == d.entropy().dtype == chainrule.float32
    assert D.Gamma(chainrule.ones(2), 1.0).sample((3,)).dtype == chainrule.float32
    assert D.Bernoulli(0.3).sample().dtype == chainrule.float32


def test_names_pytorch_has_and_chainrule_lacks_say_so():
    with pytest.raises(AttributeError, match=r"chainrule has no torch.distributions.Wishart \(yet\)"):
        D.Wishart  # noqa: B018
    with pytest.raises(AttributeError, match="'Normall'. Did you mean: chainrule.distributions.Normal"):
        D.Normall  # noqa: B018
    assert chainrule.distributions.Normal is D.Normal
    from chainrule.distributions import Categorical, Normal, kl_divergence  # noqa: F401
    from chainrule.distributions.constraints import positive
    assert repr(positive) == "GreaterThan(lower_bound=0.0)"


def test_reinforce_with_categorical_log_prob_finds_the_best_arm():
    """The policy-gradient lesson: loss = -(reward · log π(action)).mean() on a three-armed bandit."""
    chainrule.manual_seed(0)
    logits = chainrule.zeros(3, requires_grad=True)
    payout = chainrule.tensor([0.2, 1.0, 0.5])
    opt = chainrule.optim.Adam([logits], lr=0.1)
    for _ in range(60):
        policy = D.Categorical(logits=logits)
        actions = policy.sample((32,))
        reward = payout[actions]
        loss = -((reward - reward.mean()) * policy.log_prob(actions)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert D.Categorical(logits=logits).probs[1].item() > 0.9


def test_a_vae_kl_term_trains_toward_the_prior():
    mu = chainrule.full((4,), 2.0, requires_grad=True)
    log_sigma = chainrule.full((4,), 1.0, requires_grad=True)
    opt = chainrule.optim.SGD([mu, log_sigma], lr=0.2)
    prior = D.Normal(chainrule.zeros(4), chainrule.ones(4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(100):
            kl = D.kl_divergence(D.Normal(mu, log_sigma.exp()), prior).sum()
            opt.zero_grad()
            kl.backward()
            opt.step()
    assert kl.item() < 1e-3

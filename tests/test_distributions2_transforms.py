"""chainrule.distributions.transforms against torch's (float64): each transform's forward, inverse and
log|dy/dx| with their gradients, round trips, domains, codomains, signs, shapes and reprs; then, for the
distributions of test_distributions2_vs_torch.py, PyTorch's errors and reprs, the shapes of draws, seeded draw
statistics and reparameterised gradients. Skipped without torch."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from test_distributions_errors_vs_torch import _outcome

import chainrule
import chainrule.distributions as D

torch = pytest.importorskip("torch")
R = np.random.default_rng(1)

# name -> (transform maker (transforms module, tensor maker), an x in its domain)
TRANSFORMS: dict[str, tuple[Callable, np.ndarray]] = {
    "exp": (lambda T, t: T.ExpTransform(), R.normal(size=(2, 3))),
    "affine": (lambda T, t: T.AffineTransform(t([1.0, -2.0, 0.5]), t([[2.0], [-0.5]])),
               R.normal(size=(2, 3))),
    "affine_numbers": (lambda T, t: T.AffineTransform(1.0, -3.0), R.normal(size=(2, 3))),
    "affine_event": (lambda T, t: T.AffineTransform(0.5, t([1.0, 2.0, -3.0]), event_dim=1),
                     R.normal(size=(2, 3))),
    "power": (lambda T, t: T.PowerTransform(t([0.5, 2.0, -1.5])), R.uniform(0.2, 2, (2, 3))),
    "sigmoid": (lambda T, t: T.SigmoidTransform(), R.normal(size=(2, 3))),
    "tanh": (lambda T, t: T.TanhTransform(), R.normal(size=(2, 3))),
    "softplus": (lambda T, t: T.SoftplusTransform(), R.normal(size=(2, 3))),
    "abs": (lambda T, t: T.AbsTransform(), R.normal(size=(2, 3))),
    "softmax": (lambda T, t: T.SoftmaxTransform(), R.normal(size=(2, 3))),
    "stick_breaking": (lambda T, t: T.StickBreakingTransform(), R.normal(size=(2, 3))),
    "compose": (lambda T, t: T.ComposeTransform([T.AffineTransform(0.3, 2.0), T.StickBreakingTransform()]),
                R.normal(size=(2, 3))),
    "compose_inv": (lambda T, t: T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)]).inv,
                    R.uniform(1.5, 4, (2, 3))),
    "independent": (lambda T, t: T.IndependentTransform(T.SigmoidTransform(), 1), R.normal(size=(2, 3))),
    "reshape": (lambda T, t: T.ReshapeTransform((2, 3), (3, 2)), R.normal(size=(4, 2, 3))),
    "identity": (lambda T, t: T.identity_transform, R.normal(size=(2, 3))),
    "cached_inv": (lambda T, t: T.ExpTransform(cache_size=1).inv, R.uniform(0.5, 2, (2, 3))),
}


def _transform_outcome(m: Any, name: str) -> list:
    make, x0 = TRANSFORMS[name]
    tr = make(m.distributions.transforms, lambda v: m.tensor(v, dtype=m.float64))
    x = m.tensor(x0, dtype=m.float64, requires_grad=True)
    y = tr(x)
    out: list = [y, tr.inv(y)]
    try:
        out.append(tr.log_abs_det_jacobian(x, y))
    except NotImplementedError:
        out.append("NotImplementedError")
    last = out[-1] if not isinstance(out[-1], str) else y
    out.append(m.autograd.grad((y.sin().sum() + last.sum()), [x])[0])
    arrays = [o.detach().numpy() if not isinstance(o, str) else o for o in out]
    meta = [repr(tr).replace("torch.", "chainrule."), repr(tr.domain), repr(tr.codomain), tr.bijective,
            tuple(tr.forward_shape((4, 2, 3))), tuple(tr.inverse_shape(tuple(y.shape)))]
    return [arrays, meta, _outcome(lambda: tr.sign)]


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transforms_are_pytorchs(name: str) -> None:
    ours, ours_meta, s1 = _transform_outcome(chainrule, name)
    theirs, theirs_meta, s2 = _transform_outcome(torch, name)
    assert ours_meta == theirs_meta and s1 == s2
    for a, b in zip(ours, theirs):
        if isinstance(b, str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", [n for n in TRANSFORMS if n not in ("abs", "softmax")])
def test_bijective_transforms_round_trip(name: str) -> None:
    make, x0 = TRANSFORMS[name]
    tr = make(D.transforms, lambda v: chainrule.tensor(v, dtype=chainrule.float64))
    x = chainrule.tensor(x0, dtype=chainrule.float64)
    np.testing.assert_allclose(tr.inv(tr(x)).numpy(), x0, rtol=1e-9, atol=1e-12)
    assert tr.inv.inv is tr


def test_cache_returns_the_same_tensor_and_inverse_of_inverse() -> None:
    T = D.transforms
    tr = T.ExpTransform(cache_size=1)
    x = chainrule.randn(3)
    assert tr.inv(tr(x)) is x
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        T.ExpTransform(cache_size=2)
    assert T.AffineTransform(0.0, 1.0) == T.AffineTransform(0.0, 1.0) != T.AffineTransform(0.0, 2.0)
    assert T.ExpTransform().inv == T.ExpTransform().inv


ERRORS: dict[str, Callable[[Any, Callable], Any]] = {
    "lognormal negative scale": lambda D, t: D.LogNormal(t([0.]), t([-1.])),
    "lognormal value 0": lambda D, t: D.LogNormal(0., 1.).log_prob(t([-1.])),
    "halfnormal negative scale": lambda D, t: D.HalfNormal(t([-1.])),
    "halfnormal negative value": lambda D, t: D.HalfNormal(t([1.])).log_prob(t([-1.])),
    "halfcauchy negative scale": lambda D, t: D.HalfCauchy(t([-1.])),
    "gumbel scale 0": lambda D, t: D.Gumbel(t([0.]), t([0.])),
    "weibull concentration": lambda D, t: D.Weibull(t([1.]), t([-1.])),
    "pareto below scale": lambda D, t: D.Pareto(t([2.]), t([1.])).log_prob(t([1.])),
    "transforms not a list": lambda D, t: D.TransformedDistribution(D.Normal(0., 1.), (1, 2)),
    "list of non-transforms": lambda D, t: D.TransformedDistribution(D.Normal(0., 1.), [1]),
    "base too small": lambda D, t: D.TransformedDistribution(D.Normal(0., 1.),
                                                             D.transforms.SoftmaxTransform()),
    "reshape numel": lambda D, t: D.transforms.ReshapeTransform((2, 3), (4,)),
    "reshape shape": lambda D, t: D.transforms.ReshapeTransform((2, 3), (6,)).forward_shape((3, 2)),
    "event_dim of softmax inverse": lambda D, t: D.transforms.StickBreakingTransform().event_dim,
    "transformed kl differs": lambda D, t: D.kl_divergence(D.LogNormal(0., 1.), D.Gumbel(0., 1.)),
    "abs has no log det": lambda D, t: D.transforms.AbsTransform().log_abs_det_jacobian(t([1.]), t([1.])),
}
EXTRA_ERRORS: dict[str, Callable[[Any, Callable], Any]] = {
    "cauchy scale": lambda D, t: D.Cauchy(t([0.]), t([-1.])),
    "student df": lambda D, t: D.StudentT(t([-1.])),
    "chi2 df": lambda D, t: D.Chi2(t([-1.])),
    "chi2 negative value": lambda D, t: D.Chi2(t([1.])).log_prob(t([-1.])),
    "dirichlet 0-d": lambda D, t: D.Dirichlet(t(1.)),
    "dirichlet negative": lambda D, t: D.Dirichlet(t([1., -1.])),
    "dirichlet off simplex": lambda D, t: D.Dirichlet(t([1., 1.])).log_prob(t([0.5, 0.6])),
    "geometric probs 0": lambda D, t: D.Geometric(t([0., 0.5])),
    "geometric both": lambda D, t: D.Geometric(t([0.5]), t([0.5])),
    "geometric fraction": lambda D, t: D.Geometric(t([0.5])).log_prob(t([1.5])),
    "negative binomial probs 1": lambda D, t: D.NegativeBinomial(t([2.]), t([1.])),
    "negative binomial count": lambda D, t: D.NegativeBinomial(t([-2.]), logits=t([1.])),
    "multinomial float count": lambda D, t: D.Multinomial(2.0, t([0.5, 0.5])),
    "multinomial too many": lambda D, t: D.Multinomial(2, t([0.5, 0.5])).log_prob(t([2., 1.])),
    "multinomial neither": lambda D, t: D.Multinomial(2),
    "studentT has no cdf": lambda D, t: D.StudentT(t([2.])).cdf(t([0.])),
    "negative binomial entropy": lambda D, t: D.NegativeBinomial(t([2.]), t([0.5])).entropy(),
    "relaxed bernoulli probs": lambda D, t: D.RelaxedBernoulli(t(1.), t([1.5])),
    "relaxed bernoulli value": lambda D, t: D.RelaxedBernoulli(t(1.), t([0.5])).log_prob(t([1.5])),
    "relaxed one-hot off simplex": lambda D, t: D.RelaxedOneHotCategorical(t(1.), t([.5, .5])).log_prob(
        t([.5, .6])),
    "logistic normal scale": lambda D, t: D.LogisticNormal(t([0.]), t([-1.])),
    "continuous bernoulli probs": lambda D, t: D.ContinuousBernoulli(t([1.5]), validate_args=True),
    "continuous bernoulli value": lambda D, t: D.ContinuousBernoulli(t([0.3])).log_prob(t([1.5])),
    "von mises concentration": lambda D, t: D.VonMises(t([0.]), t([-1.])),
    "von mises has no entropy": lambda D, t: D.VonMises(t([0.]), t([1.])).entropy(),
    "lowrank cov_factor 1-d": lambda D, t: D.LowRankMultivariateNormal(t([0., 0.]), t([1., 1.]), t([1., 1.])),
    "lowrank cov_factor rows": lambda D, t: D.LowRankMultivariateNormal(t([0., 0.]), t([[1.]]), t([1., 1.])),
    "lowrank cov_diag": lambda D, t: D.LowRankMultivariateNormal(t([0., 0.]), t([[1.], [1.]]), t([1.])),
    "lowrank batches": lambda D, t: D.LowRankMultivariateNormal(t([[0., 0.]] * 2), t([[[1.], [1.]]] * 3),
                                                                 t([1., 1.])),
    "lowrank negative diag": lambda D, t: D.LowRankMultivariateNormal(t([0., 0.]), t([[1.], [1.]]),
                                                                       t([1., -1.])),
}


@pytest.mark.parametrize("name", [*ERRORS, *EXTRA_ERRORS])
def test_errors_are_pytorchs(name: str) -> None:
    fn = {**ERRORS, **EXTRA_ERRORS}[name]
    def run(m: Any) -> tuple[str, str]:
        return _outcome(lambda: fn(m.distributions, lambda v: m.tensor(v, dtype=m.float64)))
    ours, theirs = run(chainrule), run(torch)
    assert ours == theirs


REPRS: list[Callable[[Any, Callable], Any]] = [
    lambda D, t: D.LogNormal(t([0., 1.]), 1.), lambda D, t: D.HalfNormal(t([1.])),
    lambda D, t: D.Gumbel(0., t([1., 2.])), lambda D, t: D.Weibull(1., 2.), lambda D, t: D.Pareto(t(1.), 2.),
    lambda D, t: D.Pareto(t(1.), 2.).support, lambda D, t: D.LogNormal(0., 1.).support,
    lambda D, t: D.TransformedDistribution(D.Normal(t([0., 1.]), 1.), D.transforms.StickBreakingTransform()),
    lambda D, t: D.TransformedDistribution(D.Normal(t([0., 1.]), 1.), [D.transforms.ExpTransform()]).support,
    lambda D, t: D.transforms.IndependentTransform(D.transforms.ExpTransform().inv, 2),
]
EXTRA_REPRS: list[Callable[[Any, Callable], Any]] = [
    lambda D, t: D.Cauchy(0., 1.), lambda D, t: D.StudentT(t([3.])), lambda D, t: D.Chi2(t([2., 3.])),
    lambda D, t: D.Dirichlet(t([1., 2.])), lambda D, t: D.Geometric(logits=t(0.3)),
    lambda D, t: D.NegativeBinomial(2., t([0.3])), lambda D, t: D.Multinomial(3, t([0.2, 0.8])),
    lambda D, t: D.Multinomial(3, t([0.2, 0.8])).support,
    lambda D, t: D.Dirichlet(t([1., 2.])).arg_constraints,
    lambda D, t: D.NegativeBinomial(2., t([0.3])).arg_constraints,
    lambda D, t: D.RelaxedBernoulli(t(1.), t([0.3])),
    lambda D, t: D.RelaxedOneHotCategorical(t(1.), t([.3, .7])),
    lambda D, t: D.LogisticNormal(t([0., 1.]), 1.), lambda D, t: D.LogisticNormal(t([0., 1.]), 1.).support,
    lambda D, t: D.ContinuousBernoulli(t([0.3])), lambda D, t: D.VonMises(t(0.), t(2.)),
    lambda D, t: D.LowRankMultivariateNormal(t([0., 0.]), t([[1.], [1.]]), t([1., 1.])),
]


@pytest.mark.parametrize("i", range(len(REPRS) + len(EXTRA_REPRS)))
def test_reprs_are_pytorchs(i: int) -> None:
    fn = [*REPRS, *EXTRA_REPRS][i]
    def run(m: Any) -> tuple[str, str]:
        return _outcome(lambda: repr(fn(m.distributions, lambda v: m.tensor(v, dtype=m.float32))))
    ours, theirs = run(chainrule), run(torch)
    assert ours == theirs


def _draws(m: Any) -> list:
    t = (lambda v: m.tensor(v, dtype=m.float64))
    Dm = m.distributions
    ds = [Dm.LogNormal(t([0., 1.]), t([[1.], [2.]])), Dm.HalfNormal(t([1., 2.])), Dm.HalfCauchy(1.),
          Dm.Gumbel(t([0.]), 1.), Dm.Weibull(t([1., 2.]), 1.5), Dm.Pareto(1., t([2., 3.])),
          Dm.TransformedDistribution(Dm.Normal(t([[0., 1.]]), 1.), Dm.transforms.StickBreakingTransform()),
          Dm.LogNormal(0., 1.).expand((3,))]
    return [d for d in ds]


EXTRA_DRAWS: list[Callable[[Any, Callable], Any]] = [
    lambda D, t: D.Cauchy(t([0., 1.]), 1.), lambda D, t: D.StudentT(t([[3.], [4.]]), t([0., 1.])),
    lambda D, t: D.Chi2(t([2., 3.])), lambda D, t: D.Dirichlet(t([[1., 2., 3.]])),
    lambda D, t: D.Geometric(t([0.3, 0.6])), lambda D, t: D.NegativeBinomial(3., logits=t([0.3, -1.])),
    lambda D, t: D.Multinomial(5, t([[0.2, 0.8], [0.5, 0.5]])),
    lambda D, t: D.Dirichlet(t([1., 2.])).expand((3,)),
    lambda D, t: D.RelaxedBernoulli(t(0.5), logits=t([0.3, -1.])),
    lambda D, t: D.RelaxedOneHotCategorical(t(0.5), t([[0.2, 0.8]])), lambda D, t: D.LogisticNormal(0., 1.),
    lambda D, t: D.LogisticNormal(t([[0., 1.]]), 1.).expand((3,)),
    lambda D, t: D.ContinuousBernoulli(logits=t([0.3, -1.])), lambda D, t: D.VonMises(t([0., 1.]), t(2.)),
    lambda D, t: D.VonMises(t(0.), t(2.)).expand((2,)),
    lambda D, t: D.LowRankMultivariateNormal(t([[0., 0.]]), t([[1.], [1.]]), t([1., 1.])).expand((3,)),
]
IMPLICIT = ("StudentT", "Dirichlet", "Chi2")      # PyTorch's rsample: the gamma sampler's implicit gradient


def test_shapes_of_draws_are_pytorchs() -> None:
    def shapes(m: Any) -> list:
        t = (lambda v: m.tensor(v, dtype=m.float64))
        out = []
        for d in _draws(m) + [f(m.distributions, t) for f in EXTRA_DRAWS]:
            for shape in ((), (5,), (2, 1)):
                x = d.sample(shape)
                out.append((type(d).__name__, tuple(x.shape), str(x.dtype).split(".")[-1], x.requires_grad))
            implicit = type(d).__name__ in IMPLICIT
            if d.has_rsample and not implicit:
                out.append(("r", tuple(d.rsample((3,)).shape)))
            out.append((tuple(d.batch_shape), tuple(d.event_shape), d.has_rsample or implicit,
                        d.has_enumerate_support))
        return out
    assert shapes(chainrule) == shapes(torch)

"""chainrule.distributions against torch.distributions: the validation errors' kinds and messages (PyTorch's
`torch.` read as `chainrule.`), the reprs of distributions and constraints, and the shapes, dtypes and
flags of draws. Skipped without torch."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch")


def _outcome(fn: Callable) -> tuple[str, str]:
    """(the exception's kind, its message with `torch.` read as `chainrule.`), or ('ok', str(result))."""
    try:
        return "ok", str(fn()).replace("torch.", "chainrule.")
    except Exception as e:
        kind = "RuntimeError" if isinstance(e, RuntimeError) else type(e).__name__
        return kind, str(e).replace("torch.", "chainrule.")


ERRORS: dict[str, Callable[[Any, Callable], Any]] = {
    "negative scale": lambda D, t: D.Normal(t([0., 1.]), t([1., -1.])),
    "nan value": lambda D, t: D.Normal(0., 1.).log_prob(t([float("nan")])),
    "value not a tensor": lambda D, t: D.Normal(0., 1.).log_prob(0.5),
    "value not broadcastable": lambda D, t: D.Normal(t([0., 1.]), 1.).log_prob(t([1., 2., 3.])),
    "probs above 1": lambda D, t: D.Bernoulli(probs=t([0.2, 1.5])),
    "probs and logits": lambda D, t: D.Bernoulli(probs=t([0.2]), logits=t([0.1])),
    "bernoulli value": lambda D, t: D.Bernoulli(t([0.2])).log_prob(t([0.5])),
    "negative category probs": lambda D, t: D.Categorical(probs=t([-0.1, 1.1])),
    "0-d probs": lambda D, t: D.Categorical(probs=t(0.5)),
    "0-d logits": lambda D, t: D.Categorical(logits=t(0.5)),
    "category out of range": lambda D, t: D.Categorical(logits=t([0., 1.])).log_prob(t([2]).long()),
    "low above high": lambda D, t: D.Uniform(t([0., 1.]), t([1., 0.5])),
    "outside uniform": lambda D, t: D.Uniform(0., 1.).log_prob(t([1.5])),
    "rate 0": lambda D, t: D.Exponential(t([0.])),
    "negative exponential value": lambda D, t: D.Exponential(1.).log_prob(t([-1.])),
    "poisson fraction": lambda D, t: D.Poisson(t([1.])).log_prob(t([1.5])),
    "gamma negative rate": lambda D, t: D.Gamma(t([1.]), t([-1.])),
    "beta negative": lambda D, t: D.Beta(t([1.]), t([-1.])),
    "beta outside": lambda D, t: D.Beta(t([1.]), t([1.])).log_prob(t([1.5])),
    "binomial above n": lambda D, t: D.Binomial(t([3.]), probs=t([0.5])).log_prob(t([4.])),
    "binomial fractional n": lambda D, t: D.Binomial(t([3.5]), probs=t([0.5])),
    "binomial inhomogeneous entropy": lambda D, t: D.Binomial(t([3., 4.]), t([0.5, 0.5])).entropy(),
    "not positive definite": lambda D, t: D.MultivariateNormal(t([0., 0.]), t([[1., 2.], [2., 1.]])),
    "not lower triangular": lambda D, t: D.MultivariateNormal(t([0., 0.]), scale_tril=t([[1, 2.], [0, 1]])),
    "0-d loc": lambda D, t: D.MultivariateNormal(t(0.), t([[1.]])),
    "two matrices": lambda D, t: D.MultivariateNormal(t([0.]), t([[1.]]), scale_tril=t([[1.]])),
    "1-d covariance": lambda D, t: D.MultivariateNormal(t([0.]), t([1.])),
    "1-d precision": lambda D, t: D.MultivariateNormal(t([0.]), precision_matrix=t([1.])),
    "1-d scale_tril": lambda D, t: D.MultivariateNormal(t([0.]), scale_tril=t([1.])),
    "mvn event shape": lambda D, t: D.MultivariateNormal(t([0., 0.]), t(np.eye(2))).log_prob(t([1, 2, 3.])),
    "too many reinterpreted dims": lambda D, t: D.Independent(D.Normal(t([0.]), 1.), 2),
    "not one-hot": lambda D, t: D.OneHotCategorical(t([0.5, 0.5])).log_prob(t([1., 1.])),
    "no KL rule": lambda D, t: D.kl_divergence(D.Categorical(t([0.5, 0.5])), D.Normal(0., 1.)),
    "independent KL dims differ": lambda D, t: D.kl_divergence(D.Independent(D.Normal(t([[0.]]), 1.), 1),
                                                                D.Independent(D.Normal(t([[0.]]), 1.), 2)),
    "validate_args off": lambda D, t: D.Normal(t([0.]), t([-1.]), validate_args=False).log_prob(t([0.])),
    "expand to fewer dims": lambda D, t: D.Normal(t([[0.], [1.]]), 1.).expand((3,)),
    "set_default_validate_args(3)": lambda D, t: D.Distribution.set_default_validate_args(3),
    "Gamma has no icdf": lambda D, t: D.Gamma(t([1.]), t([1.])).icdf(t([0.5])),
    "Categorical has no cdf": lambda D, t: D.Categorical(t([0.5, 0.5])).cdf(t([0])),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_are_pytorchs_kind_and_message(name: str) -> None:
    def run(m: Any) -> tuple[str, str]:
        return _outcome(lambda: ERRORS[name](m.distributions, lambda v: m.tensor(v, dtype=m.float64)))
    ours, theirs = run(chainrule), run(torch)
    if name == "expand to fewer dims":            # the engine's own expand message
        assert ours[0] == theirs[0] == "RuntimeError"
        return
    assert ours == theirs


REPRS: list[Callable[[Any, Callable], Any]] = [
    lambda D, t: D.Normal(t([0., 1.]), t([1., 2.])),
    lambda D, t: D.Normal(0., 1.),
    lambda D, t: D.Normal(t([0.]), 1.),
    lambda D, t: D.Bernoulli(logits=t([[0.], [1.]])),
    lambda D, t: D.Bernoulli(0.3),
    lambda D, t: D.Categorical(logits=t([[0., 1., 2.]])),
    lambda D, t: D.OneHotCategorical(t([0.2, 0.8])),
    lambda D, t: D.Uniform(t([0., 1.]), 2.),
    lambda D, t: D.Exponential(t([1., 2.])),
    lambda D, t: D.Laplace(0., t([1., 2.])),
    lambda D, t: D.Gamma(t(2.), t(3.)),
    lambda D, t: D.Beta(t([2.]), t([3.])),
    lambda D, t: D.Poisson(t([2., 3.])),
    lambda D, t: D.Binomial(5, t([0.2, 0.3])),
    lambda D, t: D.MultivariateNormal(t([0., 0.]), t(np.eye(2))),
    lambda D, t: D.MultivariateNormal(t([0., 0.]), scale_tril=t(np.eye(2))),
    lambda D, t: D.Independent(D.Normal(t([[0., 1.]]), 1.), 1),
    lambda D, t: D.Normal(t([[0.], [1.]]), 1.).expand((2, 3)),
    lambda D, t: D.Uniform(0., 1.).support,
    lambda D, t: D.Binomial(t(4.), t(0.5)).support,
    lambda D, t: D.Categorical(t([0.2, 0.8])).support,
    lambda D, t: D.Independent(D.Normal(t([[0., 1.]]), 1.), 1).support,
    lambda D, t: D.MultivariateNormal(t([0., 0.]), t(np.eye(2))).arg_constraints,
    lambda D, t: D.Beta(t([2.]), t([3.])).support,
]


@pytest.mark.parametrize("i", range(len(REPRS)))
def test_reprs_are_pytorchs(i: int) -> None:
    def run(m: Any) -> tuple[str, str]:
        return _outcome(lambda: repr(REPRS[i](m.distributions, lambda v: m.tensor(v, dtype=m.float32))))
    assert run(chainrule) == run(torch)


def test_shapes_of_draws_are_pytorchs() -> None:
    def shapes(m: Any) -> list:
        D, t = m.distributions, (lambda v: m.tensor(v, dtype=m.float64))
        ds = [D.Normal(t([0., 1.]), t([[1.], [2.], [3.]])), D.Bernoulli(t([0.2, 0.7])),
              D.Categorical(t([[.2, .8]])), D.OneHotCategorical(t([[.2, .3, .5]])), D.Uniform(t([0.]), 1.),
              D.Exponential(t([1., 2.])),
              D.Laplace(0., t([1., 2.])), D.Gamma(t([2.]), t([[1.], [2.]])), D.Beta(t([2.]), t([3.])),
              D.Poisson(t([2., 3.])), D.Binomial(5, t([0.2, 0.3])),
              D.MultivariateNormal(t([[0., 0.]]), t(np.eye(2))),
              D.Independent(D.Normal(t([[0., 1.]]), 1.), 1),
              D.Normal(0., 1.), D.Categorical(logits=t([0., 1., 2.])).expand((4,))]
        out = []
        for d in ds:
            for shape in ((), (5,), (2, 1)):
                x = d.sample(shape)
                out.append((type(d).__name__, tuple(x.shape), str(x.dtype).split(".")[-1], x.requires_grad))
            implicit = type(d).__name__ in ("Gamma", "Beta")      # chainrule has no rsample for these
            if d.has_rsample and not implicit:
                out.append(("r", tuple(d.rsample((3,)).shape)))
            out.append((tuple(d.batch_shape), tuple(d.event_shape), d.has_rsample or implicit,
                        d.has_enumerate_support))
        return out
    assert shapes(chainrule) == shapes(torch)

"""The distributions built on transforms (LogNormal, Gumbel, HalfNormal, HalfCauchy, Weibull, Pareto,
TransformedDistribution) and the further families (Cauchy, StudentT, Chi2, Dirichlet, Geometric,
NegativeBinomial, Multinomial) against torch.distributions in float64: every quantity's value and its
gradients in every parameter, batch and event shapes, and their kl_divergence rules. Skipped without torch."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from test_distributions_vs_torch import QUANTITIES, Case, N, U, _run

import chainrule

torch = pytest.importorskip("torch")


def _affine_exp(D: Any, p: dict) -> Any:
    T = D.transforms
    return D.TransformedDistribution(D.Normal(p["loc"], p["scale"]),
                                     [T.AffineTransform(p["shift"], p["mult"]), T.ExpTransform()])


def _stick(D: Any, p: dict) -> Any:
    return D.TransformedDistribution(D.Independent(D.Normal(p["loc"], p["scale"]), 1),
                                     D.transforms.StickBreakingTransform())


_SIMPLEX = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])
_COUNTS = np.array([[0.0, 3, 1, 2], [2, 2, 0, 1]])
CASES: dict[str, Case] = {
    "log_normal": Case(lambda D, p: D.LogNormal(p["loc"], p["scale"]), U(0.1, 3, 2, 3),
                       {"loc": N(3), "scale": U(0.5, 2, 2, 1)}),
    "gumbel": Case(lambda D, p: D.Gumbel(p["loc"], p["scale"]), N(2, 3),
                   {"loc": N(3), "scale": U(0.5, 2, 2, 1)}),
    "half_normal": Case(lambda D, p: D.HalfNormal(p["scale"]), U(0, 3, 2, 3), {"scale": U(0.5, 2, 3)}),
    "half_cauchy": Case(lambda D, p: D.HalfCauchy(p["scale"]), U(0, 3, 2, 3), {"scale": U(0.5, 2, 3)}),
    "weibull": Case(lambda D, p: D.Weibull(p["scale"], p["k"]), U(0.1, 3, 2, 3),
                    {"scale": U(0.5, 2, 3), "k": U(0.5, 3, 2, 3)}),
    "pareto": Case(lambda D, p: D.Pareto(p["scale"], p["alpha"]), U(2.1, 4, 2, 3),
                   {"scale": U(0.5, 2, 3), "alpha": U(2.5, 4, 2, 3)}),   # finite variance
    "affine_exp": Case(_affine_exp, U(0.1, 3, 2, 3), {"loc": N(3), "scale": U(0.5, 2, 3), "shift": N(2, 1),
                                                      "mult": U(-2, -0.5, 3)}),
    "stick_breaking": Case(_stick, _SIMPLEX, {"loc": N(2, 2), "scale": U(0.5, 2, 2)}),
    "sigmoid_normal": Case(lambda D, p: D.TransformedDistribution(D.Normal(p["loc"], p["scale"]),
                                                                  D.transforms.SigmoidTransform()),
                           U(0.05, 0.95, 2, 3), {"loc": N(3), "scale": U(0.5, 2, 3)}),
    "tanh_normal": Case(lambda D, p: D.TransformedDistribution(D.Normal(p["loc"], p["scale"]),
                                                               [D.transforms.TanhTransform()]),
                        U(-0.95, 0.95, 2, 3), {"loc": N(3), "scale": U(0.5, 2, 3)}),
    "power_exponential": Case(lambda D, p: D.TransformedDistribution(
        D.Exponential(p["rate"]), D.transforms.PowerTransform(p["e"])), U(0.1, 3, 2, 3),
        {"rate": U(0.5, 2, 3), "e": U(-2, 2, 2, 1)}),
}
EXTRA: dict[str, Case] = {      # the families that are not TransformedDistributions
    "cauchy": Case(lambda D, p: D.Cauchy(p["loc"], p["scale"]), N(2, 3),
                   {"loc": N(3), "scale": U(0.5, 2, 2, 1)}),
    "student_t": Case(lambda D, p: D.StudentT(p["df"], p["loc"], p["scale"]), N(2, 3),
                      {"df": np.array([0.7, 1.5, 3.0]), "loc": N(2, 1), "scale": U(0.5, 2, 3)}),
    "student_t_default": Case(lambda D, p: D.StudentT(p["df"]), N(2, 3), {"df": U(2.5, 9, 3)}),
    "chi2": Case(lambda D, p: D.Chi2(p["df"]), U(0.1, 4, 2, 3), {"df": U(0.5, 6, 2, 3)}),
    "dirichlet": Case(lambda D, p: D.Dirichlet(p["c"]), _SIMPLEX, {"c": U(0.3, 4, 2, 3)}),
    "dirichlet_u_shaped": Case(lambda D, p: D.Dirichlet(p["c"]), _SIMPLEX[0],
                               {"c": np.array([[0.3, 0.8, 0.5], [0.5, 2.0, 3.0]])}),
    "geometric_probs": Case(lambda D, p: D.Geometric(probs=p["p"]), _COUNTS, {"p": U(0.1, 0.9, 2, 4)}),
    "geometric_logits": Case(lambda D, p: D.Geometric(logits=p["l"]), _COUNTS, {"l": N(4)}),
    "negative_binomial_probs": Case(lambda D, p: D.NegativeBinomial(p["n"], probs=p["p"]), _COUNTS,
                                    {"n": U(0.5, 5, 2, 4), "p": U(0.1, 0.9, 4)}),
    "negative_binomial_logits": Case(lambda D, p: D.NegativeBinomial(p["n"], logits=p["l"]), _COUNTS,
                                     {"n": U(0.5, 5, 4), "l": N(2, 4)}),
    "multinomial_probs": Case(lambda D, p: D.Multinomial(6, probs=p["p"]), _COUNTS, {"p": U(0.1, 1, 2, 4)}),
    "multinomial_logits": Case(lambda D, p: D.Multinomial(6, logits=p["l"]), _COUNTS, {"l": N(4)}),
    "relaxed_bernoulli": Case(lambda D, p: D.RelaxedBernoulli(p["t"], logits=p["l"]), U(0.05, 0.95, 2, 3),
                              {"t": np.array(0.7), "l": N(3)}),
    "relaxed_bernoulli_probs": Case(lambda D, p: D.RelaxedBernoulli(p["t"], probs=p["p"]), U(0.05, 0.95, 3),
                                    {"t": U(0.3, 2, 3), "p": U(0.1, 0.9, 2, 3)}),
    "relaxed_one_hot": Case(lambda D, p: D.RelaxedOneHotCategorical(p["t"], logits=p["l"]), _SIMPLEX,
                            {"t": np.array(0.6), "l": N(2, 3)}),
    "relaxed_one_hot_probs": Case(lambda D, p: D.RelaxedOneHotCategorical(p["t"], probs=p["p"]), _SIMPLEX,
                                  {"t": np.array(1.3), "p": U(0.1, 1, 3)}),
    "continuous_bernoulli": Case(lambda D, p: D.ContinuousBernoulli(p["p"]), U(0, 1, 2, 4),
                                 {"p": np.array([0.1, 0.4995, 0.5003, 0.93])}),
    "continuous_bernoulli_logits": Case(lambda D, p: D.ContinuousBernoulli(logits=p["l"]), U(0, 1, 3),
                                        {"l": N(2, 3)}),
    "von_mises": Case(lambda D, p: D.VonMises(p["loc"], p["k"]), U(-3, 3, 2, 4),
                      {"loc": N(4), "k": np.array([0.5, 2.0, 3.9, 10.0])}),
    "lowrank_mvn": Case(lambda D, p: D.LowRankMultivariateNormal(p["loc"], p["w"], p["d"]), N(4, 2, 3),
                        {"loc": N(2, 3), "w": N(3, 2), "d": U(0.5, 2, 3)}),
    "lowrank_mvn_batched": Case(lambda D, p: D.LowRankMultivariateNormal(p["loc"], p["w"], p["d"]), N(3),
                                {"loc": N(3), "w": N(2, 3, 1), "d": U(0.5, 2, 2, 3)}),
    "logistic_normal": Case(lambda D, p: D.LogisticNormal(p["loc"], p["scale"]), _SIMPLEX,
                            {"loc": N(2, 2), "scale": U(0.5, 2, 2)}),
}


# PyTorch's Multinomial.entropy takes log n! of an int64 tensor, so in float32; chainrule's is in float64
FLOAT32_IN_TORCH = {"entropy", "perplexity"}


def _all_cases() -> dict[str, Case]:
    return {**CASES, **EXTRA}


@pytest.mark.parametrize("quantity", QUANTITIES)
@pytest.mark.parametrize("name", _all_cases())
def test_values_gradients_and_shapes_are_pytorchs(name: str, quantity: str) -> None:
    case, what = _all_cases()[name], QUANTITIES[quantity]
    theirs, ours = _run(torch, case, what), _run(chainrule, case, what)
    if theirs[0] is NotImplementedError:
        assert ours[0] is NotImplementedError, f"{name}.{quantity}: PyTorch raises NotImplementedError"
        return
    assert ours[0] is not NotImplementedError, f"{name}.{quantity} is missing"
    (v1, g1, b1, e1), (v2, g2, b2, e2) = ours, theirs
    assert (b1, e1) == (b2, e2)
    assert v1.dtype == v2.dtype and v1.shape == v2.shape
    rtol = 1e-6 if (name.startswith("multinomial") and quantity in FLOAT32_IN_TORCH) else 1e-10
    np.testing.assert_allclose(v1, v2, rtol=rtol, atol=1e-12, err_msg=f"{name}.{quantity}")
    for k, a, b in zip(case.params, g1, g2):
        if b is None or (a is None and not b.any()):
            assert a is None or not a.any(), f"{name}.{quantity} d/d{k}"
            continue
        np.testing.assert_allclose(a, b, rtol=max(rtol, 1e-8), atol=1e-9, err_msg=f"{name}.{quantity} d/d{k}")


def _make(kind: str, s: str, *shape: int) -> tuple[Callable, dict]:
    """A distribution of family `kind` with parameters named with prefix s, and those parameters."""
    two = {"LogNormal": "LogNormal", "Gumbel": "Gumbel", "Cauchy": "Cauchy", "Normal": "Normal"}
    if kind in two:
        return (lambda D, p: getattr(D, kind)(p[s + "a"], p[s + "b"]),
                {s + "a": N(*shape), s + "b": U(0.5, 2, *shape)})
    made: dict[str, tuple[Callable, dict]] = {
        "HalfNormal": (lambda D, p: D.HalfNormal(p[s + "a"]), {s + "a": U(0.5, 2, *shape)}),
        "Pareto": (lambda D, p: D.Pareto(p[s + "a"], p[s + "b"]), {s + "a": U(0.5, 1, *shape),
                                                                   s + "b": U(2.5, 4, *shape)}),
        "Exponential": (lambda D, p: D.Exponential(p[s + "a"]), {s + "a": U(0.5, 2, *shape)}),
        "Gamma": (lambda D, p: D.Gamma(p[s + "a"], p[s + "b"]), {s + "a": U(0.5, 3, *shape),
                                                                 s + "b": U(0.5, 2, *shape)}),
        "Uniform": (lambda D, p: D.Uniform(p[s + "a"], p[s + "b"]), {s + "a": U(-1, 0, *shape),
                                                                     s + "b": U(0.5, 2, *shape)}),
        "Dirichlet": (lambda D, p: D.Dirichlet(p[s + "a"]), {s + "a": U(0.5, 3, *shape, 4)}),
        "Geometric": (lambda D, p: D.Geometric(logits=p[s + "a"]), {s + "a": N(*shape)}),
        "Chi2": (lambda D, p: D.Chi2(p[s + "a"]), {s + "a": U(0.5, 4, *shape)}),
        "CB": (lambda D, p: D.ContinuousBernoulli(p[s + "a"]),
               {s + "a": U(0.05, 0.95, *shape)}),
        "Beta": (lambda D, p: D.Beta(p[s + "a"], p[s + "b"]), {s + "a": U(0.5, 3, *shape),
                                                               s + "b": U(0.5, 3, *shape)}),
    }
    return made[kind]


KL_PAIRS = [("LogNormal", "LogNormal"), ("Gumbel", "Gumbel"), ("HalfNormal", "HalfNormal"),
            ("Pareto", "Pareto"), ("Exponential", "Gumbel"), ("Gamma", "Gumbel"), ("Normal", "Gumbel"),
            ("Gumbel", "Normal"), ("Uniform", "Gumbel"), ("Pareto", "Exponential"), ("Pareto", "Gamma"),
            ("Pareto", "Normal"), ("Uniform", "Pareto"), ("Gumbel", "Exponential"), ("Normal", "Pareto"),
            ("Exponential", "Pareto"), ("Gamma", "Pareto"), ("Pareto", "Uniform"),
            ("Cauchy", "Cauchy"), ("Dirichlet", "Dirichlet"), ("Geometric", "Geometric"), ("Chi2", "Chi2"),
            ("Chi2", "Gamma"), ("Beta", "Pareto"), ("CB", "CB"), ("Beta", "CB"), ("CB", "Exponential"),
            ("CB", "Normal"), ("Normal", "CB"), ("CB", "Uniform"), ("Uniform", "CB"), ("CB", "Pareto"),
            ("Gumbel", "CB"), ("Pareto", "CB")]      # CB: ContinuousBernoulli
# PyTorch masks these results in place with an unbroadcast mask (IndexError); chainrule's broadcast
TORCH_CANNOT_BROADCAST = {("Pareto", "Pareto"), ("Pareto", "Exponential"), ("Pareto", "Gamma"),
                          ("Pareto", "Normal"), ("Uniform", "Pareto")}


@pytest.mark.parametrize("kp,kq", KL_PAIRS, ids=[f"{p}-{q}" for p, q in KL_PAIRS])
def test_kl_divergence_values_and_gradients_are_pytorchs(kp: str, kq: str) -> None:
    p_shape, q_shape = ((2, 3), (2, 3)) if (kp, kq) in TORCH_CANNOT_BROADCAST else ((2, 1), (3,))
    (make_p, params_p), (make_q, params_q) = _make(kp, "p_", *p_shape), _make(kq, "q_", *q_shape)
    case = Case(lambda D, p: (make_p(D, p), make_q(D, p)), np.zeros(1), {**params_p, **params_q})
    kl = (lambda pq, _: (chainrule if isinstance(pq[0], chainrule.distributions.Distribution) else torch)
          .distributions.kl_divergence(*pq))
    ours, theirs = _run(chainrule, case, kl), _run(torch, case, kl)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-12)
    assert ours[0].shape == theirs[0].shape
    for k, a, b in zip(case.params, ours[1], theirs[1]):
        if b is None:
            assert a is None or not a.any(), k
        else:
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-9, err_msg=f"d/d{k}")


@pytest.mark.parametrize("what", ["covariance_matrix", "precision_matrix", "scale_tril", "variance"])
def test_lowrank_matrices_and_gradients_are_pytorchs(what: str) -> None:
    case = EXTRA["lowrank_mvn_batched"]
    (v1, g1, *_), (v2, g2, *_) = (_run(m, case, lambda d, _: getattr(d, what)) for m in (chainrule, torch))
    np.testing.assert_allclose(v1, v2, rtol=1e-10, atol=1e-12)
    for a, b in zip(g1, g2):
        assert (a is None) == (b is None)          # loc does not enter the matrices
        if b is not None:
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-9)

"""torch.distributions on chainrule's engine: every log_prob, entropy, cdf, kl_divergence and rsample is made
of Tensor ops, so gradients (of any order) flow to the parameters; draws come from chainrule's default
generator (chainrule.manual_seed). One distribution per file; distribution.py is the base, constraints.py the
supports, kl.py the divergences, transforms.py the transforms of TransformedDistribution (which LogNormal,
Gumbel, HalfNormal, HalfCauchy, Weibull and Pareto are built on)."""
from . import constraints, kl_families, kl_mixed, kl_transformed, transforms  # noqa: F401  (kl_*: rules)
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .cauchy import Cauchy
from .chi2 import Chi2
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .half_cauchy import HalfCauchy
from .half_normal import HalfNormal
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .logistic_normal import LogisticNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .pareto import Pareto
from .poisson import Poisson
from .relaxed_bernoulli import RelaxedBernoulli
from .relaxed_categorical import RelaxedOneHotCategorical
from .student_t import StudentT
from .transform import ComposeTransform, Transform, identity_transform
from .transformed_distribution import TransformedDistribution
from .transforms_event import IndependentTransform, ReshapeTransform
from .transforms_univariate import (
    AbsTransform,
    AffineTransform,
    ExpTransform,
    PowerTransform,
    SigmoidTransform,
    SoftplusTransform,
    TanhTransform,
)
from .transforms_vector import SoftmaxTransform, StickBreakingTransform
from .uniform import Uniform
from .von_mises import VonMises
from .weibull import Weibull

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy",
           "Chi2", "ComposeTransform", "ContinuousBernoulli", "Dirichlet", "Distribution", "ExpTransform",
           "Exponential", "Gamma", "Geometric", "Gumbel", "HalfCauchy", "HalfNormal", "Independent",
           "IndependentTransform", "Laplace", "LogNormal", "LogisticNormal", "LowRankMultivariateNormal",
           "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal", "OneHotCategorical", "Pareto",
           "Poisson", "PowerTransform", "RelaxedBernoulli", "RelaxedOneHotCategorical", "ReshapeTransform",
           "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform", "StickBreakingTransform", "StudentT",
           "TanhTransform", "Transform", "TransformedDistribution", "Uniform", "VonMises", "Weibull",
           "constraints", "identity_transform", "kl_divergence", "register_kl", "transforms"]

"""torch.distributions on chainrule's engine: every log_prob, entropy, cdf, kl_divergence and rsample is made
of Tensor ops, so gradients (of any order) flow to the parameters; draws come from chainrule's default
generator (chainrule.manual_seed). One distribution per file; distribution.py is the base, constraints.py the
supports, kl.py the divergences. Not here yet: the other PyTorch distributions, transforms and
TransformedDistribution (chainrule.distributions names them when asked)."""
from . import constraints, kl_mixed  # noqa: F401  (kl_mixed registers the rules between families)
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .poisson import Poisson
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Distribution", "Exponential", "Gamma",
           "Independent", "Laplace", "MultivariateNormal", "Normal", "OneHotCategorical", "Poisson",
           "Uniform", "constraints",
           "kl_divergence", "register_kl"]

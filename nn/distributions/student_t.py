"""StudentT(df, loc=0, scale=1): loc + scale · X / sqrt(V/df) for X ~ N(0, 1), V ~ Chi2(df). Draws come from
the normal and chi-squared samplers; there is no rsample (PyTorch's needs the gamma sampler's implicit
gradient in df, which chainrule's Gamma lacks)."""
from __future__ import annotations

import math
from typing import Any

import autograd as ag
from autograd import Size, Tensor
from autograd.ops import digamma, lgamma

from . import constraints
from .chi2 import Chi2
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["StudentT"]


class StudentT(Distribution):
    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0, validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> StudentT:
        new = self._expand_params(("df", "loc", "scale"), batch_shape, _instance, StudentT)
        new._chi2 = self._chi2.expand(Size(batch_shape))
        return new

    @property
    def mean(self) -> Tensor:
        """loc where df > 1, else nan."""
        return ag.where(self.df <= 1, math.nan, self.loc)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        """scale² df / (df - 2) where df > 2, inf for 1 < df <= 2, nan for df <= 1."""
        finite = self.scale.pow(2) * self.df / (self.df - 2)
        return ag.where(self.df > 2, finite, ag.where(self.df > 1, math.inf, math.nan))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with ag.no_grad():
            x = ag.randn(self._extended_shape(sample_shape), dtype=self.df.dtype)
            z = self._chi2.sample(sample_shape)
            return self.loc + self.scale * x * (z / self.df).rsqrt()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
             + lgamma(0.5 * self.df) - lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * ag.log1p(y**2.0 / self.df) - z

    def entropy(self) -> Tensor:
        lbeta = lgamma(0.5 * self.df) + math.lgamma(0.5) - lgamma(0.5 * (self.df + 1))
        half_gap = digamma(0.5 * (self.df + 1)) - digamma(0.5 * self.df)
        return (self.scale.log() + 0.5 * (self.df + 1) * half_gap
                + 0.5 * self.df.log() + lbeta)

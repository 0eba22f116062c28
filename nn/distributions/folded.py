"""What HalfNormal and HalfCauchy share: |x| for x from a distribution symmetric about 0 with a scale (the
base, through AbsTransform), so the density, cdf and icdf are the base's folded onto x ≥ 0, the mode is 0
and the entropy is the base's less log 2."""
from __future__ import annotations

import math
from typing import Any

import autograd as ag
from autograd import Tensor

from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms_univariate import AbsTransform


class Folded(TransformedDistribution):
    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, base: Any, validate_args: bool | None = None) -> None:
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        return super().expand(batch_shape, _instance=self._get_checked_instance(type(self), _instance))

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mode(self) -> Tensor:
        return ag.zeros_like(self.scale)

    def log_prob(self, value: Tensor) -> Tensor:
        """The base's density doubled (both ±x land on |x|); -inf below 0."""
        if self._validate_args:
            self._validate_sample(value)
        value = ag.as_tensor(value, dtype=self.base_dist.scale.dtype)
        return ag.where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob: Tensor) -> Tensor:
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() - math.log(2)

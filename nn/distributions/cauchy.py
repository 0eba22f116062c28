"""Cauchy(loc, scale): density 1 / (π·scale·(1 + ((x-loc)/scale)²)); no mean or variance (nan, inf).
rsample is loc + scale·tan(π(u - 1/2))."""
from __future__ import annotations

import math
from typing import Any

import autograd as ag
from autograd import Tensor

from .location_scale import LocationScale

__all__ = ["Cauchy"]


class Cauchy(LocationScale):
    @property
    def mean(self) -> Tensor:
        return ag.full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def variance(self) -> Tensor:
        return ag.full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = ag.rand(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + (math.pi * (u - 0.5)).tan() * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return ag.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        return ag.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()

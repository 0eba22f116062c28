"""NegativeBinomial(total_count, probs= or logits=): the number of successes before total_count failures,
each trial a success with probability probs. Draws are Poisson(Gamma(total_count, exp(-logits))) draws."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Tensor, ops
from autograd.ops import lgamma
from autograd.random import generator

from . import constraints
from .binary import BinaryProbs
from .gamma import Gamma
from .utils import lazy_property

__all__ = ["NegativeBinomial"]


class NegativeBinomial(BinaryProbs):
    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0), "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._set_counted(total_count, probs, logits)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> NegativeBinomial:
        names = ("total_count", "probs", "logits")
        return self._expand_binary(NegativeBinomial, batch_shape, _instance, names)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / ag.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self) -> Gamma:
        return Gamma(concentration=self.total_count, rate=(-self.logits).exp(), validate_args=False)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with ag.no_grad():
            rate = self._gamma.sample(sample_shape).numpy().astype(np.float64)
            return ag.as_tensor(generator().poisson(rate).astype(self._param.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_unnormalized = n * ops.logsigmoid(-self.logits) + value * ops.logsigmoid(self.logits)
        log_normalization = -lgamma(n + value) + lgamma(1.0 + value) + lgamma(n)
        log_normalization = ag.where(n + value == 0.0, 0.0, log_normalization)   # P(0) = 1 when n = 0
        return log_unnormalized - log_normalization

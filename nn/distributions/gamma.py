"""Gamma(concentration, rate): density rate^α x^(α-1) e^(-rate·x) / Γ(α) on x ≥ 0. Draws come from numpy's
gamma sampler; there is no rsample (PyTorch's needs the implicit gradient of the sampler in α)."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

import autograd as ag
from autograd import Size, Tensor
from autograd.ops import digamma, lgamma
from autograd.random import generator

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Gamma"]


class Gamma(Distribution):
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = isinstance(concentration, numbers.Number) and isinstance(rate, numbers.Number)
        super().__init__(Size() if scalar else self.rate.size(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gamma:
        return self._expand_params(("concentration", "rate"), batch_shape, _instance, Gamma)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        conc = np.broadcast_to(self.concentration.detach().numpy().astype(np.float64), shape)
        rate = np.broadcast_to(self.rate.detach().numpy().astype(np.float64), shape)
        x = generator().standard_gamma(conc) / rate
        tiny = np.finfo(self.rate.dtype).tiny           # PyTorch clamps draws off 0: log_prob stays finite
        return ag.as_tensor(np.maximum(x, tiny).astype(self.rate.dtype))

    def log_prob(self, value: Any) -> Tensor:
        value = ag.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration, self.rate
        return ag.xlogy(a, b) + ag.xlogy(a - 1, value) - b * value - lgamma(a)

    def entropy(self) -> Tensor:
        a = self.concentration
        return a - self.rate.log() + lgamma(a) + (1.0 - a) * digamma(a)

"""Beta(concentration1, concentration0) on [0, 1]: density x^(a-1) (1-x)^(b-1) / B(a, b). PyTorch builds it
on a two-category Dirichlet, so its parameter errors and repr speak of that Dirichlet's `concentration`."""
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

__all__ = ["Beta"]

_CONCENTRATION = constraints.independent(constraints.positive, 1)


class Beta(Distribution):
    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval

    def __init__(self, concentration1: Any, concentration0: Any, validate_args: bool | None = None) -> None:
        if isinstance(concentration1, numbers.Number) and isinstance(concentration0, numbers.Number):
            both = ag.tensor([float(concentration1), float(concentration0)])
        else:
            both = ag.stack(broadcast_all(concentration1, concentration0), -1)
        self._concentration = both
        validate = type(self)._validate_args if validate_args is None else validate_args
        if validate and not bool(_CONCENTRATION.check(both).all()):   # PyTorch's inner Dirichlet checks first
            raise ValueError(f"Expected parameter concentration ({type(both).__name__} of shape "
                             f"{tuple(both.shape)}) of distribution Dirichlet(concentration: {both.size()}) "
                             f"to satisfy the constraint {_CONCENTRATION!r}, but found invalid "
                             f"values:\n{both}")
        super().__init__(both.shape[:-1], validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Beta:
        new = self._get_checked_instance(Beta, _instance)
        new._concentration = self._concentration.expand(*Size(batch_shape), 2)
        Distribution.__init__(new, Size(batch_shape), validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self) -> Tensor:
        return self._concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        return self._concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        """(a-1)/(a+b-2); 1 when both a, b < 1 (PyTorch's Dirichlet picks the first corner of a U shape)."""
        m1 = (self._concentration - 1).clamp(min=0.0)
        mode = (m1 / m1.sum(-1, keepdim=True))[..., 0]
        return ag.where((self._concentration < 1).all(-1), 1.0, mode)

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        c = self._concentration.detach().numpy().astype(np.float64)
        x = generator().beta(np.broadcast_to(c[..., 0], shape), np.broadcast_to(c[..., 1], shape))
        return ag.as_tensor(x.astype(self._concentration.dtype))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return (ag.xlogy(a - 1, value) + ag.xlogy(b - 1, 1 - value)
                + lgamma(a + b) - lgamma(a) - lgamma(b))

    def entropy(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        total = a + b
        return (lgamma(a) + lgamma(b) - lgamma(total) - (a - 1) * digamma(a) - (b - 1) * digamma(b)
                + (total - 2) * digamma(total))

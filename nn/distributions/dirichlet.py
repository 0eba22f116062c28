"""Dirichlet(concentration): a point of the simplex, density prod x_i^(a_i - 1) / B(a); the last dim of the
concentration is the event. Draws are independent gammas divided by their sum; there is no rsample
(PyTorch's uses the gamma sampler's implicit gradient in the concentration, which chainrule lacks)."""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
from autograd import Size, Tensor
from autograd.ops import digamma, lgamma
from autograd.random import generator

from . import constraints
from .distribution import Distribution

__all__ = ["Dirichlet"]


class Dirichlet(Distribution):
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Dirichlet:
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        conc = np.broadcast_to(self.concentration.detach().numpy().astype(np.float64), shape)
        tiny = np.finfo(self.concentration.dtype).tiny
        g = np.maximum(generator().standard_gamma(conc), tiny)   # a tiny a_i can underflow every draw to 0
        x = g / g.sum(-1, keepdims=True)
        return ag.as_tensor(np.clip(x, tiny, 1 - np.finfo(self.concentration.dtype).eps)
                            .astype(self.concentration.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return ag.xlogy(a - 1.0, value).sum(-1) + lgamma(a.sum(-1)) - lgamma(a).sum(-1)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self) -> Tensor:
        """(a_i - 1)⁺ normalised; when every a_i < 1, the first corner (PyTorch's argmax of a nan row)."""
        m1 = (self.concentration - 1).clamp(min=0.0)
        mode = m1 / m1.sum(-1, True)
        corner = ag.zeros_like(mode)
        corner[..., 0] = 1.0
        return ag.where((self.concentration < 1).all(-1, keepdim=True), corner, mode)

    @property
    def variance(self) -> Tensor:
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self) -> Tensor:
        a = self.concentration
        k, a0 = a.size(-1), a.sum(-1)
        return lgamma(a).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0) - ((a - 1.0) * digamma(a)).sum(-1)

"""Geometric(probs= or logits=): the number of failures before the first success, P(k) = (1-p)^k p.
Draws invert the cdf: floor(log u / log(1 - p))."""
from __future__ import annotations

import numbers
from typing import Any

import autograd as ag
from autograd import Size, Tensor, ops

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Geometric"]


class Geometric(Distribution):
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        given = probs if probs is not None else logits
        super().__init__(Size() if isinstance(given, numbers.Number) else given.size(),
                         validate_args=validate_args)
        if self._validate_args and probs is not None:
            value = self.probs
            valid = value > 0
            if not bool(valid.all()):           # p = 0 is in unit_interval but has no first success
                raise ValueError(f"Expected parameter probs ({type(value).__name__} of shape "
                                 f"{tuple(value.shape)}) of distribution {self!r} to be positive but found "
                                 f"invalid values:\n{value.detach()[~valid]}")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Geometric:
        return self._expand_params(("probs", "logits"), batch_shape, _instance, Geometric)

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return ag.zeros_like(self.probs)

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with ag.no_grad():
            u = ag.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype)
            u = u.clamp(min=ag.finfo(self.probs.dtype).tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = ag.where((probs == 1) & (value == 0), 0.0, probs)   # 0 · log 0 is 0 there
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        """binary_cross_entropy_with_logits(logits, probs) / probs."""
        return (ops.softplus(self.logits) - self.logits * self.probs) / self.probs

"""Bernoulli(probs= or logits=): 1 with probability p, else 0. log_prob is minus binary cross-entropy with
logits, written with logsigmoid so that its gradient is sigmoid(logit) - value everywhere."""
from __future__ import annotations

import numbers
from typing import Any

import autograd as ag
from autograd import Size, Tensor, ops

from . import constraints
from .binary import BinaryProbs
from .utils import broadcast_all

__all__ = ["Bernoulli"]


def _bce_with_logits(logits: Tensor, target: Tensor) -> Tensor:
    return -(target * ops.logsigmoid(logits) + (1 - target) * ops.logsigmoid(-logits))


class Bernoulli(BinaryProbs):
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        param = probs if probs is not None else logits
        (tensor,) = broadcast_all(param)
        if probs is not None:
            self.probs = tensor
        else:
            self.logits = tensor
        self._param = tensor
        super().__init__(Size() if isinstance(param, numbers.Number) else tensor.size(),
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Bernoulli:
        return self._expand_binary(Bernoulli, batch_shape, _instance)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        p = self.probs.detach()
        return ag.where(p == 0.5, float("nan"), (p >= 0.5).to(p.dtype))

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with ag.no_grad():
            return ag.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self) -> Tensor:
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = ag.arange(2, dtype=self._param.dtype).reshape(-1, *(1,) * len(self._batch_shape))
        return values.expand(-1, *self._batch_shape) if expand else values

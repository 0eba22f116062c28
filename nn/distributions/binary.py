"""What the distributions of a binary outcome's probability share (Bernoulli, Binomial, NegativeBinomial,
LogitRelaxedBernoulli): probs and logits, each computed from the other on first use, param_shape, expand,
and for the counted ones the total_count broadcast with whichever was given."""
from __future__ import annotations

from typing import Any

from autograd import Size, Tensor

from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits


class BinaryProbs(Distribution):
    _param: Tensor                  # whichever of probs or logits was given

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    def _set_counted(self, total_count: Any, probs: Any, logits: Any) -> None:
        """total_count and exactly one of probs or logits, broadcast together, total_count in their dtype."""
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        name = "probs" if probs is not None else "logits"
        count, param = broadcast_all(total_count, probs if probs is not None else logits)
        self.total_count, self._param = count.type_as(param), param
        setattr(self, name, param)

    def _expand_binary(self, cls: type, batch_shape: Any, _instance: Any,
                       names: tuple = ("probs", "logits")) -> Any:
        new = self._expand_params(names, batch_shape, _instance, cls)
        new._param = new.__dict__.get("probs", new.__dict__.get("logits"))
        return new

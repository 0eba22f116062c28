"""What the distributions of a binary outcome's probability share (Bernoulli, Binomial, NegativeBinomial,
LogitRelaxedBernoulli): probs and logits, each computed from the other on first use, and param_shape."""
from __future__ import annotations

from autograd import Size, Tensor

from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, probs_to_logits


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

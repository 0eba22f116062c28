"""What the location-scale families Normal, Laplace and Cauchy share: parameters loc (real) and scale
(positive), broadcast together; a batch shape of () for two numbers; expand; the mode at loc."""
from __future__ import annotations

import numbers
from typing import Any

from autograd import Size, Tensor

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


class LocationScale(Distribution):
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        scalar = isinstance(loc, numbers.Number) and isinstance(scale, numbers.Number)
        super().__init__(Size() if scalar else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        return self._expand_params(("loc", "scale"), batch_shape, _instance, type(self))

    @property
    def mode(self) -> Tensor:
        return self.loc

"""Parameter: a Tensor that requires grad and that a Module registers when it is assigned as an attribute."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor


class Parameter(Tensor):
    """A Tensor that requires grad and that a Module registers when it is assigned as an attribute."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty(0, dtype=np.float32)
        super().__init__(data, requires_grad=requires_grad)   # shares the array (as torch.nn.Parameter)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:             # copy.deepcopy / pickle keep the subclass
        return (_rebuild_parameter, (self._data.copy(order="K"), self.requires_grad))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(data, requires_grad)

"""torch.distributions.utils: parameters broadcast together, probabilities <-> logits, and the sums over the
rightmost dims that turn per-element log-densities into per-event ones."""
from __future__ import annotations

import numbers
from typing import Any

import autograd as ag
from autograd import Tensor, ops

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits",
           "sum_rightmost"]


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Numbers become tensors (of the first tensor's dtype, else the default dtype), then all broadcast."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor or objects "
                         "implementing __torch_function__.")
    dtype = next((v.dtype for v in values if isinstance(v, Tensor)), ag.get_default_dtype())
    tensors = [v if isinstance(v, Tensor) else ag.tensor(v, dtype=dtype) for v in values]
    return tuple(ag.broadcast_tensors(*tensors))


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities kept off 0 and 1 by the dtype's eps, so their logits stay finite."""
    eps = ag.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    return ag.sigmoid(logits) if is_binary else ops.softmax(logits, -1)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    p = clamp_probs(probs)
    return (p.log() - (-p).log1p()) if is_binary else p.log()


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum out the `dim` rightmost dims."""
    return value if dim == 0 else value.reshape(*value.shape[:-dim], -1).sum(-1)


class lazy_property:  # noqa: N801  (PyTorch's name)
    """Computed on first access, then stored on the instance (logits from probs, or probs from logits)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value

"""Transforms of a whole vector (event_dim 1) onto the simplex: softmax (not bijective: adding a constant to x
gives the same y) and stick-breaking (a bijection from R^(K-1) to the K-simplex, as Dirichlet's unconstrained
parameterisation)."""
from __future__ import annotations

from typing import Any

import autograd as ag
from autograd import Size, Tensor, ops

from . import constraints
from .transform import Transform
from .transforms_univariate import _clipped_sigmoid

__all__ = ["SoftmaxTransform", "StickBreakingTransform"]


def _at_least_1d(shape: Any) -> Any:
    if len(shape) < 1:
        raise ValueError("Too few dimensions on input")
    return shape


class SoftmaxTransform(Transform):
    """y = softmax(x) over the last dim; its inverse is log(y) (one of the x that give y)."""
    domain = constraints.real_vector
    codomain = constraints.simplex

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SoftmaxTransform)

    def _call(self, x: Tensor) -> Tensor:
        probs = (x - x.max(-1, True)[0]).exp()
        return probs / probs.sum(-1, True)

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log()

    def forward_shape(self, shape: Any) -> Any:
        return _at_least_1d(shape)

    def inverse_shape(self, shape: Any) -> Any:
        return _at_least_1d(shape)


def _offset(k: int, dtype: Any) -> Tensor:
    """K, K-1, ..., 1 for K-1 sticks: centres x = 0 on the simplex's centre."""
    return k + 1 - ag.ones(k, dtype=dtype).cumsum(-1)


class StickBreakingTransform(Transform):
    """z_i = sigmoid(x_i - log(K - i)); y_i = z_i · prod_{j<i} (1 - z_j), the last y the stick left over."""
    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StickBreakingTransform)

    def _call(self, x: Tensor) -> Tensor:
        z = _clipped_sigmoid(x - _offset(x.shape[-1], x.dtype).log())
        z_cumprod = (1 - z).cumprod(-1)
        return ops.pad(z, (0, 1), value=1) * ops.pad(z_cumprod, (1, 0), value=1)

    def _inverse(self, y: Tensor) -> Tensor:
        y_crop = y[..., :-1]
        offset = y.shape[-1] - ag.ones(y_crop.shape[-1], dtype=y.dtype).cumsum(-1)
        sf = (1 - y_crop.cumsum(-1)).clamp(min=ag.finfo(y.dtype).tiny)   # y[-1] ~ 0 can make it negative
        return y_crop.log() - sf.log() + offset.log()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        x = x - _offset(x.shape[-1], x.dtype).log()
        return (-x + ops.logsigmoid(x) + y[..., :-1].log()).sum(-1)   # 1 - sigmoid(x) = e^(-x) sigmoid(x)

    def forward_shape(self, shape: Any) -> Any:
        shape = _at_least_1d(shape)
        return Size((*shape[:-1], shape[-1] + 1))

    def inverse_shape(self, shape: Any) -> Any:
        shape = _at_least_1d(shape)
        return Size((*shape[:-1], shape[-1] - 1))

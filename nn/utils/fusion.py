"""Folding an eval-mode BatchNorm into the convolution or linear layer before it (torch.nn.utils.fusion): one
layer computing the same function, for inference. With s = γ / √(running_var + eps):
W' = W · s (per output channel) and b' = (b − running_mean) · s + β."""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from autograd import Tensor

from ..module import Module, Parameter


def _arr(t: Any, like: np.ndarray, fill: float) -> np.ndarray:
    return np.full_like(like, fill) if t is None else t._data


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor, bn_eps: float,
                         bn_w: Tensor | None, bn_b: Tensor | None,
                         transpose: bool = False) -> tuple[Parameter, Parameter]:
    """The fused convolution's (weight, bias); transpose=True for a ConvTranspose (output channels in dim 1)."""
    rm = bn_rm._data
    b = _arr(conv_b, rm, 0.0)
    scale = _arr(bn_w, rm, 1.0) / np.sqrt(bn_rv._data + bn_eps)
    shape = ([1, -1] if transpose else [-1, 1]) + [1] * (conv_w.ndim - 2)
    w = (conv_w._data * scale.reshape(shape)).astype(conv_w._data.dtype)
    bias = ((b - rm) * scale + _arr(bn_b, rm, 0.0)).astype(b.dtype if conv_b is not None else conv_w._data.dtype)
    return (Parameter(w, conv_w.requires_grad),
            Parameter(bias, conv_b.requires_grad if conv_b is not None else False))


def fuse_conv_bn_eval(conv: Module, bn: Module, transpose: bool = False) -> Module:
    """A copy of `conv` that computes bn(conv(x)) with bn's running statistics (both must be in eval mode)."""
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("fuse_conv_bn_eval: the BatchNorm needs running statistics (track_running_stats)")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor,
                           bn_eps: float, bn_w: Tensor, bn_b: Tensor) -> tuple[Parameter, Parameter]:
    """The fused linear layer's (weight, bias)."""
    rm = bn_rm._data
    b = _arr(linear_b, rm, 0.0)
    scale = bn_w._data / np.sqrt(bn_rv._data + bn_eps)
    w = linear_w._data * scale[:, None].astype(linear_w._data.dtype)
    bias = ((b - rm) * scale + bn_b._data).astype(b.dtype if linear_b is not None else linear_w._data.dtype)
    return (Parameter(w, linear_w.requires_grad),
            Parameter(bias, linear_b.requires_grad if linear_b is not None else False))


def fuse_linear_bn_eval(linear: Module, bn: Module) -> Module:
    """A copy of `linear` that computes bn(linear(x)) with bn's running statistics (both in eval mode)."""
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise AssertionError("To fuse, linear.out_features must equal bn.num_features OR bn.num_features must be 1")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("fuse_linear_bn_eval: the BatchNorm needs running statistics (track_running_stats)")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                      bn.eps, bn.weight, bn.bias)
    return fused

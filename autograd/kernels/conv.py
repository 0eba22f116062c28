"""Kernel of ConvMatMul: conv2d's and conv3d's gradients by the op's own formula (`_conv_grads`), on arrays."""
from __future__ import annotations

from ..ops.conv import ConvMatMul, _conv_grads
from ..parallel import any_matmul
from ..tensor import Tensor
from . import register


@register(ConvMatMul)
def conv_matmul(op: ConvMatMul, g: Tensor) -> tuple:
    xs, w3, c3 = op.inputs, op.w3, op.c3
    g2 = g._data.transpose(*range(1, g.ndim), 0).reshape(w3[:-1] + c3[-1:])    # g as (O, L), per group
    grads = _conv_grads(g2, xs[0]._data, xs[1]._data, op.needs_grad, w3, c3, any_matmul)
    return tuple(None if a is None else Tensor._wrap(a) for a in grads)

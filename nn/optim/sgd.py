"""SGD with momentum, dampening, Nesterov and weight decay: PyTorch's update, step for step."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor

from .axpy import axpy
from .optimizer import Optimizer, buffer, check_positive, required


class SGD(Optimizer):
    """d = g + wd·p;  b = μ·b + (1 − τ)·d  (b = d on the first step);  d = d + μ·b if nesterov else b;  p -= lr·d"""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False) -> None:
        if lr is not required:
            check_positive("SGD", lr=lr)
        check_positive("SGD", momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, mu, wd, tau = group["lr"], group["momentum"], group["weight_decay"], group["dampening"]
        d = grad
        if group["maximize"] or wd != 0:
            d = self._tmp(p)
            np.negative(grad, out=d) if group["maximize"] else np.copyto(d, grad)
            if wd != 0:
                axpy(wd, p._data, d)
        if mu != 0:
            kept = state.get("momentum_buffer")
            if kept is None:
                buf = d.copy(order="K")            # in p's memory order, as every buffer
                state["momentum_buffer"] = buffer(buf)
            else:
                buf = kept._data
                buf *= mu
                axpy(1 - tau, d, buf)
            if group["nesterov"]:
                if d is grad:
                    d = self._tmp(p)
                    np.copyto(d, grad)
                axpy(mu, buf, d)
            else:
                d = buf
        axpy(-lr, d, p._data)                       # one pass, where numpy's p -= lr * d takes two

"""SGD with momentum, dampening, Nesterov and weight decay: PyTorch's update, step for step."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, check_positive, required


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
                d += _scaled(p.data, wd, self._tmp(p, 1))
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = d.copy()
            else:
                buf *= mu
                buf += d if tau == 0 else _scaled(d, 1 - tau, self._tmp(p, 1))
            if group["nesterov"]:
                if d is grad:
                    d = self._tmp(p)
                    np.copyto(d, grad)
                d += _scaled(buf, mu, self._tmp(p, 1))
            else:
                d = buf
        p.data -= _scaled(d, lr, self._tmp(p, 1))


def _scaled(x: np.ndarray, c: float, out: np.ndarray) -> np.ndarray:
    """c·x written into a reused buffer."""
    return np.multiply(x, c, out=out)

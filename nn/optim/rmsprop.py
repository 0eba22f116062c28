"""RMSprop (Hinton's lecture 6e), with PyTorch's momentum and centered options, step for step."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, buffer, check_positive, new_step, tick


class RMSprop(Optimizer):
    """s = αs + (1−α)g²;  a = √(s − ḡ²) if centered else √s;  a += ε;
    b = μb + g/a, p -= lr·b  (momentum)  or  p -= lr·g/a"""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        check_positive("RMSprop", lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, alpha, eps, wd, mu = (group[k] for k in ("lr", "alpha", "eps", "weight_decay", "momentum"))
        if not state:
            state["step"] = new_step()
            state["square_avg"] = buffer(np.zeros_like(p._data))
            if mu > 0:
                state["momentum_buffer"] = buffer(np.zeros_like(p._data))
            if group["centered"]:
                state["grad_avg"] = buffer(np.zeros_like(p._data))
        tick(state)
        tmp, g = self._tmp(p), grad
        if group["maximize"]:
            g = np.negative(grad, out=self._tmp(p, 1))
        if wd != 0:
            g = np.add(g, np.multiply(p._data, wd, out=tmp), out=self._tmp(p, 1))
        s = state["square_avg"]._data
        s *= alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1 - alpha
        s += tmp
        if group["centered"]:
            ga = state["grad_avg"]._data
            np.subtract(g, ga, out=tmp)            # ḡ += (1 − α)(g − ḡ): PyTorch's lerp
            tmp *= 1 - alpha
            ga += tmp
            np.multiply(ga, ga, out=tmp)
            np.subtract(s, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(s, out=tmp)
        tmp += eps
        np.divide(g, tmp, out=tmp)
        if mu > 0:
            buf = state["momentum_buffer"]._data
            buf *= mu
            buf += tmp
            np.multiply(buf, lr, out=tmp)
        else:
            tmp *= lr
        p._data -= tmp

"""Adamax (Kingma & Ba, 2015, section 7): Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor

from .nadam import check_betas, decayed_grad
from .optimizer import Optimizer, buffer, check_positive, new_step, tick


class Adamax(Optimizer):
    """m += (1−β₁)(g − m);  u = max(β₂u, |g| + ε);  p -= lr/(1−β₁ᵗ) · m/u"""

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False) -> None:
        check_positive("Adamax", lr=lr, eps=eps)
        check_betas("Adamax", betas)
        check_positive("Adamax", weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        if not state:
            state["step"] = new_step()
            state["exp_avg"] = buffer(np.zeros_like(p._data))
            state["exp_inf"] = buffer(np.zeros_like(p._data))
        t = tick(state)
        g = decayed_grad(p, grad, group)
        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        m += (1 - b1) * (g - m)
        u *= b2
        np.maximum(u, np.abs(g) + eps, out=u)
        p._data -= (lr / (1 - b1**t)) * (m / u)

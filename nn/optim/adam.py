"""Adam and AdamW (Kingma & Ba, 2015; Loshchilov & Hutter, 2019): PyTorch's update, step for step."""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor

from .axpy import axpy
from .optimizer import Optimizer, buffer, check_positive, new_step, tick


class Adam(Optimizer):
    """m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;  p -= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
    Adam adds weight decay to the gradient (g += wd·p); AdamW decays the weight directly (p *= 1 − lr·wd)."""

    decoupled = False

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        name = type(self).__name__
        check_positive(name, lr=lr, eps=eps, weight_decay=weight_decay)
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"{name}: invalid beta parameter at index {i}: {b} (expected 0 <= beta < 1)")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:                              # Tensors, as PyTorch's; the rule works on their arrays
            state["step"] = new_step()
            state["exp_avg"] = buffer(np.zeros_like(p._data))
            state["exp_avg_sq"] = buffer(np.zeros_like(p._data))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = buffer(np.zeros_like(p._data))
        t, m, v = tick(state), state["exp_avg"]._data, state["exp_avg_sq"]._data
        tmp, g = self._tmp(p), grad
        if group["maximize"]:
            g = np.negative(grad, out=self._tmp(p, 1))
        if wd != 0:
            if self.decoupled:
                p._data *= 1 - lr * wd
            else:
                g = np.add(g, np.multiply(p._data, wd, out=tmp), out=self._tmp(p, 1))
        axpy(1 - b1, np.subtract(g, m, out=tmp), m)   # m += (1 − β₁)(g − m): PyTorch's lerp
        v *= b2                                    # v = β₂v + (1 − β₂)g²
        axpy(1 - b2, np.multiply(g, g, out=tmp), v)
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"]._data, v, out=state["max_exp_avg_sq"]._data)
        c = math.sqrt(1 - b2**t)                   # lr/(1 − β₁ᵗ) · m / (√v/c + ε) = lr·c/(1 − β₁ᵗ) · m / (√v + cε):
        np.sqrt(v, out=tmp)                        # fewer passes over memory than the textbook order
        tmp += c * eps                             # (see benchmarks W4)
        axpy(-lr * c / (1 - b1**t), np.divide(m, tmp, out=tmp), p._data)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01): the decay does not pass through Adam's scaling."""

    decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)

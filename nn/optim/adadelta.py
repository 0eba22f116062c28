"""Adadelta (Zeiler, 2012): steps scaled by the ratio of running RMS of past updates to that of gradients."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, buffer, check_positive, new_step, tick


class Adadelta(Optimizer):
    """s = ρs + (1−ρ)g²;  Δ = √(u + ε)/√(s + ε) · g;  u = ρu + (1−ρ)Δ²;  p -= lr·Δ"""

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        check_positive("Adadelta", lr=lr, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: invalid rho value: {rho} (expected 0 <= rho <= 1)")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      capturable=capturable, maximize=maximize, differentiable=differentiable))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, rho, eps, wd = (group[k] for k in ("lr", "rho", "eps", "weight_decay"))
        if not state:
            state.update(step=new_step(), square_avg=buffer(np.zeros_like(p._data)),
                         acc_delta=buffer(np.zeros_like(p._data)))
        tick(state)
        tmp, delta, g = self._tmp(p), self._tmp(p, 1), grad
        if group["maximize"]:
            g = np.negative(grad, out=self._tmp(p, 2))
        if wd != 0:
            g = np.add(g, np.multiply(p._data, wd, out=tmp), out=self._tmp(p, 2))
        s, u = state["square_avg"]._data, state["acc_delta"]._data
        s *= rho
        np.multiply(g, g, out=tmp)
        tmp *= 1 - rho
        s += tmp
        np.add(s, eps, out=tmp)
        np.sqrt(tmp, out=tmp)                      # std = √(s + ε)
        np.add(u, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= tmp
        delta *= g                                 # Δ = √(u + ε) / std · g
        u *= rho
        np.multiply(delta, delta, out=tmp)
        tmp *= 1 - rho
        u += tmp
        delta *= lr
        p._data -= delta

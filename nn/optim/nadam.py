"""NAdam and RAdam: Adam with Nesterov momentum (Dozat, 2016) and with a rectified variance (Liu et al., 2020),
PyTorch's updates step for step, each with its decoupled_weight_decay option (NAdamW, RAdamW)."""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.dtypes import get_default_dtype

from .optimizer import Optimizer, buffer, check_positive, new_step, tick


def check_betas(name: str, betas: tuple[float, float]) -> None:
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"{name}: invalid beta parameter at index {i}: {b} (expected 0 <= beta < 1)")


def decayed_grad(p: Tensor, grad: np.ndarray, group: dict[str, Any], decoupled: bool = False) -> np.ndarray:
    """The gradient after maximize and L2 weight decay; decoupled decay shrinks p itself (p *= 1 − lr·wd)."""
    g = -grad if group.get("maximize") else grad
    wd = group.get("weight_decay", 0.0)
    if wd != 0:
        if decoupled:
            p._data *= 1 - group["lr"] * wd
        else:
            g = g + wd * p._data
    return g


def adam_moments(state: dict[str, Any], g: np.ndarray, b1: float, b2: float) -> tuple[np.ndarray, np.ndarray]:
    """m += (1 − β₁)(g − m) (PyTorch's lerp);  v = β₂v + (1 − β₂)g², in place on the state's buffers."""
    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
    m += (1 - b1) * (g - m)
    v *= b2
    v += (1 - b2) * g * g
    return m, v


def _adam_state(p: Tensor, state: dict[str, Any]) -> None:
    state["step"] = new_step()
    state["exp_avg"] = buffer(np.zeros_like(p._data))
    state["exp_avg_sq"] = buffer(np.zeros_like(p._data))


class NAdam(Optimizer):
    """μₜ = β₁(1 − ½·0.96^(t·ψ));  m, v as Adam;  d = √(v/(1−β₂ᵗ)) + ε;
    p -= lr(1−μₜ)/(1−Πμ) · g/d + lr·μₜ₊₁/(1−Πμ·μₜ₊₁) · m/d     (ψ = momentum_decay)"""

    _scalar_state = ("step", "mu_product")

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        check_positive("NAdam", lr=lr, eps=eps)
        check_betas("NAdam", betas)
        check_positive("NAdam", weight_decay=weight_decay, momentum_decay=momentum_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, psi = group["lr"], group["betas"], group["eps"], group["momentum_decay"]
        if not state:
            state["step"] = new_step()         # mu_product: 0-d in the default float dtype, rounded as PyTorch's
            state["mu_product"] = Tensor._wrap(np.ones((), dtype=get_default_dtype()))
            state["exp_avg"] = buffer(np.zeros_like(p._data))
            state["exp_avg_sq"] = buffer(np.zeros_like(p._data))
        t = tick(state)
        g = decayed_grad(p, grad, group, group["decoupled_weight_decay"])
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mp = state["mu_product"]._data
        mp *= mu
        m, v = adam_moments(state, g, b1, b2)
        denom = np.sqrt(v / (1 - b2**t)) + eps
        prod = mp.item()
        p._data += (-lr * (1.0 - mu) / (1.0 - prod)) * (g / denom)
        p._data += (-lr * mu_next / (1.0 - prod * mu_next)) * (m / denom)


class RAdam(Optimizer):
    """m, v as Adam;  ρ∞ = 2/(1−β₂) − 1;  ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ);  m̂ = m/(1−β₁ᵗ);
    p -= lr·m̂·r·√(1−β₂ᵗ)/(√v + ε) when ρₜ > 5 (r: the variance rectification), else p -= lr·m̂"""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_positive("RAdam", lr=lr, eps=eps)
        check_betas("RAdam", betas)
        check_positive("RAdam", weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        if not state:
            _adam_state(p, state)
        t = tick(state)
        g = decayed_grad(p, grad, group, group["decoupled_weight_decay"])
        m, v = adam_moments(state, g, b1, b2)
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        m_hat = m / bc1
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * (b2**t) / bc2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            p._data -= m_hat * lr * (bc2**0.5 / (np.sqrt(v) + eps)) * rect
        else:
            p._data -= m_hat * lr

"""Rprop (Riedmiller & Braun, 1993) and ASGD (Polyak & Juditsky, 1992): PyTorch's updates step for step."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.dtypes import get_default_dtype

from .nadam import decayed_grad
from .optimizer import Optimizer, buffer, check_positive, new_step, tick


class Rprop(Optimizer):
    """Per element: s = sign(g·g_prev);  step × η₊ if s > 0, × η₋ if s < 0, clamped to step_sizes;
    where s < 0 the gradient counts as 0 (and is remembered so);  p -= sign(g)·step"""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        check_positive("Rprop", lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Rprop: invalid eta values: {etas[0]}, {etas[1]} (expected 0 < etaminus < 1 < "
                             f"etaplus)")
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        (eta_minus, eta_plus), (lo, hi) = group["etas"], group["step_sizes"]
        if not state:
            state["step"] = new_step()
            state["prev"] = buffer(np.zeros_like(p._data))
            state["step_size"] = buffer(np.full_like(p._data, group["lr"]))
        tick(state)
        g = decayed_grad(p, grad, group)
        prev, size = state["prev"]._data, state["step_size"]._data
        s = np.sign(g * prev)
        size *= np.where(s > 0, eta_plus, np.where(s < 0, eta_minus, 1.0)).astype(size.dtype)
        np.clip(size, lo, hi, out=size)
        g = np.where(s < 0, 0, g).astype(p._data.dtype)
        p._data -= np.sign(g) * size
        prev[...] = g


class ASGD(Optimizer):
    """p *= 1 − λη;  p -= η·g;  ax += μ(p − ax) (ax = p while μ = 1);
    then η = lr/(1 + λ·lr·t)^α and μ = 1/max(1, t − t₀)"""

    _scalar_state = ("step", "eta", "mu")

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_positive("ASGD", lr=lr, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, lambd = group["lr"], group["lambd"]
        if not state:                              # eta and mu: 0-d tensors in the default dtype, as PyTorch's
            state["step"] = new_step()
            state["eta"] = Tensor._wrap(np.array(lr, dtype=get_default_dtype()))
            state["mu"] = Tensor._wrap(np.ones((), dtype=get_default_dtype()))
            state["ax"] = buffer(np.zeros_like(p._data))
        t = tick(state)
        g = decayed_grad(p, grad, group)
        eta, mu, ax = state["eta"]._data, state["mu"]._data, state["ax"]._data
        e = eta.item()
        p._data *= 1 - lambd * e
        p._data -= e * g
        if mu.item() != 1:
            ax += (p._data - ax) * mu.item()
        else:
            ax[...] = p._data
        dt = get_default_dtype()                   # PyTorch rounds both through a default-dtype tensor
        eta[()] = dt.type(lr / ((1 + lambd * lr * t) ** group["alpha"]))
        mu[()] = dt.type(1 / max(1, t - group["t0"]))

"""Adagrad (Duchi et al., 2011): per-coordinate steps shrink with the sum of squared gradients."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, buffer, check_positive, new_step, tick


class Adagrad(Optimizer):
    """s += g²;  p -= lr/(1 + (t−1)·lr_decay) · g / (√s + ε)"""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *, maximize: bool = False) -> None:
        check_positive("Adagrad", lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps,
                       initial_accumulator_value=initial_accumulator_value)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize))
        for group in self.param_groups:            # PyTorch creates the state eagerly
            for p in group["params"]:
                self.state[p] = {"step": new_step(),
                                 "sum": buffer(np.full_like(p._data, group["initial_accumulator_value"]))}

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        if not state:
            state.update(step=new_step(), sum=buffer(np.full_like(p._data, group["initial_accumulator_value"])))
        t = tick(state)
        tmp, g = self._tmp(p), grad
        if group["maximize"]:
            g = np.negative(grad, out=self._tmp(p, 1))
        if group["weight_decay"] != 0:
            g = np.add(g, np.multiply(p._data, group["weight_decay"], out=tmp), out=self._tmp(p, 1))
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        s = state["sum"]._data
        np.multiply(g, g, out=tmp)
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += group["eps"]
        np.divide(g, tmp, out=tmp)
        tmp *= clr
        p._data -= tmp

"""Adafactor (Shazeer & Stern, 2018) as torch.optim.Adafactor: the second moment of a matrix kept as a row and a
column factor (memory O(n + m), not O(nm)), a relative step size and update clipping."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor

from .optimizer import Optimizer, buffer, new_step, tick


def _lerp(a: np.ndarray, b: np.ndarray, w: float) -> None:
    """a.lerp_(b, w) in place with PyTorch's two formulas (exact at w = 1: a becomes b)."""
    if w < 0.5:
        a += w * (b - a)
    else:
        a[...] = b - (b - a) * (1 - w)


class Adafactor(Optimizer):
    """β̂ = 1 − t^τ;  ρ = min(lr, 1/√t);  α = max(ε₂, RMS(p))·ρ;  V ≈ R·C / mean(R) (matrices) or the mean of g²;
    U = g/√max(V, ε₁²);  p -= α·U / max(1, RMS(U)/d)"""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Adafactor: Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Adafactor: learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"Adafactor: beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"Adafactor: epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"Adafactor: epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Adafactor: clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Adafactor: weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, wd, d = float(group["lr"]), group["weight_decay"], group["d"]
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(p._data.dtype).eps)
        g = -grad if group["maximize"] else grad
        if not state:
            state["step"] = new_step()
            if g.ndim > 1:                         # factored: one value per row and one per column
                state["row_var"] = buffer(np.zeros(g.shape[:-1] + (1,), g.dtype))
                state["col_var"] = buffer(np.zeros(g.shape[:-2] + (1, g.shape[-1]), g.dtype))
            else:
                state["variance"] = buffer(np.zeros_like(p._data))
        t = tick(state)
        one_minus_beta2 = t ** group["beta2_decay"]
        rho = min(lr, 1 / t**0.5)
        alpha = max(eps2, np.linalg.norm(p._data.ravel()) / p._data.size**0.5) * rho
        if wd != 0:
            p._data *= 1 - lr * wd
        if g.ndim > 1:
            row, col = state["row_var"]._data, state["col_var"]._data
            # mean of g² along a row (column), as PyTorch's squared norm / length
            _lerp(row, np.linalg.norm(g, axis=-1, keepdims=True) ** 2 / g.shape[-1], one_minus_beta2)
            _lerp(col, np.linalg.norm(g, axis=-2, keepdims=True) ** 2 / g.shape[-2], one_minus_beta2)
            var = row @ col / np.maximum(row.mean(-2, keepdims=True), eps1)
        else:
            v = state["variance"]._data
            _lerp(v, g * g, one_minus_beta2)
            var = v.copy()
        update = 1 / np.sqrt(np.maximum(var, eps1 * eps1)) * g
        denom = max(1.0, np.linalg.norm(update.ravel()) / (update.size**0.5 * d))
        p._data -= (alpha / denom) * update

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """The base loader for step and variance; the factors (shaped unlike p) are copied here."""
        factors = {k: {n: v for n, v in s.items() if n in ("row_var", "col_var")}
                   for k, s in state_dict["state"].items()}
        rest = {k: {n: v for n, v in s.items() if n not in ("row_var", "col_var")}
                for k, s in state_dict["state"].items()}
        super().load_state_dict({**state_dict, "state": rest})
        params = [p for g in self.param_groups for p in g["params"]]
        for k, fs in factors.items():
            p = params[int(k)]
            for n, v in fs.items():
                a = v._data if isinstance(v, Tensor) else v.detach().numpy() if hasattr(v, "detach") else v
                self.state[p][n] = buffer(np.array(a, dtype=p._data.dtype))

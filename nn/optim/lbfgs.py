"""L-BFGS (Nocedal, 1980; minFunc's variant, as torch.optim.LBFGS): a quasi-Newton direction from the last
`history_size` steps and gradient changes, with a fixed step `lr` or a strong-Wolfe line search. All parameters
work as one flat vector, so there is one parameter group; the state lives on the first parameter, as PyTorch's."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Tensor, enable_grad, no_grad
from autograd.version import counter

from .line_search import strong_wolfe
from .optimizer import Optimizer


class LBFGS(Optimizer):
    """d = −H·g (two-loop recursion over the history of s = t·d, y = Δg);  p += t·d;  repeat up to max_iter"""

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("LBFGS: Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"LBFGS: invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # -- the parameters as one flat vector ---------------------------------------------------------------------
    def _flat_grad(self) -> np.ndarray:
        return np.concatenate([np.zeros(p._data.size, p._data.dtype) if p._grad is None
                               else p._grad._data.reshape(-1) for p in self._params])

    def _add(self, t: Any, d: np.ndarray) -> None:
        """p += t·d, slice by slice of the flat vector d."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += (t * d[offset:offset + n]).reshape(p._data.shape).astype(p._data.dtype, copy=False)
            counter(p)[0] += 1                 # p changed in place: ops that saved it will say so
            offset += n

    def _set(self, xs: list[np.ndarray]) -> None:
        for p, x in zip(self._params, xs):
            p._data[...] = x
            counter(p)[0] += 1

    def _evaluate(self, closure: Callable[[], Any], x: list[np.ndarray], t: Any, d: np.ndarray
                  ) -> tuple[float, np.ndarray]:
        """The loss and flat gradient at x + t·d; the parameters go back to x."""
        self._add(t, d)
        with enable_grad():
            loss = float(closure())
        g = self._flat_grad()
        self._set(x)
        return loss, g

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Up to max_iter L-BFGS iterations; `closure` (required) zeroes the gradients, computes the loss, calls
        backward() and returns the loss. Returns the loss of the first evaluation, as PyTorch."""
        if closure is None:
            raise TypeError("LBFGS.step: requires a closure that re-evaluates the model and returns the loss")
        with no_grad():
            return self._step(closure)

    def _step(self, closure: Callable[[], Any]) -> Any:
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tol_grad:        # already optimal
            return orig_loss

        arr = _arrays(state)
        d, t, H_diag = arr.get("d"), state.get("t"), arr.get("H_diag")
        old_dirs, old_stps, ro = arr.get("old_dirs"), arr.get("old_stps"), arr.get("ro")
        prev_flat_grad, prev_loss = arr.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:                   # steepest descent to start
                d = -flat_grad
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:                                      # remember (y, s) only where the curvature is positive
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                al = [None] * len(old_dirs)            # the two-loop recursion: d = −H·g
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q = q - al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(len(old_dirs)):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]
                state["al"] = al + [None] * (history_size - len(al))
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            # the first step is scaled down by |g|₁: the curvature is still unknown
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tol_change:                      # not a descent direction
                break
            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError(f"LBFGS: only 'strong_wolfe' is supported as line_search_fn, got "
                                       f"{line_search_fn!r}")
                x_init = [p._data.copy() for p in self._params]
                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    lambda x, t_, d_: self._evaluate(closure, x, t_, d_), x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add(t, d)
                opt_cond = np.abs(flat_grad).max() <= tol_grad
            else:
                self._add(t, d)
                if n_iter != max_iter:                 # the last iteration's loss is the next step's first
                    with enable_grad():
                        loss = float(closure())
                    flat_grad = self._flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tol_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break                                  # no progress in the parameters or the loss

        state.update(d=_t(d), t=t, old_dirs=[_t(v) for v in old_dirs], old_stps=[_t(v) for v in old_stps],
                     ro=[_t(v) for v in ro], H_diag=_t(H_diag), prev_flat_grad=_t(prev_flat_grad),
                     prev_loss=prev_loss)
        state["al"] = [None if a is None else _t(a) for a in state.get("al", [])]
        return orig_loss

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        saved = state_dict["param_groups"]
        if len(saved) != 1 or len(saved[0]["params"]) != len(self._params):
            raise ValueError(f"LBFGS.load_state_dict: loaded state dict has {len(saved)} parameter groups of sizes "
                             f"{[len(g['params']) for g in saved]}, this optimizer has 1 of size "
                             f"{len(self._params)}")
        self.state = {}
        for key, s in state_dict["state"].items():
            self.state[self._params[int(key)]] = {k: _convert(v) for k, v in s.items()}
        self.param_groups[0].update({k: v for k, v in saved[0].items() if k != "params"})


def _t(v: Any) -> Any:
    """A state entry that PyTorch keeps as a tensor: a 0-d or flat Tensor (a Python number H_diag stays one)."""
    return Tensor._wrap(np.asarray(v)) if isinstance(v, (np.ndarray, np.generic)) else v


def _arrays(state: dict[str, Any]) -> dict[str, Any]:
    """The state's Tensors as the arrays the iteration works on (lists of them too)."""
    def arr(v: Any) -> Any:
        if isinstance(v, list):
            return [arr(x) for x in v]
        if isinstance(v, Tensor):
            return v._data.copy() if v._data.ndim else v._data[()]
        return v
    return {k: arr(v) for k, v in state.items()}


def _convert(v: Any) -> Any:
    """A loaded state entry (ours or torch's tensors, lists of them) as our own copy."""
    if isinstance(v, list):
        return [_convert(x) for x in v]
    if isinstance(v, Tensor) or hasattr(v, "numpy"):
        a = v._data if isinstance(v, Tensor) else v.detach().numpy()
        return Tensor._wrap(np.array(a))
    return copy.deepcopy(v)

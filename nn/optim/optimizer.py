"""Optimizer: parameter groups, per-parameter state, zero_grad/step, state_dict. Subclasses write one update
rule in `_update`, operating in place on numpy arrays with persistent buffers (no fresh temporaries per step)."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Tensor, enable_grad, no_grad, parallel
from autograd.version import counter

from .. import guards as _guards
from ..module import _to_numpy, _zero_grad


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Holds `param_groups` (dicts: 'params' plus hyperparameters) and `state` (param -> dict of buffers)."""

    _scalar_state: tuple[str, ...] = ("step",)    # state entries that are 0-d tensors, not buffers shaped like p

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._scratch: dict[int, list[np.ndarray | None]] = {}
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Tensors or dicts, got a Tensor "
                            f"(pass model.parameters() or [tensor])")
        if callable(params) and getattr(params, "__name__", "") in ("parameters", "named_parameters"):
            raise TypeError(f"{type(self).__name__}: params is the method {params.__name__} itself, not the "
                            f"parameters: call it, {type(self).__name__}(model.{params.__name__}(), ...)")
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Tensors or dicts (such as "
                            f"model.parameters()), got {type(params).__name__}") from None
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list (did the model register its "
                             f"layers as attributes in __init__?)")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (the rest come from the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"add_param_group: expected a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{type(self).__name__}: can't optimize a non-leaf Tensor (shape "
                                 f"{tuple(p.shape)}, made "
                                 f"by {p.grad_fn.name}); optimize the leaves it was computed from")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"{type(self).__name__}: parameter group didn't specify a value of required "
                                 f"optimization parameter {name!r}")
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & {id(p) for p in group["params"]} or len({id(p) for p in group["params"]}) < len(
                group["params"]):
            raise ValueError(f"{type(self).__name__}: some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                _zero_grad(p, set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient. `closure` re-evaluates the loss (LBFGS-style)."""
        _guards.before_step(self)                  # gradients summed over several backward()s: zero_grad reminder
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            work = []
            for group in self.param_groups:
                for p in group["params"]:
                    grad = p._grad                 # a leaf's: no property call, once per parameter
                    if grad is None:
                        continue
                    g = grad._data
                    if g.dtype != p._data.dtype or g.strides != p._data.strides:   # one copy in p's dtype and order:
                        g = self._tmp(p, 2)        # then every pass runs in one order: mixed orders read
                        np.copyto(g, grad._data)    # memory across each other, much slower (see benchmarks W4)
                    state = self.state.get(p)
                    if state is None:
                        state = self.state[p] = {}
                    work.append((p, g, state, group))
            # parameters are independent: split them over the threads (small totals run inline)
            parallel.for_weighted(lambda lo, hi: self._updates(work, lo, hi), [w[1].size for w in work])
        return loss

    def _updates(self, work: list, lo: int, hi: int) -> None:
        for p, g, state, group in work[lo:hi]:
            self._update(p, g, state, group)
            counter(p)[0] += 1                     # p changed in place: ops that saved it will say so

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    def _tmp(self, p: Tensor, k: int = 0) -> np.ndarray:
        """Scratch array k shaped like p, allocated once and reused every step (not part of the state)."""
        d, bufs = p._data, self._scratch.get(id(p))
        if bufs is None:
            bufs = self._scratch[id(p)] = []
        if len(bufs) <= k:
            bufs += [None] * (k + 1 - len(bufs))   # only slot k gets an array: plain SGD (axpy) uses none
        b = bufs[k]
        if b is None or b.strides != d.strides or b.shape != d.shape or b.dtype != d.dtype:
            b = bufs[k] = np.empty_like(d)         # in p's memory order, so the update runs in one order
        return b

    # -- checkpoints -------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout: {'state': {index: {name: tensor}}, 'param_groups': [{..., 'params': [index]}]}
        with parameters numbered in order across groups. As in PyTorch the buffers are tensors sharing storage
        with the optimizer's (later steps change them: snapshot with `copy.deepcopy`); `step` is a float32
        tensor."""
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            ids = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in g.items() if k != "params"}, "params": ids})
        state = {}
        for g in self.param_groups:
            for p in g["params"]:
                if p in self.state and self.state[p]:
                    state[index[id(p)]] = {k: _state_value(k, v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        groups, saved = self.param_groups, state_dict["param_groups"]
        if len(groups) != len(saved):
            raise ValueError(f"{type(self).__name__}.load_state_dict: loaded state dict has {len(saved)} parameter "
                             f"groups, this optimizer has {len(groups)}")
        sizes = [len(g["params"]) for g in groups]
        saved_sizes = [len(g["params"]) for g in saved]
        if sizes != saved_sizes:
            raise ValueError(f"{type(self).__name__}.load_state_dict: loaded state dict contains a parameter group "
                             f"that doesn't match the size of optimizer's group (saved sizes {saved_sizes}, "
                             f"this optimizer {sizes})")
        params = {i: p for sg, g in zip(saved, groups) for i, p in zip(sg["params"], g["params"])}
        self.state = {}
        for key, s in state_dict["state"].items():
            p = params.get(int(key))
            if p is None:
                continue
            entry = {}
            for k, v in s.items():
                v = _to_numpy(v) if isinstance(v, Tensor) or hasattr(v, "numpy") else v   # ours or torch's
                if isinstance(v, np.ndarray) and k not in self._scalar_state:   # a buffer (a 0-d parameter's too)
                    if v.shape != p.shape:
                        raise ValueError(f"{type(self).__name__}.load_state_dict: state {k!r} of parameter {key} has "
                                         f"shape {tuple(v.shape)}, but the parameter has shape {tuple(p.shape)}")
                    v, loaded = np.empty_like(p._data), v   # a copy in p's dtype and memory order (so the
                    v[...] = loaded                        # update runs over one order: axpy, not two passes)
                    v = buffer(v)
                elif k == "step":                  # a float32 Tensor, as PyTorch's (from ints and floats too)
                    v = Tensor._wrap(np.array(v, dtype=np.float32))
                elif k in self._scalar_state:      # NAdam's mu_product...: 0-d, cast to p's dtype as PyTorch
                    v = Tensor._wrap(np.array(v, dtype=p._data.dtype if p._data.dtype.kind == "f" else None))
                entry[k] = v
            self.state[p] = entry
        for g, sg in zip(groups, saved):
            for k, v in sg.items():
                if k != "params":
                    g[k] = tuple(v) if isinstance(v, list) and isinstance(self.defaults.get(k), tuple) else v

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def buffer(a: np.ndarray) -> Tensor:
    """A state entry as PyTorch shows it (`state[p]['exp_avg']`): a Tensor; the rules update its array in place."""
    return Tensor._wrap(a)


def new_step() -> Tensor:
    """`state[p]['step']` as PyTorch keeps it: a float32 0-d Tensor (exact up to 2**24 steps)."""
    return Tensor._wrap(np.zeros((), dtype=np.float32))


def tick(state: dict[str, Any]) -> float:
    """state['step'] += 1, in place on its array (no Tensor op: once per parameter per step); the new count."""
    s = state["step"]._data
    t = s.item() + 1
    s[()] = t
    return t


def _state_value(name: str, v: Any) -> Any:
    """One entry of state_dict()'s state: the optimizer's own Tensor (as PyTorch's, it shares storage)."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, np.ndarray):
        return Tensor._wrap(v)
    if name == "step" and isinstance(v, (int, float)):
        return Tensor._wrap(np.array(v, dtype=np.float32))
    return copy.deepcopy(v)


def check_positive(what: str, **values: float) -> None:
    """The argument checks PyTorch's optimizers make, with its wording."""
    for name, v in values.items():
        if not 0.0 <= v:
            raise ValueError(f"{what}: invalid {name} value: {v} (expected >= 0)")

"""Module's state_dict and load_state_dict (a mixin of Module): PyTorch's keys, in-place or assigned loading,
every problem reported together."""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Any

import numpy as np

from autograd import Tensor

from .parameter import Parameter


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """load_state_dict's result, as PyTorch's _IncompatibleKeys: it prints a message when all keys match."""
    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"
    __str__ = __repr__


class StateDictMixin:
    """Module's checkpoint side: the parameters and persistent buffers by name, out and back in."""

    def state_dict(self, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict[str, Any]:
        """name -> tensor for every parameter and persistent buffer, with PyTorch's keys. As in PyTorch the
        values are detached tensors sharing storage with the model (training changes them: keep a snapshot
        with `copy.deepcopy(model.state_dict())`); `keep_vars=True` gives the Parameters themselves."""
        out = OrderedDict() if destination is None else destination
        for mod_name, m in self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):
            base = f"{mod_name}." if mod_name else ""
            for name, p in m._parameters.items():
                if p is not None:
                    out[base + name] = p if keep_vars or _lazy(p) else p.detach()
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent:
                    out[base + name] = b if keep_vars or _lazy(b) else b.detach()
        return out

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True,
                        assign: bool = False) -> IncompatibleKeys:
        """Copy tensors (or arrays, or torch tensors) into this module's parameters and buffers, in place;
        with `assign=True` the module takes the given storage instead (parameters keep their requires_grad).
        Every problem (missing keys, unexpected keys, shape mismatches) is reported together in one error."""
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        values, mismatched = {}, []
        for k, t in own.items():
            if k in state_dict:
                v = _to_numpy(state_dict[k])
                if _lazy(t) and not _lazy(state_dict[k]):    # a lazy module takes the loaded shape, as PyTorch
                    t.materialize(v.shape)
                if v.shape != t.shape:
                    mismatched.append(f"{k}: copying a value of shape {tuple(v.shape)}, this model has "
                                      f"shape {tuple(t.shape)}")
                else:
                    values[k] = state_dict[k] if assign and isinstance(state_dict[k], Tensor) else v
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(repr(k) for k in missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(repr(k) for k in unexpected))
        problems += ["size mismatch for " + m for m in mismatched]
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n    "
                               + "\n    ".join(problems))
        for k, v in values.items():
            if assign:
                self._assign(k, own[k], v)
            else:
                own[k]._data[...] = v
                own[k]._version += 1
        return IncompatibleKeys(missing, unexpected)

    def _assign(self, key: str, old: Tensor, value: Any) -> None:
        """load_state_dict(assign=True) for one key: the module holds `value` (a Parameter made on it)."""
        mod, _, name = key.rpartition(".")
        m = self.get_submodule(mod)
        if name in m._parameters:
            if not isinstance(value, Parameter):
                value = Parameter(value, requires_grad=old.requires_grad)
            value.requires_grad = old.requires_grad
            m._parameters[name] = value
        else:
            m._buffers[name] = value if isinstance(value, Tensor) else Tensor(value)


def _lazy(t: Any) -> bool:
    """An UninitializedParameter or UninitializedBuffer (nn/lazy.py) or PyTorch's: a shape still to come."""
    return hasattr(type(t), "cls_to_become")


def _to_numpy(v: Any) -> np.ndarray:
    if isinstance(v, Tensor):
        return v._data
    if hasattr(v, "detach") and hasattr(v, "numpy"):       # a torch tensor, without importing torch
        return v.detach().cpu().numpy()
    return np.asarray(v)

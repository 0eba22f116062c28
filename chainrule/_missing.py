"""The re-export helper and the teaching AttributeError of every chainrule namespace.

`chainrule.X` for a PyTorch name chainrule lacks says so and names the nearest equivalent; a name PyTorch does not
have either gets a plain AttributeError with close matches. _torch_names.py is PyTorch 2.13's public names:

    {p: sorted(n for n in dir(importlib.import_module(p)) if not n.startswith("_")) for p in NAMESPACES}
"""
from __future__ import annotations

import difflib
import types
from collections.abc import Callable
from typing import Any

from ._torch_names import TORCH_NAMES

# PyTorch name -> what to write instead here (the first word names a chainrule object; tests check it exists)
NEAR: dict[str, str] = {
    "torch.square_": "chainrule.square",
    "torch.FloatTensor": "chainrule.tensor (tensor(data, dtype=chainrule.float32))",
    "torch.DoubleTensor": "chainrule.tensor (tensor(data, dtype=chainrule.float64))",
    "torch.LongTensor": "chainrule.tensor (tensor(data, dtype=chainrule.int64))",
    "torch.IntTensor": "chainrule.tensor (tensor(data, dtype=chainrule.int32))",
    "torch.BoolTensor": "chainrule.tensor (tensor(data, dtype=chainrule.bool))",
    "torch.ByteTensor": "chainrule.tensor (tensor(data, dtype=chainrule.uint8))",
    "torch.asarray": "chainrule.as_tensor",
    "torch.sigmoid_": "chainrule.sigmoid",
    "torch.relu_": "chainrule.relu",
    "torch.optim.SparseAdam": "chainrule.optim.Adam",
    "torch.autograd.Variable": "chainrule.tensor (tensor(data, requires_grad=True); Variable is a Tensor)",
    "torch.autograd.forward_ad": "chainrule.autograd.functional.jacobian (reverse mode only)",
    "torch.cuda.amp": "chainrule.float32 (no mixed precision: drop autocast and GradScaler)",
}


def public(module: types.ModuleType) -> dict[str, Any]:
    """The names `module` offers its users: its __all__, else its public names that are not modules or
    typing/stdlib helpers it happens to import (np, Any, annotations)."""
    if hasattr(module, "__all__"):
        names = [n for n in module.__all__ if not isinstance(getattr(module, n), types.ModuleType)]
    else:
        names = [n for n in vars(module) if not n.startswith("_")]
    out = {}
    for n in names:
        v = getattr(module, n)
        home = getattr(v, "__module__", None)
        if isinstance(v, types.ModuleType) or (isinstance(home, str)
                                               and home.partition(".")[0] not in ("autograd", "nn", "numpy")):
            continue
        out[n] = v
    return out


def missing(torch_path: str, namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module `__getattr__` for the chainrule namespace shaped like `torch_path` (whose globals are `namespace`)."""
    ours = "chainrule" + torch_path[len("torch"):]

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):                 # __path__, __wrapped__...: tools probing, not users
            raise AttributeError(f"module {ours!r} has no attribute {name!r}")
        close = difflib.get_close_matches(name, [n for n in namespace if not n.startswith("_")], n=3, cutoff=0.7)
        similar = ", ".join(f"{ours}.{c}" for c in close)
        key = f"{torch_path}.{name}"
        if name in TORCH_NAMES.get(torch_path, ()):
            msg = f"chainrule has no {key} (yet)"
            if key in NEAR:
                msg += f"; the nearest equivalent here: {NEAR[key]}"
            elif similar:
                msg += f"; similar names here: {similar}"
            raise AttributeError(msg + ". docs/porting.md lists what differs from PyTorch.")
        hint = f" Did you mean: {similar}?" if similar else ""
        raise AttributeError(f"module {ours!r} has no attribute {name!r}.{hint}")

    return __getattr__

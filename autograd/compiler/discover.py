"""Which models and optimizers a step uses: found in its arguments, its closure, the globals its code names (and
those of the functions it calls, two levels deep). They give the program its names and its guards."""
from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from ..tensor import Tensor
from . import hooks


def discover(fn: Callable, args: tuple, kwargs: dict) -> dict:
    """{'names': id -> readable name, 'modules': [(module, training)], 'tensors': [parameters, buffers and the
    tensors the step names (a closure's data)]}."""
    found: dict[int, tuple[str, Any]] = {}
    seen: set[int] = set()
    for i, a in enumerate(args):
        _visit(f"arg{i}", a, found, seen, 0)
    for k, v in kwargs.items():
        _visit(k, v, found, seen, 0)
    _visit(getattr(fn, "__name__", "fn"), fn, found, seen, 0)
    names: dict[int, str] = {}
    modules, tensors, dicts = [], [], []
    infos = [_describe(obj, label) for label, obj in found.values()]
    for info in sorted(infos, key=lambda i: "modules" not in i):   # a parameter's name from its module first
        modules += [(m, m.training) for m in info.get("modules", ())]
        dicts += [(d, tuple(map(id, d.values()))) for d in info.get("dicts", ())]
        for name, t in info.get("tensors", ()):
            name = _ident(name)
            if id(t) not in names:
                names[id(t)], names[id(t._data)] = name, name
                tensors.append(t)
        for name, obj in info.get("objects", ()):
            names.setdefault(id(obj), _ident(name))
        for name, a in info.get("arrays", ()):
            names.setdefault(id(a), _ident(name))
    return {"names": names, "modules": modules, "tensors": tensors, "dicts": dicts}


def _describe(obj: Any, label: str) -> dict:
    if isinstance(obj, Tensor):
        return {"tensors": [(label, obj)]}
    for cls in type(obj).__mro__:
        if cls in hooks.DESCRIBE:
            return hooks.DESCRIBE[cls](obj)
    return {}


def _visit(label: str, obj: Any, found: dict, seen: set, depth: int) -> None:
    if id(obj) in seen or depth > 3:
        return
    seen.add(id(obj))
    if isinstance(obj, Tensor):
        if depth:                          # a tensor the step's code names; its arguments are inputs instead
            found[id(obj)] = (label, obj)
        return
    if any(cls in hooks.DESCRIBE for cls in type(obj).__mro__):
        found[id(obj)] = (label, obj)
        return
    if isinstance(obj, (list, tuple)) and depth < 2:
        for i, v in enumerate(obj[:100_000]):
            _visit(f"{label}{i}", v, found, seen, depth + 1)
    elif isinstance(obj, dict) and depth < 2:
        for k, v in list(obj.items())[:100_000]:
            _visit(str(k), v, found, seen, depth + 1)
    elif isinstance(obj, types.MethodType):
        _visit(label, obj.__self__, found, seen, depth)
        _visit(label, obj.__func__, found, seen, depth + 1)
    elif isinstance(obj, types.FunctionType):
        code, glob = obj.__code__, obj.__globals__
        for name, cell in zip(code.co_freevars, obj.__closure__ or ()):
            try:
                _visit(name, cell.cell_contents, found, seen, depth + 1)
            except ValueError:             # an empty cell
                pass
        for name in _names(code):
            if name in glob:
                _visit(name, glob[name], found, seen, depth + 1)


def _names(code: types.CodeType) -> list[str]:
    names = list(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names += _names(c)
    return names


def _ident(name: str) -> str:
    name = name.replace(".", "_")
    return "layer" + name if name[:1].isdigit() else name

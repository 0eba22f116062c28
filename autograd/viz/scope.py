"""Which nn.Module call recorded an op, so `draw(collapse_modules=True)` can box each call.

`nn.Module.__call__` holds one line:

    _scope = _viz_scope.enter(self) if _viz_scope.recording else None

While no `viz.watch()` is active, `recording` is 0 and that line costs one attribute read. While watching,
`enter` pushes the call on a stack and returns a token; the token is a local of `__call__`, so it dies when the
call returns (CPython frees locals on return) and pops the call off the stack. Recorded ops are tagged with the
call on top of the stack. No try/finally, no change to the module's own code path.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

recording = 0                       # number of active viz.watch() recorders; nn.Module.__call__ reads it
_stack: list[ModuleCall] = []
_serial = itertools.count(1)
_observers: list[Any] = []          # active recorders, told about each module entered (they name parameters)


@dataclass(eq=False)
class ModuleCall:
    """One call of one module: its label ('fc1: Linear') and the call it happened inside."""

    key: int
    label: str
    parent: ModuleCall | None
    module: Any = None              # only while the call is running: used to name its children

    def path(self) -> list[ModuleCall]:
        """Outermost call first."""
        out, s = [], self
        while s is not None:
            out.append(s)
            s = s.parent
        return out[::-1]


class _Token:
    __slots__ = ("call",)

    def __init__(self, call: ModuleCall) -> None:
        self.call = call

    def __del__(self) -> None:                      # the module call returned: leave its scope
        leave(self.call)


def enter(module: Any) -> _Token:
    """Enter a module call (a Module, or a label string): ops recorded until the returned token dies are
    tagged with it."""
    parent = _stack[-1] if _stack else None
    label = module if isinstance(module, str) else type(module).__name__
    if parent is not None:
        for name, child in getattr(parent.module, "_modules", {}).items():
            if child is module:
                label = f"{name}: {label}"
                break
    elif not isinstance(module, str):
        for observe in _observers:                 # the outermost module names the parameters
            observe(module)
    call = ModuleCall(next(_serial), label, parent, module)
    _stack.append(call)
    return _Token(call)


def leave(call: ModuleCall) -> None:
    call.module = None                              # a recorded call must not keep the module alive
    if call in _stack:
        _stack.remove(call)


def current() -> ModuleCall | None:
    return _stack[-1] if _stack else None


class module_scope:  # noqa: N801  (used like a function: `with viz.module_scope('attention'):`)
    """Tag the ops recorded inside with a named scope, for code that is not an nn.Module.
    A no-op unless a viz.watch() is recording."""

    def __init__(self, label: str) -> None:
        self.label, self.token = label, None

    def __enter__(self) -> module_scope:
        if recording:
            self.token = enter(self.label)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.token is not None:
            leave(self.token.call)
            self.token = None


def reset() -> None:
    """Forget every open call (a watch starts or ends; calls left open by an exception are dropped)."""
    for call in _stack:
        call.module = None
    _stack.clear()

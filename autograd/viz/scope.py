"""Which nn.Module call recorded an op, so `draw(collapse_modules=True)` can box each call.

Recorded ops are tagged with the module call on top of a stack. nn pushes and pops it through two global module
hooks (nn/scopes.py: `enter_call`, `leave_call`), registered only while a `viz.watch()` is on: `on_watch` tells it
when the first watch starts and the last ends. Outside a watch nothing is registered, so a module call costs
nothing more. viz never imports nn; code that is not a module uses `module_scope`.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

recording = 0                       # number of active viz.watch() recorders
on_watch: list[Callable[[bool], None]] = []   # told True when the first watch starts, False when the last ends
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


def start() -> None:
    """A watch starts: the first one opens a fresh stack and switches the module hooks on."""
    global recording
    if not recording:
        reset()
        for tell in on_watch:
            tell(True)
    recording += 1


def stop() -> None:
    global recording
    recording -= 1
    if not recording:
        reset()
        for tell in on_watch:
            tell(False)


def enter(module: Any) -> _Token:
    """Enter a module call (a Module, or a label string): ops recorded until the returned token dies are
    tagged with it."""
    return _Token(_push(module))


def enter_call(module: Any, args: Any) -> None:
    """A global forward pre-hook: `module` is being called."""
    _push(module)


def leave_call(module: Any, args: Any, out: Any) -> None:
    """A global forward hook: `module`'s call returned (calls still open above it raised: they go too)."""
    for i in range(len(_stack) - 1, -1, -1):
        if _stack[i].module is module:
            for call in _stack[i:]:
                call.module = None
            del _stack[i:]
            return


def _push(module: Any) -> ModuleCall:
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
    return call


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

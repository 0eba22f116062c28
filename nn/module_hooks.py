"""The global module hooks (PyTorch's register_module_forward_hook and _pre_hook): they run around every
Module's forward; viz.watch() boxes module calls with them. _Handle is what every register_*_hook returns."""
from __future__ import annotations

from collections.abc import Callable

_global_forward_pre_hooks: dict[int, Callable] = {}   # run for every module's call, before its own hooks
_global_forward_hooks: dict[int, Callable] = {}
_always_called: set[int] = set()                     # ids of global forward hooks that also run when forward raises


def register_module_forward_pre_hook(hook: Callable) -> _Handle:
    """hook(module, args) before every Module's forward (PyTorch's torch.nn.modules.module function of that name):
    it may return new args. viz.watch() uses it to box each module call in the graph picture."""
    return _Handle(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook: Callable, *, always_call: bool = False) -> _Handle:
    """hook(module, args, output) after every Module's forward; it may return a new output. With always_call=True
    it also runs (output None) when forward raises."""
    handle = _Handle(_global_forward_hooks, hook)
    if always_call:
        _always_called.add(handle.id)
        handle.also = _always_called
    return handle


class _Handle:
    """What register_*_hook returns: call .remove() to unregister."""
    _next = 0

    def __init__(self, table: dict, hook: Callable) -> None:
        _Handle._next += 1
        self.table, self.id, self.also = table, _Handle._next, set()
        table[self.id] = hook

    def remove(self) -> None:
        self.table.pop(self.id, None)
        self.also.discard(self.id)

"""viz.watch() boxes each module call in the graph picture: while a watch is on, two global module hooks tell
autograd.viz which call the recorded ops belong to. Module itself knows nothing of viz."""
from __future__ import annotations

from typing import Any

from autograd.viz import scope

from .module import register_module_forward_hook, register_module_forward_pre_hook

_handles: list[Any] = []


def _switch(on: bool) -> None:
    """scope.on_watch: hooks on when the first watch starts, off when the last ends."""
    if on and not _handles:
        _handles.extend([register_module_forward_pre_hook(scope.enter_call),
                         register_module_forward_hook(scope.leave_call, always_call=True)])
    elif not on:
        for handle in _handles:
            handle.remove()
        _handles.clear()


scope.on_watch.append(_switch)
_switch(bool(scope.recording))   # imported while a watch is already on

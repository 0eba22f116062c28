"""Whether ops record a graph: a per-thread flag that `Op.apply` reads on every call.

Per thread, as in PyTorch: `optimizer.step()` (under no_grad) or an evaluation in one thread never stops another
thread's recording, and each new thread starts with recording on."""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any


class _State(threading.local):
    """`_state.enabled`: an attribute read on a thread-local instance, ~25 ns more than a plain object's."""

    def __init__(self) -> None:                    # runs once in each thread that reads it: recording on
        self.enabled = True
        self.inference = False                     # inside inference_mode(): is_inference_mode_enabled()


_state = _State()


def is_grad_enabled() -> bool:
    """True when ops record the graph that backward() needs."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """True inside `inference_mode()` (not inside a plain no_grad), as PyTorch's."""
    return _state.inference


class _GradMode:
    """Base of the context managers; also usable as a decorator (`@no_grad()` or `@no_grad`)."""

    mode = True

    def __init__(self, func: Callable | None = None) -> None:
        self._prev: list[bool] = []
        self._func = func
        if func is not None:
            functools.update_wrapper(self, func)

    def __enter__(self) -> None:
        self._prev.append(_state.enabled)
        _state.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev.pop()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._func is None:                     # @no_grad() — wrap the function we are given
            func = args[0]

            @functools.wraps(func)
            def wrapper(*a: Any, **k: Any) -> Any:
                with type(self)():
                    return func(*a, **k)
            return wrapper
        with type(self)():                         # @no_grad — we are the wrapper
            return self._func(*args, **kwargs)


class no_grad(_GradMode):
    """Run without recording: for evaluation and for updating parameters (`w -= lr * w.grad`)."""

    mode = False


class enable_grad(_GradMode):
    """Record again inside a `no_grad` block."""

    mode = True


class set_grad_enabled:
    """Set recording on or off. Takes effect at once (like PyTorch), so it works as a call or a `with` block."""

    def __init__(self, mode: bool) -> None:
        self._prev, self._mode = _state.enabled, bool(mode)
        _state.enabled = self._mode

    def __call__(self, func: Callable) -> Callable:
        """As a decorator (`@set_grad_enabled(False)`): undo the immediate switch, apply the mode per call."""
        _state.enabled = self._prev
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev


class inference_mode(_GradMode):
    """PyTorch's inference_mode: here the same as no_grad (nothing is recorded); inference_mode(False) records, as
    PyTorch's does. A `with` block or a decorator (`@inference_mode()` or `@inference_mode`)."""

    def __init__(self, mode: bool | Callable = True) -> None:
        super().__init__(mode if callable(mode) else None)
        self.mode = not (callable(mode) or bool(mode))
        self._was: list[bool] = []

    def __enter__(self) -> None:
        super().__enter__()
        self._was.append(_state.inference)
        _state.inference = not self.mode

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        _state.inference = self._was.pop()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._func is None:                     # @inference_mode(mode) on a function
            return (enable_grad if self.mode else no_grad)(args[0])
        return super().__call__(*args, **kwargs)

"""detect_anomaly: when a backward pass makes a NaN or Inf, stop at the op that made it and show the line of your
forward code that called that op.

    with autograd.detect_anomaly():
        loss = model(x)          # every recorded op remembers where it was called (only inside this block)
        loss.backward()          # the first non-finite gradient raises AnomalyError naming the op and that line

It uses the two observer hooks (`op.on_record`, `engine.on_edge`), so outside the block it costs nothing.
Anomaly mode is per thread, as in PyTorch: the hooks stay installed while any thread has it on, and act only in
the threads that do.
"""
from __future__ import annotations

import linecache
import os
import sys
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from . import engine
from . import op as _op_module
from .usercode import LIBRARY

if TYPE_CHECKING:
    from .op import Op
    from .tensor import Tensor

_ENGINE = os.path.dirname(os.path.abspath(__file__)) + os.sep


class _Mode(threading.local):
    def __init__(self) -> None:                    # each new thread starts with anomaly mode off
        self.on = False


_mode = _Mode()
_lock = threading.Lock()
_threads_on = [0]                                  # threads with anomaly mode on: the hooks stay while > 0


class AnomalyError(RuntimeError):
    """A backward pass produced a NaN or Inf gradient (raised only under detect_anomaly)."""


def _remember_call_site(op: Op) -> None:
    """Keep (file, line, function) of the frames that led to this op, innermost first, outside the engine itself."""
    if not _mode.on:
        return
    frames, f, user_frames = [], sys._getframe(2), 0
    while f is not None and user_frames < 3:       # the op's caller and two callers above it in user code
        name = f.f_code.co_filename
        if not name.startswith(_ENGINE):
            frames.append((name, f.f_lineno, f.f_code.co_name))
            user_frames += not name.startswith(LIBRARY)
        f = f.f_back
    op.forward_stack = frames                      # plain tuples, never frames: those would keep locals alive
    user = next((fr for fr in frames if not fr[0].startswith(LIBRARY)), frames[0] if frames else None)
    if user is not None:
        op.callsite = f"{user[0]}:{user[1]}"       # errors.inplace_error shows it too


def _check_gradient(op: Op, index: int, g: Tensor) -> None:
    if not _mode.on:
        return
    a = g._data
    if a.dtype.kind not in "fc" or np.isfinite(a).all():
        return
    nan, inf = int(np.isnan(a).sum()), int(np.isinf(a).sum())
    raise AnomalyError(
        f"detect_anomaly: {op.name}.backward produced {nan} NaN and {inf} Inf values in the gradient for its input "
        f"{index} (shape {tuple(a.shape)}, {a.dtype}). The gradient arriving at {op.name} was finite, so "
        f"{op.name} made "
        f"them: look at its inputs{_inputs_summary(op)}.\n{forward_traceback(op)}")


def _inputs_summary(op: Op) -> str:
    try:
        parts = []
        for i, t in enumerate(op._inputs or ()):
            a = t._data
            if a.size and a.dtype.kind in "fc":
                parts.append(f"input {i} {tuple(a.shape)} in [{np.nanmin(a):.4g}, {np.nanmax(a):.4g}]"
                             + (", contains 0" if (a == 0).any() else ""))
        return " (" + "; ".join(parts) + ")" if parts else ""
    except (TypeError, ValueError):
        return ""


def forward_traceback(op: Op) -> str:
    """Where `op` was called in the forward pass, formatted like a Python traceback (most recent call last)."""
    frames = getattr(op, "forward_stack", None)
    if not frames:
        return (f"{op.name} was recorded outside detect_anomaly(), so its call site is unknown: run the forward pass "
                "inside the `with autograd.detect_anomaly():` block too.")
    lines = [f"{op.name} was called in the forward pass at (most recent call last):"]
    for filename, lineno, name in reversed(frames):
        lines.append(f'  File "{filename}", line {lineno}, in {name}')
        source = linecache.getline(filename, lineno).strip()
        if source:
            lines.append(f"    {source}")
    return "\n".join(lines)


def set_detect_anomaly(mode: bool) -> None:
    """Switch anomaly mode on or off in this thread (PyTorch's torch.autograd.set_detect_anomaly)."""
    mode = bool(mode)
    with _lock:
        if mode and not _mode.on:
            _threads_on[0] += 1
            if _threads_on[0] == 1:
                _op_module.on_record.append(_remember_call_site)
                engine.on_edge.append(_check_gradient)
        elif not mode and _mode.on:
            _threads_on[0] -= 1
            if _threads_on[0] == 0:
                _op_module.on_record.remove(_remember_call_site)
                engine.on_edge.remove(_check_gradient)
        _mode.on = mode


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on in this thread."""
    return _mode.on


class detect_anomaly:  # noqa: N801  (PyTorch's name)
    """Context manager: record each op's call site and raise AnomalyError at the first NaN/Inf gradient."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> detect_anomaly:
        self._prev = _mode.on
        if self.check_nan and not self._prev:
            set_detect_anomaly(True)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.check_nan and not self._prev:
            set_detect_anomaly(False)

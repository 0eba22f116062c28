"""The errors the engine itself raises, worded to teach: each names the op, the tensor, the shapes, and the fix.

A freed graph, an input changed in place after an op saved it, shapes that do not broadcast. Learners' likely
mistakes that are not errors (warnings) are the guard-rails' (guards/), which sit above and observe the engine."""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from .usercode import LIBRARY, describe

if TYPE_CHECKING:
    from .op import Op
    from .tensor import Tensor

__all__ = ["ArgumentError", "DTypeError", "IndexRangeError", "LinAlgError", "ShapeError", "broadcast_grad_error",
           "changed_at", "changed_in_place", "describe",
           "freed_graph_error", "inplace_error", "shape_error", "shape_str"]


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit together (matmul, linear, conv, cat, broadcasting...). Both kinds at once: PyTorch
    programs catch RuntimeError, which PyTorch raises for these, and numpy users catch ValueError."""


class DTypeError(TypeError, RuntimeError):
    """A tensor of a dtype the op cannot take (a float mask where a bool one is needed...). Both kinds, as
    ShapeError: PyTorch raises RuntimeError for these, Python code expects TypeError."""


class ArgumentError(ValueError, RuntimeError):
    """An argument's value the op cannot take (chunks=0, approximate='fast', label_smoothing=1.5...). Both
    kinds, as ShapeError: PyTorch raises RuntimeError for these, Python code expects ValueError."""


class IndexRangeError(IndexError, RuntimeError):
    """An index tensor's value out of range in gather/scatter: PyTorch's RuntimeError, Python's IndexError."""


class LinAlgError(RuntimeError):
    """A matrix a decomposition cannot take (singular for inv, not positive-definite for cholesky): PyTorch's
    torch.linalg.LinAlgError, a RuntimeError."""


def inplace_error(op: Op, index: int | None, t: Tensor, version: int) -> RuntimeError:
    role = "its output" if index is None else f"its input {index}"
    where = getattr(op, "callsite", None)
    at = f" (recorded at {where})" if where else ""
    at += changed_at(t, None if where else op)     # the in-place op and its line; how to find the op's line
    return RuntimeError(
        f"{op.name}: {role}, {describe(t)}, was modified in place after the op saved it for backward{at} "
        f"(version {version} when saved, {t._version} now). The gradient would be wrong. Do the in-place "
        f"change after backward(), or use an out-of-place op (x = x + 1 instead of x += 1), or .clone() first."
    )


def freed_graph_error(op: Op, at_head: bool = True) -> RuntimeError:
    """Backward reached an op an earlier backward freed: where this backward starts (`at_head`: the plain
    'backward a second time'), or deeper, when the graph was built on top of an earlier iteration's."""
    if at_head:
        return RuntimeError(
            f"{op.name}: trying to backward through the graph a second time (its saved tensors were freed by the "
            "first backward). Pass retain_graph=True to the first backward() (or autograd.grad()) to keep them, or "
            "recompute the forward pass.")
    return RuntimeError(
        f"backward: this graph reaches {op.name}, an op that an earlier backward() already went through and freed: "
        "the tensor you call backward() on was built on top of an earlier iteration's graph. Typical causes: a "
        "running total (`total_loss += loss` — use `loss.item()`), or a hidden state / running statistic carried "
        "from the previous batch (use `h = h.detach()`). retain_graph=True is not the fix: it would keep every "
        "iteration's graph alive and make each backward() slower.")


def broadcast_grad_error(op: Op, g_shape: tuple, x_shape: tuple) -> RuntimeError:
    return RuntimeError(
        f"{op.name}.backward returned a gradient of shape {tuple(g_shape)} for an input of shape "
        f"{tuple(x_shape)}; the input does not broadcast to it. This is a bug in {op.name}'s backward."
    )


def shape_str(shape: tuple) -> str:
    return str(tuple(shape))


def shape_error(op: Op, inputs: tuple, e: ValueError) -> ValueError:
    """numpy's 'operands could not be broadcast' rewritten to name the op, both shapes and the dims that clash."""
    msg = str(e)
    if "broadcast" not in msg or "could not" not in msg:
        return e
    shapes = [tuple(t.shape) for t in inputs if isinstance(getattr(t, "_data", None), np.ndarray)]
    big = [s for s in shapes if s]
    clash = []
    for i in range(1, max((len(s) for s in big), default=0) + 1):
        sizes = {s[-i] for s in big if len(s) >= i} - {1}
        if len(sizes) > 1:
            clash.append(f"dim {-i} ({' vs '.join(str(n) for n in sorted(sizes))})")
    shown = " and ".join(str(s) for s in shapes)
    return ShapeError(f"{op.name}: shapes {shown} do not broadcast: {', '.join(clash) or 'sizes differ'}. Shapes are "
                      "compared from the last dim backwards; each pair of sizes must be equal or one of them 1. "
                      "Reshape or transpose one operand (e.g. x.reshape(-1, 1), x.unsqueeze(0), x.T).")


# -- where a tensor was changed in place, for inplace_error ------------------------------------------------------
class _Changed:
    """Kept on a tensor changed in place: what changed it, and where (the user's code and bytecode offset: the
    line number is only worked out if an error needs it, which keeps this path cheap)."""

    __slots__ = ("what", "code", "lasti")

    def __init__(self, what: str, code: Any, lasti: int) -> None:
        self.what, self.code, self.lasti = what, code, lasti

    @property
    def where(self) -> str:
        line = next((ln for start, end, ln in self.code.co_lines() if start <= self.lasti < end), None)
        return f"{os.path.basename(self.code.co_filename)}:{line}"


_INPLACE_NAMES = {"add": "+= (add_)", "sub": "-= (sub_)", "mul": "*= (mul_)", "div": "/= (div_)",
                  "setitem": "x[...] = ...", "index_put": "x[...] = ...", "clamp": "clamp_"}


def changed_in_place(t: Tensor, what: str) -> None:
    """Remember the in-place op and the user's line, for the error backward raises if an op saved `t`.
    Runs on every in-place change (e.g. `w -= lr * w.grad`): it jumps straight to the usual depth of the user's
    frame (user, sub_, _update, here), since walking the frames one by one is slow on this hot path."""
    try:
        f = sys._getframe(3)
    except ValueError:
        f = sys._getframe(1)
    while f.f_code.co_filename.startswith(LIBRARY) and f.f_back is not None:
        f = f.f_back
    t._guard = _Changed(what, f.f_code, f.f_lasti)


def changed_at(t: Tensor, op: Op | None = None) -> str:
    """'; it was changed by -= (sub_) at train.py:12' ('' when unknown: changed through a view, .data or an
    optimizer), plus, given the op, how to see the line that recorded it."""
    note = getattr(t, "_guard", None)
    out = f"; it was changed by {_INPLACE_NAMES.get(note.what, note.what)} at {note.where}" if isinstance(
        note, _Changed) else ""
    if op is not None:
        out += f"; run it under `with autograd.detect_anomaly():` to see the line that called {op.name}"
    return out

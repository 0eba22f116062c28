"""Error messages that teach: each names the op, the shapes or dtypes, and what to do instead."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .op import Op
    from .tensor import Tensor


def describe(t: Tensor) -> str:
    """'tensor `w` of shape (3, 2), float32' — the name when the user gave one."""
    name = f" `{t.name}`" if getattr(t, "name", None) else ""
    return f"tensor{name} of shape {tuple(t.shape)}, {t.dtype}"


def inplace_error(op: Op, index: int | None, t: Tensor, version: int) -> RuntimeError:
    role = "its output" if index is None else f"its input {index}"
    where = getattr(op, "callsite", None)
    at = f" (recorded at {where})" if where else ""
    from .guards import changed_at
    at += changed_at(t, None if where else op)     # the in-place op and its line; how to find the op's line
    return RuntimeError(
        f"{op.name}: {role}, a {describe(t)}, was modified in place after the op saved it for backward{at} "
        f"(version {version} when saved, {t._version} now). The gradient would be wrong. Do the in-place "
        f"change after backward(), or use an out-of-place op (x = x + 1 instead of x += 1), or .clone() first."
    )


def freed_graph_error(op: Op) -> RuntimeError:
    from .guards import freed_error
    if (err := freed_error(op)) is not None:       # an earlier iteration's graph, not a second backward
        return err
    return RuntimeError(
        f"{op.name}: trying to backward through the graph a second time (its saved tensors were freed by the first "
        "backward). Pass retain_graph=True to the first backward() (or autograd.grad()) to keep them, or "
        "recompute the forward pass.")


def broadcast_grad_error(op: Op, g_shape: tuple, x_shape: tuple) -> RuntimeError:
    return RuntimeError(
        f"{op.name}.backward returned a gradient of shape {tuple(g_shape)} for an input of shape "
        f"{tuple(x_shape)}; the input does not broadcast to it. This is a bug in {op.name}'s backward."
    )


def shape_str(shape: tuple) -> str:
    return str(tuple(shape))

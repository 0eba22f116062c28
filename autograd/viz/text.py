"""The graph in a terminal: `print_graph` (an indented tree, no graphviz needed) and `trace` (the backward pass
told step by step, the way the notes teach it: downstream = local × upstream)."""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from .graph import Graph, collect, kind_of
from .record import ONode, TNode
from .summary import Summary, format_shape, format_values, num, summarize

if TYPE_CHECKING:
    from ..tensor import Tensor


def label(g: Graph, t: TNode) -> str:
    """What a person calls this tensor: its name, else the op that made it, else its value if a scalar."""
    if t.key in g.names:
        return g.names[t.key]
    if t.producer is not None:
        return f"{t.producer.name}(…)"
    if t.shape == () and t.data is not None and t.data.values is not None:
        return num(t.data.values.item())
    if not t.requires_grad:
        return "input"
    return "param" if t.is_param or t.key in g.params else "leaf"


def _one_line(s: Summary, show_data: bool | str) -> str:
    return " ".join(s.text(show_data, width=10_000).split())


def graph_text(*roots: Tensor, params: dict[str, Any] | None = None, show_data: bool | str = "auto",
               show_grad: bool = True, max_nodes: int | None = 300) -> str:
    """The graph as an indented tree: each line a tensor and the op that made it; below it, that op's inputs."""
    g = collect(list(roots), max_nodes, show_grad, params=params, show_data=show_data)
    drawn = {o.key for o in g.ops}
    root_keys = {t.key for t in g.roots}
    lines: list[str] = []
    shown: set[int] = set()
    stack: list[tuple[TNode, str, str]] = [(t, "", "") for t in reversed(g.roots)]
    while stack:
        t, lead, branch = stack.pop()
        kind = kind_of(t, root_keys, g.params)
        parts = [f"{lead}{branch}{label(g, t)}", format_shape(t.shape), t.dtype]
        if kind in ("param", "leaf", "const", "output"):
            parts.append({"const": "constant"}.get(kind, "parameter" if kind == "param" else kind))
        if show_data and t.data is not None:
            parts.append("= " + _one_line(t.data, show_data))
        if show_grad and t.grad is not None:
            parts.append("grad " + _one_line(t.grad, show_data or "auto"))
        op = t.producer if t.producer is not None and t.producer.key in drawn else None
        if op is not None:
            parts.append(f"← {op.name}")
        if t.key in shown and op is not None:
            lines.append("  ".join(parts) + "  (inputs shown above)")
            continue
        lines.append("  ".join(parts))
        shown.add(t.key)
        if op is None:
            continue
        child_lead = lead + ("" if not branch else "   " if branch.startswith("└") else "│  ")
        kids = op.inputs
        for k in range(len(kids) - 1, -1, -1):
            stack.append((kids[k], child_lead, "└─ " if k == len(kids) - 1 else "├─ "))
    if g.summarized:
        top = ", ".join(f"{n} ×{c:,}" for n, c in g.hidden_ops.most_common(4))
        lines.append(f"⋯ {sum(g.hidden_ops.values()) + g.hidden_tensors:,} more nodes not shown ({top}); "
                     f"max_nodes=None shows all")
    if g.freed:
        lines.append("(the graph beyond some tensors was freed by backward and not recorded by viz.watch())")
    lines += [f"note: {n}" for n in g.notes]
    return "\n".join(lines)


def print_graph(*roots: Tensor, params: dict[str, Any] | None = None, show_data: bool | str = "auto",
                show_grad: bool = True, max_nodes: int | None = 300, file: IO[str] | None = None) -> None:
    """Print the graph of `roots` as an indented tree (works without graphviz)."""
    print(graph_text(*roots, params=params, show_data=show_data, show_grad=show_grad, max_nodes=max_nodes),
          file=file or sys.stdout)


@dataclass
class TraceInput:
    """One input of a step: the local gradient d out / d input and the gradient sent down to it."""

    name: str
    shape: tuple[int, ...] | None
    needs_grad: bool
    local: np.ndarray | None          # elementwise: shaped like the input; else the Jacobian (out.size, in.size)
    local_kind: str | None            # 'elementwise', 'jacobian', or None when not computed (large tensors)
    downstream: Summary | None


@dataclass
class TraceStep:
    step: int
    op: str
    output: str
    forward: str                      # the op's formula, e.g. "y = tanh(x)"
    local_formula: str                # its local gradient, e.g. "dx = g * (1 - y²)"
    upstream: Summary | None          # d root / d output (the seed for the first step)
    inputs: list[TraceInput] = field(default_factory=list)


class Trace(list):
    """The steps of backward in the order it visits them; `print(trace)` shows them as a table."""

    note: str = ""

    def table(self) -> str:
        head = ("step", "op", "upstream ∂L/∂out", "input", "local ∂out/∂in", "downstream = local × upstream")
        rows: list[tuple[str, ...]] = []
        for s in self:
            up = _cell(s.upstream)
            for k, x in enumerate(s.inputs or [TraceInput("", None, False, None, None, None)]):
                local = "—" if not x.needs_grad else (
                    (_array_cell(x.local, x.local_kind) if x.local is not None else None)
                    or _short(_formula_part(s.local_formula, k)) or "·")
                first = k == 0
                rows.append((str(s.step) if first else "", _short(f"{s.op}  {s.forward}") if first else "",
                             up if first else "", x.name, local, _cell(x.downstream) if x.needs_grad else "—"))
        widths = [max(len(r[c]) for r in rows + [head]) for c in range(len(head))]
        fmt = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()
        out = [fmt(head), "  ".join("─" * w for w in widths)] + [fmt(r) for r in rows]
        if self.note:
            out.append(self.note)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table()


CELL = 40      # widest value shown in a table cell; wider ones are given by shape and norm (full values in .steps)


def _cell(s: Summary | None) -> str:
    if s is None:
        return "?"
    if s.values is not None:
        text = " ".join(format_values(s.values, 10_000).split())
        if len(text) <= CELL:
            return text
    return f"{format_shape(s.shape)} ‖·‖={num(s.norm)}"


def _array_cell(a: np.ndarray, kind: str | None) -> str | None:
    text = " ".join(format_values(a, 10_000).split())
    text = text if kind == "elementwise" else f"J={text}"
    return text if len(text) <= CELL else None


def _formula_part(local: str, k: int) -> str:
    """The k-th input's part of `dx = g * y,   dy = g * x` (parts are separated by a comma and spaces)."""
    parts = [p.strip() for p in re.split(r",\s{2,}", local) if "=" in p]
    return parts[k] if k < len(parts) else local


def _short(text: str, width: int = CELL) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def trace(*roots: Tensor, params: dict[str, Any] | None = None, max_steps: int | None = 200) -> Trace:
    """The backward pass of `roots`, step by step: for each op in the order backward visits it, the upstream
    gradient, the local gradient (values for small tensors, the formula otherwise) and the gradient passed
    downstream. Uses what viz.watch() recorded, or runs a private backward if the graph still exists."""
    limit = None if max_steps is None else 4 * max_steps + 16
    g = collect(list(roots), limit, True, params=params, replay_limit=max_steps)
    ops = sorted((o for o in g.ops if o.visit is not None), key=lambda o: o.visit)
    out = Trace()
    first = ops[0].visit if ops else 1
    for o in ops[:max_steps] if max_steps is not None else ops:
        out.append(_step(g, o, o.visit - first + 1))
    if max_steps is not None and len(ops) > max_steps:
        out.note = f"… {len(ops) - max_steps} more steps (max_steps=None shows all)"
    elif not ops and any(r.grad_fn is not None for r in roots):
        freed = any(r.grad_fn is not None and r.grad_fn._inputs is None for r in roots)
        out.note = "no gradients: " + ("; ".join(g.notes) or (
            "backward ran outside viz.watch() and freed the graph; call backward() inside the watch" if freed
            else "nothing flowed back"))
    return out


def _step(g: Graph, o: ONode, n: int) -> TraceStep:
    step = TraceStep(n, o.name, label(g, o.out), o.forward, o.local, o.out.grad)
    for k, x in enumerate(o.inputs):
        jac = o.jacobians[k] if o.jacobians else None
        local, kind = _local(jac, x, o.out)
        down = o.edges[k] if k < len(o.edges) else None
        step.inputs.append(TraceInput(label(g, x), x.shape, o.needs_grad[k], local, kind, down))
    return step


def _local(jac: np.ndarray | None, x: TNode, out: TNode) -> tuple[np.ndarray | None, str | None]:
    """Show a Jacobian the way it is written by hand: elementwise ops as one number per element."""
    if jac is None:
        return None, None
    if jac.shape[0] == jac.shape[1] and x.shape == out.shape and np.count_nonzero(jac - np.diag(np.diag(jac))) == 0:
        return np.diag(jac).reshape(x.shape), "elementwise"
    if jac.shape[0] == 1 and x.shape is not None:
        return jac.reshape(x.shape), "jacobian"
    return jac, "jacobian"


__all__ = ["Trace", "TraceInput", "TraceStep", "graph_text", "print_graph", "summarize", "trace"]

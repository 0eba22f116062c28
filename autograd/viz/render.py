"""Graph -> graphviz picture: tensors as cards (name, shape, dtype, values, grad), ops as ovals, edges
coloured and thickened by the gradient that flowed back along them, a legend, module clusters, a summary.
The `graphviz` package is imported here only, when a picture is asked for: the engine needs numpy alone."""
from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

from .graph import Edge, Graph, kind_of
from .labels import (
    OP_BORDER,
    OP_FILL,
    _tip,
    edge_style,
    escape,
    legend,
    op_tooltip,
    tensor_label,
    tensor_tooltip,
)
from .record import ONode, TNode

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
INSTALL_DOT = ("Install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
               "`conda install graphviz`")



class Drawing:
    """A drawn graph: `save(path)` (.svg/.png/.pdf by suffix, .dot/.gv for the text), `to_dot()`, and an SVG in
    notebooks. `digraph` is the graphviz.Digraph, `graph` the snapshot it was drawn from."""

    def __init__(self, digraph: Any, graph: Graph) -> None:
        self.digraph, self.graph = digraph, graph

    def __getattr__(self, name: str) -> Any:      # the rest of graphviz.Digraph: .source, .render(), .view()...
        if name == "digraph":
            raise AttributeError(name)
        return getattr(self.digraph, name)

    def to_dot(self) -> str:
        return self.digraph.source

    def pipe(self, format: str = "svg") -> bytes:  # noqa: A002
        import graphviz
        try:
            return self.digraph.pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise RuntimeError(f"viz: rendering {format.upper()} needs the `dot` program from Graphviz, which is not "
                               f"on PATH. {INSTALL_DOT}. to_dot() and print_graph() work without it.") from None

    def svg(self) -> str:
        return self.pipe("svg").decode("utf-8")

    def save(self, path: str | os.PathLike) -> Path:
        """Write the picture; the format follows the suffix. Written whole or not at all."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".dot", ".gv"):
            data = self.to_dot().encode("utf-8")
        elif suffix in FORMATS:
            data = self.pipe(FORMATS[suffix])
        else:
            raise ValueError(f"save: cannot tell the format of {str(path)!r} from its suffix {suffix!r}; "
                             f"use one of .svg .png .pdf .dot .gv")
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=path.name, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)            # mkstemp makes 0600; a picture gets the usual permissions
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return path

    def _repr_svg_(self) -> str | None:
        try:
            return self.svg()
        except RuntimeError:
            return None

    def __repr__(self) -> str:
        g = self.graph
        return (f"<viz.Drawing: {len(g.tensors)} tensors, {len(g.ops)} ops, {len(g.edges)} edges"
                f"{' (summarised)' if g.summarized else ''}; .save('graph.svg') or .to_dot()>")


def render(g: Graph, *, show_data: bool | str = "auto",
           show_grad: bool = True, rankdir: str = "LR", collapse_modules: bool = False) -> Drawing:
    try:
        import graphviz
    except ImportError:
        raise ImportError("viz.draw needs the `graphviz` Python package: pip install graphviz "
                          "(and the Graphviz `dot` program to render it). print_graph() needs neither.") from None
    dot = graphviz.Digraph("autograd", graph_attr={
        "rankdir": rankdir, "fontname": "Helvetica", "bgcolor": "white", "nodesep": "0.25", "ranksep": "0.35",
        "labelloc": "t", "fontsize": "12"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"}, edge_attr={"arrowsize": "0.6"})
    names = g.names
    roots = {t.key for t in g.roots}
    hidden = _internal_tensors(g) if collapse_modules else set()
    placed = _clusters(g, hidden) if collapse_modules else {}
    norms = [e.grad.norm for e in g.edges if e.grad is not None and e.grad.norm > 0 and e.grad.finite]
    lo, hi = (math.log10(min(norms)), math.log10(max(norms))) if norms else (0.0, 0.0)

    bodies: dict[int | None, list[tuple[str, dict]]] = {}
    for t in g.tensors:
        if t.key in hidden:
            continue
        kind = kind_of(t, roots, g.params)
        bodies.setdefault(placed.get(("t", t.key)), []).append(
            (f"t{t.key}", {"label": tensor_label(t, kind, names.get(t.key), show_data, show_grad), "shape": "plain",
                           "tooltip": _tip(tensor_tooltip(t, kind, names.get(t.key)))}))
    for o in g.ops:
        fwd = f'<BR/><FONT POINT-SIZE="9" COLOR="#475569">{escape(o.forward)}</FONT>' if o.forward else ""
        bodies.setdefault(placed.get(("o", o.key)), []).append(
            (f"o{o.key}", {"label": f"<<B>{escape(o.name)}</B>{fwd}>", "shape": "box", "style": "rounded,filled",
                           "fillcolor": OP_FILL, "color": OP_BORDER, "tooltip": _tip(op_tooltip(o))}))
    _emit(dot, g, bodies, placed)

    for e in _edges(g, hidden):
        dot.edge(_id(e.src), _id(e.dst), **edge_style(e, lo, hi, show_grad))
    if g.summarized:
        top = ", ".join(f"{n} ×{c:,}" for n, c in g.hidden_ops.most_common(4))
        more = sum(g.hidden_ops.values()) + g.hidden_tensors
        dot.node("summary", label=f"⋯ {more:,} more nodes not drawn\n({top})\ndraw(..., max_nodes=N) shows more",
                 shape="note", style="filled", fillcolor="#fff7ed", color="#c2410c", fontcolor="#9a3412")
        for t in g.boundary:
            dot.edge("summary", f"t{t.key}", style="dashed", color="#c2410c", arrowhead="none")
        dot.attr(label=f"summarised: {len(g.tensors) + len(g.ops):,} of {g.total_nodes:,} nodes drawn "
                       f"(the part nearest the output)")
    if g.freed:
        dot.node("freed", label="graph freed by backward()\nbeyond here (not recorded)", shape="note",
                 color="#94a3b8", fontcolor="#475569")
        for t in g.freed:
            dot.edge("freed", f"t{t.key}", style="dotted", arrowhead="none")
    dot.node("legend", label=legend(g, show_grad, collapse_modules and not placed), shape="plain")
    return Drawing(dot, g)


def _emit(dot: Any, g: Graph, bodies: dict, placed: dict) -> None:
    """Nodes into nested clusters, one per module call (outermost first)."""
    calls = {c.key: c for c in placed.get("calls", [])}
    children: dict[int | None, list[int]] = {}
    for key, c in calls.items():
        children.setdefault(c.parent.key if c.parent is not None and c.parent.key in calls else None, []).append(key)

    def fill(sub: Any, key: int | None) -> None:
        for name, attrs in bodies.get(key, []):
            sub.node(name, **attrs)
        for child in children.get(key, []):
            with sub.subgraph(name=f"cluster_m{child}") as c:
                c.attr(label=_tip(calls[child].label), style="rounded,dashed", color="#6366f1", fontcolor="#4338ca",
                       fontsize="11", labeljust="l")
                fill(c, child)
    fill(dot, None)                                # recursion only as deep as modules nest


def _id(n: TNode | ONode) -> str:
    return f"o{n.key}" if isinstance(n, ONode) else f"t{n.key}"


def _internal_tensors(g: Graph) -> set[int]:
    """Tensors made and used inside one module call: collapse_modules hides them (op -> op directly)."""
    users: dict[int, list[ONode]] = {}
    for o in g.ops:
        for x in o.inputs:
            users.setdefault(x.key, []).append(o)
    roots = {t.key for t in g.roots}
    drawn = {o.key for o in g.ops}
    hidden = set()
    for t in g.tensors:
        p = t.producer
        if t.key in roots or p is None or p.key not in drawn or p.scope is None or t.key not in users:
            continue
        if all(u.scope is p.scope for u in users[t.key]):
            hidden.add(t.key)
    return hidden


def _clusters(g: Graph, hidden: set[int]) -> dict:
    """Which module call each node is drawn in: an op in its own call; a parameter or an intermediate tensor in
    the innermost call enclosing its producer and every op that uses it; inputs and constants outside."""
    placed: dict[Any, Any] = {}
    calls: dict[int, Any] = {}
    for o in g.ops:
        if o.scope is not None:
            placed[("o", o.key)] = o.scope.key
            for c in o.scope.path():
                calls[c.key] = c
    users: dict[int, list[ONode]] = {}
    for o in g.ops:
        for x in o.inputs:
            users.setdefault(x.key, []).append(o)
    drawn = {o.key for o in g.ops}
    for t in g.tensors:
        if t.is_leaf and not t.requires_grad:
            continue
        ops = list(users.get(t.key, []))
        if t.producer is not None and t.producer.key in drawn:
            ops.append(t.producer)
        common = _common_call([o.scope for o in ops])
        if common is not None:
            placed[("t", t.key)] = common.key
    if calls:
        placed["calls"] = list(calls.values())
    return placed


def _common_call(scopes: list[Any]) -> Any:
    """The innermost module call enclosing all of `scopes` (None if one of them is outside every call)."""
    if not scopes or any(s is None for s in scopes):
        return None
    paths = [s.path() for s in scopes]
    common = None
    for level in zip(*paths):
        if any(c is not level[0] for c in level):
            break
        common = level[0]
    return common


def _edges(g: Graph, hidden: set[int]) -> list[Edge]:
    """The graph's edges, with hidden tensors bridged: producer op -> consumer op."""
    if not hidden:
        return g.edges
    out = []
    for e in g.edges:
        if isinstance(e.dst, TNode) and e.dst.key in hidden:
            continue
        if isinstance(e.src, TNode) and e.src.key in hidden:
            out.append(Edge(e.src.producer, e.dst, e.grad))
        else:
            out.append(e)
    return out

"""Graph -> graphviz picture: tensors as cards (name, shape, dtype, values, grad), ops as ovals, edges
coloured and thickened by the gradient that flowed back along them, a legend, module clusters, a summary.
The `graphviz` package is imported here only, when a picture is asked for: the engine needs numpy alone."""
from __future__ import annotations

import math
import os
import re
import tempfile
from html import escape as _html_escape
from pathlib import Path
from typing import Any

from .graph import Edge, Graph, kind_of
from .record import ONode, TNode
from .summary import Summary, format_shape, format_values, num

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")   # not allowed in SVG


def _visible(text: str) -> str:
    """Characters XML forbids (NUL, ESC, lone surrogates...) shown as \\xNN: the SVG stays valid."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def escape(text: Any) -> str:
    """Any user-supplied string inside an HTML-like label: markup and Graphviz's \\N, \\G shown as text."""
    return _html_escape(_visible(text)).replace("\\", "\\\\")   # dot reads a doubled backslash as one, here too


# node kinds: (fill, border, tag)
STYLE = {
    "param": ("#dbeafe", "#1d4ed8", "parameter"),
    "leaf": ("#dcfce7", "#15803d", "leaf"),
    "const": ("#f8fafc", "#94a3b8", "constant"),
    "interior": ("#ffffff", "#475569", ""),
    "output": ("#fef3c7", "#b45309", "output"),
}
OP_FILL, OP_BORDER = "#e2e8f0", "#334155"
# gradient norm -> colour: cold = vanishing, green = about 1, hot = exploding (anchors in log10 ‖g‖)
ANCHORS = [(-8.0, (0x93, 0xC5, 0xFD)), (-5.0, (0x3B, 0x82, 0xF6)), (-2.0, (0x0D, 0x94, 0x88)),
           (0.0, (0x16, 0xA3, 0x4A)), (2.0, (0xF9, 0x73, 0x16)), (4.0, (0xDC, 0x26, 0x26))]
ZERO_COLOUR, NONFINITE_COLOUR, NO_GRAD_COLOUR = "#cbd5e1", "#d946ef", "#64748b"
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
INSTALL_DOT = ("Install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
               "`conda install graphviz`")


def grad_colour(norm: float) -> str:
    """The colour of a gradient norm on the fixed log scale of the legend."""
    if not math.isfinite(norm):
        return NONFINITE_COLOUR
    if norm == 0:
        return ZERO_COLOUR
    x = math.log10(norm)
    if x <= ANCHORS[0][0]:
        rgb = ANCHORS[0][1]
    elif x >= ANCHORS[-1][0]:
        rgb = ANCHORS[-1][1]
    else:
        for (x0, c0), (x1, c1) in zip(ANCHORS, ANCHORS[1:]):
            if x <= x1:
                f = (x - x0) / (x1 - x0)
                rgb = tuple(round(a + f * (b - a)) for a, b in zip(c0, c1))
                break
    return "#" + "".join(f"{c:02x}" for c in rgb)


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


def tensor_label(t: TNode, kind: str, name: str | None, show_data: bool | str, show_grad: bool) -> str:
    fill, border, tag = STYLE[kind]
    if kind == "const" and t.shape == () and not name and t.data is not None and t.data.values is not None:
        return (f'<<TABLE BORDER="1" STYLE="rounded" CELLBORDER="0" CELLPADDING="2" BGCOLOR="{fill}" '
                f'COLOR="{border}"><TR><TD><FONT COLOR="#475569">{escape(num(t.data.values.item()))}</FONT>'
                f'</TD></TR></TABLE>>')
    if kind == "const" and t.shape != () and not name:
        tag = "input"
    title = f"<B>{escape(name)}</B>" if name else ""
    tag = f'<FONT POINT-SIZE="9" COLOR="{border}">{tag}</FONT>' if tag else ""    # dot rejects empty <FONT>
    rows = [f'<TR><TD ALIGN="LEFT">{title}</TD><TD ALIGN="RIGHT">{tag}</TD></TR>',
            f'<TR><TD COLSPAN="2" ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="#475569">{format_shape(t.shape)} '
            f'{escape(t.dtype)}</FONT></TD></TR>']
    if show_data and t.data is not None:
        rows.append(_value_row("data", t.data, show_data, "#0f172a"))
    if show_grad and t.grad is not None:
        rows.append(_value_row("grad", t.grad, "auto" if show_data is False else show_data, grad_colour(t.grad.norm)))
    width = 3 if kind == "output" else 1
    return (f'<<TABLE BORDER="{width}" STYLE="rounded" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
            f'BGCOLOR="{fill}" COLOR="{border}">{"".join(rows)}</TABLE>>')


def _value_row(what: str, s: Summary, show_data: bool | str, colour: str) -> str:
    text = escape(s.text(show_data, width=48)).replace("\n", '<BR ALIGN="LEFT"/>')
    return (f'<TR><TD ALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="9" COLOR="#64748b">{what}</FONT></TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT"><FONT FACE="Courier" POINT-SIZE="10" COLOR="{colour}">{text}</FONT>'
            f'</TD></TR>')


def edge_style(e: Edge, lo: float, hi: float, show_grad: bool) -> dict[str, str]:
    """Colour by the gradient norm (fixed scale), width by its log relative to this graph's range."""
    if not show_grad or e.grad is None:
        return {"color": NO_GRAD_COLOUR, "penwidth": "1"}
    n = e.grad.norm
    style = {"color": grad_colour(n), "tooltip": _tip(f"‖grad‖ = {num(n)} flowing back along this edge")}
    if n == 0:
        style.update(penwidth="1", style="dashed")
    elif not math.isfinite(n):
        style.update(penwidth="4", style="bold")
    else:
        f = (math.log10(n) - lo) / (hi - lo) if hi > lo else 0.5
        style["penwidth"] = f"{0.8 + 5.2 * f:.2f}"
    return style


def legend(g: Graph, show_grad: bool, collapse_unknown: bool) -> str:
    cells = "".join(f'<TD BGCOLOR="{grad_colour(10.0 ** x)}" WIDTH="44"><FONT POINT-SIZE="8" COLOR="white">'
                    f'{"1" if x == 0 else f"1e{x:+d}"}</FONT></TD>' for x in range(-8, 5, 2))
    source = {"watch": "recorded by viz.watch() during backward",
              "replay": "computed by draw() with a private backward (no .grad touched)",
              "backward": "kept by backward(): small gradients whole, larger ones as norms",
              ".grad": "from the leaves' .grad only: wrap backward in viz.watch() to see every edge",
              None: "no gradients"}[g.grad_source if show_grad else None]
    kinds = "".join(f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1"><FONT POINT-SIZE="8">{tag or "tensor"}'
                    f'</FONT></TD>' for fill, border, tag in STYLE.values())
    rows = ['<TR><TD COLSPAN="7" ALIGN="LEFT"><FONT POINT-SIZE="9"><B>edge colour</B>: ‖gradient‖ that flowed '
            'back along it (log scale); <B>width</B>: relative within this graph</FONT></TD></TR>',
            f"<TR>{cells}</TR>",
            '<TR><TD COLSPAN="7" ALIGN="LEFT"><FONT POINT-SIZE="8">blue: vanishing   green: about 1   red: '
            'exploding   dashed grey: zero   magenta: nan/inf</FONT></TD></TR>',
            f'<TR><TD COLSPAN="7" ALIGN="LEFT"><FONT POINT-SIZE="8">gradients: {escape(source)}</FONT></TD></TR>',
            f'<TR><TD COLSPAN="7"><TABLE BORDER="0" CELLSPACING="2"><TR>{kinds}<TD BGCOLOR="{OP_FILL}" BORDER="1" '
            f'STYLE="rounded"><FONT POINT-SIZE="8">op</FONT></TD></TR></TABLE></TD></TR>']
    notes = list(g.notes)
    if collapse_unknown:
        notes.append("collapse_modules: no module calls were recorded (run the forward inside viz.watch())")
    for note in notes:
        rows.append(f'<TR><TD COLSPAN="7" ALIGN="LEFT"><FONT POINT-SIZE="8" COLOR="#b45309">{escape(note)}</FONT>'
                    f'</TD></TR>')
    return f'<<TABLE BORDER="1" COLOR="#cbd5e1" CELLBORDER="0" CELLSPACING="1" CELLPADDING="2">{"".join(rows)}</TABLE>>'


def tensor_tooltip(t: TNode, kind: str, name: str | None) -> str:
    lines = [f"{name or 'tensor'} ({STYLE[kind][2] or 'intermediate'})", f"shape {format_shape(t.shape)}  "
             f"dtype {t.dtype}  requires_grad={t.requires_grad}"]
    for what, s in (("data", t.data), ("grad", t.grad)):
        if s is not None:
            lines += ["", f"{what}  ‖·‖ = {num(s.norm)}", s.text(True, width=72)]
            if s.values is not None and s.size > 1:
                lines.append(f"μ {num(float(s.values.mean()))}  min {num(float(s.values.min()))}  "
                             f"max {num(float(s.values.max()))}")
    if t.producer is not None:
        lines += ["", f"made by {t.producer.name}: {t.producer.forward}"]
    return "\n".join(lines)


def op_tooltip(o: ONode) -> str:
    lines = [o.name, o.forward]
    if o.local:
        lines.append(f"local gradient: {o.local}")
    if o.visit is not None:
        lines.append(f"backward step {o.visit}")
    if o.scope is not None:
        lines.append("module: " + " / ".join(c.label for c in o.scope.path()))
    if o.callsite:
        lines.append(f"called at {o.callsite}")
    if o.jacobians:
        for x, jac in zip(o.inputs, o.jacobians):
            if jac is not None:
                lines.append(f"d out / d {x.name or 'input'} =\n{format_values(jac, 72)}")
    if o.note:
        lines.append(o.note)
    return "\n".join(lines)


def _tip(text: str) -> str:
    """A user-supplied string as a plain (quoted) DOT string: backslashes literal, never taken as <HTML>."""
    from graphviz import nohtml
    return nohtml(_visible(text).replace("\\", "\\\\"))


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

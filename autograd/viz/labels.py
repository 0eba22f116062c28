"""What the graph picture says: node colours and tags, the gradient-norm colour scale, tensor cards, edge
styles, the legend and the tooltips (an op's formula and local gradient), all escaped for Graphviz's HTML labels."""
from __future__ import annotations

import math
import re
from html import escape as _html_escape
from typing import Any

from .graph import Edge, Graph
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

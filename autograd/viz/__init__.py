"""Pictures of the graph: how a value was computed and how its gradient flowed back.

    import autograd as ag
    from autograd import viz

    with viz.watch():                       # records the graph and every gradient backward sends
        loss = model(x, y)
        loss.backward()                     # frees the graph, as always; the recording keeps the picture
    viz.draw(loss, params=dict(model.named_parameters())).save("graph.svg")
    viz.print_graph(loss)                   # the same graph as a text tree (no graphviz needed)
    print(viz.trace(loss))                  # backward step by step: downstream = local × upstream

No watch is needed for a first picture: after a plain `loss.backward()`, draw() and trace() use what backward
kept of each op it freed (autograd/remains.py: the structure, arrays of up to 16 elements, norms of larger
gradients: on a graph of over 64 ops, of those up to 65,536 elements), and before backward (or with
retain_graph=True) they run a private backward over the graph, touching no `.grad`. watch() also keeps
statistics of large tensors, call sites and module boxes.
Only graphviz's Python package is imported, and only when a picture is drawn: `import autograd` needs numpy alone.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .attention import attention_map
from .graph import Graph, collect
from .record import Recorder, watch
from .scope import module_scope
from .summary import SMALL, Summary
from .text import Trace, TraceInput, TraceStep, graph_text, print_graph, trace

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .render import Drawing


def draw(*roots: Tensor, params: dict[str, Any] | None = None, show_data: bool | str = "auto",
         show_grad: bool = True, max_nodes: int | None = 300, rankdir: str = "LR",
         collapse_modules: bool = False, recorder: Recorder | None = None) -> Drawing:
    """Draw the graph that computed `roots`.

    params: names for tensors (`dict(model.named_parameters())`); tensors made with `name=` are named already.
    show_data: 'auto' shows the values of tensors with at most 16 elements and mean/std/min/max of larger ones;
        True values for all (numpy-abbreviated; large tensors still alive show their current values); False none.
    show_grad: gradients on tensors, and edges coloured by the norm of the gradient that flowed along them.
    max_nodes: larger graphs are summarised (the part nearest the output is drawn, the rest counted).
    rankdir: 'LR' (left to right) or 'TB'.  recorder: a viz.watch() to draw from (default: the newest that saw it).
    collapse_modules: box each nn.Module call recorded under viz.watch() and hide the tensors internal to it.
    Returns a Drawing: `.save('g.svg')` (or .png/.pdf/.dot), `.to_dot()`, `.digraph` (graphviz.Digraph); shown
    inline in notebooks."""
    from .render import render
    if not roots:
        raise TypeError("draw: give at least one tensor, e.g. viz.draw(loss)")
    if show_data not in ("auto", True, False):
        raise ValueError(f"draw: show_data must be 'auto', True or False, got {show_data!r}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw: rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    g = collect(list(roots), max_nodes, show_grad, recorder=recorder, params=params, show_data=show_data)
    return render(g, show_data=show_data, show_grad=show_grad, rankdir=rankdir, collapse_modules=collapse_modules)


__all__ = ["SMALL", "Graph", "Recorder", "Summary", "Trace", "TraceInput", "TraceStep", "attention_map", "collect",
           "draw", "graph_text", "module_scope", "print_graph", "trace", "watch"]
